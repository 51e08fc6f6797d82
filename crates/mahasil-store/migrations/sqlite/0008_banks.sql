-- Banks that collect bills through the bank API, with the secret each signs requests with.
-- Rows are updated (name, active, a new secret) and never deleted: payments name them.

CREATE TABLE banks (
    mnemonic   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    secret     TEXT NOT NULL,
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TRIGGER banks_never_deleted BEFORE DELETE ON banks
BEGIN SELECT RAISE(ABORT, 'banks are never deleted'); END;
