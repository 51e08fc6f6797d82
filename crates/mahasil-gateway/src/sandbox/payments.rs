//! The sandbox's book of payments and the rules of their life: one payment per merchant
//! reference, `pending` → `succeeded` | `failed`, decided once — except that a late success
//! may turn one `failed` into `succeeded`. Pure: ids, times and outcomes are passed in.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use reqwest::Url;

use crate::protocol::{CreatePayment, MAX_AMOUNT_PAISA, MAX_DESCRIPTION_CHARS, MAX_MERCHANT_REFERENCE_CHARS, MAX_URL_BYTES, PaymentStatus, Status};

/// Most payments one sandbox holds (it keeps them in memory).
pub const MAX_PAYMENTS: usize = 100_000;

/// A payment request whose every field was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    merchant_reference: String,
    amount_paisa: i64,
    description: String,
    return_url: Url,
    callback_url: Url,
}

impl NewPayment {
    /// Checks every field; on failure, each field's problem keyed by the field's name.
    pub fn parse(request: CreatePayment) -> Result<Self, BTreeMap<String, String>> {
        let mut problems = BTreeMap::new();
        let reference_chars = request.merchant_reference.chars().count();
        if reference_chars == 0 || reference_chars > MAX_MERCHANT_REFERENCE_CHARS || request.merchant_reference.chars().any(char::is_control) {
            problems.insert("merchant_reference".into(), format!("must be 1 to {MAX_MERCHANT_REFERENCE_CHARS} characters, none of them control characters"));
        }
        if !(1..=MAX_AMOUNT_PAISA).contains(&request.amount_paisa) {
            problems.insert("amount_paisa".into(), format!("must be a whole number of paisa from 1 to {MAX_AMOUNT_PAISA}"));
        }
        if request.description.chars().count() > MAX_DESCRIPTION_CHARS || request.description.chars().any(char::is_control) {
            problems.insert("description".into(), format!("must be at most {MAX_DESCRIPTION_CHARS} characters, none of them control characters"));
        }
        let return_url = web_url(&request.return_url).map_err(|p| problems.insert("return_url".into(), p)).ok();
        let callback_url = web_url(&request.callback_url).map_err(|p| problems.insert("callback_url".into(), p)).ok();
        match (return_url, callback_url) {
            (Some(return_url), Some(callback_url)) if problems.is_empty() => Ok(Self {
                merchant_reference: request.merchant_reference,
                amount_paisa: request.amount_paisa,
                description: request.description,
                return_url,
                callback_url,
            }),
            _ => Err(problems),
        }
    }
}

fn web_url(text: &str) -> Result<Url, String> {
    let problem = || format!("must be an absolute http or https URL of at most {MAX_URL_BYTES} bytes");
    if text.len() > MAX_URL_BYTES {
        return Err(problem());
    }
    let url = Url::parse(text).map_err(|_| problem())?;
    if matches!(url.scheme(), "http" | "https") && url.host().is_some() { Ok(url) } else { Err(problem()) }
}

/// One payment as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// What the merchant API tells about it.
    pub state: PaymentStatus,
    pub description: String,
    pub return_url: Url,
    pub callback_url: Url,
    pub created_at: Timestamp,
    /// Set while a late success is still to come for a failed payment.
    late_success_due: bool,
}

/// How a payment is decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Succeed,
    Fail(String),
    /// Fail now with this reason; [`Payments::late_success`] makes it succeed later.
    FailThenSucceed(String),
}

/// What asking for a payment gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    New(Payment),
    /// The reference was used before with the same amount: that payment again.
    Existing(Payment),
    /// The reference was used before with another amount.
    AmountConflict {
        existing_amount_paisa: i64,
    },
    /// The book holds [`MAX_PAYMENTS`] already.
    Full,
}

/// What deciding a payment did.
#[derive(Debug, PartialEq, Eq)]
pub enum Decided<'a> {
    /// The status changed: a callback is due.
    Changed(&'a Payment),
    /// It had been decided before and stays as it was.
    Unchanged(&'a Payment),
    NotFound,
}

/// Every payment of one sandbox, by id and by merchant reference.
#[derive(Debug, Default)]
pub struct Payments {
    by_id: HashMap<String, Payment>,
    id_by_reference: HashMap<String, String>,
}

impl Payments {
    pub fn get(&self, payment_id: &str) -> Option<&Payment> {
        self.by_id.get(payment_id)
    }

    /// A new pending payment with id `payment_id`, unless the reference is taken.
    pub fn create(&mut self, new: NewPayment, payment_id: String, now: Timestamp) -> Created {
        if let Some(existing) = self.id_by_reference.get(&new.merchant_reference).and_then(|id| self.by_id.get(id)) {
            return if existing.state.amount_paisa == new.amount_paisa {
                Created::Existing(existing.clone())
            } else {
                Created::AmountConflict { existing_amount_paisa: existing.state.amount_paisa }
            };
        }
        if self.by_id.len() >= MAX_PAYMENTS {
            return Created::Full;
        }
        let payment = Payment {
            state: PaymentStatus {
                payment_id: payment_id.clone(),
                merchant_reference: new.merchant_reference.clone(),
                amount_paisa: new.amount_paisa,
                status: Status::Pending,
                paid_at: None,
                failure_reason: None,
                gateway_reference: None,
            },
            description: new.description,
            return_url: new.return_url,
            callback_url: new.callback_url,
            created_at: now,
            late_success_due: false,
        };
        self.id_by_reference.insert(new.merchant_reference, payment_id.clone());
        self.by_id.insert(payment_id, payment.clone());
        Created::New(payment)
    }

    /// Decides a pending payment; `gateway_reference` is the card transaction's reference,
    /// if a card was tried. A decided payment is left as it is.
    pub fn decide(&mut self, payment_id: &str, decision: Decision, gateway_reference: Option<String>, now: Timestamp) -> Decided<'_> {
        let Some(payment) = self.by_id.get_mut(payment_id) else { return Decided::NotFound };
        if payment.state.status != Status::Pending {
            return Decided::Unchanged(payment);
        }
        payment.state.gateway_reference = gateway_reference;
        match decision {
            Decision::Succeed => {
                payment.state.status = Status::Succeeded;
                payment.state.paid_at = Some(now);
            }
            Decision::Fail(reason) => {
                payment.state.status = Status::Failed;
                payment.state.failure_reason = Some(reason);
            }
            Decision::FailThenSucceed(reason) => {
                payment.state.status = Status::Failed;
                payment.state.failure_reason = Some(reason);
                payment.late_success_due = true;
            }
        }
        Decided::Changed(payment)
    }

    /// The late success of a payment decided with [`Decision::FailThenSucceed`]; `None` for
    /// any other payment, or if it came already.
    pub fn late_success(&mut self, payment_id: &str, now: Timestamp) -> Option<&Payment> {
        let payment = self.by_id.get_mut(payment_id)?;
        if !payment.late_success_due || payment.state.status != Status::Failed {
            return None;
        }
        payment.late_success_due = false;
        payment.state.status = Status::Succeeded;
        payment.state.paid_at = Some(now);
        payment.state.failure_reason = None;
        Some(payment)
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, clippy::panic, reason = "a test fails loudly")]

    use super::*;

    fn request(reference: &str, amount_paisa: i64) -> CreatePayment {
        CreatePayment {
            merchant_reference: reference.into(),
            amount_paisa,
            description: "Challan".into(),
            return_url: "http://merchant.example/return?x=1".into(),
            callback_url: "https://merchant.example/callback".into(),
        }
    }

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    fn book_with(reference: &str, amount_paisa: i64) -> Payments {
        let mut book = Payments::default();
        assert!(matches!(book.create(NewPayment::parse(request(reference, amount_paisa)).unwrap(), "pay_1".into(), at(1)), Created::New(_)));
        book
    }

    #[test]
    fn every_field_is_checked_and_each_problem_named() {
        assert!(NewPayment::parse(request("r", 1)).is_ok());
        assert!(NewPayment::parse(request(&"r".repeat(64), MAX_AMOUNT_PAISA)).is_ok());
        let mut bad = request(&"r".repeat(65), 0);
        bad.description = "d".repeat(201);
        bad.return_url = "javascript:alert(1)".into();
        bad.callback_url = "/relative".into();
        let problems = NewPayment::parse(bad).unwrap_err();
        assert_eq!(problems.keys().collect::<Vec<_>>(), ["amount_paisa", "callback_url", "description", "merchant_reference", "return_url"]);
        assert!(NewPayment::parse(request("", 1)).is_err());
        assert!(NewPayment::parse(request("a\nb", 1)).is_err());
        assert!(NewPayment::parse(request("r", -5)).is_err());
        assert!(NewPayment::parse(request("r", MAX_AMOUNT_PAISA + 1)).is_err());
    }

    #[test]
    fn one_reference_is_one_payment() {
        let mut book = book_with("r-1", 500);
        assert!(
            matches!(book.create(NewPayment::parse(request("r-1", 500)).unwrap(), "pay_2".into(), at(2)), Created::Existing(p) if p.state.payment_id == "pay_1")
        );
        assert_eq!(book.create(NewPayment::parse(request("r-1", 600)).unwrap(), "pay_3".into(), at(3)), Created::AmountConflict { existing_amount_paisa: 500 });
        assert!(book.get("pay_2").is_none() && book.get("pay_3").is_none());
    }

    #[test]
    fn a_decided_payment_stays_decided() {
        let mut book = book_with("r-1", 500);
        let Decided::Changed(p) = book.decide("pay_1", Decision::Succeed, Some("gw_1".into()), at(10)) else { panic!("not decided") };
        assert_eq!((p.state.status, p.state.paid_at, p.state.gateway_reference.as_deref()), (Status::Succeeded, Some(at(10)), Some("gw_1")));
        assert!(
            matches!(book.decide("pay_1", Decision::Fail("card declined".into()), None, at(11)), Decided::Unchanged(p) if p.state.status == Status::Succeeded)
        );
        assert!(book.late_success("pay_1", at(12)).is_none());
        assert_eq!(book.decide("pay_2", Decision::Succeed, None, at(10)), Decided::NotFound);
    }

    #[test]
    fn a_late_success_turns_its_failure_into_success_once() {
        let mut book = book_with("r-1", 500);
        assert!(book.late_success("pay_1", at(5)).is_none(), "a pending payment has no late success");
        let Decided::Changed(p) = book.decide("pay_1", Decision::FailThenSucceed("timeout".into()), Some("gw_1".into()), at(10)) else { panic!("not decided") };
        assert_eq!((p.state.status, p.state.failure_reason.as_deref()), (Status::Failed, Some("timeout")));
        let p = book.late_success("pay_1", at(13)).unwrap();
        assert_eq!((p.state.status, p.state.paid_at, p.state.failure_reason.as_deref()), (Status::Succeeded, Some(at(13)), None));
        assert_eq!(p.state.gateway_reference.as_deref(), Some("gw_1"));
        assert!(book.late_success("pay_1", at(14)).is_none());
    }

    #[test]
    fn a_plain_failure_has_no_late_success() {
        let mut book = book_with("r-1", 500);
        assert!(matches!(book.decide("pay_1", Decision::Fail("cancelled by payer".into()), None, at(10)), Decided::Changed(_)));
        assert!(book.late_success("pay_1", at(13)).is_none());
        assert_eq!(book.get("pay_1").unwrap().state.status, Status::Failed);
    }
}
