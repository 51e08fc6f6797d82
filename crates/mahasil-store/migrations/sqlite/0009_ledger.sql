-- The double-entry ledger (DESIGN.md, "Ledger"): transfers of paisa between accounts,
-- never changed or removed; a correction is a REVERSAL, and a transfer is reversed once.
-- Challans already stored get their CHALLAN_ISSUED transfer, and cancelled ones their
-- WAIVER, so the ledger agrees with them from the start.

CREATE TABLE transfers (
    -- Rows are never deleted, so a plain rowid never reuses a seq; AUTOINCREMENT would
    -- cost a write to sqlite_sequence on every insert.
    seq          INTEGER PRIMARY KEY,
    -- UUIDv7, made by the writer for each transfer. Not indexed: every challan posts a
    -- transfer, and at a million challans a unique index here measured a fifth of SQLite's
    -- issuing rate; transfers are found by challan or by seq, and `mahasil ledger check`
    -- refuses a ledger with a repeated id. PostgreSQL keeps the unique constraint.
    id           TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    code         TEXT NOT NULL CHECK (code IN ('CHALLAN_ISSUED', 'SURCHARGE', 'PAYMENT_RECEIVED', 'OVERPAYMENT', 'DEPOSITED', 'WAIVER', 'REFUND', 'UNIDENTIFIED', 'REVERSAL')),
    debit        TEXT NOT NULL,
    credit       TEXT NOT NULL CHECK (credit <> debit),
    amount_paisa INTEGER NOT NULL CHECK (amount_paisa > 0),
    challan_no   TEXT,
    reverses     TEXT,
    at           INTEGER NOT NULL
) STRICT;

-- Challan numbers grow with each issuer's counter, so this index is appended at its end;
-- most transfers reverse nothing and stay out of the second.
CREATE INDEX transfers_challan ON transfers (challan_no) WHERE challan_no IS NOT NULL;
CREATE UNIQUE INDEX transfers_reversed_once ON transfers (reverses) WHERE reverses IS NOT NULL;

CREATE TRIGGER transfers_never_updated BEFORE UPDATE ON transfers
BEGIN SELECT RAISE(ABORT, 'transfers are never changed; post a REVERSAL'); END;
CREATE TRIGGER transfers_never_deleted BEFORE DELETE ON transfers
BEGIN SELECT RAISE(ABORT, 'transfers are never removed; post a REVERSAL'); END;

INSERT INTO transfers (id, event_id, code, debit, credit, amount_paisa, challan_no, at)
-- Random UUIDs (version 4 layout), computed per row.
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       'CHALLAN_ISSUED',
       'receivable:' || head_code || ':' || district, 'revenue:' || head_code || ':' || district,
       amount_paisa, challan_no, received_at
FROM challans ORDER BY seq;

INSERT INTO transfers (id, event_id, code, debit, credit, amount_paisa, challan_no, at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       'WAIVER',
       'waived:' || c.head_code || ':' || c.district, 'receivable:' || c.head_code || ':' || c.district,
       c.amount_paisa, c.challan_no,
       (SELECT max(e.at) FROM challan_events e WHERE e.challan_id = c.id AND e.status = 'cancelled')
FROM challans c WHERE c.status = 'cancelled' ORDER BY c.seq;

