// The web build in Deno (npm package `deno`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { ROOT, bin } from "./runtime.mjs";

test("every vector gives the core's answer in Deno", () => {
  const denoDir = mkdtempSync(join(tmpdir(), "tessera-deno-"));
  try {
    const out = execFileSync(
      bin("deno"),
      ["run", `--allow-read=${fileURLToPath(ROOT)}`, "--no-remote", "--no-config", fileURLToPath(new URL("deno-runner.mjs", import.meta.url))],
      { encoding: "utf8", env: { ...process.env, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } },
    );
    const result = JSON.parse(out);
    assert.match(result.runtime, /^Deno 2/);
    assert.deepEqual(result.failed, []);
    assert.ok(result.passed >= 40, `only ${result.passed} passed`);
    assert.equal(result.inspect, true);
  } finally {
    rmSync(denoDir, { recursive: true, force: true });
  }
});
