//! The signed revocation list served to verifiers and field devices. Its version is one
//! more than the highest stored revocation's `seq` (1 while nothing is revoked), so a list
//! at version N holds every revocation with `seq < N`, and a delta since N holds those
//! with `seq >= N`.

use base64::Engine;
use jiff::Timestamp;
use mahasil_seal::{RevocationEntry, RevocationList, Usage};
use mahasil_store::{MAX_REVOCATIONS_PAGE, Store};
use serde::{Deserialize, Serialize};

use super::{NodeSeals, Result};

/// A signed revocation list as served: `document` is `None` when the caller is already at
/// the newest version (nothing to apply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignedRevocations {
    pub version: u64,
    /// 0 for a full list; otherwise the version the delta follows.
    pub since_version: u64,
    /// Revoked challans in this document.
    pub entries: usize,
    /// Standard Base64 of the list's COSE_Sign1 bytes.
    pub document: Option<String>,
}

/// Revocations with `seq >= since` (all of them for 0 or 1), read page by page.
async fn entries_since(store: &Store, since: u64) -> Result<(Vec<RevocationEntry>, u64)> {
    let mut after = i64::try_from(since.saturating_sub(1)).unwrap_or(i64::MAX);
    let mut entries = Vec::new();
    loop {
        let page = store.revocations(after, MAX_REVOCATIONS_PAGE).await?;
        entries.extend(page.iter().map(|r| RevocationEntry::of(r.challan_no)));
        match page.last() {
            Some(last) if page.len() == MAX_REVOCATIONS_PAGE as usize => after = last.seq,
            Some(last) => {
                after = last.seq;
                break;
            }
            None => break,
        }
    }
    Ok((entries, u64::try_from(after).unwrap_or(0) + 1))
}

/// The revocation list since `since` (0 = full), signed with the node's status key.
pub async fn signed(seals: &NodeSeals, store: &Store, since: u64, now: Timestamp) -> Result<SignedRevocations> {
    let (entries, newest) = entries_since(store, since).await?;
    let version = newest.max(since).max(1);
    let since_version = if since <= 1 { 0 } else { since };
    if since_version >= version {
        return Ok(SignedRevocations { version, since_version, entries: 0, document: None });
    }
    let count = entries.len();
    let list = if since_version == 0 {
        RevocationList::full(version, now.as_second(), entries)?
    } else {
        RevocationList::delta(since_version, version, now.as_second(), entries)?
    };
    let document = list.sign(seals.active().key(Usage::Status))?;
    Ok(SignedRevocations { version, since_version, entries: count, document: Some(base64::engine::general_purpose::STANDARD.encode(document)) })
}
