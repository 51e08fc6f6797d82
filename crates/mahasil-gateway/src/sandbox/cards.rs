//! The sandbox's test cards: the card number a payer types decides what happens, as on the
//! test modes of real gateways. No other number is accepted, so a typo decides nothing.
//! The failure reasons here are the `failure_reason` values the merchant API reports.

/// What the card network answers for a sandbox card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOutcome {
    /// Approved (unless `--fail-rate` declines it at random).
    Approve,
    /// Declined, for this reason.
    Decline(&'static str),
    /// The issuer does not answer in time, so the payment fails with this reason; its
    /// approval arrives `--late-success-ms` later and the payment succeeds after all.
    FailThenSucceed(&'static str),
}

/// A sandbox card: its number, a label for the hosted page, and its outcome.
pub struct SandboxCard {
    pub number: &'static str,
    pub label: &'static str,
    pub outcome: CardOutcome,
}

/// Why a payment the payer cancelled on the hosted page failed.
pub const CANCELLED_REASON: &str = "cancelled by payer";

/// Why the random decline of `--fail-rate` says it declined.
pub const RANDOM_DECLINE_REASON: &str = "declined by the issuer";

/// Every card number the sandbox knows.
pub const SANDBOX_CARDS: [SandboxCard; 4] = [
    SandboxCard { number: "4242424242424242", label: "succeeds", outcome: CardOutcome::Approve },
    SandboxCard { number: "4000000000000002", label: "declined", outcome: CardOutcome::Decline("card declined") },
    SandboxCard { number: "4000000000009995", label: "insufficient funds", outcome: CardOutcome::Decline("insufficient funds") },
    SandboxCard { number: "4000000000000259", label: "fails, then succeeds late", outcome: CardOutcome::FailThenSucceed("the issuer did not answer in time") },
];

/// The outcome for what the payer typed (spaces and dashes between digits are ignored),
/// or `None` if it is not a sandbox card.
pub fn outcome(typed: &str) -> Option<CardOutcome> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    SANDBOX_CARDS.iter().find(|card| card.number == digits).map(|card| card.outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_cards_decide_and_others_are_unknown() {
        assert_eq!(outcome("4242 4242 4242 4242"), Some(CardOutcome::Approve));
        assert_eq!(outcome("4000-0000-0000-0002"), Some(CardOutcome::Decline("card declined")));
        assert_eq!(outcome("4000000000009995"), Some(CardOutcome::Decline("insufficient funds")));
        assert!(matches!(outcome("4000000000000259"), Some(CardOutcome::FailThenSucceed(_))));
        assert_eq!(outcome("4242424242424241"), None);
        assert_eq!(outcome(""), None);
    }

    #[test]
    fn every_sandbox_card_number_passes_the_luhn_check_like_a_real_card() {
        for card in &SANDBOX_CARDS {
            let sum: u32 = card
                .number
                .chars()
                .rev()
                .filter_map(|c| c.to_digit(10))
                .enumerate()
                .map(|(i, d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
                .sum();
            assert_eq!(sum % 10, 0, "{}", card.number);
        }
    }
}
