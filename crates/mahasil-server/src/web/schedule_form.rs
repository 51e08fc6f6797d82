//! The fee schedule fields shared by "new revenue head" and "new schedule version":
//! amounts typed in rupees and the surcharge in percent, read exactly into the paisa and
//! basis points `admin::ScheduleInput` takes.

use maud::{Markup, html};

use super::form::{FieldErrors, FormFields, percent_to_basis_points, rupees_to_paisa};
use super::widgets::{Input, Select};
use crate::admin::ScheduleInput;

/// Reads the schedule fields; problems with what was typed go into `errors` under the
/// keys `admin` uses (with `prefix`), so they sit next to their fields. Only the fields the
/// chosen amount and after-due types use are read, and a bad one is passed on as absent,
/// so `admin` refuses the whole input whenever `errors` gains an entry.
pub fn read(form: &FormFields, prefix: &str, errors: &mut FieldErrors) -> ScheduleInput {
    let amount_type = form.get("amount_type");
    let after_due_type = form.get("after_due_type");
    let mut exact = |used: bool, name: &str, key: &str, convert: fn(&str) -> Result<i64, String>| -> Option<i64> {
        let value = form.opt(name).filter(|_| used)?;
        convert(value).map_err(|reason| errors.insert(format!("{prefix}{key}"), reason)).ok()
    };
    let amount_paisa = exact(amount_type == "fixed", "amount", "amount_paisa", rupees_to_paisa);
    let min_paisa = exact(amount_type == "range", "min", "min_paisa", rupees_to_paisa);
    let max_paisa = exact(amount_type == "range", "max", "max_paisa", rupees_to_paisa);
    let after_due_amount_paisa = exact(after_due_type == "fixed", "after_due_amount", "after_due_amount_paisa", rupees_to_paisa);
    let surcharge_basis_points = exact(after_due_type == "surcharge", "surcharge_percent", "surcharge_basis_points", percent_to_basis_points);
    let due_days = match form.get("due_days").trim().parse::<i64>() {
        Ok(d) => d,
        Err(_) => {
            errors.insert(format!("{prefix}due_days"), "must be a whole number of days".into());
            0
        }
    };
    ScheduleInput {
        amount_type: amount_type.to_string(),
        amount_paisa,
        min_paisa,
        max_paisa,
        due_days,
        after_due_type: after_due_type.to_string(),
        after_due_amount_paisa,
        surcharge_basis_points,
        effective_from: form.get("effective_from").to_string(),
    }
}

/// The schedule fields, with the values typed and errors found under `prefix`.
pub fn fields(form: &FormFields, prefix: &str, errors: &FieldErrors) -> Markup {
    let k = |key: &str| format!("{prefix}{key}");
    let keys = |list: &[&str]| list.iter().map(|key| k(key)).collect::<Vec<_>>();
    let amount_type = if form.get("amount_type").is_empty() { "fixed" } else { form.get("amount_type") };
    let after_due_type = if form.get("after_due_type").is_empty() { "same" } else { form.get("after_due_type") };
    let amount_type_error = keys(&["amount_type", "amount"]).iter().find_map(|key| errors.get(key)).cloned();
    let after_due_error = keys(&["after_due_type", "after_due"]).iter().find_map(|key| errors.get(key)).cloned();
    html! {
        fieldset {
            legend { "Fee schedule" }
            div.field.has-error[amount_type_error.is_some()] {
                span.label { "Amount" }
                label.inline { input type="radio" name="amount_type" value="fixed" checked[amount_type == "fixed"]; " Fixed" }
                label.inline { input type="radio" name="amount_type" value="range" checked[amount_type == "range"]; " Range (the officer enters the amount)" }
                @if let Some(e) = &amount_type_error { span.field-error { (e) } }
            }
            div.grid {
                (Input::text("Fixed amount (PKR)", "amount", form.get("amount")).inputmode("decimal").hint("for a fixed amount").errors(errors, &[k("amount_paisa").as_str()]))
                (Input::text("Range from (PKR)", "min", form.get("min")).inputmode("decimal").hint("for a range").errors(errors, &[k("min_paisa").as_str()]))
                (Input::text("Range to (PKR)", "max", form.get("max")).inputmode("decimal").hint("for a range").errors(errors, &[k("max_paisa").as_str()]))
                (Input::text("Days until due", "due_days", form.get("due_days")).inputmode("numeric").required().errors(errors, &[k("due_days").as_str()]))
            }
            (Select { label: "After the due date", name: "after_due_type", options: vec![
                ("same".into(), "the same amount".into()),
                ("fixed".into(), "a fixed amount (fixed schedules only)".into()),
                ("surcharge".into(), "a surcharge in percent".into()),
            ], selected: after_due_type, error: after_due_error.as_deref() })
            div.grid {
                (Input::text("Amount after due date (PKR)", "after_due_amount", form.get("after_due_amount")).inputmode("decimal").errors(errors, &[k("after_due_amount_paisa").as_str()]))
                (Input::text("Surcharge (%)", "surcharge_percent", form.get("surcharge_percent")).inputmode("decimal").hint("e.g. 10 or 12.5").errors(errors, &[k("surcharge_basis_points").as_str()]))
                (Input::text("In force from", "effective_from", form.get("effective_from")).kind("date").required().errors(errors, &[k("effective_from").as_str()]))
            }
        }
    }
}
