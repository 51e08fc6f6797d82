//! A device's local state and what changes it: issuing offline, and applying the answers
//! of pulls and pushes. Every change is one atomic save of the whole state (see [`file`]);
//! a change whose save fails is undone in memory too, so memory never runs ahead of disk.

pub mod file;

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::challan::{Location, Offender};
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::{FeeSchedule, HeadCode};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_seal::SigningKey;
use mahasil_sync::challan::Reference;
use mahasil_sync::device::{Chain, Draft, IssuedOffline};
use mahasil_sync::wire::{Certificate, DeviceState, Enrolled, OfficerState, Op, OpStatus, PullAnswer, PushAnswer, SignedRevocations, TrustBundle};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::{Clock, server_offset_s};
use crate::{FieldError, Result};

/// The version of the state file's shape.
pub const STATE_FORMAT: u32 = 1;

/// Where numbering and the hash chain stand, as saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChainState {
    pub last_counter: u32,
    /// Hex of the last op's hash.
    #[serde(with = "hex_hash")]
    pub head: Option<[u8; 32]>,
}

mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(hash) => s.serialize_some(&hex::encode(hash)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 32]>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else { return Ok(None) };
        let bytes = hex::decode(&text).map_err(serde::de::Error::custom)?;
        <[u8; 32]>::try_from(bytes).map(Some).map_err(|_| serde::de::Error::custom("a hash is 32 bytes"))
    }
}

impl From<ChainState> for Chain {
    fn from(c: ChainState) -> Self {
        Self { last_counter: c.last_counter, head: c.head }
    }
}

impl From<Chain> for ChainState {
    fn from(c: Chain) -> Self {
        Self { last_counter: c.last_counter, head: c.head }
    }
}

/// A challan this device issued, kept to show and print again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedChallan {
    pub id: Uuid,
    pub op_id: Uuid,
    pub challan_no: String,
    pub head_code: String,
    pub amount_paisa: i64,
    /// By the device's clock.
    pub issued_at: Timestamp,
    /// Base64url of the COSE seal (the QR code's content).
    pub seal: String,
}

/// An op the server answered `accepted` or `duplicate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledged {
    pub op_id: Uuid,
    pub challan_no: Option<String>,
    pub status: OpStatus,
}

/// An op the server rejected: shown to the officer, never sent again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub op_id: Uuid,
    pub challan_no: Option<String>,
    pub reason: String,
}

/// What the last applied pull said.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Pulled {
    pub cursor: Option<String>,
    /// The server's time in the answer.
    pub server_time: Option<Timestamp>,
    pub max_age_hours: u32,
    pub device: Option<DeviceState>,
    pub officer: Option<OfficerState>,
    pub reference: Option<Reference>,
    /// When the reference data last changed, by the server's clock.
    pub reference_at: Option<Timestamp>,
    pub trust_list: Option<TrustBundle>,
    /// The last full revocation list and the deltas after it, in order.
    pub revocations: Vec<SignedRevocations>,
}

/// What the server last said about this device's counters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Received {
    pub last_counter_received: u32,
    pub gaps: Vec<(u32, u32)>,
}

/// Everything a device keeps, as saved in its state file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceData {
    pub format: u32,
    pub device_id: Uuid,
    pub issuer_no: u32,
    /// Hex of the key's kid.
    pub kid: String,
    /// The officer's username.
    pub officer: String,
    pub label: String,
    pub enrolled_at: Timestamp,
    /// Standard Base64 of the key's PKCS#8 document.
    pub key_pkcs8: String,
    pub certificate: Certificate,
    pub chain: ChainState,
    pub issued: Vec<IssuedChallan>,
    /// Ops not yet answered, oldest first.
    pub outbox: Vec<Op>,
    pub acknowledged: Vec<Acknowledged>,
    pub rejected: Vec<Rejected>,
    pub pulled: Pulled,
    pub received: Received,
    /// The server's clock minus this device's, in seconds, from the last answer.
    pub server_offset_s: i64,
}

/// A challan as the officer fills it in; the device adds the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub head_code: HeadCode,
    /// Only for heads whose schedule in force is a range.
    pub amount: Option<Paisa>,
    pub district: Slug,
    pub offender: Offender,
    pub location: Location,
}

/// What one applied push answer changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PushTally {
    pub accepted: usize,
    pub duplicate: usize,
    pub rejected: usize,
}

/// A device: its state, its key, where its state is saved, and its clock.
#[derive(Debug)]
pub struct Device {
    data: DeviceData,
    key: SigningKey,
    path: PathBuf,
    clock: Clock,
}

fn key_of(data: &DeviceData) -> Result<SigningKey> {
    let pkcs8 = STANDARD.decode(&data.key_pkcs8).map_err(|_| FieldError::State { path: String::new(), reason: "key_pkcs8 is not Base64".into() })?;
    Ok(SigningKey::from_pkcs8(&pkcs8)?)
}

impl Device {
    /// A device just enrolled with the key `key_pkcs8`, saved to `path` before it is
    /// returned.
    pub fn create(path: &Path, enrolled: &Enrolled, label: &str, key_pkcs8: &[u8], clock: Clock) -> Result<Self> {
        let data = DeviceData {
            format: STATE_FORMAT,
            device_id: enrolled.device_id,
            issuer_no: enrolled.issuer_no,
            kid: enrolled.kid.clone(),
            officer: enrolled.officer.clone(),
            label: label.to_string(),
            enrolled_at: enrolled.enrolled_at,
            key_pkcs8: STANDARD.encode(key_pkcs8),
            certificate: enrolled.certificate.clone(),
            chain: ChainState::default(),
            issued: Vec::new(),
            outbox: Vec::new(),
            acknowledged: Vec::new(),
            rejected: Vec::new(),
            pulled: Pulled::default(),
            received: Received::default(),
            server_offset_s: 0,
        };
        let key = key_of(&data)?;
        let device = Self { data, key, path: path.to_path_buf(), clock };
        device.save()?;
        Ok(device)
    }

    /// The device saved at `path`, running on `clock`.
    pub fn load(path: &Path, clock: Clock) -> Result<Self> {
        let data: DeviceData = file::load(path)?;
        if data.format != STATE_FORMAT {
            return Err(FieldError::State { path: path.display().to_string(), reason: format!("format {} is not {STATE_FORMAT}", data.format) });
        }
        let key = key_of(&data).map_err(|e| FieldError::State { path: path.display().to_string(), reason: e.to_string() })?;
        Ok(Self { data, key, path: path.to_path_buf(), clock })
    }

    pub fn data(&self) -> &DeviceData {
        &self.data
    }

    pub fn id(&self) -> Uuid {
        self.data.device_id
    }

    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn issuer(&self) -> Result<IssuerNo> {
        IssuerNo::new(self.data.issuer_no).map_err(|e| FieldError::State { path: self.path.display().to_string(), reason: e.to_string() })
    }

    /// The server's clock as this device estimates it: what signed requests carry.
    pub fn server_now(&self) -> Timestamp {
        let now = self.clock.now();
        now.checked_add(SignedDuration::from_secs(self.data.server_offset_s)).unwrap_or(now)
    }

    /// Corrects the server clock estimate from an answer's `Date` header (kept in memory,
    /// saved with the next change: an estimate lost to a crash is made again).
    pub fn note_server_date(&mut self, date_header: Option<&str>) {
        if let Some(offset) = server_offset_s(date_header, self.clock.now()) {
            self.data.server_offset_s = offset;
        }
    }

    /// Every fee schedule of the cached reference data.
    pub fn schedules(&self) -> Vec<FeeSchedule> {
        self.data.pulled.reference.iter().flat_map(|r| r.heads.iter().flat_map(|h| h.schedules.iter().cloned())).collect()
    }

    /// Whether the reference data is older than the server allows at `now` (server clock),
    /// or missing: the officer is warned.
    pub fn reference_is_stale(&self, now: Timestamp) -> bool {
        match (self.data.pulled.reference.as_ref(), self.data.pulled.reference_at) {
            (Some(_), Some(at)) => now.duration_since(at) > SignedDuration::from_hours(i64::from(self.data.pulled.max_age_hours)),
            _ => true,
        }
    }

    /// Saves the whole state now.
    pub fn save(&self) -> Result<()> {
        file::save(&self.path, &self.data)
    }

    /// Changes the state with `change` and saves it; if either fails, the state is as it
    /// was.
    fn transact<T>(&mut self, change: impl FnOnce(&mut DeviceData) -> Result<T>) -> Result<T> {
        let before = self.data.clone();
        let outcome = change(&mut self.data).and_then(|value| self.save().map(|()| value));
        if outcome.is_err() {
            self.data = before;
        }
        outcome
    }

    /// Issues a challan offline from `form` at the device clock's time: numbered, sealed,
    /// chained, and saved with its outbox entry in one atomic save before it is returned
    /// (only then may it be shown or printed).
    pub fn issue(&mut self, form: &Form) -> Result<IssuedOffline> {
        if self.data.pulled.reference.is_none() {
            return Err(FieldError::CannotIssue("no reference data yet: pull first".into()));
        }
        let draft = Draft {
            id: Uuid::now_v7(),
            head_code: form.head_code.clone(),
            requested_amount: form.amount,
            district: form.district.clone(),
            officer: self.data.officer.clone(),
            offender: form.offender.clone(),
            location: form.location.clone(),
            issued_at: self.clock.now(),
        };
        let issued = mahasil_sync::device::issue(&self.key, self.issuer()?, self.data.chain.into(), &self.schedules(), &draft, Uuid::now_v7())?;
        self.transact(|data| {
            data.chain = issued.chain.into();
            data.issued.push(IssuedChallan {
                id: issued.payload.id,
                op_id: issued.op.op_id,
                challan_no: issued.payload.challan_no.clone(),
                head_code: issued.payload.head_code.clone(),
                amount_paisa: issued.payload.amount_paisa,
                issued_at: issued.payload.issued_at,
                seal: issued.payload.seal.clone(),
            });
            data.outbox.push(issued.op.clone());
            Ok(())
        })?;
        Ok(issued)
    }

    /// Applies a whole pull answer and its cursor in one save, or nothing.
    pub fn apply_pull(&mut self, answer: PullAnswer) -> Result<()> {
        self.transact(|data| {
            let pulled = &mut data.pulled;
            pulled.cursor = Some(answer.cursor);
            pulled.server_time = Some(answer.server_time);
            pulled.max_age_hours = answer.max_age_hours;
            pulled.device = Some(answer.device);
            pulled.officer = Some(answer.officer);
            if let Some(reference) = answer.reference {
                pulled.reference = Some(reference);
            }
            // Unchanged reference data is as fresh as this answer says.
            if pulled.reference.is_some() {
                pulled.reference_at = Some(answer.server_time);
            }
            if let Some(trust_list) = answer.trust_list {
                pulled.trust_list = Some(trust_list);
            }
            if let Some(revocations) = answer.revocations.filter(|r| r.document.is_some()) {
                if revocations.since_version == 0 {
                    pulled.revocations.clear();
                }
                pulled.revocations.push(revocations);
            }
            Ok(())
        })
    }

    /// Applies the answer to a push of the ops `sent`: each op answered leaves the outbox
    /// (rejected ones for the rejected list); ops not answered stay to be sent again.
    pub fn apply_push(&mut self, sent: &[Uuid], answer: &PushAnswer) -> Result<PushTally> {
        self.transact(|data| {
            let mut tally = PushTally::default();
            for result in answer.results.iter().filter(|r| sent.contains(&r.op_id)) {
                let Some(at) = data.outbox.iter().position(|op| op.op_id == result.op_id) else { continue };
                data.outbox.remove(at);
                let challan_no = result.challan_no.clone().or_else(|| data.issued.iter().find(|c| c.op_id == result.op_id).map(|c| c.challan_no.clone()));
                match result.status {
                    OpStatus::Accepted | OpStatus::Duplicate => {
                        if result.status == OpStatus::Accepted {
                            tally.accepted += 1;
                        } else {
                            tally.duplicate += 1;
                        }
                        data.acknowledged.push(Acknowledged { op_id: result.op_id, challan_no, status: result.status });
                    }
                    OpStatus::Rejected => {
                        tally.rejected += 1;
                        let reason = result.reason.clone().unwrap_or_else(|| "no reason given".into());
                        data.rejected.push(Rejected { op_id: result.op_id, challan_no, reason });
                    }
                }
            }
            data.received = Received { last_counter_received: answer.last_counter_received, gaps: answer.gaps.clone() };
            Ok(tally)
        })
    }

    /// Marks the device revoked, as the server said.
    pub fn note_revoked(&mut self) -> Result<()> {
        self.transact(|data| {
            if let Some(device) = data.pulled.device.as_mut() {
                device.status = "revoked".into();
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
