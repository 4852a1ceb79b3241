// A tiny static server on 127.0.0.1 for browser tests, with a POST /report endpoint the page
// sends its results to.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm", ".html": "text/html" };

/** Serves `routes` (URL path prefix -> directory URL) plus `pages` (path -> HTML); resolves reports. */
export async function serve(routes, pages) {
  let resolveReport;
  const report = new Promise((resolve) => (resolveReport = resolve));
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (req.method === "POST" && path === "/report") {
      let body = "";
      for await (const chunk of req) body += chunk;
      res.end("ok");
      resolveReport(JSON.parse(body));
      return;
    }
    if (pages[path]) {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end(pages[path]);
      return;
    }
    for (const [prefix, dir] of Object.entries(routes)) {
      if (path.startsWith(prefix) && !path.includes("..")) {
        try {
          const file = fileURLToPath(new URL(path.slice(prefix.length), dir));
          const data = await readFile(file);
          res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
          res.end(data);
          return;
        } catch {
          break;
        }
      }
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, report, close: () => server.close() };
}
