-- Payments and their receipts (DESIGN.md, "Bank API", "Ledger"). A payment's row is its
-- idempotency key, claimed in the transaction that posts it and kept forever: a reversed
-- payment keeps its row. Only the reversal (once) and the deposit (once) are ever
-- written after the row is stored.

-- A challan's history learns three kinds of event: paid, overpayment (money that came
-- after the challan was settled) and payment_reversed. SQLite keeps
-- a CHECK in the table, so the table is rebuilt with the longer list (same rows, same seq).
CREATE TABLE challan_events_next (
    seq        INTEGER PRIMARY KEY,
    challan_id TEXT NOT NULL REFERENCES challans (id),
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('issued', 'cancellation_requested', 'cancellation_rejected', 'cancelled', 'contested', 'upheld', 'quashed',
                                             'paid', 'overpayment', 'payment_reversed')),
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

CREATE TABLE payments (
    seq                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    receipt_no           TEXT NOT NULL UNIQUE,
    challan_id           TEXT NOT NULL REFERENCES challans (id),
    challan_no           TEXT NOT NULL,
    channel              TEXT NOT NULL CHECK (channel IN ('bank', 'gateway', 'counter')),
    holder               TEXT NOT NULL,
    reference            TEXT NOT NULL,
    paid_on              TEXT NOT NULL,
    amount_paisa         INTEGER NOT NULL CHECK (amount_paisa > 0),
    surcharge_paisa      INTEGER NOT NULL CHECK (surcharge_paisa >= 0),
    overpaid_paisa       INTEGER NOT NULL CHECK (overpaid_paisa >= 0),
    paid_at              INTEGER NOT NULL,
    received_at          INTEGER NOT NULL,
    recorded_by          TEXT NOT NULL,
    approved_by          TEXT,
    fingerprint          BLOB NOT NULL CHECK (length(fingerprint) = 32),
    event_id             TEXT NOT NULL,
    seal                 BLOB NOT NULL,
    reversed_at          INTEGER,
    reversal_fingerprint BLOB,
    deposited_at         INTEGER,
    statement_id         TEXT,
    CHECK ((reversed_at IS NULL) = (reversal_fingerprint IS NULL)),
    CHECK ((deposited_at IS NULL) = (statement_id IS NULL))
) STRICT;

-- The idempotency key: (bank, tran_auth_id, tran_date) for a bank.
CREATE UNIQUE INDEX payments_key ON payments (channel, holder, reference, paid_on);
-- At most one standing payment per challan (money arriving after it is settled is wholly
-- an overpayment, owed back, and does not stand).
CREATE UNIQUE INDEX payments_one_standing ON payments (challan_id) WHERE reversed_at IS NULL AND overpaid_paisa < amount_paisa;
CREATE INDEX payments_challan ON payments (challan_id);
-- What the treasury still has to see.
CREATE INDEX payments_undeposited ON payments (paid_on) WHERE deposited_at IS NULL AND reversed_at IS NULL;

CREATE TRIGGER payments_never_deleted BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are never removed; reverse them'); END;

CREATE TRIGGER payments_settled_once BEFORE UPDATE ON payments
WHEN NEW.id IS NOT OLD.id OR NEW.receipt_no IS NOT OLD.receipt_no OR NEW.challan_id IS NOT OLD.challan_id
  OR NEW.challan_no IS NOT OLD.challan_no OR NEW.channel IS NOT OLD.channel OR NEW.holder IS NOT OLD.holder
  OR NEW.reference IS NOT OLD.reference OR NEW.paid_on IS NOT OLD.paid_on OR NEW.amount_paisa IS NOT OLD.amount_paisa
  OR NEW.surcharge_paisa IS NOT OLD.surcharge_paisa OR NEW.overpaid_paisa IS NOT OLD.overpaid_paisa
  OR NEW.paid_at IS NOT OLD.paid_at OR NEW.received_at IS NOT OLD.received_at OR NEW.recorded_by IS NOT OLD.recorded_by
  OR NEW.approved_by IS NOT OLD.approved_by OR NEW.fingerprint IS NOT OLD.fingerprint OR NEW.event_id IS NOT OLD.event_id
  OR NEW.seal IS NOT OLD.seal
  OR (OLD.reversed_at IS NOT NULL AND (NEW.reversed_at IS NOT OLD.reversed_at OR NEW.reversal_fingerprint IS NOT OLD.reversal_fingerprint))
  OR (OLD.deposited_at IS NOT NULL AND (NEW.deposited_at IS NOT OLD.deposited_at OR NEW.statement_id IS NOT OLD.statement_id))
BEGIN SELECT RAISE(ABORT, 'a payment is never changed, only reversed once or deposited once'); END;
