//! The signed revocation list served to verifiers and field devices. Its version is one
//! more than the highest stored revocation's `seq` (1 while nothing is revoked), so a list
//! at version N holds every revocation with `seq < N`, and a delta since N holds those
//! with `seq >= N`. The full list is signed once per version (and status key) and served
//! from memory until a cancellation makes a new version.

use base64::Engine;
use jiff::Timestamp;
use mahasil_seal::{RevocationEntry, RevocationList, Usage};
use mahasil_store::{MAX_REVOCATIONS_PAGE, Store};

use super::{NodeSeals, Result};

pub use mahasil_sync::wire::SignedRevocations;

/// Revocations with `seq >= since` and `seq < until`, read page by page.
async fn entries(store: &Store, since: u64, until: u64) -> Result<Vec<RevocationEntry>> {
    let mut after = i64::try_from(since.saturating_sub(1)).unwrap_or(i64::MAX);
    let until = i64::try_from(until).unwrap_or(i64::MAX);
    let mut entries = Vec::new();
    loop {
        let page = store.revocations(after, MAX_REVOCATIONS_PAGE).await?;
        entries.extend(page.iter().filter(|r| r.seq < until).map(|r| RevocationEntry::of(r.challan_no)));
        match page.last() {
            Some(last) if page.len() == MAX_REVOCATIONS_PAGE as usize && last.seq + 1 < until => after = last.seq,
            _ => break,
        }
    }
    Ok(entries)
}

/// The revocation list for a caller holding version `since` (0: none), signed with the
/// node's status key: a delta when it holds an older version, nothing when it holds the
/// newest, and the full list when it holds none (or claims a version this database never
/// had, after a restore, say: it then learns the real version and starts again).
pub async fn signed(seals: &NodeSeals, store: &Store, since: u64, now: Timestamp) -> Result<SignedRevocations> {
    let version = u64::try_from(store.last_revocation_seq().await?).unwrap_or(0) + 1;
    if since == version {
        return Ok(SignedRevocations { version, since_version: since, entries: 0, document: None });
    }
    let since_version = if since > version { 0 } else { since };
    let status_key = seals.active().key(Usage::Status).kid();
    if since_version == 0 {
        let cached = seals.full_revocations.lock().ok().and_then(|c| c.clone());
        if let Some((_, full)) = cached.filter(|(kid, full)| *kid == status_key && full.version == version) {
            return Ok(full);
        }
    }
    let entries = entries(store, since_version, version).await?;
    let count = entries.len();
    let list = if since_version == 0 {
        RevocationList::full(version, now.as_second(), entries)?
    } else {
        RevocationList::delta(since_version, version, now.as_second(), entries)?
    };
    let document = list.sign(seals.active().key(Usage::Status))?;
    let signed = SignedRevocations { version, since_version, entries: count, document: Some(base64::engine::general_purpose::STANDARD.encode(document)) };
    if since_version == 0
        && let Ok(mut cache) = seals.full_revocations.lock()
    {
        *cache = Some((status_key, signed.clone()));
    }
    Ok(signed)
}
