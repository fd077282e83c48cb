-- The business wizard: the certificates of the register, the service halls, the draft saved
-- step by step, and the submitted cases with the photos they were submitted with.

-- The user's certificates are found by an HMAC of his ID number (see src/certificates.rs),
-- never by the number itself; computed from the approved real-name submission on first use.
ALTER TABLE users ADD COLUMN holder_key BLOB;

-- 从业资格证. `expired` is not stored: a valid certificate past `valid_until` (Beijing date) is.
CREATE TABLE certificates (
    id           TEXT PRIMARY KEY,
    holder_key   BLOB NOT NULL,
    number       TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('cruising', 'ride_hailing')),
    authority    TEXT NOT NULL,
    -- YYYY-MM-DD
    first_issued TEXT NOT NULL,
    valid_until  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('valid', 'suspended', 'revoked', 'cancelled'))
);
CREATE INDEX certificates_by_holder ON certificates (holder_key);

-- Where a certificate can be collected (自取). A hall that stops (active = 0) is no longer
-- offered, and a draft naming it is refused until another is chosen.
CREATE TABLE service_halls (
    id       TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    address  TEXT NOT NULL,
    hours    TEXT NOT NULL,
    phone    TEXT NOT NULL,
    active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

-- Fictional halls: the names, addresses and numbers are made up.
INSERT INTO service_halls (id, position, name, address, hours, phone) VALUES
    ('hall_hhht_xincheng', 1, '呼和浩特市道路运输服务大厅(新城区)', '内蒙古自治区呼和浩特市新城区兴安北路168号政务服务中心二楼',
     '周一至周五 9:00-12:00,13:30-17:30(法定节假日除外)', '0471-6510168'),
    ('hall_hhht_saihan', 2, '呼和浩特市道路运输服务大厅(赛罕区)', '内蒙古自治区呼和浩特市赛罕区大学东街209号一楼',
     '周一至周五 9:00-12:00,13:30-17:30(法定节假日除外)', '0471-6510209'),
    ('hall_baotou', 3, '包头市道路运输服务中心', '内蒙古自治区包头市昆都仑区钢铁大街56号',
     '周一至周五 9:00-12:00,13:30-17:30(法定节假日除外)', '0472-5130056'),
    ('hall_ordos', 4, '鄂尔多斯市政务服务中心交通运输窗口', '内蒙古自治区鄂尔多斯市康巴什区文化西路12号',
     '周一至周五 9:00-12:00,13:30-17:30(法定节假日除外)', '0477-8510012');

-- One draft per user and business. `done` is a JSON array of the steps saved, in order;
-- `answers` the certificate id, personal info and upload ids as sealed JSON (addresses and
-- phone numbers are personal data). `revision` goes up with every save.
CREATE TABLE drafts (
    user_id       INTEGER NOT NULL REFERENCES users (id),
    business_code TEXT NOT NULL REFERENCES businesses (code),
    done          TEXT NOT NULL,
    answers       BLOB NOT NULL,
    revision      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, business_code)
);

-- 办件. `id` is the case number (TC + Beijing date + daily sequence); `answers` the sealed
-- snapshot of what was submitted. `idempotency_key` makes a retried submission return the
-- first case.
CREATE TABLE cases (
    id                  TEXT PRIMARY KEY,
    user_id             INTEGER NOT NULL REFERENCES users (id),
    idempotency_key     TEXT NOT NULL,
    business_code       TEXT NOT NULL REFERENCES businesses (code),
    status              TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'returned', 'completed', 'refused', 'withdrawn')),
    answers             BLOB NOT NULL,
    submitted_at        INTEGER NOT NULL,
    -- YYYY-MM-DD
    accept_by           TEXT NOT NULL,
    decide_by           TEXT NOT NULL,
    due_dates_estimated INTEGER NOT NULL CHECK (due_dates_estimated IN (0, 1)),
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX cases_by_user ON cases (user_id, submitted_at);

-- The photos a case was submitted with: they can no longer be deleted.
CREATE TABLE case_uploads (
    case_id       TEXT NOT NULL REFERENCES cases (id),
    material_code TEXT NOT NULL REFERENCES materials (code),
    upload_id     TEXT NOT NULL REFERENCES uploads (id),
    PRIMARY KEY (case_id, material_code)
);
CREATE INDEX case_uploads_by_upload ON case_uploads (upload_id);
