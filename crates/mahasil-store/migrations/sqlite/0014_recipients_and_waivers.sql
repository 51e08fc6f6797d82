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
    url      TEXT NOT NULL CHECK (url LIKE 'http://%' OR url LIKE 'https://%'),
    set_at   INTEGER NOT NULL
) STRICT;

-- CROSS JOIN keeps the challan first: one look-up by id, then its three rows.
CREATE VIEW message_recipients AS
SELECT c.id AS challan_id, r.n AS n, r.channel AS channel,
       CASE r.channel WHEN 'sms' THEN c.mobile WHEN 'email' THEN c.email ELSE (SELECT url FROM notify_webhook) END AS recipient,
       coalesce(c.language, r.language) AS language
FROM challans c CROSS JOIN (SELECT 1 AS n, 'sms' AS channel, 'ur' AS language UNION ALL SELECT 2, 'email', 'en' UNION ALL SELECT 3, 'webhook', 'en') r;

-- Waivers (DESIGN.md, roles: supervisors approve or reject cancellations and waivers). A
-- waiver is asked for and decided like a cancellation, in the same table: a request of
-- kind `waive` instead of `cancel`, at most one pending request of either kind per
-- challan. Its approval makes the challan `waived` (it stands, and nothing is owed: the
-- same WAIVER transfer as a cancellation); its decision is told to the offender.

ALTER TABLE cancellation_requests ADD COLUMN kind TEXT NOT NULL DEFAULT 'cancel' CHECK (kind IN ('cancel', 'waive'));

-- A challan's history learns waiver_requested, waiver_rejected and waived. SQLite keeps a
-- CHECK in the table, so the table is rebuilt with the longer list (same rows, same seq),
-- and its triggers are made again.
DROP TRIGGER challan_events_queue_messages;
CREATE TABLE challan_events_next (
    seq        INTEGER PRIMARY KEY,
    challan_id TEXT NOT NULL REFERENCES challans (id),
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('issued', 'cancellation_requested', 'cancellation_rejected', 'cancelled', 'contested', 'upheld', 'quashed',
                                             'paid', 'overpayment', 'payment_reversed', 'waiver_requested', 'waiver_rejected', 'waived')),
    actor      TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('issued', 'contested', 'paid', 'cancelled', 'waived')),
    note       TEXT
) STRICT;
INSERT INTO challan_events_next (seq, challan_id, at, kind, actor, status, note) SELECT seq, challan_id, at, kind, actor, status, note FROM challan_events;
DROP TRIGGER challan_events_no_update;
DROP TRIGGER challan_events_no_delete;
DROP TABLE challan_events;
ALTER TABLE challan_events_next RENAME TO challan_events;
CREATE INDEX challan_events_challan ON challan_events (challan_id);
CREATE TRIGGER challan_events_no_update BEFORE UPDATE ON challan_events
BEGIN
    SELECT RAISE(ABORT, 'challan events are append-only');
END;
CREATE TRIGGER challan_events_no_delete BEFORE DELETE ON challan_events
BEGIN
    SELECT RAISE(ABORT, 'challan events are append-only');
END;

-- The messages an event causes (crate::messages::EVENT_MESSAGES has the same table), to
-- every recipient of its challan (the view above). One insert per event: a message's first
-- step, `queued`, is its `created_at`, not a history row (the store reads it back as one).
CREATE TRIGGER challan_events_queue_messages AFTER INSERT ON challan_events
WHEN NEW.kind IN ('issued', 'paid', 'cancelled', 'cancellation_rejected', 'waived', 'waiver_rejected', 'upheld', 'quashed')
BEGIN
    INSERT INTO messages (key, event_key, event_id, challan_id, kind, channel, recipient, language, status, attempts, next_attempt_at, created_at, updated_at)
    SELECT printf('%012x', NEW.at / 1000) || lower(hex(randomblob(10))), 'event:' || NEW.seq, NEW.seq, r.challan_id,
           CASE NEW.kind
               WHEN 'issued' THEN 'challan_issued'
               WHEN 'paid' THEN 'payment_receipt'
               WHEN 'cancelled' THEN 'cancellation_decided'
               WHEN 'cancellation_rejected' THEN 'cancellation_decided'
               WHEN 'waived' THEN 'waiver_decided'
               WHEN 'waiver_rejected' THEN 'waiver_decided'
               WHEN 'upheld' THEN 'contest_decided'
               WHEN 'quashed' THEN 'contest_decided'
           END,
           r.channel, r.recipient, r.language, 'queued', 0, NEW.at, NEW.at, NEW.at
    FROM message_recipients r
    WHERE r.challan_id = NEW.challan_id AND r.recipient IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
