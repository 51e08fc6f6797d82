//! Pieces pages are built from: labelled inputs and selects with their error next to them,
//! notices, and how times, statuses and Urdu text are shown.

use jiff::Timestamp;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::time::pakistan;
use maud::{Markup, Render, html};

use super::form::FieldErrors;

/// A labelled `<input>` with its hint and error.
pub struct Input<'a> {
    label: &'a str,
    name: &'a str,
    value: &'a str,
    kind: &'a str,
    hint: Option<&'a str>,
    error: Option<&'a str>,
    required: bool,
    inputmode: Option<&'a str>,
    autocomplete: Option<&'a str>,
    maxlength: Option<usize>,
}

impl<'a> Input<'a> {
    pub fn text(label: &'a str, name: &'a str, value: &'a str) -> Self {
        Self { label, name, value, kind: "text", hint: None, error: None, required: false, inputmode: None, autocomplete: None, maxlength: None }
    }

    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// The error of this field among `errors`, looked up under any of `keys`.
    pub fn errors(mut self, errors: &'a FieldErrors, keys: &[&str]) -> Self {
        self.error = keys.iter().find_map(|k| errors.get(*k)).map(String::as_str);
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn inputmode(mut self, mode: &'a str) -> Self {
        self.inputmode = Some(mode);
        self
    }

    pub fn autocomplete(mut self, value: &'a str) -> Self {
        self.autocomplete = Some(value);
        self
    }

    pub fn maxlength(mut self, n: usize) -> Self {
        self.maxlength = Some(n);
        self
    }
}

fn error_id(name: &str) -> String {
    format!("{name}-error")
}

impl Render for Input<'_> {
    fn render(&self) -> Markup {
        let described = self.error.map(|_| error_id(self.name));
        html! {
            div.field.has-error[self.error.is_some()] {
                label for=(self.name) { (self.label) @if !self.required { span.optional { " (optional)" } } }
                @if let Some(hint) = self.hint { span.hint { (hint) } }
                input id=(self.name) name=(self.name) type=(self.kind) value=(self.value)
                    required[self.required] inputmode=[self.inputmode] autocomplete=[self.autocomplete]
                    maxlength=[self.maxlength] aria-invalid=[self.error.map(|_| "true")] aria-describedby=[described];
                @if let Some(e) = self.error { span.field-error id=(error_id(self.name)) { (e) } }
            }
        }
    }
}

/// A labelled `<select>`; `options` are (value, text) pairs.
pub struct Select<'a> {
    pub label: &'a str,
    pub name: &'a str,
    pub options: Vec<(String, String)>,
    pub selected: &'a str,
    pub error: Option<&'a str>,
}

impl Render for Select<'_> {
    fn render(&self) -> Markup {
        html! {
            div.field.has-error[self.error.is_some()] {
                label for=(self.name) { (self.label) }
                select id=(self.name) name=(self.name) aria-invalid=[self.error.map(|_| "true")] {
                    @for (value, text) in &self.options {
                        option value=(value) selected[value == self.selected] { (text) }
                    }
                }
                @if let Some(e) = self.error { span.field-error { (e) } }
            }
        }
    }
}

/// A message above a form: `error` (red), `ok` (green) or `info`.
pub fn notice(kind: &str, message: &str) -> Markup {
    let role = if kind == "error" { "alert" } else { "status" };
    html! { p class={ "alert " (kind) } role=(role) { (message) } }
}

/// A time as people in Pakistan read it: `2026-03-01 14:05 PKT`.
pub fn karachi_time(at: Timestamp) -> String {
    at.to_zoned(pakistan()).strftime("%Y-%m-%d %H:%M PKT").to_string()
}

/// Urdu text, laid out right to left.
pub fn urdu(text: &str) -> Markup {
    html! { span.ur dir="rtl" lang="ur" { (text) } }
}

/// A status as a coloured label; `overdue` is shown instead of `issued` when it applies.
pub fn status_badge(status: ChallanStatus, overdue: bool) -> Markup {
    let (class, label) = if overdue { ("overdue", "overdue") } else { (status.as_str(), status.as_str()) };
    html! { span class={ "badge " (class) } { (label) } }
}

/// An amount stored as paisa, shown as `PKR 5,000`.
pub fn money(paisa: i64) -> String {
    mahasil_domain::money::Paisa::new(paisa).map_or_else(|_| format!("{paisa} paisa"), |p| p.to_string())
}

/// A fee schedule in words: `fixed PKR 5,000; PKR 6,000 after 14 days`.
pub fn schedule_summary(s: &mahasil_domain::head::FeeSchedule) -> String {
    use mahasil_domain::head::{AfterDueRule, AmountRule};
    let amount = match s.amount {
        AmountRule::Fixed { amount_paisa } => format!("fixed {amount_paisa}"),
        AmountRule::Range { min_paisa, max_paisa } => format!("{min_paisa} to {max_paisa}"),
    };
    let after = match s.after_due {
        AfterDueRule::Same => "the same after the due date".to_string(),
        AfterDueRule::Fixed { amount_paisa } => format!("{amount_paisa} after the due date"),
        AfterDueRule::SurchargeBasisPoints { basis_points } => format!("{}% more after the due date", percent(basis_points)),
    };
    format!("{amount}, due in {} days; {after}", s.due_days)
}

/// Basis points as a percentage: 1000 → `10`, 1050 → `10.50`.
pub fn percent(basis_points: u32) -> String {
    if basis_points.is_multiple_of(100) { (basis_points / 100).to_string() } else { format!("{}.{:02}", basis_points / 100, basis_points % 100) }
}
