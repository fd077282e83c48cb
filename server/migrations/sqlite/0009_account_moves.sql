-- One person, one account (see src/account_move.rs): an ID number verified on one account
-- cannot be verified on another; the driver moves his verified account to his new phone
-- number instead. Accounts that already shared an ID number before this migration stay as
-- they are (the server logs how many at start-up).

-- The HMAC of the submitted ID number (`certificate-holder`, the same key as
-- `users.holder_key`), so that an approval can find another account verified with it.
-- Filled at submission; older rows are filled at start-up.
ALTER TABLE realname_submissions ADD COLUMN holder_key BLOB;
CREATE INDEX realname_submissions_by_holder ON realname_submissions (holder_key);
CREATE INDEX users_by_holder ON users (holder_key);

-- An account closed by a move: its phone number went to the account it was moved into, and
-- `phone` holds `moved:{id}`, which can never be a phone number. Its audit entries stay.
ALTER TABLE users ADD COLUMN moved_into INTEGER REFERENCES users (id);

CREATE TABLE account_moves (
    id               INTEGER PRIMARY KEY,
    -- The verified account, which gets the new phone number.
    from_user_id     INTEGER NOT NULL REFERENCES users (id),
    -- The new phone number's account (unverified), which is closed by the move.
    to_user_id       INTEGER NOT NULL REFERENCES users (id),
    status           TEXT NOT NULL
                     CHECK (status IN ('sms_pending', 'review_pending', 'rejected', 'done', 'cancelled')),
    -- What the new account submitted, sealed (AES-256-GCM, context `user:{to}:move_fields`),
    -- and the masked copies for the queue.
    fields           BLOB NOT NULL,
    id_number_masked TEXT NOT NULL,
    name_masked      TEXT NOT NULL,
    -- The ID photos of the new account's real-name draft, sealed as they were
    -- (contexts `user:{to}:portrait` and `user:{to}:emblem`).
    portrait         BLOB NOT NULL,
    emblem           BLOB NOT NULL,
    -- The two numbers, masked, as they were when the request was made and when it was done.
    old_phone_masked TEXT NOT NULL,
    new_phone_masked TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    -- When a code was last sent to the old number for this request.
    code_sent_at     INTEGER,
    -- When the driver asked for a clerk's review.
    review_asked_at  INTEGER,
    decided_at       INTEGER,
    decided_by       INTEGER REFERENCES staff (id),
    reason           TEXT
);
CREATE INDEX account_moves_by_to ON account_moves (to_user_id, id);
CREATE INDEX account_moves_by_status ON account_moves (status, review_asked_at);
-- At most one open request per new account.
CREATE UNIQUE INDEX account_moves_one_open ON account_moves (to_user_id)
    WHERE status IN ('sms_pending', 'review_pending');
