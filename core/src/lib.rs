#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![doc = include_str!("../README.md")]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod claims;
mod codec;
mod error;
mod key;
mod keyring;
mod mac;
mod options;
mod time;
mod token;
mod token_claims;

pub use claims::{Claims, Limits};
pub use error::{
    DecodeError, FormatError, KeyError, KeyringError, MintError, TimeError, VerifyError,
};
pub use key::{Key, KeyId};
pub use keyring::Keyring;
pub use options::VerifyOptions;
pub use time::UnixTime;
pub use token::{MAX_TOKEN_LEN, PREFIX, Unverified, UnverifiedToken, Verified, inspect};
pub use token_claims::{Scopes, TokenClaims};
