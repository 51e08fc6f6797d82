//! The generated province's districts: their people (2023 census, rounded), the town each
//! is run from and its coordinates, the CNIC area codes and number-plate series issued
//! there, and the family names common there. The four districts the small demo already
//! knows street by street keep their streets; every other district gets the usual places
//! of a district headquarters (main bazaar, bus stand, hospital road, ...) around its town.
//!
//! CNIC area codes and plate series are shaped like the real ones but are demonstration
//! values.

use anyhow::Context;
use mahasil_domain::jurisdiction::Slug;

use super::super::localities::{FIELD_DISTRICTS, FieldDistrict};
use super::super::places::DIVISIONS;

/// What the generator needs to know of one district.
#[derive(Debug, Clone, Copy)]
struct Facts {
    slug: &'static str,
    /// The town the district is run from.
    town: &'static str,
    /// Thousands of people (2023 census, rounded).
    people_k: u32,
    lat: f64,
    lon: f64,
    cnic: &'static [&'static str],
    plates: &'static [&'static str],
    families: &'static [&'static str],
}

const VALLEY: &[&str] = &["Khalil", "Mohmand", "Yousafzai", "Khattak", "Daudzai", "Kakakhel", "Durrani", "Khan", "Mohammadzai"];
const TRIBAL: &[&str] = &["Afridi", "Shinwari", "Mohmand", "Tarkani", "Orakzai", "Bangash", "Turi", "Khan", "Safi"];
const MALAKAND: &[&str] = &["Yousafzai", "Akhunzada", "Mian", "Khan", "Tarkalani", "Mishwani", "Swati", "Badshah"];
const CHITRAL: &[&str] = &["Chitrali", "Kator", "Baig", "Khan", "Shah", "Lal"];
const HAZARA: &[&str] = &["Jadoon", "Abbasi", "Tanoli", "Awan", "Qureshi", "Swati", "Gujjar"];
const KOHISTAN: &[&str] = &["Kohistani", "Swati", "Khan", "Shah"];
const SOUTH: &[&str] = &["Khattak", "Bangash", "Marwat", "Wazir", "Mehsud", "Gandapur", "Kundi", "Baloch", "Bhittani", "Dawar", "Khan"];

const NEIGHBOURHOODS: &[&str] =
    &["Mohalla Jadeed", "Gulshan Colony", "Old City", "Model Town", "Railway Colony", "Civil Lines", "Sabzi Mandi Road", "Hospital Colony", "Kutchery Road"];

#[expect(clippy::too_many_arguments, reason = "one row of the table below, its columns in order")]
const fn facts(
    slug: &'static str,
    town: &'static str,
    people_k: u32,
    lat: f64,
    lon: f64,
    cnic: &'static [&'static str],
    plates: &'static [&'static str],
    families: &'static [&'static str],
) -> Facts {
    Facts { slug, town, people_k, lat, lon, cnic, plates, families }
}

#[rustfmt::skip]
const FACTS: [Facts; 35] = [
    facts("peshawar", "Peshawar", 4_758, 34.008, 71.578, &["17301"], &["PES"], VALLEY),
    facts("charsadda", "Charsadda", 1_835, 34.148, 71.740, &["17102", "17103"], &["CSD"], VALLEY),
    facts("nowshera", "Nowshera", 1_740, 34.015, 71.975, &["17201", "17202"], &["NSR"], VALLEY),
    facts("khyber", "Jamrud", 1_146, 33.995, 71.380, &["17401"], &["KBR"], TRIBAL),
    facts("mohmand", "Ghalanai", 554, 34.350, 71.450, &["17501"], &["MMD"], TRIBAL),
    facts("mardan", "Mardan", 2_744, 34.198, 72.045, &["16101"], &["MRD"], VALLEY),
    facts("swabi", "Swabi", 1_894, 34.120, 72.470, &["16201", "16202"], &["SWB"], VALLEY),
    facts("swat", "Mingora", 2_688, 34.774, 72.361, &["15602"], &["SWT"], MALAKAND),
    facts("upper-dir", "Dir", 1_083, 35.206, 71.876, &["15301"], &["UDR"], MALAKAND),
    facts("lower-dir", "Timergara", 1_651, 34.828, 71.842, &["15302"], &["LDR"], MALAKAND),
    facts("lower-chitral", "Chitral", 320, 35.851, 71.786, &["15201"], &["CTL"], CHITRAL),
    facts("upper-chitral", "Booni", 195, 36.271, 72.254, &["15202"], &["UCT"], CHITRAL),
    facts("bajaur", "Khar", 1_287, 34.730, 71.520, &["15101"], &["BJR"], TRIBAL),
    facts("malakand", "Batkhela", 826, 34.618, 71.972, &["15401"], &["MKD"], MALAKAND),
    facts("buner", "Daggar", 1_016, 34.512, 72.484, &["15501"], &["BNR"], MALAKAND),
    facts("shangla", "Alpuri", 891, 34.902, 72.635, &["15701"], &["SHG"], MALAKAND),
    facts("abbottabad", "Abbottabad", 1_419, 34.148, 73.213, &["13101"], &["ATD"], HAZARA),
    facts("haripur", "Haripur", 1_170, 33.994, 72.934, &["13302"], &["HRP"], HAZARA),
    facts("mansehra", "Mansehra", 1_797, 34.333, 73.198, &["13501", "13503"], &["MSR"], HAZARA),
    facts("batagram", "Batagram", 543, 34.679, 73.024, &["13201"], &["BTG"], HAZARA),
    facts("torghar", "Judba", 201, 34.600, 72.850, &["13601"], &["TGR"], HAZARA),
    facts("upper-kohistan", "Dasu", 310, 35.292, 73.290, &["13401"], &["UKH"], KOHISTAN),
    facts("lower-kohistan", "Pattan", 270, 35.030, 73.030, &["13402"], &["LKH"], KOHISTAN),
    facts("kolai-palas-kohistan", "Kolai", 260, 35.100, 73.200, &["13403"], &["KPK"], KOHISTAN),
    facts("kohat", "Kohat", 1_234, 33.582, 71.441, &["14301"], &["KHT"], SOUTH),
    facts("hangu", "Hangu", 528, 33.530, 71.060, &["14201"], &["HNG"], SOUTH),
    facts("karak", "Karak", 815, 33.116, 71.095, &["14202"], &["KRK"], SOUTH),
    facts("kurram", "Parachinar", 785, 33.899, 70.100, &["14401"], &["KRM"], TRIBAL),
    facts("orakzai", "Kalaya", 245, 33.720, 70.950, &["14501"], &["OKZ"], TRIBAL),
    facts("bannu", "Bannu", 1_357, 32.986, 70.604, &["11101"], &["BNU"], SOUTH),
    facts("lakki-marwat", "Lakki Marwat", 1_040, 32.608, 70.911, &["11201"], &["LKM"], SOUTH),
    facts("north-waziristan", "Miranshah", 693, 33.000, 70.070, &["11301"], &["NWZ"], SOUTH),
    facts("dera-ismail-khan", "Dera Ismail Khan", 1_830, 31.832, 70.902, &["12101"], &["DIK"], SOUTH),
    facts("tank", "Tank", 447, 32.217, 70.383, &["12201"], &["TNK"], SOUTH),
    facts("south-waziristan", "Wana", 888, 32.300, 69.570, &["12301"], &["SWZ"], SOUTH),
];

/// The places a district headquarters has, as offsets in degrees from its centre.
const TOWN_PLACES: [(&str, f64, f64); 8] = [
    ("Main Bazaar", 0.0, 0.0),
    ("General Bus Stand", 0.008, -0.010),
    ("Hospital Road", -0.006, 0.007),
    ("Tehsil Chowk", 0.004, 0.012),
    ("Sabzi Mandi", -0.010, -0.006),
    ("Kutchery Road", 0.012, 0.004),
    ("Bypass Road", -0.020, 0.020),
    ("Grain Market", 0.015, -0.015),
];

/// A place officers stop people at.
#[derive(Debug, Clone)]
pub(super) struct Spot {
    pub text: String,
    pub lat: f64,
    pub lon: f64,
}

/// One district of the generated province.
#[derive(Debug, Clone)]
pub(super) struct District {
    pub slug: Slug,
    pub people_k: u32,
    /// What the demo's offender generator reads: names, CNIC codes, plates, neighbourhoods.
    pub field: FieldDistrict,
    pub spots: Vec<Spot>,
}

impl District {
    /// The district's centre: the mean of its spots.
    pub(super) fn centre(&self) -> (f64, f64) {
        let n = self.spots.len().max(1) as f64;
        (self.spots.iter().map(|s| s.lat).sum::<f64>() / n, self.spots.iter().map(|s| s.lon).sum::<f64>() / n)
    }
}

fn name_of(slug: &str) -> Option<&'static str> {
    DIVISIONS.iter().flat_map(|d| d.districts.iter()).find(|p| p.slug == slug).map(|p| p.name_en)
}

/// Every district of the province, in the order of [`FACTS`].
pub(super) fn districts() -> anyhow::Result<Vec<District>> {
    FACTS
        .iter()
        .map(|f| {
            let name_en = name_of(f.slug).with_context(|| format!("district {} is not in the demo's jurisdiction tree", f.slug))?;
            let (field, spots) = match FIELD_DISTRICTS.iter().find(|d| d.slug == f.slug) {
                Some(known) => (*known, known.spots.iter().map(|s| Spot { text: s.text.to_string(), lat: s.lat, lon: s.lon }).collect()),
                None => {
                    let field = FieldDistrict {
                        slug: f.slug,
                        name_en,
                        spots: &[],
                        neighbourhoods: NEIGHBOURHOODS,
                        cnic_prefixes: f.cnic,
                        plate_series: f.plates,
                        family_names: f.families,
                    };
                    let spots = TOWN_PLACES
                        .iter()
                        .map(|(place, dlat, dlon)| Spot { text: format!("{place}, {}", f.town), lat: f.lat + dlat, lon: f.lon + dlon })
                        .collect();
                    (field, spots)
                }
            };
            Ok(District { slug: Slug::parse(f.slug)?, people_k: f.people_k, field, spots })
        })
        .collect()
}

/// Great-circle distance in kilometres.
pub(super) fn km_between(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6_371.0;
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let (dlat, dlon) = ((b.0 - a.0).to_radians(), (b.1 - a.1).to_radians());
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_district_of_the_tree_is_described_once() -> anyhow::Result<()> {
        let described = districts()?;
        let tree: Vec<&str> = DIVISIONS.iter().flat_map(|d| d.districts.iter()).map(|p| p.slug).collect();
        assert_eq!(described.len(), tree.len());
        for slug in tree {
            assert_eq!(described.iter().filter(|d| d.slug.as_str() == slug).count(), 1, "{slug}");
        }
        assert!(described.iter().all(|d| !d.spots.is_empty() && !d.field.cnic_prefixes.is_empty()));
        Ok(())
    }

    #[test]
    fn distances_are_in_kilometres() {
        let peshawar = (34.008, 71.578);
        let mingora = (34.774, 72.361);
        let km = km_between(peshawar, mingora);
        assert!((105.0..115.0).contains(&km), "{km}");
    }
}
