//! The dashboard through the router: its totals equal the ledger's, it shows only the
//! viewer's scope, every table exports as CSV, it reads in Urdu, its map and charts are
//! embedded, and a wrong filter is a 400 naming it.

mod web_support;

use axum::http::StatusCode;
use jiff::Timestamp;
use mahasil_ledger::{Channel, Clearing, TransferCode};
use mahasil_server::testing::{ADMIN, AUDITOR, OFFICER, OFFICER_MARDAN, SUPERVISOR};
use mahasil_store::{Actor, NewPayment, PaymentOutcome};
use uuid::Uuid;
use web_support::{R, Web, issue_as};

/// Three challans in Peshawar (one paid), one in Mardan.
async fn province(web: &Web) -> R<Vec<mahasil_store::ChallanRecord>> {
    let now = Timestamp::now();
    let mut issued = Vec::new();
    for cnic in ["17301-1111111-1", "17301-2222222-2", "17301-3333333-3"] {
        issued.push(issue_as(web, OFFICER, "DA-ENC-01", None, cnic, now).await?);
    }
    issued.push(issue_as(web, OFFICER_MARDAN, "DA-ENC-01", None, "17301-4444444-4", now).await?);
    let c = &issued[0];
    let payment = NewPayment {
        id: Uuid::now_v7(),
        challan_no: c.challan_no,
        clearing: Clearing { channel: Channel::Bank, holder: mahasil_domain::jurisdiction::Slug::parse("demo-bank")? },
        reference: "DASH-1".into(),
        amount_paisa: c.amount_paisa,
        paid_on: mahasil_domain::time::local_date(now),
        paid_at: now,
        fingerprint: [7; 32],
        approved_by: None,
        taken_by: None,
        exact_amount: true,
    };
    let outcome = web.state.store.record_payment(&payment, web.state.config.issuer, &Actor::system(), now, &web.state.receipts).await?;
    assert!(matches!(outcome, PaymentOutcome::Accepted(_)), "{outcome:?}");
    Ok(issued)
}

/// The ledger's own totals: (challans issued, paisa imposed, paisa collected).
async fn ledger_totals(web: &Web) -> R<(i64, i64, i64)> {
    let transfers = web.state.store.transfers(0, 10_000).await?;
    let sum = |code| transfers.iter().filter(|t| t.transfer.code == code).map(|t| t.transfer.amount.get()).sum::<i64>();
    let issued = transfers.iter().filter(|t| t.transfer.code == TransferCode::ChallanIssued).count();
    Ok((i64::try_from(issued)?, sum(TransferCode::ChallanIssued) + sum(TransferCode::Surcharge), sum(TransferCode::PaymentReceived)))
}

/// The KPI export's one row as (column, value) pairs.
async fn kpis(web: &Web, s: &web_support::Session, query: &str) -> R<Vec<(String, String)>> {
    let csv = web.get(&format!("/dashboard/export/kpis.csv{query}"), s).await?;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    let mut lines = csv.body.lines();
    let (head, row) = (lines.next().ok_or("no header")?, lines.next().ok_or("no row")?);
    Ok(head.split(',').map(str::to_string).zip(row.split(',').map(str::to_string)).collect())
}

fn value<'a>(pairs: &'a [(String, String)], column: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == column).map_or("", |(_, v)| v.as_str())
}

fn rupees(paisa: i64) -> String {
    format!("{}.{:02}", paisa / 100, paisa % 100)
}

#[tokio::test]
async fn the_dashboard_totals_equal_the_ledger() -> R {
    let web = Web::new().await?;
    province(&web).await?;
    let (issued, imposed, collected) = ledger_totals(&web).await?;
    let s = web.sign_in(AUDITOR).await?;
    let k = kpis(&web, &s, "").await?;
    assert_eq!(value(&k, "Challans"), issued.to_string());
    assert_eq!(value(&k, "Imposed"), rupees(imposed));
    assert_eq!(value(&k, "Collected"), rupees(collected));
    assert_eq!(value(&k, "Outstanding"), rupees(imposed - collected));
    assert_eq!(value(&k, "Received but not yet deposited"), rupees(collected));

    let page = web.get("/dashboard", &s).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&mahasil_domain::money::Paisa::new(imposed)?.to_string()), "the imposed tile");
    // The charts run this site's scripts and nothing else.
    let policy = page.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(policy.contains("script-src 'self'") && policy.contains("default-src 'none'"), "{policy}");
    assert!(page.body.contains(r#"<figure class="chart" id="revenue" data-chart="stacked">"#));
    assert!(page.body.contains(r#"src="/assets/dashboard/dashboard.js""#));
    // The map: every KP district drawn, Peshawar shaded and linked to its drill-down, the
    // boundaries' licence shown.
    assert!(page.body.contains(r#"data-slug="peshawar""#) && page.body.contains(r#"data-slug="swat""#));
    assert!(page.body.contains("/dashboard?district=peshawar"));
    assert!(page.body.contains("ODbL"));
    Ok(())
}

#[tokio::test]
async fn a_viewer_sees_only_their_districts() -> R {
    let web = Web::new().await?;
    province(&web).await?;
    let s = web.sign_in(SUPERVISOR).await?;
    let k = kpis(&web, &s, "").await?;
    assert_eq!(value(&k, "Challans"), "3", "Peshawar's three, not Mardan's");
    let mardan = web.get("/dashboard?district=mardan", &s).await?;
    assert_eq!(mardan.status, StatusCode::NOT_FOUND, "{}", mardan.body);
    assert!(mardan.body.contains("district mardan is not one of yours"));
    // Drill-down within the scope narrows the figures.
    let head = kpis(&web, &s, "?district=peshawar&head=DA-ENC-01").await?;
    assert_eq!(value(&head, "Challans"), "3");
    let other = kpis(&web, &s, "?head=PC-OVR-01").await?;
    assert_eq!(value(&other, "Challans"), "0");

    let officer = web.sign_in(OFFICER).await?;
    assert_eq!(web.get("/dashboard", &officer).await?.status, StatusCode::FORBIDDEN);
    let admin = web.sign_in(ADMIN).await?;
    assert_eq!(value(&kpis(&web, &admin, "").await?, "Challans"), "4");
    Ok(())
}

#[tokio::test]
async fn every_table_exports_and_a_wrong_filter_is_named() -> R {
    let web = Web::new().await?;
    province(&web).await?;
    let s = web.sign_in(AUDITOR).await?;
    for id in ["kpis", "series", "daily", "cohorts", "ageing", "districts", "departments", "heads", "officers"] {
        let csv = web.get(&format!("/dashboard/export/{id}.csv?days=30"), &s).await?;
        assert_eq!(csv.status, StatusCode::OK, "{id}: {}", csv.body);
        assert!(csv.body.lines().count() >= 2, "{id} has a header and rows: {}", csv.body);
    }
    let officers = web.get("/dashboard/export/officers.csv", &s).await?;
    assert!(officers.body.contains("officer.peshawar,peshawar,district-administration,3,"), "{}", officers.body);
    assert_eq!(web.get("/dashboard/export/nothing.csv", &s).await?.status, StatusCode::NOT_FOUND);
    assert_eq!(web.get("/dashboard/export/kpis.json", &s).await?.status, StatusCode::NOT_FOUND);
    for (query, named) in [("days=7", "days"), ("by=officer", "by"), ("lang=fr", "lang"), ("head=nope!", "head")] {
        let page = web.get(&format!("/dashboard?{query}"), &s).await?;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains(named), "{query}: {}", page.body);
    }
    Ok(())
}

#[tokio::test]
async fn the_dashboard_reads_in_urdu_and_its_assets_are_embedded() -> R {
    let web = Web::new().await?;
    province(&web).await?;
    let s = web.sign_in(AUDITOR).await?;
    let page = web.get("/dashboard?lang=ur&by=head", &s).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"lang="ur" dir="rtl""#));
    assert!(page.body.contains("وصول شدہ") && page.body.contains("واجب الادا"));
    for (path, kind) in [
        ("/assets/dashboard/dashboard.js", "text/javascript"),
        ("/assets/dashboard/chartspec.js", "text/javascript"),
        ("/assets/dashboard/vendor/uPlot.iife.min.js", "text/javascript"),
        ("/assets/dashboard/dashboard.css", "text/css"),
        ("/assets/dashboard/map.css", "text/css"),
        ("/assets/dashboard/vendor/uPlot.LICENSE", "text/plain"),
    ] {
        let asset = web.get(path, &s).await?;
        assert_eq!(asset.status, StatusCode::OK, "{path}");
        assert!(asset.content_type().starts_with(kind), "{path}: {}", asset.content_type());
    }
    assert_eq!(web.get("/assets/dashboard/../Cargo.toml", &s).await?.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn forecasts_are_shown_with_their_backtest_or_say_why_not() -> R {
    let web = Web::new().await?;
    province(&web).await?;
    let s = web.sign_in(AUDITOR).await?;
    let before = web.get("/dashboard", &s).await?;
    assert!(before.body.contains("Forecasts are being computed"));
    let snapshot = mahasil_server::dashboard::forecasts::compute(&web.state.store, Timestamp::now()).await.map_err(|e| e.body.message)?;
    if let Ok(mut slot) = web.state.caches.forecasts.write() {
        *slot = Some(std::sync::Arc::new(snapshot));
    }
    // A day of history is too short for any forecast: the page says so, naming the need.
    let after = web.get("/dashboard", &s).await?;
    assert!(after.body.contains("too short"), "{}", after.body);
    let supervisor = web.sign_in(SUPERVISOR).await?;
    let scoped = web.get("/dashboard", &supervisor).await?;
    assert!(scoped.body.contains("No forecast for this choice"), "the province's forecast is not Peshawar's to see");
    Ok(())
}
