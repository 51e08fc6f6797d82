-- Waivers (DESIGN.md, roles: supervisors approve or reject cancellations and waivers). A
-- waiver is asked for and decided like a cancellation, in the same table: a request of
-- kind `waive` instead of `cancel`, at most one pending request of either kind per
-- challan. Its approval makes the challan `waived` (it stands, and nothing is owed: the
-- same WAIVER transfer as a cancellation); its decision is told to the offender.

ALTER TABLE cancellation_requests ADD COLUMN kind TEXT NOT NULL DEFAULT 'cancel' CHECK (kind IN ('cancel', 'waive'));

-- The messages events cause (crate::messages::EVENT_MESSAGES has the same table), to every
-- recipient of their challans (migration 0014), now with waiver decisions.
CREATE OR REPLACE FUNCTION challan_events_queue_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO messages (key, event_key, event_id, challan_id, kind, channel, recipient, language, status, attempts, next_attempt_at, created_at, updated_at)
        SELECT message_key(e.at), 'event:' || e.id, e.id, r.challan_id,
               CASE e.kind
                   WHEN 'issued' THEN 'challan_issued'
                   WHEN 'paid' THEN 'payment_receipt'
                   WHEN 'cancelled' THEN 'cancellation_decided'
                   WHEN 'cancellation_rejected' THEN 'cancellation_decided'
                   WHEN 'waived' THEN 'waiver_decided'
                   WHEN 'waiver_rejected' THEN 'waiver_decided'
                   WHEN 'upheld' THEN 'contest_decided'
                   WHEN 'quashed' THEN 'contest_decided'
               END,
               r.channel, r.recipient, r.language, 'queued', 0, e.at, e.at, e.at
        FROM appended e
        JOIN message_recipients r ON r.challan_id = e.challan_id
        WHERE e.kind IN ('issued', 'paid', 'cancelled', 'cancellation_rejected', 'waived', 'waiver_rejected', 'upheld', 'quashed')
          AND r.recipient IS NOT NULL
        ORDER BY e.id, r.n
        ON CONFLICT (challan_id, event_key, channel, recipient) DO NOTHING;
    RETURN NULL;
END;
$$;
