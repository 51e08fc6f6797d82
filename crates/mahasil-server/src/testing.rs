//! A small province for tests of the API and pages: two districts, two departments, the
//! two heads DESIGN.md names, and one user per role, all with password [`PASSWORD`].

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::DomainError;
use mahasil_domain::authz::{Grant, Role};
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode, HeadKind, RevenueHead};
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Level, Slug};
use mahasil_domain::money::Paisa;
use mahasil_store::{Actor, NewUser, Store};
use uuid::Uuid;

use crate::seals::{KeyDir, NodeSeals};
use crate::state::{AppState, ServerConfig};

pub const PASSWORD: &str = "test-password-123";

/// Usernames seeded by [`seed`], with their grants.
pub const OFFICER: &str = "officer.peshawar";
pub const OFFICER2: &str = "officer2.peshawar";
pub const SUPERVISOR: &str = "supervisor.peshawar";
pub const SUPERVISOR_MARDAN: &str = "supervisor.mardan";
pub const OFFICER_MARDAN: &str = "officer.mardan";
pub const ADMIN: &str = "admin";
pub const AUDITOR: &str = "auditor";

type TestResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn slug(s: &str) -> Result<Slug, DomainError> {
    Slug::parse(s)
}

fn grant(role: Role, district: Option<&str>, department: Option<&str>) -> Result<Grant, DomainError> {
    Ok(Grant { role, district: district.map(slug).transpose()?, department: department.map(slug).transpose()? })
}

/// Seeds the test province into `store`.
pub async fn seed(store: &Store) -> TestResult<()> {
    let sys = Actor::system();
    let at = Timestamp::now();
    let places = [
        ("khyber-pakhtunkhwa", Level::Province, None),
        ("peshawar-division", Level::Division, Some("khyber-pakhtunkhwa")),
        ("mardan-division", Level::Division, Some("khyber-pakhtunkhwa")),
        ("peshawar", Level::District, Some("peshawar-division")),
        ("mardan", Level::District, Some("mardan-division")),
    ];
    for (s, level, parent) in places {
        let j = Jurisdiction { slug: slug(s)?, level, parent: parent.map(slug).transpose()?, name_en: s.to_string(), name_ur: format!("{s} (اردو)") };
        store.put_jurisdiction(&j, &sys, at).await?;
    }
    for d in ["district-administration", "price-control"] {
        store.put_department(&Department { slug: slug(d)?, name_en: d.into(), name_ur: d.into() }, &sys, at).await?;
    }
    let heads = [
        (
            "DA-ENC-01",
            "district-administration",
            AmountRule::Fixed { amount_paisa: Paisa::new(500_000)? },
            14,
            AfterDueRule::Fixed { amount_paisa: Paisa::new(600_000)? },
        ),
        (
            "PC-OVR-01",
            "price-control",
            AmountRule::Range { min_paisa: Paisa::new(100_000)?, max_paisa: Paisa::new(5_000_000)? },
            30,
            AfterDueRule::SurchargeBasisPoints { basis_points: 1_000 },
        ),
    ];
    for (code, dept, amount, due_days, after_due) in heads {
        let head = RevenueHead {
            code: HeadCode::parse(code)?,
            kind: HeadKind::Fine,
            department: slug(dept)?,
            title_en: format!("{code} title"),
            title_ur: "عنوان".into(),
            legal_basis: "Test Act 2025 s. 1".into(),
            account_code: "C02750".into(),
            active: true,
        };
        let schedule = FeeSchedule { head: head.code.clone(), version: 1, amount, due_days, after_due, effective_from: Date::constant(2025, 1, 1) };
        store.create_head(&head, &schedule, &sys, at).await?;
    }
    let hash = tokio::task::spawn_blocking(|| crate::auth::password::hash(PASSWORD)).await?.map_err(|e| e.to_string())?;
    let users = [
        (
            OFFICER,
            vec![grant(Role::Officer, Some("peshawar"), Some("district-administration"))?, grant(Role::Officer, Some("peshawar"), Some("price-control"))?],
        ),
        (OFFICER2, vec![grant(Role::Officer, Some("peshawar"), None)?]),
        (SUPERVISOR, vec![grant(Role::Supervisor, Some("peshawar"), None)?]),
        (OFFICER_MARDAN, vec![grant(Role::Officer, Some("mardan"), None)?]),
        (SUPERVISOR_MARDAN, vec![grant(Role::Supervisor, Some("mardan"), None)?]),
        (ADMIN, vec![grant(Role::Admin, None, None)?]),
        (AUDITOR, vec![grant(Role::Auditor, None, None)?]),
    ];
    for (username, grants) in users {
        let user = NewUser { id: Uuid::now_v7(), username: username.into(), display_name: username.into(), password_hash: hash.clone(), grants };
        store.create_user(&user, &sys, at).await?;
    }
    Ok(())
}

/// The public base URL of test nodes.
pub const PUBLIC_BASE_URL: &str = "http://mahasil.test";

/// An application state over `store` as test node `issuer` (not a demo), with its keys in
/// `keys` (created, with the authority key, when the store has no trust list yet).
pub async fn state(store: Store, issuer: IssuerNo, keys: &std::path::Path) -> TestResult<AppState> {
    let seals = NodeSeals::start(store.clone(), KeyDir::open(keys)?, issuer, 0, Timestamp::now()).await?;
    let config = ServerConfig { public_base_url: PUBLIC_BASE_URL.into(), demo: false, issuer, session_ttl_secs: 3600, secure_cookies: false, gateway: None };
    Ok(AppState::new(store, config, seals))
}

/// A seeded application on a fresh SQLite store; keep the directory alive with it.
pub async fn sqlite_app() -> TestResult<(AppState, tempfile::TempDir)> {
    let (store, dir) = mahasil_store::testing::fresh_sqlite().await?;
    seed(&store).await?;
    let issuer = store.node_issuer("test-node", Timestamp::now()).await?;
    let state = state(store, issuer, &dir.path().join("keys")).await?;
    Ok((state, dir))
}
