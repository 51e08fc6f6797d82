use super::*;

const T0: i64 = 1_772_323_200; // 2026-03-01 05:00 PKT
const PESHAWAR: (f64, f64) = (34.01, 71.58);
const NOWSHERA: (f64, f64) = (34.015, 71.975); // 36.4 km from PESHAWAR
const MINGORA: (f64, f64) = (34.77, 72.36); // 110.7 km from PESHAWAR

/// Forty past challans spread within about 1.5 km of the centre of Peshawar.
fn peshawar_beat() -> Vec<(f64, f64)> {
    (0..40).map(|i| (PESHAWAR.0 + f64::from(i % 7 - 3) * 0.004, PESHAWAR.1 + f64::from(i % 5 - 2) * 0.004)).collect()
}

fn officer(recent_places: &[(f64, f64)]) -> OfficerPlaces {
    let mut recent: Vec<(String, f64, f64, i64)> = (0..20).map(|i| (format!("home-{i:02}"), PESHAWAR.0 + 0.003, PESHAWAR.1 - 0.002, T0 + i * 3_600)).collect();
    recent.extend(recent_places.iter().enumerate().map(|(i, &(lat, lon))| (format!("away-{i:02}"), lat, lon, T0 + 86_400 * (i as i64 + 1))));
    OfficerPlaces { officer: "OFF-31".into(), district: "peshawar".into(), department: Some("traffic".into()), usual: peshawar_beat(), recent }
}

#[test]
fn haversine_measures_kilometres_on_the_earth() {
    assert!((haversine_km((0.0, 0.0), (1.0, 0.0)) - 111.195).abs() < 0.01);
    assert!((haversine_km(PESHAWAR, NOWSHERA) - 36.4).abs() < 0.1);
    assert!((haversine_km(PESHAWAR, MINGORA) - 110.7).abs() < 0.1);
    assert!(haversine_km(PESHAWAR, PESHAWAR).abs() < 1e-9);
}

#[test]
fn three_challans_in_nowshera_from_a_peshawar_beat_are_flagged() {
    let flags = far_from_usual(&[officer(&[NOWSHERA, NOWSHERA, (NOWSHERA.0 + 0.01, NOWSHERA.1)])], &FarFromUsualParams::default());
    assert_eq!(flags.len(), 1);
    let flag = &flags[0];
    assert_eq!(flag.key, format!("place:OFF-31:{}", karachi_day(T0 + 86_400)));
    assert_eq!(flag.challans.len(), 3);
    let Evidence::FarFromUsualArea { radius_km, far_count, recent_count, farthest_km, centre_lat, centre_lon, .. } = flag.evidence else {
        unreachable!("a place flag carries place evidence")
    };
    assert_eq!((far_count, recent_count), (3, 23));
    assert_eq!(radius_km, 5.0, "a tight beat gets the smallest radius");
    assert!((centre_lat - PESHAWAR.0).abs() < 0.005 && (centre_lon - PESHAWAR.1).abs() < 0.005);
    assert!(farthest_km > 36.0 && farthest_km < 37.0);
    assert!(flag.summary_en.starts_with("3 of 23 recent challans by OFF-31 issued beyond the usual 5.0 km radius; the farthest (away-"), "{}", flag.summary_en);
    assert!(flag.summary_en.ends_with(&format!("{} from the usual centre", sentence::km(farthest_km))));
    assert!(flag.summary_ur.contains("5.0 km") && flag.summary_ur.contains(&sentence::km(farthest_km)));
}

#[test]
fn two_challans_in_nowshera_are_one_short_of_a_pattern() {
    assert!(far_from_usual(&[officer(&[NOWSHERA, NOWSHERA])], &FarFromUsualParams::default()).is_empty());
}

#[test]
fn a_single_challan_110_km_away_in_mingora_is_flagged_alone() {
    let flags = far_from_usual(&[officer(&[MINGORA])], &FarFromUsualParams::default());
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].challans, ["away-00"]);
    let Evidence::FarFromUsualArea { far_count: 1, farthest_km, .. } = flags[0].evidence else { unreachable!("one far challan") };
    assert!((farthest_km - 110.7).abs() < 1.0);
    assert!(flags[0].summary_en.contains(&format!("(away-00) {}", sentence::km(farthest_km))), "{}", flags[0].summary_en);
}

#[test]
fn challans_within_the_radius_are_not_flagged() {
    // Four challans 3–4 km from the centre: outside the beat's spread, inside the 5 km radius.
    let nearby = [(PESHAWAR.0 + 0.03, PESHAWAR.1), (PESHAWAR.0, PESHAWAR.1 + 0.04), (PESHAWAR.0 - 0.03, PESHAWAR.1), (PESHAWAR.0, PESHAWAR.1 - 0.04)];
    assert!(far_from_usual(&[officer(&nearby)], &FarFromUsualParams::default()).is_empty());
}

#[test]
fn a_highway_patrol_whose_history_spans_the_motorway_is_not_flagged_for_driving_it() {
    let mut patrol = officer(&[NOWSHERA, NOWSHERA, NOWSHERA, (34.2, 72.5)]);
    // Past challans every 5 km along 160 km of road east of Peshawar.
    patrol.usual = (0..33).map(|i| (PESHAWAR.0 + f64::from(i) * 0.004, PESHAWAR.1 + f64::from(i) * 0.054)).collect();
    assert!(far_from_usual(&[patrol], &FarFromUsualParams::default()).is_empty());
}

#[test]
fn a_new_posting_with_little_history_has_no_usual_area() {
    let mut new = officer(&[MINGORA, MINGORA, MINGORA]);
    new.usual.truncate(10);
    assert!(far_from_usual(&[new], &FarFromUsualParams::default()).is_empty());
}

#[test]
fn points_without_a_fix_are_left_out() {
    let mut officer = officer(&[(0.0, 0.0), (0.0, 0.0), (f64::NAN, 71.0), (95.0, 71.0)]);
    officer.usual.extend([(0.0, 0.0); 30]);
    assert!(far_from_usual(&[officer], &FarFromUsualParams::default()).is_empty());
}
