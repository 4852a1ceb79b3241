//! JS bindings for tessera-core: check Tessera tokens offline in Node, browsers and edge workers.
//! Every export only converts between JS values and core types and calls core; the token format,
//! the checks and their order all live in `tessera-core`.
//!
//! Size matters here (the `.wasm` ships to browsers and edge workers), so on wasm the crate is
//! `no_std` (with `alloc` and the small talc allocator) and it formats nothing with `core::fmt`:
//! messages are core's `message()` sentences, numbers go through `itoa`. A panic (a bug: nothing a
//! caller passes may cause one) traps.

#![cfg_attr(target_family = "wasm", no_std)]

extern crate alloc;

use alloc::borrow::ToOwned as _;
use alloc::string::String;

use base64_simd::URL_SAFE_NO_PAD;

use js_sys::{Array, JsString, Reflect, Uint8Array};
use tessera_core::{
    FormatError, Key, Keyring, MAX_TOKEN_LEN, TokenClaims, UnixTime, VerifyError, VerifyOptions,
};
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;

/// The allocator: talc is a fraction of the size of the default (dlmalloc) in the `.wasm`.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// A panic traps: the `RuntimeError` JS sees is the whole report, and no formatting code ships.
#[cfg(target_family = "wasm")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A verifying key, exactly as `tessera key export` prints it. */
export interface VerifierKey {
  /** The key id tokens carry. */
  id: string;
  /** 32 to 64 secret bytes, raw or as unpadded base64url. */
  secret: Uint8Array | string;
}

/** Options of a Verifier. */
export interface VerifierOptions {
  /** The audience tokens must have been minted for. Default "access". */
  audience?: string;
  /** Seconds of clock skew forgiven. Default 5. */
  leeway?: number;
}

/** The claims of a token. Times are Unix seconds. */
export interface TokenClaims {
  keyId: string;
  subject: string;
  audience: string;
  issuedAt: number;
  expiresAt: number;
  authTime: number;
  generation: number;
  scopes: string[];
}

/** Why a token was rejected; the codes are the token format's, shared with the server. */
export type RejectionReason =
  | "malformed" | "unsupported_version" | "unknown_key" | "bad_signature"
  | "wrong_audience" | "not_yet_valid" | "expired";

export type VerifyResult =
  | ({ valid: true } & TokenClaims)
  | {
      valid: false;
      reason: RejectionReason;
      /** A sentence for people. */
      detail: string;
      /** For "malformed": which rule ("prefix", "base64", "too_long", ...). */
      formatError?: string;
      /** For "expired": the token's expiry (Unix seconds). */
      expiredAt?: number;
      /** For "not_yet_valid": when it becomes valid (Unix seconds). */
      validFrom?: number;
    };

/** `inspect` results: claims NOT verified, or why the text is not a token. */
export type InspectResult =
  | ({ wellFormed: true; verified: false } & TokenClaims)
  | { wellFormed: false; reason: RejectionReason; detail: string; formatError?: string };
"#;

/// Verifies tokens with a fixed set of keys, an expected audience and a leeway.
/// Keys are parsed and keyed once, so each `verify` is cheap. Call `free()` when done with it.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Verifier {
    keyring: Keyring,
    options: VerifyOptions,
}

#[wasm_bindgen]
impl Verifier {
    /// `keys`: `[{ id, secret }]` as `tessera key export` prints them (the secret as a
    /// `Uint8Array` or unpadded base64url). `options`: `{ audience = "access", leeway = 5 }`.
    /// Throws an `Error` for bad keys or options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "VerifierKey[]")] keys: JsValue,
        #[wasm_bindgen(unchecked_param_type = "VerifierOptions | undefined")] options: JsValue,
    ) -> Result<Verifier, JsError> {
        Ok(Verifier {
            keyring: keyring(&keys)?,
            options: verify_options(&options)?,
        })
    }

    /// Verifies `token` at `now` (Unix seconds; default: the current time). An invalid token is
    /// an answer (`{ valid: false, reason, ... }`), never an exception; a token that is not a
    /// string, or a `now` that is not a finite non-negative number, throws.
    #[wasm_bindgen(unchecked_return_type = "VerifyResult")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        now: Option<f64>,
    ) -> Result<JsValue, JsError> {
        let now = UnixTime::try_from_secs_f64(now.unwrap_or_else(|| js_sys::Date::now() / 1000.0))
            .map_err(|e| JsError::new(e.message()))?;
        let result = match token_text(&token)? {
            Some(text) => self.keyring.verify(&text, &self.options, now),
            None => Err(VerifyError::Malformed(FormatError::TooLong)),
        };
        parse(&match result {
            Ok(verified) => claims_json(verified.claims(), "valid").finish(),
            Err(e) => rejection_json(e, "valid"),
        })
    }

    /// The audience this verifier expects.
    #[wasm_bindgen(getter)]
    pub fn audience(&self) -> String {
        self.options.audience().to_owned()
    }

    /// The leeway in seconds.
    #[wasm_bindgen(getter)]
    pub fn leeway(&self) -> f64 {
        // Leeways are whole seconds that came in as JS numbers, so they fit exactly.
        self.options.leeway_secs() as f64
    }
}

/// Reads a token's claims **without verifying it**: for a client (such as a browser, which must
/// not hold a secret) that wants to know when its token expires. Never use it to decide access.
#[wasm_bindgen(unchecked_return_type = "InspectResult")]
pub fn inspect(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
) -> Result<JsValue, JsError> {
    let result = match token_text(&token)? {
        Some(text) => tessera_core::inspect(&text).map_err(VerifyError::from),
        None => Err(VerifyError::Malformed(FormatError::TooLong)),
    };
    parse(&match result {
        Ok(seen) => claims_json(seen.untrusted_claims(), "wellFormed")
            .flag("verified", false)
            .finish(),
        Err(e) => rejection_json(e, "wellFormed"),
    })
}

/// The token as Rust text, or `None` when it is longer (in UTF-16 units, so also in bytes) than
/// any token can be: core would reject it as too long, and it is not worth copying in.
fn token_text(token: &JsValue) -> Result<Option<String>, JsError> {
    let text = token
        .dyn_ref::<JsString>()
        .ok_or_else(|| JsError::new("token must be a string"))?;
    if text.length() as usize > MAX_TOKEN_LEN {
        return Ok(None);
    }
    Ok(Some(String::from(text)))
}

fn keyring(keys: &JsValue) -> Result<Keyring, JsError> {
    let keys = keys
        .dyn_ref::<Array>()
        .ok_or_else(|| JsError::new("keys must be an array of { id, secret }"))?;
    let mut parsed = keys.iter().map(|k| key(&k));
    let mut ring = Keyring::new(
        parsed
            .next()
            .ok_or_else(|| JsError::new("keys must not be empty"))??,
    );
    for k in parsed {
        ring.add_verify_only(k?)
            .map_err(|e| JsError::new(e.message()))?;
    }
    Ok(ring)
}

fn key(value: &JsValue) -> Result<Key, JsError> {
    let field =
        |name: &str| Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let id = field("id")
        .as_string()
        .ok_or_else(|| JsError::new("each key needs a string id"))?;
    let secret = field("secret");
    let bytes = if let Some(text) = secret.as_string() {
        URL_SAFE_NO_PAD
            .decode_to_vec(text.trim_end_matches('='))
            .map_err(|_| key_error(&id, ": secret is not base64url"))?
    } else if let Some(array) = secret.dyn_ref::<Uint8Array>() {
        array.to_vec()
    } else {
        return Err(key_error(
            &id,
            ": secret must be a Uint8Array or a base64url string",
        ));
    };
    Key::new(&id, &bytes).map_err(|e| JsError::new(e.message()))
}

/// "key <id><problem>", put together without `format!` (see the crate docs).
fn key_error(id: &str, problem: &str) -> JsError {
    let mut message = String::from("key ");
    message.push_str(id);
    message.push_str(problem);
    JsError::new(&message)
}

fn verify_options(options: &JsValue) -> Result<VerifyOptions, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(VerifyOptions::new("access"));
    }
    if !options.is_object() {
        return Err(JsError::new(
            "options must be an object { audience, leeway }",
        ));
    }
    let field =
        |name: &str| Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let audience = match field("audience") {
        v if v.is_undefined() => "access".to_owned(),
        v => v
            .as_string()
            .ok_or_else(|| JsError::new("options.audience must be a string"))?,
    };
    let mut result = VerifyOptions::new(&audience);
    let leeway = field("leeway");
    if !leeway.is_undefined() {
        let secs = leeway
            .as_f64()
            .ok_or_else(|| JsError::new("options.leeway must be a number of seconds"))?;
        result = result.with_leeway_secs(
            UnixTime::try_from_secs_f64(secs)
                .map_err(|e| JsError::new(e.message()))?
                .as_secs(),
        );
    }
    Ok(result)
}

/// Results cross into JS as one JSON text and one `JSON.parse`: building the object property by
/// property costs a boundary crossing and a string decode per field, which was most of a verify.
fn parse(json: &str) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(json).map_err(|_| JsError::new("internal error: result is not JSON"))
}

/// A JSON object under construction.
struct Json(String);

impl Json {
    fn new() -> Json {
        // Room for a typical result, so that building it allocates once.
        let mut json = String::with_capacity(1024);
        json.push('{');
        Json(json)
    }

    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.string(key);
        self.0.push(':');
    }

    /// `s` as a JSON string: runs that need no escaping are copied whole.
    fn string(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.0.push('"');
        let mut run_start = 0;
        for (i, &b) in s.as_bytes().iter().enumerate() {
            if b != b'"' && b != b'\\' && b >= b' ' {
                continue;
            }
            // `b` is ASCII, so `i` is a character boundary and `get` always succeeds.
            self.0.push_str(s.get(run_start..i).unwrap_or_default());
            match b {
                b'"' => self.0.push_str("\\\""),
                b'\\' => self.0.push_str("\\\\"),
                control => {
                    self.0.push_str("\\u00");
                    self.0.push(char::from(HEX[usize::from(control >> 4)]));
                    self.0.push(char::from(HEX[usize::from(control & 0xf)]));
                }
            }
            run_start = i + 1;
        }
        self.0.push_str(s.get(run_start..).unwrap_or_default());
        self.0.push('"');
    }

    fn text(mut self, key: &str, value: &str) -> Json {
        self.key(key);
        self.string(value);
        self
    }

    fn number(mut self, key: &str, value: u64) -> Json {
        self.key(key);
        self.0.push_str(itoa::Buffer::new().format(value));
        self
    }

    fn flag(mut self, key: &str, value: bool) -> Json {
        self.key(key);
        self.0.push_str(if value { "true" } else { "false" });
        self
    }

    fn list<'a>(mut self, key: &str, values: impl Iterator<Item = &'a str>) -> Json {
        self.key(key);
        self.0.push('[');
        for (i, v) in values.enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            self.string(v);
        }
        self.0.push(']');
        self
    }

    fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

fn claims_json(c: &TokenClaims, flag: &str) -> Json {
    Json::new()
        .flag(flag, true)
        .text("keyId", c.key_id())
        .text("subject", c.subject())
        .text("audience", c.audience())
        .number("issuedAt", c.issued_at().as_secs())
        .number("expiresAt", c.expires_at().as_secs())
        .number("authTime", c.auth_time().as_secs())
        .number("generation", c.generation())
        .list("scopes", c.scopes())
}

fn rejection_json(e: VerifyError, flag: &str) -> String {
    let json = Json::new()
        .flag(flag, false)
        .text("reason", e.code())
        .text("detail", e.message());
    match e {
        VerifyError::Malformed(format) => json.text("formatError", format.code()),
        VerifyError::Expired { at } => json.number("expiredAt", at.as_secs()),
        VerifyError::NotYetValid { from } => json.number("validFrom", from.as_secs()),
        _ => json,
    }
    .finish()
}

#[cfg(test)]
mod tests {
    use super::Json;

    fn round_trip(text: &str) -> String {
        let json = Json::new().text("s", text).finish();
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        parsed["s"].as_str().expect("a string").to_owned()
    }

    #[test]
    fn strings_survive_json_whatever_they_contain() {
        for text in [
            "",
            "user-1234",
            "say \"hi\"",
            "back\\slash",
            "\\\"",
            "tab\tnew\nline\u{0}nul\u{1f}",
            "ユーザー✓ 42",
            "\"ü\\\n",
        ] {
            assert_eq!(round_trip(text), text);
        }
    }

    #[test]
    fn control_characters_are_written_as_unicode_escapes() {
        assert_eq!(
            Json::new().text("s", "a\u{1}\n").finish(),
            r#"{"s":"a\u0001\u000a"}"#
        );
    }

    #[test]
    fn numbers_flags_and_lists_make_one_object() {
        let json = Json::new()
            .flag("valid", true)
            .number("n", u64::MAX)
            .list("l", ["a", "b"].into_iter())
            .finish();
        assert_eq!(
            json,
            r#"{"valid":true,"n":18446744073709551615,"l":["a","b"]}"#
        );
    }
}
