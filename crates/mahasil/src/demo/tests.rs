//! The demo province against its sources (the district map, DESIGN.md) and against a
//! fresh SQLite store.

use std::collections::BTreeSet;

use jiff::Timestamp;
use mahasil_domain::authz::Scope;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::{AfterDueRule, AmountRule, HeadCode};
use mahasil_domain::jurisdiction::{Level, Slug};
use mahasil_server::seals::{KeyDir, NodeSeals};
use mahasil_store::{ChallanQuery, Store};
use serde_json::Value;

use super::catalogue::{HEADS, Subject};
use super::localities::FIELD_DISTRICTS;
use super::people::{DEMO_PASSWORD, USERS};
use super::places::{DIVISIONS, PESHAWAR_TEHSILS, districts};
use super::{DEMO_CHALLANS, SeedReport, seed};

const GEOJSON: &str = include_str!("../../../../data/kp-districts.geojson");

type TestResult = anyhow::Result<()>;

/// One feature of the district map: its slug, name and outer rings of (lon, lat).
struct MapDistrict {
    slug: String,
    name: String,
    rings: Vec<Vec<(f64, f64)>>,
}

fn map_districts() -> anyhow::Result<Vec<MapDistrict>> {
    let map: Value = serde_json::from_str(GEOJSON)?;
    let features = map["features"].as_array().ok_or_else(|| anyhow::anyhow!("no features"))?;
    let mut out = Vec::new();
    for f in features {
        let slug = f["properties"]["slug"].as_str().unwrap_or_default().to_string();
        let name = f["properties"]["name"].as_str().unwrap_or_default().to_string();
        let geometry = &f["geometry"];
        let polygons: Vec<&Value> = match geometry["type"].as_str() {
            Some("Polygon") => vec![&geometry["coordinates"]],
            Some("MultiPolygon") => geometry["coordinates"].as_array().map(|p| p.iter().collect()).unwrap_or_default(),
            other => anyhow::bail!("unexpected geometry {other:?}"),
        };
        let rings =
            polygons.iter().filter_map(|p| p[0].as_array()).map(|ring| ring.iter().filter_map(|c| Some((c[0].as_f64()?, c[1].as_f64()?))).collect()).collect();
        out.push(MapDistrict { slug, name, rings });
    }
    Ok(out)
}

/// Ray casting: whether (lon, lat) lies inside any of the outer rings.
fn inside(rings: &[Vec<(f64, f64)>], lon: f64, lat: f64) -> bool {
    rings.iter().any(|ring| {
        let mut inside = false;
        for (a, b) in ring.iter().zip(ring.iter().cycle().skip(1)) {
            if (a.1 > lat) != (b.1 > lat) && lon < a.0 + (lat - a.1) * (b.0 - a.0) / (b.1 - a.1) {
                inside = !inside;
            }
        }
        inside
    })
}

#[test]
fn districts_are_the_maps_districts() -> TestResult {
    let map: BTreeSet<(String, String)> = map_districts()?.into_iter().map(|d| (d.slug, d.name)).collect();
    let ours: BTreeSet<(String, String)> = districts().map(|d| (d.slug.to_string(), d.name_en.to_string())).collect();
    assert_eq!(map.len(), 35);
    assert_eq!(ours, map);
    assert_eq!(districts().count(), 35, "a district is listed twice");
    Ok(())
}

#[test]
fn divisions_hold_the_right_districts() {
    let of = |division: &str| -> Vec<&str> {
        DIVISIONS.iter().find(|d| d.place.slug == division).map(|d| d.districts.iter().map(|p| p.slug).collect()).unwrap_or_default()
    };
    assert_eq!(of("peshawar-division"), ["peshawar", "charsadda", "nowshera", "khyber", "mohmand"]);
    assert_eq!(of("mardan-division"), ["mardan", "swabi"]);
    assert_eq!(of("bannu-division"), ["bannu", "lakki-marwat", "north-waziristan"]);
    assert_eq!(of("dera-ismail-khan-division"), ["dera-ismail-khan", "tank", "south-waziristan"]);
    let sizes: Vec<usize> = DIVISIONS.iter().map(|d| d.districts.len()).collect();
    assert_eq!(sizes, [5, 2, 9, 8, 5, 3, 3]);
    let urdu = DIVISIONS.iter().flat_map(|d| std::iter::once(&d.place).chain(d.districts)).chain(&PESHAWAR_TEHSILS);
    for place in urdu {
        assert!(place.name_ur.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)), "{} needs an Urdu name", place.slug);
    }
}

#[test]
fn every_spot_lies_in_its_district() -> TestResult {
    let map = map_districts()?;
    for district in &FIELD_DISTRICTS {
        let on_map = map.iter().find(|d| d.slug == district.slug).ok_or_else(|| anyhow::anyhow!("{} not on the map", district.slug))?;
        for spot in district.spots {
            assert!(inside(&on_map.rings, spot.lon, spot.lat), "{} ({}, {}) is outside {}", spot.text, spot.lat, spot.lon, district.slug);
        }
    }
    Ok(())
}

#[test]
fn catalogue_is_coherent() -> TestResult {
    let codes: BTreeSet<&str> = HEADS.iter().map(|h| h.code).collect();
    assert_eq!(codes.len(), HEADS.len(), "head codes repeat");
    for spec in &HEADS {
        let head = spec.head()?;
        spec.schedule()?;
        assert!(!head.title_ur.is_empty() && !head.legal_basis.is_empty() && !head.account_code.is_empty(), "{}", spec.code);
        assert!(super::catalogue::DEPARTMENTS.iter().any(|(slug, _, _)| *slug == spec.department), "{}", spec.code);
        if let super::catalogue::Amount::Range { min_rupees, max_rupees, typical, .. } = spec.amount {
            assert!(typical.iter().all(|t| (min_rupees..=max_rupees).contains(t)), "{}: typical amounts outside the range", spec.code);
        }
    }
    assert!(HEADS.iter().any(|h| h.subject == Subject::Property));
    Ok(())
}

async fn fresh() -> anyhow::Result<(Store, tempfile::TempDir, IssuerNo, Timestamp, std::sync::Arc<NodeSeals>)> {
    let (store, dir) = mahasil_store::testing::fresh_sqlite().await?;
    let now: Timestamp = "2026-11-27T07:30:00Z".parse()?;
    let issuer = store.node_issuer("demo-test", now).await?;
    let seals = NodeSeals::start(store.clone(), KeyDir::open(&dir.path().join("keys"))?, issuer, super::KEY_BACKDATE_SECS, now).await?;
    Ok((store, dir, issuer, now, seals))
}

#[tokio::test]
async fn seeding_builds_the_demo_province() -> TestResult {
    let (store, _dir, issuer, now, seals) = fresh().await?;
    let report = seed(&store, issuer, &seals.sealer(), now).await?;
    assert_eq!(report.banks, 1);
    let bank = store.bank(&Slug::parse(super::DEMO_BANK)?).await?.ok_or_else(|| anyhow::anyhow!("no demo bank"))?;
    assert_eq!((bank.secret.as_str(), bank.active), ("demo-bank-secret", true));

    let all = store.jurisdictions().await?;
    let count = |level: Level| all.iter().filter(|j| j.level == level).count();
    assert_eq!((count(Level::Province), count(Level::Division), count(Level::District), count(Level::Tehsil)), (1, 7, 35, 6));
    let stored: BTreeSet<String> = all.iter().filter(|j| j.level == Level::District).map(|j| j.slug.to_string()).collect();
    let map: BTreeSet<String> = map_districts()?.into_iter().map(|d| d.slug).collect();
    assert_eq!(stored, map);
    let swat = store.jurisdiction(&Slug::parse("swat")?).await?.ok_or_else(|| anyhow::anyhow!("no swat"))?;
    assert_eq!((swat.parent.map(|p| p.to_string()), swat.name_ur.as_str()), (Some("malakand-division".into()), "سوات"));
    assert_eq!((report.provinces, report.divisions, report.districts, report.tehsils), (1, 7, 35, 6));
    assert_eq!(store.departments().await?.len(), report.departments);
    assert_eq!(store.heads().await?.len(), HEADS.len());

    let enc = store.head(&HeadCode::parse("DA-ENC-01")?).await?.ok_or_else(|| anyhow::anyhow!("no DA-ENC-01"))?;
    assert_eq!(enc.schedules.len(), 1);
    let s = &enc.schedules[0];
    assert_eq!((s.version, s.due_days, s.effective_from), (1, 14, jiff::civil::date(2025, 1, 1)));
    assert!(matches!(s.amount, AmountRule::Fixed { amount_paisa } if amount_paisa.get() == 500_000));
    assert!(matches!(s.after_due, AfterDueRule::Fixed { amount_paisa } if amount_paisa.get() == 600_000));
    let ovr = store.head(&HeadCode::parse("PC-OVR-01")?).await?.ok_or_else(|| anyhow::anyhow!("no PC-OVR-01"))?;
    assert_eq!(ovr.head.department.as_str(), "price-control");
    assert!(matches!(ovr.schedules[0].amount, AmountRule::Range { min_paisa, max_paisa } if min_paisa.get() == 100_000 && max_paisa.get() == 5_000_000));

    for spec in &USERS {
        let user = store.user_by_username(spec.username).await?.ok_or_else(|| anyhow::anyhow!("no user {}", spec.username))?;
        assert!(user.active && !user.grants.is_empty(), "{}", spec.username);
    }
    // One hash serves every demo user; argon2 is slow, so verify it once.
    let hashes: BTreeSet<String> = store.users().await?.into_iter().map(|u| u.password_hash).collect();
    assert_eq!(hashes.len(), 1);
    assert!(hashes.iter().all(|h| mahasil_server::auth::password::verify(DEMO_PASSWORD, h)));
    assert!(!hashes.iter().any(|h| mahasil_server::auth::password::verify("not-the-password", h)));

    assert_eq!(report.challans, DEMO_CHALLANS);
    assert_eq!(store.count_challans().await?, DEMO_CHALLANS as u64);
    check_challans(&store, &report, now).await?;

    let audit = store.verify_audit().await?;
    assert_eq!(audit.first_bad, None);
    assert!(audit.entries > DEMO_CHALLANS as u64);
    Ok(())
}

/// Every challan: in a demo district, issued in the window, by an officer; the sequels
/// as reported, each decided by someone other than its requester.
async fn check_challans(store: &Store, report: &SeedReport, now: Timestamp) -> TestResult {
    let mut query = ChallanQuery::new(Scope::Everywhere);
    query.limit = mahasil_store::MAX_PAGE_SIZE;
    let mut challans = Vec::new();
    loop {
        let page = store.search_challans(&query).await?;
        challans.extend(page.items);
        match page.next {
            Some(after) => query.after = Some(after),
            None => break,
        }
    }
    assert_eq!(challans.len(), DEMO_CHALLANS);
    let first_day = now.checked_sub(jiff::Span::new().hours(24 * 152))?;
    let mut cancelled = 0;
    let mut waived = 0;
    let mut contested = 0;
    let mut pending = 0;
    let mut districts = BTreeSet::new();
    for c in &challans {
        assert!(c.issued_at < now && c.issued_at > first_day, "{} issued at {}", c.challan_no, c.issued_at);
        assert!(c.received_at >= c.issued_at);
        assert!(FIELD_DISTRICTS.iter().any(|d| d.slug == c.district.as_str()));
        districts.insert(c.district.to_string());
        match c.status {
            ChallanStatus::Cancelled => cancelled += 1,
            ChallanStatus::Waived => waived += 1,
            ChallanStatus::Contested => contested += 1,
            _ => {}
        }
        for request in store.challan_cancellations(c.id).await? {
            assert_eq!(request.requested_by_username, c.officer_username);
            assert_ne!(request.decided_by_username.as_deref(), Some(c.officer_username.as_str()));
            pending += usize::from(request.decided_at.is_none());
        }
    }
    assert_eq!(districts.len(), FIELD_DISTRICTS.len(), "every demo district has challans");
    assert_eq!(cancelled, report.cancellations_approved + report.contests_quashed);
    assert_eq!(contested, report.contests_open);
    assert_eq!(waived, report.waivers_approved);
    assert_eq!(pending, report.cancellations_pending + report.waivers_pending);
    for n in [
        report.cancellations_approved,
        report.cancellations_rejected,
        report.cancellations_pending,
        report.waivers_approved,
        report.waivers_rejected,
        report.waivers_pending,
        report.contests_upheld,
        report.contests_quashed,
        report.contests_open,
    ] {
        assert!(n > 0, "every kind of sequel is shown: {report:?}");
    }
    Ok(())
}

#[tokio::test]
async fn seeding_twice_changes_nothing() -> TestResult {
    let (store, _dir, issuer, now, seals) = fresh().await?;
    let first = seed(&store, issuer, &seals.sealer(), now).await?;
    assert!(!first.already_seeded);
    let entries = store.verify_audit().await?.entries;
    let again = seed(&store, issuer, &seals.sealer(), now.checked_add(jiff::Span::new().hours(5))?).await?;
    assert_eq!(again, SeedReport { already_seeded: true, ..SeedReport::default() });
    assert!(again.to_string().contains("already"));
    assert_eq!(store.verify_audit().await?.entries, entries);
    assert_eq!(store.count_challans().await?, DEMO_CHALLANS as u64);
    Ok(())
}

#[tokio::test]
async fn a_clock_before_the_schedules_writes_nothing() -> TestResult {
    let (store, _dir, issuer, _, seals) = fresh().await?;
    let too_early: Timestamp = "2024-12-15T07:00:00Z".parse()?;
    assert!(seed(&store, issuer, &seals.sealer(), too_early).await.is_err());
    assert!(store.jurisdictions().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn every_demo_challan_carries_a_valid_seal_that_fits_a_small_qr_code() -> TestResult {
    let (store, _dir, issuer, now, seals) = fresh().await?;
    seed(&store, issuer, &seals.sealer(), now).await?;
    let trust = seals.active().trust.list.clone();
    let query = ChallanQuery { limit: mahasil_store::MAX_PAGE_SIZE, ..ChallanQuery::new(Scope::Everywhere) };
    let mut checked = 0;
    let mut page = store.search_challans(&query).await?;
    loop {
        for c in &page.items {
            let seal = c.seal.as_deref().ok_or_else(|| anyhow::anyhow!("{} has no seal", c.challan_no))?;
            let v = mahasil_seal::verify(seal, &trust, None);
            assert!(v.is_valid(), "{}: {:?}", c.challan_no, v.error);
            let url = mahasil_seal::qr_url("https://mahasil.kp.gov.pk", seal);
            let code = mahasil_seal::qr_code(&url)?;
            assert!(matches!(code.version(), qrcode::Version::Normal(v) if v <= 13), "{}: {url} needs QR {:?}", c.challan_no, code.version());
            checked += 1;
        }
        match page.next {
            Some(cursor) => page = store.search_challans(&ChallanQuery { after: Some(cursor), ..query.clone() }).await?,
            None => break,
        }
    }
    assert_eq!(checked, DEMO_CHALLANS);
    Ok(())
}
