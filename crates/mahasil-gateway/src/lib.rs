//! Online payments for mahasil through a hosted-payment gateway (DESIGN.md: payment channel
//! `gateway`).
//!
//! - [`protocol`]: the JSON both sides exchange;
//! - [`signing`]: the HMAC-SHA256 signatures on merchant requests and on callbacks;
//! - [`client`]: mahasil's side — create a payment, ask its status, verify a callback;
//! - [`sandbox`]: a gateway that behaves like a real one, for the demo and the tests.
//!
//! README.md describes the protocol in full, with the sandbox's card numbers.

pub mod client;
mod error;
pub mod protocol;
pub mod sandbox;
pub mod signing;

pub use error::{GatewayError, Result};
