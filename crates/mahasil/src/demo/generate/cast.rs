//! Who works in the generated province: officers in every district (more where more people
//! live), each posted to one to three departments and working a beat of a few places, some
//! carrying a field device; supervisors who decide cancellations and waivers; two treasury
//! users per district for counter payments; and the banks people pay at. The demo's own
//! staff (`officer.peshawar`, `supervisor.peshawar`, ...) work alongside them, so signing in
//! as a demo user shows a full desk.

use std::sync::Arc;

use mahasil_domain::authz::{Grant, Role};
use mahasil_domain::jurisdiction::Slug;
use rand::Rng;
use rand::distributions::WeightedIndex;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use uuid::Uuid;

use super::super::catalogue::{DISTRICT_ADMINISTRATION, EXCISE_TAXATION, FOOD_AUTHORITY, HEADS, LOCAL_GOVERNMENT, PRICE_CONTROL};
use super::province::{District, km_between};

/// Challans an officer issues over the window, roughly: the officer count follows from it.
const CHALLANS_PER_OFFICER: u64 = 3_300;
/// Fewest and most generated officers in the province.
const MIN_OFFICERS: u64 = 70;
/// Officers every district has, however small.
const MIN_PER_DISTRICT: usize = 2;
pub(super) const MAX_OFFICERS: u64 = 3_000;
/// The fewest and most officers `--officers` may ask for: two in each of the 35 districts,
/// and well within the 8,192 staff the rollups' packed keys leave room for.
pub(super) const FEWEST_OFFICERS: u32 = 70;
pub(super) const MOST_OFFICERS: u32 = 5_000;
/// One field device for this many officers (at least [`MIN_DEVICES`]).
const OFFICERS_PER_DEVICE: usize = 10;
const MIN_DEVICES: usize = 4;
/// How far from its home spot a beat reaches, in kilometres.
const BEAT_KM: f64 = 4.0;
/// Officers per supervisor in a district.
const OFFICERS_PER_SUPERVISOR: usize = 25;

/// Departments officers are posted to, by how many officers each has.
const POSTINGS: [(&str, u32); 5] = [(DISTRICT_ADMINISTRATION, 40), (PRICE_CONTROL, 25), (FOOD_AUTHORITY, 15), (LOCAL_GOVERNMENT, 12), (EXCISE_TAXATION, 8)];

/// Banks people pay at (mnemonic, name, share of bank payments). The demo's bank is one.
pub(super) const BANKS: [(&str, &str, u32); 6] = [
    ("bok", "The Bank of Khyber", 24),
    ("hbl", "Habib Bank Limited", 22),
    ("nbp", "National Bank of Pakistan", 20),
    ("mcb", "MCB Bank Limited", 12),
    ("ubl", "United Bank Limited", 12),
    (super::super::DEMO_BANK, "Demo Bank", 10),
];

#[rustfmt::skip]
const GIVEN_NAMES: &[&str] = &[
    "Asad", "Bilal", "Fahad", "Hamza", "Imran", "Junaid", "Kamran", "Luqman", "Mansoor", "Naveed", "Owais", "Qaiser", "Rashid",
    "Sajid", "Tariq", "Usman", "Waqar", "Yasir", "Zahid", "Aamir", "Faisal", "Shahid", "Adnan", "Zeeshan", "Sana", "Ayesha",
    "Hina", "Mehwish", "Rabia", "Saima",
];

/// A staff user of the generated province.
#[derive(Debug, Clone)]
pub(super) struct Person {
    pub id: Uuid,
    pub username: Arc<str>,
    pub display_name: String,
    pub grants: Vec<Grant>,
    /// Created by the demo's own seeding, not here.
    pub demo_user: bool,
}

/// An officer and how they work.
#[derive(Debug, Clone)]
pub(super) struct Officer {
    pub person: Person,
    pub district: usize,
    /// Indices into the catalogue's heads the officer may issue, and their weights.
    pub heads: Vec<usize>,
    pub head_weights: Vec<u32>,
    /// Indices into the district's spots.
    pub beat: Vec<usize>,
    /// Relative share of the district's challans.
    pub activity: f64,
    pub device: Option<usize>,
}

/// One district's staff.
#[derive(Debug, Clone, Default)]
pub(super) struct Desk {
    pub officers: Vec<usize>,
    pub supervisors: Vec<Person>,
    /// The two treasury users who enter and approve counter payments.
    pub treasury: Vec<Person>,
}

/// A field device, before it is enrolled.
#[derive(Debug, Clone, Copy)]
pub(super) struct DevicePlan {
    pub id: Uuid,
    pub officer: usize,
}

pub(super) struct Cast {
    pub officers: Vec<Officer>,
    pub desks: Vec<Desk>,
    pub devices: Vec<DevicePlan>,
}

/// How many officers a province of `challans` challans has, unless told.
pub(super) fn officer_count(challans: u64) -> usize {
    usize::try_from((challans / CHALLANS_PER_OFFICER).clamp(MIN_OFFICERS, MAX_OFFICERS)).unwrap_or(usize::MAX)
}

/// `total` officers shared among the districts by population, [`MIN_PER_DISTRICT`] each
/// first and the rest by the largest remainders, so they add up to `total` exactly (or to
/// the minimum, if `total` is smaller).
fn shares(districts: &[District], total: usize) -> Vec<usize> {
    let people: f64 = districts.iter().map(|d| f64::from(d.people_k)).sum();
    let rest = total.saturating_sub(MIN_PER_DISTRICT * districts.len());
    let exact: Vec<f64> = districts.iter().map(|d| rest as f64 * f64::from(d.people_k) / people.max(1.0)).collect();
    let mut shares: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..districts.len()).collect();
    by_remainder.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let short = rest.saturating_sub(shares.iter().sum());
    for &i in by_remainder.iter().take(short) {
        shares[i] += 1;
    }
    shares.iter().map(|s| s + MIN_PER_DISTRICT).collect()
}

fn slug(s: &str) -> anyhow::Result<Slug> {
    Ok(Slug::parse(s)?)
}

fn display_name(rng: &mut StdRng, district: &District) -> String {
    let given = GIVEN_NAMES.choose(rng).copied().unwrap_or("Asad");
    let family = district.field.family_names.choose(rng).copied().unwrap_or("Khan");
    format!("{given} {family}")
}

fn person(id: Uuid, username: String, display_name: String, grants: Vec<Grant>) -> Person {
    Person { id, username: username.into(), display_name, grants, demo_user: false }
}

/// The heads `grants` let an officer issue, with their weights.
fn heads_of(grants: &[Grant]) -> (Vec<usize>, Vec<u32>) {
    let departments: Vec<&str> = grants.iter().filter(|g| g.role == Role::Officer).filter_map(|g| g.department.as_ref().map(Slug::as_str)).collect();
    HEADS.iter().enumerate().filter(|(_, h)| departments.contains(&h.department)).map(|(i, h)| (i, h.weight)).unzip()
}

/// Plans the staff of the province. `demo` are the demo's own users (id, username, grants),
/// already stored; `ids` makes each new user's id.
pub(super) fn plan(
    rng: &mut StdRng,
    districts: &[District],
    total: usize,
    demo: &[(Uuid, String, Vec<Grant>)],
    ids: &mut dyn FnMut(&mut StdRng) -> anyhow::Result<Uuid>,
) -> anyhow::Result<Cast> {
    let postings = WeightedIndex::new(POSTINGS.iter().map(|p| p.1))?;
    let mut officers = Vec::new();
    let mut desks: Vec<Desk> = vec![Desk::default(); districts.len()];
    for ((di, district), n) in districts.iter().enumerate().zip(shares(districts, total)) {
        for k in 1..=n {
            let mut departments: Vec<&str> = Vec::new();
            for _ in 0..rng.gen_range(1..=3) {
                let d = POSTINGS[rand::distributions::Distribution::sample(&postings, rng)].0;
                if !departments.contains(&d) {
                    departments.push(d);
                }
            }
            let grants = departments
                .iter()
                .map(|d| Ok(Grant { role: Role::Officer, district: Some(district.slug.clone()), department: Some(slug(d)?) }))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let who = person(ids(rng)?, format!("officer.{}.{k}", district.slug), display_name(rng, district), grants);
            officers.push(officer(rng, who, di, district));
        }
        let supervisors = (n / OFFICERS_PER_SUPERVISOR).clamp(1, 6);
        for k in 1..=supervisors {
            let grants = vec![Grant { role: Role::Supervisor, district: Some(district.slug.clone()), department: None }];
            desks[di].supervisors.push(person(ids(rng)?, format!("supervisor.{}.{k}", district.slug), display_name(rng, district), grants));
        }
        for k in 1..=2 {
            let grants = vec![Grant { role: Role::Treasury, district: Some(district.slug.clone()), department: None }];
            desks[di].treasury.push(person(ids(rng)?, format!("treasury.{}.{k}", district.slug), display_name(rng, district), grants));
        }
    }
    add_demo_staff(rng, districts, demo, &mut officers, &mut desks);
    for (i, o) in officers.iter().enumerate() {
        desks[o.district].officers.push(i);
    }
    let mut candidates: Vec<usize> = (0..officers.len()).collect();
    candidates.shuffle(rng);
    let devices: Vec<DevicePlan> = candidates
        .into_iter()
        .take((officers.len() / OFFICERS_PER_DEVICE).max(MIN_DEVICES))
        .map(|officer| Ok(DevicePlan { id: ids(rng)?, officer }))
        .collect::<anyhow::Result<_>>()?;
    for (i, d) in devices.iter().enumerate() {
        officers[d.officer].device = Some(i);
    }
    Ok(Cast { officers, desks, devices })
}

fn officer(rng: &mut StdRng, person: Person, district: usize, d: &District) -> Officer {
    let (heads, head_weights) = heads_of(&person.grants);
    // A beat is a home spot and a few others near it: officers work one part of a district.
    let home = rng.gen_range(0..d.spots.len().max(1));
    let near = |s: usize| d.spots.get(s).zip(d.spots.get(home)).is_some_and(|(a, b)| km_between((a.lat, a.lon), (b.lat, b.lon)) <= BEAT_KM);
    let mut spots: Vec<usize> = (0..d.spots.len()).filter(|&s| s != home && near(s)).collect();
    spots.shuffle(rng);
    spots.truncate(rng.gen_range(1..=3));
    spots.insert(0, home);
    // Some officers issue four times as many challans as others.
    let activity = 0.5 + 1.5 * rng.r#gen::<f64>().powi(2);
    Officer { person, district, heads, head_weights, beat: spots, activity, device: None }
}

/// The demo's officers issue in their districts; its supervisors and treasury user join
/// their districts' desks.
fn add_demo_staff(rng: &mut StdRng, districts: &[District], demo: &[(Uuid, String, Vec<Grant>)], officers: &mut Vec<Officer>, desks: &mut [Desk]) {
    for (id, username, grants) in demo {
        let Some(di) = grants.iter().find_map(|g| g.district.as_ref()).and_then(|s| districts.iter().position(|d| &d.slug == s)) else { continue };
        let who = Person { id: *id, username: username.as_str().into(), display_name: username.clone(), grants: grants.clone(), demo_user: true };
        if grants.iter().any(|g| g.role == Role::Officer) {
            officers.push(officer(rng, who, di, &districts[di]));
        } else if grants.iter().any(|g| g.role == Role::Supervisor) {
            desks[di].supervisors.push(who);
        } else if grants.iter().any(|g| g.role == Role::Treasury) {
            desks[di].treasury.insert(0, who);
        }
    }
}

/// The departments of the catalogue, for checks.
#[cfg(test)]
pub(super) fn department_slugs() -> Vec<&'static str> {
    super::super::catalogue::DEPARTMENTS.iter().map(|d| d.0).collect()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn officers_are_shared_by_population_and_add_up_exactly() -> anyhow::Result<()> {
        let districts = super::super::province::districts()?;
        for total in [70, 71, 150, 3_000, 4_999] {
            let shares = shares(&districts, total);
            assert_eq!(shares.iter().sum::<usize>(), total);
            assert!(shares.iter().all(|&n| n >= MIN_PER_DISTRICT), "{total}: {shares:?}");
        }
        let shares = shares(&districts, 3_000);
        let biggest = districts.iter().enumerate().max_by_key(|(_, d)| d.people_k).map_or(0, |(i, _)| i);
        let smallest = districts.iter().enumerate().min_by_key(|(_, d)| d.people_k).map_or(0, |(i, _)| i);
        assert!(shares[biggest] > 5 * shares[smallest], "{shares:?}");
        Ok(())
    }

    #[test]
    fn every_district_has_officers_supervisors_and_two_cashiers() -> anyhow::Result<()> {
        let districts = super::super::province::districts()?;
        let mut rng = StdRng::seed_from_u64(3);
        let mut next = 0u128;
        let cast = plan(&mut rng, &districts, officer_count(1_000_000), &[], &mut |_| {
            next += 1;
            Ok(Uuid::from_u128(next))
        })?;
        assert!(cast.officers.len() >= 300);
        for (i, desk) in cast.desks.iter().enumerate() {
            assert!(desk.officers.len() >= 2, "{}", districts[i].slug);
            assert!(!desk.supervisors.is_empty());
            assert!(desk.treasury.len() >= 2);
        }
        assert!(cast.officers.iter().all(|o| !o.heads.is_empty() && !o.beat.is_empty()));
        assert!(cast.devices.len() >= MIN_DEVICES);
        let departments = department_slugs();
        assert!(cast.officers.iter().flat_map(|o| o.person.grants.iter()).all(|g| g.department.as_ref().is_some_and(|d| departments.contains(&d.as_str()))));
        Ok(())
    }
}
