//! Statements and expected payments made up for demos, tests and benchmarks: mahasil's
//! bank CSV (the layout `mahasil_statements` documents) with one credit per expected
//! payment, and the anomalies a reconciliation must catch injected on request.
//! Deterministic: the same parameters give the same bytes.

use std::ops::RangeInclusive;

use jiff::civil::Date;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo, MAX_COUNTER};

use crate::ExpectedCredit;
use crate::report::{csv_field, push_rupees};

/// The header of mahasil's bank CSV.
const HEADER: &str = "account,statement_id,booking_date,value_date,direction,amount,bank_reference,customer_reference,narrative";

/// What [`statement_csv`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementParams<'a> {
    pub account_id: String,
    pub statement_id: String,
    pub from_date: Date,
    pub to_date: Date,
    pub opening_balance_paisa: i64,
    /// One credit each, in this order, booked on its `paid_on` moved into the period,
    /// with its reference as the customer reference. Amounts must be positive.
    pub credits: &'a [ExpectedCredit],
    /// Money out (refunds), written after the credits. Positive.
    pub debits_paisa: &'a [i64],
    pub anomalies: Anomalies,
}

impl<'a> StatementParams<'a> {
    /// A statement of the treasury account for `from_date..=to_date` crediting every one
    /// of `credits`, with no debits and no anomalies.
    pub fn new(credits: &'a [ExpectedCredit], from_date: Date, to_date: Date) -> Self {
        Self {
            account_id: "PK36SCBL0000001123456702".to_owned(),
            statement_id: format!("STMT{}", to_date.strftime("%Y%m%d")),
            from_date,
            to_date,
            opening_balance_paisa: 125_000_000_000,
            credits,
            debits_paisa: &[],
            anomalies: Anomalies::default(),
        }
    }
}

/// Departures from a statement that reconciles clean. Indices are into
/// [`StatementParams::credits`]; one out of range is ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Anomalies {
    /// A credit of this amount with no customer reference and no receipt number in its
    /// narrative, written before the middle credit: `unidentified`.
    pub unidentified_paisa: Option<i64>,
    /// The payment whose credit is left out: `missing_credit`, or `in_transit` if recent.
    pub missing: Option<usize>,
    /// The payment credited with another amount: `amount_mismatch`.
    pub changed_amount: Option<ChangedAmount>,
    /// The payment whose credit line is written twice, the copy (same bank reference)
    /// right after it: `duplicate`.
    pub duplicated: Option<usize>,
}

/// A payment credited with `credited_paisa` instead of its amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangedAmount {
    pub index: usize,
    pub credited_paisa: i64,
}

/// The statement as mahasil bank CSV, LF line ends, its closing balance the opening
/// balance plus the credits minus the debits. It parses with `mahasil_statements::parse`
/// as long as the amounts are positive and within that crate's limits.
pub fn statement_csv(params: &StatementParams<'_>) -> String {
    let mut writer = Writer::new(params);
    let anomalies = params.anomalies;
    let middle = params.credits.len() / 2;
    for (index, payment) in params.credits.iter().enumerate() {
        if index == middle {
            writer.unidentified(anomalies.unidentified_paisa);
        }
        if anomalies.missing == Some(index) {
            continue;
        }
        let amount_paisa = match anomalies.changed_amount {
            Some(change) if change.index == index => change.credited_paisa,
            _ => payment.amount_paisa,
        };
        let booking_date = payment.paid_on.clamp(params.from_date, params.to_date);
        let narrative = narrative(payment);
        let bank_reference = writer.next_bank_reference();
        writer.movement(booking_date, Movement::Credit, amount_paisa, &bank_reference, &payment.reference, &narrative);
        if anomalies.duplicated == Some(index) {
            writer.movement(booking_date, Movement::Credit, amount_paisa, &bank_reference, &payment.reference, &narrative);
        }
    }
    if params.credits.is_empty() {
        writer.unidentified(anomalies.unidentified_paisa);
    }
    for &amount_paisa in params.debits_paisa {
        let bank_reference = writer.next_bank_reference();
        writer.movement(params.to_date, Movement::Debit, amount_paisa, &bank_reference, "", "REFUND OF OVERPAID CHALLAN");
    }
    writer.finish()
}

/// What a bank writes for a payment: the 1Link 1Bill collection, the payment gateway's
/// settlement, or a counter deposit, each naming the revenue head.
fn narrative(payment: &ExpectedCredit) -> String {
    match payment.channel.as_str() {
        "bank" => format!("1LINK 1BILL {}", payment.head_code),
        "gateway" => format!("GATEWAY {}", payment.head_code),
        "counter" => format!("COUNTER {} {}", payment.bank.as_deref().unwrap_or("CASH"), payment.head_code),
        other => format!("{} {}", other.to_uppercase(), payment.head_code),
    }
}

#[derive(Clone, Copy)]
enum Movement {
    Credit,
    Debit,
}

/// The CSV being written, the running balance, and the count of bank references issued.
struct Writer<'p> {
    params: &'p StatementParams<'p>,
    out: String,
    balance_paisa: i128,
    bank_references: u64,
}

impl<'p> Writer<'p> {
    /// About the length of one credit row, to size the buffer once.
    const ROW_BYTES: usize = 130;

    fn new(params: &'p StatementParams<'p>) -> Self {
        let rows = params.credits.len() + params.debits_paisa.len() + 4;
        let mut writer =
            Self { params, out: String::with_capacity(rows * Self::ROW_BYTES), balance_paisa: i128::from(params.opening_balance_paisa), bank_references: 0 };
        writer.out.push_str(HEADER);
        writer.out.push('\n');
        writer.balance_row(params.from_date, "opening", i128::from(params.opening_balance_paisa));
        writer
    }

    fn next_bank_reference(&mut self) -> String {
        self.bank_references += 1;
        format!("FT{}{:09}", self.params.to_date.strftime("%y%m%d"), self.bank_references)
    }

    fn unidentified(&mut self, amount_paisa: Option<i64>) {
        if let Some(amount_paisa) = amount_paisa {
            let bank_reference = self.next_bank_reference();
            self.movement(self.params.to_date, Movement::Credit, amount_paisa, &bank_reference, "", "CASH DEPOSIT BY HAND");
        }
    }

    fn movement(&mut self, booking_date: Date, movement: Movement, amount_paisa: i64, bank_reference: &str, customer_reference: &str, narrative: &str) {
        let direction = match movement {
            Movement::Credit => {
                self.balance_paisa += i128::from(amount_paisa);
                "credit"
            }
            Movement::Debit => {
                self.balance_paisa -= i128::from(amount_paisa);
                "debit"
            }
        };
        self.statement_fields();
        self.out.push_str(&booking_date.to_string());
        self.out.push(',');
        self.out.push_str(&booking_date.to_string());
        self.out.push(',');
        self.out.push_str(direction);
        self.out.push(',');
        push_rupees(&mut self.out, i128::from(amount_paisa));
        self.out.push(',');
        csv_field(&mut self.out, Some(bank_reference));
        self.out.push(',');
        csv_field(&mut self.out, Some(customer_reference));
        self.out.push(',');
        csv_field(&mut self.out, Some(narrative));
        self.out.push('\n');
    }

    fn balance_row(&mut self, date: Date, kind: &str, balance_paisa: i128) {
        self.statement_fields();
        self.out.push_str(&date.to_string());
        self.out.push_str(",,");
        self.out.push_str(kind);
        self.out.push(',');
        push_rupees(&mut self.out, balance_paisa);
        self.out.push_str(",,,PKR\n");
    }

    /// `account,statement_id,` of every row.
    fn statement_fields(&mut self) {
        csv_field(&mut self.out, Some(&self.params.account_id));
        self.out.push(',');
        csv_field(&mut self.out, Some(&self.params.statement_id));
        self.out.push(',');
    }

    fn finish(mut self) -> String {
        self.balance_row(self.params.to_date, "closing", self.balance_paisa);
        self.out
    }
}

/// `count` payments as mahasil would expect them, paid on days spread over `paid_on`:
/// real challan numbers and unique receipt numbers (both 15 digits with their Damm check
/// digit, drawn from the same issuer counters as mahasil draws them: payment `i` is
/// challan counter `2i + 1` and receipt counter `2i + 2` of an issuer the seed picks),
/// amounts from PKR 500 to PKR 50,000, the three channels, and a handful of heads,
/// districts and banks. The same `seed` gives the same payments; different seeds below
/// 800,000 give different issuers, so their receipt numbers never meet while each makes
/// fewer than 50 million payments. Payments stop where the issuer numbers run out
/// (past issuer 999,999), which no test or benchmark comes near.
pub fn expected_credits(count: usize, paid_on: RangeInclusive<Date>, seed: u64) -> Vec<ExpectedCredit> {
    const HEADS: [&str; 5] = ["DA-ENC-01", "PC-PRICE-01", "FA-HYG-02", "ET-MVT-01", "LG-TLF-03"];
    const DISTRICTS: [&str; 6] = ["peshawar", "mardan", "swat", "abbottabad", "kohat", "dera-ismail-khan"];
    const BANKS: [&str; 5] = ["HBL", "NBP", "UBL", "BOK", "MCB"];
    /// A challan and its receipt take two counters.
    const PAYMENTS_PER_ISSUER: u64 = MAX_COUNTER as u64 / 2;
    let (first_day, last_day) = (*paid_on.start(), *paid_on.end());
    let days = first_day.until(last_day).map_or(0, |span| span.get_days()).max(0);
    let mut random = Lcg(seed ^ 0x6d61_6861_7369_6c00);
    let issuer_base = u64::from(IssuerNo::MIN) + seed % 800_000;
    (0..count)
        .map_while(|index| {
            let index = u64::try_from(index).ok()?;
            let issuer = IssuerNo::new(u32::try_from(issuer_base + index / PAYMENTS_PER_ISSUER).ok()?).ok()?;
            let counter = u32::try_from(2 * (index % PAYMENTS_PER_ISSUER) + 1).ok()?;
            let challan_no = ChallanNo::new(issuer, counter).ok()?.digits();
            let receipt_no = ChallanNo::new(issuer, counter + 1).ok()?.digits();
            let channel = match random.below(10) {
                0..=5 => "bank",
                6..=7 => "gateway",
                _ => "counter",
            };
            let bank = (channel != "gateway").then(|| pick(&BANKS, random.below(5)).to_owned());
            let day_offset = i64::try_from(random.below(u64::try_from(days).unwrap_or(0).saturating_add(1))).unwrap_or(0);
            Some(ExpectedCredit {
                reference: receipt_no,
                amount_paisa: i64::try_from(100 * (500 + random.below(49_501))).unwrap_or(i64::MAX),
                paid_on: jiff::Span::new().try_days(day_offset).ok().and_then(|span| first_day.checked_add(span).ok()).unwrap_or(last_day),
                channel: channel.to_owned(),
                bank,
                challan_no,
                head_code: pick(&HEADS, random.below(5)).to_owned(),
                district: pick(&DISTRICTS, random.below(6)).to_owned(),
            })
        })
        .collect()
}

fn pick<'a>(choices: &[&'a str], index: u64) -> &'a str {
    usize::try_from(index).ok().and_then(|index| choices.get(index)).copied().unwrap_or_default()
}

/// A fixed-seed generator (Knuth's MMIX constants), so a seed always gives the same data.
struct Lcg(u64);

impl Lcg {
    /// A number below `bound` (at least 1).
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn expected_credits_are_unique_and_inside_their_days() {
        let (first, last) = (date(2025, 1, 10), date(2025, 1, 15));
        let credits = expected_credits(2000, first..=last, 7);
        let references: std::collections::HashSet<&str> = credits.iter().map(|credit| credit.reference.as_str()).collect();
        assert_eq!(references.len(), credits.len());
        for credit in &credits {
            assert_eq!(credit.reference.len(), crate::RECEIPT_NO_DIGITS);
            assert!(ChallanNo::parse(&credit.reference).is_ok(), "receipt {}", credit.reference);
            assert!(ChallanNo::parse(&credit.challan_no).is_ok(), "challan {}", credit.challan_no);
            assert!(!references.contains(credit.challan_no.as_str()), "a challan number is never a receipt number");
            assert!((first..=last).contains(&credit.paid_on));
            assert!((50_000..=5_000_000).contains(&credit.amount_paisa));
        }
        assert_eq!(expected_credits(50, first..=last, 7), credits[..50]);
        assert_ne!(expected_credits(50, first..=last, 8), credits[..50]);
    }
}
