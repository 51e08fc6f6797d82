-- Seals: each challan's signed QR content, the signed trust list of signing keys (one row
-- per version, never changed), and the revocation list of cancelled challans (its `seq`
-- is the list's version).

ALTER TABLE challans ADD COLUMN seal BYTEA;

CREATE TABLE trust_lists (
    version INTEGER PRIMARY KEY CHECK (version >= 1),
    document BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE revocations (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    challan_no TEXT NOT NULL REFERENCES challans (challan_no),
    revoked_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT revocations_challan_no_key UNIQUE (challan_no)
);

CREATE TRIGGER trust_lists_no_update BEFORE UPDATE OR DELETE ON trust_lists
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER trust_lists_no_truncate BEFORE TRUNCATE ON trust_lists
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
CREATE TRIGGER revocations_no_update BEFORE UPDATE OR DELETE ON revocations
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER revocations_no_truncate BEFORE TRUNCATE ON revocations
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
