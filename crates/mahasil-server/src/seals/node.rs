//! What a running node signs with: one key per usage (challan, receipt, status) that the
//! newest trust list names as active for this node's issuer number and whose private key
//! file is in the node's key directory. A node missing a key enrols a new one (which needs
//! the authority's private key). Keys are re-read when a newer trust list is published, so
//! a rotation or compromise made with `mahasil keys` reaches a running server within
//! [`REFRESH_SECS`].

use std::sync::{Arc, RwLock};
use std::time::Duration;

use jiff::Timestamp;
use mahasil_domain::challan_no::IssuerNo;
use mahasil_seal::{KeyStatus, PublicKey, SigningKey, StatusStatement, TrustedKey, Usage};
use mahasil_store::{Actor, ChallanRecord, ChallanSealer, Sealer, Store};

use super::trust::{self, Authority, KeyChange, StoredTrust, TrustBundle};
use super::{KeyDir, Result, SealsError};

/// How often a node looks for a newer trust list, in seconds.
pub const REFRESH_SECS: u64 = 5;

/// Every usage a server node signs for.
pub const NODE_USAGES: [Usage; 3] = [Usage::Challan, Usage::Receipt, Usage::Status];

/// The file name of a node key: its usage and kid.
/// How far back a device key's validity reaches before its enrolment: 30 days.
pub const DEVICE_CLOCK_ALLOWANCE_SECS: i64 = 30 * 86_400;

pub fn key_file_name(usage: Usage, key: &PublicKey) -> String {
    format!("{}-{}.pk8", usage.as_str(), key.kid())
}

/// The keys in use and the trust list they were chosen from.
pub struct Active {
    pub trust: StoredTrust,
    challan: SigningKey,
    receipt: SigningKey,
    status: SigningKey,
}

impl Active {
    pub fn key(&self, usage: Usage) -> &SigningKey {
        match usage {
            Usage::Challan => &self.challan,
            Usage::Receipt => &self.receipt,
            Usage::Status => &self.status,
        }
    }
}

/// A node's seals. Shared behind an `Arc`.
pub struct NodeSeals {
    store: Store,
    dir: KeyDir,
    issuer: IssuerNo,
    authority: Authority,
    /// Keys enrolled from now on are valid from this long before the moment of enrolment
    /// (0 in production; the demo back-dates its keys to cover its back-dated challans).
    backdate_secs: i64,
    active: RwLock<Arc<Active>>,
    /// The full revocation list last signed, and the status key it was signed with: every
    /// check page asks for it, and it changes only when a challan is cancelled.
    pub(super) full_revocations: std::sync::Mutex<Option<(mahasil_seal::Kid, super::revocations::SignedRevocations)>>,
}

impl NodeSeals {
    /// Loads (enrolling where missing) this node's keys. A new installation also creates
    /// its authority key and publishes the first trust list.
    pub async fn start(store: Store, dir: KeyDir, issuer: IssuerNo, backdate_secs: i64, now: Timestamp) -> Result<Arc<Self>> {
        let first = store.latest_trust_list().await?.is_none();
        let authority = Authority::load(&dir, first)?;
        let active = ensure(&store, &dir, &authority, issuer, backdate_secs, now).await?;
        Ok(Arc::new(Self {
            store,
            dir,
            issuer,
            authority,
            backdate_secs,
            active: RwLock::new(Arc::new(active)),
            full_revocations: std::sync::Mutex::new(None),
        }))
    }

    pub fn issuer(&self) -> IssuerNo {
        self.issuer
    }

    pub fn key_dir(&self) -> &KeyDir {
        &self.dir
    }

    pub fn authority(&self) -> &PublicKey {
        &self.authority.public
    }

    /// The keys in use now.
    pub fn active(&self) -> Arc<Active> {
        self.active.read().map(|a| Arc::clone(&a)).unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }

    /// The trust list as served to verifiers.
    pub fn bundle(&self) -> TrustBundle {
        trust::bundle(&self.active().trust, &self.authority.public)
    }

    /// A sealer for `Storage::issue_challan` that signs with this node's challan key.
    pub fn sealer(self: &Arc<Self>) -> Sealer {
        Arc::new(NodeSealer(Arc::clone(self)))
    }

    /// What signs receipts inside the payment's transaction.
    pub fn receipt_signer(self: &Arc<Self>) -> mahasil_store::ReceiptSigner {
        Arc::new(NodeSealer(Arc::clone(self)))
    }

    /// A signed statement of a challan's status now.
    pub fn sign_status(&self, statement: &StatusStatement) -> Result<Vec<u8>> {
        Ok(statement.sign(self.active().key(Usage::Status))?)
    }

    /// Re-reads the trust list; when a newer version was published (a rotation, a
    /// compromise, another node's enrolment), re-chooses this node's keys. `true` if so.
    pub async fn refresh(&self, now: Timestamp) -> Result<bool> {
        let stored = self.store.latest_trust_list().await?.map_or(0, |r| u64::from(r.version));
        if stored <= self.active().trust.version() {
            return Ok(false);
        }
        let active = ensure(&self.store, &self.dir, &self.authority, self.issuer, self.backdate_secs, now).await?;
        tracing::info!(version = active.trust.version(), "trust list changed; signing keys re-read");
        match self.active.write() {
            Ok(mut slot) => *slot = Arc::new(active),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(active),
        }
        Ok(true)
    }

    /// Refreshes every [`REFRESH_SECS`] until the process ends.
    pub fn spawn_refresher(self: &Arc<Self>) {
        let seals = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(REFRESH_SECS));
            loop {
                tick.tick().await;
                if let Err(e) = seals.refresh(Timestamp::now()).await {
                    tracing::error!(error = %e, "cannot refresh the trust list");
                }
            }
        });
    }

    /// Retires this node's keys of `usages` (they keep verifying what they signed until
    /// `now + grace_secs`, time for every running node to pick up their successors) and
    /// enrols new ones, in one new trust list version.
    pub async fn rotate(&self, usages: &[Usage], grace_secs: i64, actor: &Actor, now: Timestamp) -> Result<StoredTrust> {
        let current = self.active();
        let mut changes = Vec::new();
        let mut retired_files = Vec::new();
        for &usage in usages {
            let old = current.key(usage).public_key();
            changes.push(KeyChange::Retire { kid: old.kid(), until_s: now.as_second() + grace_secs });
            retired_files.push(key_file_name(usage, old));
            changes.push(self.enrol(usage, now)?);
        }
        let published = trust::publish(&self.store, &self.authority, &changes, actor, now).await?;
        for file in retired_files {
            self.dir.retire(&file)?;
        }
        self.refresh(now).await?;
        Ok(published)
    }

    /// Marks `kid` compromised from `at`. If it is one of this node's keys, its file is
    /// moved out of use and a successor is enrolled in the same version.
    pub async fn compromise(&self, kid: mahasil_seal::Kid, at: Timestamp, actor: &Actor, now: Timestamp) -> Result<StoredTrust> {
        let current = self.active();
        let mut changes = vec![KeyChange::Compromise { kid, at_s: at.as_second() }];
        let mut ours = None;
        for usage in NODE_USAGES {
            if current.key(usage).kid() == kid {
                ours = Some(key_file_name(usage, current.key(usage).public_key()));
                changes.push(self.enrol(usage, now)?);
            }
        }
        let published = trust::publish(&self.store, &self.authority, &changes, actor, now).await?;
        if let Some(file) = ours {
            self.dir.retire(&file)?;
        }
        self.refresh(now).await?;
        Ok(published)
    }

    /// Lists a field device's key (usage `challan`, its own issuer number) in a new trust
    /// list version. Its validity starts [`DEVICE_CLOCK_ALLOWANCE_SECS`] back, so a
    /// device whose clock runs behind still signs seals that verify (and are flagged).
    pub async fn enrol_device(&self, key: &PublicKey, issuer: IssuerNo, actor: &Actor, now: Timestamp) -> Result<StoredTrust> {
        let change =
            KeyChange::Enrol { public_key: key.clone(), issuer, usage: Usage::Challan, valid_from_s: (now.as_second() - DEVICE_CLOCK_ALLOWANCE_SECS).max(0) };
        let published = trust::publish(&self.store, &self.authority, &[change], actor, now).await?;
        self.refresh(now).await?;
        Ok(published)
    }

    /// A new key file for `usage` and the change that lists it.
    fn enrol(&self, usage: Usage, now: Timestamp) -> Result<KeyChange> {
        enrol(&self.dir, self.issuer, usage, now.as_second() - self.backdate_secs)
    }
}

fn enrol(dir: &KeyDir, issuer: IssuerNo, usage: Usage, valid_from_s: i64) -> Result<KeyChange> {
    let pkcs8 = SigningKey::generate_pkcs8()?;
    let key = SigningKey::from_pkcs8(&pkcs8)?;
    dir.create(&key_file_name(usage, key.public_key()), &pkcs8)?;
    tracing::info!(kid = %key.kid(), usage = usage.as_str(), %issuer, "created a signing key");
    Ok(KeyChange::Enrol { public_key: key.public_key().clone(), issuer, usage, valid_from_s: valid_from_s.max(0) })
}

/// Chooses this node's key for every usage from the newest trust list, enrolling (and
/// publishing) any that is missing.
async fn ensure(store: &Store, dir: &KeyDir, authority: &Authority, issuer: IssuerNo, backdate_secs: i64, now: Timestamp) -> Result<Active> {
    let mut trust = trust::load(store, &authority.public).await?;
    // A key file that cannot be used safely (readable by others, say) stops the node here,
    // before anything is enrolled: it must be dealt with, not quietly replaced.
    let mut missing = Vec::new();
    for usage in NODE_USAGES {
        if usable(trust.as_ref(), dir, issuer, usage, now)?.is_none() {
            missing.push(usage);
        }
    }
    if !missing.is_empty() {
        let changes = missing.iter().map(|&u| enrol(dir, issuer, u, now.as_second() - backdate_secs)).collect::<Result<Vec<_>>>()?;
        trust = Some(trust::publish(store, authority, &changes, &Actor::system(), now).await?);
    }
    let trust = trust.ok_or_else(|| SealsError::Refused("no trust list after enrolment".into()))?;
    let key = |usage| {
        usable(Some(&trust), dir, issuer, usage, now)?
            .ok_or_else(|| SealsError::Refused(format!("no usable {} key for issuer {issuer} in {}", usage.as_str(), dir.path().display())))
    };
    Ok(Active { challan: key(Usage::Challan)?, receipt: key(Usage::Receipt)?, status: key(Usage::Status)?, trust })
}

/// The newest active key of `issuer` for `usage` whose private key file is here.
fn usable(trust: Option<&StoredTrust>, dir: &KeyDir, issuer: IssuerNo, usage: Usage, now: Timestamp) -> Result<Option<SigningKey>> {
    let Some(trust) = trust else { return Ok(None) };
    let mut candidates: Vec<&TrustedKey> = trust
        .list
        .keys()
        .iter()
        .filter(|k| k.issuer == issuer && k.usage == usage && matches!(k.status, KeyStatus::Active))
        .filter(|k| k.valid_until_s.is_none_or(|until| until > now.as_second()))
        .collect();
    candidates.sort_by_key(|k| std::cmp::Reverse(k.valid_from_s));
    for listed in candidates {
        if let Some(pkcs8) = dir.read(&key_file_name(usage, &listed.public_key))? {
            let key = SigningKey::from_pkcs8(&pkcs8)?;
            if key.public_key() == &listed.public_key {
                return Ok(Some(key));
            }
        }
    }
    Ok(None)
}

struct NodeSealer(Arc<NodeSeals>);

impl mahasil_store::ReceiptSealer for NodeSealer {
    fn seal_receipt(&self, payment: &mahasil_store::PaymentRecord, challan: &ChallanRecord) -> std::result::Result<Vec<u8>, String> {
        let claims = super::claims::receipt_claims(payment, challan).map_err(|e| e.to_string())?;
        self.0.active().key(Usage::Receipt).sign(&claims).map_err(|e| e.to_string())
    }
}

impl ChallanSealer for NodeSealer {
    fn seal(&self, challan: &ChallanRecord) -> std::result::Result<Vec<u8>, String> {
        let claims = super::claims::challan_claims(challan).map_err(|e| e.to_string())?;
        self.0.active().key(Usage::Challan).sign(&claims).map_err(|e| e.to_string())
    }
}
