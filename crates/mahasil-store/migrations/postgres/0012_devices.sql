-- Field devices (docs/SYNC.md): each enrolled for one officer, with its own P-256 key and
-- issuer number; the ops they push, each stored once under its op id so a replay gets the
-- first answer again (the signed payload and signature kept as the device's evidence);
-- the flags raised about them; and the nonces of their signed requests (kept an hour).
-- Ops and flags are never changed or removed, like the ledger.

CREATE TABLE devices (
    id UUID PRIMARY KEY,
    issuer_no INTEGER NOT NULL REFERENCES issuers (issuer_no),
    officer_id UUID NOT NULL REFERENCES users (id),
    label TEXT NOT NULL,
    public_key BYTEA NOT NULL CHECK (length(public_key) = 65),
    kid TEXT NOT NULL CHECK (kid ~ '^[0-9a-f]{16}$'),
    enrolled_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    revoked_at TIMESTAMPTZ,
    compromised_from TIMESTAMPTZ,
    revoke_reason TEXT,
    cloned BOOLEAN NOT NULL DEFAULT FALSE,
    last_sync_at TIMESTAMPTZ,
    last_counter_received INTEGER NOT NULL DEFAULT 0 CHECK (last_counter_received BETWEEN 0 AND 99999999),
    CONSTRAINT devices_issuer_no_key UNIQUE (issuer_no),
    CONSTRAINT devices_public_key_key UNIQUE (public_key),
    CONSTRAINT devices_kid_key UNIQUE (kid),
    CONSTRAINT devices_revocation_complete
        CHECK ((status = 'revoked') = (revoked_at IS NOT NULL AND compromised_from IS NOT NULL AND revoke_reason IS NOT NULL))
);

-- Refuses a change with the trigger's first argument as the message; the constraint name
-- is the trigger's, so the store can say what was protected.
CREATE FUNCTION refuse_device_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = TG_NAME;
END;
$$;

CREATE TRIGGER devices_never_deleted BEFORE DELETE ON devices
    FOR EACH ROW EXECUTE FUNCTION refuse_device_change('devices are never removed; revoke one instead');
CREATE TRIGGER devices_never_truncated BEFORE TRUNCATE ON devices
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_device_change('devices are never removed; revoke one instead');
CREATE TRIGGER devices_identity_fixed BEFORE UPDATE OF id, issuer_no, officer_id, public_key, kid, enrolled_at ON devices
    FOR EACH ROW
    WHEN (NEW.id <> OLD.id OR NEW.issuer_no <> OLD.issuer_no OR NEW.officer_id <> OLD.officer_id OR NEW.public_key <> OLD.public_key
          OR NEW.kid <> OLD.kid OR NEW.enrolled_at <> OLD.enrolled_at)
    EXECUTE FUNCTION refuse_device_change('a device''s identity, key and enrolment never change');
CREATE TRIGGER devices_revocation_final BEFORE UPDATE OF status, revoked_at, compromised_from, revoke_reason ON devices
    FOR EACH ROW
    WHEN (OLD.status = 'revoked' AND (NEW.status, NEW.revoked_at, NEW.compromised_from, NEW.revoke_reason)
          IS DISTINCT FROM (OLD.status, OLD.revoked_at, OLD.compromised_from, OLD.revoke_reason))
    EXECUTE FUNCTION refuse_device_change('a revoked device stays revoked as it was');
CREATE TRIGGER devices_cloned_final BEFORE UPDATE OF cloned ON devices
    FOR EACH ROW WHEN (OLD.cloned AND NOT NEW.cloned)
    EXECUTE FUNCTION refuse_device_change('a device marked cloned stays marked');

-- One row per op id. Only the lookups of ingest are indexed: the op id (the key), and a
-- device's ops by counter (chain neighbours, gaps, counts).
CREATE TABLE sync_ops (
    op_id UUID PRIMARY KEY,
    device_id UUID NOT NULL REFERENCES devices (id),
    -- The counter the op claims; NULL when its payload could not be read.
    counter BIGINT,
    op_hash BYTEA NOT NULL CHECK (length(op_hash) = 32),
    prev_hash BYTEA CHECK (prev_hash IS NULL OR length(prev_hash) = 32),
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    -- The challan an accepted op stored.
    challan_no TEXT,
    reason TEXT,
    signed_payload TEXT NOT NULL,
    sig BYTEA NOT NULL,
    -- The device's clock, when the payload said.
    issued_at TIMESTAMPTZ,
    received_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT sync_ops_accepted_has_challan CHECK ((status = 'accepted') = (challan_no IS NOT NULL AND reason IS NULL)),
    CONSTRAINT sync_ops_rejected_has_reason CHECK (status = 'accepted' OR reason IS NOT NULL)
);

CREATE INDEX sync_ops_device_counter ON sync_ops (device_id, counter);

CREATE TRIGGER sync_ops_no_update BEFORE UPDATE OR DELETE ON sync_ops
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER sync_ops_no_truncate BEFORE TRUNCATE ON sync_ops
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

CREATE TABLE device_flags (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id UUID NOT NULL REFERENCES devices (id),
    op_id UUID,
    challan_no TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('clock_ahead', 'clock_before_enrolment', 'clock_went_back', 'chain_broken', 'cloned', 'op_id_reused')),
    detail TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);

CREATE INDEX device_flags_device ON device_flags (device_id, seq);

CREATE TRIGGER device_flags_no_update BEFORE UPDATE OR DELETE ON device_flags
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER device_flags_no_truncate BEFORE TRUNCATE ON device_flags
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

CREATE TABLE sync_nonces (
    device_id UUID NOT NULL REFERENCES devices (id),
    nonce TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    CONSTRAINT sync_nonces_pkey PRIMARY KEY (device_id, nonce)
);
