//! The same head charged twice to the same offender within minutes.
//!
//! Two challans for one offence are either a field device retrying, two officers at the same
//! stop, or a challan issued to be "settled" while a second one goes to the books. Only an
//! auditor can tell which, so the rule looks for the pattern: same head, same offender and
//! a short time between them. The offender is the same when the CNIC matches or the vehicle
//! registration does, after both are written one way: a CNIC as its 13 digits, a vehicle
//! as uppercase letters and digits with spaces, hyphens and other marks dropped
//! ("psh 12-34" is "PSH1234"), because the same plate is typed differently by different
//! hands. Values that cannot identify anyone ("N/A", "0000000000000") are ignored rather than
//! linking every challan that carries them.
//!
//! Links chain: A and B ten minutes apart and B and C ten minutes apart make one cluster of
//! three, one flag. A challan already cancelled is left out: cancelling the second copy is
//! how a genuine mistake is put right.

use std::collections::BTreeMap;

use super::flag::{Evidence, Flag, FlagKind, IdentityMatch};
use super::{MAX_CHALLANS_PER_FLAG, sentence, strongest_first};

/// What the rule needs to know about one challan.
#[derive(Clone, Debug, PartialEq)]
pub struct ChallanFacts {
    pub challan_no: String,
    pub officer: String,
    pub district: String,
    pub department: Option<String>,
    /// Head code, e.g. `DA-ENC-01`.
    pub head: String,
    pub cnic: Option<String>,
    pub vehicle: Option<String>,
    pub issued_at: i64,
    pub lat: f64,
    pub lon: f64,
    pub issuer_no: u32,
    pub counter: u32,
    /// `issued`, `contested`, `paid`, `cancelled` or `waived`.
    pub status: String,
}

/// Thresholds of [`duplicates`].
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateParams {
    /// Two challans further apart than this are two offences. Thirty minutes covers a stop,
    /// a retry after a failed print and a second officer arriving; a vehicle fined again for
    /// the same head three hours later has usually offended again.
    pub window_secs: i64,
}

impl Default for DuplicateParams {
    fn default() -> Self {
        Self { window_secs: 30 * 60 }
    }
}

/// A CNIC written as its 13 digits, or nothing when it cannot identify a person.
fn normalise_cnic(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let placeholder = digits.chars().all(|c| digits.starts_with(c));
    (digits.len() == 13 && !placeholder).then_some(digits)
}

/// A registration as uppercase letters and digits, or nothing when it holds no plate (every
/// Pakistani plate has both letters and digits).
fn normalise_vehicle(raw: &str) -> Option<String> {
    let plate: String = raw.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect();
    let has_digit = plate.chars().any(|c| c.is_ascii_digit());
    let has_letter = plate.chars().any(char::is_alphabetic);
    (plate.len() >= 3 && has_digit && has_letter).then_some(plate)
}

/// Disjoint sets over challan indices, for chaining links into clusters.
struct Clusters {
    parent: Vec<usize>,
}

impl Clusters {
    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        // The earlier challan stays the root, so a cluster is named by its first challan.
        let (keep, fold) = if ra <= rb { (ra, rb) } else { (rb, ra) };
        self.parent[fold] = keep;
    }
}

/// A link between two challans of the same head and offender.
struct Link {
    earlier: usize,
    gap_secs: i64,
    matched_on: IdentityMatch,
}

/// Likely duplicates among `challans`: one flag per pair or chained cluster.
pub fn duplicates(challans: &[ChallanFacts], params: &DuplicateParams) -> Vec<Flag> {
    // Time order (challan number breaking ties), each challan once, cancelled ones left out.
    let mut ordered: Vec<&ChallanFacts> = challans.iter().filter(|c| c.status != "cancelled").collect();
    ordered.sort_by(|a, b| a.challan_no.cmp(&b.challan_no).then_with(|| a.issued_at.cmp(&b.issued_at)));
    ordered.dedup_by(|later, earlier| later.challan_no == earlier.challan_no);
    ordered.sort_by(|a, b| a.issued_at.cmp(&b.issued_at).then_with(|| a.challan_no.cmp(&b.challan_no)));

    let mut by_offender: BTreeMap<(&str, IdentityMatch, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in ordered.iter().enumerate() {
        if let Some(cnic) = c.cnic.as_deref().and_then(normalise_cnic) {
            by_offender.entry((&c.head, IdentityMatch::Cnic, cnic)).or_default().push(i);
        }
        if let Some(plate) = c.vehicle.as_deref().and_then(normalise_vehicle) {
            by_offender.entry((&c.head, IdentityMatch::Vehicle, plate)).or_default().push(i);
        }
    }
    let mut clusters = Clusters { parent: (0..ordered.len()).collect() };
    let mut links: Vec<Link> = Vec::new();
    for ((_, matched_on, _), members) in &by_offender {
        // Members are in time order, so linking neighbours chains everything within reach.
        for pair in members.windows(2) {
            let gap_secs = ordered[pair[1]].issued_at - ordered[pair[0]].issued_at;
            if gap_secs <= params.window_secs {
                clusters.join(pair[0], pair[1]);
                links.push(Link { earlier: pair[0], gap_secs, matched_on: *matched_on });
            }
        }
    }
    let mut by_root: BTreeMap<usize, (Vec<usize>, Vec<&Link>)> = BTreeMap::new();
    for link in &links {
        by_root.entry(clusters.root(link.earlier)).or_default().1.push(link);
    }
    for i in 0..ordered.len() {
        let root = clusters.root(i);
        if let Some((members, _)) = by_root.get_mut(&root) {
            members.push(i);
        }
    }
    let flags = by_root.values().filter_map(|(members, links)| flag(&ordered, members, links, params)).collect();
    strongest_first(flags)
}

fn flag(ordered: &[&ChallanFacts], members: &[usize], links: &[&Link], params: &DuplicateParams) -> Option<Flag> {
    let first = ordered.get(*members.first()?)?;
    let second = ordered.get(*members.get(1)?)?;
    let last = ordered.get(*members.last()?)?;
    let span_secs = last.issued_at - first.issued_at;
    let shortest_gap_secs = links.iter().map(|l| l.gap_secs).min()?;
    let mut matched_on: Vec<IdentityMatch> = links.iter().map(|l| l.matched_on).collect();
    matched_on.sort_unstable();
    matched_on.dedup();
    let mut officers: Vec<String> = members.iter().filter_map(|&i| ordered.get(i)).map(|c| c.officer.clone()).collect();
    officers.sort_unstable();
    officers.dedup();
    let count = members.len();
    let (what_en, what_ur) = match matched_on.as_slice() {
        [IdentityMatch::Cnic] => ("the same CNIC", "ایک ہی شناختی کارڈ"),
        [IdentityMatch::Vehicle] => ("the same vehicle", "ایک ہی گاڑی"),
        _ => ("the same CNIC and vehicle", "ایک ہی شناختی کارڈ اور گاڑی"),
    };
    let head = &first.head;
    let (span_en, span_ur) = (sentence::duration(span_secs), sentence::duration_ur(span_secs));
    let officers_en = if officers.len() == 1 { "by one officer".to_owned() } else { format!("by {} officers", officers.len()) };
    let officers_ur = if officers.len() == 1 { "ایک ہی افسر نے".to_owned() } else { format!("{} افسران نے", officers.len()) };
    let window = params.window_secs.max(1) as f64;
    Some(Flag {
        kind: FlagKind::Duplicate,
        subject: first.challan_no.clone(),
        key: format!("dup:{}:{}", first.challan_no, second.challan_no),
        district: first.district.clone(),
        department: first.department.clone(),
        // Each extra copy counts one; the closer the nearest pair, the more (up to one more).
        score: (count - 1) as f64 + (1.0 - shortest_gap_secs as f64 / window).clamp(0.0, 1.0),
        evidence: Evidence::Duplicate { head: head.clone(), matched_on, challan_count: count, span_secs, shortest_gap_secs, officers: officers.clone() },
        summary_en: format!("{count} challans under {head} for {what_en} within {span_en}, {officers_en}"),
        summary_ur: format!("{what_ur} پر {head} کے تحت {span_ur} کے اندر {count} چالان، {officers_ur} جاری کیے"),
        challans: members.iter().filter_map(|&i| ordered.get(i)).map(|c| c.challan_no.clone()).take(MAX_CHALLANS_PER_FLAG).collect(),
    })
}

#[cfg(test)]
mod tests;
