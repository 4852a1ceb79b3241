// Replays testdata/vectors.json through a tessera-verifier build. Plain ESM with no runtime APIs,
// so Node, Chromium, workerd and Deno all run exactly this code.

/** What `verifier.verify` must return for a vector's `expect`. */
export function expected(expect) {
  if (expect.valid) {
    const c = expect.claims;
    return {
      valid: true,
      keyId: expect.key_id,
      subject: c.subject,
      audience: c.audience,
      issuedAt: c.issued_at,
      expiresAt: c.expires_at,
      authTime: c.auth_time,
      generation: c.generation,
      scopes: c.scopes,
    };
  }
  const out = { valid: false, reason: expect.error };
  if (expect.reason !== undefined) out.formatError = expect.reason;
  if (expect.expired_at !== undefined) out.expiredAt = expect.expired_at;
  if (expect.valid_from !== undefined) out.validFrom = expect.valid_from;
  return out;
}

/** The result without the human-readable `detail`, with keys in a stable order. */
export function comparable(result) {
  const { detail, ...rest } = result;
  return JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]));
}

/**
 * Cases whose inputs (now, leeway) are past 2^53 cannot be expressed as JS numbers: they exist to
 * test u64 overflow in the core, and a JS caller can never pass them.
 */
export function representable(c) {
  return c.now <= Number.MAX_SAFE_INTEGER && c.leeway <= Number.MAX_SAFE_INTEGER;
}

/**
 * Runs every representable case; returns { passed, skipped: [names], failed: [{ name, expected, got }] }.
 * `Verifier` is the class from whichever build is under test.
 */
export function runVectors(Verifier, vectors) {
  const failed = [];
  const skipped = [];
  let passed = 0;
  for (const c of vectors.cases) {
    if (!representable(c)) {
      skipped.push(c.name);
      continue;
    }
    const verifier = new Verifier(c.keys, { audience: c.audience, leeway: c.leeway });
    try {
      const got = verifier.verify(c.token, c.now);
      const want = expected(c.expect);
      const explained = got.valid || (typeof got.detail === "string" && got.detail.length > 0);
      if (explained && comparable(got) === comparable(want)) {
        passed += 1;
      } else {
        failed.push({ name: c.name, expected: want, got });
      }
    } finally {
      verifier.free();
    }
  }
  return { passed, skipped, failed };
}
