//! The `k` that opens a citizen's own pages: `{expires}.{mac}`, where `expires` is Unix
//! seconds and `mac` the first 16 bytes, in hex, of HMAC-SHA256 over the purpose, the
//! number's 15 digits and `expires`, under a key this node draws at random when it first
//! needs one. Only a look-up that proved the last 4 digits (or the payer's return from
//! the gateway) is given one, so pages cannot be opened by walking through numbers.

use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long a link stays good, in seconds.
pub const LINK_LIFETIME_SECS: i64 = 30 * 60;
/// Bytes of the MAC kept in a link: 128 bits.
const MAC_BYTES: usize = 16;
/// Longest `k` read; anything longer is not one of ours.
const MAX_TOKEN_CHARS: usize = 64;

/// What a link opens; a link for one never opens the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A challan's page and its forms, keyed on the challan number.
    Challan,
    /// A receipt's PDF, keyed on the receipt number.
    Receipt,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::Challan => b"mahasil citizen challan page",
            Self::Receipt => b"mahasil citizen receipt",
        }
    }
}

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkProblem {
    /// No `k`, or not of our shape, or not signed by this node for this number.
    Invalid,
    /// Genuine, but its time is up.
    Expired,
}

/// A key links are signed with.
pub(crate) struct LinkKey([u8; 32]);

static NODE_KEY: OnceLock<LinkKey> = OnceLock::new();

/// Makes every node that is given the same secret sign and check links with the same key,
/// so a link made on one node opens on any other behind the same load balancer. Call it
/// once, before serving; `false` if this node had already drawn or been given a key.
pub fn share_link_secret(secret: &str) -> bool {
    NODE_KEY.set(LinkKey::from_secret(secret)).is_ok()
}

impl LinkKey {
    /// The key every node derives from a shared secret.
    pub(crate) fn from_secret(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    /// This node's key: the shared one if [`share_link_secret`] was called, else drawn from
    /// the operating system on first use.
    pub(crate) fn node() -> &'static Self {
        NODE_KEY.get_or_init(|| {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            Self(key)
        })
    }

    fn mac(&self, purpose: Purpose, no: ChallanNo, expires: i64) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).ok()?;
        mac.update(purpose.label());
        mac.update(b"\n");
        mac.update(no.digits().as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        Some(mac)
    }

    /// A link for `no` that stops working at `expires` (Unix seconds).
    pub(crate) fn mint(&self, purpose: Purpose, no: ChallanNo, expires: i64) -> String {
        let tag = self.mac(purpose, no, expires).map(|m| m.finalize().into_bytes()).map(|b| hex::encode(&b[..MAC_BYTES])).unwrap_or_default();
        format!("{expires}.{tag}")
    }

    /// Whether `token` opens `purpose` of `no` at `now`. The MAC is checked (in constant
    /// time) before the expiry, so a forged link is never told apart from an old one.
    pub(crate) fn check(&self, purpose: Purpose, no: ChallanNo, token: &str, now: Timestamp) -> Result<(), LinkProblem> {
        if token.len() > MAX_TOKEN_CHARS {
            return Err(LinkProblem::Invalid);
        }
        let (expires_text, tag_hex) = token.split_once('.').ok_or(LinkProblem::Invalid)?;
        if expires_text.is_empty() || !expires_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LinkProblem::Invalid);
        }
        let expires: i64 = expires_text.parse().map_err(|_| LinkProblem::Invalid)?;
        let tag = hex::decode(tag_hex).map_err(|_| LinkProblem::Invalid)?;
        if tag.len() != MAC_BYTES {
            return Err(LinkProblem::Invalid);
        }
        let mac = self.mac(purpose, no, expires).ok_or(LinkProblem::Invalid)?;
        mac.verify_truncated_left(&tag).map_err(|_| LinkProblem::Invalid)?;
        if now.as_second() >= expires { Err(LinkProblem::Expired) } else { Ok(()) }
    }
}

/// A fresh `k` for `purpose` of `no`, good for [`LINK_LIFETIME_SECS`] from `now`.
pub(crate) fn mint(purpose: Purpose, no: ChallanNo, now: Timestamp) -> String {
    LinkKey::node().mint(purpose, no, now.as_second() + LINK_LIFETIME_SECS)
}

/// Checks `k` with this node's key.
pub(crate) fn check(purpose: Purpose, no: ChallanNo, token: &str, now: Timestamp) -> Result<(), LinkProblem> {
    LinkKey::node().check(purpose, no, token, now)
}

/// The path of a challan's citizen page with a link made at `now`: what a look-up
/// answers with, and what a message to the offender may carry.
pub fn pay_path(no: ChallanNo, now: Timestamp) -> String {
    format!("/pay/{}?k={}", no.digits(), mint(Purpose::Challan, no, now))
}

/// The path of a receipt's PDF with a link made at `now`.
pub(crate) fn receipt_path(receipt_no: ChallanNo, now: Timestamp) -> String {
    format!("/pay/receipt/{}.pdf?k={}", receipt_no.digits(), mint(Purpose::Receipt, receipt_no, now))
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "a test fails loudly")]

    use mahasil_domain::challan_no::IssuerNo;

    use super::*;

    fn no(counter: u32) -> ChallanNo {
        ChallanNo::new(IssuerNo::new(100_001).unwrap(), counter).unwrap()
    }

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    #[test]
    fn a_link_opens_its_own_page_until_it_expires() {
        let key = LinkKey([7; 32]);
        let k = key.mint(Purpose::Challan, no(1), 1_000);
        assert_eq!(key.check(Purpose::Challan, no(1), &k, at(999)), Ok(()));
        assert_eq!(key.check(Purpose::Challan, no(1), &k, at(1_000)), Err(LinkProblem::Expired));
        assert_eq!(key.check(Purpose::Challan, no(2), &k, at(0)), Err(LinkProblem::Invalid));
        assert_eq!(key.check(Purpose::Receipt, no(1), &k, at(0)), Err(LinkProblem::Invalid));
        assert_eq!(LinkKey([8; 32]).check(Purpose::Challan, no(1), &k, at(0)), Err(LinkProblem::Invalid));
    }

    #[test]
    fn a_changed_expiry_or_odd_shape_is_refused() {
        let key = LinkKey([7; 32]);
        let k = key.mint(Purpose::Challan, no(1), 1_000);
        let (_, tag) = k.split_once('.').unwrap();
        let later = format!("2000.{tag}");
        let truncated = &k[..k.len() - 2];
        let long = format!("{k}{}", "0".repeat(64));
        for bad in ["", "1000", ".", "1000.", "x.00", "-5.00", later.as_str(), truncated, long.as_str(), "1000.zz"] {
            assert_eq!(key.check(Purpose::Challan, no(1), bad, at(0)), Err(LinkProblem::Invalid), "{bad:?}");
        }
        // An old forged link is "invalid", not "expired": nothing is learnt from it.
        assert_eq!(key.check(Purpose::Challan, no(1), &later.replace("2000", "10"), at(500)), Err(LinkProblem::Invalid));
    }

    #[test]
    fn paths_carry_a_link_the_node_accepts() {
        let now = at(1_750_000_000);
        let path = pay_path(no(3), now);
        let k = path.split_once("?k=").unwrap().1;
        assert!(path.starts_with(&format!("/pay/{}?k=", no(3).digits())));
        assert_eq!(check(Purpose::Challan, no(3), k, now), Ok(()));
        assert_eq!(check(Purpose::Challan, no(3), k, at(now.as_second() + LINK_LIFETIME_SECS)), Err(LinkProblem::Expired));
    }

    #[test]
    fn nodes_given_the_same_secret_open_each_others_links() {
        let (a, b) = (LinkKey::from_secret("a shared secret of the province"), LinkKey::from_secret("a shared secret of the province"));
        let k = a.mint(Purpose::Challan, no(3), at(1_800).as_second());
        assert_eq!(b.check(Purpose::Challan, no(3), &k, at(0)), Ok(()));
        let other = LinkKey::from_secret("another secret");
        assert_eq!(other.check(Purpose::Challan, no(3), &k, at(0)), Err(LinkProblem::Invalid));
    }
}
