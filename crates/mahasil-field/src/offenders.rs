//! Made-up offenders and challan forms for simulations and tests: valid CNICs and mobile
//! numbers, heads the officer may issue from the pulled reference data, and amounts within
//! each range schedule. Everything comes from the caller's random source, so a seed
//! replays the same forms.

use jiff::civil::Date;
use mahasil_domain::challan::{Location, Offender};
use mahasil_domain::head::{AmountRule, schedule_in_force};
use mahasil_domain::identity::{Cnic, Mobile, Text, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_sync::challan::{HeadRef, Reference};
use mahasil_sync::wire::OfficerState;
use rand::Rng;
use rand::seq::SliceRandom;

use crate::device::Form;
use crate::{FieldError, Result};

const NAMES: &[&str] = &["Gul Khan", "Ayesha Bibi", "Imran Afridi", "Sana Yousafzai", "Bilal Ahmad", "Noor Jehan", "Tariq Mahmood", "Farhat Shah"];
const PLACES: &[&str] = &["Saddar Road", "Qissa Khwani Bazaar", "University Road", "Ring Road", "Hayatabad Phase 3", "Karkhano Market"];
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

fn invalid(e: mahasil_domain::DomainError) -> FieldError {
    FieldError::CannotIssue(e.to_string())
}

/// A valid CNIC: 13 digits, not starting with 0.
pub fn random_cnic(rng: &mut impl Rng) -> Result<Cnic> {
    let first = rng.gen_range(1..=7);
    let rest: u64 = rng.gen_range(0..1_000_000_000_000);
    Cnic::parse(&format!("{first}{rest:012}")).map_err(invalid)
}

/// A valid Pakistani mobile number, `03XX-XXXXXXX`.
pub fn random_mobile(rng: &mut impl Rng) -> Result<Mobile> {
    Mobile::parse(&format!("03{:02}{:07}", rng.gen_range(0..50), rng.gen_range(0..10_000_000))).map_err(invalid)
}

fn random_vehicle(rng: &mut impl Rng) -> Result<VehicleNo> {
    let letters: String = (0..3).map(|_| char::from(LETTERS[rng.gen_range(0..LETTERS.len())])).collect();
    VehicleNo::parse(&format!("{letters}-{}", rng.gen_range(1..10_000))).map_err(invalid)
}

/// An offender with a valid CNIC and mobile, and a vehicle half the time.
pub fn random_offender(rng: &mut impl Rng) -> Result<Offender> {
    let name = NAMES.choose(rng).copied().unwrap_or("Gul Khan");
    Ok(Offender {
        name: Text::parse(name).map_err(invalid)?,
        cnic: random_cnic(rng)?,
        mobile: random_mobile(rng)?,
        email: None,
        vehicle_no: if rng.gen_bool(0.5) { Some(random_vehicle(rng)?) } else { None },
        business_name: None,
        address: None,
        language: None,
    })
}

/// Near Peshawar, with a street name.
pub fn random_location(rng: &mut impl Rng) -> Result<Location> {
    let text = Text::parse(PLACES.choose(rng).copied().unwrap_or("Saddar Road")).map_err(invalid)?;
    Location::new(34.0 + rng.gen_range(-0.05..0.05), 71.55 + rng.gen_range(-0.05..0.05), text).map_err(invalid)
}

/// The heads the officer may issue in a district with a schedule in force on `date`.
fn issuable<'a>(reference: &'a Reference, officer: &OfficerState, date: Date) -> Vec<(&'a str, &'a HeadRef)> {
    let mut found = Vec::new();
    for pair in &officer.scope {
        let Some(district) = reference.districts.iter().find(|d| d.slug == pair.district) else { continue };
        for head in reference.heads.iter().filter(|h| h.head.active && h.head.department.as_str() == pair.department) {
            if schedule_in_force(&head.schedules, date).is_some() {
                found.push((district.slug.as_str(), head));
            }
        }
    }
    found
}

/// A form for a random offender, head and district the officer may issue on `date`
/// (Pakistan time), with an amount inside the range when the schedule is one.
pub fn random_form(rng: &mut impl Rng, reference: &Reference, officer: &OfficerState, date: Date) -> Result<Form> {
    let choices = issuable(reference, officer, date);
    let (district, head) = choices.choose(rng).ok_or_else(|| FieldError::CannotIssue(format!("no head of {} can be issued on {date}", officer.username)))?;
    let amount = match schedule_in_force(&head.schedules, date).map(|s| s.amount) {
        Some(AmountRule::Range { min_paisa, max_paisa }) => Some(Paisa::new(rng.gen_range(min_paisa.get()..=max_paisa.get())).map_err(invalid)?),
        _ => None,
    };
    Ok(Form {
        head_code: head.head.code.clone(),
        amount,
        district: Slug::parse(district).map_err(invalid)?,
        offender: random_offender(rng)?,
        location: random_location(rng)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    type R = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn offenders_are_valid_and_a_seed_replays_them() -> R {
        let draw = |seed| -> Result<Vec<Offender>> {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..200).map(|_| random_offender(&mut rng)).collect()
        };
        let first = draw(11)?;
        assert_eq!(first, draw(11)?);
        assert_ne!(first, draw(12)?);
        for o in &first {
            assert_eq!(Cnic::parse(o.cnic.as_str())?, o.cnic);
            assert_eq!(Mobile::parse(o.mobile.as_str())?, o.mobile);
        }
        assert!(first.iter().any(|o| o.vehicle_no.is_some()) && first.iter().any(|o| o.vehicle_no.is_none()));
        Ok(())
    }
}
