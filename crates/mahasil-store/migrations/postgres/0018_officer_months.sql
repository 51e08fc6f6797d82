-- Officers' activity by month (issue 7): the same sums as `insight_officer_days`, a row per
-- month instead of per day, so the dashboard's officer table over a quarter reads a few
-- thousand rows however many challans there are. Kept by its own trigger on `transfers`,
-- in the same transaction, from the same view; the month is the Pakistan day's month.
CREATE TABLE insight_officer_months (
    month INTEGER NOT NULL,
    district TEXT NOT NULL,
    department TEXT NOT NULL,
    head_code TEXT NOT NULL,
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
    PRIMARY KEY (month, district, department, head_code, officer_id)
);

-- A statement trigger over the statement's new rows, as in 0015.
CREATE FUNCTION transfers_roll_up_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insight_officer_months AS t (month, district, department, head_code, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
        SELECT CAST(to_char(to_timestamp(day::bigint * 86400) AT TIME ZONE 'UTC', 'YYYYMM') AS INTEGER), district, department, head_code, officer_id, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa)
        FROM insight_transfer_facts WHERE seq IN (SELECT seq FROM posted WHERE challan_no IS NOT NULL)
        GROUP BY 1, district, department, head_code, officer_id
        ON CONFLICT (month, district, department, head_code, officer_id) DO UPDATE SET
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

CREATE TRIGGER transfers_roll_up_months AFTER INSERT ON transfers
    REFERENCING NEW TABLE AS posted FOR EACH STATEMENT EXECUTE FUNCTION transfers_roll_up_months();

-- What is already in the ledger.
INSERT INTO insight_officer_months (month, district, department, head_code, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
SELECT CAST(to_char(to_timestamp(day::bigint * 86400) AT TIME ZONE 'UTC', 'YYYYMM') AS INTEGER), district, department, head_code, officer_id, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_transfer_facts GROUP BY 1, district, department, head_code, officer_id;
