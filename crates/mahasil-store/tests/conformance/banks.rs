//! Cases for banks: registered once, updated with their secret, never deleted, and the
//! secret never written to the audit log.

use mahasil_domain::bank::BankSecret;
use mahasil_store::{Actor, BankRecord, Store};

use crate::fixtures::*;

pub async fn banks_round_trip_without_leaking_secrets(store: Store) -> TestResult {
    let at = t0()?;
    let admin = Actor::system();
    assert_eq!(store.banks().await?, vec![]);
    let bank =
        BankRecord { mnemonic: slug("demo-bank")?, name: "Demo Bank".into(), secret: BankSecret::parse("demo-bank-secret")?, active: true, created_at: at };
    store.create_bank(&bank, &admin).await?;
    assert_eq!(store.bank(&slug("demo-bank")?).await?, Some(bank.clone()));
    assert!(is_conflict(&store.create_bank(&bank, &admin).await), "a mnemonic is registered once");

    let other = BankRecord { mnemonic: slug("another-bank")?, name: "Another".into(), ..bank.clone() };
    store.create_bank(&other, &admin).await?;
    let names: Vec<String> = store.banks().await?.iter().map(|b| b.mnemonic.to_string()).collect();
    assert_eq!(names, ["another-bank", "demo-bank"], "by mnemonic");

    let later = days_after(at, 1)?;
    let rotated =
        BankRecord { name: "Demo Bank Ltd".into(), secret: BankSecret::parse("a-brand-new-secret-value")?, active: false, created_at: later, ..bank.clone() };
    store.update_bank(&rotated, &admin, later).await?;
    let stored = store.bank(&slug("demo-bank")?).await?.ok_or("bank missing")?;
    assert_eq!((stored.name.as_str(), stored.secret.as_str(), stored.active, stored.created_at), ("Demo Bank Ltd", "a-brand-new-secret-value", false, at));
    let missing = BankRecord { mnemonic: slug("no-such-bank")?, ..bank.clone() };
    assert!(is_not_found(&store.update_bank(&missing, &admin, later).await));

    let audit = store.audit_entries(0, 100).await?;
    let bank_entries: Vec<_> = audit.iter().filter(|e| e.entity.starts_with("bank:")).collect();
    assert_eq!(bank_entries.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["bank.create", "bank.create", "bank.update"]);
    for e in &bank_entries {
        for secret in ["demo-bank-secret", "a-brand-new-secret-value"] {
            assert!(!e.before.contains(secret) && !e.after.contains(secret), "a secret reached the audit log: {e:?}");
        }
        assert!(e.after.contains("secret_sha256"));
    }
    assert_eq!(store.verify_audit().await?.first_bad, None);
    Ok(())
}
