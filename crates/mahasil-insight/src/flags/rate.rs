//! Officers whose cancellation or waiver rate over a window stands far above their peers'.
//!
//! Cancelling or waiving one's own challans is how a fine collected privately disappears
//! from the books, so a rate well above everyone else's is worth a look. Small numbers make
//! rates noisy (one cancellation in three challans is 33%), and a province has hundreds of
//! officers, so some will look high by chance every day. The rule therefore asks three
//! things before it flags an officer:
//!
//! 1. enough challans in the window to judge ([`RateParams::min_challans`]);
//! 2. a rate too high to be chance: the exact binomial tail P(X ≥ k) at the peers' rate,
//!    multiplied by the number of officers tested (Bonferroni), below
//!    [`RateParams::family_alpha`];
//! 3. a rate high enough to matter: at least [`RateParams::min_ratio_to_peers`] times the
//!    peers' and [`RateParams::min_excess`] above it. With enough volume even 2.5% against 2%
//!    is "significant"; nobody should spend an afternoon on it.
//!
//! Peers are the other officers of the same department when there are enough of them
//! (departments cancel for different reasons: an encroachment drive is not a traffic post),
//! and every other officer in the scan otherwise. The officer's own challans never count
//! towards the peer rate.

use std::collections::BTreeMap;

use super::binomial::ln_upper_tail;
use super::flag::{Evidence, Flag, FlagKind, PeerScope};
use super::{by_subject, sentence, strongest_first};

/// Which rate is tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateKind {
    Cancellation,
    Waiver,
}

impl RateKind {
    fn flag_kind(self) -> FlagKind {
        match self {
            Self::Cancellation => FlagKind::CancellationRate,
            Self::Waiver => FlagKind::WaiverRate,
        }
    }

    fn key_word(self) -> &'static str {
        match self {
            Self::Cancellation => "cancel",
            Self::Waiver => "waive",
        }
    }

    fn noun_en(self) -> &'static str {
        match self {
            Self::Cancellation => "cancellation",
            Self::Waiver => "waiver",
        }
    }

    fn noun_ur(self) -> &'static str {
        match self {
            Self::Cancellation => "منسوخی",
            Self::Waiver => "معافی",
        }
    }
}

/// One officer's counts over the window. Repeated rows for one officer are added together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficerRate {
    pub officer: String,
    pub district: String,
    pub department: Option<String>,
    /// Challans issued in the window.
    pub n: u32,
    /// Of them cancelled (or waived). A row with k > n is inconsistent and skipped.
    pub k: u32,
}

/// Thresholds of [`rate_outliers`].
#[derive(Clone, Debug, PartialEq)]
pub struct RateParams {
    /// Fewer challans than this and the officer is not tested. Thirty is about two working
    /// days for a busy officer and two weeks for a quiet one; below it a single cancellation
    /// moves the rate by more than three points.
    pub min_challans: u32,
    /// The chance, across all officers tested in one scan, of flagging anyone whose true rate
    /// equals the peers'. In the simulated province of `rate/tests.rs` (200 officers, 2% ± 0.5
    /// points) this shows a false rate lead on about 1% of days, and an officer who moves to
    /// 15% is found in a median of 5 days. A tenth of it (0.1%) cuts false leads about
    /// sevenfold but costs a day of delay and misses more low-volume officers within 14 days.
    pub family_alpha: f64,
    /// The officer's rate must be at least this multiple of the peers'.
    pub min_ratio_to_peers: f64,
    /// ... and at least this much above it (a share: 0.03 is three percentage points), so
    /// that a 0.2% against 0.1% pair never reaches an auditor.
    pub min_excess: f64,
    /// A department is its own peer group when it has at least this many other officers.
    /// Fewer, and one unusual colleague would set everyone's benchmark.
    pub min_department_peers: usize,
    /// Peers with fewer challans than this in total give no benchmark and nobody is tested
    /// against them: the peer rate would itself be noise.
    pub min_peer_challans: u64,
}

impl Default for RateParams {
    fn default() -> Self {
        Self { min_challans: 30, family_alpha: 0.01, min_ratio_to_peers: 2.0, min_excess: 0.03, min_department_peers: 10, min_peer_challans: 300 }
    }
}

#[derive(Default)]
struct Totals {
    officers: usize,
    n: u64,
    k: u64,
}

impl Totals {
    fn add(&mut self, n: u32, k: u32) {
        self.officers += 1;
        self.n += u64::from(n);
        self.k += u64::from(k);
    }
}

struct Candidate<'a> {
    row: &'a OfficerRate,
    n: u32,
    k: u32,
    peers: Totals,
    scope: PeerScope,
    ln_p: f64,
}

/// Officers whose rate of `kind` over the window ending on Karachi day `window_end_day`
/// stands out from their peers'. The caller sums each officer's counts over the window and
/// chooses the population (a district, or the province); everyone in `officers` is a peer of
/// everyone else.
pub fn rate_outliers(kind: RateKind, officers: &[OfficerRate], window_end_day: i64, params: &RateParams) -> Vec<Flag> {
    let merged = merge(officers);
    let mut all = Totals::default();
    let mut by_department: BTreeMap<&str, Totals> = BTreeMap::new();
    for (row, n, k) in merged.values() {
        all.add(*n, *k);
        if let Some(department) = &row.department {
            by_department.entry(department).or_default().add(*n, *k);
        }
    }
    let candidates: Vec<Candidate<'_>> = merged
        .values()
        .filter(|(_, n, _)| *n >= params.min_challans)
        .filter_map(|&(row, n, k)| {
            let (peers, scope) = peers_of(row, n, k, &all, &by_department, params)?;
            // Half a challan each way keeps a spotless peer group (0 of 500) from making any
            // single cancellation infinitely surprising.
            let peer_rate_smoothed = (peers.k as f64 + 0.5) / (peers.n as f64 + 1.0);
            let ln_p = ln_upper_tail(u64::from(n), u64::from(k), peer_rate_smoothed);
            Some(Candidate { row, n, k, peers, scope, ln_p })
        })
        .collect();
    let tested = candidates.len();
    let ln_tested = (tested.max(1) as f64).ln();
    let flags = candidates
        .into_iter()
        .filter(|c| c.ln_p + ln_tested < params.family_alpha.ln())
        .filter(|c| {
            let (rate, peer_rate) = (f64::from(c.k) / f64::from(c.n), c.peers.k as f64 / c.peers.n as f64);
            rate >= params.min_ratio_to_peers * peer_rate && rate >= peer_rate + params.min_excess
        })
        .map(|c| flag(kind, &c, tested, window_end_day))
        .collect();
    strongest_first(flags)
}

/// One entry per officer id (in id order), counts added; inconsistent rows (k > n) dropped.
/// An officer listed under two departments (moved mid-window) counts in the one where they
/// issued more.
fn merge(officers: &[OfficerRate]) -> BTreeMap<&str, (&OfficerRate, u32, u32)> {
    let consistent = officers.iter().filter(|row| row.k <= row.n);
    by_subject(consistent, |row| row.officer.as_str(), |row| (row.n as usize, row.district.as_str(), row.department.as_deref()))
        .into_values()
        .map(|(main, rows)| {
            let n = rows.iter().fold(0_u32, |n, row| n.saturating_add(row.n));
            let k = rows.iter().fold(0_u32, |k, row| k.saturating_add(row.k)).min(n);
            (main.officer.as_str(), (main, n, k))
        })
        .collect()
}

fn peers_of(row: &OfficerRate, n: u32, k: u32, all: &Totals, by_department: &BTreeMap<&str, Totals>, params: &RateParams) -> Option<(Totals, PeerScope)> {
    let without_self = |t: &Totals| Totals { officers: t.officers.saturating_sub(1), n: t.n.saturating_sub(u64::from(n)), k: t.k.saturating_sub(u64::from(k)) };
    let department = row.department.as_deref().and_then(|d| by_department.get(d)).map(without_self);
    let (peers, scope) = match department {
        Some(peers) if peers.officers >= params.min_department_peers && peers.n >= params.min_peer_challans => (peers, PeerScope::Department),
        _ => (without_self(all), PeerScope::All),
    };
    (peers.officers > 0 && peers.n >= params.min_peer_challans.max(1)).then_some((peers, scope))
}

fn flag(kind: RateKind, c: &Candidate<'_>, tested: usize, window_end_day: i64) -> Flag {
    let rate = f64::from(c.k) / f64::from(c.n);
    let peer_rate = c.peers.k as f64 / c.peers.n as f64;
    let p_value = c.ln_p.exp();
    let p_adjusted = (c.ln_p + (tested as f64).ln()).exp().min(1.0);
    let (noun_en, noun_ur) = (kind.noun_en(), kind.noun_ur());
    let (rate_text, peer_text, p_text, end) =
        (sentence::percent(rate), sentence::percent(peer_rate), sentence::probability(p_adjusted), sentence::date(window_end_day));
    let (n, k, officer) = (c.n, c.k, &c.row.officer);
    let (peers_en, peers_ur) = match c.scope {
        PeerScope::Department => ("department peers", "شعبے کے ساتھی افسران"),
        PeerScope::All => ("peers", "ساتھی افسران"),
    };
    Flag {
        kind: kind.flag_kind(),
        subject: officer.clone(),
        key: format!("rate:{}:{officer}:{window_end_day}", kind.key_word()),
        district: c.row.district.clone(),
        department: c.row.department.clone(),
        // -log10 of the raw tail: how many orders of magnitude beyond chance.
        score: -c.ln_p / std::f64::consts::LN_10,
        evidence: Evidence::Rate {
            rate,
            peer_rate,
            n,
            k,
            peer_n: c.peers.n,
            peer_k: c.peers.k,
            peer_officers: c.peers.officers,
            peer_scope: c.scope,
            p_value,
            p_adjusted,
            officers_tested: tested,
            window_end_day,
        },
        summary_en: format!(
            "{noun_en} rate {rate_text} vs {peers_en} {peer_text}, n={n}, k={k} (p={p_text} after allowing for {tested} officers tested; window ending {end})"
        ),
        summary_ur: format!(
            "{noun_ur} کی شرح {rate_text} جبکہ {peers_ur} کی {peer_text}، n={n}، k={k} ({tested} افسران کی جانچ کے حساب سے p={p_text}؛ مدت {end} تک)"
        ),
        challans: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
