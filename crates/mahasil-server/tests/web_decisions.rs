//! Maker-checker through the pages: an officer asks to cancel, a supervisor decides;
//! nobody decides their own request; contests; who may open the queue and admin pages.

mod web_support;

use axum::http::StatusCode;
use jiff::Timestamp;
use mahasil_domain::authz::{Grant, Role};
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::jurisdiction::Slug;
use mahasil_server::testing::{ADMIN, OFFICER, OFFICER2, PASSWORD, SUPERVISOR, SUPERVISOR_MARDAN};
use mahasil_store::{Actor, NewUser};
use uuid::Uuid;
use web_support::{R, Web, issue_as};

const CNIC: &str = "17301-3333333-3";

/// The id in the first decision form's address on the queue page.
fn first_decision(body: &str, kind: &str) -> R<String> {
    let marker = format!("action=\"/queue/{kind}/");
    let start = body.find(&marker).ok_or_else(|| format!("no {kind} decision form"))? + marker.len();
    Ok(body[start..start + 36].to_string())
}

#[tokio::test]
async fn officer_requests_and_supervisor_approves() -> R {
    let web = Web::new().await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC, Timestamp::now()).await?;
    let officer = web.sign_in(OFFICER).await?;
    let detail = web.get(&format!("/challans/{}", c.challan_no), &officer).await?;
    assert!(detail.body.contains("Request cancellation"));

    let empty = web.post(&format!("/challans/{}/cancellation", c.challan_no), &officer, &[("reason", "  ")]).await?;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("must not be empty"));

    let asked = web.post(&format!("/challans/{}/cancellation", c.challan_no), &officer, &[("reason", "Wrong vehicle number written")]).await?;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let twice = web.post(&format!("/challans/{}/cancellation", c.challan_no), &officer, &[("reason", "again")]).await?;
    assert_eq!(twice.status, StatusCode::CONFLICT, "one pending request per challan");
    assert!(twice.body.contains("class=\"alert error\""), "the refusal is said on the page");
    let pending = web.get(&format!("/challans/{}", c.challan_no), &officer).await?;
    assert!(!pending.body.contains("/cancellation\""), "no second request offered while one is pending");

    let supervisor = web.sign_in(SUPERVISOR).await?;
    let queue = web.get("/queue", &supervisor).await?;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Wrong vehicle number written"));
    assert!(queue.body.contains("PKR 5,000"), "the queue shows what the challan is for");
    let id = first_decision(&queue.body, "cancellations")?;

    let forged = web.send(axum::http::Method::POST, &format!("/queue/cancellations/{id}"), Some(&supervisor.cookie), Some(&[("decision", "approve")])).await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("gone")?.status, ChallanStatus::Issued, "nothing written without the token");

    let other_district = web.sign_in(SUPERVISOR_MARDAN).await?;
    let refused = web.post(&format!("/queue/cancellations/{id}"), &other_district, &[("decision", "approve"), ("note", "")]).await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let approved = web.post(&format!("/queue/cancellations/{id}"), &supervisor, &[("decision", "approve"), ("note", "Checked the photo")]).await?;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("gone")?.status, ChallanStatus::Cancelled);

    let again = web.post(&format!("/queue/cancellations/{id}"), &supervisor, &[("decision", "reject"), ("note", "")]).await?;
    assert_eq!(again.status, StatusCode::CONFLICT, "already decided: {}", again.body);
    assert!(again.body.contains("Decisions waiting"), "the refusal is shown on the queue");

    let after = web.get(&format!("/challans/{}", c.challan_no), &officer).await?;
    assert!(after.body.contains("badge cancelled"));
    assert!(after.body.contains("Checked the photo"), "the decision note is in the history");
    Ok(())
}

#[tokio::test]
async fn nobody_decides_their_own_request() -> R {
    let web = Web::new().await?;
    let peshawar = Slug::parse("peshawar")?;
    let hash = tokio::task::spawn_blocking(|| mahasil_server::auth::password::hash(PASSWORD)).await?.map_err(|e| e.to_string())?;
    let grants = vec![
        Grant { role: Role::Officer, district: Some(peshawar.clone()), department: None },
        Grant { role: Role::Supervisor, district: Some(peshawar), department: None },
    ];
    let both = NewUser { id: Uuid::now_v7(), username: "both.peshawar".into(), display_name: "Both Roles".into(), password_hash: hash, grants };
    web.state.store.create_user(&both, &Actor::system(), Timestamp::now()).await?;

    let c = issue_as(&web, "both.peshawar", "DA-ENC-01", None, CNIC, Timestamp::now()).await?;
    let s = web.sign_in("both.peshawar").await?;
    let asked = web.post(&format!("/challans/{}/cancellation", c.challan_no), &s, &[("reason", "Issued by mistake")]).await?;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);

    let queue = web.get("/queue", &s).await?;
    assert!(queue.body.contains("Your own request"));
    let request = web.state.store.challan_cancellations(c.id).await?.into_iter().next().ok_or("no request")?;
    let own = web.post(&format!("/queue/cancellations/{}", request.id), &s, &[("decision", "approve"), ("note", "")]).await?;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    assert!(own.body.contains("You cannot decide your own request"));
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("gone")?.status, ChallanStatus::Issued);

    let supervisor = web.sign_in(SUPERVISOR).await?;
    let rejected = web.post(&format!("/queue/cancellations/{}", request.id), &supervisor, &[("decision", "reject"), ("note", "Stands")]).await?;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("gone")?.status, ChallanStatus::Issued);
    Ok(())
}

#[tokio::test]
async fn contests_are_recorded_and_decided() -> R {
    let web = Web::new().await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC, Timestamp::now()).await?;
    let officer = web.sign_in(OFFICER2).await?;
    let recorded = web.post(&format!("/challans/{}/contest", c.challan_no), &officer, &[("grounds", "The stall was on private land")]).await?;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("gone")?.status, ChallanStatus::Contested);

    let supervisor = web.sign_in(SUPERVISOR).await?;
    let queue = web.get("/queue", &supervisor).await?;
    assert!(queue.body.contains("The stall was on private land"));
    let id = first_decision(&queue.body, "contests")?;
    let bad = web.post(&format!("/queue/contests/{id}"), &supervisor, &[("decision", "maybe")]).await?;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let quashed = web.post(&format!("/queue/contests/{id}"), &supervisor, &[("decision", "quash"), ("note", "Land record shown")]).await?;
    assert_eq!(quashed.status, StatusCode::SEE_OTHER);
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("gone")?.status, ChallanStatus::Cancelled);
    Ok(())
}

#[tokio::test]
async fn officers_cannot_open_supervisor_or_admin_pages() -> R {
    let web = Web::new().await?;
    let officer = web.sign_in(OFFICER).await?;
    for uri in ["/queue", "/admin/users", "/admin/heads"] {
        let page = web.get(uri, &officer).await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(page.content_type().starts_with("text/html"));
    }
    let home = web.get("/", &officer).await?;
    assert!(!home.body.contains("href=\"/queue\""));

    let admin = web.sign_in(ADMIN).await?;
    assert_eq!(web.get("/queue", &admin).await?.status, StatusCode::FORBIDDEN);
    assert_eq!(web.get("/admin/users", &admin).await?.status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_waiver_is_asked_on_the_challan_page_and_approved_from_the_queue() -> R {
    let web = Web::new().await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC, Timestamp::now()).await?;
    let officer = web.sign_in(OFFICER).await?;
    let detail = web.get(&format!("/challans/{}", c.challan_no), &officer).await?;
    assert!(detail.body.contains("name=\"kind\"") && detail.body.contains("Waive: forgive the fine"), "the form offers a waiver");
    let bad = web.post(&format!("/challans/{}/cancellation", c.challan_no), &officer, &[("reason", "hardship"), ("kind", "pardon")]).await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("cancel or waive"), "the kind is named");
    let asked =
        web.post(&format!("/challans/{}/cancellation", c.challan_no), &officer, &[("reason", "Shop destroyed in the flood"), ("kind", "waive")]).await?;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);

    let supervisor = web.sign_in(SUPERVISOR).await?;
    let queue = web.get("/queue", &supervisor).await?;
    assert!(queue.body.contains("Shop destroyed in the flood") && queue.body.contains("Approve (waive the fine)"), "the queue says what approving does");
    let id = first_decision(&queue.body, "cancellations")?;
    let approved = web.post(&format!("/queue/cancellations/{id}"), &supervisor, &[("decision", "approve"), ("note", "Flood relief list")]).await?;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("gone")?.status, ChallanStatus::Waived);
    let after = web.get(&format!("/challans/{}", c.challan_no), &officer).await?;
    assert!(after.body.contains("badge waived") && after.body.contains("waiver requested by"), "{}", after.body);
    Ok(())
}
