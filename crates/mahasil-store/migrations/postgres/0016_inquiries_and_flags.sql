-- What the anomaly rules read besides the rollups, and what they find (issue 7).
--
-- `bill_inquiries`: every bank bill inquiry that named a known challan, kept so an auditor
-- can see that someone was about to pay before the issuing officer asked to cancel it.
-- Append-only; read by challan and by time.
CREATE TABLE bill_inquiries (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    challan_no TEXT NOT NULL,
    bank TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);

CREATE INDEX bill_inquiries_challan ON bill_inquiries (challan_no, at);
CREATE INDEX bill_inquiries_at ON bill_inquiries (at);

CREATE TRIGGER bill_inquiries_no_change BEFORE UPDATE OR DELETE ON bill_inquiries
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- A lead for an auditor: found by a scan, kept once per `key` (the same lead found again
-- is the same row), and closed by an auditor who acknowledges it (worth following) or
-- dismisses it (explained), always with a reason. The decision is also in the audit log.
CREATE TABLE insight_flags (
    id UUID PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    district TEXT NOT NULL,
    department TEXT,
    score DOUBLE PRECISION NOT NULL,
    evidence JSONB NOT NULL,
    summary_en TEXT NOT NULL,
    summary_ur TEXT NOT NULL,
    challans JSONB NOT NULL,
    found_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'dismissed')),
    decided_by UUID,
    decided_by_username TEXT,
    decided_at TIMESTAMPTZ,
    reason TEXT,
    CONSTRAINT insight_flags_decided CHECK ((state = 'open') = (decided_at IS NULL)),
    CONSTRAINT insight_flags_reason CHECK ((state = 'open') OR (reason IS NOT NULL AND length(reason) > 0))
);

CREATE INDEX insight_flags_open ON insight_flags (found_at) WHERE state = 'open';
CREATE INDEX insight_flags_district ON insight_flags (district, found_at);

CREATE FUNCTION insight_flags_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'flags are never removed; dismiss them with a reason';
    END IF;
    IF OLD.state <> 'open' THEN
        RAISE EXCEPTION 'a flag is decided once';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER insight_flags_decided_once BEFORE UPDATE OR DELETE ON insight_flags
    FOR EACH ROW EXECUTE FUNCTION insight_flags_decided_once();
