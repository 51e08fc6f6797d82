//! An officer asking to cancel or waive their own challan soon after a bank looked it up.
//!
//! A bill inquiry is a bank fetching the amount due because someone is at the counter or in
//! an app about to pay. When the officer who issued the challan asks, within a day or two of
//! that, for it to be cancelled or waived, the classic story is that the offender was told to
//! pay the officer instead and the challan is being made to disappear. Requests by anyone
//! else (a supervisor, a clerk), requests long after the inquiry, and inquiries after the
//! request (the offender checking that the cancellation went through) do not tell that story.

use std::collections::BTreeMap;

use super::flag::{Evidence, Flag, FlagKind};
use super::time::SECS_PER_HOUR;
use super::{sentence, strongest_first};

/// A request to cancel or waive a challan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReliefRequest {
    pub challan_no: String,
    /// The officer who issued the challan.
    pub officer: String,
    /// The user who asked for the relief.
    pub requested_by: String,
    pub requested_at: i64,
    pub district: String,
    pub department: Option<String>,
}

/// A bank's bill inquiry on a challan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inquiry {
    pub challan_no: String,
    pub at: i64,
    pub bank: String,
}

/// Thresholds of [`own_cancellation_after_inquiry`].
#[derive(Clone, Debug, PartialEq)]
pub struct InquiryParams {
    /// How long after an inquiry a request still looks like its answer. Forty-eight hours
    /// covers "come back tomorrow"; after ten days the request is more likely the ordinary
    /// correction of a mistake spotted in review.
    pub window_secs: i64,
}

impl Default for InquiryParams {
    fn default() -> Self {
        Self { window_secs: 48 * SECS_PER_HOUR }
    }
}

/// Requests by the challan's own issuing officer made within the window after a bill inquiry
/// on that challan.
pub fn own_cancellation_after_inquiry(requests: &[ReliefRequest], inquiries: &[Inquiry], params: &InquiryParams) -> Vec<Flag> {
    let mut by_challan: BTreeMap<&str, Vec<&Inquiry>> = BTreeMap::new();
    for inquiry in inquiries {
        by_challan.entry(&inquiry.challan_no).or_default().push(inquiry);
    }
    for list in by_challan.values_mut() {
        list.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.bank.cmp(&b.bank)));
    }
    let mut flags: Vec<Flag> = requests
        .iter()
        .filter(|r| r.requested_by == r.officer)
        .filter_map(|request| {
            let before: Vec<&Inquiry> = by_challan
                .get(request.challan_no.as_str())?
                .iter()
                .filter(|i| i.at <= request.requested_at && request.requested_at - i.at <= params.window_secs)
                .copied()
                .collect();
            let last = before.last()?;
            Some(flag(request, last, before.len(), params))
        })
        .collect();
    // The same request passed twice is one lead.
    flags.sort_by(|a, b| a.key.cmp(&b.key));
    flags.dedup_by(|a, b| a.key == b.key);
    strongest_first(flags)
}

fn flag(request: &ReliefRequest, last: &Inquiry, inquiries_in_window: usize, params: &InquiryParams) -> Flag {
    let secs_after_inquiry = request.requested_at - last.at;
    let (challan, officer, bank) = (&request.challan_no, &request.officer, &last.bank);
    let (after_en, after_ur, asked) =
        (sentence::duration(secs_after_inquiry), sentence::duration_ur(secs_after_inquiry), sentence::local_time(request.requested_at));
    let window = params.window_secs.max(1) as f64;
    let inquiries_en = if inquiries_in_window == 1 { "1 inquiry".to_owned() } else { format!("{inquiries_in_window} inquiries") };
    Flag {
        kind: FlagKind::OwnCancellationAfterInquiry,
        subject: challan.clone(),
        key: format!("inquiry:{challan}:{}", request.requested_at),
        district: request.district.clone(),
        department: request.department.clone(),
        // Each inquiry in the window is another attempt to pay; the sooner the request
        // followed the last one, the more it looks like its answer (up to one more).
        score: inquiries_in_window as f64 + (1.0 - secs_after_inquiry as f64 / window).clamp(0.0, 1.0),
        evidence: Evidence::OwnCancellationAfterInquiry {
            officer: officer.clone(),
            inquiry_at: last.at,
            bank: bank.clone(),
            requested_at: request.requested_at,
            secs_after_inquiry,
            inquiries_in_window,
        },
        summary_en: format!(
            "issuing officer {officer} asked to cancel or waive challan {challan} {after_en} after a bill inquiry by {bank} ({inquiries_en} in the window; asked {asked})"
        ),
        summary_ur: format!(
            "چالان {challan} جاری کرنے والے افسر {officer} نے {bank} کی بل انکوائری کے {after_ur} بعد خود منسوخی یا معافی کی درخواست دی ({inquiries_in_window} انکوائریاں؛ درخواست {asked})"
        ),
        challans: vec![challan.clone()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_772_323_200 + 5 * 3_600; // 2026-03-01 10:00 PKT
    const HOUR: i64 = 3_600;

    fn request(by: &str, hours: i64) -> ReliefRequest {
        ReliefRequest {
            challan_no: "260301000000017".into(),
            officer: "OFF-1".into(),
            requested_by: by.into(),
            requested_at: T0 + hours * HOUR,
            district: "swat".into(),
            department: Some("traffic".into()),
        }
    }

    fn inquiry(hours: i64, bank: &str) -> Inquiry {
        Inquiry { challan_no: "260301000000017".into(), at: T0 + hours * HOUR, bank: bank.into() }
    }

    #[test]
    fn the_issuing_officer_asking_three_hours_after_an_inquiry_is_flagged() {
        let flags = own_cancellation_after_inquiry(&[request("OFF-1", 3)], &[inquiry(0, "HBL"), inquiry(-100, "MCB")], &InquiryParams::default());
        assert_eq!(flags.len(), 1);
        let flag = &flags[0];
        assert_eq!(flag.key, format!("inquiry:260301000000017:{}", T0 + 3 * HOUR));
        assert_eq!(flag.challans, ["260301000000017"]);
        assert_eq!(
            flag.evidence,
            Evidence::OwnCancellationAfterInquiry {
                officer: "OFF-1".into(),
                inquiry_at: T0,
                bank: "HBL".into(),
                requested_at: T0 + 3 * HOUR,
                secs_after_inquiry: 3 * HOUR,
                inquiries_in_window: 1
            }
        );
        assert_eq!(
            flag.summary_en,
            "issuing officer OFF-1 asked to cancel or waive challan 260301000000017 3.0 h after a bill inquiry by HBL (1 inquiry in the window; asked 2026-03-01 13:00 PKT)"
        );
        assert!(flag.summary_ur.contains("3.0 گھنٹے") && flag.summary_ur.contains("HBL"));
    }

    #[test]
    fn repeated_inquiries_before_the_request_make_a_stronger_lead_and_the_last_one_is_quoted() {
        let once = own_cancellation_after_inquiry(&[request("OFF-1", 30)], &[inquiry(0, "HBL")], &InquiryParams::default());
        let thrice =
            own_cancellation_after_inquiry(&[request("OFF-1", 30)], &[inquiry(0, "HBL"), inquiry(20, "MCB"), inquiry(10, "HBL")], &InquiryParams::default());
        assert!(thrice[0].score > once[0].score);
        assert!(
            matches!(&thrice[0].evidence, Evidence::OwnCancellationAfterInquiry { bank, inquiries_in_window: 3, secs_after_inquiry: 36_000, .. } if bank == "MCB")
        );
    }

    #[test]
    fn the_same_officer_asking_ten_days_after_the_inquiry_is_not_flagged() {
        assert!(own_cancellation_after_inquiry(&[request("OFF-1", 240)], &[inquiry(0, "HBL")], &InquiryParams::default()).is_empty());
    }

    #[test]
    fn a_request_by_another_user_is_not_flagged() {
        assert!(own_cancellation_after_inquiry(&[request("SUP-4", 3)], &[inquiry(0, "HBL")], &InquiryParams::default()).is_empty());
    }

    #[test]
    fn an_inquiry_after_the_request_is_not_flagged() {
        assert!(own_cancellation_after_inquiry(&[request("OFF-1", 3)], &[inquiry(4, "HBL")], &InquiryParams::default()).is_empty());
    }

    #[test]
    fn an_inquiry_on_another_challan_is_not_flagged() {
        let other = Inquiry { challan_no: "260301000000025".into(), at: T0, bank: "HBL".into() };
        assert!(own_cancellation_after_inquiry(&[request("OFF-1", 3)], &[other], &InquiryParams::default()).is_empty());
    }
}
