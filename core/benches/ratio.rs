//! Ratios for a shared, noisy machine: the floors, tessera and `jsonwebtoken` timed in interleaved
//! rounds, so every ratio compares samples taken within milliseconds of each other. Prints the
//! median of the per-round ratios with their quartiles.
//!
//! `cargo bench -p tessera-core --bench ratio`

mod fixture;

use std::time::{Duration, Instant};

use fixture::Fixture;

/// Rounds of samples; odd, so the median is one of them.
const ROUNDS: usize = 301;

/// About how long one sample of one operation runs.
const SAMPLE: Duration = Duration::from_micros(500);

/// Nanoseconds per call of `op`, over `iters` calls.
fn sample(op: &impl Fn(), iters: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(iters)
}

/// How many calls of `op` fill one sample, after warming it up.
fn calibrate(op: &impl Fn()) -> u32 {
    let warm_up = Instant::now();
    let mut calls = 0u32;
    while warm_up.elapsed() < Duration::from_millis(200) {
        op();
        calls += 1;
    }
    let per_call = warm_up.elapsed() / calls;
    (SAMPLE.as_nanos() / per_call.as_nanos().max(1))
        .clamp(1, u128::from(u32::MAX))
        .try_into()
        .unwrap_or(1)
}

/// The median and quartiles of `values`.
fn quartiles(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

fn main() {
    let fx = Fixture::new();
    let (floor, verify, inspect) = (fx.floor(), fx.verify(), fx.inspect());
    let (floor_with_text, mint) = (fx.floor_with_text(), fx.mint());
    let (jwt_decode, jwt_encode) = (fx.jwt_decode(), fx.jwt_encode());
    let iters = [
        calibrate(&floor),
        calibrate(&verify),
        calibrate(&inspect),
        calibrate(&floor_with_text),
        calibrate(&mint),
        calibrate(&jwt_decode),
        calibrate(&jwt_encode),
    ];
    let names = [
        "floor",
        "verify",
        "inspect",
        "floor + text",
        "mint",
        "jwt decode",
        "jwt encode",
    ];

    let mut ns: [Vec<f64>; 7] = Default::default();
    for round in 0..ROUNDS {
        // Each round starts with a different operation, so none always follows the same one.
        for i in (0..7).map(|i| (i + round) % 7) {
            let t = match i {
                0 => sample(&floor, iters[i]),
                1 => sample(&verify, iters[i]),
                2 => sample(&inspect, iters[i]),
                3 => sample(&floor_with_text, iters[i]),
                4 => sample(&mint, iters[i]),
                5 => sample(&jwt_decode, iters[i]),
                _ => sample(&jwt_encode, iters[i]),
            };
            ns[i].push(t);
        }
    }

    println!("{ROUNDS} interleaved rounds");
    println!("median ns per call (p25 - p75):");
    for (name, samples) in names.iter().zip(&ns) {
        let (p25, p50, p75) = quartiles(samples);
        println!("  {name:<13} {p50:>8.1}   ({p25:.1} - {p75:.1})");
    }
    let ratio =
        |a: usize, b: usize| -> Vec<f64> { ns[a].iter().zip(&ns[b]).map(|(x, y)| x / y).collect() };
    println!("median of per-round ratios (p25 - p75):");
    for (label, values) in [
        ("verify / floor", ratio(1, 0)),
        ("mint / floor", ratio(4, 0)),
        ("(floor + text) / floor", ratio(3, 0)),
        ("mint / (floor + text)", ratio(4, 3)),
        ("jsonwebtoken decode / verify", ratio(5, 1)),
        ("jsonwebtoken encode / mint", ratio(6, 4)),
        ("jsonwebtoken encode / (floor + text)", ratio(6, 3)),
    ] {
        let (p25, p50, p75) = quartiles(&values);
        println!("  {label:<37} {p50:>5.2}x  ({p25:.2} - {p75:.2})");
    }
}
