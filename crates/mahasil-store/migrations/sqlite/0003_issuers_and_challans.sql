-- Issuers (server nodes and field devices), the challans they number, and each challan's
-- history of events.

CREATE TABLE issuers (
    issuer_no    INTEGER PRIMARY KEY CHECK (issuer_no BETWEEN 100000 AND 999999),
    kind         TEXT NOT NULL CHECK (kind IN ('node', 'device')),
    name         TEXT NOT NULL UNIQUE,
    last_counter INTEGER NOT NULL DEFAULT 0 CHECK (last_counter BETWEEN 0 AND 99999999),
    created_at   INTEGER NOT NULL
) STRICT;

-- `seq` orders challans newest first and is the search cursor; it is never reused.
CREATE TABLE challans (
    seq                    INTEGER PRIMARY KEY AUTOINCREMENT,
    id                     TEXT NOT NULL UNIQUE,
    challan_no             TEXT NOT NULL UNIQUE CHECK (length(challan_no) = 15),
    issuer_no              INTEGER NOT NULL REFERENCES issuers (issuer_no),
    counter                INTEGER NOT NULL CHECK (counter BETWEEN 1 AND 99999999),
    status                 TEXT NOT NULL CHECK (status IN ('issued', 'contested', 'paid', 'cancelled', 'waived')),
    head_code              TEXT NOT NULL REFERENCES revenue_heads (code),
    department             TEXT NOT NULL REFERENCES departments (slug),
    schedule_version       INTEGER NOT NULL,
    district               TEXT NOT NULL REFERENCES jurisdictions (slug),
    officer_id             TEXT NOT NULL REFERENCES users (id),
    officer_username       TEXT NOT NULL,
    offender_name          TEXT NOT NULL,
    cnic                   TEXT NOT NULL,
    mobile                 TEXT NOT NULL,
    email                  TEXT,
    vehicle_no             TEXT,
    business_name          TEXT,
    address                TEXT,
    lat                    REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon                    REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    location_text          TEXT NOT NULL,
    issued_at              INTEGER NOT NULL,
    issued_on              TEXT NOT NULL,
    received_at            INTEGER NOT NULL,
    amount_paisa           INTEGER NOT NULL CHECK (amount_paisa > 0),
    amount_after_due_paisa INTEGER NOT NULL CHECK (amount_after_due_paisa >= amount_paisa),
    due_date               TEXT NOT NULL,
    UNIQUE (issuer_no, counter),
    FOREIGN KEY (head_code, schedule_version) REFERENCES fee_schedules (head_code, version)
) STRICT;

-- Each index ends (implicitly, through the rowid) in `seq`, so an equality filter reads
-- its matches already in cursor order and a page stops after `limit` rows.
CREATE INDEX challans_cnic ON challans (cnic);
CREATE INDEX challans_mobile ON challans (mobile);
CREATE INDEX challans_vehicle ON challans (vehicle_no) WHERE vehicle_no IS NOT NULL;
CREATE INDEX challans_status ON challans (status);
CREATE INDEX challans_district_department ON challans (district, department);
CREATE INDEX challans_head ON challans (head_code);
CREATE INDEX challans_officer ON challans (officer_id);
CREATE INDEX challans_issued_on ON challans (issued_on);
CREATE INDEX challans_open_due ON challans (due_date) WHERE status IN ('issued', 'contested');

CREATE TABLE challan_events (
    seq        INTEGER PRIMARY KEY,
    challan_id TEXT NOT NULL REFERENCES challans (id),
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('issued', 'cancellation_requested', 'cancellation_rejected', 'cancelled', 'contested', 'upheld', 'quashed')),
    actor      TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('issued', 'contested', 'paid', 'cancelled', 'waived')),
    note       TEXT
) STRICT;

CREATE INDEX challan_events_challan ON challan_events (challan_id);

-- History is never rewritten: corrections are new events.
CREATE TRIGGER challan_events_no_update BEFORE UPDATE ON challan_events
BEGIN
    SELECT RAISE(ABORT, 'challan events are append-only');
END;

CREATE TRIGGER challan_events_no_delete BEFORE DELETE ON challan_events
BEGIN
    SELECT RAISE(ABORT, 'challan events are append-only');
END;

CREATE TRIGGER challans_no_delete BEFORE DELETE ON challans
BEGIN
    SELECT RAISE(ABORT, 'challans are never deleted');
END;
