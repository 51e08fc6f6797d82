//! Finding challans: by CNIC, by typed number, by the derived `overdue`, a page at a time,
//! bad filters as field errors, and nothing outside one's scope.

mod web_support;

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_server::testing::{AUDITOR, OFFICER, OFFICER_MARDAN, SUPERVISOR};
use web_support::{R, Web, issue_as};

const CNIC_A: &str = "17301-1111111-1";
const CNIC_B: &str = "17301-2222222-2";

#[tokio::test]
async fn search_by_cnic_a_page_at_a_time() -> R {
    let web = Web::new().await?;
    let now = Timestamp::now();
    let mut of_a = Vec::new();
    for _ in 0..3 {
        of_a.push(issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC_A, now).await?.challan_no.to_string());
    }
    let of_b = issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC_B, now).await?.challan_no.to_string();
    let s = web.sign_in(SUPERVISOR).await?;

    let all = web.get(&format!("/challans?cnic={CNIC_A}"), &s).await?;
    assert_eq!(all.status, StatusCode::OK);
    assert!(of_a.iter().all(|no| all.body.contains(no)));
    assert!(!all.body.contains(&of_b));
    assert!(!all.body.contains("Next page"));

    // Typed without dashes, two a page: newest first, then the rest.
    let first = web.get("/challans?cnic=1730111111111&per_page=2", &s).await?;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains(&of_a[2]) && first.body.contains(&of_a[1]) && !first.body.contains(&of_a[0]));
    let next = first.link("/challans?")?;
    assert!(next.contains("after="), "{next}");
    assert!(next.contains("per_page=2"), "the search is carried: {next}");
    let second = web.get(&next, &s).await?;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains(&of_a[0]));
    assert!(!second.body.contains(&of_a[2]));
    assert!(!second.body.contains(&of_b));
    Ok(())
}

#[tokio::test]
async fn a_typed_number_opens_the_challan() -> R {
    let web = Web::new().await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC_A, Timestamp::now()).await?;
    let s = web.sign_in(OFFICER).await?;
    let page = web.get(&format!("/challans?challan_no={}", c.challan_no.digits()), &s).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), format!("/challans/{}", c.challan_no));
    Ok(())
}

#[tokio::test]
async fn bad_filters_are_field_errors() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    let page = web.get("/challans?cnic=123&from=2026-02-30&status=lost&per_page=0", &s).await?;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    for text in ["must be 13 digits", "not a real calendar date", "must be issued, contested", "from 1 to 200"] {
        assert!(page.body.contains(text), "missing {text}");
    }
    assert!(page.body.contains("value=\"123\""), "typed values kept");
    let good = ChallanNo::new(IssuerNo::new(100_001)?, 1)?.to_string();
    let (body, check) = good.split_at(good.len() - 1);
    let wrong_check = (check.parse::<u8>()? + 1) % 10;
    let typo = web.get(&format!("/challans?challan_no={body}{wrong_check}"), &s).await?;
    assert_eq!(typo.status, StatusCode::BAD_REQUEST);
    assert!(typo.body.contains("check digit"));
    let reversed = web.get("/challans?from=2026-03-02&to=2026-03-01", &s).await?;
    assert_eq!(reversed.status, StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn overdue_is_derived_from_the_due_date() -> R {
    let web = Web::new().await?;
    let long_ago = Timestamp::now().checked_sub(SignedDuration::from_hours(24 * 30))?;
    let late = issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC_A, long_ago).await?;
    let fresh = issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC_B, Timestamp::now()).await?;
    let s = web.sign_in(OFFICER).await?;
    let page = web.get("/challans?status=overdue", &s).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&late.challan_no.to_string()));
    assert!(!page.body.contains(&fresh.challan_no.to_string()));
    assert!(page.body.contains("badge overdue"));
    Ok(())
}

#[tokio::test]
async fn other_districts_see_nothing() -> R {
    let web = Web::new().await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC_A, Timestamp::now()).await?;
    let mardan = web.sign_in(OFFICER_MARDAN).await?;
    let page = web.get(&format!("/challans/{}", c.challan_no), &mardan).await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains(CNIC_A));
    let list = web.get(&format!("/challans?cnic={CNIC_A}"), &mardan).await?;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains(&c.challan_no.to_string()));
    assert!(list.body.contains("No challans match."));

    let auditor = web.sign_in(AUDITOR).await?;
    let seen = web.get(&format!("/challans/{}", c.challan_no), &auditor).await?;
    assert_eq!(seen.status, StatusCode::OK, "the auditor reads everywhere");
    assert!(!seen.body.contains("Request cancellation"), "only the issuing officer may ask to cancel");
    Ok(())
}
