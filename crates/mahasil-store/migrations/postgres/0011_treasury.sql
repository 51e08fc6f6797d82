-- Online payments started by citizens, counter payments awaiting a second treasury user,
-- and imported bank statements; and the account under which citizens' own contests are
-- recorded (it cannot sign in: no password verifies against it, and it is inactive).

CREATE TABLE online_payments (
    id UUID PRIMARY KEY,
    challan_id UUID NOT NULL REFERENCES challans (id),
    challan_no TEXT NOT NULL,
    amount_paisa BIGINT NOT NULL CHECK (amount_paisa > 0),
    gateway_payment_id TEXT UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    receipt_no TEXT
);
CREATE INDEX online_payments_challan ON online_payments (challan_id);
CREATE INDEX online_payments_open ON online_payments (updated_at) WHERE status <> 'succeeded' OR receipt_no IS NULL;

CREATE TABLE counter_payments (
    id UUID PRIMARY KEY,
    challan_id UUID NOT NULL REFERENCES challans (id),
    challan_no TEXT NOT NULL,
    district TEXT NOT NULL REFERENCES jurisdictions (slug),
    department TEXT NOT NULL,
    amount_paisa BIGINT NOT NULL CHECK (amount_paisa > 0),
    payer_name TEXT NOT NULL,
    reference TEXT NOT NULL,
    paid_on DATE NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by TEXT,
    decided_at TIMESTAMPTZ,
    note TEXT,
    receipt_no TEXT,
    CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX counter_payments_pending ON counter_payments (requested_at) WHERE status = 'pending';

CREATE TABLE statements (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256 BYTEA NOT NULL UNIQUE,
    account TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    format TEXT NOT NULL,
    from_date DATE NOT NULL,
    to_date DATE NOT NULL,
    opening_paisa BIGINT NOT NULL,
    closing_paisa BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    deposited BIGINT NOT NULL,
    deposited_paisa BIGINT NOT NULL,
    unidentified BIGINT NOT NULL,
    unidentified_paisa BIGINT NOT NULL,
    unexplained_paisa BIGINT NOT NULL,
    report_csv TEXT NOT NULL,
    UNIQUE (account, statement_id)
);
CREATE TRIGGER statements_never_changed BEFORE UPDATE OR DELETE ON statements FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER statements_never_truncated BEFORE TRUNCATE ON statements FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

INSERT INTO users (id, username, display_name, password_hash, active, created_at)
VALUES ('00000000-0000-0000-0000-00000000c171', 'citizen-portal', 'Citizens, through the public pages', '!', FALSE, 'epoch');
