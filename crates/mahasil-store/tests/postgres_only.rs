//! Tests only PostgreSQL needs: many connections and many app nodes writing at once, and
//! the group committer's batches. Each test works in a schema of its own; all skip (with a
//! line saying so) when `MAHASIL_TEST_DATABASE_URL` is unset.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::authz::{Grant, Principal, Role};
use mahasil_domain::challan::{ChallanDraft, IssueRequest, Location, Offender, draft};
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode, HeadKind, RevenueHead};
use mahasil_domain::identity::{Cnic, Mobile, Text};
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Level, Slug};
use mahasil_domain::money::Paisa;
use mahasil_store::postgres::PgStore;
use mahasil_store::{Actor, DeviceOp, NewDevice, NewUser, OpStatus, OpVerdict, Storage, StoreError};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn database_url(test: &str) -> Option<String> {
    let url = std::env::var(mahasil_store::testing::TEST_DATABASE_URL_VAR).ok();
    if url.is_none() {
        println!("skipping {test}: MAHASIL_TEST_DATABASE_URL is not set");
    }
    url
}

fn slug(s: &str) -> Result<Slug, mahasil_domain::DomainError> {
    Slug::parse(s)
}

/// What issuing needs: the Peshawar tree, a department, the encroachment head, an officer.
struct Catalogue {
    head: RevenueHead,
    schedules: Vec<FeeSchedule>,
    district: Jurisdiction,
    officer: Principal,
}

async fn seed(store: &PgStore) -> Result<Catalogue, Box<dyn std::error::Error + Send + Sync>> {
    let admin = Actor::system();
    let at = Timestamp::now();
    let tree = [
        ("khyber-pakhtunkhwa", Level::Province, None),
        ("peshawar-division", Level::Division, Some("khyber-pakhtunkhwa")),
        ("peshawar", Level::District, Some("peshawar-division")),
    ];
    for (s, level, parent) in tree {
        let j = Jurisdiction { slug: slug(s)?, level, parent: parent.map(slug).transpose()?, name_en: s.into(), name_ur: s.into() };
        store.put_jurisdiction(&j, &admin, at).await?;
    }
    let department =
        Department { slug: slug("district-administration")?, name_en: "District Administration".into(), name_ur: "ضلعی انتظامیہ".into() };
    store.put_department(&department, &admin, at).await?;
    let head = RevenueHead {
        code: HeadCode::parse("DA-ENC-01")?,
        kind: HeadKind::Fine,
        department: department.slug.clone(),
        title_en: "Encroachment on a public road".into(),
        title_ur: "سڑک پر تجاوزات".into(),
        legal_basis: "KP Local Government Act 2013".into(),
        account_code: "C02-FINES".into(),
        active: true,
    };
    let schedule = FeeSchedule {
        head: head.code.clone(),
        version: 1,
        amount: AmountRule::Fixed { amount_paisa: Paisa::from_rupees(5_000)? },
        due_days: 14,
        after_due: AfterDueRule::Fixed { amount_paisa: Paisa::from_rupees(6_000)? },
        effective_from: Date::constant(2025, 1, 1),
    };
    store.create_head(&head, &schedule, &admin, at).await?;
    let grants = vec![Grant { role: Role::Officer, district: Some(slug("peshawar")?), department: Some(department.slug.clone()) }];
    let officer = Principal { user_id: Uuid::now_v7(), username: "officer.peshawar".into(), grants: grants.clone() };
    let user = NewUser {
        id: officer.user_id,
        username: officer.username.clone(),
        display_name: "Officer".into(),
        password_hash: "$argon2id$not-a-real-hash".into(),
        grants,
    };
    store.create_user(&user, &admin, at).await?;
    let district = store.jurisdiction(&slug("peshawar")?).await?.ok_or("peshawar is missing")?;
    Ok(Catalogue { head, schedules: vec![schedule], district, officer })
}

impl Catalogue {
    fn draft(&self, n: usize) -> Result<ChallanDraft, mahasil_domain::DomainError> {
        let offender = Offender {
            name: Text::parse(&format!("Offender {n}"))?,
            cnic: Cnic::parse("17301-1234567-1")?,
            mobile: Mobile::parse("0300-1234567")?,
            email: None,
            vehicle_no: None,
            business_name: None,
            address: Some(Text::parse("Saddar Road")?),
            language: None,
        };
        let location = Location::new(34.0151, 71.5249, Text::parse("Saddar, Peshawar")?)?;
        let request = IssueRequest { amount: None, offender, location };
        // The clock's nanoseconds are kept deliberately: the store keeps microseconds.
        draft(Uuid::now_v7(), request, &self.head, &self.schedules, &self.district, &self.officer, Timestamp::now())
    }

    fn actor(&self) -> Actor {
        Actor::from(&self.officer)
    }
}

/// Issues `n` challans at once through `store`, each from its own task.
async fn issue_concurrently(
    store: &Arc<PgStore>,
    catalogue: &Arc<Catalogue>,
    issuer: IssuerNo,
    n: usize,
) -> Result<Vec<mahasil_store::ChallanRecord>, Box<dyn std::error::Error + Send + Sync>> {
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (store, catalogue) = (Arc::clone(store), Arc::clone(catalogue));
        tasks.push(tokio::spawn(async move {
            let d = catalogue.draft(i)?;
            store.issue_challan(&d, issuer, &catalogue.actor(), Timestamp::now(), &mahasil_store::testing::test_sealer()).await
        }));
    }
    let mut records = Vec::with_capacity(n);
    for t in tasks {
        records.push(t.await??);
    }
    Ok(records)
}

async fn assert_chain_intact(store: &PgStore) -> TestResult {
    let verification = store.verify_audit().await?;
    assert_eq!(verification.first_bad, None, "audit chain: {verification:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_issues_get_distinct_numbers() -> TestResult {
    let Some(url) = database_url("sixty_four_concurrent_issues_get_distinct_numbers") else { return Ok(()) };
    let store = Arc::new(PgStore::connect_in_fresh_schema(&url).await?);
    let catalogue = Arc::new(seed(&store).await?);
    let issuer = store.node_issuer("node-1", Timestamp::now()).await?;
    assert_eq!(issuer.get(), 100_001);

    let records = issue_concurrently(&store, &catalogue, issuer, 64).await?;

    let numbers: HashSet<_> = records.iter().map(|r| r.challan_no).collect();
    assert_eq!(numbers.len(), 64);
    let counters: HashSet<u32> = records.iter().map(|r| r.challan_no.counter()).collect();
    assert_eq!(counters, (1..=64).collect(), "counters run without gaps");
    assert_eq!(store.issuer_counter(issuer).await?, 64);
    assert_eq!(store.count_challans().await?, 64);
    for r in &records {
        // Read back exactly as returned, to the microsecond.
        assert_eq!(store.challan_by_no(r.challan_no).await?.as_ref(), Some(r));
        assert_eq!(store.challan_events(r.id).await?.len(), 1);
    }
    let entries = store.audit_entries(0, 1_000).await?;
    assert_eq!(entries.iter().filter(|e| e.action == "challan.issue").count(), 64);
    assert!(entries.iter().all(|e| !e.after.contains("argon2")), "no password hash in the audit log");
    assert_chain_intact(&store).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_get_their_own_issuers_and_share_one_chain() -> TestResult {
    let Some(url) = database_url("two_nodes_get_their_own_issuers_and_share_one_chain") else { return Ok(()) };
    let node_a = Arc::new(PgStore::connect_in_fresh_schema(&url).await?);
    let schema = node_a.schema().ok_or("a fresh store has a schema")?.to_string();
    let node_b = Arc::new(PgStore::connect_in_schema(&url, &schema).await?);
    let catalogue = Arc::new(seed(&node_a).await?);

    let now = Timestamp::now();
    let (a, b) = tokio::join!(node_a.node_issuer("node-a", now), node_b.node_issuer("node-b", now));
    let (a, b) = (a?, b?);
    assert_ne!(a, b);
    assert_eq!(HashSet::from([a.get(), b.get()]), HashSet::from([100_001, 100_002]));
    assert_eq!(node_b.node_issuer("node-a", now).await?, a, "a node keeps its number");

    let (from_a, from_b) = tokio::join!(issue_concurrently(&node_a, &catalogue, a, 60), issue_concurrently(&node_b, &catalogue, b, 60));
    let all: Vec<_> = from_a?.into_iter().chain(from_b?).collect();
    assert_eq!(all.iter().map(|r| r.challan_no).collect::<HashSet<_>>().len(), 120);
    assert_eq!((node_a.issuer_counter(a).await?, node_a.issuer_counter(b).await?), (60, 60));
    assert_eq!(node_b.count_challans().await?, 120);
    assert_chain_intact(&node_a).await?;
    assert_chain_intact(&node_b).await
}

/// Holds the audit chain's head from outside, so the writer's next batch waits and every
/// job sent meanwhile queues up to be committed together in the batch after it.
async fn hold_chain_head(url: &str, schema: &str) -> Result<PgConnection, Box<dyn std::error::Error + Send + Sync>> {
    let options = PgConnectOptions::from_str(url)?.options([("search_path", schema)]);
    let mut conn = PgConnection::connect_with(&options).await?;
    conn.execute("BEGIN").await?;
    conn.execute("SELECT seq FROM audit_head FOR UPDATE").await?;
    Ok(conn)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_job_rolls_back_alone_and_the_batch_commits() -> TestResult {
    let Some(url) = database_url("a_failing_job_rolls_back_alone_and_the_batch_commits") else { return Ok(()) };
    let store = Arc::new(PgStore::connect_in_fresh_schema(&url).await?);
    let catalogue = Arc::new(seed(&store).await?);
    let issuer = store.node_issuer("node-1", Timestamp::now()).await?;
    let taken = store.issue_challan(&catalogue.draft(0)?, issuer, &catalogue.actor(), Timestamp::now(), &mahasil_store::testing::test_sealer()).await?;
    let schema = store.schema().ok_or("a fresh store has a schema")?.to_string();
    let mut blocker = hold_chain_head(&url, &schema).await?;

    // The first job takes the writer into a batch that waits on the held head row.
    let first = {
        let (store, catalogue) = (Arc::clone(&store), Arc::clone(&catalogue));
        tokio::spawn(async move {
            store.issue_challan(&catalogue.draft(1)?, issuer, &catalogue.actor(), Timestamp::now(), &mahasil_store::testing::test_sealer()).await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Everything sent now lands in the next batch together.
    let good = {
        let (store, catalogue) = (Arc::clone(&store), Arc::clone(&catalogue));
        tokio::spawn(async move { issue_concurrently(&store, &catalogue, issuer, 20).await })
    };
    let duplicate_id = {
        let (store, catalogue) = (Arc::clone(&store), Arc::clone(&catalogue));
        let mut d = catalogue.draft(99)?;
        d.id = taken.id;
        tokio::spawn(async move { store.issue_challan(&d, issuer, &catalogue.actor(), Timestamp::now(), &mahasil_store::testing::test_sealer()).await })
    };
    let unknown_issuer = {
        let (store, catalogue) = (Arc::clone(&store), Arc::clone(&catalogue));
        let unknown = IssuerNo::new(999_999)?;
        tokio::spawn(async move {
            store.issue_challan(&catalogue.draft(98)?, unknown, &catalogue.actor(), Timestamp::now(), &mahasil_store::testing::test_sealer()).await
        })
    };
    let taken_username = {
        let store = Arc::clone(&store);
        let user = NewUser {
            id: Uuid::now_v7(),
            username: catalogue.officer.username.clone(),
            display_name: "Twin".into(),
            password_hash: "x".into(),
            grants: Vec::new(),
        };
        tokio::spawn(async move { store.create_user(&user, &Actor::system(), Timestamp::now()).await })
    };
    let new_user = {
        let store = Arc::clone(&store);
        let user = NewUser { id: Uuid::now_v7(), username: "auditor".into(), display_name: "Auditor".into(), password_hash: "x".into(), grants: Vec::new() };
        tokio::spawn(async move { store.create_user(&user, &Actor::system(), Timestamp::now()).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!good.is_finished(), "nothing commits while the chain head is held");
    blocker.execute("COMMIT").await?;

    first.await??;
    let good = good.await??;
    assert_eq!(good.len(), 20);
    assert!(matches!(duplicate_id.await?, Err(StoreError::Conflict(m)) if m.contains("challans_id_key")));
    assert!(matches!(unknown_issuer.await?, Err(StoreError::NotFound(_))));
    assert!(matches!(taken_username.await?, Err(StoreError::Conflict(m)) if m.contains("users_username_key")));
    new_user.await??;

    // 1 + 1 + 20 issued, and the failed ones left no counter gap and no audit entry.
    assert_eq!(store.issuer_counter(issuer).await?, 22);
    let counters: HashSet<u32> = good.iter().map(|r| r.challan_no.counter()).collect();
    assert_eq!(counters, (3..=22).collect());
    assert_eq!(store.count_challans().await?, 22);
    assert!(store.user_by_username("auditor").await?.is_some());
    let entries = store.audit_entries(0, 1_000).await?;
    assert_eq!(entries.iter().filter(|e| e.action == "challan.issue").count(), 22);
    assert_eq!(entries.iter().filter(|e| e.action == "user.create").count(), 2);
    assert_chain_intact(&store).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_writer_reconnects_when_its_connection_is_lost() -> TestResult {
    let Some(url) = database_url("the_writer_reconnects_when_its_connection_is_lost") else { return Ok(()) };
    let store = PgStore::connect_in_fresh_schema(&url).await?;
    let catalogue = seed(&store).await?;
    let issuer = store.node_issuer("node-1", Timestamp::now()).await?;
    store.issue_challan(&catalogue.draft(0)?, issuer, &catalogue.actor(), Timestamp::now(), &mahasil_store::testing::test_sealer()).await?;

    let schema = store.schema().ok_or("a fresh store has a schema")?.to_string();
    let mut admin = PgConnection::connect(&url).await?;
    let ended: Vec<bool> = sqlx::query_scalar("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1")
        .bind(format!("mahasil writer {schema}"))
        .fetch_all(&mut admin)
        .await?;
    assert_eq!(ended, [true], "the writer's one connection was ended");

    // The next batch finds the connection gone before any job ran, and retries on a new one.
    let record = store.issue_challan(&catalogue.draft(1)?, issuer, &catalogue.actor(), Timestamp::now(), &mahasil_store::testing::test_sealer()).await?;
    assert_eq!(record.challan_no.counter(), 2);
    assert_eq!(store.count_challans().await?, 2);
    assert_chain_intact(&store).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_are_recorded_once_when_nodes_start_together() -> TestResult {
    let Some(url) = database_url("migrations_are_recorded_once_when_nodes_start_together") else { return Ok(()) };
    let first = PgStore::connect_in_fresh_schema(&url).await?;
    let schema = first.schema().ok_or("a fresh store has a schema")?.to_string();
    let (a, b) = tokio::join!(PgStore::connect_in_schema(&url, &schema), PgStore::connect_in_schema(&url, &schema));
    let (a, b) = (a?, b?);
    let names = first.migrations().await?;
    assert!(!names.is_empty());
    assert_eq!(a.migrations().await?, names);
    assert_eq!(b.migrations().await?, names);
    assert_eq!(a.backend(), "postgres");
    a.ping().await?;
    Ok(())
}

/// Store-level throughput with 64 concurrent clients. Run with `--ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement, not a check; run by hand"]
async fn throughput_of_issuing_with_64_clients() -> TestResult {
    const CLIENTS: usize = 64;
    const PER_CLIENT: usize = 100;
    let Some(url) = database_url("throughput_of_issuing_with_64_clients") else { return Ok(()) };
    let store = Arc::new(PgStore::connect_in_fresh_schema(&url).await?);
    let catalogue = Arc::new(seed(&store).await?);
    let issuer = store.node_issuer("node-1", Timestamp::now()).await?;
    let started = Instant::now();
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (store, catalogue) = (Arc::clone(&store), Arc::clone(&catalogue));
        clients.push(tokio::spawn(async move {
            for i in 0..PER_CLIENT {
                let d = catalogue.draft(c * PER_CLIENT + i)?;
                store.issue_challan(&d, issuer, &catalogue.actor(), Timestamp::now(), &mahasil_store::testing::test_sealer()).await?;
            }
            Ok::<_, StoreError>(())
        }));
    }
    for c in clients {
        c.await??;
    }
    let elapsed = started.elapsed();
    let total = CLIENTS * PER_CLIENT;
    println!("issued {total} challans with {CLIENTS} clients in {elapsed:?}: {:.0} challans/s", total as f64 / elapsed.as_secs_f64());
    assert_eq!(store.count_challans().await?, total as u64);
    assert_chain_intact(&store).await
}

/// Sync ops and device flags are never changed or removed, and a device is never removed
/// nor its identity, revocation or cloned mark undone, even by SQL behind the store's back;
/// old nonces may go.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn device_history_is_append_only() -> TestResult {
    let Some(url) = database_url("device_history_is_append_only") else { return Ok(()) };
    let store = PgStore::connect_in_fresh_schema(&url).await?;
    let schema = store.schema().ok_or("a fresh store has a schema")?.to_string();
    let at = Timestamp::now();
    let officer = NewUser { id: Uuid::now_v7(), username: "officer".into(), display_name: "Officer".into(), password_hash: "!".into(), grants: Vec::new() };
    store.create_user(&officer, &Actor::system(), at).await?;
    let mut public_key = vec![0x04];
    public_key.extend((1..=64).map(|b: u8| b));
    let new = NewDevice { id: Uuid::now_v7(), officer_id: officer.id, label: "phone".into(), kid: mahasil_store::devices::kid_of(&public_key), public_key };
    let device = store.enrol_device(&new, &Actor::system(), at).await?;
    let op = DeviceOp {
        op_id: Uuid::now_v7(),
        device_id: device.id,
        kind: "challan.issue".into(),
        op_hash: [1; 32],
        prev_hash: None,
        counter: Some(1),
        signed_payload: "{}".into(),
        sig: vec![0; 64],
        verdict: OpVerdict::Rejected { reason: "unreadable".into() },
    };
    let actor = Actor { user_id: Some(officer.id), username: officer.username.clone() };
    assert_eq!(store.apply_device_op(&op, &actor, at).await?.status, OpStatus::Rejected);
    // The same op id with another hash raises a flag.
    store.apply_device_op(&DeviceOp { op_hash: [2; 32], ..op }, &actor, at).await?;
    assert_eq!(store.device_flags(device.id, 10).await?.len(), 1);
    store.revoke_device(device.id, at, "lost", &Actor::system(), at).await?;
    assert!(store.claim_sync_nonce(device.id, "nonce", at).await?);

    let options = PgConnectOptions::from_str(&url)?.options([("search_path", schema.as_str())]);
    let mut conn = PgConnection::connect_with(&options).await?;
    conn.execute("UPDATE devices SET cloned = TRUE").await?;
    for sql in [
        "UPDATE sync_ops SET reason = 'changed'",
        "DELETE FROM sync_ops",
        "TRUNCATE sync_ops CASCADE",
        "UPDATE device_flags SET detail = 'changed'",
        "DELETE FROM device_flags",
        "DELETE FROM devices",
        "UPDATE devices SET kid = '0000000000000000'",
        "UPDATE devices SET status = 'active', revoked_at = NULL, compromised_from = NULL, revoke_reason = NULL",
        "UPDATE devices SET revoke_reason = 'rewritten'",
        "UPDATE devices SET cloned = FALSE",
    ] {
        assert!(conn.execute(sql).await.is_err(), "{sql} must be refused");
    }
    assert_eq!(conn.execute("DELETE FROM sync_nonces").await?.rows_affected(), 1, "nonces may be forgotten");
    Ok(())
}
