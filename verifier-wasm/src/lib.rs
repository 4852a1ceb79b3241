//! JS bindings for tessera-core: check Tessera tokens offline in Node, browsers and edge workers.
//! Every export only converts between JS values and core types and calls core; the token format,
//! the checks and their order all live in `tessera-core`.
//!
//! Size matters here (the `.wasm` ships to browsers and edge workers), so on wasm the crate is
//! `no_std` (with `alloc` and std's own allocator, dlmalloc) and it formats nothing with `core::fmt`:
//! messages are core's `message()` sentences, and results are built in JS from one string and a
//! few numbers. That is why errors are mapped with `JsError::new(e.message())` rather than `?`
//! (whose `From` impl formats with `Display`): `?` costs 7 KB of `.wasm`, measured. A panic (a
//! bug: nothing a caller passes may cause one) traps.

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

/// Without std the allocator has to be named: the one std itself uses on wasm32.
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

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
        Ok(match result {
            Ok(verified) => claims_object(verified.claims(), Answer::Verify),
            Err(e) => rejection_object(e, Answer::Verify),
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
    Ok(match result {
        Ok(seen) => claims_object(seen.untrusted_claims(), Answer::Inspect),
        Err(e) => rejection_object(e, Answer::Inspect),
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

// Results are built in JS from one string and a few numbers: one text decode and one object
// literal. The alternatives measured slower: property-by-property `Reflect.set` calls (8.6 µs a
// verify) and one JSON text through `JSON.parse` (about 0.8 µs more than this).
#[wasm_bindgen(inline_js = r#"
export function claimsObject(inspect, text, subjectLength, issuedAt, expiresAt, authTime, generation) {
  const subject = text.slice(0, subjectLength);
  const names = text.slice(subjectLength).split(" ");
  const keyId = names[0], audience = names[1], scopes = names.slice(2);
  return inspect
    ? { wellFormed: true, verified: false, keyId, subject, audience, issuedAt, expiresAt, authTime, generation, scopes }
    : { valid: true, keyId, subject, audience, issuedAt, expiresAt, authTime, generation, scopes };
}
export function rejectionObject(inspect, text, reasonLength, formatErrorLength, timeField, time) {
  const result = inspect ? { wellFormed: false } : { valid: false };
  result.reason = text.slice(0, reasonLength);
  result.detail = text.slice(reasonLength + formatErrorLength);
  if (formatErrorLength > 0) result.formatError = text.slice(reasonLength, reasonLength + formatErrorLength);
  if (timeField === 1) result.expiredAt = time;
  if (timeField === 2) result.validFrom = time;
  return result;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = claimsObject)]
    fn claims_object_js(
        inspect: bool,
        text: &str,
        subject_length: u32,
        issued_at: f64,
        expires_at: f64,
        auth_time: f64,
        generation: f64,
    ) -> JsValue;

    #[wasm_bindgen(js_name = rejectionObject)]
    fn rejection_object_js(
        inspect: bool,
        text: &str,
        reason_length: u32,
        format_error_length: u32,
        time_field: u32,
        time: f64,
    ) -> JsValue;
}

/// Which export the result is for: `verify` (`valid: ...`) or `inspect` (`wellFormed: ...`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Verify,
    Inspect,
}

/// `{ valid: true, ...claims }` or `{ wellFormed: true, verified: false, ...claims }`.
fn claims_object(c: &TokenClaims, answer: Answer) -> JsValue {
    // The subject is any UTF-8, so JS is told its length in UTF-16 units; key id, audience and
    // scopes are names (no spaces), so they follow it separated by spaces.
    let mut text = String::with_capacity(128);
    text.push_str(c.subject());
    for name in [c.key_id(), c.audience()].into_iter().chain(c.scopes()) {
        if text.len() > c.subject().len() {
            text.push(' ');
        }
        text.push_str(name);
    }
    let subject_length = c.subject().encode_utf16().count();
    // JS numbers hold whole seconds exactly up to 2^53, far past any real time.
    claims_object_js(
        answer == Answer::Inspect,
        &text,
        u32::try_from(subject_length).unwrap_or(u32::MAX),
        c.issued_at().as_secs() as f64,
        c.expires_at().as_secs() as f64,
        c.auth_time().as_secs() as f64,
        c.generation() as f64,
    )
}

/// `{ valid: false, reason, detail, formatError?, expiredAt?, validFrom? }`, or the same with
/// `wellFormed: false` for `inspect`.
fn rejection_object(e: VerifyError, answer: Answer) -> JsValue {
    let format_error = match e {
        VerifyError::Malformed(format) => format.code(),
        _ => "",
    };
    let (time_field, time) = match e {
        VerifyError::Expired { at } => (1, at.as_secs() as f64),
        VerifyError::NotYetValid { from } => (2, from.as_secs() as f64),
        _ => (0, 0.0),
    };
    // Codes and messages are ASCII, so byte lengths are UTF-16 lengths.
    let mut text = String::with_capacity(128);
    text.push_str(e.code());
    text.push_str(format_error);
    text.push_str(e.message());
    rejection_object_js(
        answer == Answer::Inspect,
        &text,
        u32::try_from(e.code().len()).unwrap_or(u32::MAX),
        u32::try_from(format_error.len()).unwrap_or(u32::MAX),
        time_field,
        time,
    )
}
