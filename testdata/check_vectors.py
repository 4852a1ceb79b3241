#!/usr/bin/env python3
"""An independent Tessera v1 verifier, written from docs/token-format.md alone (standard library
only), replaying testdata/vectors.json. It proves the spec is enough to implement the format, and
that the Rust library and the spec agree. Exit status 0 when every case matches."""

import base64
import hashlib
import hmac
import json
import re
import sys
from pathlib import Path

PREFIX = b"tsr1."
MAX_TOKEN_LEN = 1057
U64_MAX = 2**64 - 1
ALPHABET = re.compile(rb"^[A-Za-z0-9_-]*$")
NAME = re.compile(rb"^[A-Za-z0-9._:/-]+$")


class Reject(Exception):
    def __init__(self, error, reason=None, **extra):
        super().__init__(error)
        self.result = {"valid": False, "error": error, **({"reason": reason} if reason else {}), **extra}


def b64decode_canonical(text: bytes) -> bytes:
    if not ALPHABET.match(text) or len(text) % 4 == 1:
        raise Reject("malformed", "base64")
    data = base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(data).rstrip(b"=") != text:
        raise Reject("malformed", "base64")  # unused trailing bits were set
    return data


def is_name(b: bytes, limit: int) -> bool:
    return 1 <= len(b) <= limit and NAME.match(b) is not None


def parse_claims(p: bytes) -> dict:
    pos = 0

    def take(n):
        nonlocal pos
        if pos + n > len(p):
            raise Reject("malformed", "claims")
        out = p[pos : pos + n]
        pos += n
        return out

    def field():
        return take(take(1)[0])

    key_id, audience, subject = field(), field(), field()
    iat, exp, auth, gen = (int.from_bytes(take(8), "big") for _ in range(4))
    count = take(1)[0]
    if count > 16:
        raise Reject("malformed", "claims")
    scopes = [field() for _ in range(count)]
    try:
        subject_text = subject.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("malformed", "claims")
    ok = (
        pos == len(p)
        and is_name(key_id, 32)
        and is_name(audience, 32)
        and 1 <= len(subject) <= 128
        and all(is_name(s, 32) for s in scopes)
        and iat < exp
        and auth <= iat
    )
    if not ok:
        raise Reject("malformed", "claims")
    return {
        "subject": subject_text,
        "audience": audience.decode(),
        "issued_at": iat,
        "expires_at": exp,
        "auth_time": auth,
        "generation": gen,
        "scopes": [s.decode() for s in scopes],
    }


def verify(token: str, keys: dict, audience: str, now: int, leeway: int) -> dict:
    text = token.encode("utf-8", "surrogatepass")
    if len(text) > MAX_TOKEN_LEN:
        raise Reject("malformed", "too_long")
    if not text.startswith(PREFIX):
        if re.match(rb"^tsr[0-9]+\.", text):
            raise Reject("unsupported_version")
        raise Reject("malformed", "prefix")
    rest = text[len(PREFIX) :]
    if rest.count(b".") != 1:
        raise Reject("malformed", "parts")
    payload_text, tag_text = rest.split(b".")
    if len(tag_text) != 43:
        raise Reject("malformed", "tag_length")
    tag = b64decode_canonical(tag_text)
    if len(payload_text) > 1008:
        raise Reject("malformed", "payload")
    payload = b64decode_canonical(payload_text)
    if len(payload) < 39:
        raise Reject("malformed", "payload")
    kid_len = payload[0]
    if kid_len >= len(payload) or not is_name(payload[1 : 1 + kid_len], 32):
        raise Reject("malformed", "payload")
    key = keys.get(payload[1 : 1 + kid_len].decode())
    if key is None:
        raise Reject("unknown_key")
    expected = hmac.new(key, PREFIX + payload, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, tag):
        raise Reject("bad_signature")
    claims = parse_claims(payload)
    if claims["audience"] != audience:
        raise Reject("wrong_audience")
    if claims["issued_at"] > min(now + leeway, U64_MAX):
        raise Reject("not_yet_valid", valid_from=claims["issued_at"])
    if now >= min(claims["expires_at"] + leeway, U64_MAX):
        raise Reject("expired", expired_at=claims["expires_at"])
    return {"valid": True, "key_id": payload[1 : 1 + kid_len].decode(), "claims": claims}


def main() -> int:
    path = Path(__file__).with_name("vectors.json")
    cases = json.loads(path.read_text())["cases"]
    failed = 0
    for case in cases:
        keys = {k["id"]: b64decode_canonical(k["secret"].encode()) for k in case["keys"]}
        try:
            got = verify(case["token"], keys, case["audience"], case["now"], case["leeway"])
        except Reject as r:
            got = r.result
        if got != case["expect"]:
            failed += 1
            print(f"FAIL {case['name']}: expected {case['expect']}, got {got}")
    print(f"check_vectors.py: {len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
