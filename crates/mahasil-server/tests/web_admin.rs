//! Administration through the pages: users (create, who then signs in; grants, active,
//! password) and revenue heads (create with a first schedule, edit, add a version).

mod web_support;

use axum::http::{Method, StatusCode};
use mahasil_domain::head::{AmountRule, HeadCode};
use mahasil_server::testing::{ADMIN, OFFICER};
use web_support::{R, Web};

const NEW_PASSWORD: &str = "a long enough password";

fn new_user<'a>(username: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("username", username),
        ("display_name", "Nasir Khan"),
        ("password", password),
        ("grant.role", "officer"),
        ("grant.district", "mardan"),
        ("grant.department", "all"),
        ("grant.role", ""),
        ("grant.district", "all"),
        ("grant.department", "all"),
    ]
}

#[tokio::test]
async fn admin_creates_a_user_who_then_signs_in() -> R {
    let web = Web::new().await?;
    let admin = web.sign_in(ADMIN).await?;
    let list = web.get("/admin/users", &admin).await?;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(OFFICER));

    let created = web.post("/admin/users", &admin, &new_user("officer.mardan2", NEW_PASSWORD)).await?;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert!(created.location().starts_with("/admin/users/"));
    let edit = web.get(created.location(), &admin).await?;
    assert!(edit.body.contains("User created."));

    let user = web.state.store.user_by_username("officer.mardan2").await?.ok_or("not stored")?;
    assert_eq!(user.grants.len(), 1, "the row without a role is dropped");
    assert!(user.password_hash.starts_with("$argon2id$"));
    let s = web.sign_in_with("officer.mardan2", NEW_PASSWORD).await?;
    let home = web.get("/", &s).await?;
    assert!(home.body.contains("officer — mardan, all departments"), "{}", home.body);
    Ok(())
}

#[tokio::test]
async fn bad_or_taken_users_are_refused() -> R {
    let web = Web::new().await?;
    let admin = web.sign_in(ADMIN).await?;
    let before = web.state.store.users().await?.len();
    let short = web.post("/admin/users", &admin, &new_user("new.user", "short")).await?;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("at least 12 characters"));
    assert!(short.body.contains("value=\"new.user\""), "the username typed is kept");
    assert!(!short.body.contains("value=\"short\""), "a password is never sent back");

    let taken = web.post("/admin/users", &admin, &new_user(OFFICER, NEW_PASSWORD)).await?;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(taken.body.contains("is already taken"));

    let mut bad_grant = new_user("new.user", NEW_PASSWORD);
    bad_grant[4] = ("grant.district", "atlantis");
    let unknown = web.post("/admin/users", &admin, &bad_grant).await?;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("unknown district atlantis"));

    let officer = web.sign_in(OFFICER).await?;
    let forbidden = web.post("/admin/users", &officer, &new_user("sneaky.one", NEW_PASSWORD)).await?;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let without_token = web.send(Method::POST, "/admin/users", Some(&admin.cookie), Some(&new_user("no.token", NEW_PASSWORD))).await?;
    assert_eq!(without_token.status, StatusCode::FORBIDDEN);
    assert_eq!(web.state.store.users().await?.len(), before, "nothing written");
    Ok(())
}

#[tokio::test]
async fn grants_active_flag_and_password_are_edited() -> R {
    let web = Web::new().await?;
    let admin = web.sign_in(ADMIN).await?;
    let officer = web.state.store.user_by_username(OFFICER).await?.ok_or("no officer")?;
    let uri = format!("/admin/users/{}", officer.id);
    let edit = web.get(&uri, &admin).await?;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("value=\"price-control\" selected"), "stored grants fill the rows");

    let reset = web.post(&format!("{uri}/password"), &admin, &[("password", NEW_PASSWORD)]).await?;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    web.sign_in_with(OFFICER, NEW_PASSWORD).await?;

    let fields = [("display_name", "Officer Two Roles"), ("grant.role", "supervisor"), ("grant.district", "peshawar"), ("grant.department", "all")];
    let saved = web.post(&uri, &admin, &fields).await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = web.state.store.user(officer.id).await?.ok_or("gone")?;
    assert!(!stored.active, "an unticked box deactivates");
    assert_eq!(stored.display_name, "Officer Two Roles");
    let refused = web.send(Method::POST, "/login", None, Some(&[("username", OFFICER), ("password", NEW_PASSWORD), ("next", "/")])).await?;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "a deactivated user cannot sign in");

    let me = web.state.store.user_by_username(ADMIN).await?.ok_or("no admin")?;
    let lockout = web.post(&format!("/admin/users/{}", me.id), &admin, &[("display_name", "Admin"), ("active", "on"), ("grant.role", "auditor")]).await?;
    assert_eq!(lockout.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(lockout.body.contains("cannot remove your own administrator role"));
    Ok(())
}

fn new_head<'a>(code: &'a str, min: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("kind", "fee"),
        ("department", "price-control"),
        ("title_en", "Late renewal of a shop licence"),
        ("title_ur", "دکان کے لائسنس کی تاخیر سے تجدید"),
        ("legal_basis", "Test Act 2025 s. 9"),
        ("account_code", "C02899"),
        ("amount_type", "range"),
        ("min", min),
        ("max", "2,500.50"),
        ("due_days", "30"),
        ("after_due_type", "surcharge"),
        ("surcharge_percent", "12.5"),
        ("effective_from", "2025-01-01"),
    ]
}

#[tokio::test]
async fn admin_creates_and_versions_a_head() -> R {
    let web = Web::new().await?;
    let admin = web.sign_in(ADMIN).await?;
    let list = web.get("/admin/heads", &admin).await?;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("DA-ENC-01") && list.body.contains("fixed PKR 5,000"));

    let bad = web.post("/admin/heads", &admin, &new_head("PC-LIC-09", "3000")).await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "min above max");
    assert!(bad.body.contains("min must not exceed max"));
    let bad_rupees = web.post("/admin/heads", &admin, &new_head("PC-LIC-09", "10.001")).await?;
    assert_eq!(bad_rupees.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_rupees.body.contains("at most two decimals"));
    let code = HeadCode::parse("PC-LIC-09")?;
    assert!(web.state.store.head(&code).await?.is_none(), "nothing written");

    let created = web.post("/admin/heads", &admin, &new_head("pc-lic-09", "500")).await?;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.location(), "/admin/heads/PC-LIC-09?done=created");
    let stored = web.state.store.head(&code).await?.ok_or("not stored")?;
    assert_eq!(stored.schedules[0].amount, AmountRule::Range { min_paisa: 50_000.try_into()?, max_paisa: 250_050.try_into()? });
    let taken = web.post("/admin/heads", &admin, &new_head("PC-LIC-09", "500")).await?;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    let page = web.get(created.location(), &admin).await?;
    assert!(page.body.contains("dir=\"rtl\" lang=\"ur\""));
    let renamed = web
        .post(
            "/admin/heads/PC-LIC-09",
            &admin,
            &[("title_en", "Shop licence renewed late"), ("title_ur", "لائسنس"), ("legal_basis", "Test Act 2025 s. 9"), ("account_code", "C02899")],
        )
        .await?;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let head = web.state.store.head(&code).await?.ok_or("gone")?.head;
    assert_eq!((head.title_en.as_str(), head.active), ("Shop licence renewed late", false));

    let past = web
        .post(
            "/admin/heads/PC-LIC-09/schedules",
            &admin,
            &[("amount_type", "fixed"), ("amount", "750"), ("due_days", "14"), ("after_due_type", "same"), ("effective_from", "2020-01-01")],
        )
        .await?;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(past.body.contains("must be today or later"));
    let next_year = format!("{}-01-01", jiff::Zoned::now().year() + 1);
    let added = web
        .post(
            "/admin/heads/PC-LIC-09/schedules",
            &admin,
            &[
                ("amount_type", "fixed"),
                ("amount", "750"),
                ("due_days", "14"),
                ("after_due_type", "fixed"),
                ("after_due_amount", "900"),
                ("effective_from", &next_year),
            ],
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let versions = web.state.store.head(&code).await?.ok_or("gone")?.schedules;
    assert_eq!(versions.iter().map(|s| s.version).collect::<Vec<_>>(), [1, 2]);

    let officer = web.sign_in(OFFICER).await?;
    assert_eq!(web.post("/admin/heads/PC-LIC-09/schedules", &officer, &[("amount_type", "fixed")]).await?.status, StatusCode::FORBIDDEN);
    Ok(())
}
