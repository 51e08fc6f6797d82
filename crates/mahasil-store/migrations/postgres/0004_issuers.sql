-- Issuers: every server node and enrolled field device numbers its own challans.

CREATE TABLE issuers (
    issuer_no INTEGER PRIMARY KEY CHECK (issuer_no BETWEEN 100000 AND 999999),
    kind TEXT NOT NULL CHECK (kind IN ('node', 'device')),
    name TEXT NOT NULL,
    last_counter INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT issuers_name_key UNIQUE (name),
    CONSTRAINT issuers_counter_exhausted CHECK (last_counter BETWEEN 0 AND 99999999)
);
