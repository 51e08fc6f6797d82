//! Issuing through the form: fixed and range heads, exact rupees, field errors that keep
//! the values, CSRF, and the one-time form id that refuses a replay.

mod web_support;

use axum::http::StatusCode;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_server::testing::{OFFICER, SUPERVISOR};
use web_support::{R, Session, Web};

/// The form's fields for an offender at Saddar Road, with `extra` fields added or
/// replacing the defaults.
fn fields<'a>(form_id: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("form_id", form_id),
        ("head_code", "DA-ENC-01"),
        ("district", "peshawar"),
        ("amount", ""),
        ("offender.name", "Gul Khan"),
        ("offender.cnic", "17301-1234567-1"),
        ("offender.mobile", "0300-1234567"),
        ("offender.vehicle_no", "pes 1234"),
        ("location.text", "Saddar Road"),
        ("location.lat", "34.0"),
        ("location.lon", "71.5"),
    ];
    for (k, v) in extra {
        all.retain(|(name, _)| name != k);
        all.push((k, v));
    }
    all
}

async fn fresh_form(web: &Web, s: &Session) -> R<String> {
    let page = web.get("/challans/new", s).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.hidden("form_id")
}

fn challan_no_of(location: &str) -> R<ChallanNo> {
    let no = location.strip_prefix("/challans/").ok_or("not a challan page")?.split('?').next().ok_or("empty")?;
    Ok(ChallanNo::parse(no)?)
}

#[tokio::test]
async fn fixed_head_needs_no_amount() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    let form = web.get("/challans/new", &s).await?;
    assert!(form.body.contains("No amount needed"), "fixed heads say so");
    assert!(form.body.contains("Enter the amount"), "range heads say so");
    assert!(form.body.contains("dir=\"rtl\" lang=\"ur\""), "Urdu titles are right to left");
    let form_id = form.hidden("form_id")?;

    assert!(form.body.contains("name=\"offender.language\""), "the offender is asked which language to write in");

    let done = web.post("/challans/new", &s, &fields(&form_id, &[("offender.language", "en")])).await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let no = challan_no_of(done.location())?;
    let stored = web.state.store.challan_by_no(no).await?.ok_or("not stored")?;
    assert_eq!(stored.id.to_string(), form_id, "the form id is the challan id");
    assert_eq!(stored.offender.language, Some(mahasil_domain::notice::Language::En));
    assert_eq!((stored.amount_paisa, stored.amount_after_due_paisa), (500_000, 600_000));

    let page = web.get(done.location(), &s).await?;
    assert_eq!(page.status, StatusCode::OK);
    for text in ["Challan issued.", "PKR 5,000", "PKR 6,000", "Gul Khan", "PES-1234", "PKT", "Messages in", "English", &no.to_string()] {
        assert!(page.body.contains(text), "detail lacks {text}");
    }
    Ok(())
}

#[tokio::test]
async fn range_head_takes_exact_rupees() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    let form_id = fresh_form(&web, &s).await?;
    let done = web.post("/challans/new", &s, &fields(&form_id, &[("head_code", "PC-OVR-01"), ("amount", "1250.50")])).await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let stored = web.state.store.challan_by_no(challan_no_of(done.location())?).await?.ok_or("not stored")?;
    assert_eq!(stored.amount_paisa, 125_050);
    assert_eq!(stored.amount_after_due_paisa, 137_555, "10% surcharge rounded up");
    Ok(())
}

#[tokio::test]
async fn bad_amounts_are_refused_and_nothing_is_written() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    let form_id = fresh_form(&web, &s).await?;
    let cases = [
        ("999", "must be from PKR 1,000 to PKR 50,000"),
        ("60000", "must be from PKR 1,000 to PKR 50,000"),
        ("0", "must be from PKR 1,000"),
        ("1250.505", "at most two decimals"),
        ("abc", "amount in rupees"),
        ("", "enter the amount"),
    ];
    for (amount, expected) in cases {
        let page = web.post("/challans/new", &s, &fields(&form_id, &[("head_code", "PC-OVR-01"), ("amount", amount)])).await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
        assert!(page.body.contains(expected), "{amount}: expected {expected}");
        assert!(page.body.contains("field-error"));
        assert_eq!(page.hidden("form_id")?, form_id, "the same form id is kept for the corrected form");
    }
    assert_eq!(web.count().await?, 0);
    Ok(())
}

#[tokio::test]
async fn field_errors_sit_by_their_fields_and_keep_the_values() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    let form_id = fresh_form(&web, &s).await?;
    let page =
        web.post("/challans/new", &s, &fields(&form_id, &[("offender.cnic", "12345"), ("location.lat", "north"), ("offender.name", "Zar <b>Ali</b>")])).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"offender.cnic-error\""), "CNIC error next to the CNIC field");
    assert!(page.body.contains("must be 13 digits"));
    assert!(page.body.contains("decimal degrees"), "latitude error");
    assert!(page.body.contains("value=\"Zar &lt;b&gt;Ali&lt;/b&gt;\""), "typed values kept, escaped");
    assert!(page.body.contains("value=\"0300-1234567\""));
    assert_eq!(web.count().await?, 0);
    Ok(())
}

#[tokio::test]
async fn csrf_token_is_required() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    let form_id = fresh_form(&web, &s).await?;
    let without = web.send(axum::http::Method::POST, "/challans/new", Some(&s.cookie), Some(&fields(&form_id, &[]))).await?;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let mut wrong = fields(&form_id, &[]);
    wrong.push(("csrf", "forged"));
    let forged = web.send(axum::http::Method::POST, "/challans/new", Some(&s.cookie), Some(&wrong)).await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("did not come from this site"));
    assert_eq!(web.count().await?, 0);
    Ok(())
}

#[tokio::test]
async fn a_replayed_form_issues_once() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    let form_id = fresh_form(&web, &s).await?;
    let first = web.post("/challans/new", &s, &fields(&form_id, &[])).await?;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let again = web.post("/challans/new", &s, &fields(&form_id, &[])).await?;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("already submitted"));
    let no = challan_no_of(first.location())?;
    assert!(again.body.contains(&format!("href=\"/challans/{no}\"")), "links to the challan it issued");
    assert_eq!(web.count().await?, 1);

    let missing_id = web.post("/challans/new", &s, &fields("", &[])).await?;
    assert_eq!(missing_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(web.count().await?, 1);
    Ok(())
}

#[tokio::test]
async fn only_officers_issue() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(SUPERVISOR).await?;
    assert_eq!(web.get("/challans/new", &s).await?.status, StatusCode::FORBIDDEN);
    let posted = web.post("/challans/new", &s, &fields("0190f3a0-0000-7000-8000-000000000001", &[])).await?;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    assert_eq!(web.count().await?, 0);
    Ok(())
}
