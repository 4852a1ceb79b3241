//! [tessera patch 5] Arbitrary bytes as a client's side of a connection: request lines, headers,
//! framing, bodies, pipelining. Nothing may panic, hang past the limits, or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tiny_http::fuzz_connection(data);
});
