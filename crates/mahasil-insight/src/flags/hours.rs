//! A pattern of challans at hours when neither the officer nor their peers issue any.
//!
//! Challans written at 2 a.m. by an officer who works days, at hours when the whole
//! province writes almost none, may be back-dated, written away from any offence, or issued
//! by someone else with the officer's device. One late challan is a late shift; the rule
//! wants a pattern, [`UnusualHourParams::min_unusual_challans`] of them. Which hours are
//! unusual is read from the data, not assumed: an hour is unusual when the peers' share of
//! challans in it is below [`UnusualHourParams::max_peer_share`] and the officer's own
//! history share is below [`UnusualHourParams::max_officer_share`], so a night patrol whose
//! history is full of 01:00 challans is not flagged for working its shift. The caller's
//! history should end where `recent` begins, or a new habit hides itself.

use super::binomial::ln_upper_tail;
use super::flag::{Evidence, Flag, FlagKind};
use super::time::{karachi_day, karachi_hour};
use super::{MAX_CHALLANS_PER_FLAG, by_subject, sentence, strongest_first};

/// One officer's recent challans and their longer history by Karachi hour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficerHours {
    pub officer: String,
    pub district: String,
    pub department: Option<String>,
    /// (challan_no, issued_at) of the challans under review.
    pub recent: Vec<(String, i64)>,
    /// The officer's challans by Karachi local hour over a longer history.
    pub history_by_hour: [u32; 24],
}

/// Thresholds of [`unusual_hours`].
#[derive(Clone, Debug, PartialEq)]
pub struct UnusualHourParams {
    /// An hour is unusual for peers when less than this share of their challans fall in it.
    /// In KP's data the hours 23:00–05:00 each hold well under 1%, while the quietest daytime
    /// hour holds several percent, so 1% separates night from day without naming the hours.
    pub max_peer_share: f64,
    /// ... and for the officer when less than this share of their own history does (the
    /// same 1%: an hour the officer works in one shift of a hundred is not their habit).
    pub max_officer_share: f64,
    /// Recent challans in unusual hours needed for a flag. One or two are a late stop or a
    /// clock set wrong; five is a habit worth a question.
    pub min_unusual_challans: usize,
    /// Peers with fewer challans than this in total say nothing reliable about any hour.
    pub min_peer_challans: u64,
}

impl Default for UnusualHourParams {
    fn default() -> Self {
        Self { max_peer_share: 0.01, max_officer_share: 0.01, min_unusual_challans: 5, min_peer_challans: 1_000 }
    }
}

/// Officers with at least the minimum number of recent challans in hours when they and their
/// peers (`peers_by_hour`, challans by Karachi hour) almost never issue.
pub fn unusual_hours(officers: &[OfficerHours], peers_by_hour: [u32; 24], params: &UnusualHourParams) -> Vec<Flag> {
    let peer_total: u64 = peers_by_hour.iter().map(|&c| u64::from(c)).sum();
    if peer_total < params.min_peer_challans.max(1) {
        return Vec::new();
    }
    let flags = merge(officers).iter().filter_map(|o| flag(o, &peers_by_hour, peer_total, params)).collect();
    strongest_first(flags)
}

/// One entry per officer id: repeated entries have their challans and history added.
fn merge(officers: &[OfficerHours]) -> Vec<OfficerHours> {
    by_subject(officers, |o| o.officer.as_str(), |o| (o.recent.len(), o.district.as_str(), o.department.as_deref()))
        .into_values()
        .map(|(main, entries)| {
            let mut history_by_hour = [0_u32; 24];
            for entry in &entries {
                for (total, add) in history_by_hour.iter_mut().zip(entry.history_by_hour) {
                    *total = total.saturating_add(add);
                }
            }
            OfficerHours {
                officer: main.officer.clone(),
                district: main.district.clone(),
                department: main.department.clone(),
                recent: entries.iter().flat_map(|e| e.recent.iter().cloned()).collect(),
                history_by_hour,
            }
        })
        .collect()
}

fn share(counts: &[u32; 24], hours: impl Iterator<Item = u8>, total: u64) -> f64 {
    let in_hours: u64 = hours.map(|h| u64::from(counts[usize::from(h) % 24])).sum();
    if total == 0 { 0.0 } else { in_hours as f64 / total as f64 }
}

fn flag(officer: &OfficerHours, peers_by_hour: &[u32; 24], peer_total: u64, params: &UnusualHourParams) -> Option<Flag> {
    let own_total: u64 = officer.history_by_hour.iter().map(|&c| u64::from(c)).sum();
    let unusual = |h: u8| {
        share(peers_by_hour, std::iter::once(h), peer_total) < params.max_peer_share
            && share(&officer.history_by_hour, std::iter::once(h), own_total) < params.max_officer_share
    };
    let mut recent: Vec<&(String, i64)> = officer.recent.iter().collect();
    // Each challan once (its earliest listing), then in time order.
    recent.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    recent.dedup_by(|later, earlier| later.0 == earlier.0);
    recent.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let at_night: Vec<&(String, i64)> = recent.iter().copied().filter(|(_, at)| unusual(karachi_hour(*at))).collect();
    if at_night.len() < params.min_unusual_challans.max(1) {
        return None;
    }
    let mut hours: Vec<u8> = at_night.iter().map(|(_, at)| karachi_hour(*at)).collect();
    hours.sort_unstable();
    hours.dedup();
    let peer_share = share(peers_by_hour, hours.iter().copied(), peer_total);
    let officer_share = share(&officer.history_by_hour, hours.iter().copied(), own_total);
    let (count, recent_count) = (at_night.len(), recent.len());
    // How surprising that many would be if the officer issued like the peers; a share of zero
    // is taken as half a challan so the score stays finite.
    let expected_share = peer_share.max(0.5 / peer_total as f64);
    let ln_p = ln_upper_tail(recent_count as u64, count as u64, expected_share);
    let first_day = karachi_day(at_night.first()?.1);
    let hour_list = hours.iter().map(|h| format!("{h:02}:00")).collect::<Vec<_>>().join(", ");
    let (peer_text, own_text) = (sentence::percent(peer_share), sentence::percent(officer_share));
    let name = &officer.officer;
    Some(Flag {
        kind: FlagKind::UnusualHour,
        subject: name.clone(),
        key: format!("hour:{name}:{first_day}"),
        district: officer.district.clone(),
        department: officer.department.clone(),
        score: -ln_p / std::f64::consts::LN_10,
        evidence: Evidence::UnusualHour { unusual_count: count, recent_count, hours, peer_share, officer_share },
        summary_en: format!(
            "{count} of {recent_count} recent challans by {name} issued at hours when peers issue {peer_text} of theirs ({hour_list} PKT); the officer's own history {own_text}"
        ),
        summary_ur: format!(
            "{name} کے {recent_count} حالیہ چالانوں میں سے {count} ایسے اوقات ({hour_list}) میں جاری ہوئے جن میں ساتھی افسران کے صرف {peer_text} چالان ہوتے ہیں؛ افسر کا اپنا سابقہ تناسب {own_text}"
        ),
        challans: at_night.iter().map(|(no, _)| no.clone()).take(MAX_CHALLANS_PER_FLAG).collect(),
    })
}

#[cfg(test)]
mod tests;
