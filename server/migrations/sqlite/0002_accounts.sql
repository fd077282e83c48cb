-- Accounts: users known by their phone number, SMS login codes (stored as HMACs), sessions
-- (stored as token hashes) and the audit log. Times are Unix seconds.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    phone           TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    realname_status TEXT NOT NULL DEFAULT 'none'
                    CHECK (realname_status IN ('none', 'pending', 'approved', 'rejected'))
);

CREATE TABLE sms_codes (
    id           INTEGER PRIMARY KEY,
    phone        TEXT NOT NULL,
    code_mac     BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    failed_tries INTEGER NOT NULL DEFAULT 0,
    -- Used, voided after too many wrong tries, or replaced by a newer code.
    spent        INTEGER NOT NULL DEFAULT 0 CHECK (spent IN (0, 1)),
    client_ip    TEXT NOT NULL
);
CREATE INDEX sms_codes_by_phone ON sms_codes (phone, created_at);
CREATE INDEX sms_codes_by_ip ON sms_codes (client_ip, created_at);

CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    user_id      INTEGER REFERENCES users (id),
    phone_masked TEXT,
    event        TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    client_ip    TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at);
