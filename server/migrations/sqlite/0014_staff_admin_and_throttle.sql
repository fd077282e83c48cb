-- Issue 18: the `admin` role (account management in the console), sign-in throttling that
-- neither tells which usernames exist nor lets a stranger lock a clerk out, and the key that
-- finds a case by the applicant's full name.

-- SQLite cannot change a CHECK constraint: the table is made again with `admin` allowed. The
-- rows that refer to staff (sessions, audit, timeline, decisions) stay; with the foreign keys
-- deferred to the commit, they find their account again in the new table.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE staff_copy AS SELECT id, username, display_name, role, password_hash, failed_logins, locked_until, disabled, created_at FROM staff;
DROP TABLE staff;
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('clerk', 'viewer', 'admin')),
    password_hash TEXT NOT NULL,
    -- No longer used: the counts and locks are in `staff_login_throttle`.
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL
);
INSERT INTO staff (id, username, display_name, role, password_hash, failed_logins, locked_until, disabled, created_at)
    SELECT id, username, display_name, role, password_hash, failed_logins, locked_until, disabled, created_at FROM staff_copy;
DROP TABLE staff_copy;

-- Wrong staff passwords, counted per (username, client address) and per client address, whether
-- the username exists or not. `subject_key` is an HMAC of ('user', username, address) or
-- ('ip', address): no typed username is kept. `staff_id` names the account when the username
-- is one, so that an admin's unlock finds its rows.
CREATE TABLE staff_login_throttle (
    subject_key     BLOB PRIMARY KEY,
    staff_id        INTEGER REFERENCES staff (id),
    failures        INTEGER NOT NULL,
    first_failed_at INTEGER NOT NULL,
    locked_until    INTEGER
);
CREATE INDEX staff_login_throttle_by_staff ON staff_login_throttle (staff_id);

-- An HMAC of the applicant's full name (spaces removed), to find his cases by name without
-- keeping the name in clear; filled at start-up for the submissions from before.
ALTER TABLE realname_submissions ADD COLUMN name_key BLOB;
CREATE INDEX realname_submissions_by_name_key ON realname_submissions (name_key);
