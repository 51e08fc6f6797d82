//! A seeded model-based test: random sequences of issue, pay, the same payment again (one
//! after another and many at once), cancel, quash on contest (a waiver), reverse, deposit
//! through a statement import, and statements with unidentified credits or gaps. After
//! every step the store must agree with a plain model of what should have happened, and
//! the ledger must pass every invariant.

#![expect(clippy::panic, reason = "a case fails loudly, naming the outcome, when the store answers what it must not")]

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan::ChallanStatus;
use mahasil_store::{Actor, ChallanRecord, ImportOutcome, NewPayment, PaymentOutcome, PaymentRecord, ReversalOutcome, StatementImport, StatementRecord, Store};
use uuid::Uuid;

use crate::fixtures::*;
use crate::payments::{bank_payment, reversal_of};

/// Sequences per backend and steps per sequence.
const SEEDS: u64 = 3;
const STEPS: usize = 60;

/// SplitMix64: deterministic, so a failing seed is reproduced by its number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

/// What the model expects of one challan.
#[derive(Debug, Clone)]
struct Expected {
    record: ChallanRecord,
    status: ChallanStatus,
    /// The request and the stored payment standing for it, if paid.
    standing: Option<(NewPayment, PaymentRecord)>,
    deposited: bool,
}

struct Model {
    challans: Vec<Expected>,
    /// The account's last closing balance and the next statement's first day.
    closing: i64,
    next_day: Date,
    statements: u32,
    references: u64,
}

const PAID_ON: Date = Date::constant(2026, 3, 2);

fn statement(m: &mut Model, credits: i64, sha: u64) -> StatementRecord {
    m.statements += 1;
    let from = m.next_day;
    let record = StatementRecord {
        sha256: {
            let mut d = [0u8; 32];
            d[..8].copy_from_slice(&sha.to_be_bytes());
            d
        },
        account: "PK36SCBL0000001123456702".into(),
        statement_id: format!("MODEL-{}", m.statements),
        format: "csv".into(),
        from_date: from,
        to_date: from,
        opening_paisa: m.closing,
        closing_paisa: m.closing + credits,
        lines: 0,
        imported_by: String::new(),
        imported_at: Timestamp::UNIX_EPOCH,
        deposited: 0,
        deposited_paisa: 0,
        unidentified: 0,
        unidentified_paisa: 0,
        report_csv: String::new(),
        unexplained_paisa: 0,
    };
    m.next_day = from.checked_add(jiff::Span::new().days(1)).unwrap_or(from);
    record
}

async fn check(w: &World, m: &Model, step: &str) -> TestResult {
    let transfers: Vec<_> = w.store.transfers(0, 10_000).await?.into_iter().map(|s| s.transfer).collect();
    let terms = m.challans.iter().map(|e| mahasil_store::ledger::terms(&e.record)).collect::<Result<Vec<_>, _>>()?;
    assert_eq!(mahasil_ledger::check_with_terms(&transfers, &terms), vec![], "after {step}");
    let balances = mahasil_ledger::Balances::from_transfers(&transfers)?;
    for e in &m.challans {
        let stored = w.store.challan_by_no(e.record.challan_no).await?.ok_or("challan")?;
        assert_eq!(stored.status, e.status, "after {step}: status of {}", e.record.challan_no);
        let payments = w.store.challan_payments(e.record.id).await?;
        let standing: Vec<&PaymentRecord> = payments.iter().filter(|p| p.is_standing()).collect();
        assert_eq!(standing.len(), usize::from(e.standing.is_some()), "after {step}: standing payments of {}", e.record.challan_no);
        if let (Some(p), Some((_, expected))) = (standing.first(), &e.standing) {
            assert_eq!((p.receipt_no, p.deposited_at.is_some()), (expected.receipt_no, e.deposited), "after {step}");
        }
        let outstanding = balances.challan(e.record.challan_no).map_or(-1, |b| b.outstanding_paisa);
        let owed = if e.status == ChallanStatus::Issued || e.status == ChallanStatus::Contested { e.record.amount_paisa } else { 0 };
        assert_eq!(outstanding, owed, "after {step}: outstanding of {}", e.record.challan_no);
    }
    Ok(())
}

async fn run_sequence(store: Store, seed: u64) -> TestResult {
    let w = std::sync::Arc::new(world(store).await?);
    let mut rng = Rng(seed);
    let mut m = Model { challans: Vec::new(), closing: 0, next_day: Date::constant(2026, 3, 3), statements: 0, references: 0 };
    let signer = mahasil_store::testing::test_receipt_signer();
    let at = days_after(t0()?, 1)?;
    for step in 0..STEPS {
        let pick = if m.challans.is_empty() { 0 } else { rng.below(9) };
        let name;
        let i = rng.below(m.challans.len());
        match pick {
            0 => {
                name = "issue";
                let n = u32::try_from(m.challans.len() + 1)?;
                let record = issue_one(&w, &w.officer, n, t0()?).await?;
                m.challans.push(Expected { record, status: ChallanStatus::Issued, standing: None, deposited: false });
            }
            1 | 2 => {
                name = "pay";
                m.references += 1;
                let c = &m.challans[i].record;
                let p = bank_payment(c, &format!("M{seed}-{}", m.references), c.amount_paisa, PAID_ON, 1)?;
                let outcome = w.store.record_payment(&p, w.issuer, &Actor::system(), at, &signer).await?;
                let e = &mut m.challans[i];
                match (e.status, &e.standing, outcome) {
                    (ChallanStatus::Issued, None, PaymentOutcome::Accepted(r)) => {
                        e.status = ChallanStatus::Paid;
                        e.standing = Some((p, r));
                    }
                    (ChallanStatus::Paid, Some((_, r)), PaymentOutcome::AlreadyPaid(got)) => assert_eq!(got.receipt_no, r.receipt_no),
                    (ChallanStatus::Cancelled | ChallanStatus::Contested, None, PaymentOutcome::Blocked(s)) => assert_eq!(s, e.status),
                    (status, standing, outcome) => panic!("seed {seed} step {step}: paying a {status:?} challan ({standing:?}) gave {outcome:?}"),
                }
            }
            3 => {
                name = "the same payment again, and again at once";
                let Some((p, r)) = m.challans[i].standing.clone() else { continue };
                let again = w.store.record_payment(&p, w.issuer, &Actor::system(), at, &signer).await?;
                assert!(matches!(&again, PaymentOutcome::Repeated(got) if got.receipt_no == r.receipt_no), "seed {seed} step {step}: {again:?}");
                let mut tasks = Vec::new();
                for _ in 0..8 {
                    let (w, p, signer) = (w.clone(), p.clone(), signer.clone());
                    tasks.push(tokio::spawn(async move { w.store.record_payment(&p, w.issuer, &Actor::system(), at, &signer).await }));
                }
                for t in tasks {
                    assert!(matches!(t.await??, PaymentOutcome::Repeated(_)));
                }
                let mut changed = p.clone();
                changed.fingerprint = [7; 32];
                assert!(matches!(w.store.record_payment(&changed, w.issuer, &Actor::system(), at, &signer).await?, PaymentOutcome::KeyReused(_)));
            }
            4 => {
                name = "cancel";
                let e = &mut m.challans[i];
                let request = w.store.request_cancellation(e.record.challan_no, "model", &w.officer, Uuid::now_v7(), at).await;
                let decided = match request {
                    Ok(r) => Some(w.store.decide_cancellation(r.id, true, "", &w.supervisor, at).await),
                    Err(_) => None,
                };
                match (e.status, decided) {
                    (ChallanStatus::Issued, Some(Ok(_))) => e.status = ChallanStatus::Cancelled,
                    (ChallanStatus::Issued, other) => panic!("seed {seed} step {step}: cancelling an issued challan gave {other:?}"),
                    (_, Some(Ok(r))) => panic!("seed {seed} step {step}: a {:?} challan was cancelled: {r:?}", e.status),
                    _ => {}
                }
            }
            5 => {
                name = "contest and quash (waive)";
                let e = &mut m.challans[i];
                if e.status != ChallanStatus::Issued {
                    continue;
                }
                let contest = w.store.record_contest(e.record.challan_no, "not mine", &w.officer, Uuid::now_v7(), at).await?;
                e.status = ChallanStatus::Contested;
                if rng.below(2) == 0 {
                    w.store.decide_contest(contest.id, false, "quashed", &w.supervisor, at).await?;
                    e.status = ChallanStatus::Cancelled;
                } else {
                    w.store.decide_contest(contest.id, true, "upheld", &w.supervisor, at).await?;
                    e.status = ChallanStatus::Issued;
                }
            }
            6 => {
                name = "reverse";
                let e = &mut m.challans[i];
                let Some((p, r)) = e.standing.clone() else { continue };
                let reversal = reversal_of(&p, 3);
                match w.store.reverse_payment(&reversal, &Actor::system(), at).await? {
                    ReversalOutcome::Reversed(got) if !e.deposited => {
                        assert_eq!(got.receipt_no, r.receipt_no);
                        e.standing = None;
                        e.status = ChallanStatus::Issued;
                    }
                    ReversalOutcome::Deposited(_) if e.deposited => {}
                    other => panic!("seed {seed} step {step}: reversing (deposited {}) gave {other:?}", e.deposited),
                }
            }
            7 => {
                name = "deposit through a statement";
                let due: Vec<usize> = (0..m.challans.len()).filter(|&k| m.challans[k].standing.is_some() && !m.challans[k].deposited).collect();
                let matched: Vec<_> = due.iter().filter_map(|&k| m.challans[k].standing.as_ref().map(|(_, r)| (r.receipt_no, r.amount_paisa))).collect();
                let unidentified = if rng.below(3) == 0 { vec![("FT-UNKNOWN".to_string(), 12_345)] } else { vec![] };
                let credits: i64 = matched.iter().map(|(_, a)| a).sum::<i64>() + unidentified.iter().map(|(_, a)| a).sum::<i64>();
                let record = statement(&mut m, credits, seed * 1_000 + step as u64);
                let import = StatementImport { record, matched, unidentified };
                assert!(matches!(w.store.import_statement(&import, &Actor::system(), at).await?, ImportOutcome::Imported(_)));
                assert!(matches!(w.store.import_statement(&import, &Actor::system(), at).await?, ImportOutcome::AlreadyImported(_)), "the same file twice");
                m.closing = import.record.closing_paisa;
                for k in due {
                    m.challans[k].deposited = true;
                }
            }
            _ => {
                name = "a statement with a gap";
                let mut record = statement(&mut m, 0, seed * 1_000 + step as u64);
                record.opening_paisa += 1;
                record.closing_paisa += 1;
                let gap = StatementImport { record, matched: vec![], unidentified: vec![] };
                assert!(is_conflict(&w.store.import_statement(&gap, &Actor::system(), at).await), "a gap is refused");
                m.statements -= 1;
                m.next_day = m.next_day.checked_sub(jiff::Span::new().days(1))?;
            }
        }
        check(&w, &m, &format!("seed {seed} step {step} ({name})")).await?;
    }
    Ok(())
}

pub async fn random_money_sequences_keep_every_invariant(store: Store) -> TestResult {
    // The first seed runs on the store given; each further seed on a fresh one of the same
    // backend, so every sequence starts from an empty ledger.
    let backend = store.backend();
    run_sequence(store, 1).await?;
    for seed in 2..=SEEDS {
        if backend == "sqlite" {
            let (fresh, _dir) = mahasil_store::testing::fresh_sqlite().await?;
            run_sequence(fresh, seed).await?;
        } else if let Some(fresh) = mahasil_store::testing::fresh_postgres().await? {
            run_sequence(fresh, seed).await?;
        }
    }
    Ok(())
}
