//! Challans far from where the officer usually works.
//!
//! Officers are posted to a beat; a run of challans tens of kilometres away may be a
//! device lent out, challans written from a desk with a made-up place, or an officer working
//! outside their jurisdiction. The usual area is the coordinate-wise median of a sample of the
//! officer's past challans (robust: a few odd points do not move it) and a radius of
//! [`FarFromUsualParams::radius_multiple`] times the median distance of that sample from the
//! centre, never less than [`FarFromUsualParams::min_radius_km`]. Two rules flag:
//!
//! - at least [`FarFromUsualParams::min_far_challans`] recent challans beyond the radius (a
//!   pattern: one stop across the district line is part of the job), or
//! - a single challan beyond [`FarFromUsualParams::hard_km`] and beyond the radius, which is
//!   no beat at all. An officer whose own history ranges further (a highway patrol) has a
//!   larger radius and is not flagged for driving it.
//!
//! Points that are not coordinates (not finite, out of range, or exactly 0°, 0°, which is
//! what a device without a fix reports) are left out of both the history and the review.

use super::flag::{Evidence, Flag, FlagKind};
use super::time::karachi_day;
use super::{MAX_CHALLANS_PER_FLAG, by_subject, sentence, strongest_first};

/// The Earth's mean radius, for haversine distances.
const EARTH_RADIUS_KM: f64 = 6_371.0;

/// One officer's usual places and recent challans.
#[derive(Clone, Debug, PartialEq)]
pub struct OfficerPlaces {
    pub officer: String,
    pub district: String,
    pub department: Option<String>,
    /// (lat, lon) of a sample of the officer's past challans.
    pub usual: Vec<(f64, f64)>,
    /// (challan_no, lat, lon, issued_at) of the challans under review.
    pub recent: Vec<(String, f64, f64, i64)>,
}

/// Thresholds of [`far_from_usual`].
#[derive(Clone, Debug, PartialEq)]
pub struct FarFromUsualParams {
    /// Fewer past points than this and the officer has no usual area yet (a new posting).
    pub min_usual_points: usize,
    /// The smallest radius. A city officer's challans can sit within a kilometre of each
    /// other; five kilometres keeps the next bazaar from being "far", and is wider than
    /// phone GPS error in narrow streets.
    pub min_radius_km: f64,
    /// The radius as a multiple of the median distance from the centre: three times the
    /// typical spread holds nearly all of an officer's ordinary work.
    pub radius_multiple: f64,
    /// Recent challans beyond the radius needed for a flag.
    pub min_far_challans: usize,
    /// A single challan further than this (and beyond the radius) is flagged alone. Fifty
    /// kilometres is beyond any district's beat but less than the distance between most
    /// district headquarters.
    pub hard_km: f64,
}

impl Default for FarFromUsualParams {
    fn default() -> Self {
        Self { min_usual_points: 20, min_radius_km: 5.0, radius_multiple: 3.0, min_far_challans: 3, hard_km: 50.0 }
    }
}

/// Great-circle distance in kilometres.
pub(crate) fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let (dlat, dlon) = ((b.0 - a.0).to_radians(), (b.1 - a.1).to_radians());
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().clamp(0.0, 1.0).asin()
}

fn is_place(lat: f64, lon: f64) -> bool {
    lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 && !(lat == 0.0 && lon == 0.0)
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => values.get(mid).copied(),
        _ => Some((values.get(mid - 1)? + values.get(mid)?) / 2.0),
    }
}

/// Officers with recent challans outside their usual area.
pub fn far_from_usual(officers: &[OfficerPlaces], params: &FarFromUsualParams) -> Vec<Flag> {
    strongest_first(merge(officers).iter().filter_map(|o| flag(o, params)).collect())
}

/// One entry per officer id: repeated entries have their places added together.
fn merge(officers: &[OfficerPlaces]) -> Vec<OfficerPlaces> {
    by_subject(officers, |o| o.officer.as_str(), |o| (o.recent.len() + o.usual.len(), o.district.as_str(), o.department.as_deref()))
        .into_values()
        .map(|(main, entries)| OfficerPlaces {
            officer: main.officer.clone(),
            district: main.district.clone(),
            department: main.department.clone(),
            usual: entries.iter().flat_map(|e| e.usual.iter().copied()).collect(),
            recent: entries.iter().flat_map(|e| e.recent.iter().cloned()).collect(),
        })
        .collect()
}

fn flag(officer: &OfficerPlaces, params: &FarFromUsualParams) -> Option<Flag> {
    let usual: Vec<(f64, f64)> = officer.usual.iter().copied().filter(|&(lat, lon)| is_place(lat, lon)).collect();
    if usual.len() < params.min_usual_points.max(1) {
        return None;
    }
    let centre = (median(usual.iter().map(|p| p.0).collect())?, median(usual.iter().map(|p| p.1).collect())?);
    let spread = median(usual.iter().map(|&p| haversine_km(centre, p)).collect())?;
    let radius_km = (params.radius_multiple * spread).max(params.min_radius_km);
    let mut recent: Vec<(&str, f64, i64)> =
        officer.recent.iter().filter(|r| is_place(r.1, r.2)).map(|(no, lat, lon, at)| (no.as_str(), haversine_km(centre, (*lat, *lon)), *at)).collect();
    // Each challan once, its first listing by time.
    recent.sort_by(|a, b| a.0.cmp(b.0).then_with(|| a.2.cmp(&b.2)));
    recent.dedup_by(|later, earlier| later.0 == earlier.0);
    let recent_count = recent.len();
    let mut far: Vec<(&str, f64, i64)> = recent.into_iter().filter(|r| r.1 > radius_km).collect();
    // Farthest first, for the auditor's list; ties by challan number.
    far.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let &(farthest_challan, farthest_km, _) = far.first()?;
    if far.len() < params.min_far_challans && farthest_km <= params.hard_km {
        return None;
    }
    let first_day = karachi_day(far.iter().map(|r| r.2).min()?);
    let far_count = far.len();
    let (radius_text, farthest_text) = (sentence::km(radius_km), sentence::km(farthest_km));
    let name = &officer.officer;
    Some(Flag {
        kind: FlagKind::FarFromUsualArea,
        subject: name.clone(),
        key: format!("place:{name}:{first_day}"),
        district: officer.district.clone(),
        department: officer.department.clone(),
        // Each far challan counts one, plus how many radii out the farthest lies.
        score: far_count as f64 + farthest_km / radius_km,
        evidence: Evidence::FarFromUsualArea {
            centre_lat: centre.0,
            centre_lon: centre.1,
            radius_km,
            far_count,
            recent_count,
            farthest_km,
            farthest_challan: farthest_challan.to_owned(),
        },
        summary_en: format!(
            "{far_count} of {recent_count} recent challans by {name} issued beyond the usual {radius_text} radius; the farthest ({farthest_challan}) {farthest_text} from the usual centre"
        ),
        summary_ur: format!(
            "{name} کے {recent_count} حالیہ چالانوں میں سے {far_count} معمول کے علاقے ({radius_text}) سے باہر جاری ہوئے؛ سب سے دور ({farthest_challan}) مرکز سے {farthest_text}"
        ),
        challans: far.iter().map(|r| r.0.to_owned()).take(MAX_CHALLANS_PER_FLAG).collect(),
    })
}

#[cfg(test)]
mod tests;
