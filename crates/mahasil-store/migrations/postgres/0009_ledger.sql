-- The double-entry ledger (DESIGN.md, "Ledger"): transfers of paisa between accounts,
-- never changed or removed; a correction is a REVERSAL, and a transfer is reversed once.
-- Challans already stored get their CHALLAN_ISSUED transfer, and cancelled ones their
-- WAIVER, so the ledger agrees with them from the start.

CREATE TABLE transfers (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id UUID NOT NULL,
    event_id UUID NOT NULL,
    code TEXT NOT NULL CHECK (code IN ('CHALLAN_ISSUED', 'SURCHARGE', 'PAYMENT_RECEIVED', 'OVERPAYMENT', 'DEPOSITED', 'WAIVER', 'REFUND', 'UNIDENTIFIED', 'REVERSAL')),
    debit TEXT NOT NULL,
    credit TEXT NOT NULL,
    amount_paisa BIGINT NOT NULL,
    challan_no TEXT,
    reverses UUID,
    at TIMESTAMPTZ NOT NULL,
    CONSTRAINT transfers_id_key UNIQUE (id),
    CONSTRAINT transfers_amount_positive CHECK (amount_paisa > 0),
    CONSTRAINT transfers_two_accounts CHECK (credit <> debit)
);

CREATE INDEX transfers_challan ON transfers (challan_no) WHERE challan_no IS NOT NULL;
CREATE UNIQUE INDEX transfers_reversed_once ON transfers (reverses) WHERE reverses IS NOT NULL;

CREATE TRIGGER transfers_no_update BEFORE UPDATE OR DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

INSERT INTO transfers (id, event_id, code, debit, credit, amount_paisa, challan_no, at)
SELECT gen_random_uuid(), gen_random_uuid(), 'CHALLAN_ISSUED',
       'receivable:' || head_code || ':' || district, 'revenue:' || head_code || ':' || district,
       amount_paisa, challan_no, received_at
FROM challans ORDER BY seq;

INSERT INTO transfers (id, event_id, code, debit, credit, amount_paisa, challan_no, at)
SELECT gen_random_uuid(), gen_random_uuid(), 'WAIVER',
       'waived:' || c.head_code || ':' || c.district, 'receivable:' || c.head_code || ':' || c.district,
       c.amount_paisa, c.challan_no,
       (SELECT max(e.at) FROM challan_events e WHERE e.challan_id = c.id AND e.status = 'cancelled')
FROM challans c WHERE c.status = 'cancelled' ORDER BY c.seq;
