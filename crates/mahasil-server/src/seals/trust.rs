//! The authority and its trust list as this installation keeps them: the authority's key
//! in the key directory (its public half always, its private half only where the authority
//! signs), every version of the signed list in the database, and the changes a node or an
//! operator makes to it: enrolling new keys, retiring them, marking one compromised.

use base64::Engine;
use jiff::Timestamp;
use mahasil_domain::challan_no::IssuerNo;
use mahasil_seal::{KeyStatus, Kid, PublicKey, SigningKey, TrustList, TrustedKey, Usage};
use mahasil_store::{Actor, Store, StoreError, TrustListRecord};
pub use mahasil_sync::wire::TrustBundle;

use super::{KeyDir, Result, SealsError};

/// The authority's private key file (absent on nodes where the authority does not sign).
pub const AUTHORITY_KEY_FILE: &str = "authority.pk8";
/// The authority's public key (65-byte SEC1): every node needs it to trust the list.
pub const AUTHORITY_PUBLIC_FILE: &str = "authority.pub";

/// How many times a publication is retried when another node published first.
const PUBLISH_ATTEMPTS: usize = 5;

/// The authority as held here.
pub struct Authority {
    pub public: PublicKey,
    signing: Option<SigningKey>,
}

impl Authority {
    /// Loads the authority's keys from `dir`. With `create`, a new installation (one whose
    /// database holds no trust list yet) makes its own authority key.
    pub fn load(dir: &KeyDir, create: bool) -> Result<Self> {
        if let Some(pkcs8) = dir.read(AUTHORITY_KEY_FILE)? {
            let signing = SigningKey::from_pkcs8(&pkcs8)?;
            if dir.read(AUTHORITY_PUBLIC_FILE)?.is_none() {
                dir.create(AUTHORITY_PUBLIC_FILE, signing.public_key().sec1())?;
            }
            return Ok(Self { public: signing.public_key().clone(), signing: Some(signing) });
        }
        if let Some(sec1) = dir.read(AUTHORITY_PUBLIC_FILE)? {
            return Ok(Self { public: PublicKey::from_sec1(&sec1)?, signing: None });
        }
        if !create {
            return Err(SealsError::Refused(format!(
                "{} holds neither {AUTHORITY_KEY_FILE} nor {AUTHORITY_PUBLIC_FILE}, but this database already has a trust list: \
                 copy the authority's public key file here",
                dir.path().display()
            )));
        }
        let pkcs8 = SigningKey::generate_pkcs8()?;
        let signing = SigningKey::from_pkcs8(&pkcs8)?;
        dir.create(AUTHORITY_KEY_FILE, &pkcs8)?;
        dir.create(AUTHORITY_PUBLIC_FILE, signing.public_key().sec1())?;
        tracing::info!(kid = %signing.kid(), "created the authority root key");
        Ok(Self { public: signing.public_key().clone(), signing: Some(signing) })
    }

    fn signer(&self) -> Result<&SigningKey> {
        self.signing.as_ref().ok_or_else(|| {
            SealsError::Refused(format!("the trust list must change, but the authority's private key ({AUTHORITY_KEY_FILE}) is not in this key directory"))
        })
    }
}

/// A verified trust list and the signed bytes it came from.
#[derive(Debug, Clone)]
pub struct StoredTrust {
    pub list: TrustList,
    pub document: Vec<u8>,
}

impl StoredTrust {
    pub fn version(&self) -> u64 {
        self.list.version()
    }
}

/// The newest stored trust list, verified against the authority (`None` before the first).
pub async fn load(store: &Store, authority: &PublicKey) -> Result<Option<StoredTrust>> {
    let Some(record) = store.latest_trust_list().await? else { return Ok(None) };
    let list = TrustList::verify(&record.document, authority)
        .map_err(|e| SealsError::Refused(format!("stored trust list version {} does not verify with the authority key: {e}", record.version)))?;
    if list.version() != u64::from(record.version) {
        return Err(SealsError::Refused(format!("stored trust list row {} holds version {}", record.version, list.version())));
    }
    Ok(Some(StoredTrust { list, document: record.document }))
}

/// A change to the listed keys.
#[derive(Debug, Clone)]
pub enum KeyChange {
    /// A new key, active from `valid_from_s`.
    Enrol { public_key: PublicKey, issuer: IssuerNo, usage: Usage, valid_from_s: i64 },
    /// The key stops signing at `until_s`; what it signed until then still verifies.
    Retire { kid: Kid, until_s: i64 },
    /// The key's private half may be known to others from `at_s`: anything it signed from
    /// then on is revoked.
    Compromise { kid: Kid, at_s: i64 },
}

/// Applies `changes` to the newest list and publishes the next version, signed by the
/// authority. Another node publishing first is retried on top of its version.
pub async fn publish(store: &Store, authority: &Authority, changes: &[KeyChange], actor: &Actor, now: Timestamp) -> Result<StoredTrust> {
    let signer = authority.signer()?;
    for _ in 0..PUBLISH_ATTEMPTS {
        let current = load(store, &authority.public).await?;
        let (version, mut keys) = current.map_or((0, Vec::new()), |t| (t.version(), t.list.keys().to_vec()));
        for change in changes {
            apply(&mut keys, change)?;
        }
        let list = TrustList::new(version + 1, now.as_second(), keys)?;
        let document = list.sign(signer)?;
        let version_u32 = u32::try_from(list.version()).map_err(|_| SealsError::Refused("the trust list has run out of versions".into()))?;
        let record = TrustListRecord { version: version_u32, document: document.clone(), created_at: now };
        match store.put_trust_list(&record, actor).await {
            Ok(()) => return Ok(StoredTrust { list, document }),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(SealsError::Refused(format!("the trust list kept changing underneath; gave up after {PUBLISH_ATTEMPTS} attempts")))
}

fn apply(keys: &mut Vec<TrustedKey>, change: &KeyChange) -> Result<()> {
    let find = |keys: &mut Vec<TrustedKey>, kid: Kid| -> Result<usize> {
        keys.iter().position(|k| k.kid() == kid).ok_or_else(|| SealsError::Refused(format!("key {kid} is not in the trust list")))
    };
    match change {
        KeyChange::Enrol { public_key, issuer, usage, valid_from_s } => keys.push(TrustedKey {
            public_key: public_key.clone(),
            issuer: *issuer,
            usage: *usage,
            valid_from_s: *valid_from_s,
            valid_until_s: None,
            status: KeyStatus::Active,
        }),
        KeyChange::Retire { kid, until_s } => {
            let i = find(keys, *kid)?;
            let key = &mut keys[i];
            if !matches!(key.status, KeyStatus::Active) {
                return Err(SealsError::Refused(format!("key {kid} is already {}", key.status.as_str())));
            }
            key.status = KeyStatus::Retired;
            key.valid_until_s = Some((*until_s).max(key.valid_from_s));
        }
        KeyChange::Compromise { kid, at_s } => {
            let i = find(keys, *kid)?;
            let key = &mut keys[i];
            if let KeyStatus::Compromised { at_s: earlier } = key.status
                && earlier <= *at_s
            {
                return Err(SealsError::Refused(format!("key {kid} is already compromised from an earlier time")));
            }
            key.status = KeyStatus::Compromised { at_s: (*at_s).max(0) };
        }
    }
    Ok(())
}

/// The trust list as served to verifiers and devices: the signed document with the
/// authority key that verifies it (`GET /api/v1/trust-list`).
pub fn bundle(trust: &StoredTrust, authority: &PublicKey) -> TrustBundle {
    TrustBundle {
        version: trust.version(),
        authority_kid: authority.kid().to_string(),
        authority_public_key: hex::encode(authority.sec1()),
        document: base64::engine::general_purpose::STANDARD.encode(&trust.document),
    }
}

/// A kid typed by a person: 16 hex digits.
pub fn parse_kid(text: &str) -> Result<Vec<u8>> {
    let bytes = hex::decode(text.trim()).map_err(|_| SealsError::Refused(format!("{text:?} is not a kid (16 hex digits)")))?;
    if bytes.len() != 8 {
        return Err(SealsError::Refused(format!("{text:?} is not a kid (16 hex digits)")));
    }
    Ok(bytes)
}
