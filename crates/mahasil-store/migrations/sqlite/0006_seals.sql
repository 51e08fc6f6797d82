-- Seals: each challan's signed QR content, the signed trust list of signing keys (one row
-- per version, never changed), and the revocation list of cancelled challans (its `seq`
-- is the list's version).

ALTER TABLE challans ADD COLUMN seal BLOB;

CREATE TABLE trust_lists (
    version    INTEGER PRIMARY KEY CHECK (version >= 1),
    document   BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE revocations (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    challan_no TEXT NOT NULL UNIQUE REFERENCES challans (challan_no),
    revoked_at INTEGER NOT NULL
) STRICT;

CREATE TRIGGER trust_lists_never_updated BEFORE UPDATE ON trust_lists
BEGIN SELECT RAISE(ABORT, 'trust list versions are never changed'); END;
CREATE TRIGGER trust_lists_never_deleted BEFORE DELETE ON trust_lists
BEGIN SELECT RAISE(ABORT, 'trust list versions are never deleted'); END;
CREATE TRIGGER revocations_never_updated BEFORE UPDATE ON revocations
BEGIN SELECT RAISE(ABORT, 'revocations are never changed'); END;
CREATE TRIGGER revocations_never_deleted BEFORE DELETE ON revocations
BEGIN SELECT RAISE(ABORT, 'revocations are never deleted'); END;
