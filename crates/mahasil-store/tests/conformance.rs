//! One conformance suite for every storage backend. Each case is written against `Store`
//! alone and runs twice: on a fresh SQLite file always, and on a fresh PostgreSQL schema
//! when `MAHASIL_TEST_DATABASE_URL` is set (skipped, saying so, otherwise). A few cases
//! reach behind the store into the SQLite file, as an attacker with the file would.

#[path = "conformance/audit.rs"]
mod audit;
#[path = "conformance/banks.rs"]
mod banks;
#[path = "conformance/cases.rs"]
mod cases;
#[path = "conformance/challans.rs"]
mod challans;
#[path = "conformance/devices.rs"]
mod devices;
#[path = "conformance/fixtures.rs"]
mod fixtures;
#[path = "conformance/flags.rs"]
mod flags;
#[path = "conformance/insight.rs"]
mod insight;
#[path = "conformance/ledger.rs"]
mod ledger;
#[path = "conformance/model.rs"]
mod model;
#[path = "conformance/outbox.rs"]
mod outbox;
#[path = "conformance/payments.rs"]
mod payments;
#[path = "conformance/reference.rs"]
mod reference;
#[path = "conformance/seals.rs"]
mod seals;
#[path = "conformance/search.rs"]
mod search;
#[path = "conformance/side_index.rs"]
mod side_index;
#[path = "conformance/sync_ops.rs"]
mod sync_ops;
#[path = "conformance/treasury.rs"]
mod treasury;
#[path = "conformance/users.rs"]
mod users;

/// Generates `sqlite::<case>` and `postgres::<case>` tests for each `module::case`,
/// carrying any attributes written before it (such as `#[ignore]`).
macro_rules! conformance {
    ($($(#[$attr:meta])* $module:ident :: $case:ident),* $(,)?) => {
        mod sqlite {
            $(
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() -> $crate::fixtures::TestResult {
                    let (store, _dir) = mahasil_store::testing::fresh_sqlite().await?;
                    $crate::$module::$case(store).await
                }
            )*
        }

        mod postgres {
            $(
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() -> $crate::fixtures::TestResult {
                    let Some(store) = mahasil_store::testing::fresh_postgres().await? else {
                        eprintln!("skipped: MAHASIL_TEST_DATABASE_URL unset");
                        return Ok(());
                    };
                    $crate::$module::$case(store).await
                }
            )*
        }
    };
}

conformance! {
    reference::store_basics,
    reference::jurisdictions_round_trip,
    reference::departments_round_trip,
    reference::heads_and_schedule_versions,
    users::users_and_grants,
    users::sessions,
    challans::node_issuers,
    challans::issue_and_read_back,
    challans::concurrent_issues,
    challans::failed_writes_leave_nothing,
    search::search_filters,
    search::search_scope,
    search::search_pagination,
    cases::cancellation_maker_checker,
    cases::contests_uphold_and_quash,
    audit::audit_chain_verifies,
    banks::banks_round_trip_without_leaking_secrets,
    ledger::issue_and_cancel_post_to_the_ledger,
    insight::rollups_follow_every_ledger_event,
    payments::payment_is_taken_once_with_a_sealed_receipt,
    payments::amounts_are_judged_as_of_the_payment_day,
    payments::blocked_and_unknown_challans_are_not_paid,
    payments::a_reversal_undoes_a_payment_once,
    payments::fifty_identical_payments_at_once_make_one,
    payments::gateway_money_after_settlement_is_an_overpayment,
    treasury::counter_payments_need_a_second_treasury_user,
    treasury::online_payments_are_kept_for_rechecking,
    treasury::citizens_contest_through_the_portal_account,
    treasury::statements_deposit_once_and_in_order,
    model::random_money_sequences_keep_every_invariant,
    seals::challans_are_stored_sealed,
    seals::trust_list_versions,
    seals::cancellations_are_revoked,
    devices::devices_enrol_with_their_own_issuer_numbers,
    sync_ops::an_op_is_stored_once,
    sync_ops::rejections_are_remembered,
    sync_ops::a_second_challan_with_a_number_marks_the_device_cloned,
    sync_ops::gaps_are_the_counters_nobody_claimed,
    sync_ops::broken_chains_and_clocks_are_flagged,
    sync_ops::a_push_is_applied_op_by_op_in_order,
    devices::revocation_is_final,
    devices::nonces_are_claimed_once,
    outbox::outbox_issue_queues_its_messages_in_the_same_transaction,
    outbox::outbox_payments_and_decisions_queue_theirs,
    outbox::outbox_claims_outcomes_and_history,
    outbox::outbox_lapsed_claim_is_taken_again_with_its_key,
    outbox::outbox_claims_made_at_once_never_share_a_message,
    outbox::outbox_delivery_reports_and_retries,
    outbox::outbox_reminders_and_overdue_notices_are_queued_once,
    outbox::outbox_queue_depth_and_lag,
    outbox::outbox_templates_are_saved_audited,
    outbox::outbox_recipients_follow_the_stated_language_and_the_webhook,
    cases::waivers_are_asked_and_decided_like_cancellations,
    flags::flags_bill_inquiries_are_recorded_and_read_back,
    flags::flags_relief_requests_and_recent_challans_carry_their_facts,
    flags::flags_found_again_are_stored_once,
    flags::flags_are_listed_within_scope,
    flags::flags_are_decided_once_with_a_reason_audited,
    #[ignore = "a measurement; run with --ignored --nocapture (best in release)"]
    challans::issue_throughput,
    #[ignore = "a measurement; run with --ignored --nocapture (best in release)"]
    sync_ops::device_op_throughput,
}

/// Cases that need the SQLite file itself.
mod sqlite_file {
    macro_rules! sqlite_only {
        ($($module:ident :: $case:ident),* $(,)?) => {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() -> crate::fixtures::TestResult {
                    crate::$module::$case().await
                }
            )*
        };
    }

    sqlite_only! {
        audit::sqlite_audit_tamper_edit,
        audit::sqlite_audit_tamper_delete,
        audit::sqlite_audit_tamper_swap,
        audit::sqlite_history_is_append_only,
        audit::sqlite_reopen_keeps_data,
        side_index::sqlite_side_index_rebuilt_when_missing_or_damaged,
        side_index::sqlite_side_index_catches_up_and_drops_strays,
        side_index::sqlite_stale_keys_never_return_wrong_rows,
        sync_ops::sqlite_device_history_is_append_only,
        outbox::sqlite_outbox_history_is_append_only,
        flags::sqlite_flag_decisions_and_inquiries_are_final,
    }
}
