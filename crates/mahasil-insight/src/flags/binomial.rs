//! The upper tail of the binomial distribution, in logs so that the tiny probabilities of
//! strong leads neither underflow nor lose their order.

/// Lanczos coefficients (g = 7, n = 9): about 15 correct digits for x ≥ 0.5, more than the
/// decisions here need.
const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// Terms smaller than the running sum by this many nats (e^-40 ≈ 4e-18) no longer change it.
const NEGLIGIBLE_NATS: f64 = 40.0;

/// ln Γ(x) for x ≥ 0.5.
fn ln_gamma(x: f64) -> f64 {
    let x = x - 1.0;
    let mut series = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        series += c / (x + i as f64);
    }
    let t = x + LANCZOS_G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// ln C(n, k).
fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// ln(e^a + e^b) without overflow.
fn ln_add_exp(a: f64, b: f64) -> f64 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    if low == f64::NEG_INFINITY { high } else { high + (low - high).exp().ln_1p() }
}

/// ln P(X ≥ k) for X ~ Binomial(n, p). `p` is clamped into (0, 1): callers smooth their
/// rates so it never sits on the edge, and the clamp keeps the logs finite if one does.
pub(crate) fn ln_upper_tail(n: u64, k: u64, p: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    if k > n {
        return f64::NEG_INFINITY;
    }
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let ln_odds = p.ln() - (-p).ln_1p();
    let mode = ((n + 1) as f64 * p).floor();
    let mut term = ln_choose(n, k) + k as f64 * p.ln() + (n - k) as f64 * (-p).ln_1p();
    let mut sum = term;
    let mut j = k;
    while j < n {
        // pmf(j + 1) / pmf(j) = (n − j) / (j + 1) · p / (1 − p)
        term += ((n - j) as f64 / (j + 1) as f64).ln() + ln_odds;
        j += 1;
        sum = ln_add_exp(sum, term);
        if j as f64 > mode && term < sum - NEGLIGIBLE_NATS {
            break;
        }
    }
    sum.min(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(X ≥ k) by summing the probability mass directly, for small n.
    fn direct_tail(n: u64, k: u64, p: f64) -> f64 {
        (k..=n).map(|j| (ln_choose(n, j) + j as f64 * p.ln() + (n - j) as f64 * (1.0 - p).ln()).exp()).sum()
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut factorial = 1.0_f64;
        for n in 1..=20_u32 {
            factorial *= f64::from(n);
            assert!((ln_gamma(f64::from(n) + 1.0) - factorial.ln()).abs() < 1e-10, "{n}!");
        }
    }

    #[test]
    fn tails_match_known_values() {
        // Fair coin, 10 tosses, at least 8 heads: (45 + 10 + 1) / 1024.
        assert!((ln_upper_tail(10, 8, 0.5).exp() - 56.0 / 1024.0).abs() < 1e-12);
        // Binomial(20, 0.1), at least 5: 0.0431745 (R: pbinom(4, 20, 0.1, lower = FALSE)).
        assert!((ln_upper_tail(20, 5, 0.1).exp() - 0.043_174_5).abs() < 1e-6);
        assert_eq!(ln_upper_tail(20, 0, 0.1), 0.0);
        assert_eq!(ln_upper_tail(20, 21, 0.1), f64::NEG_INFINITY);
        // All 20 of 20 at p = 0.1 is 1e-20, which must not round to zero in logs.
        assert!((ln_upper_tail(20, 20, 0.1) - 20.0 * 0.1_f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn tails_agree_with_direct_summation_and_fall_as_k_rises() {
        for n in [1_u64, 7, 30, 200] {
            for p in [0.01, 0.02, 0.15, 0.5, 0.9] {
                let mut previous = 1.0;
                for k in 0..=n {
                    let tail = ln_upper_tail(n, k, p).exp();
                    let direct = direct_tail(n, k, p).min(1.0);
                    assert!((tail - direct).abs() <= 1e-9 + 1e-7 * direct, "n={n} k={k} p={p}: {tail} vs {direct}");
                    // Near 1 the sum is only as exact as its last bit.
                    assert!(tail <= previous + 1e-12, "n={n} k={k} p={p}: {tail} after {previous}");
                    previous = tail;
                }
            }
        }
    }

    #[test]
    fn large_counts_stay_finite_and_ordered() {
        let weak = ln_upper_tail(1_000_000, 21_000, 0.02);
        let strong = ln_upper_tail(1_000_000, 30_000, 0.02);
        assert!(weak.is_finite() && strong.is_finite());
        assert!(strong < weak && weak < 0.0);
    }
}
