-- Staff users, their role grants over (district, department) pairs, and sessions. A
-- session is stored only as the SHA-256 of its token.

CREATE TABLE users (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);

CREATE TABLE user_grants (
    user_id UUID NOT NULL REFERENCES users (id),
    position INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'treasury', 'auditor', 'admin')),
    district TEXT REFERENCES jurisdictions (slug),
    department TEXT REFERENCES departments (slug),
    PRIMARY KEY (user_id, position)
);

CREATE TABLE sessions (
    token_sha256 BYTEA PRIMARY KEY CHECK (length(token_sha256) = 32),
    user_id UUID NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('api', 'web')),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);
