//! Made-up but realistic offenders and places for demo challans: Pashto and Urdu names,
//! CNICs of KP area codes, Pakistani mobile numbers, local number plates, shop names and
//! addresses. Everything is drawn from a seeded random generator, so a seed always gives
//! the same people.

use mahasil_domain::challan::{Location, Offender};
use mahasil_domain::identity::{Cnic, Mobile, Text, VehicleNo};
use mahasil_domain::notice::Language;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::catalogue::{EXCISE_TAXATION, FOOD_AUTHORITY, HeadSpec, PRICE_CONTROL, Subject};
use super::localities::FieldDistrict;

#[rustfmt::skip]
const MEN: &[&str] = &[
    "Muhammad Imran", "Shah Faisal", "Gul Zaman", "Noor Muhammad", "Zar Wali", "Sher Alam", "Habib Ullah", "Ikram Ullah",
    "Fazal Hadi", "Bakht Zada", "Amjad Ali", "Naveed Akhtar", "Rahim Gul", "Jehangir", "Sajjad Hussain", "Wali Muhammad",
    "Abdul Qadir", "Mian Gul", "Fida Muhammad", "Said Rahman", "Inam Ullah", "Khalid Mehmood", "Asfandyar", "Zubair Ahmad",
    "Irfan Ullah", "Hazrat Ali", "Saeed Anwar", "Taj Muhammad", "Akbar Ali", "Riaz Ahmad", "Umar Farooq", "Shaukat Ali",
    "Aftab Alam", "Zahid Hussain", "Sardar Ali", "Hidayat Ullah", "Janas Khan", "Bilal Ahmad", "Waqas Ahmad", "Adnan Khan",
];

#[rustfmt::skip]
const WOMEN: &[&str] = &["Nasreen Bibi", "Gul Naz", "Zarmina", "Bushra", "Farzana", "Shaheen", "Nagina", "Palwasha", "Mehreen", "Shabana"];

#[rustfmt::skip]
const SHOP_NAMES: &[&str] = &[
    "Al-Madina", "Bismillah", "Khyber", "Haji Sahib", "New", "Sarhad", "Zam Zam", "Al-Rehman", "Madni", "Al-Habib", "Mashallah",
    "Pak", "Chitrali", "Frontier", "Shinwari", "Yousafzai", "Quetta", "Subhan", "Al-Fateh", "Hamza",
];

#[rustfmt::skip]
const FOOD_BUSINESSES: &[&str] = &[
    "Chapli Kabab House", "Tikka House", "Sweets and Bakers", "Milk Shop", "Karahi Restaurant", "Hotel and Restaurant",
    "Naan Shop", "Fast Food", "Dairy", "Juice Corner", "Tea Stall", "Biryani Centre",
];

/// Sellers of the essential goods whose prices the district notifies.
#[rustfmt::skip]
const GROCERS: &[&str] = &[
    "General Store", "Fruit Shop", "Vegetable Stall", "Meat Shop", "Poultry", "Atta Chakki", "Ghee Traders", "Karyana Store",
    "Sugar Dealers", "Cold Drinks Agency",
];

#[rustfmt::skip]
const SHOPS: &[&str] = &["Cloth House", "Mobile Shop", "Electronics", "Hardware Store", "Shoe Palace", "Furniture House", "Auto Parts"];

#[rustfmt::skip]
const PROFESSIONS: &[&str] = &[
    "Medical Store", "Dental Clinic", "Travel Agency", "Property Dealers", "Jewellers", "Diagnostic Laboratory", "Law Associates",
    "Computer Institute", "Marriage Hall", "Private School",
];

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> anyhow::Result<T> {
    items.choose(rng).copied().ok_or_else(|| anyhow::anyhow!("nothing to choose from"))
}

fn text(s: &str) -> anyhow::Result<Text> {
    Ok(Text::parse(s)?)
}

/// A CNIC of the district's area codes; the last digit is odd for men, even for women.
fn cnic(rng: &mut StdRng, district: &FieldDistrict, woman: bool) -> anyhow::Result<Cnic> {
    let prefix = pick(rng, district.cnic_prefixes)?;
    let middle: u32 = rng.gen_range(0..10_000_000);
    let last = 2 * rng.gen_range(0..5u32) + u32::from(!woman);
    Ok(Cnic::parse(&format!("{prefix}-{middle:07}-{last}"))?)
}

/// A mobile number of one of the networks' 030x..034x series.
fn mobile(rng: &mut StdRng) -> anyhow::Result<Mobile> {
    let network: u32 = rng.gen_range(0..50);
    let subscriber: u32 = rng.gen_range(0..10_000_000);
    Ok(Mobile::parse(&format!("03{network:02}-{subscriber:07}"))?)
}

/// A local plate, now and then one from Lahore (`LES-19-1234`).
fn vehicle(rng: &mut StdRng, district: &FieldDistrict) -> anyhow::Result<VehicleNo> {
    let plate = if rng.gen_bool(0.1) {
        format!("LES-{}-{}", rng.gen_range(10..25), rng.gen_range(1000..10_000))
    } else {
        format!("{}-{}", pick(rng, district.plate_series)?, rng.gen_range(100..10_000))
    };
    Ok(VehicleNo::parse(&plate)?)
}

fn business_name(rng: &mut StdRng, head: &HeadSpec, spot: &str) -> anyhow::Result<String> {
    if head.code == "LG-PRK-01" {
        return Ok(format!("Parking stand, {spot}"));
    }
    let kinds = match head.department {
        FOOD_AUTHORITY => FOOD_BUSINESSES,
        PRICE_CONTROL if rng.gen_bool(0.4) => FOOD_BUSINESSES,
        PRICE_CONTROL => GROCERS,
        EXCISE_TAXATION => PROFESSIONS,
        _ if rng.gen_bool(0.5) => GROCERS,
        _ => SHOPS,
    };
    Ok(format!("{} {}", pick(rng, SHOP_NAMES)?, pick(rng, kinds)?))
}

fn address(rng: &mut StdRng, district: &FieldDistrict) -> anyhow::Result<String> {
    Ok(format!("House {}, Street {}, {}, {}", rng.gen_range(1..400), rng.gen_range(1..30), pick(rng, district.neighbourhoods)?, district.name_en))
}

/// The person (and vehicle, business or property) a challan under `head` is addressed to.
pub(super) fn offender(rng: &mut StdRng, head: &HeadSpec, district: &FieldDistrict, spot: &str) -> anyhow::Result<Offender> {
    let woman = head.subject != Subject::Vehicle && rng.gen_bool(0.08);
    let given = pick(rng, if woman { WOMEN } else { MEN })?;
    let name = format!("{given} {}", pick(rng, district.family_names)?);
    let (vehicle_no, business_name) = match head.subject {
        Subject::Vehicle => (Some(vehicle(rng, district)?), None),
        Subject::Business => (None, Some(text(&business_name(rng, head, spot)?)?)),
        Subject::Person | Subject::Property => (None, None),
    };
    let address = match head.subject {
        // A property demand is addressed to the property; a shop's challan to the shop.
        Subject::Property => Some(address(rng, district)?),
        Subject::Business => Some(format!("{spot}, {}", district.name_en)),
        Subject::Person | Subject::Vehicle => rng.gen_bool(0.7).then(|| address(rng, district)).transpose()?,
    };
    Ok(Offender {
        name: text(&name)?,
        cnic: cnic(rng, district, woman)?,
        mobile: mobile(rng)?,
        email: None,
        vehicle_no,
        business_name,
        address: address.as_deref().map(text).transpose()?,
        // Most are never asked; of those who are, most choose Urdu.
        language: match rng.gen_range(0..10) {
            0..=6 => None,
            7 | 8 => Some(Language::Ur),
            _ => Some(Language::En),
        },
    })
}

/// Where the officer stood: one of the district's spots, within about 200 m.
pub(super) fn location(rng: &mut StdRng, district: &FieldDistrict) -> anyhow::Result<(Location, &'static str)> {
    let spot = pick(rng, district.spots)?;
    let lat = spot.lat + rng.gen_range(-0.002..0.002);
    let lon = spot.lon + rng.gen_range(-0.002..0.002);
    Ok((Location::new(lat, lon, text(spot.text)?)?, spot.text))
}
