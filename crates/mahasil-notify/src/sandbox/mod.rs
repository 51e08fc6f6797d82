//! Sandboxes that play the other side of the channels, on real sockets, for the demo
//! (`mahasil serve --demo` starts both) and for the tests:
//!
//! - [`sms`]: an HTTP SMS gateway that takes the default body shape, honours idempotency
//!   keys, keeps what it was sent (in memory and at `GET /messages`), POSTs signed delivery
//!   reports, and misbehaves on request;
//! - [`smtp`]: a small SMTP receiver that keeps every message it accepts, parsed, and can
//!   be told to refuse a recipient.
//!
//! Each is started on a listener the caller binds (loopback port 0 in the tests) and
//! stopped by dropping its handle.

pub mod sms;

pub mod smtp;
