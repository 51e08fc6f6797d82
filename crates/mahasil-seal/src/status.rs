//! Status statements: the signed answer of `GET /api/v1/status/{challan_no}`, so a
//! verifier online can show a challan's live status with the same trust as its seal.
//!
//! Payload (CBOR, deterministic): `{1: challan_no (15 digits, text), 2: status (text:
//! issued | contested | paid | cancelled | waived), 3: receipt_no (15 digits, text; paid
//! challans only, when a receipt exists), 4: as_of (seconds since the Unix epoch)}`.
//! Signed by a key whose usage is `status` in the trust list, at `as_of`.

use ciborium::Value;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;

use crate::cbor::{self, Fields};
use crate::envelope::{self, Content};
use crate::keys::{SigningKey, Usage};
use crate::trust_list::TrustList;
use crate::{Result, SealError, cwt};

/// What the server says about one challan at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusStatement {
    pub challan_no: ChallanNo,
    pub status: ChallanStatus,
    /// The receipt of the payment; only a paid challan has one.
    pub receipt_no: Option<ChallanNo>,
    /// When the status was read, in seconds since the Unix epoch.
    pub as_of_s: i64,
}

impl StatusStatement {
    /// The deterministic CBOR payload of this statement.
    pub fn payload(&self) -> Result<Vec<u8>> {
        if self.receipt_no.is_some() && self.status != ChallanStatus::Paid {
            return Err(SealError::invalid("receipt_no", "only a paid challan has a receipt"));
        }
        if self.as_of_s < 0 {
            return Err(SealError::invalid("as_of_s", "must not be before 1970"));
        }
        let mut pairs = vec![(1, Value::Text(self.challan_no.digits())), (2, Value::Text(self.status.as_str().to_string()))];
        if let Some(receipt_no) = self.receipt_no {
            pairs.push((3, Value::Text(receipt_no.digits())));
        }
        pairs.push((4, cbor::uint_value(self.as_of_s)));
        cbor::encode(&cbor::int_map(pairs))
    }

    /// This statement signed by `key` (which the trust list must name with usage `status`).
    pub fn sign(&self, key: &SigningKey) -> Result<Vec<u8>> {
        envelope::sign(Content::Status, key, self.payload()?)
    }

    /// The statement in `bytes` if a `status` key of `trust` signed it while valid.
    pub fn verify(bytes: &[u8], trust: &TrustList) -> Result<Self> {
        let opened = envelope::open(Content::Status, bytes)?;
        let statement = Self::decode(opened.payload())?;
        trust.signer(&opened, Usage::Status, statement.as_of_s)?;
        Ok(statement)
    }

    fn decode(payload: &[u8]) -> Result<Self> {
        let mut fields = Fields::of(cbor::decode(payload)?, "unknown key in the status statement")?;
        let challan_no = cbor::text(fields.required(1, "challan_no is missing")?, "challan_no is not text")?;
        let challan_no = cwt::parse_number(&challan_no, "challan_no is not a valid number")?;
        let status = cbor::text(fields.required(2, "status is missing")?, "status is not text")?;
        let status = ChallanStatus::parse(&status).map_err(|_| SealError::Malformed("unknown status"))?;
        let receipt_no =
            fields.optional(3).map(|v| cwt::parse_number(&cbor::text(v, "receipt_no is not text")?, "receipt_no is not a valid number")).transpose()?;
        let as_of_s = cbor::uint(&fields.required(4, "as_of is missing")?, "as_of is not an integer")?;
        fields.finish()?;
        let statement = Self { challan_no, status, receipt_no, as_of_s };
        if statement.payload().ok().as_deref() != Some(payload) {
            return Err(SealError::Malformed("status statement is not exactly valid and deterministically encoded"));
        }
        Ok(statement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, JAN_2026_S};

    fn paid() -> Result<StatusStatement> {
        Ok(StatusStatement {
            challan_no: fixtures::number(100_001, 42)?,
            status: ChallanStatus::Paid,
            receipt_no: Some(fixtures::number(100_001, 43)?),
            as_of_s: JAN_2026_S + 5,
        })
    }

    #[test]
    fn signed_by_a_status_key_it_verifies() -> Result<()> {
        let world = fixtures::world()?;
        let statement = paid()?;
        assert_eq!(StatusStatement::verify(&statement.sign(&world.status)?, &world.trust)?, statement);
        assert!(matches!(StatusStatement::verify(&statement.sign(&world.challan)?, &world.trust), Err(SealError::KeyNotValidForUse(_))));
        assert_eq!(StatusStatement::verify(&statement.sign(&world.unknown)?, &world.trust), Err(SealError::UnknownKey));
        let mut bytes = statement.sign(&world.status)?;
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(StatusStatement::verify(&bytes, &world.trust), Err(SealError::InvalidSignature));
        let seal = world.challan.sign(&fixtures::challan(100_001, 42)?)?;
        assert!(matches!(StatusStatement::verify(&seal, &world.trust), Err(SealError::Malformed(_))));
        Ok(())
    }

    #[test]
    fn layout_and_rules() -> Result<()> {
        let payload = paid()?.payload()?;
        let mut start = vec![0xa4, 0x01, 0x6f];
        start.extend_from_slice(fixtures::number(100_001, 42)?.digits().as_bytes());
        start.extend_from_slice(&[0x02, 0x64]);
        start.extend_from_slice(b"paid");
        assert_eq!(payload[..start.len()], start[..]);
        assert_eq!(StatusStatement::decode(&payload)?, paid()?);

        let mut cancelled_with_receipt = paid()?;
        cancelled_with_receipt.status = ChallanStatus::Cancelled;
        assert!(cancelled_with_receipt.payload().is_err());
        let issued = StatusStatement { status: ChallanStatus::Issued, receipt_no: None, ..paid()? };
        assert_eq!(StatusStatement::decode(&issued.payload()?)?, issued);
        let overdue =
            cbor::encode(&cbor::int_map(vec![(1, Value::Text(issued.challan_no.digits())), (2, Value::Text("overdue".into())), (4, cbor::uint_value(1))]))?;
        assert!(matches!(StatusStatement::decode(&overdue), Err(SealError::Malformed(_))));
        Ok(())
    }
}
