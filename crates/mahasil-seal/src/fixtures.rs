//! Sample claims for the unit tests of this crate.

use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;

use crate::Result;
use crate::claims::{Claims, Document, PaymentChannel};
use crate::keys::{SigningKey, Usage};
use crate::short_text::ShortText;
use crate::trust_list::{KeyStatus, TrustList, TrustedKey};

/// 2026-01-01T00:00:00Z.
pub(crate) const JAN_2026_S: i64 = 1_767_225_600;

pub(crate) fn number(issuer: u32, counter: u32) -> Result<ChallanNo> {
    Ok(ChallanNo::new(IssuerNo::new(issuer)?, counter)?)
}

pub(crate) fn challan(issuer: u32, counter: u32) -> Result<Claims> {
    Ok(Claims {
        issuer: IssuerNo::new(issuer)?,
        issued_at_s: JAN_2026_S + 3_600,
        number: number(issuer, counter)?,
        heads: vec![HeadCode::parse("DA-ENC-01")?],
        amount_paisa: Paisa::new(2_500_000)?,
        district: Slug::parse("dera-ismail-khan")?,
        subject_id: Some(ShortText::parse("subject_id", "ABC-1234")?),
        document: Document::Challan {
            amount_after_due_paisa: Paisa::new(3_000_000)?,
            due_date_days: 20_468,
            officer: ShortText::parse("officer", "officer.peshawar")?,
        },
    })
}

pub(crate) fn receipt(issuer: u32, counter: u32, pays: ChallanNo) -> Result<Claims> {
    Ok(Claims {
        issuer: IssuerNo::new(issuer)?,
        issued_at_s: JAN_2026_S + 7_200,
        number: number(issuer, counter)?,
        heads: vec![HeadCode::parse("DA-ENC-01")?],
        amount_paisa: Paisa::new(2_500_000)?,
        district: Slug::parse("peshawar")?,
        subject_id: None,
        document: Document::Receipt {
            challan_no: pays,
            channel: PaymentChannel::Bank,
            payment_reference: ShortText::parse("payment_reference", "DEMO-BANK-000123")?,
            received_by: None,
        },
    })
}

/// When the retired key stopped signing, and when the compromised key was compromised.
pub(crate) const RETIRED_AT_S: i64 = JAN_2026_S + 86_400;
pub(crate) const COMPROMISED_AT_S: i64 = JAN_2026_S + 86_400;

/// A root key, a trust list it signed, the keys that list names, and one it does not.
pub(crate) struct World {
    pub root: SigningKey,
    pub challan: SigningKey,
    pub receipt: SigningKey,
    pub status: SigningKey,
    pub retired: SigningKey,
    pub compromised: SigningKey,
    pub unknown: SigningKey,
    pub trust: TrustList,
}

fn new_key() -> Result<SigningKey> {
    SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)
}

pub(crate) fn trusted(key: &SigningKey, issuer: u32, usage: Usage, status: KeyStatus) -> Result<TrustedKey> {
    let valid_until_s = if status == KeyStatus::Retired { Some(RETIRED_AT_S) } else { None };
    Ok(TrustedKey { public_key: key.public_key().clone(), issuer: IssuerNo::new(issuer)?, usage, valid_from_s: JAN_2026_S, valid_until_s, status })
}

pub(crate) fn world() -> Result<World> {
    let (root, challan, receipt, status) = (new_key()?, new_key()?, new_key()?, new_key()?);
    let (retired, compromised, unknown) = (new_key()?, new_key()?, new_key()?);
    let trust = TrustList::new(
        1,
        JAN_2026_S,
        vec![
            trusted(&challan, 100_001, Usage::Challan, KeyStatus::Active)?,
            trusted(&receipt, 100_001, Usage::Receipt, KeyStatus::Active)?,
            trusted(&status, 100_001, Usage::Status, KeyStatus::Active)?,
            trusted(&retired, 100_002, Usage::Challan, KeyStatus::Retired)?,
            trusted(&compromised, 100_003, Usage::Challan, KeyStatus::Compromised { at_s: COMPROMISED_AT_S })?,
        ],
    )?;
    Ok(World { root, challan, receipt, status, retired, compromised, unknown, trust })
}
