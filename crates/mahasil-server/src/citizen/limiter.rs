//! Counting failures per key in a sliding window, in memory: what stops the look-up form
//! from being used to guess which CNIC or mobile digits go with which challan. Time is
//! passed in (Unix seconds), so the rules are tested without waiting.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// How many failure records are added between two sweeps of every key.
const SWEEP_EVERY: usize = 1024;

/// Failures per key within a window; a key at its limit is refused until its oldest
/// failure ages out. Memory is bounded: at most `max_keys` keys are tracked, old failures
/// are swept away as new ones come, and when every slot holds live failures a key not yet
/// tracked is refused (failing closed) rather than let through unlimited.
pub struct FailureLimiter {
    max_failures: usize,
    window_secs: i64,
    max_keys: usize,
    book: Mutex<Book>,
}

#[derive(Default)]
struct Book {
    /// Each key's failure times, oldest first, all within the window when last looked at.
    failures: HashMap<String, VecDeque<i64>>,
    added_since_sweep: usize,
}

impl Book {
    fn sweep(&mut self, cutoff: i64) {
        self.failures.retain(|_, times| {
            forget_before(times, cutoff);
            !times.is_empty()
        });
        self.added_since_sweep = 0;
    }
}

fn forget_before(times: &mut VecDeque<i64>, cutoff: i64) {
    while times.front().is_some_and(|t| *t <= cutoff) {
        times.pop_front();
    }
}

impl FailureLimiter {
    pub fn new(max_failures: usize, window_secs: i64, max_keys: usize) -> Self {
        Self { max_failures, window_secs, max_keys, book: Mutex::new(Book::default()) }
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        // Every change is a push or a pop: a panic elsewhere cannot leave the book torn.
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `Ok` if `key` may try now, else how many seconds until it may.
    pub fn check(&self, key: &str, now: i64) -> Result<(), i64> {
        let cutoff = now - self.window_secs;
        let mut book = self.book();
        if let Some(times) = book.failures.get_mut(key) {
            forget_before(times, cutoff);
            return match times.front() {
                Some(oldest) if times.len() >= self.max_failures => Err((oldest + self.window_secs - now).max(1)),
                _ => Ok(()),
            };
        }
        if book.failures.len() >= self.max_keys {
            book.sweep(cutoff);
            if book.failures.len() >= self.max_keys {
                return Err(self.window_secs);
            }
        }
        Ok(())
    }

    /// Counts a failure of `key` at `now`.
    pub fn record_failure(&self, key: &str, now: i64) {
        let cutoff = now - self.window_secs;
        let mut book = self.book();
        book.added_since_sweep += 1;
        if book.added_since_sweep >= SWEEP_EVERY || (!book.failures.contains_key(key) && book.failures.len() >= self.max_keys) {
            book.sweep(cutoff);
        }
        if !book.failures.contains_key(key) && book.failures.len() >= self.max_keys {
            return;
        }
        let times = book.failures.entry(key.to_string()).or_default();
        forget_before(times, cutoff);
        times.push_back(now);
        // More than the limit is never needed to refuse; keep memory per key bounded too.
        while times.len() > self.max_failures {
            times.pop_front();
        }
    }

    /// How many keys have failures on record (swept or not).
    pub fn tracked_keys(&self) -> usize {
        self.book().failures.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_at_its_limit_until_the_oldest_failure_ages_out() {
        let limiter = FailureLimiter::new(3, 100, 10);
        for t in [0, 10, 20] {
            assert_eq!(limiter.check("a", t), Ok(()));
            limiter.record_failure("a", t);
        }
        assert_eq!(limiter.check("a", 30), Err(70));
        assert_eq!(limiter.check("b", 30), Ok(()), "other keys are not affected");
        assert_eq!(limiter.check("a", 99), Err(1));
        assert_eq!(limiter.check("a", 100), Ok(()), "the failure at 0 is out of the window at 100");
        limiter.record_failure("a", 100);
        assert_eq!(limiter.check("a", 101), Err(9), "now the failure at 10 is the oldest");
    }

    #[test]
    fn failures_below_the_limit_never_refuse() {
        let limiter = FailureLimiter::new(5, 60, 10);
        for t in 0..1000 {
            assert_eq!(limiter.check("slow", t * 20), Ok(()), "one failure every 20 s is 3 per minute");
            limiter.record_failure("slow", t * 20);
        }
    }

    #[test]
    fn old_keys_are_swept_and_a_full_book_fails_closed() {
        let limiter = FailureLimiter::new(2, 100, 3);
        for key in ["a", "b", "c"] {
            limiter.record_failure(key, 0);
        }
        assert_eq!(limiter.tracked_keys(), 3);
        assert_eq!(limiter.check("d", 50), Err(100), "every slot holds a live failure: an unknown key waits");
        limiter.record_failure("d", 50);
        assert_eq!(limiter.tracked_keys(), 3, "and is not tracked past the bound");
        assert_eq!(limiter.check("a", 50), Ok(()), "tracked keys keep their own count");
        assert_eq!(limiter.check("d", 100), Ok(()), "once the old failures age out, a sweep frees the slots");
        assert_eq!(limiter.tracked_keys(), 0);
        limiter.record_failure("d", 100);
        assert_eq!(limiter.tracked_keys(), 1);
    }

    #[test]
    fn a_key_keeps_at_most_its_limit_of_failures() {
        let limiter = FailureLimiter::new(2, 1_000, 10);
        for t in 0..50 {
            limiter.record_failure("busy", t);
        }
        assert_eq!(limiter.book().failures.get("busy").map(VecDeque::len), Some(2));
        assert_eq!(limiter.check("busy", 60), Err(1_000 - 60 + 48));
    }

    #[test]
    fn sweeps_happen_as_failures_arrive() {
        let limiter = FailureLimiter::new(1, 10, 100_000);
        for i in 0..SWEEP_EVERY {
            limiter.record_failure(&format!("k{i}"), 0);
        }
        assert!(limiter.tracked_keys() <= SWEEP_EVERY);
        limiter.record_failure("late", 1_000);
        for i in 0..SWEEP_EVERY {
            limiter.record_failure("late", 1_000 + i as i64);
        }
        assert_eq!(limiter.tracked_keys(), 1, "the old keys went in a sweep");
    }
}
