//! Cases for challan search: each filter against the same filter applied in Rust to every
//! stored challan, scope limits, and keyset pagination.

use std::collections::HashSet;

use jiff::civil::Date;
use mahasil_domain::authz::Scope;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::time::local_date;
use mahasil_store::{Actor, ChallanQuery, ChallanRecord, Store};
use uuid::Uuid;

use crate::fixtures::*;

/// Challans spread over officers, heads, districts, days and statuses; newest last.
async fn varied(w: &World) -> TestResult<Vec<ChallanRecord>> {
    let mut all = Vec::new();
    for n in 0..24_u32 {
        let at = days_after(t0()?, i64::from(n % 6) * 5)?;
        let c = match n % 4 {
            0 | 1 => issue_one(w, &w.officer, n % 10, at).await?,
            2 => issue_one(w, &w.officer2, n, at).await?,
            _ => {
                let d = draft_of(&w.store, &w.mardan_officer, OVERCHARGING, "mardan", n, Some(100_000 + i64::from(n) * 1_000), at).await?;
                w.store.issue_challan(&d, w.issuer, &Actor::from(&w.mardan_officer), at, &mahasil_store::testing::test_sealer()).await?
            }
        };
        all.push(c);
    }
    // Two of them change status: one cancelled through maker-checker, one contested.
    let cancel = &all[4];
    let request = w.store.request_cancellation(cancel.challan_no, "issued in error", &w.officer, Uuid::now_v7(), t0()?).await?;
    w.store.decide_cancellation(request.id, true, "", &w.supervisor, t0()?).await?;
    w.store.record_contest(all[5].challan_no, "the shop was closed that day", &w.officer, Uuid::now_v7(), t0()?).await?;
    let mut refreshed = Vec::new();
    for c in &all {
        refreshed.push(w.store.challan(c.id).await?.ok_or("challan missing")?);
    }
    Ok(refreshed)
}

/// Every page of `query`, following the cursor.
async fn all_pages(store: &Store, mut query: ChallanQuery) -> TestResult<Vec<ChallanRecord>> {
    let mut out = Vec::new();
    for _ in 0..1_000 {
        let page = store.search_challans(&query).await?;
        assert!(page.items.len() <= query.limit as usize);
        out.extend(page.items);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(out),
        }
    }
    Err("pagination did not end".into())
}

fn ids(records: &[ChallanRecord]) -> Vec<Uuid> {
    records.iter().map(|c| c.id).collect()
}

/// Checks `query` returns exactly the challans `keep` selects, newest first.
async fn expect(store: &Store, all: &[ChallanRecord], query: ChallanQuery, keep: impl Fn(&ChallanRecord) -> bool, what: &str) -> TestResult {
    let expected: Vec<Uuid> = all.iter().rev().filter(|c| keep(c)).map(|c| c.id).collect();
    let found = all_pages(store, query).await?;
    assert_eq!(ids(&found), expected, "{what}");
    Ok(())
}

pub async fn search_filters(store: Store) -> TestResult {
    let w = world(store).await?;
    let all = varied(&w).await?;
    let s = &w.store;
    let everywhere = || {
        let mut q = ChallanQuery::new(Scope::Everywhere);
        q.limit = 7;
        q
    };
    expect(s, &all, everywhere(), |_| true, "no filter").await?;

    let probe = &all[1];
    let q = ChallanQuery { cnic: Some(probe.offender.cnic.clone()), ..everywhere() };
    expect(s, &all, q, |c| c.offender.cnic == probe.offender.cnic, "cnic").await?;
    let q = ChallanQuery { mobile: Some(probe.offender.mobile.clone()), ..everywhere() };
    expect(s, &all, q, |c| c.offender.mobile == probe.offender.mobile, "mobile").await?;
    let vehicle = all[0].offender.vehicle_no.clone().ok_or("fixture 0 has a vehicle")?;
    let q = ChallanQuery { vehicle_no: Some(vehicle.clone()), ..everywhere() };
    expect(s, &all, q, |c| c.offender.vehicle_no.as_ref() == Some(&vehicle), "vehicle").await?;
    for status in ChallanStatus::ALL {
        let q = ChallanQuery { status: Some(status), ..everywhere() };
        expect(s, &all, q, |c| c.status == status, status.as_str()).await?;
    }
    let q = ChallanQuery { district: Some(slug("mardan")?), ..everywhere() };
    expect(s, &all, q, |c| c.district.as_str() == "mardan", "district").await?;
    let q = ChallanQuery { head_code: Some(ENCROACHMENT.into()), ..everywhere() };
    expect(s, &all, q, |c| c.head_code == ENCROACHMENT, "head").await?;
    let q = ChallanQuery { officer_id: Some(w.officer2.user_id), ..everywhere() };
    expect(s, &all, q, |c| c.officer_id == w.officer2.user_id, "officer").await?;

    let from = local_date(days_after(t0()?, 5)?);
    let to = local_date(days_after(t0()?, 15)?);
    let q = ChallanQuery { issued_from: Some(from), ..everywhere() };
    expect(s, &all, q, |c| local_date(c.issued_at) >= from, "issued from").await?;
    let q = ChallanQuery { issued_to: Some(to), ..everywhere() };
    expect(s, &all, q, |c| local_date(c.issued_at) <= to, "issued to").await?;
    let q = ChallanQuery { issued_from: Some(from), issued_to: Some(to), ..everywhere() };
    expect(s, &all, q, |c| (from..=to).contains(&local_date(c.issued_at)), "issued between").await?;

    for day in [Date::constant(2026, 3, 15), Date::constant(2026, 3, 16), Date::constant(2026, 4, 10), Date::constant(2026, 6, 1)] {
        let q = ChallanQuery { overdue_on: Some(day), ..everywhere() };
        expect(s, &all, q, |c| c.status.is_overdue(c.due_date, day), &format!("overdue on {day}")).await?;
    }

    // Filters combine with AND.
    let q = ChallanQuery {
        status: Some(ChallanStatus::Issued),
        district: Some(slug("peshawar")?),
        officer_id: Some(w.officer.user_id),
        issued_from: Some(from),
        ..everywhere()
    };
    expect(
        s,
        &all,
        q,
        |c| c.status == ChallanStatus::Issued && c.district.as_str() == "peshawar" && c.officer_id == w.officer.user_id && local_date(c.issued_at) >= from,
        "combined",
    )
    .await?;
    Ok(())
}

pub async fn search_scope(store: Store) -> TestResult {
    let w = world(store).await?;
    let all = varied(&w).await?;
    let s = &w.store;
    let scoped = |scope: Scope| ChallanQuery { limit: 5, ..ChallanQuery::new(scope) };
    let peshawar_da = Scope::Pairs(vec![(Some(slug("peshawar")?), Some(slug("district-administration")?))]);
    expect(s, &all, scoped(peshawar_da), |c| c.district.as_str() == "peshawar" && c.department.as_str() == "district-administration", "one pair").await?;
    let any_mardan = Scope::Pairs(vec![(Some(slug("mardan")?), None)]);
    expect(s, &all, scoped(any_mardan), |c| c.district.as_str() == "mardan", "a district, any department").await?;
    let any_price = Scope::Pairs(vec![(None, Some(slug("price-control")?))]);
    expect(s, &all, scoped(any_price), |c| c.department.as_str() == "price-control", "a department, anywhere").await?;
    let both = Scope::Pairs(vec![(Some(slug("mardan")?), None), (Some(slug("peshawar")?), Some(slug("district-administration")?))]);
    expect(s, &all, scoped(both), |_| true, "two pairs").await?;
    expect(s, &all, scoped(Scope::Pairs(vec![])), |_| false, "nowhere").await?;
    let elsewhere = Scope::Pairs(vec![(Some(slug("peshawar")?), Some(slug("price-control")?))]);
    expect(s, &all, scoped(elsewhere.clone()), |_| false, "a pair with nothing in it").await?;
    // A filter never widens the scope.
    let q = ChallanQuery { district: Some(slug("mardan")?), ..scoped(Scope::Pairs(vec![(Some(slug("peshawar")?), None)])) };
    expect(s, &all, q, |_| false, "district outside scope").await?;
    Ok(())
}

pub async fn search_pagination(store: Store) -> TestResult {
    let w = world(store).await?;
    let mut issued = Vec::new();
    for n in 0..57 {
        issued.push(issue_one(&w, &w.officer, n, t0()?).await?);
    }
    for limit in [1, 10, 56, 57, 200] {
        let q = ChallanQuery { limit, ..ChallanQuery::new(Scope::Everywhere) };
        let found = all_pages(&w.store, q).await?;
        let expected: Vec<Uuid> = issued.iter().rev().map(|c| c.id).collect();
        assert_eq!(ids(&found), expected, "limit {limit}: no duplicates, none missing, newest first");
        assert_eq!(found.iter().map(|c| c.id).collect::<HashSet<_>>().len(), 57);
    }
    let first = w.store.search_challans(&ChallanQuery { limit: 57, ..ChallanQuery::new(Scope::Everywhere) }).await?;
    assert_eq!((first.items.len(), first.next), (57, None), "an exact last page has no next");
    // A page never exceeds the maximum, whatever is asked.
    let huge = w.store.search_challans(&ChallanQuery { limit: 10_000, ..ChallanQuery::new(Scope::Everywhere) }).await?;
    assert!(huge.items.len() <= mahasil_store::MAX_PAGE_SIZE as usize);
    Ok(())
}
