// Helpers for running the package under other runtimes' binaries from npm (workerd, Deno).
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = new URL("../../", import.meta.url);
export const bin = (name) => fileURLToPath(new URL(`node_modules/.bin/${name}`, ROOT));

/** A port that was free a moment ago on 127.0.0.1 (for tools that cannot report the port they bind). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Fetches `url` until it answers (at most `ms` milliseconds), for a server that is starting up. */
export async function fetchWhenUp(url, init, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fetch(url, init);
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${url} did not come up: ${e.cause?.code ?? e}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Starts workerd on a generated config; returns { url, stop, log }. */
export async function startWorkerd(spawn, configText, dir) {
  const { writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const port = await freePort();
  const config = join(dir, "config.capnp");
  writeFileSync(config, configText.replace("PORT", String(port)));
  const child = spawn(bin("workerd"), ["serve", config, "--experimental"], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
