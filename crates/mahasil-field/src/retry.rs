//! How often and how patiently a device tries again: a bounded number of attempts with
//! exponential backoff and full jitter, so many devices coming back online at once do not
//! knock on the server in step.

use std::time::Duration;

use rand::Rng;

/// Most attempts any policy may make.
pub const MAX_ATTEMPTS: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1, at most [`MAX_ATTEMPTS`]).
    pub attempts: u32,
    /// The ceiling of the first wait.
    pub base_delay_ms: u64,
    /// No wait is longer than this.
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 8, base_delay_ms: 200, max_delay_ms: 10_000 }
    }
}

impl RetryPolicy {
    /// Quick retries, for tests on loopback.
    pub fn quick(attempts: u32) -> Self {
        Self { attempts, base_delay_ms: 5, max_delay_ms: 100 }
    }

    /// Attempts to make, within bounds.
    pub fn attempts(&self) -> u32 {
        self.attempts.clamp(1, MAX_ATTEMPTS)
    }

    /// The wait after failed attempt `attempt` (0 for the first): uniformly random up to
    /// `base · 2^attempt`, capped at `max_delay_ms`.
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.base_delay_ms.saturating_mul(1_u64 << attempt.min(20)).min(self.max_delay_ms);
        Duration::from_millis(if ceiling == 0 { 0 } else { rng.gen_range(0..=ceiling) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn waits_grow_to_the_cap_and_stay_under_it() {
        let policy = RetryPolicy { attempts: 10, base_delay_ms: 100, max_delay_ms: 1_000 };
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 0..40 {
            let ceiling = (100_u64 << attempt.min(20)).min(1_000);
            for _ in 0..50 {
                assert!(policy.delay(attempt, &mut rng) <= Duration::from_millis(ceiling));
            }
        }
        let late: Vec<Duration> = (0..200).map(|_| policy.delay(30, &mut rng)).collect();
        assert!(late.iter().any(|d| *d > Duration::from_millis(500)), "jitter spreads over the whole range");
        assert_eq!(RetryPolicy { attempts: 0, ..policy }.attempts(), 1);
        assert_eq!(RetryPolicy { attempts: 1_000, ..policy }.attempts(), MAX_ATTEMPTS);
    }
}
