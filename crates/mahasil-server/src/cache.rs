//! Short-lived, bounded caches of what nearly every request reads: the session behind a
//! token and the reference data an issue needs (head with schedules, district). They cut
//! the database round trips of a request from four to one. The notification workers'
//! templates are held the same way.
//!
//! Staleness is bounded by the time-to-live: a change made on this node clears the cache
//! at once; a change made on another node is seen within the TTL.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mahasil_domain::authz::Principal;
use mahasil_domain::jurisdiction::Jurisdiction;
use mahasil_store::{HeadWithSchedules, SessionRecord};

/// How long a resolved session is trusted before it is read again.
pub const SESSION_TTL: Duration = Duration::from_secs(2);
/// How long reference data is trusted before it is read again.
pub const REFERENCE_TTL: Duration = Duration::from_secs(5);
/// Most sessions held; past it, stale entries are dropped, then everything.
pub const MAX_SESSIONS: usize = 10_000;
/// Most reference entries held.
pub const MAX_REFERENCE: usize = 4_096;

/// A map whose entries expire `ttl` after insertion and which never holds more than
/// `max_entries`.
pub struct TtlCache<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
    ttl: Duration,
    max_entries: usize,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Self { entries: Mutex::new(HashMap::new()), ttl, max_entries }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    pub fn insert(&self, key: K, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.max_entries {
                let ttl = self.ttl;
                entries.retain(|_, (at, _)| at.elapsed() < ttl);
                if entries.len() >= self.max_entries {
                    entries.clear();
                }
            }
            entries.insert(key, (Instant::now(), value));
        }
    }

    /// The fresh cached value of `key`, or what `fetch` reads (then cached).
    pub async fn get_or_fetch<E, Fut>(&self, key: K, fetch: impl FnOnce() -> Fut) -> Result<V, E>
    where
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(found) = self.get(&key) {
            return Ok(found);
        }
        let found = fetch().await?;
        self.insert(key, found.clone());
        Ok(found)
    }

    pub fn remove(&self, key: &K) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// The caches of one node.
pub struct Caches {
    /// Token SHA-256 → the live session and its principal.
    pub sessions: TtlCache<[u8; 32], (Principal, SessionRecord)>,
    /// Head code → the head with its schedules (or `None`: unknown).
    pub heads: TtlCache<String, Option<HeadWithSchedules>>,
    /// Jurisdiction slug → the jurisdiction (or `None`: unknown).
    pub places: TtlCache<String, Option<Jurisdiction>>,
    /// Bank mnemonic → the bank with its secret (or `None`: unknown). A switched-off bank
    /// or a new secret takes effect within the reference TTL.
    pub banks: TtlCache<String, Option<mahasil_store::BankRecord>>,
    /// The message templates in force (one entry): the workers read them for every batch
    /// they claim. A template saved on this node clears it.
    pub templates: TtlCache<(), std::sync::Arc<mahasil_notify::template::TemplateSet>>,
    /// The dashboard's forecasts, as the latest scan left them (`None` until the first).
    pub forecasts: std::sync::RwLock<Option<std::sync::Arc<crate::dashboard::forecasts::Snapshot>>>,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            sessions: TtlCache::new(SESSION_TTL, MAX_SESSIONS),
            heads: TtlCache::new(REFERENCE_TTL, MAX_REFERENCE),
            places: TtlCache::new(REFERENCE_TTL, MAX_REFERENCE),
            banks: TtlCache::new(REFERENCE_TTL, MAX_REFERENCE),
            templates: TtlCache::new(REFERENCE_TTL, 1),
            forecasts: std::sync::RwLock::new(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_stay_bounded() {
        let c: TtlCache<u32, u32> = TtlCache::new(Duration::from_millis(30), 3);
        c.insert(1, 10);
        assert_eq!(c.get(&1), Some(10));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(c.get(&1), None, "expired");
        for k in 0..10 {
            c.insert(k, k);
        }
        let held = c.entries.lock().map(|e| e.len()).unwrap_or(usize::MAX);
        assert!(held <= 3, "holds {held}");
        c.remove(&9);
        assert_eq!(c.get(&9), None);
    }
}
