#!/usr/bin/env bash
# Builds the npm package `tessera-verifier` into verifier-wasm/pkg/, with nothing downloaded:
# the crate is compiled for wasm32-unknown-unknown (release-wasm profile), the wasm-bindgen
# generator runs from crates.io source (tessera-bindgen, pinned to the same wasm-bindgen version),
# and Debian's wasm-opt (package binaryen) shrinks the result when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=verifier-wasm/pkg
wasm=target/wasm32-unknown-unknown/release-wasm/tessera_verifier.wasm

# The compact SHA-256 is a quarter of the size of the unrolled one, at some cost in speed.
RUSTFLAGS="${RUSTFLAGS:-} --cfg sha2_backend_soft=\"compact\" " \
    cargo build --locked -q -p tessera-verifier --target wasm32-unknown-unknown --profile release-wasm
cargo build --locked -q --release -p tessera-bindgen

# wasm-opt runs before the bindings are generated: binaryen 108 (Debian 12) mistypes the externref
# table that wasm-bindgen adds, while it handles the compiler's output correctly.
if command -v wasm-opt >/dev/null; then
    wasm-opt -Oz --strip-debug --strip-producers \
        --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
        --enable-reference-types --enable-multivalue \
        "$wasm" -o target/tessera_verifier.opt.wasm
    wasm=target/tessera_verifier.opt.wasm
else
    echo "build.sh: wasm-opt not found (apt-get install binaryen); the .wasm is not size-optimised" >&2
fi

rm -rf "$out"
mkdir -p "$out"
target/release/tessera-bindgen "$wasm" "$out"

cp verifier-wasm/npm/package.json verifier-wasm/npm/node.mjs verifier-wasm/npm/node.d.mts "$out"/
cp verifier-wasm/README.md "$out"/README.md
# The CommonJS build lives under a "type": "module" package.
echo '{ "type": "commonjs" }' > "$out"/node/package.json

size=$(wc -c < "$out"/web/tessera_verifier_bg.wasm)
gz=$(gzip -9 -c "$out"/web/tessera_verifier_bg.wasm | wc -c)
echo "built $out: tessera_verifier_bg.wasm is $size bytes ($gz gzipped)"
