//! The treasury: reconciling bank statements of the treasury account against the
//! payments mahasil took ([`reconcile`], usable without HTTP by `mahasil reconcile`), and
//! the treasury staff pages: the daily deposit view, counter payments entered by one
//! treasury user and approved by another, and statement import with its report.
//!
//! Who may do what (`mahasil_domain::authz`): treasury users enter and approve counter
//! payments and see deposits within their districts (and departments); they import
//! statements of the provincial treasury account, whose reports cover every district.
//! Auditors see everything and change nothing.

mod counter;
mod deposits;
pub mod reconcile;
pub mod report_view;
mod statements;

pub use reconcile::{
    DEPOSITED_LOOKBACK_DAYS, Expectations, ParsedStatement, ReconcileError, Reconciled, expected_credit, load_expectations, parse_statement, reconcile_file,
};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use mahasil_domain::authz::Scope;
use mahasil_domain::jurisdiction::Slug;
use maud::{Markup, html};

use crate::error::ApiError;
use crate::state::AppState;
use crate::web::widgets::urdu;

/// Largest statement file accepted through the upload page: 64 MiB, about 500,000 lines of
/// CSV. Larger statements go through `mahasil reconcile --statement FILE`.
pub const MAX_STATEMENT_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/treasury", get(deposits::page))
        .route("/treasury/counter", get(counter::page).post(counter::enter))
        .route("/treasury/counter/{id}", post(counter::decide))
        .route(
            "/treasury/statements",
            get(statements::list).post(statements::upload).layer(DefaultBodyLimit::max(MAX_STATEMENT_UPLOAD_BYTES + statements::FORM_OVERHEAD_BYTES)),
        )
        .route("/treasury/statements/{sha256}", get(statements::report))
        .route("/treasury/statements/{sha256}/report.csv", get(statements::download))
}

impl From<ReconcileError> for ApiError {
    fn from(e: ReconcileError) -> Self {
        match e {
            ReconcileError::Statement(statement) => ApiError::unprocessable("statement_invalid", format!("the statement file was refused: {statement}")),
            ReconcileError::Store(store) => store.into(),
            ReconcileError::TooLarge(_) => ApiError::unprocessable("statement_too_large", e.to_string()),
        }
    }
}

/// The districts a scope reaches, for the store's district filters: `None` when it reaches
/// every district.
pub(crate) fn districts_of(scope: &Scope) -> Option<Vec<Slug>> {
    match scope {
        Scope::Everywhere => None,
        Scope::Pairs(pairs) => {
            let mut districts = Vec::new();
            for (district, _) in pairs {
                let district = district.as_ref()?;
                if !districts.contains(district) {
                    districts.push(district.clone());
                }
            }
            Some(districts)
        }
    }
}

/// The treasury pages' own navigation, the current one marked.
pub(crate) fn tabs(current: &str) -> Markup {
    let items = [("/treasury", "Deposits"), ("/treasury/counter", "Counter payments"), ("/treasury/statements", "Bank statements")];
    html! {
        p.hint { "Treasury " (urdu("خزانہ")) }
        nav aria-label="Treasury" {
            ul.links {
                @for (href, label) in items {
                    li { @if href == current { strong aria-current="page" { (label) } } @else { a href=(href) { (label) } } }
                }
            }
        }
    }
}

/// A sum in rupees, signed, grouped in thousands: `PKR -1,250.50`.
pub(crate) fn pkr(paisa: i128) -> String {
    let sign = if paisa < 0 { "-" } else { "" };
    let magnitude = paisa.unsigned_abs();
    let whole = (magnitude / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("PKR {sign}{grouped}.{:02}", magnitude % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn districts_of_a_scope() {
        assert_eq!(districts_of(&Scope::Everywhere), None);
        assert_eq!(districts_of(&Scope::Pairs(vec![(Some(slug("peshawar")), None), (Some(slug("peshawar")), Some(slug("x")))])), Some(vec![slug("peshawar")]));
        assert_eq!(districts_of(&Scope::Pairs(vec![(Some(slug("peshawar")), None), (None, Some(slug("x")))])), None);
        assert_eq!(districts_of(&Scope::Pairs(vec![])), Some(vec![]));
    }

    #[test]
    fn rupees_are_grouped_and_signed() {
        assert_eq!(pkr(0), "PKR 0.00");
        assert_eq!(pkr(-125_050), "PKR -1,250.50");
        assert_eq!(pkr(123_456_789), "PKR 1,234,567.89");
        assert_eq!(pkr(100_000), "PKR 1,000.00");
    }
}
