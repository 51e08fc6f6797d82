//! The notification channels of mahasil and the messages they carry (DESIGN.md,
//! "Notifications"). The outbox, its workers and the admin pages are built on top of this
//! crate; here live:
//!
//! - [`template`]: message kinds, languages, channels, placeholders, the default templates
//!   in English and Urdu, parsing an admin's template and rendering a message;
//! - [`sms_length`]: GSM-7 or UCS-2, and how many parts an SMS takes;
//! - [`sms_gateway`]: a configurable HTTP SMS gateway client, and the signed delivery
//!   reports a gateway POSTs back;
//! - [`email`]: email over SMTP, text and HTML parts, Message-ID from the idempotency key;
//! - [`webhook`]: a signed JSON event POSTed to a receiver;
//! - [`outcome`]: what one attempt to send came to, shared by every channel;
//! - [`signing`]: the HMAC-SHA256 signatures on delivery reports and webhook events;
//! - [`sandbox`]: an SMS gateway and a mail server that run on loopback for the demo and the
//!   tests.
//!
//! README.md has the configuration, the callback format and the placeholders in full.

pub mod email;
mod error;
pub mod outcome;
pub mod sandbox;
pub mod signing;
pub mod sms_gateway;
pub mod sms_length;
pub mod template;
pub mod webhook;

pub use error::{NotifyError, Result};
