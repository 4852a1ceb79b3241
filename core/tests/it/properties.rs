//! Properties that must hold for every input, not just the vectors.

use proptest::prelude::*;
use tessera_core::{Claims, Key, Keyring, UnixTime, VerifyError, VerifyOptions, inspect};

const NAME: &str = "[A-Za-z0-9._:/-]{1,32}";

fn keyring() -> Keyring {
    Keyring::new(Key::new("k1", &[0x11; 32]).expect("a valid key"))
}

prop_compose! {
    fn any_claims()(
        subject in "\\PC{1,32}".prop_filter("at most 128 bytes", |s| s.len() <= 128),
        audience in NAME,
        issued_at in any::<u64>(),
        lifetime in 1..=u64::MAX,
        session_age in any::<u64>(),
        generation in any::<u64>(),
        scopes in prop::collection::vec(NAME, 0..=16),
    ) -> Claims {
        let issued_at = UnixTime::from_secs(issued_at);
        Claims {
            subject,
            audience,
            issued_at,
            expires_at: issued_at.saturating_add_secs(lifetime).max(issued_at.saturating_add_secs(1)),
            auth_time: issued_at.saturating_sub_secs(session_age),
            generation,
            scopes,
        }
    }
}

proptest! {
    #[test]
    fn minted_tokens_verify_to_the_same_claims(claims in any_claims()) {
        prop_assume!(claims.issued_at < UnixTime::from_secs(u64::MAX));
        let ring = keyring();
        let token = ring.mint(&claims).unwrap();
        prop_assert!(token.len() <= tessera_core::MAX_TOKEN_LEN);
        let options = VerifyOptions::new(&claims.audience).with_leeway_secs(0);
        let verified = ring.verify(&token, &options, claims.issued_at).unwrap();
        prop_assert_eq!(verified.claims().to_claims(), claims.clone());
        prop_assert_eq!(inspect(&token).unwrap().untrusted_claims().to_claims(), claims);
    }

    #[test]
    fn any_single_bit_change_is_rejected(claims in any_claims(), index in any::<prop::sample::Index>(), bit in 0u8..8) {
        prop_assume!(claims.issued_at < UnixTime::from_secs(u64::MAX));
        let ring = keyring();
        let token = ring.mint(&claims).unwrap();
        let mut bytes = token.into_bytes();
        let i = index.index(bytes.len());
        bytes[i] ^= 1 << bit;
        // A flipped bit may leave invalid UTF-8; as text it can then never be a token anyway.
        if let Ok(changed) = String::from_utf8(bytes) {
            let options = VerifyOptions::new(&claims.audience).with_leeway_secs(0);
            prop_assert!(ring.verify(&changed, &options, claims.issued_at).is_err());
        }
    }

    #[test]
    fn a_token_signed_with_another_secret_is_only_ever_a_bad_signature(
        claims in any_claims(),
        now in any::<u64>(),
        audience in NAME,
        leeway in any::<u64>(),
    ) {
        let forger = Keyring::new(Key::new("k1", &[0x22; 32]).unwrap());
        let token = forger.mint(&claims).unwrap();
        let options = VerifyOptions::new(&audience).with_leeway_secs(leeway);
        prop_assert_eq!(
            keyring().verify(&token, &options, UnixTime::from_secs(now)).err(),
            Some(VerifyError::BadSignature)
        );
    }

    #[test]
    fn verify_and_inspect_never_panic_on_arbitrary_text(text in "\\PC{0,300}", now in any::<u64>()) {
        let _ = keyring().verify(&text, &VerifyOptions::new("access"), UnixTime::from_secs(now));
        let _ = inspect(&text);
    }

    #[test]
    fn verify_and_inspect_never_panic_on_token_shaped_text(
        payload in "[A-Za-z0-9_=+/-]{0,1100}",
        tag in "[A-Za-z0-9_=+/-]{0,50}",
        now in any::<u64>(),
    ) {
        let text = format!("tsr1.{payload}.{tag}");
        let _ = keyring().verify(&text, &VerifyOptions::new("access"), UnixTime::from_secs(now));
        let _ = inspect(&text);
    }
}
