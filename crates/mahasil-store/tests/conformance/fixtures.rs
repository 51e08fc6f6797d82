//! A small KP world every case starts from: the jurisdiction tree, two departments, two
//! revenue heads, staff with their grants, and a node issuer; plus drafting helpers.

use std::error::Error;

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use mahasil_domain::authz::{Grant, Principal, Role};
use mahasil_domain::challan::{ChallanDraft, IssueRequest, Location, Offender, draft};
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode, HeadKind, RevenueHead};
use mahasil_domain::identity::{Cnic, Mobile, Text, VehicleNo};
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Level, Slug};
use mahasil_domain::money::Paisa;
use mahasil_store::{Actor, ChallanRecord, NewUser, Store, StoreError};
use uuid::Uuid;

pub type TestResult<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

pub const ENCROACHMENT: &str = "DA-ENC-01";
pub const OVERCHARGING: &str = "PC-OVR-01";

/// 10:00 in Peshawar on 1 March 2026; cases move time forward from here.
pub fn t0() -> TestResult<Timestamp> {
    Ok("2026-03-01T05:00:00Z".parse()?)
}

pub fn days_after(t: Timestamp, days: i64) -> TestResult<Timestamp> {
    Ok(t.checked_add(Span::new().hours(24 * days))?)
}

pub fn slug(s: &str) -> TestResult<Slug> {
    Ok(Slug::parse(s)?)
}

pub fn paisa(p: i64) -> TestResult<Paisa> {
    Ok(Paisa::new(p)?)
}

pub fn jurisdiction(s: &str, level: Level, parent: Option<&str>, name: &str) -> TestResult<Jurisdiction> {
    Ok(Jurisdiction { slug: slug(s)?, level, parent: parent.map(slug).transpose()?, name_en: name.into(), name_ur: format!("{name} (اردو)") })
}

pub fn head(code: &str, kind: HeadKind, department: &str, title: &str) -> TestResult<RevenueHead> {
    Ok(RevenueHead {
        code: HeadCode::parse(code)?,
        kind,
        department: slug(department)?,
        title_en: title.into(),
        title_ur: format!("{title} (اردو)"),
        legal_basis: "KP Local Government Act 2013".into(),
        account_code: "C02-1234".into(),
        active: true,
    })
}

/// PKR 5,000 within 14 days, PKR 6,000 after.
pub fn encroachment_schedule() -> TestResult<FeeSchedule> {
    Ok(FeeSchedule {
        head: HeadCode::parse(ENCROACHMENT)?,
        version: 1,
        amount: AmountRule::Fixed { amount_paisa: paisa(500_000)? },
        due_days: 14,
        after_due: AfterDueRule::Fixed { amount_paisa: paisa(600_000)? },
        effective_from: Date::constant(2025, 1, 1),
    })
}

/// PKR 1,000 to 50,000 within 30 days, 10% more after.
pub fn overcharging_schedule() -> TestResult<FeeSchedule> {
    Ok(FeeSchedule {
        head: HeadCode::parse(OVERCHARGING)?,
        version: 1,
        amount: AmountRule::Range { min_paisa: paisa(100_000)?, max_paisa: paisa(5_000_000)? },
        due_days: 30,
        after_due: AfterDueRule::SurchargeBasisPoints { basis_points: 1_000 },
        effective_from: Date::constant(2025, 1, 1),
    })
}

pub fn grant(role: Role, district: Option<&str>, department: Option<&str>) -> TestResult<Grant> {
    Ok(Grant { role, district: district.map(slug).transpose()?, department: department.map(slug).transpose()? })
}

/// The PHC string every fixture user gets; cases check it never reaches the audit log.
pub const PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$fixturehashfixturehashfixturehash";

pub async fn create_user(store: &Store, username: &str, grants: Vec<Grant>) -> TestResult<Principal> {
    let user = NewUser {
        id: Uuid::now_v7(),
        username: username.into(),
        display_name: format!("{username} (display)"),
        password_hash: PASSWORD_HASH.into(),
        grants: grants.clone(),
    };
    store.create_user(&user, &Actor::system(), t0()?).await?;
    Ok(Principal { user_id: user.id, username: user.username, grants })
}

/// Everything a case needs, created through the store itself.
pub struct World {
    pub store: Store,
    pub admin: Actor,
    /// Officer in Peshawar, district administration.
    pub officer: Principal,
    /// A second officer with the same grants.
    pub officer2: Principal,
    /// Officer in Mardan, price control.
    pub mardan_officer: Principal,
    /// Supervisor in Peshawar, every department.
    pub supervisor: Principal,
    /// Supervisor in Mardan, every department.
    pub mardan_supervisor: Principal,
    pub issuer: IssuerNo,
}

pub async fn put_reference_data(store: &Store) -> TestResult {
    let system = Actor::system();
    let at = t0()?;
    for j in [
        jurisdiction("khyber-pakhtunkhwa", Level::Province, None, "Khyber Pakhtunkhwa")?,
        jurisdiction("peshawar-division", Level::Division, Some("khyber-pakhtunkhwa"), "Peshawar Division")?,
        jurisdiction("mardan-division", Level::Division, Some("khyber-pakhtunkhwa"), "Mardan Division")?,
        jurisdiction("peshawar", Level::District, Some("peshawar-division"), "Peshawar")?,
        jurisdiction("mardan", Level::District, Some("mardan-division"), "Mardan")?,
        jurisdiction("peshawar-city", Level::Tehsil, Some("peshawar"), "Peshawar City")?,
    ] {
        store.put_jurisdiction(&j, &system, at).await?;
    }
    for (s, name) in [("district-administration", "District Administration"), ("price-control", "Price Control")] {
        store.put_department(&Department { slug: slug(s)?, name_en: name.into(), name_ur: format!("{name} (اردو)") }, &system, at).await?;
    }
    store
        .create_head(&head(ENCROACHMENT, HeadKind::Fine, "district-administration", "Encroachment on a public road")?, &encroachment_schedule()?, &system, at)
        .await?;
    store.create_head(&head(OVERCHARGING, HeadKind::Fine, "price-control", "Overcharging")?, &overcharging_schedule()?, &system, at).await?;
    Ok(())
}

pub async fn world(store: Store) -> TestResult<World> {
    put_reference_data(&store).await?;
    let admin_p = create_user(&store, "admin", vec![grant(Role::Admin, None, None)?]).await?;
    let officer = create_user(&store, "officer.peshawar", vec![grant(Role::Officer, Some("peshawar"), Some("district-administration"))?]).await?;
    let officer2 = create_user(&store, "officer2.peshawar", vec![grant(Role::Officer, Some("peshawar"), Some("district-administration"))?]).await?;
    let mardan_officer = create_user(&store, "officer.mardan", vec![grant(Role::Officer, Some("mardan"), Some("price-control"))?]).await?;
    let supervisor = create_user(&store, "supervisor.peshawar", vec![grant(Role::Supervisor, Some("peshawar"), None)?]).await?;
    let mardan_supervisor = create_user(&store, "supervisor.mardan", vec![grant(Role::Supervisor, Some("mardan"), None)?]).await?;
    let issuer = store.node_issuer("node-a", t0()?).await?;
    Ok(World { admin: Actor::from(&admin_p), store, officer, officer2, mardan_officer, supervisor, mardan_supervisor, issuer })
}

/// An offender who differs with `n`: CNIC, mobile, and a vehicle on even `n`.
pub fn offender(n: u32) -> TestResult<Offender> {
    Ok(Offender {
        name: Text::parse(&format!("Offender {n}"))?,
        cnic: Cnic::parse(&format!("17301{:07}1", n % 10_000_000))?,
        mobile: Mobile::parse(&format!("0300{:07}", n % 10_000_000))?,
        email: None,
        vehicle_no: if n.is_multiple_of(2) { Some(VehicleNo::parse(&format!("PES-{}", 1000 + n))?) } else { None },
        business_name: Some(Text::parse(&format!("Shop {n}"))?),
        address: Some(Text::parse("Saddar Road, Peshawar")?),
        language: None,
    })
}

/// A checked draft of `head_code` in `district` by `officer`, issued at `at`.
pub async fn draft_of(
    store: &Store,
    officer: &Principal,
    head_code: &str,
    district: &str,
    n: u32,
    amount: Option<i64>,
    at: Timestamp,
) -> TestResult<ChallanDraft> {
    let head = store.head(&HeadCode::parse(head_code)?).await?.ok_or("head missing")?;
    let district = store.jurisdiction(&slug(district)?).await?.ok_or("district missing")?;
    let request = IssueRequest {
        amount: amount.map(paisa).transpose()?,
        offender: offender(n)?,
        location: Location::new(34.0151 + f64::from(n % 100) / 10_000.0, 71.5249, Text::parse("Khyber Bazaar")?)?,
    };
    Ok(draft(Uuid::now_v7(), request, &head.head, &head.schedules, &district, officer, at)?)
}

/// Drafts and issues one encroachment challan in Peshawar.
pub async fn issue_one(w: &World, officer: &Principal, n: u32, at: Timestamp) -> TestResult<ChallanRecord> {
    let d = draft_of(&w.store, officer, ENCROACHMENT, "peshawar", n, None, at).await?;
    Ok(w.store.issue_challan(&d, w.issuer, &Actor::from(officer), at, &mahasil_store::testing::test_sealer()).await?)
}

pub fn is_conflict<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict(_)))
}

pub fn is_not_found<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound(_)))
}

pub fn is_domain<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Domain(_)))
}
