//! The channels end to end over real sockets on loopback: email through the sandbox mail
//! server, SMS through the sandbox gateway with its delivery reports, webhooks to a
//! receiver, and every default template rendered.

mod custom_gateway;
mod email;
mod readme;
mod sms;
mod smtp_wire;
mod support;
mod templates;
mod webhook;
