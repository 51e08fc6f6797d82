//! Reconciliation of a treasury bank statement against the payments mahasil expects to see
//! deposited. Pure: a parsed [`Statement`](mahasil_statements::Statement), the expected
//! payments and the receipt numbers already deposited in; a [`Report`] out. No IO, no
//! clock: the statement's own `to_date` is the day the report is made as of. The report
//! borrows the statement and the payments it judged rather than copying them.
//!
//! ```text
//! let report = reconcile(&statement, &expected, &already_deposited, Settlement::default(), &mut |done, total| bar.set(done, total));
//! for reference in report.matched_references() { /* DEPOSITED */ }
//! for credit in report.unidentified_credits() { /* UNIDENTIFIED, to suspense */ }
//! println!("{}", report.summary_text());
//! ```
//!
//! # The reference a credit names
//!
//! 1. Its `customer_reference`, when present and, once spaces and dashes are removed,
//!    nothing but ASCII digits: those digits, whatever their number.
//! 2. Otherwise a receipt number in its narrative. A receipt number has exactly the
//!    challan number's format, 15 digits (issuer 6, counter 8, Damm check digit), drawn
//!    from the same issuer counters as challans, and a bank's narrative may carry the
//!    challan number as well. So among the runs of exactly 15 ASCII digits that pass the
//!    Damm check (a longer run of digits is skipped whole), the first that is an expected
//!    or an already deposited receipt number; else the first such run.
//! 3. Otherwise none.
//!
//! The reference is compared exactly with [`ExpectedCredit::reference`] and with the
//! `already_deposited` receipt numbers.
//!
//! # Categories
//!
//! Every statement line is in exactly one report line, and so is every expected payment
//! (a duplicate also names the payment it repeats). See [`reconcile`] for the order in
//! which a credit is judged.
//!
//! | category | what | expected | credited | difference |
//! |---|---|---|---|---|
//! | `matched` | a credit naming an unpaid expected payment, for its amount | the payment | the credit | 0 |
//! | `amount_mismatch` | the same, for another amount | the payment | the credit | credited − expected |
//! | `duplicate` | a credit naming a payment already paid by an earlier line of this statement, or already deposited | — | the credit | the credit |
//! | `unidentified` | a credit naming nothing, or a reference mahasil neither expects nor has deposited | — | the credit | the credit |
//! | `in_transit` | an unpaid expected payment with `paid_on + days_in_transit >= to_date` | the payment | — | − the payment |
//! | `missing_credit` | an unpaid expected payment older than that | the payment | — | − the payment |
//! | `debit` | money out of the account; not judged | — | − the debit | − the debit |
//!
//! A payment made after the statement's `to_date` is outside its period; when no line pays
//! it, it is reported `in_transit` (it cannot be late yet), so every payment given appears
//! once and the CLI need not filter them first.
//!
//! # The unexplained difference
//!
//! [`Report::unexplained_difference_paisa`] = Σ unidentified credits + Σ missing payments +
//! Σ |credited − expected| over amount mismatches + Σ duplicate credits: the sum of
//! |difference| over the lines a person must resolve. In-transit payments and debits are
//! explained and add nothing. Because every amount is positive, it is 0 exactly when the
//! report [`is_clean`](Report::is_clean), and any anomaly makes it positive.

pub mod generate;
mod input;
mod reconcile;
mod reference;
mod report;

pub use input::{ExpectedCredit, Settlement};
pub use reconcile::reconcile;
pub use reference::{RECEIPT_NO_DIGITS, line_reference};
pub use report::{Category, CategoryTotal, Report, ReportLine, Totals};
