//! The flag every rule returns: what kind of lead, whom it is about, the numbers behind it,
//! and the two sentences that quote those numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::sentence;

/// What kind of lead a flag is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    CancellationRate,
    WaiverRate,
    Duplicate,
    CounterGap,
    OwnCancellationAfterInquiry,
    UnusualHour,
    FarFromUsualArea,
    RevenueShift,
}

impl FlagKind {
    pub const ALL: [FlagKind; 8] = [
        Self::CancellationRate,
        Self::WaiverRate,
        Self::Duplicate,
        Self::CounterGap,
        Self::OwnCancellationAfterInquiry,
        Self::UnusualHour,
        Self::FarFromUsualArea,
        Self::RevenueShift,
    ];

    /// The snake_case name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CancellationRate => "cancellation_rate",
            Self::WaiverRate => "waiver_rate",
            Self::Duplicate => "duplicate",
            Self::CounterGap => "counter_gap",
            Self::OwnCancellationAfterInquiry => "own_cancellation_after_inquiry",
            Self::UnusualHour => "unusual_hour",
            Self::FarFromUsualArea => "far_from_usual_area",
            Self::RevenueShift => "revenue_shift",
        }
    }

    pub fn parse(s: &str) -> Result<Self, UnknownFlagKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s).ok_or_else(|| UnknownFlagKind(s.to_owned()))
    }
}

impl fmt::Display for FlagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FlagKind {
    type Err = UnknownFlagKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a kind of flag")]
pub struct UnknownFlagKind(pub String);

/// Which officers a rate was compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerScope {
    /// The other officers of the same department (there were enough of them).
    Department,
    /// Every other officer in the scan.
    All,
}

/// What made two challans the same offender's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityMatch {
    Cnic,
    Vehicle,
}

/// The numbers behind a flag, one shape per kind. Personal identifiers (CNIC, vehicle
/// registration) are deliberately absent: the dashboard is read by more people than need
/// them, and the listed challans lead the auditor to them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Evidence {
    Rate {
        /// k / n.
        rate: f64,
        /// The peers' pooled rate, this officer excluded.
        peer_rate: f64,
        /// Challans the officer issued in the window.
        n: u32,
        /// Of them cancelled (or waived).
        k: u32,
        peer_n: u64,
        peer_k: u64,
        peer_officers: usize,
        peer_scope: PeerScope,
        /// One-sided binomial tail P(X ≥ k) at the peers' rate.
        p_value: f64,
        /// `p_value` times the number of officers tested, capped at 1 (Bonferroni).
        p_adjusted: f64,
        officers_tested: usize,
        window_end_day: i64,
    },
    Duplicate {
        head: String,
        matched_on: Vec<IdentityMatch>,
        challan_count: usize,
        /// From the first challan of the cluster to the last.
        span_secs: i64,
        /// The shortest time between two linked challans.
        shortest_gap_secs: i64,
        officers: Vec<String>,
    },
    CounterGap {
        issuer_no: u32,
        first_missing: u32,
        last_missing: u32,
        missing_count: u64,
        /// The first number received after the gap, and when.
        later_counter: u32,
        later_received_at: i64,
        /// How long ago (from the scan's `now`) the later number arrived.
        waited_secs: i64,
    },
    OwnCancellationAfterInquiry {
        officer: String,
        /// The last bill inquiry before the request.
        inquiry_at: i64,
        bank: String,
        requested_at: i64,
        secs_after_inquiry: i64,
        /// Inquiries on the challan within the window before the request.
        inquiries_in_window: usize,
    },
    UnusualHour {
        /// Recent challans issued in unusual hours.
        unusual_count: usize,
        recent_count: usize,
        /// The Karachi hours those challans fell in, ascending.
        hours: Vec<u8>,
        /// The peers' share of all their challans issued in those hours.
        peer_share: f64,
        /// The officer's own historical share of challans in those hours.
        officer_share: f64,
    },
    FarFromUsualArea {
        centre_lat: f64,
        centre_lon: f64,
        radius_km: f64,
        far_count: usize,
        recent_count: usize,
        farthest_km: f64,
        farthest_challan: String,
    },
    RevenueShift {
        /// Karachi day (since 1970-01-01) the new level starts.
        day: i64,
        before_paisa_per_day: i64,
        after_paisa_per_day: i64,
        /// (after − before) / before in percent; absent when `before` is zero.
        change_percent: Option<f64>,
        detected_day: i64,
    },
}

/// One lead for an auditor. See the module documentation: a flag asks a question, it does
/// not answer one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    /// Whom or what the lead is about: an officer id, a challan number, an issuer number or a
    /// district slug, depending on the kind.
    pub subject: String,
    /// Stable deduplication key: the same lead found again on a later scan has the same key.
    pub key: String,
    pub district: String,
    pub department: Option<String>,
    /// Larger is stronger; comparable between flags of the same kind only.
    pub score: f64,
    pub evidence: Evidence,
    pub summary_en: String,
    pub summary_ur: String,
    /// Challan numbers the auditor should open, at most [`super::MAX_CHALLANS_PER_FLAG`].
    pub challans: Vec<String>,
}

impl Flag {
    /// The flag for a level shift in a district's daily revenue, found by the changepoint
    /// detector: `day` is the Karachi day the new level starts, `detected_day` the day the
    /// detector was sure of it. Days are counted since 1970-01-01.
    pub fn revenue_shift(district: &str, day: i64, before_paisa_per_day: i64, after_paisa_per_day: i64, detected_day: i64) -> Flag {
        let change = i128::from(after_paisa_per_day) - i128::from(before_paisa_per_day);
        let change_percent = (before_paisa_per_day > 0).then(|| change as f64 / before_paisa_per_day as f64 * 100.0);
        let (moved_en, moved_ur) = match change.signum() {
            1 => ("rose", "بڑھ کر"),
            -1 => ("fell", "کم ہو کر"),
            _ => ("stayed", "برقرار رہ کر"),
        };
        let percent_text = change_percent.map(|p| format!(" ({p:+.0}%)")).unwrap_or_default();
        let (before, after) = (sentence::pkr(before_paisa_per_day), sentence::pkr(after_paisa_per_day));
        let (from, detected) = (sentence::date(day), sentence::date(detected_day));
        let largest = before_paisa_per_day.max(after_paisa_per_day).max(1) as f64;
        Flag {
            kind: FlagKind::RevenueShift,
            subject: district.to_owned(),
            key: format!("shift:{district}:{day}"),
            district: district.to_owned(),
            department: None,
            // The change as a share of the larger level: 0 for none, towards 1 for a collapse.
            score: (change.unsigned_abs() as f64 / largest).min(1.0),
            evidence: Evidence::RevenueShift { day, before_paisa_per_day, after_paisa_per_day, change_percent, detected_day },
            summary_en: format!("daily revenue in {district} {moved_en} from {before} to {after} per day{percent_text} from {from}, detected {detected}"),
            summary_ur: format!("{district} کی روزانہ آمدن {from} سے {before} یومیہ سے {moved_ur} {after} یومیہ ہو گئی{percent_text}؛ {detected} کو معلوم ہوا"),
            challans: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_back_from_its_name_and_serde_agrees() -> Result<(), Box<dyn std::error::Error>> {
        for kind in FlagKind::ALL {
            assert_eq!(FlagKind::parse(kind.as_str())?, kind);
            assert_eq!(kind.to_string().parse::<FlagKind>()?, kind);
            assert_eq!(serde_json::to_string(&kind)?, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(FlagKind::parse("CancellationRate"), Err(UnknownFlagKind("CancellationRate".into())));
        Ok(())
    }

    #[test]
    fn a_revenue_drop_of_a_third_is_worded_with_both_levels_and_both_days() -> Result<(), Box<dyn std::error::Error>> {
        // 2026-03-14 is day 20526; detected on 2026-03-20.
        let flag = Flag::revenue_shift("peshawar", 20_526, 12_000_000, 8_000_000, 20_532);
        assert_eq!(flag.kind, FlagKind::RevenueShift);
        assert_eq!(flag.key, "shift:peshawar:20526");
        assert_eq!(flag.summary_en, "daily revenue in peshawar fell from PKR 120,000.00 to PKR 80,000.00 per day (-33%) from 2026-03-14, detected 2026-03-20");
        for figure in ["PKR 120,000.00", "PKR 80,000.00", "(-33%)", "2026-03-14", "2026-03-20"] {
            assert!(flag.summary_ur.contains(figure), "{figure} missing from {}", flag.summary_ur);
        }
        assert!((flag.score - 1.0 / 3.0).abs() < 1e-9);
        let Evidence::RevenueShift { change_percent: Some(change), .. } = flag.evidence else {
            return Err("the evidence should carry the change".into());
        };
        assert!((change + 100.0 / 3.0).abs() < 1e-9);
        let back: Flag = serde_json::from_str(&serde_json::to_string(&flag)?)?;
        assert_eq!(back.key, flag.key);
        Ok(())
    }

    #[test]
    fn revenue_rising_from_nothing_has_no_percentage_but_full_score() {
        let flag = Flag::revenue_shift("swat", 20_000, 0, 50_000, 20_010);
        assert_eq!(
            flag.evidence,
            Evidence::RevenueShift { day: 20_000, before_paisa_per_day: 0, after_paisa_per_day: 50_000, change_percent: None, detected_day: 20_010 }
        );
        assert!(flag.summary_en.contains("rose from PKR 0.00 to PKR 500.00 per day from"));
        assert!((flag.score - 1.0).abs() < 1e-9);
    }
}
