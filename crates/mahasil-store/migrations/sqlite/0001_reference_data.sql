-- Reference data: the jurisdiction tree, departments, revenue heads and their versioned,
-- immutable fee schedules.

CREATE TABLE jurisdictions (
    slug        TEXT PRIMARY KEY,
    level       TEXT NOT NULL CHECK (level IN ('province', 'division', 'district', 'tehsil')),
    parent_slug TEXT REFERENCES jurisdictions (slug),
    name_en     TEXT NOT NULL,
    name_ur     TEXT NOT NULL
) STRICT;

CREATE INDEX jurisdictions_parent ON jurisdictions (parent_slug);

CREATE TABLE departments (
    slug    TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_ur TEXT NOT NULL
) STRICT;

CREATE TABLE revenue_heads (
    code         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('fine', 'tax', 'fee')),
    department   TEXT NOT NULL REFERENCES departments (slug),
    title_en     TEXT NOT NULL,
    title_ur     TEXT NOT NULL,
    legal_basis  TEXT NOT NULL,
    account_code TEXT NOT NULL,
    active       INTEGER NOT NULL CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE fee_schedules (
    head_code              TEXT NOT NULL REFERENCES revenue_heads (code),
    version                INTEGER NOT NULL CHECK (version >= 1),
    amount_type            TEXT NOT NULL CHECK (amount_type IN ('fixed', 'range')),
    amount_paisa           INTEGER CHECK (amount_paisa > 0),
    min_paisa              INTEGER CHECK (min_paisa > 0),
    max_paisa              INTEGER CHECK (max_paisa >= min_paisa),
    due_days               INTEGER NOT NULL CHECK (due_days BETWEEN 1 AND 366),
    after_due_type         TEXT NOT NULL CHECK (after_due_type IN ('same', 'fixed', 'surcharge_bp')),
    after_due_paisa        INTEGER CHECK (after_due_paisa > 0),
    after_due_basis_points INTEGER CHECK (after_due_basis_points BETWEEN 0 AND 10000),
    effective_from         TEXT NOT NULL,
    PRIMARY KEY (head_code, version),
    CHECK ((amount_type = 'fixed' AND amount_paisa IS NOT NULL AND min_paisa IS NULL AND max_paisa IS NULL)
        OR (amount_type = 'range' AND amount_paisa IS NULL AND min_paisa IS NOT NULL AND max_paisa IS NOT NULL)),
    CHECK ((after_due_type = 'same' AND after_due_paisa IS NULL AND after_due_basis_points IS NULL)
        OR (after_due_type = 'fixed' AND after_due_paisa IS NOT NULL AND after_due_basis_points IS NULL)
        OR (after_due_type = 'surcharge_bp' AND after_due_paisa IS NULL AND after_due_basis_points IS NOT NULL))
) STRICT;

-- A schedule once stored is what challans were priced by: a change is a new version.
CREATE TRIGGER fee_schedules_no_update BEFORE UPDATE ON fee_schedules
BEGIN
    SELECT RAISE(ABORT, 'fee schedules are immutable; add a new version');
END;

CREATE TRIGGER fee_schedules_no_delete BEFORE DELETE ON fee_schedules
BEGIN
    SELECT RAISE(ABORT, 'fee schedules are immutable; add a new version');
END;
