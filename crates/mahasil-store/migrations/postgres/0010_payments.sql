-- Payments and their receipts (DESIGN.md, "Bank API", "Ledger"). A payment's row is its
-- idempotency key, claimed in the transaction that posts it and kept forever: a reversed
-- payment keeps its row. Only the reversal (once) and the deposit (once) are ever
-- written after the row is stored.

CREATE TABLE payments (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id UUID NOT NULL,
    receipt_no TEXT NOT NULL,
    challan_id UUID NOT NULL REFERENCES challans (id),
    challan_no TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('bank', 'gateway', 'counter')),
    holder TEXT NOT NULL,
    reference TEXT NOT NULL,
    paid_on DATE NOT NULL,
    amount_paisa BIGINT NOT NULL CHECK (amount_paisa > 0),
    surcharge_paisa BIGINT NOT NULL CHECK (surcharge_paisa >= 0),
    overpaid_paisa BIGINT NOT NULL CHECK (overpaid_paisa >= 0),
    paid_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL,
    approved_by TEXT,
    fingerprint BYTEA NOT NULL CHECK (length(fingerprint) = 32),
    event_id UUID NOT NULL,
    seal BYTEA NOT NULL,
    reversed_at TIMESTAMPTZ,
    reversal_fingerprint BYTEA,
    deposited_at TIMESTAMPTZ,
    statement_id TEXT,
    CONSTRAINT payments_id_key UNIQUE (id),
    CONSTRAINT payments_receipt_no_key UNIQUE (receipt_no),
    -- The idempotency key: (bank, tran_auth_id, tran_date) for a bank.
    CONSTRAINT payments_key UNIQUE (channel, holder, reference, paid_on),
    CHECK ((reversed_at IS NULL) = (reversal_fingerprint IS NULL)),
    CHECK ((deposited_at IS NULL) = (statement_id IS NULL))
);

-- At most one standing payment per challan (money arriving after it is settled is wholly
-- an overpayment, owed back, and does not stand).
CREATE UNIQUE INDEX payments_one_standing ON payments (challan_id) WHERE reversed_at IS NULL AND overpaid_paisa < amount_paisa;
CREATE INDEX payments_challan ON payments (challan_id);
CREATE INDEX payments_undeposited ON payments (paid_on) WHERE deposited_at IS NULL AND reversed_at IS NULL;

CREATE FUNCTION payments_settle_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.receipt_no, NEW.challan_id, NEW.challan_no, NEW.channel, NEW.holder, NEW.reference, NEW.paid_on,
        NEW.amount_paisa, NEW.surcharge_paisa, NEW.overpaid_paisa, NEW.paid_at, NEW.received_at, NEW.recorded_by,
        NEW.approved_by, NEW.fingerprint, NEW.event_id, NEW.seal)
       IS DISTINCT FROM
       (OLD.id, OLD.receipt_no, OLD.challan_id, OLD.challan_no, OLD.channel, OLD.holder, OLD.reference, OLD.paid_on,
        OLD.amount_paisa, OLD.surcharge_paisa, OLD.overpaid_paisa, OLD.paid_at, OLD.received_at, OLD.recorded_by,
        OLD.approved_by, OLD.fingerprint, OLD.event_id, OLD.seal)
       OR (OLD.reversed_at IS NOT NULL AND (NEW.reversed_at, NEW.reversal_fingerprint) IS DISTINCT FROM (OLD.reversed_at, OLD.reversal_fingerprint))
       OR (OLD.deposited_at IS NOT NULL AND (NEW.deposited_at, NEW.statement_id) IS DISTINCT FROM (OLD.deposited_at, OLD.statement_id))
    THEN
        RAISE EXCEPTION 'a payment is never changed, only reversed once or deposited once' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER payments_settled_once BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION payments_settle_once();
CREATE TRIGGER payments_never_deleted BEFORE DELETE ON payments FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER payments_never_truncated BEFORE TRUNCATE ON payments FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
