//! Anomaly flags end to end: the scan finds duplicate challans (and not a near miss), the
//! flag page shows the lead with its evidence within the viewer's scope, and an auditor
//! decides it once, with a reason, audited; nothing changes on a refused decision.

mod web_support;

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use mahasil_server::testing::{AUDITOR, OFFICER, SUPERVISOR, SUPERVISOR_MARDAN};
use mahasil_store::FlagState;
use web_support::{R, Web, issue_as};

#[tokio::test]
async fn duplicates_are_flagged_shown_and_decided_once() -> R {
    let web = Web::new().await?;
    let now = Timestamp::now();
    // The same offender and head twice within ten minutes: a likely duplicate. The same
    // offender for another head is a near miss, not a duplicate.
    let first = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-5555555-5", now - SignedDuration::from_mins(10)).await?;
    let second = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-5555555-5", now).await?;
    let other_head = issue_as(&web, OFFICER, "PC-OVR-01", Some(200_000), "17301-5555555-5", now).await?;

    let (_, report) = mahasil_server::dashboard::scan::scan(&web.state.store, now).await.map_err(|e| e.body.message)?;
    assert!(report.flags_new >= 1, "{report:?}");
    let flags = web.state.store.flags(&mahasil_domain::authz::Scope::Everywhere, Some(FlagState::Open), 100).await?;
    let duplicates: Vec<_> = flags.iter().filter(|f| f.kind == "duplicate").collect();
    assert_eq!(duplicates.len(), 1, "{flags:?}");
    let flag = duplicates[0];
    assert!(flag.challans.contains(&first.challan_no.to_string()) && flag.challans.contains(&second.challan_no.to_string()));
    assert!(!flag.challans.contains(&other_head.challan_no.to_string()), "another head is not a duplicate");
    // Scanning again finds the same lead and stores nothing new.
    let (_, again) = mahasil_server::dashboard::scan::scan(&web.state.store, now).await.map_err(|e| e.body.message)?;
    assert_eq!(again.flags_new, 0);

    // Peshawar's supervisor sees it, with its evidence; Mardan's does not.
    let s = web.sign_in(SUPERVISOR).await?;
    let page = web.get("/dashboard/flags", &s).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&flag.summary_en), "{}", page.body);
    assert!(page.body.contains(&format!("/challans/{}", first.challan_no)));
    assert!(!page.body.contains("Acknowledge (follow up)"), "only auditors decide");
    let mardan = web.sign_in(SUPERVISOR_MARDAN).await?;
    assert!(!web.get("/dashboard/flags", &mardan).await?.body.contains(&flag.summary_en));
    let dashboard = web.get("/dashboard", &s).await?;
    assert!(dashboard.body.contains("Anomaly flags (1)"), "the open count on the dashboard");

    // A supervisor may not decide; an auditor must give a reason; then it is decided once.
    let uri = format!("/dashboard/flags/{}", flag.id);
    assert_eq!(web.post(&uri, &s, &[("decision", "dismiss"), ("reason", "known")]).await?.status, StatusCode::FORBIDDEN);
    let a = web.sign_in(AUDITOR).await?;
    assert!(web.get("/dashboard/flags", &a).await?.body.contains("Acknowledge (follow up)"));
    let audit_before = web.state.store.audit_entries(0, 10_000).await?.len();
    let blank = web.post(&uri, &a, &[("decision", "dismiss"), ("reason", "  ")]).await?;
    assert!(blank.status.is_client_error(), "{}", blank.status);
    assert!(blank.body.contains("reason"), "{}", blank.body);
    let odd = web.post(&uri, &a, &[("decision", "maybe"), ("reason", "x")]).await?;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
    assert_eq!(web.state.store.flag(flag.id).await?.map(|f| f.state), Some(FlagState::Open), "nothing written");
    assert_eq!(web.state.store.audit_entries(0, 10_000).await?.len(), audit_before);

    let done = web.post(&uri, &a, &[("decision", "acknowledge"), ("reason", "same CNIC twice in ten minutes; asking the officer")]).await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let decided = web.state.store.flag(flag.id).await?.ok_or("flag")?;
    assert_eq!((decided.state, decided.decided_by_username.as_deref()), (FlagState::Acknowledged, Some(AUDITOR)));
    let audit = web.state.store.audit_entries(0, 10_000).await?;
    assert_eq!(audit.len(), audit_before + 1);
    assert!(audit.last().is_some_and(|e| e.action == "flag.acknowledged"), "{:?}", audit.last());
    let twice = web.post(&uri, &a, &[("decision", "dismiss"), ("reason", "changed my mind")]).await?;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(web.get("/dashboard/flags?state=acknowledged", &a).await?.body.contains("asking the officer"));
    assert_eq!(web.get("/dashboard/flags?state=sideways", &a).await?.status, StatusCode::BAD_REQUEST);
    // A lead about an officer names them by username (a duplicate is about a challan).
    let officer = web.state.store.user_by_username(OFFICER).await?.ok_or("officer")?;
    let about_officer = mahasil_store::flags::NewFlag {
        kind: "cancellation_rate".into(),
        subject: officer.id.to_string(),
        key: "cancellation_rate:test".into(),
        district: mahasil_domain::jurisdiction::Slug::parse("peshawar")?,
        department: Some(mahasil_domain::jurisdiction::Slug::parse("district-administration")?),
        score: 1.0,
        evidence: serde_json::json!({}),
        summary_en: "cancellation rate 40% vs peers 2%".into(),
        summary_ur: "cancellation rate 40% vs peers 2%".into(),
        challans: vec![],
    };
    assert_eq!(web.state.store.put_flags(&[about_officer], now).await?, 1);
    let page = web.get("/dashboard/flags", &s).await?;
    assert!(page.body.contains(&format!(" · {OFFICER}")), "the flag names its officer by username: {}", page.body);
    assert!(!page.body.contains(&officer.id.to_string()), "not by id");
    Ok(())
}
