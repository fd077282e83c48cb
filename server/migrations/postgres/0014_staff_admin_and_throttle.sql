-- Issue 18: the `admin` role (account management in the console), sign-in throttling that
-- neither tells which usernames exist nor lets a stranger lock a clerk out, and the key that
-- finds a case by the applicant's full name. (SQLite's 0014 says the same at more length.)

ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('clerk', 'viewer', 'admin'));

CREATE TABLE staff_login_throttle (
    subject_key     BYTEA PRIMARY KEY,
    staff_id        BIGINT REFERENCES staff (id),
    failures        BIGINT NOT NULL,
    first_failed_at BIGINT NOT NULL,
    locked_until    BIGINT
);
CREATE INDEX staff_login_throttle_by_staff ON staff_login_throttle (staff_id);

ALTER TABLE realname_submissions ADD COLUMN name_key BYTEA;
CREATE INDEX realname_submissions_by_name_key ON realname_submissions (name_key);
