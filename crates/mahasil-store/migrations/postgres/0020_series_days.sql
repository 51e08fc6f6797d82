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
    issued_n BIGINT NOT NULL,
    issued_paisa BIGINT NOT NULL,
    surcharge_paisa BIGINT NOT NULL,
    paid_n BIGINT NOT NULL,
    paid_paisa BIGINT NOT NULL,
    overpaid_paisa BIGINT NOT NULL,
    cancelled_n BIGINT NOT NULL,
    cancelled_paisa BIGINT NOT NULL,
    waived_n BIGINT NOT NULL,
    waived_paisa BIGINT NOT NULL,
    deposited_n BIGINT NOT NULL,
    deposited_paisa BIGINT NOT NULL,
    PRIMARY KEY (day, dimension, member)
);

-- A statement trigger over the statement's new rows, as in 0015.
CREATE FUNCTION transfers_roll_up_series() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insight_series_days AS t (day, dimension, member, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
        SELECT f.day, d.dimension, CASE d.dimension WHEN 'district' THEN f.district WHEN 'department' THEN f.department ELSE f.head_code END, sum(f.issued_n), sum(f.issued_paisa), sum(f.surcharge_paisa), sum(f.paid_n), sum(f.paid_paisa), sum(f.overpaid_paisa), sum(f.cancelled_n), sum(f.cancelled_paisa), sum(f.waived_n), sum(f.waived_paisa), sum(f.deposited_n), sum(f.deposited_paisa)
        FROM insight_transfer_facts f CROSS JOIN (VALUES ('district'), ('department'), ('head')) AS d (dimension)
        WHERE f.seq IN (SELECT seq FROM posted WHERE challan_no IS NOT NULL)
        GROUP BY 1, 2, 3
        ON CONFLICT (day, dimension, member) DO UPDATE SET
            issued_n = t.issued_n + excluded.issued_n,
            issued_paisa = t.issued_paisa + excluded.issued_paisa,
            surcharge_paisa = t.surcharge_paisa + excluded.surcharge_paisa,
            paid_n = t.paid_n + excluded.paid_n,
            paid_paisa = t.paid_paisa + excluded.paid_paisa,
            overpaid_paisa = t.overpaid_paisa + excluded.overpaid_paisa,
            cancelled_n = t.cancelled_n + excluded.cancelled_n,
            cancelled_paisa = t.cancelled_paisa + excluded.cancelled_paisa,
            waived_n = t.waived_n + excluded.waived_n,
            waived_paisa = t.waived_paisa + excluded.waived_paisa,
            deposited_n = t.deposited_n + excluded.deposited_n,
            deposited_paisa = t.deposited_paisa + excluded.deposited_paisa;
    RETURN NULL;
END;
$$;

CREATE TRIGGER transfers_roll_up_series AFTER INSERT ON transfers
    REFERENCING NEW TABLE AS posted FOR EACH STATEMENT EXECUTE FUNCTION transfers_roll_up_series();

-- What is already in the ledger: 0015's area days added up by each dimension.
INSERT INTO insight_series_days (day, dimension, member, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
SELECT day, 'district', district, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_area_days GROUP BY day, district
UNION ALL SELECT day, 'department', department, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_area_days GROUP BY day, department
UNION ALL SELECT day, 'head', head_code, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_area_days GROUP BY day, head_code;
