// Part of build.sh: puts the binding's inline JS (`#[wasm_bindgen(inline_js)]`, which
// wasm-bindgen writes to snippets/<crate>-<hash>/inline<N>.js) back into the generated glue, so each
// target stays one .js file next to one .wasm: nothing extra to list in a workerd config or to
// copy by hand, and the CommonJS build needs no ES module.
//
//   node verifier-wasm/inline-snippets.mjs <target dir>...
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const esm = /^import \{ ([\w, ]+) \} from '\.\/(snippets\/[^']+)';$/m;
const cjs = /^const \{ ([\w, ]+) \} = require\(String\.raw`\.\/(snippets\/[^`]+)`\);$/m;

for (const dir of process.argv.slice(2)) {
  const gluePath = join(dir, "tessera_verifier.js");
  let glue = readFileSync(gluePath, "utf8");
  for (;;) {
    const found = glue.match(esm) ?? glue.match(cjs);
    if (!found) break;
    const [line, names, snippetPath] = found;
    // Our snippets declare only top-level `export function`s; dropping `export` makes them
    // plain functions of the glue's own scope.
    const body = readFileSync(join(dir, snippetPath), "utf8").replace(/^export function /gm, "function ");
    if (/^\s*(export|import)\b/m.test(body)) {
      throw new Error(`${snippetPath}: only top-level \`export function\`s can be inlined`);
    }
    for (const name of names.split(",").map((n) => n.trim())) {
      if (!new RegExp(`^function ${name}\\(`, "m").test(body)) {
        throw new Error(`${snippetPath} does not define ${name}`);
      }
    }
    glue = glue.replace(line, body.trim());
  }
  if (/snippets\//.test(glue)) throw new Error(`${gluePath}: a snippet import was not inlined`);
  writeFileSync(gluePath, glue);
  if (existsSync(join(dir, "snippets"))) rmSync(join(dir, "snippets"), { recursive: true });
}
