//! Everything before the bulk load, written through the store as the server would write
//! it (with its audit entries): the jurisdiction tree, departments, revenue heads with
//! their fee schedules, the demo's staff, the generated staff, the banks, this node's
//! issuer number and signing keys, and the field devices with their keys in the trust
//! list. Reference data and people are dated the day before the window opens.

use std::sync::Arc;

use anyhow::Context;
use jiff::Timestamp;
use mahasil_domain::authz::Grant;
use mahasil_domain::bank::BankSecret;
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::FeeSchedule;
use mahasil_domain::jurisdiction::Slug;
use mahasil_seal::{SigningKey, Usage};
use mahasil_server::seals::node::Active;
use mahasil_server::seals::trust::{self, Authority};
use mahasil_server::seals::{KeyChange, KeyDir, NodeSeals};
use mahasil_store::{Actor, BankRecord, NewDevice, NewUser, Store};
use rand::rngs::StdRng;
use uuid::Uuid;

use super::super::{catalogue, people, places, uuid_v7};
use super::calendar::{SECS_PER_DAY, day_start};
use super::cast::{self, BANKS, Cast, Person};
use super::province::District;

/// Users created at once through the store (its writer commits them in groups).
const USERS_IN_FLIGHT: usize = 64;
/// How far before the window a device key is valid from: the allowance the server gives a
/// device clock that runs behind.
const DEVICE_KEY_BACKDATE_SECS: i64 = 31 * SECS_PER_DAY;

/// A field device, enrolled, with the private key it seals and signs its ops with.
pub(super) struct Device {
    pub id: Uuid,
    pub issuer: IssuerNo,
    pub officer: usize,
    pub key: SigningKey,
}

/// What the bulk load starts from.
pub(super) struct Prepared {
    pub node_issuer: IssuerNo,
    /// This node's signing keys (challan and receipt).
    pub keys: Arc<Active>,
    pub cast: Cast,
    pub devices: Vec<Device>,
    /// Version 1 of each head's schedule, in the order of the catalogue.
    pub schedules: Vec<FeeSchedule>,
}

/// The window's first day, as the store's timestamps need it.
pub(super) fn set_up_time(first_day: i64) -> anyhow::Result<Timestamp> {
    Ok(Timestamp::from_second(day_start(first_day - 1) + 10 * 3_600)?)
}

pub(super) async fn prepare(
    store: &Store,
    keys_dir: &std::path::Path,
    node_name: &str,
    districts: &[District],
    rng: &mut StdRng,
    officers: usize,
    first_day: i64,
) -> anyhow::Result<Prepared> {
    let at = set_up_time(first_day)?;
    let system = Actor::system();
    for j in places::jurisdictions()? {
        store.put_jurisdiction(&j, &system, at).await.with_context(|| format!("storing jurisdiction {}", j.slug))?;
    }
    for d in catalogue::departments()? {
        store.put_department(&d, &system, at).await.with_context(|| format!("storing department {}", d.slug))?;
    }
    // The demo's schedules come into force on 2025-01-01; a window opening earlier needs
    // them in force from its first day.
    let first_date = jiff::civil::Date::constant(1970, 1, 1).checked_add(jiff::Span::new().days(first_day))?;
    let schedules = catalogue::HEADS
        .iter()
        .map(|spec| Ok(FeeSchedule { effective_from: first_date.min(catalogue::SCHEDULES_EFFECTIVE_FROM), ..spec.schedule()? }))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for (spec, schedule) in catalogue::HEADS.iter().zip(&schedules) {
        store.create_head(&spec.head()?, schedule, &system, at).await.with_context(|| format!("creating head {}", spec.code))?;
    }
    let demo_staff = people::create_users(store, rng, at).await?;
    let password_hash = store.user_by_username("admin").await?.context("the demo's admin user was not stored")?.password_hash;
    let demo: Vec<(Uuid, String, Vec<Grant>)> =
        demo_staff.iter().map(|s| (s.principal.user_id, s.principal.username.clone(), s.principal.grants.clone())).collect();
    let cast = cast::plan(rng, districts, officers, &demo, &mut |rng| uuid_v7(rng, at))?;
    create_people(store, &cast, &password_hash, at).await?;
    for (mnemonic, name, _) in BANKS {
        let bank = BankRecord { mnemonic: Slug::parse(mnemonic)?, name: name.into(), secret: bank_secret(mnemonic)?, active: true, created_at: at };
        store.create_bank(&bank, &system).await.with_context(|| format!("registering bank {mnemonic}"))?;
    }
    let node_issuer = store.node_issuer(node_name, at).await?;
    let now = Timestamp::now();
    let dir = KeyDir::open(keys_dir).with_context(|| format!("key directory {}", keys_dir.display()))?;
    let backdate_secs = now.as_second() - (day_start(first_day) - 2 * SECS_PER_DAY);
    let seals = NodeSeals::start(store.clone(), dir.clone(), node_issuer, backdate_secs, now)
        .await
        .with_context(|| format!("signing keys in {}", keys_dir.display()))?;
    let devices = enrol_devices(store, &dir, &cast, first_day, at, now).await?;
    seals.refresh(now).await?;
    Ok(Prepared { node_issuer, keys: seals.active(), cast, devices, schedules })
}

/// The API secret of a generated bank: the demo bank's own, or `<mnemonic>-bank-api-secret`.
pub(super) fn bank_secret(mnemonic: &str) -> anyhow::Result<BankSecret> {
    let secret = if mnemonic == super::super::DEMO_BANK { super::super::DEMO_BANK_SECRET.to_string() } else { format!("{mnemonic}-bank-api-secret") };
    Ok(BankSecret::parse(&secret)?)
}

async fn create_people(store: &Store, cast: &Cast, password_hash: &str, at: Timestamp) -> anyhow::Result<()> {
    let people: Vec<&Person> = cast.officers.iter().map(|o| &o.person).chain(cast.desks.iter().flat_map(|d| d.supervisors.iter().chain(&d.treasury))).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for p in people.into_iter().filter(|p| !p.demo_user) {
        if tasks.len() >= USERS_IN_FLIGHT {
            tasks.join_next().await.context("a user task vanished")???;
        }
        let (store, username) = (store.clone(), p.username.to_string());
        let user = NewUser {
            id: p.id,
            username: username.clone(),
            display_name: p.display_name.clone(),
            password_hash: password_hash.to_owned(),
            grants: p.grants.clone(),
        };
        tasks.spawn(async move { store.create_user(&user, &Actor::system(), at).await.with_context(|| format!("creating user {username}")) });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

/// Enrols the planned devices and lists their keys in one new trust list version, valid
/// from a month before the window (their challans are back-dated over it).
async fn enrol_devices(store: &Store, dir: &KeyDir, cast: &Cast, first_day: i64, at: Timestamp, now: Timestamp) -> anyhow::Result<Vec<Device>> {
    let mut devices = Vec::with_capacity(cast.devices.len());
    let mut changes = Vec::with_capacity(cast.devices.len());
    for plan in &cast.devices {
        let key = SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)?;
        let officer = &cast.officers[plan.officer];
        let new = NewDevice {
            id: plan.id,
            officer_id: officer.person.id,
            label: format!("Field device of {}", officer.person.username),
            public_key: key.public_key().sec1().to_vec(),
            kid: key.kid().to_string(),
        };
        let actor = Actor { user_id: Some(officer.person.id), username: officer.person.username.to_string() };
        let record = store.enrol_device(&new, &actor, at).await.with_context(|| format!("enrolling device {}", plan.id))?;
        changes.push(KeyChange::Enrol {
            public_key: key.public_key().clone(),
            issuer: record.issuer_no,
            usage: Usage::Challan,
            valid_from_s: day_start(first_day) - DEVICE_KEY_BACKDATE_SECS,
        });
        devices.push(Device { id: plan.id, issuer: record.issuer_no, officer: plan.officer, key });
    }
    let authority = Authority::load(dir, false).context("the authority key")?;
    trust::publish(store, &authority, &changes, &Actor::system(), now).await.context("listing the devices' keys in the trust list")?;
    Ok(devices)
}
