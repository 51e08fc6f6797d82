-- Challans and their history. `seq` is the search cursor: every search filter has an
-- index ending in `seq DESC` so a page is read newest first without sorting.

CREATE TABLE challans (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id UUID NOT NULL,
    challan_no TEXT NOT NULL CHECK (challan_no ~ '^[0-9]{15}$'),
    issuer_no INTEGER NOT NULL REFERENCES issuers (issuer_no),
    counter INTEGER NOT NULL CHECK (counter BETWEEN 1 AND 99999999),
    status TEXT NOT NULL CHECK (status IN ('issued', 'contested', 'paid', 'cancelled', 'waived')),
    head_code TEXT NOT NULL REFERENCES revenue_heads (code),
    department TEXT NOT NULL REFERENCES departments (slug),
    schedule_version INTEGER NOT NULL,
    district TEXT NOT NULL REFERENCES jurisdictions (slug),
    officer_id UUID NOT NULL REFERENCES users (id),
    officer_username TEXT NOT NULL,
    offender_name TEXT NOT NULL,
    cnic TEXT NOT NULL,
    mobile TEXT NOT NULL,
    email TEXT,
    vehicle_no TEXT,
    business_name TEXT,
    address TEXT,
    lat DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon DOUBLE PRECISION NOT NULL CHECK (lon BETWEEN -180 AND 180),
    location_text TEXT NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL,
    issued_on DATE NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    amount_paisa BIGINT NOT NULL,
    amount_after_due_paisa BIGINT NOT NULL,
    due_date DATE NOT NULL,
    CONSTRAINT challans_id_key UNIQUE (id),
    CONSTRAINT challans_challan_no_key UNIQUE (challan_no),
    CONSTRAINT challans_issuer_counter_key UNIQUE (issuer_no, counter),
    CONSTRAINT challans_schedule_fkey FOREIGN KEY (head_code, schedule_version) REFERENCES fee_schedules (head_code, version),
    CONSTRAINT challans_amount_positive CHECK (amount_paisa > 0),
    CONSTRAINT challans_after_due_not_less CHECK (amount_after_due_paisa >= amount_paisa)
);

CREATE INDEX challans_cnic ON challans (cnic, seq DESC);
CREATE INDEX challans_mobile ON challans (mobile, seq DESC);
CREATE INDEX challans_vehicle ON challans (vehicle_no, seq DESC) WHERE vehicle_no IS NOT NULL;
CREATE INDEX challans_status ON challans (status, seq DESC);
CREATE INDEX challans_district_department ON challans (district, department, seq DESC);
CREATE INDEX challans_department ON challans (department, seq DESC);
CREATE INDEX challans_head ON challans (head_code, seq DESC);
CREATE INDEX challans_officer ON challans (officer_id, seq DESC);
CREATE INDEX challans_issued_on ON challans (issued_on, seq DESC);
CREATE INDEX challans_open_due ON challans (due_date, seq DESC) WHERE status IN ('issued', 'contested');

CREATE TABLE challan_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    challan_id UUID NOT NULL REFERENCES challans (id),
    at TIMESTAMPTZ NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('issued', 'contested', 'paid', 'cancelled', 'waived')),
    note TEXT
);

CREATE INDEX challan_events_challan ON challan_events (challan_id, id);

CREATE TRIGGER challan_events_no_update BEFORE UPDATE OR DELETE ON challan_events
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
