// A Cloudflare Worker (or any workerd) that checks Tessera tokens at the edge, offline, and only
// forwards requests with a valid token to the origin. Bad tokens never reach the origin.
//
// Environment:
//   TESSERA_KEYS  the output of `tessera key export` (JSON text; a secret binding in production)
//   PROTECTED     comma-separated path prefixes that need a token (default "/api/resource")
//   ORIGIN        optional service binding to the origin; without it, requests go to fetch()
import { initSync, Verifier } from "tessera-verifier";
import wasm from "tessera-verifier/tessera_verifier_bg.wasm";

initSync({ module: wasm });

/** The header carrying the verified user id to the origin; never trusted from the client. */
const SUBJECT_HEADER = "X-Tessera-Subject";

let verifier;
let verifierKeys;

function getVerifier(env) {
  // Built once per isolate (keys are parsed and keyed once); rebuilt if the keys change.
  if (verifierKeys !== env.TESSERA_KEYS) {
    verifier?.free();
    verifier = new Verifier(JSON.parse(env.TESSERA_KEYS), { audience: "access", leeway: 5 });
    verifierKeys = env.TESSERA_KEYS;
  }
  return verifier;
}

function bearerToken(request) {
  const header = request.headers.get("Authorization") ?? "";
  const [scheme, value] = header.trim().split(/\s+/, 2);
  return scheme?.toLowerCase() === "bearer" && value ? value : null;
}

function unauthorized(error, message) {
  const challenge = error === "missing_credentials"
    ? 'Bearer realm="tessera"'
    : `Bearer realm="tessera", error="invalid_token", error_description="${message.replaceAll('"', "'")}"`;
  return Response.json({ error, message }, { status: 401, headers: { "WWW-Authenticate": challenge } });
}

export default {
  async fetch(request, env) {
    const protectedPrefixes = (env.PROTECTED ?? "/api/resource").split(",").map((p) => p.trim()).filter(Boolean);
    const path = new URL(request.url).pathname;
    const headers = new Headers(request.headers);
    headers.delete(SUBJECT_HEADER);

    if (protectedPrefixes.some((prefix) => path.startsWith(prefix))) {
      const token = bearerToken(request);
      if (!token) {
        return unauthorized("missing_credentials", "a Bearer token is required");
      }
      const result = getVerifier(env).verify(token);
      if (!result.valid) {
        return unauthorized(result.reason, result.reason === "expired" ? "token expired" : result.detail);
      }
      headers.set(SUBJECT_HEADER, result.subject);
    }

    const upstream = new Request(request, { headers });
    return env.ORIGIN ? env.ORIGIN.fetch(upstream) : fetch(upstream);
  },
};
