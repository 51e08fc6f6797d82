//! Cases for reference data: jurisdictions, departments, revenue heads and fee schedules.

use mahasil_domain::head::{AfterDueRule, AmountRule, HeadCode, HeadKind};
use mahasil_domain::jurisdiction::{Department, Level};
use mahasil_store::{Actor, Store};

use crate::fixtures::*;

pub async fn store_basics(store: Store) -> TestResult {
    assert!(["sqlite", "postgres"].contains(&store.backend()));
    store.ping().await?;
    let applied = store.migrations().await?;
    assert!(!applied.is_empty(), "migrations are recorded");
    let mut sorted = applied.clone();
    sorted.sort();
    assert_eq!(applied, sorted, "migrations are listed oldest first");
    assert_eq!(store.count_challans().await?, 0);
    Ok(())
}

pub async fn jurisdictions_round_trip(store: Store) -> TestResult {
    put_reference_data(&store).await?;
    let all = store.jurisdictions().await?;
    assert_eq!(all.len(), 6);
    let peshawar = store.jurisdiction(&slug("peshawar")?).await?.ok_or("peshawar missing")?;
    assert_eq!(peshawar, jurisdiction("peshawar", Level::District, Some("peshawar-division"), "Peshawar")?);
    assert!(all.contains(&peshawar));
    assert_eq!(store.jurisdiction(&slug("nowhere")?).await?, None);

    // Put again: an update, not a second row.
    let renamed = jurisdiction("peshawar", Level::District, Some("peshawar-division"), "Peshawar District")?;
    store.put_jurisdiction(&renamed, &Actor::system(), t0()?).await?;
    assert_eq!(store.jurisdiction(&slug("peshawar")?).await?, Some(renamed));
    assert_eq!(store.jurisdictions().await?.len(), 6);

    // The parent must exist, one level up.
    let under_province = jurisdiction("swat", Level::District, Some("khyber-pakhtunkhwa"), "Swat")?;
    assert!(is_domain(&store.put_jurisdiction(&under_province, &Actor::system(), t0()?).await));
    let orphan = jurisdiction("swat", Level::District, Some("malakand-division"), "Swat")?;
    assert!(is_not_found(&store.put_jurisdiction(&orphan, &Actor::system(), t0()?).await));
    let parentless = jurisdiction("swat", Level::District, None, "Swat")?;
    assert!(is_domain(&store.put_jurisdiction(&parentless, &Actor::system(), t0()?).await));
    assert_eq!(store.jurisdiction(&slug("swat")?).await?, None, "refused puts write nothing");
    Ok(())
}

pub async fn departments_round_trip(store: Store) -> TestResult {
    put_reference_data(&store).await?;
    let mut slugs: Vec<String> = store.departments().await?.into_iter().map(|d| d.slug.to_string()).collect();
    slugs.sort();
    assert_eq!(slugs, ["district-administration", "price-control"]);
    let renamed = Department { slug: slug("price-control")?, name_en: "Price Control Magistracy".into(), name_ur: "پرائس کنٹرول".into() };
    store.put_department(&renamed, &Actor::system(), t0()?).await?;
    let all = store.departments().await?;
    assert_eq!(all.len(), 2);
    assert!(all.contains(&renamed));
    Ok(())
}

pub async fn heads_and_schedule_versions(store: Store) -> TestResult {
    put_reference_data(&store).await?;
    let system = Actor::system();
    let code = HeadCode::parse(ENCROACHMENT)?;
    let stored = store.head(&code).await?.ok_or("head missing")?;
    assert_eq!(stored.head, head(ENCROACHMENT, HeadKind::Fine, "district-administration", "Encroachment on a public road")?);
    assert_eq!(stored.schedules, vec![encroachment_schedule()?]);
    let mut codes: Vec<String> = store.heads().await?.into_iter().map(|h| h.code.to_string()).collect();
    codes.sort();
    assert_eq!(codes, [ENCROACHMENT, OVERCHARGING]);
    assert_eq!(store.head(&HeadCode::parse("XX-NONE-01")?).await?, None);

    // A taken code, a first schedule that is not version 1, an unknown department.
    let again = store.create_head(&stored.head, &encroachment_schedule()?, &system, t0()?).await;
    assert!(is_conflict(&again), "{again:?}");
    let mut v2_first = encroachment_schedule()?;
    v2_first.head = HeadCode::parse("DA-ENC-02")?;
    v2_first.version = 2;
    assert!(is_conflict(&store.create_head(&head("DA-ENC-02", HeadKind::Fine, "district-administration", "x")?, &v2_first, &system, t0()?).await));
    let mut other_dept = encroachment_schedule()?;
    other_dept.head = HeadCode::parse("XX-ENC-01")?;
    assert!(is_not_found(&store.create_head(&head("XX-ENC-01", HeadKind::Fine, "no-such-department", "x")?, &other_dept, &system, t0()?).await));

    // Versions run without gaps; a stored version is never replaced.
    let mut v3 = encroachment_schedule()?;
    v3.version = 3;
    assert!(is_conflict(&store.add_fee_schedule(&v3, &system, t0()?).await), "a version gap is refused");
    let mut v2 = encroachment_schedule()?;
    v2.version = 2;
    v2.amount = AmountRule::Fixed { amount_paisa: paisa(700_000)? };
    v2.after_due = AfterDueRule::Same;
    v2.effective_from = jiff::civil::Date::constant(2026, 7, 1);
    store.add_fee_schedule(&v2, &system, t0()?).await?;
    let mut v2_again = v2.clone();
    v2_again.due_days = 30;
    assert!(is_conflict(&store.add_fee_schedule(&v2_again, &system, t0()?).await), "a stored version is immutable");
    let versions = store.head(&code).await?.ok_or("head missing")?.schedules;
    assert_eq!(versions, vec![encroachment_schedule()?, v2]);

    let mut incoherent = encroachment_schedule()?;
    incoherent.version = 3;
    incoherent.due_days = 0;
    assert!(is_domain(&store.add_fee_schedule(&incoherent, &system, t0()?).await));
    let mut unknown = encroachment_schedule()?;
    unknown.head = HeadCode::parse("XX-NONE-01")?;
    assert!(is_not_found(&store.add_fee_schedule(&unknown, &system, t0()?).await));

    // Titles, legal basis, account code and active flag change; kind and department do not.
    let mut updated = stored.head.clone();
    updated.title_en = "Encroachment on a public road or footpath".into();
    updated.legal_basis = "KP Local Government Act 2013, s. 81".into();
    updated.account_code = "C02-9999".into();
    updated.active = false;
    store.update_head(&updated, &system, t0()?).await?;
    assert_eq!(store.head(&code).await?.map(|h| h.head), Some(updated.clone()));
    let mut moved = updated.clone();
    moved.department = slug("price-control")?;
    assert!(store.update_head(&moved, &system, t0()?).await.is_err());
    assert_eq!(store.head(&code).await?.map(|h| h.head.department), Some(slug("district-administration")?));
    let mut missing = updated;
    missing.code = HeadCode::parse("XX-NONE-01")?;
    assert!(is_not_found(&store.update_head(&missing, &system, t0()?).await));
    Ok(())
}
