//! How values cross the SQLite boundary: timestamps as microseconds, dates as
//! `YYYY-MM-DD`, UUIDs as text; stored text parsed back into domain types (a value that no
//! longer parses is `Corrupt`); and constraint failures turned into `Conflict`.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::jurisdiction::Slug;
use rusqlite::ErrorCode;
use uuid::Uuid;

use crate::error::{Result, StoreError};

pub(crate) fn micros(at: Timestamp) -> i64 {
    at.as_microsecond()
}

pub(crate) fn timestamp(column: &str, micros: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(micros).map_err(|e| corrupt(column, e))
}

pub(crate) fn opt_timestamp(column: &str, micros: Option<i64>) -> Result<Option<Timestamp>> {
    micros.map(|m| timestamp(column, m)).transpose()
}

pub(crate) fn date(column: &str, text: &str) -> Result<Date> {
    text.parse::<Date>().map_err(|e| corrupt(column, e))
}

pub(crate) fn uuid(column: &str, text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| corrupt(column, e))
}

pub(crate) fn slug(column: &str, text: &str) -> Result<Slug> {
    Slug::parse(text).map_err(|e| corrupt(column, e))
}

/// Parses stored text with a domain parser; failure means the row was changed behind us.
pub(crate) fn parsed<T, E: std::fmt::Display>(column: &str, parse: impl FnOnce() -> std::result::Result<T, E>) -> Result<T> {
    parse().map_err(|e| corrupt(column, e))
}

pub(crate) fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {e}"))
}

/// JSON text of a record for the audit log.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("cannot serialise an audit record: {e}")))
}

/// Whether an error is a constraint the database refused (unique, check, trigger, ...).
pub(crate) fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

/// Turns a constraint failure into `Conflict` with `what`; other errors pass through.
pub(crate) fn conflict(what: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| if is_constraint(&e) { StoreError::Conflict(what.into()) } else { StoreError::Sqlite(e) }
}

/// The last safety net for constraints no call site named: `Conflict` with SQLite's own
/// words (a trigger's message, or the constraint's table and columns).
pub(crate) fn name_constraint(e: StoreError) -> StoreError {
    match e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, message)) if f.code == ErrorCode::ConstraintViolation => {
            StoreError::Conflict(message.unwrap_or_else(|| "a database constraint refused the change".into()))
        }
        other => other,
    }
}

pub(crate) fn bool_int(b: bool) -> i64 {
    i64::from(b)
}

/// A count that SQLite holds as `i64`.
pub(crate) fn count(column: &str, n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|e| corrupt(column, e))
}

/// A page limit clamped to 1..=max, as SQLite wants it.
pub(crate) fn clamp_limit(limit: u32, max: u32) -> i64 {
    i64::from(limit.clamp(1, max))
}
