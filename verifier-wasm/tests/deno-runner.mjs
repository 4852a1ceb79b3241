// Run by deno.test.mjs under Deno: loads the web build with explicit init, replays every vector,
// prints the results as JSON.
import init, { Verifier, inspect } from "../pkg/web/tessera_verifier.js";
import vectors from "../../testdata/vectors.json" with { type: "json" };
import { runVectors } from "./vectors.mjs";

await init();
const result = runVectors(Verifier, vectors);
result.inspect = inspect(vectors.cases[0].token).wellFormed;
result.runtime = `Deno ${Deno.version.deno}`;
console.log(JSON.stringify(result));
