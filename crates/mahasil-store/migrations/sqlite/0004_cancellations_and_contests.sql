-- Cancellation requests (maker-checker) and contests (appeals). District and department
-- are copied from the challan so queues filter by scope without a join.

CREATE TABLE cancellation_requests (
    id                    TEXT PRIMARY KEY,
    challan_id            TEXT NOT NULL REFERENCES challans (id),
    challan_no            TEXT NOT NULL,
    district              TEXT NOT NULL,
    department            TEXT NOT NULL,
    reason                TEXT NOT NULL,
    requested_by          TEXT NOT NULL REFERENCES users (id),
    requested_by_username TEXT NOT NULL,
    requested_at          INTEGER NOT NULL,
    state                 TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by            TEXT REFERENCES users (id),
    decided_by_username   TEXT,
    decided_at            INTEGER,
    decision_note         TEXT,
    CHECK ((state = 'pending') = (decided_at IS NULL))
) STRICT;

CREATE UNIQUE INDEX cancellation_requests_one_pending ON cancellation_requests (challan_id) WHERE state = 'pending';
CREATE INDEX cancellation_requests_challan ON cancellation_requests (challan_id, requested_at);
CREATE INDEX cancellation_requests_pending ON cancellation_requests (requested_at) WHERE state = 'pending';

CREATE TABLE contests (
    id                   TEXT PRIMARY KEY,
    challan_id           TEXT NOT NULL REFERENCES challans (id),
    challan_no           TEXT NOT NULL,
    district             TEXT NOT NULL,
    department           TEXT NOT NULL,
    grounds              TEXT NOT NULL,
    recorded_by          TEXT NOT NULL REFERENCES users (id),
    recorded_by_username TEXT NOT NULL,
    recorded_at          INTEGER NOT NULL,
    state                TEXT NOT NULL CHECK (state IN ('open', 'upheld', 'quashed')),
    decided_by           TEXT REFERENCES users (id),
    decided_by_username  TEXT,
    decided_at           INTEGER,
    decision_note        TEXT,
    CHECK ((state = 'open') = (decided_at IS NULL))
) STRICT;

CREATE UNIQUE INDEX contests_one_open ON contests (challan_id) WHERE state = 'open';
CREATE INDEX contests_challan ON contests (challan_id, recorded_at);
CREATE INDEX contests_open ON contests (recorded_at) WHERE state = 'open';
