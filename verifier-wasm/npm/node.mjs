// Node ESM entry: loads the WebAssembly module synchronously from the package, so importing is enough.
import { readFileSync } from "node:fs";
import { initSync } from "./web/tessera_verifier.js";

initSync({ module: readFileSync(new URL("./web/tessera_verifier_bg.wasm", import.meta.url)) });

export { Verifier, inspect } from "./web/tessera_verifier.js";
