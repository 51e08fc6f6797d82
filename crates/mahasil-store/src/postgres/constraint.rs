//! Database refusals that are about the data, not faults: a unique, foreign-key or check
//! constraint, or an append-only table, becomes `StoreError::Conflict` naming the
//! constraint and what it protects.

use crate::StoreError;

/// SQLSTATE classes and codes that mean "the data conflicts".
const UNIQUE_VIOLATION: &str = "23505";
const FOREIGN_KEY_VIOLATION: &str = "23503";
const CHECK_VIOLATION: &str = "23514";
const NOT_NULL_VIOLATION: &str = "23502";
const EXCLUSION_VIOLATION: &str = "23P01";
const INTEGRITY_CONSTRAINT_VIOLATION: &str = "23000";

/// What a named constraint protects, in words a person can act on.
fn describe(constraint: &str) -> Option<&'static str> {
    Some(match constraint {
        "users_username_key" => "the username is taken",
        "users_pkey" => "a user with this id exists",
        "revenue_heads_pkey" => "a head with this code exists",
        "fee_schedules_pkey" => "this fee schedule version exists",
        "challans_id_key" => "a challan with this id exists",
        "challans_challan_no_key" | "challans_issuer_counter_key" => "this challan number is taken",
        "issuers_name_key" => "an issuer with this name exists",
        "issuers_pkey" => "this issuer number is taken",
        "issuers_counter_exhausted" => "the issuer's counter has run out; it needs a new issuer number",
        "cancellation_requests_one_pending" => "the challan already has a pending cancellation or waiver request",
        "cancellation_requests_pkey" => "a cancellation request with this id exists",
        "contests_one_open" => "the challan already has an open contest",
        "contests_pkey" => "a contest with this id exists",
        "sessions_pkey" => "this session exists",
        "challans_head_code_fkey" | "fee_schedules_head_code_fkey" => "no such revenue head",
        "challans_department_fkey" | "revenue_heads_department_fkey" | "user_grants_department_fkey" => "no such department",
        "challans_district_fkey" | "user_grants_district_fkey" | "jurisdictions_parent_slug_fkey" => "no such jurisdiction",
        "challans_issuer_no_fkey" => "no such issuer",
        "challans_schedule_fkey" => "no such fee schedule version",
        "challans_amount_positive" => "amounts must be positive",
        "challans_after_due_not_less" => "the amount after the due date must not be less than the amount",
        "audit_log_append_only" | "fee_schedules_append_only" | "challan_events_append_only" => "these rows are never changed or removed",
        "banks_append_only" => "banks are never removed; switch one off instead",
        "banks_pkey" => "a bank with this mnemonic exists",
        "devices_pkey" => "a device with this id is enrolled",
        "devices_public_key_key" => "this public key is already enrolled",
        "devices_kid_key" => "a key with this kid is already enrolled",
        "devices_issuer_no_key" => "this issuer number belongs to another device",
        "devices_officer_id_fkey" => "no such user",
        "devices_never_deleted" | "devices_never_truncated" => "devices are never removed; revoke one instead",
        "devices_identity_fixed" => "a device's identity, key and enrolment never change",
        "devices_revocation_final" => "a revoked device stays revoked as it was",
        "devices_cloned_final" => "a device marked cloned stays marked",
        "sync_ops_pkey" => "an op with this id is stored",
        "sync_ops_append_only" | "device_flags_append_only" => "these rows are never changed or removed",
        "sync_nonces_device_id_fkey" | "sync_ops_device_id_fkey" | "device_flags_device_id_fkey" => "no such device",
        "messages_once" => "this message is already queued",
        "messages_never_deleted" | "messages_never_truncated" => "messages are never removed: their history is the proof of notice",
        "messages_identity_fixed" => "a message's cause, kind, channel, recipient and language never change",
        "messages_claim_shape" => "a message is being sent exactly when it has a lease",
        "messages_sent_shape" => "a sent message keeps its provider id and its text",
        "message_history_append_only" => "these rows are never changed or removed",
        _ => return None,
    })
}

/// Turns a constraint violation into `Conflict`; leaves every other error as it is.
pub(super) fn classify(e: StoreError) -> StoreError {
    let StoreError::Postgres(sqlx::Error::Database(db)) = &e else {
        return e;
    };
    let code = db.code().unwrap_or_default();
    let is_conflict = [UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION, CHECK_VIOLATION, NOT_NULL_VIOLATION, EXCLUSION_VIOLATION, INTEGRITY_CONSTRAINT_VIOLATION]
        .contains(&code.as_ref());
    if !is_conflict {
        return e;
    }
    let message = match db.constraint() {
        Some(name) => match describe(name) {
            Some(words) => format!("{words} ({name})"),
            None => format!("{} ({name})", db.message()),
        },
        None => db.message().to_string(),
    };
    StoreError::Conflict(message)
}
