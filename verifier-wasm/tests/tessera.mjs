// Starts the real `tessera` binary (built by ./test.sh) on 127.0.0.1 with a fresh data directory.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const TESSERA = fileURLToPath(new URL("../../target/debug/tessera", import.meta.url));

/** Starts a server on `existingDataDir`, or on a fresh one. */
export async function startTessera(extraArgs = [], existingDataDir = undefined) {
  const dir = existingDataDir ? undefined : mkdtempSync(join(tmpdir(), "tessera-js-"));
  const dataDir = existingDataDir ?? join(dir, "data");
  const child = spawn(TESSERA, ["serve", "--bind", "127.0.0.1:0", "--data-dir", dataDir, ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/[0-9.:]+/);
      if (m) resolve(m[0]);
    });
    child.on("exit", (code) => reject(new Error(`tessera exited ${code}: ${stderr}`)));
  });
  return {
    url,
    dataDir,
    async register(username, password) {
      const r = await fetch(`${url}/api/users`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
      if (r.status !== 201) throw new Error(`register: ${r.status} ${await r.text()}`);
      return r.json();
    },
    async login(username, password) {
      await this.register(username, password);
      const r = await fetch(`${url}/api/token`, {
        headers: { Authorization: "Basic " + Buffer.from(`${username}:${password}`).toString("base64") },
      });
      if (r.status !== 200) throw new Error(`login: ${r.status} ${await r.text()}`);
      return (await r.json()).token;
    },
    exportKeys() {
      return JSON.parse(execFileSync(TESSERA, ["key", "export", "--data-dir", dataDir], { encoding: "utf8" }));
    },
    log: () => stderr,
    /** SIGTERM; the data directory is removed unless `keepData` (or it was not ours). */
    async stop({ keepData = false } = {}) {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      if (dir && !keepData) rmSync(dir, { recursive: true, force: true });
    },
  };
}
