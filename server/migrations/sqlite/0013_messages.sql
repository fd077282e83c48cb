-- Messages to the driver (消息) and their delivery by SMS: a transactional outbox. The message
-- is written in the transaction that changes the case (or by the daily jobs), so that it is
-- neither lost nor made twice; each channel's delivery is claimed with a lease by one replica.

-- The last day (YYYY-MM-DD, Beijing) to correct a returned case; after it the case is closed.
ALTER TABLE cases ADD COLUMN correct_by TEXT;
-- 办结 of a mailed certificate: the parcel's tracking number, for the driver's message.
ALTER TABLE case_results ADD COLUMN tracking_number TEXT;
-- The driver turned the 换发 reminders off.
ALTER TABLE users ADD COLUMN reminders_off INTEGER NOT NULL DEFAULT 0 CHECK (reminders_off IN (0, 1));

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    -- What the message is once for: a case's change, a day's reminder of a case or certificate.
    dedup_key   TEXT NOT NULL UNIQUE,
    -- What it is about: taxicert_api::MessageKind.
    kind        TEXT NOT NULL,
    -- The SMS template, e.g. taxicert_case_returned.
    template    TEXT NOT NULL,
    -- The template's parameters, JSON: a masked name, a case number, dates, a hall.
    params      TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    case_id     TEXT REFERENCES cases (id),
    certificate_id TEXT,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER);

CREATE INDEX messages_by_user ON messages (user_id, id);

CREATE TABLE message_deliveries (
    id              INTEGER PRIMARY KEY,
    message_id      INTEGER NOT NULL REFERENCES messages (id),
    -- 'sms' (a WeChat subscription message would be another channel).
    channel         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- The replica sending it, until claimed_until (unix seconds): another waits for the lease.
    claimed_by      TEXT,
    claimed_until   INTEGER NOT NULL DEFAULT 0,
    sent_at         INTEGER,
    last_error      TEXT,
    UNIQUE (message_id, channel));

CREATE INDEX message_deliveries_due ON message_deliveries (status, next_attempt_at);
CREATE INDEX cases_returned_by ON cases (status, correct_by);
