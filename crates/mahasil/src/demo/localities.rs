//! Where demo challans are issued: for each district with demo officers, the streets and
//! bazaars where officers stop people (with approximate coordinates), the neighbourhoods
//! offenders live in, the CNIC area codes and number-plate series seen there, and the
//! family names common in the district.

/// A place an officer issues challans at.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spot {
    pub text: &'static str,
    pub lat: f64,
    pub lon: f64,
}

const fn spot(text: &'static str, lat: f64, lon: f64) -> Spot {
    Spot { text, lat, lon }
}

/// A district where the demo officers work.
#[derive(Debug, Clone, Copy)]
pub(super) struct FieldDistrict {
    pub slug: &'static str,
    pub name_en: &'static str,
    pub spots: &'static [Spot],
    pub neighbourhoods: &'static [&'static str],
    /// First five CNIC digits of people registered in and around the district.
    pub cnic_prefixes: &'static [&'static str],
    /// Letters of local number-plate series.
    pub plate_series: &'static [&'static str],
    pub family_names: &'static [&'static str],
}

pub(super) const FIELD_DISTRICTS: [FieldDistrict; 4] = [
    FieldDistrict {
        slug: "peshawar",
        name_en: "Peshawar",
        spots: &[
            spot("Qissa Khwani Bazaar, near Kabuli Gate", 34.0086, 71.5746),
            spot("Chowk Yadgar, GT Road", 34.0094, 71.5790),
            spot("Khyber Bazaar, near Lady Reading Hospital", 34.0070, 71.5700),
            spot("Namak Mandi", 34.0098, 71.5668),
            spot("Saddar Road, Peshawar Cantonment", 34.0004, 71.5429),
            spot("University Road, near Tehkal", 34.0113, 71.5107),
            spot("Board Bazaar, University Town", 33.9998, 71.4867),
            spot("Hayatabad Phase 3, Bagh-e-Naran Chowk", 33.9862, 71.4451),
            spot("Karkhano Market, Jamrud Road", 33.9819, 71.4283),
            spot("Ring Road, near Hashtnagri", 34.0128, 71.5851),
            spot("Dalazak Road, near Gulbahar", 34.0262, 71.5947),
            spot("Charsadda Road, near Faqirabad", 34.0308, 71.5673),
        ],
        neighbourhoods: &[
            "Gulbahar",
            "Hayatabad Phase 6",
            "Faqirabad",
            "Yakatoot",
            "Nothia",
            "Tehkal Payan",
            "Gulberg",
            "Warsak Road",
            "Shah Qabool",
            "Kakshal",
        ],
        cnic_prefixes: &["17301", "17301", "17301", "17101", "17201"],
        plate_series: &["PES", "PRF", "PRH", "PRK"],
        family_names: &["Afridi", "Khalil", "Mohmand", "Shinwari", "Kakakhel", "Sethi", "Durrani", "Bangash", "Khan", "Orakzai"],
    },
    FieldDistrict {
        slug: "mardan",
        name_en: "Mardan",
        spots: &[
            spot("Bank Road, Mardan", 34.1985, 72.0440),
            spot("Bacha Khan Chowk, Mardan", 34.1951, 72.0468),
            spot("Shamsi Road", 34.2049, 72.0381),
            spot("Nowshera Road, near Par Hoti", 34.1893, 72.0269),
            spot("Sheikh Maltoon Town, Sector B", 34.2203, 72.0698),
            spot("Takht Bhai Bazaar", 34.3270, 71.9461),
        ],
        neighbourhoods: &["Sheikh Maltoon Town", "Par Hoti", "Baghdada", "Bijli Ghar", "Hoti", "Toru"],
        cnic_prefixes: &["16101", "16101", "16102", "16202"],
        plate_series: &["MRD", "MDA"],
        family_names: &["Yousafzai", "Hoti", "Khan", "Mandanr", "Kamalzai", "Bacha"],
    },
    FieldDistrict {
        slug: "swat",
        name_en: "Swat",
        spots: &[
            spot("Green Chowk, Mingora", 34.7740, 72.3611),
            spot("Makan Bagh, Mingora", 34.7729, 72.3521),
            spot("Nishat Chowk, Mingora", 34.7792, 72.3642),
            spot("Saidu Sharif Road", 34.7521, 72.3540),
            spot("Fizagat, Kalam Road", 34.7951, 72.3762),
            spot("Khwazakhela Bazaar", 34.9393, 72.4700),
        ],
        neighbourhoods: &["Rahimabad", "Saidu Sharif", "Amankot", "Gulkada", "Takhtaband", "Kanju"],
        cnic_prefixes: &["15602", "15602", "15601"],
        plate_series: &["SWT", "SWA"],
        family_names: &["Yousafzai", "Akhunzada", "Mian", "Khan", "Swati", "Badshah"],
    },
    FieldDistrict {
        slug: "abbottabad",
        name_en: "Abbottabad",
        spots: &[
            spot("Fawara Chowk, Main Bazaar", 34.1481, 73.2129),
            spot("Mansehra Road, near Supply Bazaar", 34.1781, 73.2301),
            spot("Jinnahabad Market", 34.1748, 73.2372),
            spot("Cantt Bazaar, Abbottabad", 34.1502, 73.2161),
            spot("Kakul Road", 34.1822, 73.2558),
            spot("Mandian, Karakoram Highway", 34.1849, 73.2335),
        ],
        neighbourhoods: &["Jinnahabad", "Mandian", "Kehal", "Nawanshehr", "Supply", "Banda Ali Khan"],
        cnic_prefixes: &["13101", "13101", "13102", "13503"],
        plate_series: &["ATD", "ABT"],
        family_names: &["Jadoon", "Abbasi", "Tanoli", "Awan", "Qureshi", "Swati"],
    },
];

/// The field district of `slug`, if demo officers work there.
pub(super) fn field_district(slug: &str) -> Option<&'static FieldDistrict> {
    FIELD_DISTRICTS.iter().find(|d| d.slug == slug)
}
