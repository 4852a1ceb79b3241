// The web build in headless Chromium (Debian's package): a page served on 127.0.0.1 loads the
// package with explicit init, replays every vector, and reports back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { serve } from "./serve.mjs";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);

const PAGE = `<!doctype html><meta charset="utf-8"><title>tessera-verifier vectors</title>
<script type="module">
  const report = (r) => fetch("/report", { method: "POST", body: JSON.stringify(r) });
  try {
    const { default: init, Verifier, inspect } = await import("/pkg/web/tessera_verifier.js");
    const { runVectors } = await import("/tests/vectors.mjs");
    await init();
    const vectors = await (await fetch("/testdata/vectors.json")).json();
    const result = runVectors(Verifier, vectors);
    result.inspect = inspect(vectors.cases[0].token).wellFormed;
    result.userAgent = navigator.userAgent;
    await report(result);
  } catch (e) {
    await report({ error: String(e && e.stack || e) });
  }
</script>`;

// CI sets TESSERA_REQUIRE_ALL=1, so a missing browser fails there instead of skipping.
const skip = !CHROMIUM && !process.env.TESSERA_REQUIRE_ALL && "chromium is not installed (apt-get install chromium)";

test("every vector gives the core's answer in headless Chromium", { skip }, async () => {
  assert.ok(CHROMIUM, "chromium is not installed (apt-get install chromium)");
  const root = new URL("../../", import.meta.url);
  const site = await serve(
    { "/pkg/": new URL("verifier-wasm/pkg/", root), "/tests/": new URL("verifier-wasm/tests/", root), "/testdata/": new URL("testdata/", root) },
    { "/": PAGE },
  );
  const profile = mkdtempSync(join(tmpdir(), "tessera-chromium-"));
  const browser = spawn(CHROMIUM, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    `--user-data-dir=${profile}`, `${site.url}/`,
  ], { stdio: "ignore", detached: true });
  try {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no report from Chromium in 60 s")), 60_000).unref());
    const result = await Promise.race([site.report, timeout]);
    assert.equal(result.error, undefined, result.error);
    assert.match(result.userAgent, /Chrome/);
    assert.deepEqual(result.failed, []);
    assert.ok(result.passed >= 40, `only ${result.passed} passed`);
    assert.equal(result.inspect, true);
  } finally {
    // Chromium runs helper processes; end the whole process group.
    const exited = new Promise((resolve) => browser.on("exit", resolve));
    process.kill(-browser.pid, "SIGKILL");
    await exited;
    site.close();
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // A helper that outlived the group kill may still be writing; the temp dir is left behind.
    }
  }
});
