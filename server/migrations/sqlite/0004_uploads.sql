-- Photo rules per material (checked on the phone before sending) and the uploads themselves.

ALTER TABLE materials ADD COLUMN kind TEXT NOT NULL DEFAULT 'document' CHECK (kind IN ('portrait', 'document'));
-- For the portrait: width × height after turning upright. For documents: long × short side.
ALTER TABLE materials ADD COLUMN min_width INTEGER NOT NULL DEFAULT 1000;
ALTER TABLE materials ADD COLUMN min_height INTEGER NOT NULL DEFAULT 700;
-- A drawn example of a good photo, relative to the app's base URL.
ALTER TABLE materials ADD COLUMN sample TEXT NOT NULL DEFAULT 'samples/document.svg';

UPDATE materials SET kind = 'portrait', min_width = 413, min_height = 579, sample = 'samples/photo_2inch.svg'
 WHERE code = 'photo_2inch';
-- Cards are small: their text stays readable at a lower resolution than a page's.
UPDATE materials SET min_width = 800, min_height = 500, sample = 'samples/card.svg'
 WHERE code IN ('driving_licence', 'cert_info_page', 'cert_violation_page', 'damaged_certificate');

-- One row per stored photo. The file lives under the upload directory with a random name,
-- sealed (AES-256-GCM); `idempotency_key` makes a retried upload return the first result.
CREATE TABLE uploads (
    id              TEXT PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    material_code   TEXT NOT NULL REFERENCES materials (code),
    idempotency_key TEXT NOT NULL,
    stored_name     TEXT NOT NULL UNIQUE,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    bytes           INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    deleted_at      INTEGER,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX uploads_by_user ON uploads (user_id, created_at);
