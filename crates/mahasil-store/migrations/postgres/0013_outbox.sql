-- The notification outbox (DESIGN.md, "Notifications"): one row per message to send, each
-- status change kept in `message_history`, and the templates an admin edited.
--
-- Messages caused by a challan event are written by the trigger at the end of this file,
-- at the end of the statement that appends the event: whatever code path appends it (an
-- issue, a field device's op, a payment, a decision), its messages commit or roll back
-- with it.

-- No foreign keys to the challan or from the history to its message: each row is written
-- from the row it refers to, and neither challans nor messages are ever deleted, so the
-- checks could never fail; on PostgreSQL each is a locking lookup per row, together about
-- an eighth of what queueing a message costs on the issue path (measured on 4,000 events).
CREATE TABLE messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The idempotency key sent to gateways: the cause's time in milliseconds (12 hex
    -- digits), then 80 random bits. The time in front makes the unique index grow at its end
    -- like the outbox's other indexes, instead of dirtying pages all over at every commit.
    key TEXT NOT NULL CHECK (key ~ '^[0-9a-f]{32}$'),
    -- What caused it: `event:<challan_events.id>`, or `reminder:<challan_no>` and
    -- `overdue:<challan_no>` for the scheduled ones.
    event_key TEXT NOT NULL,
    -- The event behind an `event:` key (the trigger writes it from that very row).
    event_id BIGINT,
    challan_id UUID NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('challan_issued', 'due_reminder', 'overdue_notice', 'payment_receipt', 'cancellation_decided',
                                       'waiver_decided', 'contest_decided')),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'webhook')),
    recipient TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'ur')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'undeliverable', 'skipped')),
    attempts INTEGER NOT NULL CHECK (attempts >= 0),
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    provider_id TEXT,
    -- The message exactly as sent (its text, or an email's subject, text and html); `json`
    -- keeps the text as given, byte for byte: the proof of what the offender was told.
    rendered JSON,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    -- One message per cause, channel and recipient, however often the cause is seen; led by the challan, so that it also
    -- finds a challan's messages (one index fewer to write on every issue).
    CONSTRAINT messages_once UNIQUE (challan_id, event_key, channel, recipient),
    CONSTRAINT messages_event_named CHECK ((event_id IS NULL) = (event_key NOT LIKE 'event:%') AND (event_id IS NULL OR event_key = 'event:' || event_id)),
    CONSTRAINT messages_claim_shape CHECK ((status = 'sending') = (claimed_until IS NOT NULL)),
    CONSTRAINT messages_sent_shape CHECK (status NOT IN ('sent', 'delivered') OR (provider_id IS NOT NULL AND rendered IS NOT NULL))
);

-- The workers' question, "what is due, oldest first", and the claims whose lease ran out.
CREATE INDEX messages_due ON messages (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX messages_leased ON messages (claimed_until) WHERE status = 'sending';
CREATE INDEX messages_provider ON messages (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX messages_failed ON messages (updated_at, id) WHERE status IN ('failed', 'undeliverable');

-- Refuses a change with the trigger's first argument as the message; the constraint name
-- is the trigger's, so the store can say what was protected (0012's refuse_device_change,
-- under a name that fits every table).
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = TG_NAME;
END;
$$;

CREATE TRIGGER messages_never_deleted BEFORE DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION refuse_change('messages are never removed: their history is the proof of notice');
CREATE TRIGGER messages_never_truncated BEFORE TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('messages are never removed: their history is the proof of notice');
CREATE TRIGGER messages_identity_fixed BEFORE UPDATE ON messages FOR EACH ROW
    WHEN ((OLD.event_key, OLD.event_id, OLD.challan_id, OLD.kind, OLD.channel, OLD.recipient, OLD.language, OLD.created_at)
          IS DISTINCT FROM (NEW.event_key, NEW.event_id, NEW.challan_id, NEW.kind, NEW.channel, NEW.recipient, NEW.language, NEW.created_at))
    EXECUTE FUNCTION refuse_change('a message''s cause, kind, channel, recipient and language never change');

CREATE TABLE message_history (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id BIGINT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'undeliverable', 'skipped')),
    detail TEXT
);

CREATE INDEX message_history_message ON message_history (message_id, id);

CREATE TRIGGER message_history_no_update BEFORE UPDATE OR DELETE ON message_history
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER message_history_no_truncate BEFORE TRUNCATE ON message_history
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

-- Templates an admin edited; a kind, language and channel with no row uses the built-in one.
CREATE TABLE message_templates (
    kind TEXT NOT NULL CHECK (kind IN ('challan_issued', 'due_reminder', 'overdue_notice', 'payment_receipt', 'cancellation_decided',
                                       'waiver_decided', 'contest_decided')),
    language TEXT NOT NULL CHECK (language IN ('en', 'ur')),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'webhook')),
    source TEXT NOT NULL CHECK (length(source) > 0),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (kind, language, channel)
);

-- A new message key: the time given in milliseconds, then 80 random bits (gen_random_uuid
-- draws from the server's strong random source; md5 only spreads its bits over 20 hex
-- digits).
CREATE FUNCTION message_key(TIMESTAMPTZ) RETURNS TEXT LANGUAGE sql VOLATILE AS $$
    SELECT lpad(to_hex(floor(extract(epoch FROM $1) * 1000)::bigint), 12, '0') || substr(md5(gen_random_uuid()::text), 1, 20)
$$;

-- The messages events cause (crate::messages::EVENT_MESSAGES has the same table): an SMS
-- to the offender's mobile, in Urdu, and an email to their address, in English, when the
-- challan has one (mahasil_domain::notice::preferred_language with no preference stated; a
-- challan records none yet).
--
-- A statement trigger over the statement's new rows: the issue path appends a whole batch
-- of events (with the challans they belong to, in the same query) in one statement, and
-- this queues all their messages in one insert (a message's first step, `queued`, is its
-- `created_at`, not a history row). Measured on 4,000 events
-- in one statement, a row trigger cost about 170 us an event, nearly all of it the setting
-- up of one insert per event (indexes, constraints); this costs about 60 us an event.
-- Rows written by the statement are all visible here: statement triggers fire once it is
-- done.
CREATE FUNCTION challan_events_queue_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO messages (key, event_key, event_id, challan_id, kind, channel, recipient, language, status, attempts, next_attempt_at, created_at, updated_at)
        SELECT message_key(e.at), 'event:' || e.id, e.id, c.id,
               CASE e.kind
                   WHEN 'issued' THEN 'challan_issued'
                   WHEN 'paid' THEN 'payment_receipt'
                   WHEN 'cancelled' THEN 'cancellation_decided'
                   WHEN 'cancellation_rejected' THEN 'cancellation_decided'
                   WHEN 'upheld' THEN 'contest_decided'
                   WHEN 'quashed' THEN 'contest_decided'
               END,
               r.channel, r.recipient, r.language, 'queued', 0, e.at, e.at, e.at
        FROM appended e
        JOIN challans c ON c.id = e.challan_id
        CROSS JOIN LATERAL (VALUES (1, 'sms', c.mobile, 'ur'), (2, 'email', c.email, 'en')) AS r (n, channel, recipient, language)
        WHERE e.kind IN ('issued', 'paid', 'cancelled', 'cancellation_rejected', 'upheld', 'quashed') AND r.recipient IS NOT NULL
        ORDER BY e.id, r.n
        ON CONFLICT (challan_id, event_key, channel, recipient) DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER challan_events_queue_messages AFTER INSERT ON challan_events REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION challan_events_queue_messages();
