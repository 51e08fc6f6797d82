//! Revenue heads and their versioned fee schedules: create a head with its first
//! schedule, update titles and the active flag, add the next schedule version.

use jiff::Timestamp;
use mahasil_domain::DomainError;
use mahasil_domain::authz::{Action, Principal};
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode, HeadKind, MAX_DUE_DAYS, RevenueHead};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_domain::time::local_date;
use mahasil_store::{Actor, HeadWithSchedules};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{parse_date, scope_covers, taken, text};
use crate::actions::Fields;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Longest legal basis of a head.
pub const MAX_LEGAL_BASIS_CHARS: usize = 500;
/// Longest treasury head-of-account code.
pub const MAX_ACCOUNT_CODE_CHARS: usize = 64;

/// One fee schedule version, amounts in paisa.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// `fixed` or `range`.
    pub amount_type: String,
    /// The fixed amount (with `fixed`).
    pub amount_paisa: Option<i64>,
    /// The range's bounds (with `range`).
    pub min_paisa: Option<i64>,
    pub max_paisa: Option<i64>,
    pub due_days: i64,
    /// `same`, `fixed` (with `after_due_amount_paisa`) or `surcharge` (with
    /// `surcharge_basis_points`, 1,000 = 10%).
    pub after_due_type: String,
    pub after_due_amount_paisa: Option<i64>,
    pub surcharge_basis_points: Option<i64>,
    /// `YYYY-MM-DD`, Pakistan time.
    pub effective_from: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHeadInput {
    /// e.g. `DA-ENC-01`.
    pub code: String,
    /// `fine`, `tax` or `fee`.
    pub kind: String,
    /// Department slug.
    pub department: String,
    pub title_en: String,
    pub title_ur: String,
    pub legal_basis: String,
    pub account_code: String,
    pub schedule: ScheduleInput,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateHeadInput {
    pub title_en: String,
    pub title_ur: String,
    pub legal_basis: String,
    pub account_code: String,
    pub active: bool,
}

/// Heads apply in every district, so managing one takes a province-wide grant over its
/// department.
fn require_head_scope(admin: &Principal, department: &Slug) -> ApiResult<()> {
    let scope = admin.require_somewhere(Action::ManageHeads)?;
    if scope_covers(&scope, None, Some(department)) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!("{} may not manage revenue heads of {department} in every district", admin.username)))
    }
}

fn paisa(f: &mut Fields, name: &str, value: Option<i64>) -> Option<Paisa> {
    match value {
        Some(v) => f.take(name, Paisa::new(v)),
        None => {
            f.add(name, "is required");
            None
        }
    }
}

/// Parses one schedule version of `head`; problems are named under `prefix`.
fn parse_schedule(head: &HeadCode, version: u32, s: &ScheduleInput, prefix: &str, f: &mut Fields) -> Option<FeeSchedule> {
    let key = |part: &str| format!("{prefix}{part}");
    let amount = match s.amount_type.trim() {
        "fixed" => paisa(f, &key("amount_paisa"), s.amount_paisa).map(|amount_paisa| AmountRule::Fixed { amount_paisa }),
        "range" => {
            let min = paisa(f, &key("min_paisa"), s.min_paisa);
            let max = paisa(f, &key("max_paisa"), s.max_paisa);
            min.zip(max).map(|(min_paisa, max_paisa)| AmountRule::Range { min_paisa, max_paisa })
        }
        _ => {
            f.add(&key("amount_type"), "must be fixed or range");
            None
        }
    };
    let due_days = match u16::try_from(s.due_days) {
        Ok(d) if (1..=MAX_DUE_DAYS).contains(&d) => Some(d),
        _ => {
            f.add(&key("due_days"), format!("must be 1 to {MAX_DUE_DAYS} days"));
            None
        }
    };
    let after_due = match s.after_due_type.trim() {
        "same" => Some(AfterDueRule::Same),
        "fixed" => paisa(f, &key("after_due_amount_paisa"), s.after_due_amount_paisa).map(|amount_paisa| AfterDueRule::Fixed { amount_paisa }),
        "surcharge" => match s.surcharge_basis_points.map(u32::try_from) {
            Some(Ok(basis_points)) if basis_points <= 10_000 => Some(AfterDueRule::SurchargeBasisPoints { basis_points }),
            _ => {
                f.add(&key("surcharge_basis_points"), "must be 0 to 10,000 basis points (0% to 100%)");
                None
            }
        },
        _ => {
            f.add(&key("after_due_type"), "must be same, fixed or surcharge");
            None
        }
    };
    let effective_from = f.take(&key("effective_from"), parse_date("effective_from", &s.effective_from));
    let schedule = FeeSchedule { head: head.clone(), version, amount: amount?, due_days: due_days?, after_due: after_due?, effective_from: effective_from? };
    match schedule.check() {
        Ok(()) => Some(schedule),
        Err(DomainError::Invalid { field, reason }) => {
            f.add(&key(field), reason);
            None
        }
        Err(other) => {
            f.add(prefix.trim_end_matches('.'), other.to_string());
            None
        }
    }
}

struct HeadTexts {
    title_en: String,
    title_ur: String,
    legal_basis: String,
    account_code: String,
}

fn head_texts(f: &mut Fields, title_en: &str, title_ur: &str, legal_basis: &str, account_code: &str) -> Option<HeadTexts> {
    let title_en = text(f, "title_en", "title_en", title_en, mahasil_domain::identity::MAX_TEXT_CHARS);
    let title_ur = text(f, "title_ur", "title_ur", title_ur, mahasil_domain::identity::MAX_TEXT_CHARS);
    let legal_basis = text(f, "legal_basis", "legal_basis", legal_basis, MAX_LEGAL_BASIS_CHARS);
    let account_code = text(f, "account_code", "account_code", account_code, MAX_ACCOUNT_CODE_CHARS);
    Some(HeadTexts { title_en: title_en?, title_ur: title_ur?, legal_basis: legal_basis?, account_code: account_code? })
}

/// Creates a revenue head with its first fee schedule (version 1).
pub async fn create_head(state: &AppState, admin: &Principal, input: &CreateHeadInput, now: Timestamp) -> ApiResult<HeadWithSchedules> {
    admin.require_somewhere(Action::ManageHeads)?;
    let mut f = Fields::default();
    let code = f.take("code", HeadCode::parse(&input.code));
    let kind = f.take("kind", HeadKind::parse(input.kind.trim()));
    let department = f.take("department", Slug::parse_field("department", &input.department));
    if let Some(d) = &department {
        if !state.store.departments().await?.iter().any(|known| &known.slug == d) {
            f.add("department", format!("unknown department {d}"));
        } else {
            require_head_scope(admin, d)?;
        }
    }
    let texts = head_texts(&mut f, &input.title_en, &input.title_ur, &input.legal_basis, &input.account_code);
    let schedule = code.as_ref().and_then(|c| parse_schedule(c, 1, &input.schedule, "schedule.", &mut f));
    let (Some(code), Some(kind), Some(department), Some(t), Some(schedule)) = (code, kind, department, texts, schedule) else { return Err(f.into_error()) };
    if !f.is_empty() {
        return Err(f.into_error());
    }
    let head = RevenueHead {
        code,
        kind,
        department,
        title_en: t.title_en,
        title_ur: t.title_ur,
        legal_basis: t.legal_basis,
        account_code: t.account_code,
        active: true,
    };
    state.store.create_head(&head, &schedule, &Actor::from(admin), now).await.map_err(|e| taken(e, "code"))?;
    state.caches.heads.clear();
    state.store.head(&head.code).await?.ok_or_else(ApiError::internal)
}

async fn managed_head(state: &AppState, admin: &Principal, code: &str) -> ApiResult<HeadWithSchedules> {
    admin.require_somewhere(Action::ManageHeads)?;
    let code = HeadCode::parse(code).map_err(|_| ApiError::not_found(format!("no revenue head {code}")))?;
    let found = state.store.head(&code).await?.ok_or_else(|| ApiError::not_found(format!("no revenue head {code}")))?;
    require_head_scope(admin, &found.head.department)?;
    Ok(found)
}

/// Updates a head's titles, legal basis, account code and active flag.
pub async fn update_head(state: &AppState, admin: &Principal, code: &str, input: &UpdateHeadInput, now: Timestamp) -> ApiResult<RevenueHead> {
    let existing = managed_head(state, admin, code).await?.head;
    let mut f = Fields::default();
    let Some(t) = head_texts(&mut f, &input.title_en, &input.title_ur, &input.legal_basis, &input.account_code) else { return Err(f.into_error()) };
    let head =
        RevenueHead { title_en: t.title_en, title_ur: t.title_ur, legal_basis: t.legal_basis, account_code: t.account_code, active: input.active, ..existing };
    state.store.update_head(&head, &Actor::from(admin), now).await?;
    state.caches.heads.clear();
    Ok(head)
}

/// Adds the next fee schedule version of a head, in force from a date not in the past
/// (Pakistan time): schedules are never changed once stored, and challans already issued
/// keep their frozen amounts.
pub async fn add_fee_schedule(state: &AppState, admin: &Principal, code: &str, input: &ScheduleInput, now: Timestamp) -> ApiResult<FeeSchedule> {
    let existing = managed_head(state, admin, code).await?;
    let version = existing.schedules.iter().map(|s| s.version).max().unwrap_or(0) + 1;
    let mut f = Fields::default();
    let schedule = parse_schedule(&existing.head.code, version, input, "", &mut f);
    let Some(schedule) = schedule else { return Err(f.into_error()) };
    if schedule.effective_from < local_date(now) {
        f.add("effective_from", "must be today or later");
        return Err(f.into_error());
    }
    state.store.add_fee_schedule(&schedule, &Actor::from(admin), now).await?;
    state.caches.heads.clear();
    Ok(schedule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_fields_are_named() {
        let code = HeadCode::parse("PC-OVR-01").unwrap_or_else(|_| unreachable!());
        let input = ScheduleInput {
            amount_type: "range".into(),
            amount_paisa: None,
            min_paisa: Some(500),
            max_paisa: Some(100),
            due_days: 0,
            after_due_type: "same".into(),
            after_due_amount_paisa: None,
            surcharge_basis_points: None,
            effective_from: "2026-13-01".into(),
        };
        let mut f = Fields::default();
        assert!(parse_schedule(&code, 1, &input, "schedule.", &mut f).is_none());
        let e = f.into_error();
        let fields = e.body.fields.unwrap_or_default();
        assert!(fields.contains_key("schedule.due_days"), "{fields:?}");
        assert!(fields.contains_key("schedule.effective_from"), "{fields:?}");
    }
}
