-- The province's revenue over time (issue 7): what `insight_area_days` holds, added up
-- three ways, a row per Pakistan day and district, per day and department, and per day and
-- head. Each transfer adds to one row of each dimension. The dashboard's charts and the
-- forecasts for the whole province read a few dozen rows a day here, as many at a hundred
-- thousand challans as at ten million, instead of one per district × department × head;
-- narrowed to a scope, a district, a department or a head they still read
-- `insight_area_days`. Kept by its own trigger on `transfers`, in the same transaction,
-- from the same view. Keyed by the day first, like the other rollups, so a new day's rows
-- go at the end of the table; keyed by the dimension first, they would split pages in the
-- middle of it, which measured three times the cost per transfer.
CREATE TABLE insight_series_days (
    day INTEGER NOT NULL,
    dimension TEXT NOT NULL CHECK (dimension IN ('district', 'department', 'head')),
    member TEXT NOT NULL,
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
    PRIMARY KEY (day, dimension, member)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER transfers_roll_up_series AFTER INSERT ON transfers
WHEN NEW.challan_no IS NOT NULL AND NEW.code NOT IN ('REFUND', 'UNIDENTIFIED')
BEGIN
    INSERT INTO insight_series_days (day, dimension, member, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
    SELECT f.day, d.dimension, CASE d.dimension WHEN 'district' THEN f.district WHEN 'department' THEN f.department ELSE f.head_code END, f.issued_n, f.issued_paisa, f.surcharge_paisa, f.paid_n, f.paid_paisa, f.overpaid_paisa, f.cancelled_n, f.cancelled_paisa, f.waived_n, f.waived_paisa, f.deposited_n, f.deposited_paisa
    FROM insight_transfer_facts f, (SELECT 'district' AS dimension UNION ALL SELECT 'department' UNION ALL SELECT 'head') d
    WHERE f.seq = NEW.seq
    ON CONFLICT (day, dimension, member) DO UPDATE SET
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

-- What is already in the ledger: 0015's area days added up by each dimension.
INSERT INTO insight_series_days (day, dimension, member, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
SELECT day, 'district', district, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_area_days GROUP BY day, district
UNION ALL SELECT day, 'department', department, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_area_days GROUP BY day, department
UNION ALL SELECT day, 'head', head_code, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_area_days GROUP BY day, head_code;
