-- Who is written to, and in which language (DESIGN.md, "Notifications"); and waivers.
--
-- 1. The offender's stated language, when they gave one on the challan: `en` or `ur`.
-- 2. The webhook receiver, when one is configured: every message is also POSTed there.
-- 3. One view, `message_recipients`, that both the event trigger and the scheduled
--    reminders read, so the rule is written once: an SMS to the mobile, an email to the
--    address when there is one, an event to the webhook when there is one; each in the
--    offender's language, or else Urdu for SMS and English for the others
--    (mahasil_domain::notice::preferred_language).

ALTER TABLE challans ADD COLUMN language TEXT CHECK (language IN ('en', 'ur'));

-- The webhook receiver, written by every node at start from its `webhook_url` (removed when
-- that is empty). The URL is kept without its credentials: it is also each message's
-- recipient, which staff see on the challan page.
CREATE TABLE notify_webhook (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    url TEXT NOT NULL CHECK (url LIKE 'http://%' OR url LIKE 'https://%'),
    set_at TIMESTAMPTZ NOT NULL
);

-- The webhook's URL is read once per statement (an uncorrelated subquery).
CREATE VIEW message_recipients AS
SELECT c.id AS challan_id, r.n, r.channel, r.recipient, coalesce(c.language, r.language) AS language
FROM challans c
CROSS JOIN LATERAL (VALUES (1, 'sms', c.mobile, 'ur'), (2, 'email', c.email, 'en'), (3, 'webhook', (SELECT url FROM notify_webhook), 'en'))
    AS r (n, channel, recipient, language);

-- Waivers (DESIGN.md, roles: supervisors approve or reject cancellations and waivers). A
-- waiver is asked for and decided like a cancellation, in the same table: a request of
-- kind `waive` instead of `cancel`, at most one pending request of either kind per
-- challan. Its approval makes the challan `waived` (it stands, and nothing is owed: the
-- same WAIVER transfer as a cancellation); its decision is told to the offender.

ALTER TABLE cancellation_requests ADD COLUMN kind TEXT NOT NULL DEFAULT 'cancel' CHECK (kind IN ('cancel', 'waive'));

-- The messages events cause (crate::messages::EVENT_MESSAGES has the same table), to every
-- recipient of their challans (the view above); a statement trigger over the statement's
-- new rows, as migration 0013 explains.
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
