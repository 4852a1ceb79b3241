//! Benchmarks (criterion): mint and verify side by side with their floor (raw HMAC-SHA256 over the
//! same bytes from a precomputed keyed state; for mint also that MAC plus the token's text) and a
//! peer (`jsonwebtoken` HS256 with equivalent claims). `benches/ratio.rs` times the same operations
//! interleaved, for ratios on a noisy machine.

mod fixture;

use criterion::{Criterion, criterion_group, criterion_main};

use fixture::Fixture;

fn benches(c: &mut Criterion) {
    let fx = Fixture::new();

    let mut g = c.benchmark_group("verify");
    g.bench_function("floor: hmac-sha256 over the same bytes", |b| {
        b.iter(fx.floor())
    });
    g.bench_function("tessera verify", |b| b.iter(fx.verify()));
    g.bench_function("tessera inspect (no MAC)", |b| b.iter(fx.inspect()));
    g.bench_function("jsonwebtoken HS256 decode", |b| b.iter(fx.jwt_decode()));
    g.finish();

    let mut g = c.benchmark_group("mint");
    g.bench_function("floor: hmac-sha256 over the same bytes", |b| {
        b.iter(fx.floor())
    });
    g.bench_function("floor + text: the MAC, one String, base64url", |b| {
        b.iter(fx.floor_with_text())
    });
    g.bench_function("tessera mint", |b| b.iter(fx.mint()));
    g.bench_function("jsonwebtoken HS256 encode", |b| b.iter(fx.jwt_encode()));
    g.finish();
}

criterion_group!(token, benches);
criterion_main!(token);
