-- The notification outbox (DESIGN.md, "Notifications"): one row per message to send, each
-- status change kept in `message_history`, and the templates an admin edited.
--
-- Messages caused by a challan event are written by the trigger at the end of this file,
-- inside the statement that appends the event: whatever code path appends it (an issue, a
-- field device's op, a payment, a decision), its messages commit or roll back with it.

-- No foreign keys to the challan or from the history to its message: each row is written
-- from the row it refers to, and neither challans nor messages are ever deleted, so the
-- checks could never fail, and they would be paid for on every issue.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    -- The idempotency key sent to gateways: the cause's time in milliseconds (12 hex
    -- digits), then 80 random bits. Not indexed: nothing looks a message up by its key, and
    -- the time and random bits keep keys apart without an index paid for on every issue.
    key             TEXT NOT NULL CHECK (length(key) = 32 AND key NOT GLOB '*[^0-9a-f]*'),
    -- What caused it: `event:<challan_events.seq>`, or `reminder:<challan_no>` and
    -- `overdue:<challan_no>` for the scheduled ones.
    event_key       TEXT NOT NULL,
    -- The event behind an `event:` key (the trigger writes it from that very row).
    event_id        INTEGER,
    challan_id      TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('challan_issued', 'due_reminder', 'overdue_notice', 'payment_receipt', 'cancellation_decided',
                                                  'waiver_decided', 'contest_decided')),
    channel         TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'webhook')),
    recipient       TEXT NOT NULL,
    language        TEXT NOT NULL CHECK (language IN ('en', 'ur')),
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'undeliverable', 'skipped')),
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    provider_id     TEXT,
    -- The message exactly as sent (JSON: its text, or an email's subject, text and html):
    -- the proof of what the offender was told.
    rendered        TEXT CHECK (rendered IS NULL OR json_valid(rendered)),
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- One message per cause, channel and recipient, however often the cause is seen.
    -- Led by the challan, so that it also finds a challan's messages (one index fewer to
    -- write on every issue).
    UNIQUE (challan_id, event_key, channel, recipient),
    CHECK ((event_id IS NULL) = (event_key NOT LIKE 'event:%') AND (event_id IS NULL OR event_key = 'event:' || event_id)),
    CHECK ((status = 'sending') = (claimed_until IS NOT NULL)),
    CHECK (status NOT IN ('sent', 'delivered') OR (provider_id IS NOT NULL AND rendered IS NOT NULL))
) STRICT;

-- The workers' question, "what is due, oldest first", and the claims whose lease ran out.
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status = 'queued';
CREATE INDEX messages_leased ON messages (claimed_until) WHERE status = 'sending';
CREATE INDEX messages_provider ON messages (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX messages_failed ON messages (updated_at) WHERE status IN ('failed', 'undeliverable');

CREATE TRIGGER messages_never_deleted BEFORE DELETE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are never removed: their history is the proof of notice'); END;
CREATE TRIGGER messages_identity_fixed BEFORE UPDATE OF event_key, event_id, challan_id, kind, channel, recipient, language, created_at ON messages
BEGIN SELECT RAISE(ABORT, 'a message''s cause, kind, channel, recipient and language never change'); END;

-- Every later step of a message (its first, `queued`, is the message's `created_at`).
CREATE TABLE message_history (
    seq        INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'undeliverable', 'skipped')),
    detail     TEXT
) STRICT;

CREATE INDEX message_history_message ON message_history (message_id, seq);

CREATE TRIGGER message_history_no_update BEFORE UPDATE ON message_history
BEGIN SELECT RAISE(ABORT, 'message history is append-only'); END;
CREATE TRIGGER message_history_no_delete BEFORE DELETE ON message_history
BEGIN SELECT RAISE(ABORT, 'message history is append-only'); END;

-- Templates an admin edited; a kind, language and channel with no row uses the built-in one.
CREATE TABLE message_templates (
    kind       TEXT NOT NULL CHECK (kind IN ('challan_issued', 'due_reminder', 'overdue_notice', 'payment_receipt', 'cancellation_decided',
                                             'waiver_decided', 'contest_decided')),
    language   TEXT NOT NULL CHECK (language IN ('en', 'ur')),
    channel    TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'webhook')),
    source     TEXT NOT NULL CHECK (length(source) > 0),
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (kind, language, channel)
) STRICT, WITHOUT ROWID;

-- The messages an event causes (crate::messages::EVENT_MESSAGES has the same table): an
-- SMS to the offender's mobile, in Urdu, and an email to their address, in English, when
-- the challan has one (mahasil_domain::notice::preferred_language with no preference
-- stated; a challan records none yet). One insert per event: a message's first step,
-- `queued`, is its `created_at`, not a history row (the store reads it back as one).
CREATE TRIGGER challan_events_queue_messages AFTER INSERT ON challan_events
WHEN NEW.kind IN ('issued', 'paid', 'cancelled', 'cancellation_rejected', 'upheld', 'quashed')
BEGIN
    INSERT INTO messages (key, event_key, event_id, challan_id, kind, channel, recipient, language, status, attempts, next_attempt_at, created_at, updated_at)
    SELECT printf('%012x', NEW.at / 1000) || lower(hex(randomblob(10))), 'event:' || NEW.seq, NEW.seq, c.id,
           CASE NEW.kind
               WHEN 'issued' THEN 'challan_issued'
               WHEN 'paid' THEN 'payment_receipt'
               WHEN 'cancelled' THEN 'cancellation_decided'
               WHEN 'cancellation_rejected' THEN 'cancellation_decided'
               WHEN 'upheld' THEN 'contest_decided'
               WHEN 'quashed' THEN 'contest_decided'
           END,
           r.channel, CASE r.channel WHEN 'sms' THEN c.mobile ELSE c.email END, r.language, 'queued', 0, NEW.at, NEW.at, NEW.at
    FROM challans c, (SELECT 'sms' AS channel, 'ur' AS language UNION ALL SELECT 'email', 'en') r
    WHERE c.id = NEW.challan_id AND (r.channel = 'sms' OR c.email IS NOT NULL)
    ON CONFLICT DO NOTHING;
END;
