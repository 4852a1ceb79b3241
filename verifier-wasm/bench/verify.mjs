// Node benchmark (a script, not a test): verify ops/s, side by side in one run, of
//   1. tessera-verifier (this package, WebAssembly, keys keyed once),
//   2. the `jose` npm package verifying an HS256 JWT with equivalent claims,
//   3. the same Tessera token checked in plain JS with Node's native crypto.createHmac.
// Each runs in alternating rounds; the medians are reported.
//
//   verifier-wasm/build.sh && node verifier-wasm/bench/verify.mjs
import { createHmac, createSecretKey, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { SignJWT, jwtVerify } from "jose";

import { Verifier } from "../pkg/node.mjs";

const vectors = JSON.parse(readFileSync(new URL("../../testdata/vectors.json", import.meta.url), "utf8"));
const typical = vectors.cases.find((c) => c.name === "valid/scopes");
const { token, now } = typical;
const key = typical.keys[0];
const secret = Buffer.from(key.secret, "base64url");
const claims = typical.expect.claims;

// 1. This package.
const verifier = new Verifier([key], { audience: "access", leeway: 5 });
const wasmVerify = () => {
  if (!verifier.verify(token, now).valid) throw new Error("wasm: not valid");
};

// 2. jose, HS256, equivalent claims.
const joseKey = createSecretKey(secret);
const jwt = await new SignJWT({ auth_time: claims.auth_time, generation: claims.generation, scope: claims.scopes })
  .setProtectedHeader({ alg: "HS256", kid: "k1" })
  .setSubject(claims.subject)
  .setAudience(claims.audience)
  .setIssuedAt(claims.issued_at)
  .setExpirationTime(claims.expires_at)
  .sign(joseKey);
const joseOptions = { audience: "access", clockTolerance: 5, currentDate: new Date(now * 1000), algorithms: ["HS256"] };
const joseVerify = async () => {
  const { payload } = await jwtVerify(jwt, joseKey, joseOptions);
  if (payload.sub !== claims.subject) throw new Error("jose: wrong subject");
};

// 3. Plain JS with createHmac: the same token format, re-keying OpenSSL on every call.
const PREFIX = Buffer.from("tsr1.");
const plainVerify = () => {
  const [, payloadText, tagText] = token.split(".");
  const payload = Buffer.from(payloadText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  const expected = createHmac("sha256", secret).update(PREFIX).update(payload).digest();
  if (tag.length !== 32 || !timingSafeEqual(tag, expected)) throw new Error("plain: bad signature");
  let p = 1 + payload[0];
  const audience = payload.toString("latin1", p + 1, p + 1 + payload[p]);
  p += 1 + payload[p];
  const subject = payload.toString("utf8", p + 1, p + 1 + payload[p]);
  p += 1 + payload[p];
  const issuedAt = Number(payload.readBigUInt64BE(p));
  const expiresAt = Number(payload.readBigUInt64BE(p + 8));
  if (audience !== "access" || issuedAt > now + 5 || now >= expiresAt + 5 || subject !== claims.subject) {
    throw new Error("plain: claims");
  }
};

/** Calls per second of `fn` over about `ms` milliseconds; async functions are awaited each call. */
async function measure(fn, ms) {
  const isAsync = fn.constructor.name === "AsyncFunction";
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    if (isAsync) {
      for (let i = 0; i < 1000; i++) await fn();
    } else {
      for (let i = 0; i < 1000; i++) fn();
    }
    n += 1000;
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const subjects = { "tessera-verifier (wasm)": wasmVerify, "jose HS256 JWT": joseVerify, "plain JS createHmac": plainVerify };
const rates = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (const fn of Object.values(subjects)) await measure(fn, 300); // warm up
for (let round = 0; round < 5; round++) {
  for (const [name, fn] of Object.entries(subjects)) rates[name].push(await measure(fn, 1000));
}

console.log(`node ${process.version}; token ${token.length} chars; JWT ${jwt.length} chars; median of 5 rounds of 1 s`);
const base = median(rates["tessera-verifier (wasm)"]);
for (const [name, r] of Object.entries(rates)) {
  const m = median(r);
  console.log(`${name.padEnd(26)} ${Math.round(m).toString().padStart(9)} verifies/s  ${(1e6 / m).toFixed(2).padStart(7)} µs each  wasm is ${(base / m).toFixed(2)}x`);
}
verifier.free();
