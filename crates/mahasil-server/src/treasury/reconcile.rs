//! Reconciling a treasury bank statement against what the store holds, with no HTTP in
//! sight: the staff page and the binary's `mahasil reconcile --statement FILE` both call
//! [`reconcile_file`] (or its three steps) and then [`Reconciled::into_import`] and
//! `Storage::import_statement`.
//!
//! ```text
//! let reconciled = reconcile_file(&store, &bytes, Settlement::default(), &mut |done, total| bar.set(done, total)).await?;
//! print!("{}", reconciled.summary_text);
//! std::fs::write("reconciliation.csv", &reconciled.report_csv)?;
//! match store.import_statement(&reconciled.into_import(&actor, now)?, &actor, now).await? { ... }
//! ```
//!
//! The payments expected are every standing payment not yet deposited and paid on or
//! before the statement's last day (`Storage::undeposited_payments`); the receipts already
//! deposited are those paid in the [`DEPOSITED_LOOKBACK_DAYS`] before its first day
//! (`Storage::deposited_receipts`), so a credit a bank sends twice across statements is
//! caught as a duplicate. A receipt number is the payment's 15 digits
//! (`receipt_no.digits()`).

use std::collections::HashSet;

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_ledger::Channel;
use mahasil_reconcile::{Category, ExpectedCredit, Settlement, Totals};
use mahasil_statements::{Format, Statement, StatementError};
use mahasil_store::{Actor, PaymentRecord, StatementImport, StatementRecord, Store, StoreError};
use sha2::{Digest, Sha256};

/// How far before a statement's first day its credits are compared with receipts already
/// deposited: a bank may send a credit again weeks later.
pub const DEPOSITED_LOOKBACK_DAYS: i64 = 90;

/// Why a statement could not be reconciled.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The file is not a statement mahasil reads: the error names the line and the field.
    #[error("the statement file was refused: {0}")]
    Statement(#[from] StatementError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A sum the store keeps in 64 bits does not fit in them.
    #[error("the statement's {0} is too large to keep")]
    TooLarge(&'static str),
}

/// A statement file read and checked, with the SHA-256 of its bytes (how the same file is
/// recognised when it comes again).
#[derive(Debug, Clone)]
pub struct ParsedStatement {
    pub sha256: [u8; 32],
    pub statement: Statement,
}

/// Reads `bytes` as a statement in whichever format it is (CSV, MT940 or camt.053). Pure
/// and CPU-bound: a server runs it off the async threads.
pub fn parse_statement(bytes: &[u8]) -> Result<ParsedStatement, ReconcileError> {
    let statement = mahasil_statements::parse(bytes)?;
    Ok(ParsedStatement { sha256: Sha256::digest(bytes).into(), statement })
}

/// What a statement is judged against: the payments expected and the receipt numbers
/// already deposited.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    pub expected: Vec<ExpectedCredit>,
    pub already_deposited: HashSet<String>,
}

/// Loads the expectations for `statement` from the store (see the module documentation).
pub async fn load_expectations(store: &Store, statement: &Statement) -> Result<Expectations, ReconcileError> {
    let undeposited = store.undeposited_payments(statement.to_date()).await?;
    let expected = undeposited.into_iter().map(|u| expected_credit(&u.payment, u.head_code, u.district.to_string())).collect();
    let since = lookback_start(statement.from_date());
    let already_deposited = store.deposited_receipts(since).await?.into_iter().map(ChallanNo::digits).collect();
    Ok(Expectations { expected, already_deposited })
}

/// The first day whose deposited receipts a statement starting on `from_date` is compared with.
pub fn lookback_start(from_date: Date) -> Date {
    jiff::Span::new().try_days(DEPOSITED_LOOKBACK_DAYS).ok().and_then(|span| from_date.checked_sub(span).ok()).unwrap_or(Date::MIN)
}

/// A stored payment as the reconciliation expects to see it credited.
pub fn expected_credit(payment: &PaymentRecord, head_code: String, district: String) -> ExpectedCredit {
    ExpectedCredit {
        reference: payment.receipt_no.digits(),
        amount_paisa: payment.amount_paisa,
        paid_on: payment.paid_on,
        channel: payment.channel.as_str().to_owned(),
        // A bank payment's clearing holder is the bank; a counter's is its district.
        bank: (payment.channel == Channel::Bank).then(|| payment.holder.to_string()),
        challan_no: payment.challan_no.digits(),
        head_code,
        district,
    }
}

/// A statement reconciled: who it is, what the report says, and what importing it writes.
/// Owned, so it can be kept, printed and imported after the statement's lines are gone.
#[derive(Debug, Clone)]
pub struct Reconciled {
    pub sha256: [u8; 32],
    pub format: Format,
    pub account_id: String,
    pub statement_id: String,
    pub from_date: Date,
    pub to_date: Date,
    pub opening_balance_paisa: i64,
    pub closing_balance_paisa: i64,
    pub line_count: u64,
    pub settlement: Settlement,
    pub totals: Totals,
    pub unexplained_difference_paisa: i128,
    pub clean: bool,
    /// The report as a table for a terminal.
    pub summary_text: String,
    /// The report as CSV, one row per report line (kept with the imported statement).
    pub report_csv: String,
    /// The receipts of the `matched` lines only, with the amount credited: what becomes
    /// deposited. An amount mismatch waits for a person.
    pub matched: Vec<(ChallanNo, i64)>,
    /// The `unidentified` credits, by bank reference and amount: what goes to suspense.
    pub unidentified: Vec<(String, i64)>,
}

impl Reconciled {
    /// Reconciles `parsed` against `expectations`. Pure and CPU-bound (a million lines
    /// take about a second); `progress` is called as `mahasil_reconcile::reconcile` says.
    pub fn new(
        parsed: ParsedStatement,
        expectations: &Expectations,
        settlement: Settlement,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Self, ReconcileError> {
        let ParsedStatement { sha256, statement } = parsed;
        let report = mahasil_reconcile::reconcile(&statement, &expectations.expected, &expectations.already_deposited, settlement, progress);
        let mut matched = Vec::with_capacity(usize::try_from(report.totals().matched.count).unwrap_or(0));
        for line in report.lines_of(Category::Matched) {
            let (Some(reference), Some(credited)) = (line.reference.as_deref(), line.statement_line) else { continue };
            // Matched references are expected receipt numbers, so they always parse.
            let receipt = ChallanNo::parse(reference).map_err(|e| StoreError::Corrupt(format!("receipt number {reference}: {e}")))?;
            matched.push((receipt, credited.amount_paisa));
        }
        let unidentified =
            report.unidentified_credits().filter_map(|line| line.statement_line).map(|line| (line.bank_reference.clone(), line.amount_paisa)).collect();
        Ok(Self {
            sha256,
            format: statement.format(),
            account_id: statement.account_id().to_owned(),
            statement_id: statement.statement_id().to_owned(),
            from_date: statement.from_date(),
            to_date: statement.to_date(),
            opening_balance_paisa: statement.opening_balance_paisa(),
            closing_balance_paisa: statement.closing_balance_paisa(),
            line_count: u64::try_from(statement.lines().len()).unwrap_or(u64::MAX),
            settlement,
            totals: *report.totals(),
            unexplained_difference_paisa: report.unexplained_difference_paisa(),
            clean: report.is_clean(),
            summary_text: report.summary_text(),
            report_csv: report.to_csv(),
            matched,
            unidentified,
        })
    }

    /// What `Storage::import_statement` writes for this statement, imported by `actor` at
    /// `at`: the record (counts and sums of the matched and unidentified lines, the
    /// unexplained difference, the report CSV), the matched receipts and the unidentified
    /// credits.
    pub fn into_import(self, actor: &Actor, at: Timestamp) -> Result<StatementImport, ReconcileError> {
        let sum = |amounts: &mut dyn Iterator<Item = i64>| amounts.map(i128::from).sum::<i128>();
        let deposited_paisa = i64::try_from(sum(&mut self.matched.iter().map(|(_, amount)| *amount))).map_err(|_| ReconcileError::TooLarge("deposited sum"))?;
        let unidentified_paisa =
            i64::try_from(sum(&mut self.unidentified.iter().map(|(_, amount)| *amount))).map_err(|_| ReconcileError::TooLarge("unidentified sum"))?;
        let unexplained_paisa = i64::try_from(self.unexplained_difference_paisa).map_err(|_| ReconcileError::TooLarge("unexplained difference"))?;
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        let record = StatementRecord {
            sha256: self.sha256,
            account: self.account_id,
            statement_id: self.statement_id,
            format: self.format.name().to_owned(),
            from_date: self.from_date,
            to_date: self.to_date,
            opening_paisa: self.opening_balance_paisa,
            closing_paisa: self.closing_balance_paisa,
            lines: self.line_count,
            imported_by: actor.username.clone(),
            imported_at: at,
            deposited: count(self.matched.len()),
            deposited_paisa,
            unidentified: count(self.unidentified.len()),
            unidentified_paisa,
            report_csv: self.report_csv,
            unexplained_paisa,
        };
        Ok(StatementImport { record, matched: self.matched, unidentified: self.unidentified })
    }
}

/// Parses `bytes`, loads what the store expects, and reconciles, on the calling task
/// (parsing and reconciling a large file keeps it busy for a second or so; the staff page
/// runs those two steps on the blocking pool instead). For `mahasil reconcile` and tests;
/// nothing is written: import with [`Reconciled::into_import`] and
/// `Storage::import_statement`.
pub async fn reconcile_file(
    store: &Store,
    bytes: &[u8],
    settlement: Settlement,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<Reconciled, ReconcileError> {
    let parsed = parse_statement(bytes)?;
    let expectations = load_expectations(store, &parsed.statement).await?;
    Reconciled::new(parsed, &expectations, settlement, progress)
}
