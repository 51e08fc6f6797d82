//! Staff pages: server-rendered HTML (maud) with plain forms and no JavaScript, usable on a
//! phone. Every POST carries the session's CSRF token; every error is a page with the
//! same status and message the JSON API would give.

mod admin_banks;
mod admin_devices;
mod admin_heads;
mod admin_templates;
mod admin_users;
mod assets;
mod catalogue;
mod challan_detail;
mod challans;
mod field;
pub(crate) mod form;
mod home;
mod issue;
pub(crate) mod layout;
mod login;
mod messages;
mod queue;
mod schedule_form;
pub(crate) mod staff;
mod verify;
pub(crate) mod widgets;

pub use widgets::karachi_time;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/mahasil.css", get(assets::stylesheet))
        .route("/assets/fonts/NotoNastaliqUrdu-Regular.ttf", get(assets::urdu_font))
        .route("/assets/fonts/OFL.txt", get(assets::urdu_font_licence))
        .route("/assets/verify/{file}", get(verify::module))
        .route("/field", get(field::to_scope))
        .route("/field/", get(field::page))
        .route("/field/manifest.webmanifest", get(field::manifest))
        .route("/field/sw.js", get(field::service_worker))
        .route("/assets/field/{*path}", get(field::asset))
        .route("/V/sw.js", get(verify::service_worker))
        .route("/V/offline", get(verify::offline))
        .route("/V/{token}", get(verify::page))
        .route("/V/{token}/{file}", get(verify::download))
        .route("/challans/{challan_no}/print/{file}", get(challan_detail::print))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/", get(home::page))
        .route("/challans", get(challans::list))
        .route("/challans/new", get(issue::form).post(issue::submit))
        .route("/challans/{challan_no}", get(challan_detail::page))
        .route("/challans/{challan_no}/cancellation", post(challan_detail::request_cancellation))
        .route("/challans/{challan_no}/contest", post(challan_detail::record_contest))
        .route("/queue", get(queue::page))
        .route("/queue/cancellations/{id}", post(queue::decide_cancellation))
        .route("/queue/contests/{id}", post(queue::decide_contest))
        .route("/admin/users", get(admin_users::list).post(admin_users::create))
        .route("/admin/users/{id}", get(admin_users::edit).post(admin_users::update))
        .route("/admin/users/{id}/password", post(admin_users::reset_password))
        .route("/admin/banks", get(admin_banks::list).post(admin_banks::create))
        .route("/admin/banks/{mnemonic}", post(admin_banks::update))
        .route("/admin/devices", get(admin_devices::list))
        .route("/admin/devices/{id}/revoke", post(admin_devices::revoke))
        .route("/admin/heads", get(admin_heads::list).post(admin_heads::create))
        .route("/admin/heads/{code}", get(admin_heads::edit).post(admin_heads::update))
        .route("/admin/heads/{code}/schedules", post(admin_heads::add_schedule))
        .route("/admin/templates", get(admin_templates::list))
        .route("/admin/templates/{kind}/{language}/{channel}", get(admin_templates::edit).post(admin_templates::save))
        .route("/messages/failed", get(messages::failed))
        .route("/messages/{id}/retry", post(messages::retry))
}
