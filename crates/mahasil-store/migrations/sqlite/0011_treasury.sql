-- Online payments started by citizens, counter payments awaiting a second treasury user,
-- and imported bank statements; and the account under which citizens' own contests are
-- recorded (it cannot sign in: no password verifies against it, and it is inactive).

CREATE TABLE online_payments (
    id                 TEXT PRIMARY KEY,
    challan_id         TEXT NOT NULL REFERENCES challans (id),
    challan_no         TEXT NOT NULL,
    amount_paisa       INTEGER NOT NULL CHECK (amount_paisa > 0),
    gateway_payment_id TEXT UNIQUE,
    status             TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_reason     TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    receipt_no         TEXT
) STRICT;
CREATE INDEX online_payments_challan ON online_payments (challan_id);
CREATE INDEX online_payments_open ON online_payments (updated_at) WHERE status <> 'succeeded' OR receipt_no IS NULL;

CREATE TABLE counter_payments (
    id           TEXT PRIMARY KEY,
    challan_id   TEXT NOT NULL REFERENCES challans (id),
    challan_no   TEXT NOT NULL,
    district     TEXT NOT NULL REFERENCES jurisdictions (slug),
    department   TEXT NOT NULL,
    amount_paisa INTEGER NOT NULL CHECK (amount_paisa > 0),
    payer_name   TEXT NOT NULL,
    reference    TEXT NOT NULL,
    paid_on      TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by   TEXT,
    decided_at   INTEGER,
    note         TEXT,
    receipt_no   TEXT,
    CHECK (decided_by IS NULL OR decided_by <> requested_by)
) STRICT;
CREATE INDEX counter_payments_pending ON counter_payments (requested_at) WHERE status = 'pending';

CREATE TABLE statements (
    seq                INTEGER PRIMARY KEY,
    sha256             BLOB NOT NULL UNIQUE,
    account            TEXT NOT NULL,
    statement_id       TEXT NOT NULL,
    format             TEXT NOT NULL,
    from_date          TEXT NOT NULL,
    to_date            TEXT NOT NULL,
    opening_paisa      INTEGER NOT NULL,
    closing_paisa      INTEGER NOT NULL,
    lines              INTEGER NOT NULL,
    imported_by        TEXT NOT NULL,
    imported_at        INTEGER NOT NULL,
    deposited          INTEGER NOT NULL,
    deposited_paisa    INTEGER NOT NULL,
    unidentified       INTEGER NOT NULL,
    unidentified_paisa INTEGER NOT NULL,
    unexplained_paisa  INTEGER NOT NULL,
    report_csv         TEXT NOT NULL,
    UNIQUE (account, statement_id)
) STRICT;
CREATE TRIGGER statements_never_changed BEFORE UPDATE ON statements
BEGIN SELECT RAISE(ABORT, 'an imported statement is never changed'); END;
CREATE TRIGGER statements_never_deleted BEFORE DELETE ON statements
BEGIN SELECT RAISE(ABORT, 'an imported statement is never removed'); END;

INSERT INTO users (id, username, display_name, password_hash, active, created_at)
VALUES ('00000000-0000-0000-0000-00000000c171', 'citizen-portal', 'Citizens, through the public pages', '!', 0, 0);
