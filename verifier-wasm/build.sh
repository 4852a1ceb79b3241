#!/usr/bin/env bash
# Builds the npm package `tessera-verifier` into verifier-wasm/pkg/, with nothing fetched from
# outside the package registries: the crate is compiled for wasm32-unknown-unknown (release-wasm
# profile), the wasm-bindgen generator runs from crates.io source (tessera-bindgen, pinned to the
# same wasm-bindgen version), and wasm-opt from the npm package `binaryen` (pinned in
# package-lock.json; installed with `npm ci` when missing) shrinks the result. Debian's binaryen
# 108 is not used: it cannot run after wasm-bindgen (it mistypes the externref table) and leaves
# the module 9 KB bigger.
set -euo pipefail
cd "$(dirname "$0")/.."

out=verifier-wasm/pkg
wasm=target/wasm32-unknown-unknown/release-wasm/tessera_verifier.wasm
wasm_opt=node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
    echo "build.sh: installing the pinned JS tools (npm ci) for wasm-opt" >&2
    npm ci --no-audit --no-fund
fi

# The compact SHA-256 is a quarter of the size of the unrolled one, at some cost in speed.
flags='--cfg sha2_backend_soft="compact"'
# WebAssembly SIMD (every engine since 2023: Chrome and Node 16.4+, Firefox 89+, Safari 16.4+,
# Deno, workerd): the compiler may use 128-bit vectors, and a verify takes about a sixth less time
# (measured: the gain is in the MAC; `inspect`, which computes none, is unchanged).
flags+=' -C target-feature=+simd128'
# Panic locations name source files: show crates.io sources as crates/<name>-<version>/..., not
# as paths on the machine that built the package.
for registry in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
    flags+=" --remap-path-prefix=${registry%/}=crates"
done
RUSTFLAGS="${RUSTFLAGS:-} $flags" \
    cargo build --locked -q -p tessera-verifier --target wasm32-unknown-unknown --profile release-wasm
cargo build --locked -q --release -p tessera-bindgen

rm -rf "$out"
mkdir -p "$out"
target/release/tessera-bindgen "$wasm" "$out"
node verifier-wasm/inline-snippets.mjs "$out"/web "$out"/node

# After the bindings are generated, so that what only the generator needed goes too.
for module in "$out"/web/tessera_verifier_bg.wasm "$out"/node/tessera_verifier_bg.wasm; do
    "$wasm_opt" -Oz --strip-debug --strip-producers --enable-reference-types --enable-bulk-memory \
        --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
        --enable-multivalue --enable-simd "$module" -o "$module"
done

cp verifier-wasm/npm/package.json verifier-wasm/npm/node.mjs verifier-wasm/npm/node.d.mts "$out"/
cp verifier-wasm/README.md "$out"/README.md
# The CommonJS build lives under a "type": "module" package.
echo '{ "type": "commonjs" }' > "$out"/node/package.json

size=$(wc -c < "$out"/web/tessera_verifier_bg.wasm)
gz=$(gzip -9 -c "$out"/web/tessera_verifier_bg.wasm | wc -c)
echo "built $out: tessera_verifier_bg.wasm is $size bytes ($gz gzipped)"
