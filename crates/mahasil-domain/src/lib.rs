//! Pure types and rules of mahasil. No IO, no async, no clock: callers pass time in.
//!
//! Input from the edges becomes one of these newtypes through its `parse` function, so a
//! value with a meaning never travels inward as a raw `String` or `i64`.

pub mod authz;
pub mod bank;
pub mod challan;
pub mod challan_no;
pub mod error;
pub mod head;
pub mod identity;
pub mod jurisdiction;
pub mod money;
pub mod notice;
pub mod time;

pub use error::{DomainError, Result};
