#!/usr/bin/env bash
# Runs every check and every test Tessera has. CI (.ci/run) installs the tools, then runs this.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n==> %s\n' "$*"; }

step "format"
cargo fmt --all --check
step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "unit, integration, property and doc tests"
cargo test --workspace --locked
step "dependencies: permissive licences, crates.io only, no wildcard versions (cargo-deny)"
if command -v cargo-deny >/dev/null; then
    cargo deny --locked check bans licenses sources
elif [ -n "${TESSERA_REQUIRE_ALL:-}" ]; then
    echo "cargo-deny is missing: cargo install cargo-deny --locked" >&2
    exit 1
else
    echo "skipped: cargo-deny is not installed (cargo install cargo-deny --locked)"
fi
step "tessera-core builds without std, and for wasm32 (no_std proof)"
cargo build -p tessera-core --no-default-features --locked
cargo build -p tessera-core --no-default-features --target wasm32-unknown-unknown --locked
if cargo tree -p tessera-core --no-default-features -e normal,features --locked | grep -q '"std"'; then
    echo "a dependency of tessera-core enables std without the std feature" >&2
    exit 1
fi
step "the npm package tessera-verifier (WebAssembly), and its tests in Node, Chromium, workerd and Deno"
# (Re)install the pinned JS tools when node_modules is missing or older than package-lock.json.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
cargo build -p tessera-server --locked   # the JS tests talk to the real server too
verifier-wasm/build.sh
node --test verifier-wasm/tests/

step "docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
step "test vectors: no drift from the generator, and an independent verifier agrees"
cargo run -q -p tessera-core --example make_vectors --locked | diff -u testdata/vectors.json - \
    || { echo "testdata/vectors.json is stale: regenerate it (see docs/token-format.md)" >&2; exit 1; }
python3 testdata/check_vectors.py
