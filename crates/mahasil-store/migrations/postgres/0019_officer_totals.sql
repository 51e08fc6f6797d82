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
    officer_id UUID NOT NULL,
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
    PRIMARY KEY (month, district, department, officer_id)
);

-- A statement trigger over the statement's new rows, as in 0015 and 0018.
CREATE FUNCTION transfers_roll_up_officer_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insight_officer_totals AS t (month, district, department, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
        SELECT CAST(to_char(to_timestamp(day::bigint * 86400) AT TIME ZONE 'UTC', 'YYYYMM') AS INTEGER), district, department, officer_id, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa)
        FROM insight_transfer_facts WHERE seq IN (SELECT seq FROM posted WHERE challan_no IS NOT NULL)
        GROUP BY 1, district, department, officer_id
        ON CONFLICT (month, district, department, officer_id) DO UPDATE SET
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

CREATE TRIGGER transfers_roll_up_officer_totals AFTER INSERT ON transfers
    REFERENCING NEW TABLE AS posted FOR EACH STATEMENT EXECUTE FUNCTION transfers_roll_up_officer_totals();

-- What is already in the ledger: the heads of 0018's table added together.
INSERT INTO insight_officer_totals (month, district, department, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
SELECT month, district, department, officer_id, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_officer_months GROUP BY month, district, department, officer_id;
