//! The bounds on every statement file, named so callers (an upload handler, the CLI) can
//! refuse early with the same numbers.

/// The largest file accepted: 1 GiB. A 1,000,000-line camt.053 file is about 600 MB;
/// the same statement is about 110 MB as CSV and 130 MB as MT940.
pub const MAX_FILE_BYTES: usize = 1 << 30;

/// The most statement lines (entries) in one statement. Twice the largest day the
/// reconciliation is sized for.
pub const MAX_LINES: usize = 2_000_000;

/// The longest text field (account, statement id, references, narrative), in UTF-8 bytes.
/// camt.053's longest field used here (`AddtlNtryInf`, 500 characters) fits in it.
pub const MAX_FIELD_BYTES: usize = 2048;

/// The largest amount or balance (in either direction): PKR 100 trillion. Anything
/// larger is a corrupt file, and sums of `MAX_LINES` such amounts stay exact in `i128`.
pub const MAX_AMOUNT_PAISA: i64 = 10_000_000_000_000_000;

/// The deepest XML nesting accepted in camt.053 (the deepest path read is 8 elements).
pub const MAX_XML_DEPTH: usize = 64;
