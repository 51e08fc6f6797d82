//! Cases for what the anomaly rules read and what they find: bank bill inquiries recorded
//! and read back by challan; relief requests and recent challans read by time with the
//! facts the rules need; flags stored once per key, listed within a scope (a flag about a
//! whole district only for a scope over all of it), and decided once, with a reason, audited.

use jiff::{SignedDuration, Timestamp};
use mahasil_domain::DomainError;
use mahasil_domain::authz::{Action, Principal, Role, Scope};
use mahasil_domain::challan::{ChallanStatus, ReliefKind};
use mahasil_domain::challan_no::ChallanNo;
use mahasil_store::flags::{MAX_FLAGS_PER_PUT, MAX_INQUIRY_CHALLANS};
use mahasil_store::{Actor, AuditEntry, ChallanRecord, FlagRecord, FlagState, NewFlag, Store, StoreError};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures::*;

const DA: &str = "district-administration";
const PC: &str = "price-control";

fn minutes_after(t: Timestamp, minutes: i64) -> TestResult<Timestamp> {
    Ok(t.checked_add(SignedDuration::from_mins(minutes))?)
}

fn new_flag(key: &str, district: &str, department: Option<&str>) -> TestResult<NewFlag> {
    Ok(NewFlag {
        kind: if department.is_some() { "cancellation_rate".into() } else { "revenue_shift".into() },
        subject: format!("subject of {key}"),
        key: key.into(),
        district: slug(district)?,
        department: department.map(slug).transpose()?,
        score: 3.25,
        evidence: json!({ "type": "rate", "rate": 0.12, "peer_rate": 0.021, "n": 340, "k": 41 }),
        summary_en: format!("cancellation rate 12.0% vs peers 2.1%, n=340 ({key})"),
        summary_ur: format!("منسوخی کی شرح 12.0% ({key})"),
        challans: vec!["100001000000017".into(), "100001000000025".into()],
    })
}

fn keys(flags: &[FlagRecord]) -> Vec<&str> {
    flags.iter().map(|f| f.key.as_str()).collect()
}

fn pairs(list: &[(Option<&str>, Option<&str>)]) -> TestResult<Scope> {
    Ok(Scope::Pairs(list.iter().map(|(d, p)| Ok((d.map(slug).transpose()?, p.map(slug).transpose()?))).collect::<TestResult<Vec<_>>>()?))
}

async fn audit_head(store: &Store) -> TestResult<i64> {
    Ok(store.audit_entries(0, 1_000).await?.last().map_or(0, |e| e.seq))
}

/// Issues an overcharging challan in Mardan.
async fn issue_in_mardan(w: &World, n: u32, at: Timestamp) -> TestResult<ChallanRecord> {
    let d = draft_of(&w.store, &w.mardan_officer, OVERCHARGING, "mardan", n, Some(250_000), at).await?;
    Ok(w.store.issue_challan(&d, w.issuer, &Actor::from(&w.mardan_officer), at, &mahasil_store::testing::test_sealer()).await?)
}

pub async fn flags_bill_inquiries_are_recorded_and_read_back(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    let (c1, c2) = (issue_one(&w, &w.officer, 1, at).await?, issue_one(&w, &w.officer, 2, at).await?);
    let head = audit_head(&w.store).await?;
    let (hbl, ubl) = (slug("hbl")?, slug("ubl")?);
    w.store.record_bill_inquiry(c1.challan_no, &hbl, minutes_after(at, 30)?).await?;
    w.store.record_bill_inquiry(c2.challan_no, &hbl, minutes_after(at, 5)?).await?;
    w.store.record_bill_inquiry(c1.challan_no, &ubl, minutes_after(at, 10)?).await?;

    let both = w.store.bill_inquiries(&[c2.challan_no, c1.challan_no]).await?;
    assert_eq!(
        both,
        [
            (c1.challan_no, "ubl".to_string(), minutes_after(at, 10)?),
            (c1.challan_no, "hbl".to_string(), minutes_after(at, 30)?),
            (c2.challan_no, "hbl".to_string(), minutes_after(at, 5)?),
        ],
        "by challan, then oldest first"
    );
    assert_eq!(w.store.bill_inquiries(&[c2.challan_no]).await?.len(), 1);
    let never_asked = ChallanNo::new(w.issuer, c2.challan_no.counter() + 50)?;
    assert!(w.store.bill_inquiries(&[never_asked]).await?.is_empty());
    assert!(w.store.bill_inquiries(&[]).await?.is_empty());
    let too_many = vec![c1.challan_no; MAX_INQUIRY_CHALLANS + 1];
    assert!(is_domain(&w.store.bill_inquiries(&too_many).await), "more than {MAX_INQUIRY_CHALLANS} numbers are refused");
    assert_eq!(audit_head(&w.store).await?, head, "a bank's read is not audited");
    Ok(())
}

pub async fn flags_relief_requests_and_recent_challans_carry_their_facts(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    let c1 = issue_one(&w, &w.officer, 1, at).await?;
    let c2 = issue_one(&w, &w.officer, 2, minutes_after(at, 60)?).await?;
    let c3 = issue_in_mardan(&w, 3, minutes_after(at, 120)?).await?;
    let (r1, r2) = (Uuid::now_v7(), Uuid::now_v7());
    w.store.request_relief(c1.challan_no, ReliefKind::Cancel, "issued twice", &w.officer, r1, minutes_after(at, 180)?).await?;
    w.store.request_relief(c2.challan_no, ReliefKind::Waive, "widow, no income", &w.officer, r2, minutes_after(at, 240)?).await?;
    w.store.decide_cancellation(r1, true, "confirmed", &w.supervisor, minutes_after(at, 300)?).await?;

    let requests = w.store.relief_requests_since(at, 100).await?;
    assert_eq!(requests.iter().map(|r| r.request_id).collect::<Vec<_>>(), [r2, r1], "newest first, decided ones too");
    let waiver = &requests[0];
    assert_eq!((waiver.challan_no, waiver.kind, waiver.requested_at), (c2.challan_no, ReliefKind::Waive, minutes_after(at, 240)?));
    assert_eq!((waiver.requested_by, waiver.officer_id), (w.officer.user_id, c2.officer_id));
    assert_eq!((waiver.district.as_str(), waiver.department.as_str()), ("peshawar", DA));
    assert_eq!((requests[1].challan_no, requests[1].kind), (c1.challan_no, ReliefKind::Cancel));
    assert_eq!(w.store.relief_requests_since(minutes_after(at, 240)?, 100).await?.len(), 1, "at or after `since`");
    assert_eq!(w.store.relief_requests_since(at, 1).await?.iter().map(|r| r.request_id).collect::<Vec<_>>(), [r2]);

    let facts = w.store.recent_challan_facts(at, 100).await?;
    assert_eq!(facts.iter().map(|f| f.challan_no).collect::<Vec<_>>(), [c1.challan_no, c2.challan_no, c3.challan_no], "oldest first");
    for (f, c) in facts.iter().zip([&c1, &c2, &c3]) {
        assert_eq!((f.officer_id, &f.district, &f.department, &f.head_code), (c.officer_id, &c.district, &c.department, &c.head_code));
        assert_eq!((&f.cnic, &f.vehicle_no), (&c.offender.cnic, &c.offender.vehicle_no));
        assert_eq!((f.issued_at, f.received_at, f.lat, f.lon), (c.issued_at, c.received_at, c.location.lat, c.location.lon));
        assert_eq!((f.issuer_no, f.counter), (c.issuer_no, c.challan_no.counter()));
    }
    assert!(facts[1].vehicle_no.is_some() && facts[0].vehicle_no.is_none(), "offender 2 has a vehicle, offender 1 none");
    assert_eq!(facts.iter().map(|f| f.status).collect::<Vec<_>>(), [ChallanStatus::Cancelled, ChallanStatus::Issued, ChallanStatus::Issued]);
    assert_eq!((facts[2].district.as_str(), facts[2].department.as_str()), ("mardan", PC));
    let since_c2 = w.store.recent_challan_facts(c2.received_at, 100).await?;
    assert_eq!(since_c2.iter().map(|f| f.challan_no).collect::<Vec<_>>(), [c2.challan_no, c3.challan_no], "at or after `since`");
    assert_eq!(w.store.recent_challan_facts(at, 1).await?.iter().map(|f| f.challan_no).collect::<Vec<_>>(), [c1.challan_no]);
    assert!(w.store.recent_challan_facts(days_after(at, 1)?, 100).await?.is_empty());
    Ok(())
}

pub async fn flags_found_again_are_stored_once(store: Store) -> TestResult {
    let w = world(store).await?;
    let (at, later) = (t0()?, days_after(t0()?, 1)?);
    let head = audit_head(&w.store).await?;
    let (a, b) = (new_flag("rate:a", "peshawar", Some(DA))?, new_flag("shift:peshawar:20526", "peshawar", None)?);
    assert_eq!(w.store.put_flags(&[a.clone(), b.clone(), a.clone()], at).await?, 2, "a key twice in one batch is one flag");

    let reworded = NewFlag { summary_en: "reworded on the next scan".into(), score: 9.0, ..a.clone() };
    let c = new_flag("rate:c", "mardan", Some(PC))?;
    assert_eq!(w.store.put_flags(&[reworded, b.clone(), c], later).await?, 1, "only the new key is stored");

    let all = w.store.flags(&Scope::Everywhere, None, 100).await?;
    assert_eq!(all.len(), 3);
    let stored_a = all.iter().find(|f| f.key == a.key).ok_or("flag a missing")?;
    assert_eq!((stored_a.summary_en.as_str(), stored_a.score, stored_a.found_at), (a.summary_en.as_str(), a.score, at), "the first finding stands");
    assert_eq!((&stored_a.kind, &stored_a.subject, &stored_a.district, &stored_a.department), (&a.kind, &a.subject, &a.district, &a.department));
    assert_eq!((&stored_a.evidence, &stored_a.challans, &stored_a.summary_ur), (&a.evidence, &a.challans, &a.summary_ur));
    assert_eq!((stored_a.state, stored_a.decided_by, stored_a.decided_at, &stored_a.reason), (FlagState::Open, None, None, &None));
    assert_eq!(stored_a.id.get_version_num(), 7);
    assert_eq!(w.store.flag(stored_a.id).await?.as_ref(), Some(stored_a));
    assert_eq!(w.store.flag(Uuid::now_v7()).await?, None);
    let stored_b = all.iter().find(|f| f.key == b.key).ok_or("flag b missing")?;
    assert_eq!(stored_b.department, None);

    let broken = NewFlag { score: f64::NAN, ..new_flag("rate:broken", "peshawar", Some(DA))? };
    let fine = new_flag("rate:fine", "peshawar", Some(DA))?;
    assert!(is_domain(&w.store.put_flags(&[fine.clone(), broken], later).await), "a flag out of bounds refuses its batch");
    let too_many = vec![fine; MAX_FLAGS_PER_PUT + 1];
    assert!(is_domain(&w.store.put_flags(&too_many, later).await));
    assert_eq!(w.store.flags(&Scope::Everywhere, None, 100).await?.len(), 3, "nothing of a refused batch is stored");
    assert_eq!(w.store.put_flags(&[], later).await?, 0);
    assert_eq!(audit_head(&w.store).await?, head, "what a scan found is not audited");
    Ok(())
}

pub async fn flags_are_listed_within_scope(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    let found = [
        new_flag("da", "peshawar", Some(DA))?,
        new_flag("pc", "peshawar", Some(PC))?,
        new_flag("district-wide", "peshawar", None)?,
        new_flag("mardan", "mardan", Some(PC))?,
    ];
    // Found an hour apart, in this order.
    for (i, f) in (0_i64..).zip(&found) {
        w.store.put_flags(std::slice::from_ref(f), minutes_after(at, 60 * i)?).await?;
    }
    assert_eq!(listed(&w.store, Scope::Everywhere).await?, (vec!["mardan".into(), "district-wide".into(), "pc".into(), "da".into()], 4), "newest first");
    assert_eq!(listed(&w.store, pairs(&[(Some("peshawar"), Some(DA))])?).await?, (vec!["da".into()], 1), "a district-wide flag is hidden from one pair");
    assert_eq!(listed(&w.store, pairs(&[(Some("peshawar"), None)])?).await?, (vec!["district-wide".into(), "pc".into(), "da".into()], 3));
    assert_eq!(listed(&w.store, pairs(&[(Some("mardan"), None)])?).await?, (vec!["mardan".into()], 1), "another district sees none of Peshawar's");
    assert_eq!(
        listed(&w.store, pairs(&[(None, Some(PC))])?).await?,
        (vec!["mardan".into(), "pc".into()], 2),
        "a department across districts is no whole district"
    );
    assert_eq!(listed(&w.store, pairs(&[(Some("peshawar"), Some(DA)), (Some("mardan"), Some(PC))])?).await?, (vec!["mardan".into(), "da".into()], 2));
    assert_eq!(listed(&w.store, pairs(&[])?).await?, (Vec::new(), 0), "nowhere sees nothing");

    let auditor = create_user(&w.store, "auditor.kp", vec![grant(Role::Auditor, None, None)?]).await?;
    let pc = w.store.flags(&Scope::Everywhere, None, 100).await?.into_iter().find(|f| f.key == "pc").ok_or("flag pc missing")?;
    w.store.decide_flag(pc.id, false, "a price list changed that week", &Actor::from(&auditor), &Scope::Everywhere, minutes_after(at, 300)?).await?;
    let all = w.store.flags(&Scope::Everywhere, None, 100).await?;
    assert_eq!(keys(&all), ["mardan", "district-wide", "da", "pc"], "open ones first, then newest");
    assert_eq!(keys(&w.store.flags(&Scope::Everywhere, Some(FlagState::Dismissed), 100).await?), ["pc"]);
    assert_eq!(keys(&w.store.flags(&Scope::Everywhere, Some(FlagState::Open), 2).await?), ["mardan", "district-wide"]);
    assert!(w.store.flags(&Scope::Everywhere, Some(FlagState::Acknowledged), 100).await?.is_empty());
    assert_eq!(w.store.count_open_flags(&Scope::Everywhere).await?, 3);
    Ok(())
}

/// The keys of the flags listed for `scope`, and how many of them are open.
async fn listed(store: &Store, scope: Scope) -> TestResult<(Vec<String>, u64)> {
    let flags = store.flags(&scope, None, 100).await?;
    Ok((flags.into_iter().map(|f| f.key).collect(), store.count_open_flags(&scope).await?))
}

fn entries_of(entries: &[AuditEntry], flag: &FlagRecord) -> Vec<AuditEntry> {
    entries.iter().filter(|e| e.entity == format!("flag:{}", flag.id)).cloned().collect()
}

fn decider_scope(p: &Principal) -> Scope {
    p.scope(Action::DecideFlag)
}

pub async fn flags_are_decided_once_with_a_reason_audited(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    w.store.put_flags(&[new_flag("da", "peshawar", Some(DA))?, new_flag("district-wide", "peshawar", None)?], at).await?;
    let all = w.store.flags(&Scope::Everywhere, None, 100).await?;
    let find = |key: &str| all.iter().find(|f| f.key == key).cloned().ok_or(format!("flag {key} missing"));
    let (da, district_wide) = (find("da")?, find("district-wide")?);
    let peshawar = create_user(&w.store, "auditor.peshawar", vec![grant(Role::Auditor, Some("peshawar"), None)?]).await?;
    let narrow = create_user(&w.store, "auditor.peshawar.da", vec![grant(Role::Auditor, Some("peshawar"), Some(DA))?]).await?;
    let mardan = create_user(&w.store, "auditor.mardan", vec![grant(Role::Auditor, Some("mardan"), None)?]).await?;
    let decided_at = minutes_after(at, 90)?;
    let head = audit_head(&w.store).await?;

    for blank in ["", "   \n "] {
        let refused = w.store.decide_flag(da.id, true, blank, &Actor::from(&peshawar), &decider_scope(&peshawar), decided_at).await;
        assert!(matches!(refused, Err(StoreError::Domain(DomainError::Invalid { field: "reason", .. }))), "{refused:?}");
    }
    let long = "x".repeat(mahasil_store::flags::MAX_FLAG_REASON_CHARS + 1);
    assert!(is_domain(&w.store.decide_flag(da.id, true, &long, &Actor::from(&peshawar), &decider_scope(&peshawar), decided_at).await));
    let elsewhere = w.store.decide_flag(da.id, true, "looks odd", &Actor::from(&mardan), &decider_scope(&mardan), decided_at).await;
    assert!(is_not_found(&elsewhere), "another district's auditor: {elsewhere:?}");
    let partial = w.store.decide_flag(district_wide.id, true, "looks odd", &Actor::from(&narrow), &decider_scope(&narrow), decided_at).await;
    assert!(is_not_found(&partial), "one department's auditor and a district-wide flag: {partial:?}");
    assert!(is_not_found(&w.store.decide_flag(Uuid::now_v7(), true, "looks odd", &Actor::from(&peshawar), &Scope::Everywhere, decided_at).await));
    assert_eq!(w.store.flag(da.id).await?.as_ref(), Some(&da), "nothing written by a refused decision");
    assert_eq!(audit_head(&w.store).await?, head);

    let acknowledged = w
        .store
        .decide_flag(da.id, true, "  three cancellations after inquiries; worth a visit  ", &Actor::from(&narrow), &decider_scope(&narrow), decided_at)
        .await?;
    assert_eq!(acknowledged.state, FlagState::Acknowledged);
    assert_eq!((acknowledged.decided_by, acknowledged.decided_by_username.as_deref()), (Some(narrow.user_id), Some("auditor.peshawar.da")));
    assert_eq!((acknowledged.decided_at, acknowledged.reason.as_deref()), (Some(decided_at), Some("three cancellations after inquiries; worth a visit")));
    assert_eq!(FlagRecord { state: FlagState::Open, decided_by: None, decided_by_username: None, decided_at: None, reason: None, ..acknowledged.clone() }, da);
    assert_eq!(w.store.flag(da.id).await?.as_ref(), Some(&acknowledged));

    let again = w.store.decide_flag(da.id, false, "changed my mind", &Actor::from(&peshawar), &decider_scope(&peshawar), minutes_after(at, 120)?).await;
    assert!(is_conflict(&again), "a flag is decided once: {again:?}");
    assert_eq!(w.store.flag(da.id).await?.as_ref(), Some(&acknowledged));
    let found_again = w.store.put_flags(&[new_flag("da", "peshawar", Some(DA))?], minutes_after(at, 150)?).await?;
    assert_eq!((found_again, w.store.flag(da.id).await?.map(|f| f.state)), (0, Some(FlagState::Acknowledged)), "found again, the decision stands");

    let dismissed = w.store.decide_flag(district_wide.id, false, "Eid holidays", &Actor::from(&peshawar), &decider_scope(&peshawar), decided_at).await?;
    assert_eq!((dismissed.state, dismissed.reason.as_deref()), (FlagState::Dismissed, Some("Eid holidays")));
    assert_eq!(w.store.count_open_flags(&Scope::Everywhere).await?, 0);

    let entries = w.store.audit_entries(head, 1_000).await?;
    assert_eq!(entries.len(), 2, "one entry per decision: {entries:?}");
    let [entry] = entries_of(&entries, &da).try_into().map_err(|e| format!("one entry for flag da: {e:?}"))?;
    assert_eq!(
        (entry.action.as_str(), entry.actor.as_str(), entry.actor_id, entry.at),
        ("flag.acknowledged", "auditor.peshawar.da", Some(narrow.user_id), decided_at)
    );
    let (before, after): (Value, Value) = (serde_json::from_str(&entry.before)?, serde_json::from_str(&entry.after)?);
    assert_eq!((before["state"].as_str(), after["state"].as_str()), (Some("open"), Some("acknowledged")));
    assert_eq!(after["reason"], "three cancellations after inquiries; worth a visit");
    assert_eq!(entries_of(&entries, &district_wide).first().map(|e| e.action.clone()).as_deref(), Some("flag.dismissed"));
    let verification = w.store.verify_audit().await?;
    assert!(verification.first_bad.is_none(), "{verification:?}");
    Ok(())
}

/// The database itself refuses a second decision and the removal of a flag or an inquiry.
pub async fn sqlite_flag_decisions_and_inquiries_are_final() -> TestResult {
    let (store, dir) = mahasil_store::testing::fresh_sqlite().await?;
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    w.store.record_bill_inquiry(c.challan_no, &slug("hbl")?, t0()?).await?;
    w.store.put_flags(&[new_flag("da", "peshawar", Some(DA))?], t0()?).await?;
    let [flag] = w.store.flags(&Scope::Everywhere, None, 10).await?.try_into().map_err(|e| format!("one flag: {e:?}"))?;
    w.store.decide_flag(flag.id, true, "worth a visit", &w.admin, &Scope::Everywhere, t0()?).await?;
    let conn = rusqlite::Connection::open(mahasil_store::testing::sqlite_file(dir.path()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    for sql in [
        "UPDATE insight_flags SET state = 'dismissed', reason = 'changed'",
        "UPDATE insight_flags SET state = 'open', decided_at = NULL, reason = NULL",
        "DELETE FROM insight_flags",
        "UPDATE bill_inquiries SET bank = 'ubl'",
        "DELETE FROM bill_inquiries",
    ] {
        assert!(conn.execute(sql, []).is_err(), "{sql} must be refused");
    }
    Ok(())
}
