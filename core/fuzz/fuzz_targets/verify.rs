//! Fuzz target: arbitrary bytes as a token. Nothing may panic, and nothing random may ever verify
//! (pasetors' property): the only way to a valid token is the key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::{Key, Keyring, UnixTime, VerifyOptions, inspect};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let keyring = Keyring::new(Key::new("k1", &[0x42; 32]).expect("a valid key"));
    let options = VerifyOptions::new("access").with_leeway_secs(u64::MAX);
    assert!(keyring.verify(text, &options, UnixTime::from_secs(1_700_000_000)).is_err());
    if let Ok(seen) = inspect(text) {
        // Whatever inspect accepts must be internally consistent.
        let claims = seen.untrusted_claims();
        assert!(claims.issued_at() < claims.expires_at());
        assert!(claims.auth_time() <= claims.issued_at());
        let _ = claims.to_claims();
    }
});
