//! The anomaly rules behind the dashboard's flags.
//!
//! A flag is a lead for an auditor, never a verdict. Every rule here turns counts and
//! timestamps into a [`Flag`] that carries its evidence twice: as numbers ([`Evidence`]) and
//! as a sentence in English and in Urdu that quotes those numbers ("cancellation rate 12.0%
//! vs peers 2.1%, n=340"), so the person reading it can check the arithmetic and open the
//! challans listed with it. An honest officer can trip any of these rules (a night patrol,
//! a posting to another district, a slow field device); the flag asks a question.
//!
//! The rules, one file each:
//!
//! - [`rate_outliers`] (`rate`): officers whose cancellation or waiver rate over a window
//!   is far above their peers', by an exact binomial tail with a Bonferroni correction for
//!   the number of officers tested, and by a practical margin as well.
//! - [`duplicates`] (`duplicate`): the same head charged twice to the same person (CNIC) or
//!   vehicle within minutes.
//! - [`counter_gaps`] (`counter_gap`): counter numbers of an issuer that never arrived,
//!   though a later number did, long enough ago that a late sync no longer explains it.
//! - [`own_cancellation_after_inquiry`] (`inquiry`): an officer asking to cancel or waive
//!   their own challan soon after a bank looked its bill up, which is what collecting the
//!   fine in cash privately looks like from the ledger.
//! - [`unusual_hours`] (`hours`): a pattern of challans at hours when neither the officer nor
//!   their peers normally issue any.
//! - [`far_from_usual`] (`places`): challans far from where the officer usually works.
//! - [`Flag::revenue_shift`] (`flag`): the wording of a changepoint found elsewhere in a
//!   district's daily revenue.
//!
//! Each rule takes a params struct whose `Default` holds the tuned thresholds, each with the
//! reason for its value. Every function is pure: time comes in as Unix seconds (UTC) and a
//! `now` where one is needed; identifiers are plain strings so that this module depends on
//! no other crate of the workspace. Outputs are sorted (strongest first, then by key) so the
//! same input always yields the same list, and every flag has a stable `key`: the same lead
//! found again on a later scan gets the same key, which is how the dashboard deduplicates.

mod binomial;
mod counter_gap;
mod duplicate;
mod flag;
mod hours;
mod inquiry;
mod places;
mod rate;
mod sentence;
mod time;

#[cfg(test)]
mod properties;

use std::collections::BTreeMap;

pub use counter_gap::{CounterGapParams, IssuerCounters, counter_gaps};
pub use duplicate::{ChallanFacts, DuplicateParams, duplicates};
pub use flag::{Evidence, Flag, FlagKind, IdentityMatch, PeerScope, UnknownFlagKind};
pub use hours::{OfficerHours, UnusualHourParams, unusual_hours};
pub use inquiry::{Inquiry, InquiryParams, ReliefRequest, own_cancellation_after_inquiry};
pub use places::{FarFromUsualParams, OfficerPlaces, far_from_usual};
pub use rate::{OfficerRate, RateKind, RateParams, rate_outliers};
pub use time::{karachi_day, karachi_hour};

/// The most challan numbers one flag lists for the auditor to open. A cluster or pattern
/// larger than this still reports its full count in the evidence; twenty is what a person
/// will actually open before deciding.
pub const MAX_CHALLANS_PER_FLAG: usize = 20;

/// The most flags one rule returns from one scan, strongest first. A scan that finds more
/// than this is telling us the threshold or the data is wrong, not that a thousand officers
/// went bad on the same day; the dashboard shows the strongest and the count is bounded.
pub const MAX_FLAGS_PER_SCAN: usize = 1_000;

/// Entries grouped by subject (officer or issuer), in subject order. A subject listed more than
/// once (an officer moved mid-window) keeps all its entries; the first of the pair is the one
/// whose district and department its flag reports: the entry with the most behind it
/// (`weight().0`), then the smaller department and district, so that the choice never
/// depends on the order of the input.
fn by_subject<'a, T, K: Ord>(
    entries: impl IntoIterator<Item = &'a T>,
    subject: impl Fn(&'a T) -> K,
    weight: impl for<'b> Fn(&'b T) -> (usize, &'b str, Option<&'b str>),
) -> BTreeMap<K, (&'a T, Vec<&'a T>)> {
    let mut grouped: BTreeMap<K, (&'a T, Vec<&'a T>)> = BTreeMap::new();
    for entry in entries {
        let group = grouped.entry(subject(entry)).or_insert((entry, Vec::new()));
        let (candidate, current) = (weight(entry), weight(group.0));
        if candidate.0 > current.0 || (candidate.0 == current.0 && (candidate.2, candidate.1) < (current.2, current.1)) {
            group.0 = entry;
        }
        group.1.push(entry);
    }
    grouped
}

/// Sorts flags strongest first (then by key, so ties have one order) and keeps the first
/// [`MAX_FLAGS_PER_SCAN`].
fn strongest_first(mut flags: Vec<Flag>) -> Vec<Flag> {
    flags.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
    flags.truncate(MAX_FLAGS_PER_SCAN);
    flags
}
