//! Banks through the admin pages: registering one shows its secret once, a new secret
//! can be given and is shown once, the list never shows a secret, bad input is refused
//! with nothing written, and only a province-wide administrator may do any of it.

mod web_support;

use axum::http::StatusCode;
use mahasil_domain::authz::{Grant, Role};
use mahasil_domain::jurisdiction::Slug;
use mahasil_server::testing::{ADMIN, OFFICER, PASSWORD};
use mahasil_store::{Actor, NewUser};
use web_support::{R, Web};

/// The secret shown once on a page, in `<code id="new-secret">`.
fn shown_secret(body: &str) -> Option<String> {
    let marker = "id=\"new-secret\">";
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('<')?;
    Some(body[start..start + end].to_string())
}

#[tokio::test]
async fn a_registered_bank_gets_a_secret_shown_once() -> R {
    let web = Web::new().await?;
    let admin = web.sign_in(ADMIN).await?;
    let created = web.post("/admin/banks", &admin, &[("mnemonic", "hbl"), ("name", "Habib Bank"), ("secret", "")]).await?;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = shown_secret(&created.body).ok_or("no secret shown")?;
    assert_eq!(secret.len(), mahasil_server::admin::GENERATED_SECRET_CHARS);
    let stored = web.state.store.bank(&Slug::parse("hbl")?).await?.ok_or("not stored")?;
    assert_eq!((stored.secret.as_str(), stored.name.as_str(), stored.active), (secret.as_str(), "Habib Bank", true));

    let list = web.get("/admin/banks", &admin).await?;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("hbl") && list.body.contains("Habib Bank"));
    assert!(!list.body.contains(&secret), "the list never shows a secret");
    assert_eq!(list.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));

    let chosen = web.post("/admin/banks", &admin, &[("mnemonic", "ubl"), ("name", "United Bank"), ("secret", "a-chosen-secret-of-20")]).await?;
    assert_eq!(shown_secret(&chosen.body).as_deref(), Some("a-chosen-secret-of-20"));

    let rotated = web.post("/admin/banks/hbl", &admin, &[("name", "Habib Bank Ltd"), ("active", "on"), ("new_secret", "generate")]).await?;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let new_secret = shown_secret(&rotated.body).ok_or("no new secret shown")?;
    assert_ne!(new_secret, secret);
    let switched_off = web.post("/admin/banks/hbl", &admin, &[("name", "Habib Bank Ltd")]).await?;
    assert_eq!(shown_secret(&switched_off.body), None, "keeping the secret shows none");
    let stored = web.state.store.bank(&Slug::parse("hbl")?).await?.ok_or("not stored")?;
    assert_eq!((stored.secret.as_str(), stored.name.as_str(), stored.active), (new_secret.as_str(), "Habib Bank Ltd", false));
    Ok(())
}

#[tokio::test]
async fn bad_or_taken_banks_are_refused_and_nothing_is_written() -> R {
    let web = Web::new().await?;
    let admin = web.sign_in(ADMIN).await?;
    let bad = web.post("/admin/banks", &admin, &[("mnemonic", "Not A Slug"), ("name", ""), ("secret", "short")]).await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("must be a slug") && bad.body.contains("16 to 128 characters"), "{}", bad.body);
    assert!(web.state.store.banks().await?.is_empty());

    web.post("/admin/banks", &admin, &[("mnemonic", "hbl"), ("name", "Habib Bank"), ("secret", "")]).await?;
    let again = web.post("/admin/banks", &admin, &[("mnemonic", "hbl"), ("name", "Other"), ("secret", "")]).await?;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(web.state.store.banks().await?.len(), 1);
    assert_eq!(web.state.store.bank(&Slug::parse("hbl")?).await?.map(|b| b.name), Some("Habib Bank".into()));

    let unknown = web.post("/admin/banks/no-such-bank", &admin, &[("name", "X")]).await?;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let no_csrf = web.send(axum::http::Method::POST, "/admin/banks", Some(&admin.cookie), Some(&[("mnemonic", "mcb"), ("name", "MCB")])).await?;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert_eq!(web.state.store.banks().await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn only_a_province_wide_admin_manages_banks() -> R {
    let web = Web::new().await?;
    let officer = web.sign_in(OFFICER).await?;
    assert_eq!(web.get("/admin/banks", &officer).await?.status, StatusCode::FORBIDDEN);
    let hash = mahasil_server::auth::password::hash(PASSWORD).map_err(|e| e.to_string())?;
    let grant = Grant { role: Role::Admin, district: Some(Slug::parse("peshawar")?), department: None };
    let user = NewUser {
        id: uuid::Uuid::now_v7(),
        username: "admin.peshawar".into(),
        display_name: "District admin".into(),
        password_hash: hash,
        grants: vec![grant],
    };
    web.state.store.create_user(&user, &Actor::system(), jiff::Timestamp::now()).await?;
    let district_admin = web.sign_in("admin.peshawar").await?;
    let refused = web.post("/admin/banks", &district_admin, &[("mnemonic", "hbl"), ("name", "Habib Bank"), ("secret", "")]).await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(web.state.store.banks().await?.is_empty());
    Ok(())
}
