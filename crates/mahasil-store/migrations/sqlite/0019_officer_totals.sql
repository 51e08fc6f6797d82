-- Officers' activity by month over every head (issue 7): `insight_officer_months` without
-- the head. The dashboard's officer table, unless it is narrowed to one head, reads one row
-- per officer, district, department and month here instead of one per head as well: a
-- province of 3,000 officers over a half-year is about 20,000 rows, not 160,000. Kept by
-- its own trigger on `transfers`, in the same transaction, from the same view; the month
-- is the Pakistan day's month, as in 0018.
CREATE TABLE insight_officer_totals (
    month INTEGER NOT NULL,
    district TEXT NOT NULL,
    department TEXT NOT NULL,
    officer_id TEXT NOT NULL,
    issued_n INTEGER NOT NULL,
    issued_paisa INTEGER NOT NULL,
    surcharge_paisa INTEGER NOT NULL,
    paid_n INTEGER NOT NULL,
    paid_paisa INTEGER NOT NULL,
    overpaid_paisa INTEGER NOT NULL,
    cancelled_n INTEGER NOT NULL,
    cancelled_paisa INTEGER NOT NULL,
    waived_n INTEGER NOT NULL,
    waived_paisa INTEGER NOT NULL,
    deposited_n INTEGER NOT NULL,
    deposited_paisa INTEGER NOT NULL,
    PRIMARY KEY (month, district, department, officer_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER transfers_roll_up_officer_totals AFTER INSERT ON transfers
WHEN NEW.challan_no IS NOT NULL AND NEW.code NOT IN ('REFUND', 'UNIDENTIFIED')
BEGIN
    INSERT INTO insight_officer_totals (month, district, department, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
    SELECT CAST(strftime('%Y%m', day * 86400, 'unixepoch') AS INTEGER), district, department, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa FROM insight_transfer_facts WHERE seq = NEW.seq
    ON CONFLICT (month, district, department, officer_id) DO UPDATE SET
    issued_n = issued_n + excluded.issued_n,
    issued_paisa = issued_paisa + excluded.issued_paisa,
    surcharge_paisa = surcharge_paisa + excluded.surcharge_paisa,
    paid_n = paid_n + excluded.paid_n,
    paid_paisa = paid_paisa + excluded.paid_paisa,
    overpaid_paisa = overpaid_paisa + excluded.overpaid_paisa,
    cancelled_n = cancelled_n + excluded.cancelled_n,
    cancelled_paisa = cancelled_paisa + excluded.cancelled_paisa,
    waived_n = waived_n + excluded.waived_n,
    waived_paisa = waived_paisa + excluded.waived_paisa,
    deposited_n = deposited_n + excluded.deposited_n,
    deposited_paisa = deposited_paisa + excluded.deposited_paisa;
END;

-- What is already in the ledger: the heads of 0018's table added together.
INSERT INTO insight_officer_totals (month, district, department, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
SELECT month, district, department, officer_id, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_officer_months GROUP BY month, district, department, officer_id;
