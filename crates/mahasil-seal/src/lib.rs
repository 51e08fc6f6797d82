//! placeholder
pub mod cbor;
pub mod claims;
pub mod cwt;
pub mod envelope;
pub mod error;
#[cfg(test)]
mod fixtures;
pub mod keys;
pub mod outcome;
pub mod short_text;
pub mod token;
pub mod trust_list;
pub use error::{Result, SealError};
