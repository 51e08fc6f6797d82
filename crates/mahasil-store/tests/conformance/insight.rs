//! Cases for the dashboard's rollups: every ledger event (issued, paid after the due date
//! with its surcharge, reversed, cancelled, waived, deposited) lands in them in its own
//! transaction; they answer within the viewer's scope only; `insight check` finds them
//! equal to the ledger, and finds a tampered row; a rebuild gives the same sums.

#![expect(clippy::panic, reason = "a case fails loudly, naming the outcome, when the store answers what it must not")]

use jiff::civil::Date;
use mahasil_domain::authz::Scope;
use mahasil_domain::challan::ReliefKind;
use mahasil_store::insight::{Dimension, InsightFilter, OfficerWindow, Rollup, Window};
use mahasil_store::{Actor, ImportOutcome, PaymentOutcome, StatementImport, Store};
use uuid::Uuid;

use crate::fixtures::*;
use crate::payments::{bank_payment, reversal_of};
use crate::treasury::statement;

const ALL_COHORTS: Window = Window::Cohorts { from: 190001, to: 299912 };

async fn totals(store: &Store, filter: &InsightFilter) -> TestResult<Rollup> {
    let answer = store.insight_grouped(filter, ALL_COHORTS, false, None).await?;
    assert!(answer.rows.len() <= 1, "{answer:?}");
    Ok(answer.rows.first().map(|r| r.rollup).unwrap_or_default())
}

/// Issues five challans and takes each through one of the ledger's events.
async fn story(w: &World) -> TestResult {
    let signer = mahasil_store::testing::test_receipt_signer();
    let mut c = Vec::new();
    for n in 1..=5 {
        c.push(issue_one(w, &w.officer, n, t0()?).await?);
    }
    // Paid on time, then deposited.
    let paid_on = Date::constant(2026, 3, 2);
    let p1 = bank_payment(&c[0], "I1", 500_000, paid_on, 1)?;
    let PaymentOutcome::Accepted(paid) = w.store.record_payment(&p1, w.issuer, &Actor::system(), days_after(t0()?, 1)?, &signer).await? else {
        panic!("accepted")
    };
    let import = StatementImport { record: statement("S1", 0, 500_000, paid_on, paid_on, 1), matched: vec![(paid.receipt_no, 500_000)], unidentified: vec![] };
    let actor = Actor { user_id: None, username: "treasury.one".into() };
    assert!(matches!(w.store.import_statement(&import, &actor, days_after(t0()?, 2)?).await?, ImportOutcome::Imported(_)));
    // Paid, then the bank reverses it.
    let p2 = bank_payment(&c[1], "I2", 500_000, paid_on, 2)?;
    assert!(matches!(w.store.record_payment(&p2, w.issuer, &Actor::system(), days_after(t0()?, 1)?, &signer).await?, PaymentOutcome::Accepted(_)));
    w.store.reverse_payment(&reversal_of(&p2, 3), &Actor::system(), days_after(t0()?, 2)?).await?;
    // Cancelled, and waived.
    for (i, kind) in [(2, ReliefKind::Cancel), (3, ReliefKind::Waive)] {
        let request_id = Uuid::now_v7();
        w.store.request_relief(c[i].challan_no, kind, "checked on site", &w.officer, request_id, days_after(t0()?, 1)?).await?;
        w.store.decide_cancellation(request_id, true, "agreed", &w.supervisor, days_after(t0()?, 2)?).await?;
    }
    // Paid after the due date, with the surcharge.
    let late = bank_payment(&c[4], "I5", 600_000, Date::constant(2026, 4, 1), 5)?;
    assert!(matches!(w.store.record_payment(&late, w.issuer, &Actor::system(), days_after(t0()?, 31)?, &signer).await?, PaymentOutcome::Accepted(_)));
    Ok(())
}

pub async fn rollups_follow_every_ledger_event(store: Store) -> TestResult {
    let w = world(store).await?;
    story(&w).await?;
    let everything = InsightFilter::scope(Scope::Everywhere);
    let t = totals(&w.store, &everything).await?;
    let expected = Rollup {
        issued_n: 5,
        issued_paisa: 2_500_000,
        surcharge_paisa: 100_000,
        paid_n: 2,
        paid_paisa: 1_100_000,
        overpaid_paisa: 0,
        cancelled_n: 1,
        cancelled_paisa: 500_000,
        waived_n: 1,
        waived_paisa: 500_000,
        deposited_n: 1,
        deposited_paisa: 500_000,
    };
    assert_eq!(t, expected);
    // Only the reversed challan is still owed.
    assert_eq!(t.outstanding_paisa(), 500_000);

    // The same sums by day, and by head: days are Pakistan days of the ledger's events.
    let days = w.store.insight_grouped(&everything, Window::Days { from: 0, to: 100_000 }, true, None).await?;
    let t0_day = t0()?.as_second().div_euclid(86_400);
    let periods: Vec<i64> = days.rows.iter().map(|r| r.period).collect();
    assert_eq!(periods, [t0_day, t0_day + 1, t0_day + 2, t0_day + 31]);
    let mut summed = Rollup::default();
    for r in &days.rows {
        summed.add(&r.rollup);
    }
    assert_eq!(summed, expected);
    assert_eq!(days.rows[0].rollup.issued_n, 5);
    assert_eq!(days.rows[2].rollup.paid_n, -1, "the reversal, on its own day");
    // The whole province's days are read from the series by dimension; within a scope, from
    // the area days. Both give the same answer by every dimension.
    let peshawar = InsightFilter::scope(Scope::Pairs(vec![(Some(slug("peshawar")?), Some(slug("district-administration")?))]));
    let all_days = Window::Days { from: 0, to: 100_000 };
    for by in [None, Some(Dimension::District), Some(Dimension::Department), Some(Dimension::Head)] {
        let province = w.store.insight_grouped(&everything, all_days, true, by).await?;
        assert_eq!(province, w.store.insight_grouped(&peshawar, all_days, true, by).await?, "{by:?}");
        assert_eq!(province.rows.len(), 4, "{by:?}: {province:?}");
    }
    let heads = w.store.insight_grouped(&everything, ALL_COHORTS, false, Some(Dimension::Head)).await?;
    assert_eq!(heads.rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), [ENCROACHMENT]);
    let cohorts = w.store.insight_grouped(&everything, ALL_COHORTS, true, None).await?;
    assert_eq!(cohorts.rows.iter().map(|r| r.period).collect::<Vec<_>>(), [202603]);

    // Officers: one, with every challan.
    let officers = w.store.insight_officers(&everything, OfficerWindow::Days { from: 0, to: 100_000 }, 10).await?;
    let by_month = w.store.insight_officers(&everything, OfficerWindow::Months { from: 202603, to: 202604 }, 10).await?;
    assert_eq!(by_month, officers, "a month's rows sum to the same as its days'");
    let one_head = InsightFilter { head: Some(ENCROACHMENT.into()), ..everything.clone() };
    let by_head_month = w.store.insight_officers(&one_head, OfficerWindow::Months { from: 202603, to: 202604 }, 10).await?;
    assert_eq!(by_head_month, officers, "the months of the one head every challan is under, the same");
    assert_eq!(officers.len(), 1);
    assert_eq!((officers[0].username.as_str(), officers[0].district.as_str(), officers[0].rollup.issued_n), ("officer.peshawar", "peshawar", 5));

    // Scope: another district sees nothing; nowhere sees nothing; a drill-down to another
    // head sees nothing; the right district sees it all.
    let mardan = InsightFilter::scope(Scope::Pairs(vec![(Some(slug("mardan")?), None)]));
    assert_eq!(totals(&w.store, &mardan).await?, Rollup::default());
    assert_eq!(totals(&w.store, &InsightFilter::scope(Scope::Pairs(Vec::new()))).await?, Rollup::default());
    assert!(w.store.insight_officers(&mardan, OfficerWindow::Days { from: 0, to: 100_000 }, 10).await?.is_empty());
    let other_head = InsightFilter { head: Some(OVERCHARGING.into()), ..everything.clone() };
    assert_eq!(totals(&w.store, &other_head).await?, Rollup::default());
    assert_eq!(totals(&w.store, &peshawar).await?, expected);

    // Equal to the ledger; a rebuild changes nothing.
    let check = w.store.insight_check().await?;
    assert!(check.is_clean(), "{check:?}");
    assert_eq!(check.totals, expected);
    assert_eq!(check.tables.iter().map(|t| t.rows).collect::<Vec<_>>(), [4, 2, 2, 4, 12, 1]);
    let rebuilt = w.store.insight_rebuild().await?;
    assert_eq!(rebuilt.tables.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [4, 2, 2, 4, 12, 1]);
    assert_eq!(totals(&w.store, &everything).await?, expected);
    assert!(w.store.insight_check().await?.is_clean());
    Ok(())
}
