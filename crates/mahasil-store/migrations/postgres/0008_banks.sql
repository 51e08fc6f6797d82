-- Banks that collect bills through the bank API, with the secret each signs requests with.
-- Rows are updated (name, active, a new secret) and never deleted: payments name them.

CREATE TABLE banks (
    mnemonic TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TRIGGER banks_never_deleted BEFORE DELETE ON banks
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
