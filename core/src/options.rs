//! What a verifier expects of a token besides a valid signature: its audience, and how much clock
//! skew to forgive.

use alloc::string::String;

/// The audience a verifier expects, and the leeway it allows for clock skew.
///
/// The audience is required: a token minted for `"password-reset"` must never pass where
/// `"access"` is expected, and there is no way to skip the check.
///
/// ```
/// use tessera_core::VerifyOptions;
///
/// let options = VerifyOptions::new("access");
/// assert_eq!(options.leeway_secs(), VerifyOptions::DEFAULT_LEEWAY_SECS);
/// let strict = options.with_leeway_secs(0);
/// assert_eq!(strict.leeway_secs(), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    audience: String,
    leeway_secs: u64,
}

impl VerifyOptions {
    /// The default leeway: 5 seconds.
    ///
    /// Zero would reject fresh tokens whenever the minting and verifying hosts' clocks differ by a
    /// second; a silent minute (as some JWT libraries default to) keeps expired tokens alive far
    /// longer than anyone expects of a 10-minute token. Five seconds covers NTP-synchronised hosts
    /// and adds under 1% to a typical lifetime.
    pub const DEFAULT_LEEWAY_SECS: u64 = 5;

    /// Expect `audience`, with the default leeway.
    #[must_use]
    pub fn new(audience: &str) -> VerifyOptions {
        VerifyOptions {
            audience: String::from(audience),
            leeway_secs: VerifyOptions::DEFAULT_LEEWAY_SECS,
        }
    }

    /// The same options with another leeway, in seconds.
    #[must_use]
    pub fn with_leeway_secs(mut self, leeway_secs: u64) -> VerifyOptions {
        self.leeway_secs = leeway_secs;
        self
    }

    /// The expected audience.
    #[must_use]
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The leeway, in seconds.
    #[must_use]
    pub fn leeway_secs(&self) -> u64 {
        self.leeway_secs
    }
}
