-- Casework: the case timeline, correction and withdrawal, results and vouchers, and the
-- staff (业务办理人员) who work the queues.

-- Staff accounts, created with `taxicert-server staff add`. Passwords are Argon2id PHC
-- strings; `failed_logins` counts wrong passwords since the last success, and the account
-- is locked until `locked_until` (Unix seconds) after too many.
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('clerk', 'viewer')),
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL
);

-- Staff sessions, apart from the drivers': another cookie, another table, so that a driver's
-- session can never reach a staff endpoint.
CREATE TABLE staff_sessions (
    token_hash   BLOB PRIMARY KEY,
    staff_id     INTEGER NOT NULL REFERENCES staff (id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

ALTER TABLE audit_log ADD COLUMN staff_id INTEGER REFERENCES staff (id);
-- A case number, or `realname:{submission id}`.
ALTER TABLE audit_log ADD COLUMN subject TEXT;
CREATE INDEX audit_log_by_subject ON audit_log (subject, at);

ALTER TABLE realname_submissions ADD COLUMN decided_by INTEGER REFERENCES staff (id);

-- When the status last changed, and when the driver last opened the case: a change he has
-- not seen is the badge of 我的办件.
ALTER TABLE cases ADD COLUMN status_changed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET status_changed_at = submitted_at, seen_at = submitted_at;
-- Unix seconds of 受理, once accepted.
ALTER TABLE cases ADD COLUMN accepted_at INTEGER;
-- While `returned`: the clerk's `Correction` as JSON (field names, material codes and the
-- reason; nothing of the driver's), and the status the case goes back to when resubmitted.
ALTER TABLE cases ADD COLUMN correction TEXT;
ALTER TABLE cases ADD COLUMN returned_from TEXT CHECK (returned_from IN ('submitted', 'accepted'));
-- The Idempotency-Key of the latest resubmission.
ALTER TABLE cases ADD COLUMN resubmission_key TEXT;

-- The timeline: one row per change of a case. `staff_id` is null for the driver's own.
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases (id),
    at       INTEGER NOT NULL,
    event    TEXT NOT NULL CHECK (event IN ('submitted', 'accepted', 'returned', 'resubmitted', 'completed', 'refused', 'withdrawn')),
    note     TEXT,
    staff_id INTEGER REFERENCES staff (id)
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);
INSERT INTO case_events (case_id, at, event) SELECT id, submitted_at, 'submitted' FROM cases;

-- 办结: what the business produced, and the voucher's public code (random, unguessable).
CREATE TABLE case_results (
    case_id            TEXT PRIMARY KEY REFERENCES cases (id),
    completed_at       INTEGER NOT NULL,
    certificate_number TEXT NOT NULL,
    -- YYYY-MM-DD, for 换发.
    valid_until        TEXT,
    credit_grade       TEXT,
    note               TEXT NOT NULL,
    voucher_code       TEXT NOT NULL UNIQUE,
    -- For the public check: nothing else personal is shown there.
    holder_name_masked TEXT NOT NULL
);
