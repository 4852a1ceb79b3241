//! Time as the token format sees it: whole seconds since the Unix epoch, passed in by the caller.

use core::fmt;

use crate::error::TimeError;

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z (leap seconds ignored).
///
/// The core never reads a clock: every operation that depends on time takes a `UnixTime` argument,
/// so expiry is testable and the crate works where no clock exists.
/// With the `std` feature, [`UnixTime::now`] reads the system clock for convenience.
///
/// ```
/// use tessera_core::UnixTime;
///
/// let t = UnixTime::from_secs(1_700_000_000);
/// assert_eq!(t.saturating_add_secs(600).as_secs(), 1_700_000_600);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The epoch itself.
    pub const EPOCH: UnixTime = UnixTime(0);

    /// The time `secs` seconds after the epoch.
    #[must_use]
    pub const fn from_secs(secs: u64) -> UnixTime {
        UnixTime(secs)
    }

    /// Converts fractional seconds, as JavaScript's `Date.now() / 1000` gives them, rounding down.
    ///
    /// # Errors
    ///
    /// [`TimeError::NotFinite`] for NaN or infinity, [`TimeError::Negative`] for a time before the
    /// epoch, and [`TimeError::TooLarge`] for a value past `u64::MAX` seconds.
    ///
    /// ```
    /// use tessera_core::{TimeError, UnixTime};
    ///
    /// assert_eq!(UnixTime::try_from_secs_f64(1.9)?, UnixTime::from_secs(1));
    /// assert_eq!(UnixTime::try_from_secs_f64(f64::NAN), Err(TimeError::NotFinite));
    /// # Ok::<(), TimeError>(())
    /// ```
    pub fn try_from_secs_f64(secs: f64) -> Result<UnixTime, TimeError> {
        if !secs.is_finite() {
            return Err(TimeError::NotFinite);
        }
        if secs < 0.0 {
            return Err(TimeError::Negative);
        }
        // 2^64 is exactly representable; anything at or above it does not fit in a u64.
        if secs >= 18_446_744_073_709_551_616.0 {
            return Err(TimeError::TooLarge);
        }
        // In range and finite, so the truncating cast is exact for the integer part.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(UnixTime(secs as u64))
    }

    /// Seconds since the epoch.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// This time plus `secs` seconds, stopping at the largest representable time.
    #[must_use]
    pub const fn saturating_add_secs(self, secs: u64) -> UnixTime {
        UnixTime(self.0.saturating_add(secs))
    }

    /// This time minus `secs` seconds, stopping at the epoch.
    #[must_use]
    pub const fn saturating_sub_secs(self, secs: u64) -> UnixTime {
        UnixTime(self.0.saturating_sub(secs))
    }

    /// The current system time, rounded down to the second.
    ///
    /// Only with the `std` feature. A system clock set before 1970 reads as the epoch.
    #[cfg(feature = "std")]
    #[must_use]
    pub fn now() -> UnixTime {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        UnixTime(since.as_secs())
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_seconds_round_down_and_reject_what_cannot_be_a_time() {
        assert_eq!(UnixTime::try_from_secs_f64(0.0), Ok(UnixTime::EPOCH));
        assert_eq!(UnixTime::try_from_secs_f64(-0.0), Ok(UnixTime::EPOCH));
        assert_eq!(
            UnixTime::try_from_secs_f64(1_700_000_000.999),
            Ok(UnixTime::from_secs(1_700_000_000))
        );
        assert_eq!(UnixTime::try_from_secs_f64(-1.0), Err(TimeError::Negative));
        assert_eq!(
            UnixTime::try_from_secs_f64(f64::INFINITY),
            Err(TimeError::NotFinite)
        );
        assert_eq!(
            UnixTime::try_from_secs_f64(f64::NEG_INFINITY),
            Err(TimeError::NotFinite)
        );
        assert_eq!(
            UnixTime::try_from_secs_f64(1.9e19),
            Err(TimeError::TooLarge)
        );
        assert!(UnixTime::try_from_secs_f64(1.8e19).is_ok());
    }

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        assert_eq!(
            UnixTime::from_secs(u64::MAX - 1)
                .saturating_add_secs(10)
                .as_secs(),
            u64::MAX
        );
        assert_eq!(
            UnixTime::from_secs(3).saturating_sub_secs(10),
            UnixTime::EPOCH
        );
    }
}
