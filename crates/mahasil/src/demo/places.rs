//! The jurisdiction tree of the demo province: Khyber Pakhtunkhwa, its seven divisions,
//! the 35 districts of the 2023 census (the same slugs and English names as
//! `data/kp-districts.geojson`, which a test holds this list to) and a few tehsils of
//! Peshawar district.

use anyhow::Context;
use mahasil_domain::jurisdiction::{Jurisdiction, Level, Slug};

/// A named place: slug, English name, Urdu name.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place {
    pub slug: &'static str,
    pub name_en: &'static str,
    pub name_ur: &'static str,
}

const fn place(slug: &'static str, name_en: &'static str, name_ur: &'static str) -> Place {
    Place { slug, name_en, name_ur }
}

/// A division and the districts it holds.
#[derive(Debug, Clone, Copy)]
pub(super) struct Division {
    pub place: Place,
    pub districts: &'static [Place],
}

pub(super) const PROVINCE: Place = place("khyber-pakhtunkhwa", "Khyber Pakhtunkhwa", "خیبر پختونخوا");

/// The seven divisions with their districts. Former-FATA districts sit in the divisions
/// they were merged into in 2018; South Waziristan is one district, as in the census map.
pub(super) const DIVISIONS: [Division; 7] = [
    Division {
        place: place("peshawar-division", "Peshawar Division", "پشاور ڈویژن"),
        districts: &[
            place("peshawar", "Peshawar", "پشاور"),
            place("charsadda", "Charsadda", "چارسدہ"),
            place("nowshera", "Nowshera", "نوشہرہ"),
            place("khyber", "Khyber", "خیبر"),
            place("mohmand", "Mohmand", "مہمند"),
        ],
    },
    Division {
        place: place("mardan-division", "Mardan Division", "مردان ڈویژن"),
        districts: &[place("mardan", "Mardan", "مردان"), place("swabi", "Swabi", "صوابی")],
    },
    Division {
        place: place("malakand-division", "Malakand Division", "ملاکنڈ ڈویژن"),
        districts: &[
            place("swat", "Swat", "سوات"),
            place("upper-dir", "Upper Dir", "اپر دیر"),
            place("lower-dir", "Lower Dir", "لوئر دیر"),
            place("lower-chitral", "Lower Chitral", "لوئر چترال"),
            place("upper-chitral", "Upper Chitral", "اپر چترال"),
            place("bajaur", "Bajaur", "باجوڑ"),
            place("malakand", "Malakand", "ملاکنڈ"),
            place("buner", "Buner", "بونیر"),
            place("shangla", "Shangla", "شانگلہ"),
        ],
    },
    Division {
        place: place("hazara-division", "Hazara Division", "ہزارہ ڈویژن"),
        districts: &[
            place("abbottabad", "Abbottabad", "ایبٹ آباد"),
            place("haripur", "Haripur", "ہری پور"),
            place("mansehra", "Mansehra", "مانسہرہ"),
            place("batagram", "Batagram", "بٹگرام"),
            place("torghar", "Torghar", "تورغر"),
            place("upper-kohistan", "Upper Kohistan", "اپر کوہستان"),
            place("lower-kohistan", "Lower Kohistan", "لوئر کوہستان"),
            place("kolai-palas-kohistan", "Kolai Palas Kohistan", "کولئی پالس کوہستان"),
        ],
    },
    Division {
        place: place("kohat-division", "Kohat Division", "کوہاٹ ڈویژن"),
        districts: &[
            place("kohat", "Kohat", "کوہاٹ"),
            place("hangu", "Hangu", "ہنگو"),
            place("karak", "Karak", "کرک"),
            place("kurram", "Kurram", "کرم"),
            place("orakzai", "Orakzai", "اورکزئی"),
        ],
    },
    Division {
        place: place("bannu-division", "Bannu Division", "بنوں ڈویژن"),
        districts: &[
            place("bannu", "Bannu", "بنوں"),
            place("lakki-marwat", "Lakki Marwat", "لکی مروت"),
            place("north-waziristan", "North Waziristan", "شمالی وزیرستان"),
        ],
    },
    Division {
        place: place("dera-ismail-khan-division", "Dera Ismail Khan Division", "ڈیرہ اسماعیل خان ڈویژن"),
        districts: &[
            place("dera-ismail-khan", "Dera Ismail Khan", "ڈیرہ اسماعیل خان"),
            place("tank", "Tank", "ٹانک"),
            place("south-waziristan", "South Waziristan", "جنوبی وزیرستان"),
        ],
    },
];

/// The district the seeded tehsils belong to (the pilot district).
pub(super) const TEHSIL_DISTRICT: &str = "peshawar";

/// Tehsils of Peshawar district.
pub(super) const PESHAWAR_TEHSILS: [Place; 6] = [
    place("peshawar-city", "Peshawar City", "پشاور سٹی"),
    place("shah-alam", "Shah Alam", "شاہ عالم"),
    place("mathra", "Mathra", "متھرا"),
    place("chamkani", "Chamkani", "چمکنی"),
    place("badaber", "Badaber", "بڈھ بیر"),
    place("hassan-khel", "Hassan Khel", "حسن خیل"),
];

/// Every district, in division order.
#[cfg(test)]
pub(super) fn districts() -> impl Iterator<Item = &'static Place> {
    DIVISIONS.iter().flat_map(|d| d.districts.iter())
}

fn node(p: &Place, level: Level, parent: Option<&str>) -> anyhow::Result<Jurisdiction> {
    Ok(Jurisdiction {
        slug: Slug::parse(p.slug).with_context(|| format!("jurisdiction slug {}", p.slug))?,
        level,
        parent: parent.map(Slug::parse).transpose()?,
        name_en: p.name_en.to_string(),
        name_ur: p.name_ur.to_string(),
    })
}

/// The whole tree, every parent before its children (the store requires that order).
pub(super) fn jurisdictions() -> anyhow::Result<Vec<Jurisdiction>> {
    let mut out = vec![node(&PROVINCE, Level::Province, None)?];
    for division in &DIVISIONS {
        out.push(node(&division.place, Level::Division, Some(PROVINCE.slug))?);
    }
    for division in &DIVISIONS {
        for district in division.districts {
            out.push(node(district, Level::District, Some(division.place.slug))?);
        }
    }
    for tehsil in &PESHAWAR_TEHSILS {
        out.push(node(tehsil, Level::Tehsil, Some(TEHSIL_DISTRICT))?);
    }
    Ok(out)
}
