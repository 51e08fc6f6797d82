//! Banks that collect bills through the bank API: register one (its mnemonic, name and
//! request-signing secret), rename it, switch it off or on, give it a new secret. Banks
//! serve the whole province, so only an administrator of the whole province manages them.
//! A secret left blank is generated; either way it is shown once, to the administrator
//! who set it, and never again.

use jiff::Timestamp;
use mahasil_domain::DomainError;
use mahasil_domain::authz::{Action, Principal, Scope};
use mahasil_domain::bank::BankSecret;
use mahasil_domain::jurisdiction::Slug;
use mahasil_store::{Actor, BankRecord};
use rand::Rng;
use rand::distributions::Alphanumeric;

use super::{taken, text};
use crate::actions::Fields;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Longest bank name.
pub const MAX_BANK_NAME_CHARS: usize = 100;
/// Length of a generated secret (alphanumeric: about 190 bits).
pub const GENERATED_SECRET_CHARS: usize = 32;

pub struct CreateBankInput {
    pub mnemonic: String,
    pub name: String,
    /// Blank: generate one.
    pub secret: String,
}

pub struct UpdateBankInput {
    pub name: String,
    pub active: bool,
    /// Blank: keep the current secret; `generate`: a new generated one; else the new one.
    pub new_secret: String,
}

/// What a change left the bank as, with its secret when this change set it.
pub struct BankChange {
    pub bank: BankRecord,
    pub new_secret: Option<String>,
}

fn require_province(admin: &Principal) -> ApiResult<()> {
    match admin.require_somewhere(Action::ManageBanks)? {
        Scope::Everywhere => Ok(()),
        Scope::Pairs(_) => Err(DomainError::Forbidden(format!("{} administers only part of the province; banks serve all of it", admin.username)).into()),
    }
}

fn generated() -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(GENERATED_SECRET_CHARS).map(char::from).collect()
}

fn secret(f: &mut Fields, field: &str, input: &str) -> Option<(BankSecret, bool)> {
    let typed = input.trim();
    let (value, fresh) = if typed.is_empty() || typed == "generate" { (generated(), true) } else { (typed.to_string(), false) };
    f.take(field, BankSecret::parse(&value)).map(|s| (s, fresh))
}

pub async fn create_bank(state: &AppState, admin: &Principal, input: &CreateBankInput, now: Timestamp) -> ApiResult<BankChange> {
    require_province(admin)?;
    let mut f = Fields::default();
    let mnemonic = f.take("mnemonic", Slug::parse_field("mnemonic", &input.mnemonic));
    let name = text(&mut f, "name", "name", &input.name, MAX_BANK_NAME_CHARS);
    let secret = secret(&mut f, "secret", &input.secret);
    let (Some(mnemonic), Some(name), Some((secret, _))) = (mnemonic, name, secret) else { return Err(f.into_error()) };
    let bank = BankRecord { mnemonic, name, secret, active: true, created_at: now };
    state.store.create_bank(&bank, &Actor::from(admin)).await.map_err(|e| taken(e, "mnemonic"))?;
    state.caches.banks.remove(&bank.mnemonic.to_string());
    let shown = bank.secret.as_str().to_string();
    Ok(BankChange { bank, new_secret: Some(shown) })
}

pub async fn update_bank(state: &AppState, admin: &Principal, mnemonic: &str, input: &UpdateBankInput, now: Timestamp) -> ApiResult<BankChange> {
    require_province(admin)?;
    let mnemonic = Slug::parse_field("mnemonic", mnemonic).map_err(|_| ApiError::not_found(format!("no bank {mnemonic}")))?;
    let current = state.store.bank(&mnemonic).await?.ok_or_else(|| ApiError::not_found(format!("no bank {mnemonic}")))?;
    let mut f = Fields::default();
    let name = text(&mut f, "name", "name", &input.name, MAX_BANK_NAME_CHARS);
    let replaced = if input.new_secret.trim().is_empty() { Some(None) } else { secret(&mut f, "new_secret", &input.new_secret).map(Some) };
    let (Some(name), Some(replaced)) = (name, replaced) else { return Err(f.into_error()) };
    let new_secret = replaced.as_ref().map(|(s, _)| s.as_str().to_string());
    let bank = BankRecord { name, active: input.active, secret: replaced.map_or(current.secret, |(s, _)| s), ..current };
    state.store.update_bank(&bank, &Actor::from(admin), now).await?;
    // A bank switched off, or given a new secret, is refused by this node at once.
    state.caches.banks.remove(&bank.mnemonic.to_string());
    Ok(BankChange { bank, new_secret })
}
