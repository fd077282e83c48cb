-- Real-name verification. ID numbers and ID photos are sensitive personal information: they
-- are stored only sealed with AES-256-GCM (see src/crypto.rs), beside a masked copy for display.

-- The photos just uploaded and what was read from them, until the user submits.
CREATE TABLE realname_drafts (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    portrait    BLOB NOT NULL,
    emblem      BLOB NOT NULL,
    read_fields BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE realname_submissions (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    submitted_at     INTEGER NOT NULL,
    fields           BLOB NOT NULL,
    -- JSON array of the field names the user typed or changed, for the reviewer.
    typed_fields     TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    name_masked      TEXT NOT NULL,
    portrait         BLOB NOT NULL,
    emblem           BLOB NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_at       INTEGER,
    reason           TEXT
);
CREATE INDEX realname_submissions_by_user ON realname_submissions (user_id, id);
