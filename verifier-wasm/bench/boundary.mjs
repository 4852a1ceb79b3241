// Node micro-benchmark (a script, not a test): where the time of one `verify` goes, by path.
// A valid token, a forged one (decoded and MAC-checked, then rejected) and the text "x" (rejected
// before any decoding), 300,000 calls each after a warm-up; plus inspect and a bare JSON.parse of
// a valid result, for scale.
//
//   verifier-wasm/build.sh && node verifier-wasm/bench/boundary.mjs
import { readFileSync } from "node:fs";

import { Verifier, inspect } from "../pkg/node.mjs";

const vectors = JSON.parse(readFileSync(new URL("../../testdata/vectors.json", import.meta.url), "utf8"));
const typical = vectors.cases.find((c) => c.name === "valid/scopes");
const { token, now } = typical;
const verifier = new Verifier([typical.keys[0]], { audience: "access", leeway: 5 });
const forged = token.slice(0, -2) + (token.endsWith("AA") ? "BA" : "AA");
const resultJson = JSON.stringify(verifier.verify(token, now));

function measure(name, f) {
  for (let i = 0; i < 50_000; i++) f();
  const n = 300_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  const ns = Number(process.hrtime.bigint() - start) / n;
  console.log(`${name.padEnd(34)} ${(ns / 1000).toFixed(2).padStart(6)} µs`);
}

console.log(`node ${process.version}; token ${token.length} chars`);
measure("verify, valid token", () => verifier.verify(token, now));
measure("verify, forged token", () => verifier.verify(forged, now));
measure('verify, "x"', () => verifier.verify("x", now));
measure("inspect, valid token", () => inspect(token));
measure("JSON.parse of a valid result", () => JSON.parse(resultJson));
verifier.free();
