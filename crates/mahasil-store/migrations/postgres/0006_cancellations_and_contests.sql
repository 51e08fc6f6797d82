-- Cancellation requests (maker-checker) and contests of challans. At most one pending
-- request and one open contest per challan.

CREATE TABLE cancellation_requests (
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id UUID PRIMARY KEY,
    challan_id UUID NOT NULL REFERENCES challans (id),
    reason TEXT NOT NULL,
    requested_by UUID NOT NULL,
    requested_by_username TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by UUID,
    decided_by_username TEXT,
    decided_at TIMESTAMPTZ,
    decision_note TEXT,
    CONSTRAINT cancellation_requests_decision_shape CHECK ((state = 'pending') = (decided_at IS NULL))
);

CREATE UNIQUE INDEX cancellation_requests_one_pending ON cancellation_requests (challan_id) WHERE state = 'pending';
CREATE INDEX cancellation_requests_challan ON cancellation_requests (challan_id, seq);
CREATE INDEX cancellation_requests_pending ON cancellation_requests (seq) WHERE state = 'pending';

CREATE TABLE contests (
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id UUID PRIMARY KEY,
    challan_id UUID NOT NULL REFERENCES challans (id),
    grounds TEXT NOT NULL,
    recorded_by UUID NOT NULL,
    recorded_by_username TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'upheld', 'quashed')),
    decided_by UUID,
    decided_by_username TEXT,
    decided_at TIMESTAMPTZ,
    decision_note TEXT,
    CONSTRAINT contests_decision_shape CHECK ((state = 'open') = (decided_at IS NULL))
);

CREATE UNIQUE INDEX contests_one_open ON contests (challan_id) WHERE state = 'open';
CREATE INDEX contests_challan ON contests (challan_id, seq);
CREATE INDEX contests_open ON contests (seq) WHERE state = 'open';
