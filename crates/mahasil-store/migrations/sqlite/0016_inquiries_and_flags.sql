-- What the anomaly rules read besides the rollups, and what they find (issue 7).
--
-- `bill_inquiries`: every bank bill inquiry that named a known challan, kept so an auditor
-- can see that someone was about to pay before the issuing officer asked to cancel it.
-- Append-only; read by challan and by time.
CREATE TABLE bill_inquiries (
    seq        INTEGER PRIMARY KEY,
    challan_no TEXT NOT NULL,
    bank       TEXT NOT NULL,
    at         INTEGER NOT NULL
) STRICT;

CREATE INDEX bill_inquiries_challan ON bill_inquiries (challan_no, at);
CREATE INDEX bill_inquiries_at ON bill_inquiries (at);

CREATE TRIGGER bill_inquiries_never_changed BEFORE UPDATE ON bill_inquiries
BEGIN SELECT RAISE(ABORT, 'bill inquiries are never changed'); END;
CREATE TRIGGER bill_inquiries_never_deleted BEFORE DELETE ON bill_inquiries
BEGIN SELECT RAISE(ABORT, 'bill inquiries are never removed'); END;

-- A lead for an auditor: found by a scan, kept once per `key` (the same lead found again
-- is the same row), and closed by an auditor who acknowledges it (worth following) or
-- dismisses it (explained), always with a reason. The decision is also in the audit log.
CREATE TABLE insight_flags (
    id                  TEXT PRIMARY KEY,
    key                 TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL,
    subject             TEXT NOT NULL,
    district            TEXT NOT NULL,
    department          TEXT,
    score               REAL NOT NULL,
    evidence            TEXT NOT NULL,
    summary_en          TEXT NOT NULL,
    summary_ur          TEXT NOT NULL,
    challans            TEXT NOT NULL,
    found_at            INTEGER NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'dismissed')),
    decided_by          TEXT,
    decided_by_username TEXT,
    decided_at          INTEGER,
    reason              TEXT,
    CHECK ((state = 'open') = (decided_at IS NULL)),
    CHECK ((state = 'open') OR (reason IS NOT NULL AND length(reason) > 0))
) STRICT;

CREATE INDEX insight_flags_open ON insight_flags (found_at) WHERE state = 'open';
CREATE INDEX insight_flags_district ON insight_flags (district, found_at);

CREATE TRIGGER insight_flags_never_deleted BEFORE DELETE ON insight_flags
BEGIN SELECT RAISE(ABORT, 'flags are never removed; dismiss them with a reason'); END;
-- Once decided, a flag stays decided.
CREATE TRIGGER insight_flags_decided_once BEFORE UPDATE ON insight_flags
WHEN OLD.state <> 'open'
BEGIN SELECT RAISE(ABORT, 'a flag is decided once'); END;
