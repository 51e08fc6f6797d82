-- Field devices (docs/SYNC.md): each enrolled for one officer, with its own P-256 key and
-- issuer number; the ops they push, each stored once under its op id so a replay gets the
-- first answer again (the signed payload and signature kept as the device's evidence);
-- the flags raised about them; and the nonces of their signed requests (kept an hour).
-- Ops and flags are never changed or removed, like the ledger.

CREATE TABLE devices (
    id                    TEXT PRIMARY KEY,
    issuer_no             INTEGER NOT NULL UNIQUE REFERENCES issuers (issuer_no),
    officer_id            TEXT NOT NULL REFERENCES users (id),
    label                 TEXT NOT NULL,
    public_key            BLOB NOT NULL UNIQUE CHECK (length(public_key) = 65),
    kid                   TEXT NOT NULL UNIQUE CHECK (length(kid) = 16),
    enrolled_at           INTEGER NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    revoked_at            INTEGER,
    compromised_from      INTEGER,
    revoke_reason         TEXT,
    cloned                INTEGER NOT NULL DEFAULT 0 CHECK (cloned IN (0, 1)),
    last_sync_at          INTEGER,
    last_counter_received INTEGER NOT NULL DEFAULT 0 CHECK (last_counter_received BETWEEN 0 AND 99999999),
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL AND compromised_from IS NOT NULL AND revoke_reason IS NOT NULL))
) STRICT;

CREATE TRIGGER devices_never_deleted BEFORE DELETE ON devices
BEGIN SELECT RAISE(ABORT, 'devices are never removed; revoke one instead'); END;
CREATE TRIGGER devices_identity_fixed BEFORE UPDATE OF id, issuer_no, officer_id, public_key, kid, enrolled_at ON devices
BEGIN SELECT RAISE(ABORT, 'a device''s identity, key and enrolment never change'); END;
CREATE TRIGGER devices_revocation_final BEFORE UPDATE OF status, revoked_at, compromised_from, revoke_reason ON devices
WHEN OLD.status = 'revoked'
BEGIN SELECT RAISE(ABORT, 'a revoked device stays revoked as it was'); END;
CREATE TRIGGER devices_cloned_final BEFORE UPDATE OF cloned ON devices
WHEN OLD.cloned = 1 AND NEW.cloned = 0
BEGIN SELECT RAISE(ABORT, 'a device marked cloned stays marked'); END;

-- One row per op id. Only the lookups of ingest are indexed: the op id (the key), and a
-- device's ops by counter (chain neighbours, gaps, counts).
CREATE TABLE sync_ops (
    op_id          TEXT PRIMARY KEY,
    device_id      TEXT NOT NULL REFERENCES devices (id),
    -- The counter the op claims; NULL when its payload could not be read.
    counter        INTEGER,
    op_hash        BLOB NOT NULL CHECK (length(op_hash) = 32),
    prev_hash      BLOB CHECK (prev_hash IS NULL OR length(prev_hash) = 32),
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    -- The challan an accepted op stored.
    challan_no     TEXT,
    reason         TEXT,
    signed_payload TEXT NOT NULL,
    sig            BLOB NOT NULL,
    -- The device's clock, when the payload said.
    issued_at      INTEGER,
    received_at    INTEGER NOT NULL,
    CHECK ((status = 'accepted') = (challan_no IS NOT NULL AND reason IS NULL)),
    CHECK (status = 'accepted' OR reason IS NOT NULL)
) STRICT;

CREATE INDEX sync_ops_device_counter ON sync_ops (device_id, counter);

CREATE TRIGGER sync_ops_never_updated BEFORE UPDATE ON sync_ops
BEGIN SELECT RAISE(ABORT, 'sync ops are never changed: the first answer stands'); END;
CREATE TRIGGER sync_ops_never_deleted BEFORE DELETE ON sync_ops
BEGIN SELECT RAISE(ABORT, 'sync ops are never removed: the first answer stands'); END;

CREATE TABLE device_flags (
    seq        INTEGER PRIMARY KEY,
    device_id  TEXT NOT NULL REFERENCES devices (id),
    op_id      TEXT,
    challan_no TEXT,
    kind       TEXT NOT NULL CHECK (kind IN ('clock_ahead', 'clock_before_enrolment', 'clock_went_back', 'chain_broken', 'cloned', 'op_id_reused')),
    detail     TEXT NOT NULL,
    at         INTEGER NOT NULL
) STRICT;

CREATE INDEX device_flags_device ON device_flags (device_id, seq);

CREATE TRIGGER device_flags_never_updated BEFORE UPDATE ON device_flags
BEGIN SELECT RAISE(ABORT, 'device flags are never changed'); END;
CREATE TRIGGER device_flags_never_deleted BEFORE DELETE ON device_flags
BEGIN SELECT RAISE(ABORT, 'device flags are never removed'); END;

-- A device's nonces are few (an hour of requests), so deleting the old ones scans only
-- that device's part of the key.
CREATE TABLE sync_nonces (
    device_id TEXT NOT NULL REFERENCES devices (id),
    nonce     TEXT NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce)
) STRICT, WITHOUT ROWID;
