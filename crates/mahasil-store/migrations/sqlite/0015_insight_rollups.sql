-- The dashboard's rollups (issue 7): counts and paisa of what the ledger records, kept up to
-- date by a trigger on `transfers`, in the transaction that posts them, so no dashboard
-- query reads the challan table. The ledger is the source: `insight_transfer_facts` says
-- what one transfer adds to the rollups, the trigger adds it, and `mahasil insight
-- rebuild` / `mahasil insight check` sum the same view over every transfer.
--
-- Days are Pakistan days (UTC+5) of the transfer, counted from 1970-01-01; a REVERSAL
-- subtracts what the transfer it reverses added. A WAIVER counts as a cancellation or a
-- waiver by the challan's status, which is final once either is set (and is set before
-- the WAIVER is posted).

CREATE VIEW insight_transfer_facts AS
SELECT f.seq, f.day, f.cohort_month, f.district, f.department, f.head_code, f.officer_id,
       f.sign * (f.code = 'CHALLAN_ISSUED') AS issued_n,
       f.sign * (f.code = 'CHALLAN_ISSUED') * f.amount AS issued_paisa,
       f.sign * (f.code = 'SURCHARGE') * f.amount AS surcharge_paisa,
       f.sign * (f.code = 'PAYMENT_RECEIVED') AS paid_n,
       f.sign * (f.code = 'PAYMENT_RECEIVED') * f.amount AS paid_paisa,
       f.sign * (f.code = 'OVERPAYMENT') * f.amount AS overpaid_paisa,
       f.sign * (f.code = 'WAIVER' AND f.status = 'cancelled') AS cancelled_n,
       f.sign * (f.code = 'WAIVER' AND f.status = 'cancelled') * f.amount AS cancelled_paisa,
       f.sign * (f.code = 'WAIVER' AND f.status <> 'cancelled') AS waived_n,
       f.sign * (f.code = 'WAIVER' AND f.status <> 'cancelled') * f.amount AS waived_paisa,
       f.sign * (f.code = 'DEPOSITED') AS deposited_n,
       f.sign * (f.code = 'DEPOSITED') * f.amount AS deposited_paisa
FROM (
    SELECT t.seq,
           (t.at / 1000000 + 18000) / 86400 AS day,
           CAST(substr(c.issued_on, 1, 4) AS INTEGER) * 100 + CAST(substr(c.issued_on, 6, 2) AS INTEGER) AS cohort_month,
           c.district, c.department, c.head_code, c.officer_id, c.status,
           t.amount_paisa AS amount,
           CASE WHEN t.code = 'REVERSAL' THEN -1 ELSE 1 END AS sign,
           CASE WHEN t.code = 'REVERSAL'
                THEN (SELECT o.code FROM transfers o WHERE o.challan_no = t.challan_no AND o.id = t.reverses)
                ELSE t.code END AS code
    FROM transfers t JOIN challans c ON c.challan_no = t.challan_no
    -- A refund pays back an overpayment, and a statement credit nobody matched names no
    -- challan: neither adds to the rollups.
    WHERE t.code NOT IN ('REFUND', 'UNIDENTIFIED')
) f;

-- The grain of the rollups: one row per Pakistan day the ledger moved, district, department,
-- revenue head and issuing officer.
CREATE TABLE insight_officer_days (
    day INTEGER NOT NULL,
    district TEXT NOT NULL,
    department TEXT NOT NULL,
    head_code TEXT NOT NULL,
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
    PRIMARY KEY (day, district, department, head_code, officer_id)
) STRICT, WITHOUT ROWID;

-- The same without the officer: what the revenue charts read, a few hundred rows a day
-- however many challans there are.
CREATE TABLE insight_area_days (
    day INTEGER NOT NULL,
    district TEXT NOT NULL,
    department TEXT NOT NULL,
    head_code TEXT NOT NULL,
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
    PRIMARY KEY (day, district, department, head_code)
) STRICT, WITHOUT ROWID;

-- Keyed by the month the challan was issued (YYYYMM, Pakistan date), whenever the money
-- moved: collection rate by issue cohort, outstanding, ageing and the all-time totals.
CREATE TABLE insight_cohorts (
    cohort_month INTEGER NOT NULL,
    district TEXT NOT NULL,
    department TEXT NOT NULL,
    head_code TEXT NOT NULL,
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
    PRIMARY KEY (cohort_month, district, department, head_code)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER transfers_roll_up AFTER INSERT ON transfers
WHEN NEW.challan_no IS NOT NULL AND NEW.code NOT IN ('REFUND', 'UNIDENTIFIED')
BEGIN
    INSERT INTO insight_officer_days (day, district, department, head_code, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
    SELECT day, district, department, head_code, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa FROM insight_transfer_facts WHERE seq = NEW.seq
    ON CONFLICT (day, district, department, head_code, officer_id) DO UPDATE SET
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
    INSERT INTO insight_area_days (day, district, department, head_code, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
    SELECT day, district, department, head_code, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa FROM insight_transfer_facts WHERE seq = NEW.seq
    ON CONFLICT (day, district, department, head_code) DO UPDATE SET
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
    INSERT INTO insight_cohorts (cohort_month, district, department, head_code, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
    SELECT cohort_month, district, department, head_code, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa FROM insight_transfer_facts WHERE seq = NEW.seq
    ON CONFLICT (cohort_month, district, department, head_code) DO UPDATE SET
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

-- What is already in the ledger.
INSERT INTO insight_officer_days (day, district, department, head_code, officer_id, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
SELECT day, district, department, head_code, officer_id, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_transfer_facts GROUP BY day, district, department, head_code, officer_id;
INSERT INTO insight_area_days (day, district, department, head_code, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
SELECT day, district, department, head_code, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_transfer_facts GROUP BY day, district, department, head_code;
INSERT INTO insight_cohorts (cohort_month, district, department, head_code, issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa)
SELECT cohort_month, district, department, head_code, sum(issued_n), sum(issued_paisa), sum(surcharge_paisa), sum(paid_n), sum(paid_paisa), sum(overpaid_paisa), sum(cancelled_n), sum(cancelled_paisa), sum(waived_n), sum(waived_paisa), sum(deposited_n), sum(deposited_paisa) FROM insight_transfer_facts GROUP BY cohort_month, district, department, head_code;
