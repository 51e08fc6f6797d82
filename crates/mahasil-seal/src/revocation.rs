//! Revocation lists: signed, versioned lists of cancelled challans, so that verifiers
//! without a network still reject cancelled notices; and the set a verifier builds from a
//! full list and the deltas that follow it.
//!
//! An entry is the first 8 bytes of SHA-256 of the challan_no's 15 ASCII digits (issuer
//! number, counter and check digit, no dashes). Payload (CBOR, deterministic):
//! `{1: version, 2: since version (0 for a full list), 3: issued_at, 4: entries}` where
//! entries is ONE byte string, the 8-byte entries concatenated in ascending order without
//! repeats. A full list holds every entry up to its version; a delta holds the entries
//! added after `since`. Entries are only ever added: a cancellation is never undone.
//! Signed by a key whose usage is `status` in the trust list.

use std::collections::HashSet;

use mahasil_domain::challan_no::ChallanNo;

use crate::cbor::{self, Fields};
use crate::envelope::{self, Content};
use crate::keys::{SigningKey, Usage};
use crate::trust_list::{TrustList, version_of, version_value};
use crate::{Result, SealError};

/// Length of a revocation entry.
pub const REVOCATION_ENTRY_BYTES: usize = 8;
/// The most entries one list holds (what [`envelope::MAX_REVOCATION_LIST_BYTES`] allows).
pub const MAX_REVOCATION_ENTRIES: usize = 2_000_000;

/// One cancelled challan, as a revocation list names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RevocationEntry([u8; REVOCATION_ENTRY_BYTES]);

impl RevocationEntry {
    pub fn of(challan_no: ChallanNo) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, challan_no.digits().as_bytes());
        let mut entry = [0u8; REVOCATION_ENTRY_BYTES];
        entry.copy_from_slice(&digest.as_ref()[..REVOCATION_ENTRY_BYTES]);
        Self(entry)
    }

    pub fn as_bytes(&self) -> &[u8; REVOCATION_ENTRY_BYTES] {
        &self.0
    }
}

/// A full revocation list or a delta, as signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationList {
    version: u64,
    since_version: u64,
    issued_at_s: i64,
    entries: Vec<RevocationEntry>,
}

impl RevocationList {
    /// Every entry up to `version` (versions start at 1).
    pub fn full(version: u64, issued_at_s: i64, entries: Vec<RevocationEntry>) -> Result<Self> {
        Self::delta(0, version, issued_at_s, entries)
    }

    /// The entries added after version `since_version` up to `version`.
    pub fn delta(since_version: u64, version: u64, issued_at_s: i64, mut entries: Vec<RevocationEntry>) -> Result<Self> {
        if since_version >= version || issued_at_s < 0 {
            return Err(SealError::invalid("revocation_list", "since must be below version and issued_at not before 1970"));
        }
        if entries.len() > MAX_REVOCATION_ENTRIES {
            return Err(SealError::invalid("revocation_list", format!("at most {MAX_REVOCATION_ENTRIES} entries")));
        }
        entries.sort_unstable();
        entries.dedup();
        Ok(Self { version, since_version, issued_at_s, entries })
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// 0 for a full list; otherwise the version this delta follows.
    pub fn since_version(&self) -> u64 {
        self.since_version
    }

    pub fn is_full(&self) -> bool {
        self.since_version == 0
    }

    pub fn issued_at_s(&self) -> i64 {
        self.issued_at_s
    }

    pub fn entries(&self) -> &[RevocationEntry] {
        &self.entries
    }

    /// The deterministic CBOR payload of this list.
    pub fn payload(&self) -> Result<Vec<u8>> {
        let entries = self.entries.iter().flat_map(|e| e.0).collect();
        cbor::encode(&cbor::int_map(vec![
            (1, version_value(self.version)?),
            (2, version_value(self.since_version)?),
            (3, cbor::uint_value(self.issued_at_s)),
            (4, ciborium::Value::Bytes(entries)),
        ]))
    }

    /// This list signed by `key` (which the trust list must name with usage `status`).
    pub fn sign(&self, key: &SigningKey) -> Result<Vec<u8>> {
        envelope::sign(Content::RevocationList, key, self.payload()?)
    }

    /// The list in `bytes` if a `status` key of `trust` signed it while valid.
    pub fn verify(bytes: &[u8], trust: &TrustList) -> Result<Self> {
        let opened = envelope::open(Content::RevocationList, bytes)?;
        let list = Self::decode(opened.payload())?;
        trust.signer(&opened, Usage::Status, list.issued_at_s)?;
        Ok(list)
    }

    fn decode(payload: &[u8]) -> Result<Self> {
        let mut fields = Fields::of(cbor::decode(payload)?, "unknown key in the revocation list")?;
        let version = version_of(&fields.required(1, "version is missing")?)?;
        let since = version_of(&fields.required(2, "since version is missing")?)?;
        let issued_at_s = cbor::uint(&fields.required(3, "issued_at is missing")?, "issued_at is not an integer")?;
        let bytes = cbor::bytes(fields.required(4, "entries are missing")?, "entries are not a byte string")?;
        fields.finish()?;
        if bytes.len() % REVOCATION_ENTRY_BYTES != 0 {
            return Err(SealError::Malformed("entries are not a whole number of 8-byte entries"));
        }
        let entries: Vec<RevocationEntry> =
            bytes.chunks_exact(REVOCATION_ENTRY_BYTES).filter_map(|c| <[u8; REVOCATION_ENTRY_BYTES]>::try_from(c).ok()).map(RevocationEntry).collect();
        if !entries.windows(2).all(|w| w[0] < w[1]) {
            return Err(SealError::Malformed("entries are not in ascending order without repeats"));
        }
        let list = Self::delta(since, version, issued_at_s, entries).map_err(|_| SealError::Malformed("the revocation list breaks a rule"))?;
        if list.payload()? != payload {
            return Err(SealError::Malformed("revocation list is not deterministically encoded"));
        }
        Ok(list)
    }
}

/// The cancelled challans a verifier knows of: a full list, then each delta in order.
#[derive(Debug, Clone, Default)]
pub struct RevocationSet {
    version: u64,
    entries: HashSet<RevocationEntry>,
}

impl RevocationSet {
    /// The empty set, version 0.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Applies a verified list: a full list newer than the set replaces it; a delta must
    /// start exactly at the set's version. The version already held is no change
    /// (`Ok(false)`); an older one is refused, and so is a delta after a gap.
    pub fn apply(&mut self, list: RevocationList) -> Result<bool> {
        if list.version < self.version {
            return Err(SealError::StaleVersion { held: self.version, offered: list.version });
        }
        if list.version == self.version {
            return Ok(false);
        }
        if list.is_full() {
            self.entries = list.entries.into_iter().collect();
        } else if list.since_version == self.version {
            self.entries.extend(list.entries);
        } else {
            return Err(SealError::VersionGap { held: self.version, since: list.since_version });
        }
        self.version = list.version;
        Ok(true)
    }

    pub fn contains(&self, challan_no: ChallanNo) -> bool {
        self.entries.contains(&RevocationEntry::of(challan_no))
    }
}

#[cfg(test)]
#[path = "revocation_tests.rs"]
mod tests;
