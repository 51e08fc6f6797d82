//! Cases for cancellation (maker-checker) and contests.

use mahasil_domain::DomainError;
use mahasil_domain::authz::Scope;
use mahasil_domain::challan::{ChallanStatus, ReliefKind};
use mahasil_domain::challan_no::ChallanNo;
use mahasil_store::{ContestState, RequestState, Store, StoreError};
use uuid::Uuid;

use crate::fixtures::*;

fn event_kinds(events: &[mahasil_store::ChallanEvent]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

pub async fn cancellation_maker_checker(store: Store) -> TestResult {
    let w = world(store).await?;
    let s = &w.store;
    let at = t0()?;
    let later = days_after(at, 1)?;
    let c = issue_one(&w, &w.officer, 1, at).await?;

    // Only the issuing officer may ask.
    let by_colleague = s.request_cancellation(c.challan_no, "wrong address", &w.officer2, Uuid::now_v7(), at).await;
    assert!(matches!(by_colleague, Err(StoreError::Domain(DomainError::Forbidden(_)))), "{by_colleague:?}");
    assert!(is_domain(&s.request_cancellation(c.challan_no, "   ", &w.officer, Uuid::now_v7(), at).await), "a reason is required");
    let unknown_no = ChallanNo::new(w.issuer, 999)?;
    assert!(is_not_found(&s.request_cancellation(unknown_no, "x", &w.officer, Uuid::now_v7(), at).await));

    let request_id = Uuid::now_v7();
    let request = s.request_cancellation(c.challan_no, "wrong address", &w.officer, request_id, at).await?;
    assert_eq!((request.id, request.challan_id, request.challan_no, request.state), (request_id, c.id, c.challan_no, RequestState::Pending));
    assert_eq!(
        (request.requested_by, request.requested_by_username.as_str(), request.reason.as_str(), request.requested_at),
        (w.officer.user_id, "officer.peshawar", "wrong address", at)
    );
    assert_eq!((request.district.as_str(), request.department.as_str()), ("peshawar", "district-administration"));
    assert_eq!((request.decided_by_username.clone(), request.decided_at, request.decision_note.clone()), (None, None, None));
    assert_eq!(s.cancellation_request(request_id).await?, Some(request.clone()));
    assert_eq!(s.cancellation_request(Uuid::now_v7()).await?, None);
    let second = s.request_cancellation(c.challan_no, "again", &w.officer, Uuid::now_v7(), at).await;
    assert!(is_conflict(&second), "one pending request per challan: {second:?}");

    assert_eq!(s.pending_cancellations(&w.supervisor.scope(mahasil_domain::authz::Action::DecideCancellation), 50).await?, vec![request.clone()]);
    assert_eq!(s.pending_cancellations(&Scope::Pairs(vec![(Some(slug("mardan")?), None)]), 50).await?, vec![]);
    assert_eq!(s.pending_cancellations(&Scope::Everywhere, 50).await?.len(), 1);

    // The checker is never the maker, and must hold the challan's scope.
    let own = s.decide_cancellation(request_id, true, "", &w.officer, later).await;
    assert!(matches!(own, Err(StoreError::Domain(DomainError::OwnRequest))), "{own:?}");
    let other_scope = s.decide_cancellation(request_id, true, "", &w.mardan_supervisor, later).await;
    assert!(matches!(other_scope, Err(StoreError::Domain(DomainError::Forbidden(_)))), "{other_scope:?}");
    assert!(
        matches!(s.decide_cancellation(request_id, true, "", &w.officer2, later).await, Err(StoreError::Domain(DomainError::Forbidden(_)))),
        "an officer cannot decide"
    );
    assert_eq!(s.cancellation_request(request_id).await?.map(|r| r.state), Some(RequestState::Pending), "refusals write nothing");
    assert!(is_not_found(&s.decide_cancellation(Uuid::now_v7(), true, "", &w.supervisor, later).await));

    let approved = s.decide_cancellation(request_id, true, "confirmed with the officer", &w.supervisor, later).await?;
    assert_eq!(
        (approved.state, approved.decided_by_username.as_deref(), approved.decided_at, approved.decision_note.as_deref()),
        (RequestState::Approved, Some("supervisor.peshawar"), Some(later), Some("confirmed with the officer"))
    );
    assert_eq!(s.challan(c.id).await?.map(|c| c.status), Some(ChallanStatus::Cancelled));
    let events = s.challan_events(c.id).await?;
    assert_eq!(event_kinds(&events), ["issued", "cancellation_requested", "cancelled"]);
    assert_eq!(events.iter().map(|e| e.status).collect::<Vec<_>>(), [ChallanStatus::Issued, ChallanStatus::Issued, ChallanStatus::Cancelled]);
    assert_eq!((events[2].actor.as_str(), events[2].at), ("supervisor.peshawar", later));
    let decided_again = s.decide_cancellation(request_id, false, "", &w.supervisor, later).await;
    assert!(is_conflict(&decided_again), "a decided request is final: {decided_again:?}");
    assert!(s.pending_cancellations(&Scope::Everywhere, 50).await?.is_empty());
    assert!(is_domain(&s.request_cancellation(c.challan_no, "again", &w.officer, Uuid::now_v7(), later).await), "a cancelled challan cannot be cancelled");

    // A rejection leaves the challan issued, and a new request may follow.
    let d = issue_one(&w, &w.officer, 2, at).await?;
    let first = s.request_cancellation(d.challan_no, "duplicate", &w.officer, Uuid::now_v7(), at).await?;
    let rejected = s.decide_cancellation(first.id, false, "not a duplicate", &w.supervisor, later).await?;
    assert_eq!(rejected.state, RequestState::Rejected);
    assert_eq!(s.challan(d.id).await?.map(|c| c.status), Some(ChallanStatus::Issued));
    assert_eq!(event_kinds(&s.challan_events(d.id).await?), ["issued", "cancellation_requested", "cancellation_rejected"]);
    let retry = s.request_cancellation(d.challan_no, "duplicate of 100001-1", &w.officer, Uuid::now_v7(), later).await?;
    let history = s.challan_cancellations(d.id).await?;
    assert_eq!(history.iter().map(|r| r.id).collect::<Vec<_>>(), [first.id, retry.id], "oldest first");
    assert_eq!(history[0].state, RequestState::Rejected);
    assert_eq!(s.pending_cancellations(&Scope::Everywhere, 1).await?.len(), 1);
    Ok(())
}

pub async fn waivers_are_asked_and_decided_like_cancellations(store: Store) -> TestResult {
    let w = world(store).await?;
    let s = &w.store;
    let (at, later) = (t0()?, days_after(t0()?, 1)?);
    let audit_before = crate::users::all_audit(s).await?.len();
    let c = issue_one(&w, &w.officer, 1, at).await?;
    let request = s.request_relief(c.challan_no, ReliefKind::Waive, "widow, no income", &w.officer, Uuid::now_v7(), at).await?;
    assert_eq!((request.kind, request.state), (ReliefKind::Waive, RequestState::Pending));
    assert_eq!(s.cancellation_request(request.id).await?.map(|r| r.kind), Some(ReliefKind::Waive));
    // One pending request of either kind.
    let cancel_too = s.request_cancellation(c.challan_no, "duplicate", &w.officer, Uuid::now_v7(), at).await;
    assert!(matches!(&cancel_too, Err(StoreError::Conflict(m)) if m.contains("waiver")), "{cancel_too:?}");
    let by_colleague = s.request_relief(c.challan_no, ReliefKind::Waive, "x", &w.officer2, Uuid::now_v7(), at).await;
    assert!(matches!(&by_colleague, Err(StoreError::Domain(DomainError::Forbidden(m))) if m.contains("waiver")), "{by_colleague:?}");
    let own = s.decide_cancellation(request.id, true, "", &w.officer, later).await;
    assert!(matches!(own, Err(StoreError::Domain(DomainError::OwnRequest))), "{own:?}");

    let approved = s.decide_cancellation(request.id, true, "hardship confirmed", &w.supervisor, later).await?;
    assert_eq!((approved.kind, approved.state), (ReliefKind::Waive, RequestState::Approved));
    assert_eq!(s.challan(c.id).await?.map(|c| c.status), Some(ChallanStatus::Waived));
    assert_eq!(event_kinds(&s.challan_events(c.id).await?), ["issued", "waiver_requested", "waived"]);
    // Nothing is owed: the WAIVER of the whole amount, as for a cancellation.
    let transfers = s.challan_transfers(c.challan_no).await?;
    let waived: Vec<_> = transfers.iter().filter(|t| t.code == mahasil_ledger::TransferCode::Waiver).map(|t| i64::from(t.amount)).collect();
    assert_eq!(waived, [c.amount_paisa]);
    // The challan stands, like a paid one: its seal is not revoked.
    assert!(s.revocations(0, 100).await?.iter().all(|r| r.challan_no != c.challan_no));
    assert!(is_domain(&s.request_relief(c.challan_no, ReliefKind::Waive, "again", &w.officer, Uuid::now_v7(), later).await), "waived is final");

    // A rejected waiver leaves the challan issued.
    let d = issue_one(&w, &w.officer, 2, at).await?;
    let asked = s.request_relief(d.challan_no, ReliefKind::Waive, "cannot pay", &w.officer, Uuid::now_v7(), at).await?;
    s.decide_cancellation(asked.id, false, "no grounds", &w.supervisor, later).await?;
    assert_eq!(s.challan(d.id).await?.map(|c| c.status), Some(ChallanStatus::Issued));
    assert_eq!(event_kinds(&s.challan_events(d.id).await?), ["issued", "waiver_requested", "waiver_rejected"]);

    let audit = crate::users::all_audit(s).await?;
    let actions: Vec<_> = audit[audit_before..].iter().map(|e| e.action.as_str()).filter(|a| a.starts_with("waiver.")).collect();
    assert_eq!(actions, ["waiver.request", "waiver.approve", "waiver.request", "waiver.reject"]);
    assert_eq!(s.verify_audit().await?.first_bad, None);
    Ok(())
}

pub async fn contests_uphold_and_quash(store: Store) -> TestResult {
    let w = world(store).await?;
    let s = &w.store;
    let at = t0()?;
    let later = days_after(at, 3)?;
    let upheld_one = issue_one(&w, &w.officer, 1, at).await?;
    let quashed_one = issue_one(&w, &w.officer, 2, at).await?;

    assert!(is_not_found(&s.record_contest(ChallanNo::new(w.issuer, 999)?, "x", &w.officer, Uuid::now_v7(), at).await));
    let outside = s.record_contest(upheld_one.challan_no, "not mine", &w.mardan_officer, Uuid::now_v7(), at).await;
    assert!(matches!(outside, Err(StoreError::Domain(DomainError::Forbidden(_)))), "{outside:?}");

    let contest_id = Uuid::now_v7();
    let contest = s.record_contest(upheld_one.challan_no, "the road was not obstructed", &w.officer, contest_id, at).await?;
    assert_eq!((contest.id, contest.challan_id, contest.challan_no, contest.state), (contest_id, upheld_one.id, upheld_one.challan_no, ContestState::Open));
    assert_eq!((contest.grounds.as_str(), contest.recorded_by_username.as_str(), contest.recorded_at), ("the road was not obstructed", "officer.peshawar", at));
    assert_eq!(s.contest(contest_id).await?, Some(contest.clone()));
    assert_eq!(s.contest(Uuid::now_v7()).await?, None);
    assert_eq!(s.challan(upheld_one.id).await?.map(|c| c.status), Some(ChallanStatus::Contested));
    assert!(s.record_contest(upheld_one.challan_no, "again", &w.officer, Uuid::now_v7(), at).await.is_err(), "one open contest per challan");
    assert_eq!(s.open_contests(&Scope::Pairs(vec![(Some(slug("peshawar")?), None)]), 10).await?, vec![contest.clone()]);
    assert!(s.open_contests(&Scope::Pairs(vec![(Some(slug("mardan")?), None)]), 10).await?.is_empty());

    // The issuing officer never decides; a supervisor in scope does.
    assert!(is_domain(&s.decide_contest(contest_id, false, "", &w.officer, later).await));
    assert!(is_domain(&s.decide_contest(contest_id, false, "", &w.mardan_supervisor, later).await));
    assert!(is_not_found(&s.decide_contest(Uuid::now_v7(), true, "", &w.supervisor, later).await));
    let upheld = s.decide_contest(contest_id, true, "photographs show the obstruction", &w.supervisor, later).await?;
    assert_eq!((upheld.state, upheld.decided_by_username.as_deref(), upheld.decided_at), (ContestState::Upheld, Some("supervisor.peshawar"), Some(later)));
    assert_eq!(s.challan(upheld_one.id).await?.map(|c| c.status), Some(ChallanStatus::Issued));
    assert_eq!(event_kinds(&s.challan_events(upheld_one.id).await?), ["issued", "contested", "upheld"]);
    assert!(is_conflict(&s.decide_contest(contest_id, false, "", &w.supervisor, later).await), "a decided contest is final");

    let second = s.record_contest(quashed_one.challan_no, "wrong person", &w.supervisor, Uuid::now_v7(), at).await?;
    let quashed = s.decide_contest(second.id, false, "", &w.supervisor, later).await?;
    assert_eq!((quashed.state, quashed.decision_note), (ContestState::Quashed, None));
    assert_eq!(s.challan(quashed_one.id).await?.map(|c| c.status), Some(ChallanStatus::Cancelled));
    let events = s.challan_events(quashed_one.id).await?;
    assert_eq!(event_kinds(&events), ["issued", "contested", "quashed"]);
    assert_eq!(events.last().map(|e| e.status), Some(ChallanStatus::Cancelled));
    assert!(s.open_contests(&Scope::Everywhere, 10).await?.is_empty());

    // An upheld challan may be contested again; history keeps both, oldest first.
    let again = s.record_contest(upheld_one.challan_no, "new evidence", &w.officer, Uuid::now_v7(), later).await?;
    assert_eq!(s.challan_contests(upheld_one.id).await?.iter().map(|c| c.id).collect::<Vec<_>>(), [contest_id, again.id]);
    Ok(())
}
