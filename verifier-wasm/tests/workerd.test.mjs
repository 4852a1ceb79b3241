// The web build inside Cloudflare's runtime, workerd (npm package `workerd`): a worker imports the
// .wasm as a module, as Cloudflare Workers do, replays every vector, and answers with the results.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { ROOT, fetchWhenUp, startWorkerd } from "./runtime.mjs";

const WORKER = `
import { initSync, Verifier, inspect } from "./tessera_verifier.js";
import wasm from "./tessera_verifier_bg.wasm";
import vectors from "./vectors.json";
import { runVectors } from "./vectors.mjs";

initSync({ module: wasm });

export default {
  fetch() {
    const result = runVectors(Verifier, vectors);
    result.inspect = inspect(vectors.cases[0].token).wellFormed;
    result.runtime = navigator.userAgent;
    return Response.json(result);
  },
};
`;

const CONFIG = `
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:PORT", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "tessera_verifier.js", esModule = embed "tessera_verifier.js"),
    (name = "tessera_verifier_bg.wasm", wasm = embed "tessera_verifier_bg.wasm"),
    (name = "vectors.mjs", esModule = embed "vectors.mjs"),
    (name = "vectors.json", json = embed "vectors.json"),
  ],
  compatibilityDate = "2025-01-01",
);
`;

test("every vector gives the core's answer in workerd", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-workerd-"));
  const file = (rel) => fileURLToPath(new URL(rel, ROOT));
  copyFileSync(file("verifier-wasm/pkg/web/tessera_verifier.js"), join(dir, "tessera_verifier.js"));
  copyFileSync(file("verifier-wasm/pkg/web/tessera_verifier_bg.wasm"), join(dir, "tessera_verifier_bg.wasm"));
  copyFileSync(file("verifier-wasm/tests/vectors.mjs"), join(dir, "vectors.mjs"));
  copyFileSync(file("testdata/vectors.json"), join(dir, "vectors.json"));
  writeFileSync(join(dir, "worker.mjs"), WORKER);
  const workerd = await startWorkerd(spawn, CONFIG, dir);
  try {
    const response = await fetchWhenUp(`${workerd.url}/`).catch((e) => {
      throw new Error(`${e.message}\n${workerd.log()}`);
    });
    const result = await response.json();
    assert.match(result.runtime, /Cloudflare-Workers/);
    assert.deepEqual(result.failed, []);
    assert.ok(result.passed >= 40, `only ${result.passed} passed`);
    assert.equal(result.inspect, true);
  } finally {
    await workerd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
