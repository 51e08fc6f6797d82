//! What administrators can do, shared by the pages and the JSON API: staff users (create,
//! update grants and active flag, reset password) and revenue heads with their versioned
//! fee schedules. Input arrives as plain strings and numbers and is parsed into domain
//! types with every bad field named at once, like `actions`.
//!
//! An administrator acts only within their own scope: they grant roles only over pairs
//! they themselves administer, and manage heads only of departments they hold
//! province-wide (a head applies in every district).

mod banks;
mod heads;
mod users;

use jiff::civil::Date;
use mahasil_domain::DomainError;
use mahasil_domain::authz::Scope;
use mahasil_domain::identity::Text;
use mahasil_domain::jurisdiction::Slug;
use mahasil_store::StoreError;

pub use banks::{BankChange, CreateBankInput, GENERATED_SECRET_CHARS, MAX_BANK_NAME_CHARS, UpdateBankInput, create_bank, update_bank};
pub use heads::{CreateHeadInput, MAX_ACCOUNT_CODE_CHARS, MAX_LEGAL_BASIS_CHARS, ScheduleInput, UpdateHeadInput, add_fee_schedule, create_head, update_head};
pub use users::{
    CreateUserInput, GrantInput, MAX_DISPLAY_NAME_CHARS, MAX_GRANTS, MAX_USERNAME_CHARS, UpdateUserInput, create_user, parse_username, reset_password,
    update_user,
};

use crate::actions::Fields;
use crate::error::ApiError;

/// A calendar date written `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, input: &str) -> Result<Date, DomainError> {
    let s = input.trim();
    let well_formed = s.len() == 10 && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !well_formed {
        return Err(invalid(field, "must be a date written YYYY-MM-DD"));
    }
    s.parse::<Date>().map_err(|_| invalid(field, "is not a real calendar date"))
}

/// A field that could not be read, and why.
fn invalid(field: &'static str, reason: &str) -> DomainError {
    DomainError::Invalid { field, reason: reason.into() }
}

/// Whether `outer` (None = all) covers `inner` (None = all).
fn covers(outer: Option<&Slug>, inner: Option<&Slug>) -> bool {
    match (outer, inner) {
        (None, _) => true,
        (Some(a), Some(b)) => a == b,
        (Some(_), None) => false,
    }
}

/// Whether a scope holds the whole of a (district, department) pair, `None` meaning all.
pub fn scope_covers(scope: &Scope, district: Option<&Slug>, department: Option<&Slug>) -> bool {
    match scope {
        Scope::Everywhere => true,
        Scope::Pairs(pairs) => pairs.iter().any(|(d, p)| covers(d.as_ref(), district) && covers(p.as_ref(), department)),
    }
}

fn text(f: &mut Fields, name: &str, field: &'static str, input: &str, max_chars: usize) -> Option<String> {
    f.take(name, Text::parse_field(field, input, max_chars)).map(|t| t.as_str().to_string())
}

/// A store conflict on one field (a taken username or code) as that field's problem.
fn taken(e: StoreError, field: &str) -> ApiError {
    match e {
        StoreError::Conflict(message) => {
            let mut conflict = ApiError::conflict(message);
            conflict.body.fields = Some([(field.to_string(), "is already taken".to_string())].into());
            conflict
        }
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn scope_holds_pairs() {
        let peshawar_all = Scope::Pairs(vec![(Some(slug("peshawar")), None)]);
        assert!(scope_covers(&peshawar_all, Some(&slug("peshawar")), Some(&slug("price-control"))));
        assert!(scope_covers(&peshawar_all, Some(&slug("peshawar")), None));
        assert!(!scope_covers(&peshawar_all, None, Some(&slug("price-control"))));
        assert!(!scope_covers(&peshawar_all, Some(&slug("mardan")), None));
        assert!(scope_covers(&Scope::Everywhere, None, None));
    }
}
