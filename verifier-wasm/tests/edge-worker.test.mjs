// examples/edge-worker in workerd, in front of the real tessera server: bad tokens are answered
// at the edge and never reach the origin; good ones get the origin's answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { ROOT, fetchWhenUp, startWorkerd } from "./runtime.mjs";
import { TESSERA, startTessera } from "./tessera.mjs";

const capnpString = (s) => JSON.stringify(s); // JSON string escapes are valid Cap'n Proto text

function config(originPort, keys) {
  return `
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "edge", worker = .edge),
    (name = "origin", external = (address = "127.0.0.1:${originPort}", http = ())),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:PORT", http = (), service = "edge") ],
);
const edge :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "tessera-verifier", esModule = embed "tessera_verifier.js"),
    (name = "tessera-verifier/tessera_verifier_bg.wasm", wasm = embed "tessera_verifier_bg.wasm"),
  ],
  bindings = [
    (name = "TESSERA_KEYS", text = ${capnpString(JSON.stringify(keys))}),
    (name = "PROTECTED", text = "/api/resource"),
    (name = "ORIGIN", service = "origin"),
  ],
  compatibilityDate = "2025-01-01",
);
`;
}

const originHits = (server) => server.log().split("\n").filter((l) => l.startsWith("GET /api/resource")).length;

test("the edge worker answers bad tokens itself and forwards good ones to the real server", async () => {
  // An expired token needs the admin CLI, which needs the server stopped: prepare the data first.
  const first = await startTessera();
  const token = await first.login("edge-user", "password-1");
  const dataDir = first.dataDir;
  await first.stop({ keepData: true });
  const expired = execFileSync(TESSERA, ["token", "mint", "--data-dir", dataDir, "--user", "1", "--now", "1700000000"], { encoding: "utf8" }).trim();

  const origin = await startTessera([], dataDir);
  const dir = mkdtempSync(join(tmpdir(), "tessera-edge-"));
  const file = (rel) => fileURLToPath(new URL(rel, ROOT));
  copyFileSync(file("examples/edge-worker/worker.mjs"), join(dir, "worker.mjs"));
  copyFileSync(file("verifier-wasm/pkg/web/tessera_verifier.js"), join(dir, "tessera_verifier.js"));
  copyFileSync(file("verifier-wasm/pkg/web/tessera_verifier_bg.wasm"), join(dir, "tessera_verifier_bg.wasm"));
  const originPort = new URL(origin.url).port;
  const edge = await startWorkerd(spawn, config(originPort, origin.exportKeys()), dir);
  try {
    const get = (headers) => fetchWhenUp(`${edge.url}/api/resource`, { headers }).catch((e) => {
      throw new Error(`${e.message}\n${edge.log()}`);
    });
    const forged = token.slice(0, -3) + (token.endsWith("AAA") ? "BAA" : "AAA");
    const cases = [
      [{}, "missing_credentials"],
      [{ Authorization: `Bearer ${forged}` }, "bad_signature"],
      [{ Authorization: `Bearer ${expired}` }, "expired"],
      [{ Authorization: "Bearer not-a-token" }, "malformed"],
    ];
    for (const [headers, error] of cases) {
      const r = await get(headers);
      assert.equal(r.status, 401, error);
      assert.equal((await r.json()).error, error);
      assert.match(r.headers.get("WWW-Authenticate"), /^Bearer realm="tessera"/);
    }
    assert.equal(originHits(origin), 0, "no bad token reached the origin:\n" + origin.log());

    const good = await get({ Authorization: `Bearer ${token}` });
    assert.equal(good.status, 200, edge.log());
    assert.deepEqual(await good.json(), { data: "Hello, edge-user!" });
    assert.equal(originHits(origin), 1);

    // Unprotected paths pass through untouched, such as a password login at the origin.
    const login = await fetch(`${edge.url}/api/token`, {
      headers: { Authorization: "Basic " + Buffer.from("edge-user:password-1").toString("base64") },
    });
    assert.equal(login.status, 200);
  } finally {
    await edge.stop();
    await origin.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dirname(dataDir), { recursive: true, force: true });
  }
});
