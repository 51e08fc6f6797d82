//! The hash chain of the audit log, shared by both backends: how an entry's hash is
//! computed, and how a chain is walked to find the first entry that was edited, removed
//! or reordered.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::records::{AuditEntry, AuditFault};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry before it is hashed.
#[derive(Debug, Clone)]
pub struct PendingEntry<'a> {
    pub at: Timestamp,
    pub actor_id: Option<Uuid>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub before: &'a str,
    pub after: &'a str,
}

/// SHA-256 (lowercase hex) over the previous hash and every field, each length-prefixed
/// so no two different entries hash the same bytes.
pub fn entry_hash(seq: i64, prev_hash: &str, e: &PendingEntry<'_>) -> String {
    let mut h = Sha256::new();
    let at = e.at.as_microsecond().to_string();
    let actor_id = e.actor_id.map(|u| u.to_string()).unwrap_or_default();
    let seq = seq.to_string();
    for field in [seq.as_str(), prev_hash, at.as_str(), actor_id.as_str(), e.actor, e.action, e.entity, e.before, e.after] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// SHA-256 of a stored document (lowercase hex): what the audit log records of a signed
/// document such as a trust list version, so an edited copy is detectable.
pub fn sha256_hex(document: &[u8]) -> String {
    hex::encode(Sha256::digest(document))
}

/// Walks entries (in stored `seq` order) continuing from `prev` = (seq, hash) of the entry
/// before them; returns the first fault. Sequence numbers must run without gaps.
pub fn check_chain<'a>(prev: &mut (i64, String), entries: impl IntoIterator<Item = &'a AuditEntry>) -> Option<AuditFault> {
    for e in entries {
        if e.seq != prev.0 + 1 {
            return Some(AuditFault { seq: e.seq, reason: format!("expected entry {} next; entries are missing or out of order", prev.0 + 1) });
        }
        if e.prev_hash != prev.1 {
            return Some(AuditFault {
                seq: e.seq,
                reason: "prev_hash does not match the previous entry's hash (an entry before it was removed, replaced or reordered)".into(),
            });
        }
        let pending =
            PendingEntry { at: e.at, actor_id: e.actor_id, actor: &e.actor, action: &e.action, entity: &e.entity, before: &e.before, after: &e.after };
        let expected = entry_hash(e.seq, &e.prev_hash, &pending);
        if expected != e.hash {
            return Some(AuditFault { seq: e.seq, reason: "hash does not match the entry's contents (the entry was edited)".into() });
        }
        *prev = (e.seq, e.hash.clone());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let after = format!("{{\"n\":{seq}}}");
                let p = PendingEntry {
                    at: Timestamp::from_second(seq).unwrap_or(Timestamp::UNIX_EPOCH),
                    actor_id: None,
                    actor: "system",
                    action: "test",
                    entity: "x",
                    before: "null",
                    after: &after,
                };
                let hash = entry_hash(seq, &prev, &p);
                let e = AuditEntry {
                    seq,
                    at: p.at,
                    actor_id: None,
                    actor: "system".into(),
                    action: "test".into(),
                    entity: "x".into(),
                    before: "null".into(),
                    after: after.clone(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(check_chain(&mut (0, GENESIS_HASH.into()), &c), None);
    }

    #[test]
    fn edit_removal_and_reorder_are_found() {
        let mut edited = chain(5);
        edited[2].after = "{\"n\":99}".into();
        assert_eq!(check_chain(&mut (0, GENESIS_HASH.into()), &edited).map(|f| f.seq), Some(3));

        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(check_chain(&mut (0, GENESIS_HASH.into()), &removed).map(|f| f.seq), Some(3));

        let mut reordered = chain(5);
        reordered.swap(1, 2);
        assert!(check_chain(&mut (0, GENESIS_HASH.into()), &reordered).is_some());

        // Renumbering after a removal still breaks the prev_hash link.
        let mut renumbered = chain(5);
        renumbered.remove(1);
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(check_chain(&mut (0, GENESIS_HASH.into()), &renumbered).map(|f| f.seq), Some(2));
    }
}
