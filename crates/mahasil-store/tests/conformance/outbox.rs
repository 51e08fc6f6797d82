//! Cases for the notification outbox: each event's messages are queued in the transaction
//! of the event (and a failed write queues nothing); workers claim, send and report, with
//! every step in the message's history; a lapsed claim is taken again with its key; claims
//! made at once never share a message; delivery reports and retries; scheduled reminders
//! and overdue notices exactly once; the queue's depth and lag; templates.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use mahasil_domain::authz::Scope;
use mahasil_domain::identity::Email;
use mahasil_domain::notice::{Channel, Language, MessageKind, preferred_language};
use mahasil_store::messages::{MAX_CLAIM_BATCH, message_kind_for_event, overdue_key, reminder_key};
use mahasil_store::{Actor, ChallanRecord, ClaimedMessage, MessageOutcome, MessageRecord, MessageStatus, PaymentOutcome, Store, StoreError, StoredTemplate};
use uuid::Uuid;

use crate::fixtures::*;

const LEASE: SignedDuration = SignedDuration::from_secs(300);

fn minutes_after(t: Timestamp, minutes: i64) -> TestResult<Timestamp> {
    Ok(t.checked_add(SignedDuration::from_mins(minutes))?)
}

/// Issues an encroachment challan in Peshawar whose offender gave an email address.
async fn issue_with_email(w: &World, n: u32, at: Timestamp) -> TestResult<ChallanRecord> {
    let mut d = draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", n, None, at).await?;
    d.offender.email = Some(Email::parse(&format!("offender{n}@example.pk"))?);
    Ok(w.store.issue_challan(&d, w.issuer, &Actor::from(&w.officer), at, &mahasil_store::testing::test_sealer()).await?)
}

fn sent(provider_id: &str) -> MessageOutcome {
    MessageOutcome::Sent { provider_id: provider_id.into(), rendered: r#"{"text":"Challan 100001-00000001-7 ..."}"#.into() }
}

fn statuses(m: &MessageRecord) -> Vec<MessageStatus> {
    m.history.iter().map(|h| h.status).collect()
}

fn ids(claimed: &[ClaimedMessage]) -> Vec<i64> {
    claimed.iter().map(|m| m.id).collect()
}

async fn only_message(store: &Store, challan_id: Uuid) -> TestResult<MessageRecord> {
    let mut all = store.challan_messages(challan_id).await?;
    assert_eq!(all.len(), 1, "{all:?}");
    Ok(all.remove(0))
}

struct RefusingSealer;

impl mahasil_store::ChallanSealer for RefusingSealer {
    fn seal(&self, _: &ChallanRecord) -> Result<Vec<u8>, String> {
        Err("the key is not loaded".into())
    }
}

pub async fn outbox_issue_queues_its_messages_in_the_same_transaction(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    let plain = issue_one(&w, &w.officer, 1, at).await?;
    let sms = only_message(&w.store, plain.id).await?;
    assert_eq!((sms.kind, sms.channel, sms.language), (MessageKind::ChallanIssued, Channel::Sms, preferred_language(Channel::Sms, None)));
    assert_eq!((sms.recipient.as_str(), sms.status, sms.attempts), (plain.offender.mobile.as_str(), MessageStatus::Queued, 0));
    assert_eq!((sms.challan_id, sms.challan_no, sms.next_attempt_at, sms.created_at), (plain.id, plain.challan_no, at, at));
    assert!(sms.event_key.starts_with("event:"), "{}", sms.event_key);
    assert!(sms.key.len() == 32 && sms.key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{}", sms.key);
    assert_eq!((sms.claimed_until, sms.provider_id.as_deref(), sms.rendered.as_deref(), sms.last_error.as_deref()), (None, None, None, None));
    assert_eq!(statuses(&sms), [MessageStatus::Queued]);

    let with_email = issue_with_email(&w, 2, at).await?;
    let both = w.store.challan_messages(with_email.id).await?;
    let mut seen: Vec<_> = both.iter().map(|m| (m.channel, m.language, m.recipient.clone())).collect();
    seen.sort();
    let language = |c| preferred_language(c, None);
    assert_eq!(
        seen,
        [(Channel::Sms, language(Channel::Sms), "+923000000002".to_string()), (Channel::Email, language(Channel::Email), "offender2@example.pk".to_string())]
    );
    assert_eq!(both[0].event_key, both[1].event_key, "one event, two messages");
    assert_ne!(both[0].key, both[1].key);

    // A refused issue stores no challan and queues nothing.
    let queued = w.store.message_queue(at).await?.queued;
    assert_eq!(queued, 3);
    let reused = mahasil_domain::challan::ChallanDraft { id: plain.id, ..draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", 3, None, at).await? };
    assert!(is_conflict(&w.store.issue_challan(&reused, w.issuer, &Actor::from(&w.officer), at, &mahasil_store::testing::test_sealer()).await));
    let unsealed = draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", 4, None, at).await?;
    let refusing: mahasil_store::Sealer = Arc::new(RefusingSealer);
    assert!(w.store.issue_challan(&unsealed, w.issuer, &Actor::from(&w.officer), at, &refusing).await.is_err());
    assert_eq!(w.store.message_queue(at).await?.queued, queued);
    assert_eq!(w.store.challan_messages(unsealed.id).await?, vec![]);
    assert_eq!(w.store.challan_messages(plain.id).await?, vec![sms]);
    Ok(())
}

/// Each message's channel, language and recipient, sorted.
async fn recipients(store: &Store, challan_id: Uuid) -> TestResult<Vec<(Channel, Language, String)>> {
    let mut seen: Vec<_> = store.challan_messages(challan_id).await?.iter().map(|m| (m.channel, m.language, m.recipient.clone())).collect();
    seen.sort();
    Ok(seen)
}

pub async fn outbox_recipients_follow_the_stated_language_and_the_webhook(store: Store) -> TestResult {
    let w = world(store).await?;
    let (s, at) = (&w.store, t0()?);
    let officer = Actor::from(&w.officer);
    let sealer = mahasil_store::testing::test_sealer();
    // A stated language is kept on the challan and followed on every channel.
    for (n, stated) in [(1, Language::En), (2, Language::Ur)] {
        let mut d = draft_of(s, &w.officer, ENCROACHMENT, "peshawar", n, None, at).await?;
        d.offender.email = Some(Email::parse(&format!("offender{n}@example.pk"))?);
        d.offender.language = Some(stated);
        let c = s.issue_challan(&d, w.issuer, &officer, at, &sealer).await?;
        assert_eq!(s.challan(c.id).await?.and_then(|c| c.offender.language), Some(stated));
        let mobile = c.offender.mobile.as_str().to_string();
        assert_eq!(recipients(s, c.id).await?, [(Channel::Sms, stated, mobile), (Channel::Email, stated, format!("offender{n}@example.pk"))]);
    }

    // With a receiver set, every event also queues a webhook message, until it is removed.
    let hook = "https://hooks.example.pk/mahasil";
    assert_eq!(s.set_webhook_receiver(Some(hook), at).await?, None);
    let hooked = issue_one(&w, &w.officer, 3, at).await?;
    let sms = (Channel::Sms, preferred_language(Channel::Sms, None), hooked.offender.mobile.as_str().to_string());
    assert_eq!(recipients(s, hooked.id).await?, [sms.clone(), (Channel::Webhook, preferred_language(Channel::Webhook, None), hook.to_string())]);
    // Refused receivers change nothing: not http(s), or with credentials in them.
    let too_long = format!("https://hooks.example.pk/{}", "a".repeat(mahasil_store::messages::MAX_WEBHOOK_URL_CHARS));
    for bad in ["ftp://hooks.example.pk/x", "https://user:secret@hooks.example.pk/x", "hooks.example.pk", too_long.as_str()] {
        assert!(is_domain(&s.set_webhook_receiver(Some(bad), at).await), "{bad}");
    }
    assert_eq!(s.set_webhook_receiver(Some(hook), at).await?, Some(hook.to_string()), "still the one set");
    // Scheduled messages go to it too.
    assert!(pass(s, 12).await? > 0);
    let reminders: Vec<_> = s.challan_messages(hooked.id).await?.into_iter().filter(|m| m.kind == MessageKind::DueReminder).map(|m| m.channel).collect();
    assert_eq!(reminders.len(), 2, "{reminders:?}");
    assert!(reminders.contains(&Channel::Webhook) && reminders.contains(&Channel::Sms));

    assert_eq!(s.set_webhook_receiver(None, at).await?, Some(hook.to_string()));
    let after = issue_one(&w, &w.officer, 4, at).await?;
    assert_eq!(recipients(s, after.id).await?.iter().map(|r| r.0).collect::<Vec<_>>(), [Channel::Sms]);
    assert_eq!(s.set_webhook_receiver(None, at).await?, None);
    Ok(())
}

/// The kinds of a challan's SMS messages, oldest first, and the kinds its events call for.
async fn kinds_against_events(store: &Store, c: &ChallanRecord) -> TestResult<(Vec<MessageKind>, Vec<MessageKind>)> {
    let queued = store.challan_messages(c.id).await?.iter().filter(|m| m.channel == Channel::Sms).map(|m| m.kind).collect();
    let wanted = store.challan_events(c.id).await?.iter().filter_map(|e| message_kind_for_event(&e.kind)).collect();
    Ok((queued, wanted))
}

pub async fn outbox_payments_and_decisions_queue_theirs(store: Store) -> TestResult {
    let w = world(store).await?;
    let s = &w.store;
    let (at, later) = (t0()?, days_after(t0()?, 1)?);
    let paid = issue_one(&w, &w.officer, 1, at).await?;
    let payment = crate::payments::bank_payment(&paid, "AUTH-1", paid.amount_paisa, jiff::civil::Date::constant(2026, 3, 2), 1)?;
    let outcome = s.record_payment(&payment, w.issuer, &Actor::system(), later, &mahasil_store::testing::test_receipt_signer()).await?;
    assert!(matches!(outcome, PaymentOutcome::Accepted(_)), "{outcome:?}");

    let mut decided = Vec::new();
    for (n, approve) in [(2, true), (3, false)] {
        let c = issue_one(&w, &w.officer, n, at).await?;
        let request = Uuid::now_v7();
        s.request_cancellation(c.challan_no, "wrong address", &w.officer, request, at).await?;
        s.decide_cancellation(request, approve, "checked with the officer", &w.supervisor, later).await?;
        decided.push(c);
    }
    for (n, uphold) in [(4, true), (5, false)] {
        let c = issue_one(&w, &w.officer, n, at).await?;
        let contest = Uuid::now_v7();
        s.record_contest(c.challan_no, "the road was clear", &w.officer, contest, at).await?;
        s.decide_contest(contest, uphold, "photographs seen", &w.supervisor, later).await?;
        decided.push(c);
    }
    for (n, approve) in [(6, true), (7, false)] {
        let c = issue_one(&w, &w.officer, n, at).await?;
        let request = Uuid::now_v7();
        s.request_relief(c.challan_no, mahasil_domain::challan::ReliefKind::Waive, "hardship", &w.officer, request, at).await?;
        s.decide_cancellation(request, approve, "papers seen", &w.supervisor, later).await?;
        decided.push(c);
    }
    let receipt = MessageKind::PaymentReceipt;
    assert_eq!(kinds_against_events(s, &paid).await?, (vec![MessageKind::ChallanIssued, receipt], vec![MessageKind::ChallanIssued, receipt]));
    let decisions = [
        MessageKind::CancellationDecided,
        MessageKind::CancellationDecided,
        MessageKind::ContestDecided,
        MessageKind::ContestDecided,
        MessageKind::WaiverDecided,
        MessageKind::WaiverDecided,
    ];
    for (c, decision) in decided.iter().zip(decisions) {
        let (queued, wanted) = kinds_against_events(s, c).await?;
        assert_eq!(queued, vec![MessageKind::ChallanIssued, decision], "requests and contests themselves notify no one");
        assert_eq!(queued, wanted);
    }

    // A worker renders a decision from the event that caused it.
    let claimed = s.claim_messages(minutes_after(later, 1)?, LEASE, MAX_CLAIM_BATCH).await?;
    assert_eq!(claimed.len(), 14);
    let quashed = claimed.iter().find(|m| m.challan_id == decided[3].id && m.kind == MessageKind::ContestDecided).ok_or("no contest message")?;
    let event = quashed.event.as_ref().ok_or("a decision names its event")?;
    assert_eq!((event.kind.as_str(), event.note.as_deref(), event.at), ("quashed", Some("photographs seen"), later));
    let receipt_message = claimed.iter().find(|m| m.kind == receipt).ok_or("no receipt")?;
    assert!(receipt_message.event.as_ref().and_then(|e| e.note.as_deref()).is_some_and(|n| n.contains("receipt")));
    Ok(())
}

pub async fn outbox_claims_outcomes_and_history(store: Store) -> TestResult {
    let w = world(store).await?;
    let s = &w.store;
    let at = t0()?;
    let mut challans = Vec::new();
    for n in 0..3 {
        challans.push(issue_one(&w, &w.officer, n + 1, minutes_after(at, i64::from(n))?).await?);
    }
    let now = minutes_after(at, 60)?;
    assert!(is_domain(&s.claim_messages(now, SignedDuration::ZERO, 5).await), "a lease must be positive");
    assert!(is_domain(&s.claim_messages(now, SignedDuration::from_hours(2), 5).await), "a lease is bounded");
    assert!(s.claim_messages(minutes_after(at, -1)?, LEASE, 5).await?.is_empty(), "nothing is due before it was queued");

    let first = s.claim_messages(now, LEASE, 2).await?;
    assert_eq!(first.iter().map(|m| m.challan_id).collect::<Vec<_>>(), [challans[0].id, challans[1].id], "oldest first");
    assert!(first.iter().all(|m| m.attempts == 1 && m.event.as_ref().is_some_and(|e| e.kind == "issued")));
    let second = s.claim_messages(now, LEASE, 0).await?;
    assert_eq!(second.iter().map(|m| m.challan_id).collect::<Vec<_>>(), [challans[2].id], "a limit of 0 still takes one");
    assert!(s.claim_messages(now, LEASE, 10).await?.is_empty(), "claimed messages are not due");

    let claimed = only_message(s, challans[0].id).await?;
    assert_eq!((claimed.status, claimed.attempts, claimed.claimed_until), (MessageStatus::Sending, 1, Some(now.checked_add(LEASE)?)));

    // Sent: the provider id and the text as sent are kept.
    let done = minutes_after(now, 1)?;
    s.record_message_outcome(first[0].id, &sent("gw-1"), done).await?;
    let m = only_message(s, challans[0].id).await?;
    assert_eq!((m.status, m.provider_id.as_deref(), m.claimed_until), (MessageStatus::Sent, Some("gw-1"), None));
    assert_eq!(m.rendered.as_deref(), Some(r#"{"text":"Challan 100001-00000001-7 ..."}"#), "kept byte for byte");
    assert_eq!(statuses(&m), [MessageStatus::Queued, MessageStatus::Sending, MessageStatus::Sent]);
    assert_eq!((m.history[1].at, m.history[2].at, m.updated_at), (now, done, done));
    assert!(is_conflict(&s.record_message_outcome(first[0].id, &sent("gw-1"), done).await), "an outcome needs a claim");
    assert!(is_not_found(&s.record_message_outcome(999_999, &sent("gw-9"), done).await));
    let bad = MessageOutcome::Sent { provider_id: "gw-2".into(), rendered: "not json".into() };
    assert!(is_domain(&s.record_message_outcome(first[1].id, &bad, done).await));
    s.record_message_outcome(second[0].id, &MessageOutcome::Failed { reason: "x".repeat(5_000) }, done).await?;

    // Retry: queued again for later, tried again then with the same key.
    let later = minutes_after(now, 10)?;
    s.record_message_outcome(first[1].id, &MessageOutcome::Retry { reason: "gateway timeout".into(), next_attempt_at: later }, done).await?;
    let m = only_message(s, challans[1].id).await?;
    assert_eq!((m.status, m.next_attempt_at, m.last_error.as_deref()), (MessageStatus::Queued, later, Some("gateway timeout")));
    assert!(s.claim_messages(minutes_after(now, 5)?, LEASE, 10).await?.is_empty(), "not before its time");
    let again = s.claim_messages(later, LEASE, 10).await?;
    assert_eq!((ids(&again), again[0].attempts, again[0].key.as_str()), (vec![first[1].id], 2, first[1].key.as_str()));
    s.record_message_outcome(first[1].id, &MessageOutcome::Undeliverable { reason: "not a mobile number".into() }, later).await?;
    let m = only_message(s, challans[1].id).await?;
    assert_eq!(statuses(&m), [MessageStatus::Queued, MessageStatus::Sending, MessageStatus::Queued, MessageStatus::Sending, MessageStatus::Undeliverable]);
    let failed = only_message(s, challans[2].id).await?;
    assert_eq!(failed.status, MessageStatus::Failed);
    assert!(failed.last_error.as_ref().is_some_and(|e| e.chars().count() <= mahasil_store::messages::MAX_DETAIL_CHARS + 1), "long reasons are cut");
    Ok(())
}

pub async fn outbox_lapsed_claim_is_taken_again_with_its_key(store: Store) -> TestResult {
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let now = minutes_after(t0()?, 1)?;
    let first = w.store.claim_messages(now, LEASE, 10).await?;
    assert_eq!(first.len(), 1);
    assert!(w.store.claim_messages(minutes_after(now, 4)?, LEASE, 10).await?.is_empty(), "the lease still holds");
    // The worker died; once its lease has run out the message is claimed again.
    let lapsed = minutes_after(now, 6)?;
    let second = w.store.claim_messages(lapsed, LEASE, 10).await?;
    assert_eq!((ids(&second), second[0].key.as_str(), second[0].attempts), (ids(&first), first[0].key.as_str(), 2));
    w.store.record_message_outcome(second[0].id, &sent("gw-1"), lapsed).await?;
    assert!(is_conflict(&w.store.record_message_outcome(first[0].id, &sent("gw-0"), lapsed).await), "the late first worker is refused");
    let m = only_message(&w.store, c.id).await?;
    assert_eq!(statuses(&m), [MessageStatus::Queued, MessageStatus::Sending, MessageStatus::Sending, MessageStatus::Sent]);
    assert_eq!((m.history[1].detail.as_deref(), m.history[2].detail.as_deref()), (Some("attempt 1"), Some("attempt 2")));
    Ok(())
}

pub async fn outbox_claims_made_at_once_never_share_a_message(store: Store) -> TestResult {
    const CHALLANS: u32 = 60;
    const CLAIMERS: usize = 6;
    let w = world(store).await?;
    let mut expected = HashSet::new();
    for n in 0..CHALLANS {
        let c = issue_one(&w, &w.officer, n + 1, t0()?).await?;
        expected.insert(only_message(&w.store, c.id).await?.id);
    }
    let now = minutes_after(t0()?, 1)?;
    let start = Arc::new(tokio::sync::Barrier::new(CLAIMERS));
    let mut handles = Vec::new();
    for _ in 0..CLAIMERS {
        let (store, start) = (Arc::clone(&w.store), Arc::clone(&start));
        handles.push(tokio::spawn(async move {
            start.wait().await;
            let mut mine = Vec::new();
            loop {
                let claimed = store.claim_messages(now, LEASE, 3).await?;
                if claimed.is_empty() {
                    return Ok::<_, StoreError>(mine);
                }
                mine.extend(ids(&claimed));
            }
        }));
    }
    let mut seen = HashSet::new();
    for h in handles {
        for id in h.await?? {
            assert!(seen.insert(id), "message {id} was claimed twice");
        }
    }
    assert_eq!(seen, expected);
    Ok(())
}

pub async fn outbox_delivery_reports_and_retries(store: Store) -> TestResult {
    let w = world(store).await?;
    let s = &w.store;
    let at = t0()?;
    let (a, b, c) = (issue_one(&w, &w.officer, 1, at).await?, issue_one(&w, &w.officer, 2, at).await?, issue_one(&w, &w.officer, 3, at).await?);
    let now = minutes_after(at, 1)?;
    let claimed = s.claim_messages(now, LEASE, 10).await?;
    let id_of = |c: &ChallanRecord| claimed.iter().find(|m| m.challan_id == c.id).map(|m| m.id).ok_or("not claimed");
    let (ida, idb, idc) = (id_of(&a)?, id_of(&b)?, id_of(&c)?);
    s.record_message_outcome(ida, &sent("gw-a"), now).await?;
    s.record_message_outcome(idb, &sent("gw-b"), now).await?;
    s.record_message_outcome(idc, &MessageOutcome::Undeliverable { reason: "not a mobile number".into() }, now).await?;

    let report = minutes_after(now, 1)?;
    assert_eq!(s.record_delivery_report("gw-a", true, "delivered", report).await?, Some(ida));
    assert_eq!(s.record_delivery_report("gw-a", true, "delivered", report).await?, Some(ida), "the same report again");
    let m = only_message(s, a.id).await?;
    assert_eq!((m.status, statuses(&m).len()), (MessageStatus::Delivered, 4), "changed once");
    assert_eq!(s.record_delivery_report("gw-unknown", true, "delivered", report).await?, None);
    assert_eq!(s.record_delivery_report("gw-b", false, "failed: handset unreachable", report).await?, Some(idb));
    let m = only_message(s, b.id).await?;
    assert_eq!((m.status, m.last_error.as_deref()), (MessageStatus::Failed, Some("failed: handset unreachable")));

    // Failed and undeliverable messages, last changed first, within the districts asked for.
    let listed = |ms: Vec<MessageRecord>| ms.iter().map(|m| m.id).collect::<Vec<_>>();
    let pair =
        |district: &str, department: Option<&str>| -> TestResult<Scope> { Ok(Scope::Pairs(vec![(Some(slug(district)?), department.map(slug).transpose()?)])) };
    assert_eq!(listed(s.failed_messages(&Scope::Everywhere, 50).await?), [idb, idc]);
    assert_eq!(listed(s.failed_messages(&pair("peshawar", None)?, 50).await?), [idb, idc]);
    assert_eq!(listed(s.failed_messages(&pair("peshawar", Some("district-administration"))?, 50).await?), [idb, idc]);
    assert_eq!(listed(s.failed_messages(&pair("peshawar", Some("price-control"))?, 50).await?), Vec::<i64>::new(), "another department");
    assert_eq!(listed(s.failed_messages(&pair("mardan", None)?, 50).await?), Vec::<i64>::new());
    assert_eq!(listed(s.failed_messages(&Scope::Pairs(Vec::new()), 50).await?), Vec::<i64>::new(), "nowhere");
    assert_eq!(s.failed_messages(&Scope::Everywhere, 1).await?.len(), 1);

    let supervisor = Actor::from(&w.supervisor);
    let audit_before = crate::users::all_audit(s).await?.len();
    let again = minutes_after(report, 5)?;
    assert!(is_not_found(&s.retry_message(idb, &pair("mardan", None)?, &supervisor, again).await), "outside the supervisor's districts");
    assert!(is_not_found(&s.retry_message(idb, &pair("peshawar", Some("price-control"))?, &supervisor, again).await), "another department");
    assert_eq!(crate::users::all_audit(s).await?.len(), audit_before, "and nothing written");
    let retried = s.retry_message(idb, &pair("peshawar", Some("district-administration"))?, &supervisor, again).await?;
    assert_eq!((retried.status, retried.attempts, retried.next_attempt_at), (MessageStatus::Queued, 0, again));
    assert_ne!(retried.key, m.key, "a new key, so the gateway sends it again");
    assert!(retried.history.last().and_then(|h| h.detail.as_deref()).is_some_and(|d| d.contains("supervisor.peshawar") && d.contains(&m.key)));
    let audit = crate::users::all_audit(s).await?;
    assert_eq!(audit.len(), audit_before + 1);
    assert_eq!((audit[audit_before].action.as_str(), audit[audit_before].entity.clone()), ("message.retry", format!("message:{idb}")));
    assert!(is_conflict(&s.retry_message(idb, &Scope::Everywhere, &supervisor, again).await), "only a failed message");
    assert!(is_conflict(&s.retry_message(idc, &Scope::Everywhere, &supervisor, again).await), "an undeliverable one would fail again");
    assert!(is_not_found(&s.retry_message(999_999, &Scope::Everywhere, &supervisor, again).await));
    assert_eq!(ids(&s.claim_messages(again, LEASE, 10).await?), [idb]);
    assert_eq!(s.verify_audit().await?.first_bad, None);
    Ok(())
}

/// One due-date pass at 10:00 in Peshawar, `days` after t0's date.
async fn pass(store: &Store, days: i64) -> TestResult<u32> {
    Ok(store.enqueue_scheduled(days_after(t0()?, days)?, 3).await?)
}

pub async fn outbox_reminders_and_overdue_notices_are_queued_once(store: Store) -> TestResult {
    let w = world(store).await?;
    let s = &w.store;
    let at = t0()?;
    // Due on 15 March (14 days); one with an email too; one paid and one cancelled, which
    // nobody reminds.
    let open = issue_one(&w, &w.officer, 1, at).await?;
    let with_email = issue_with_email(&w, 2, at).await?;
    let paid = issue_one(&w, &w.officer, 3, at).await?;
    let payment = crate::payments::bank_payment(&paid, "AUTH-3", paid.amount_paisa, jiff::civil::Date::constant(2026, 3, 2), 3)?;
    s.record_payment(&payment, w.issuer, &Actor::system(), days_after(at, 1)?, &mahasil_store::testing::test_receipt_signer()).await?;
    let cancelled = issue_one(&w, &w.officer, 4, at).await?;
    let request = Uuid::now_v7();
    s.request_cancellation(cancelled.challan_no, "duplicate", &w.officer, request, at).await?;
    s.decide_cancellation(request, true, "", &w.supervisor, at).await?;
    assert_eq!(open.due_date, jiff::civil::Date::constant(2026, 3, 15));

    assert!(is_domain(&s.enqueue_scheduled(at, mahasil_store::messages::MAX_REMIND_BEFORE_DAYS + 1).await));
    assert_eq!(pass(s, 10).await?, 0, "15 March is more than 3 days after 11 March");
    assert_eq!(pass(s, 11).await?, 3, "an SMS each, and an email");
    assert_eq!(pass(s, 11).await?, 0, "once");
    assert_eq!(pass(s, 14).await?, 0, "still once, on the due date itself");
    assert_eq!(pass(s, 15).await?, 3, "overdue the day after");
    assert_eq!(pass(s, 20).await?, 0);

    let scheduled = |c: &ChallanRecord| {
        let store = Arc::clone(s);
        let id = c.id;
        async move {
            let all = store.challan_messages(id).await?;
            TestResult::Ok(all.into_iter().filter(|m| !m.event_key.starts_with("event:")).map(|m| (m.kind, m.channel, m.event_key)).collect::<Vec<_>>())
        }
    };
    let (r, o) = (reminder_key(open.challan_no), overdue_key(open.challan_no));
    assert_eq!(scheduled(&open).await?, [(MessageKind::DueReminder, Channel::Sms, r), (MessageKind::OverdueNotice, Channel::Sms, o)]);
    assert_eq!(scheduled(&with_email).await?.len(), 4);
    assert_eq!(scheduled(&paid).await?, vec![]);
    assert_eq!(scheduled(&cancelled).await?, vec![]);

    // Scheduled messages have no event; those queued at night wait for the morning.
    let late = issue_one(&w, &w.officer, 5, days_after(at, 1)?).await?;
    let night: Timestamp = "2026-03-12T19:30:00Z".parse()?; // 00:30 on 13 March in Peshawar
    let several = Arc::new(tokio::sync::Barrier::new(3));
    let mut handles = Vec::new();
    for _ in 0..3 {
        let (store, several) = (Arc::clone(s), Arc::clone(&several));
        handles.push(tokio::spawn(async move {
            several.wait().await;
            store.enqueue_scheduled(night, 3).await
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await??;
    }
    assert_eq!(total, 1, "nodes scheduling at once queue the reminder once");
    let reminder = w.store.challan_messages(late.id).await?.into_iter().find(|m| m.kind == MessageKind::DueReminder).ok_or("no reminder")?;
    assert_eq!(reminder.next_attempt_at, "2026-03-13T04:00:00Z".parse()?, "09:00 in Peshawar");
    let claimed = s.claim_messages("2026-03-13T04:00:00Z".parse()?, LEASE, MAX_CLAIM_BATCH).await?;
    let claimed = claimed.iter().find(|m| m.id == reminder.id).ok_or("the reminder is due at 09:00")?;
    assert_eq!((claimed.event.as_ref(), claimed.language), (None, Language::Ur));
    Ok(())
}

pub async fn outbox_queue_depth_and_lag(store: Store) -> TestResult {
    let w = world(store).await?;
    let s = &w.store;
    let at = t0()?;
    let empty = s.message_queue(at).await?;
    assert_eq!((empty.queued, empty.due, empty.sending, empty.failed, empty.undeliverable, empty.oldest_due_age), (0, 0, 0, 0, 0, None));
    for n in 0..4 {
        issue_one(&w, &w.officer, n + 1, minutes_after(at, i64::from(n))?).await?;
    }
    let now = minutes_after(at, 60)?;
    let q = s.message_queue(now).await?;
    assert_eq!((q.queued, q.due, q.oldest_due_age), (4, 4, Some(SignedDuration::from_mins(60))));
    let claimed = s.claim_messages(now, LEASE, 3).await?;
    s.record_message_outcome(claimed[0].id, &MessageOutcome::Failed { reason: "gave up".into() }, now).await?;
    s.record_message_outcome(claimed[1].id, &MessageOutcome::Undeliverable { reason: "bad number".into() }, now).await?;
    s.record_message_outcome(claimed[2].id, &MessageOutcome::Retry { reason: "busy".into(), next_attempt_at: minutes_after(now, 30)? }, now).await?;
    s.claim_messages(now, LEASE, 1).await?;
    let q = s.message_queue(now).await?;
    assert_eq!((q.queued, q.due, q.sending, q.failed, q.undeliverable, q.oldest_due_age), (1, 0, 1, 1, 1, None));
    assert_eq!(q.by_status().map(|(status, n)| (status.as_str(), n)), [("queued", 1), ("sending", 1), ("failed", 1), ("undeliverable", 1)]);
    Ok(())
}

pub async fn outbox_templates_are_saved_audited(store: Store) -> TestResult {
    let w = world(store).await?;
    let s = &w.store;
    assert_eq!(s.message_templates().await?, vec![]);
    let at = t0()?;
    let template = StoredTemplate {
        kind: MessageKind::DueReminder,
        language: Language::En,
        channel: Channel::Sms,
        source: "Challan {challan_no} is due on {due_date}.".into(),
        updated_at: Timestamp::UNIX_EPOCH,
        updated_by: "someone else".into(),
    };
    s.put_message_template(&template, &w.admin, at).await?;
    let saved = StoredTemplate { updated_at: at, updated_by: "admin".into(), ..template.clone() };
    assert_eq!(s.message_templates().await?, vec![saved]);
    let edited = StoredTemplate { source: "Pay challan {challan_no} by {due_date}.".into(), ..template.clone() };
    let later = minutes_after(at, 5)?;
    s.put_message_template(&edited, &w.admin, later).await?;
    assert_eq!(s.message_templates().await?, vec![StoredTemplate { updated_at: later, updated_by: "admin".into(), ..edited }]);
    assert!(is_domain(&s.put_message_template(&StoredTemplate { source: "  ".into(), ..template }, &w.admin, later).await));
    let audit = crate::users::all_audit(s).await?;
    let saves: Vec<_> = audit.iter().filter(|e| e.action == "template.save").map(|e| e.entity.as_str()).collect();
    assert_eq!(saves, ["template:due_reminder/en/sms", "template:due_reminder/en/sms"]);
    Ok(())
}

/// The history of a message is never rewritten, and no message is ever removed.
pub async fn sqlite_outbox_history_is_append_only() -> TestResult {
    let (store, dir) = mahasil_store::testing::fresh_sqlite().await?;
    let w = world(store).await?;
    issue_one(&w, &w.officer, 1, t0()?).await?;
    // A claim writes the first history rows (a message's `queued` step is its creation).
    assert!(!w.store.claim_messages(t0()?, SignedDuration::from_secs(60), 10).await?.is_empty());
    let conn = rusqlite::Connection::open(mahasil_store::testing::sqlite_file(dir.path()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    for sql in [
        "UPDATE message_history SET detail = 'x'",
        "DELETE FROM message_history",
        "DELETE FROM messages",
        "UPDATE messages SET recipient = '+923009999999'",
        "UPDATE messages SET status = 'sent'",
    ] {
        assert!(conn.execute(sql, []).is_err(), "{sql} must be refused");
    }
    Ok(())
}
