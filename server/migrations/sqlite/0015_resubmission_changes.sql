-- Issue 18: what the driver changed when he resubmitted a returned case. The sealed answers as
-- the clerk returned them (sealed as `answers` is, with the case's key), the correction asked
-- for, and the photos the resubmission replaced, which stay part of the case's record (neither
-- the driver's delete nor the retention job removes them).
ALTER TABLE cases ADD COLUMN previous_answers BLOB;
ALTER TABLE cases ADD COLUMN previous_correction TEXT;
CREATE TABLE case_previous_uploads (
    case_id       TEXT NOT NULL REFERENCES cases (id),
    material_code TEXT NOT NULL REFERENCES materials (code),
    upload_id     TEXT NOT NULL REFERENCES uploads (id),
    PRIMARY KEY (case_id, material_code)
);
CREATE INDEX case_previous_uploads_by_upload ON case_previous_uploads (upload_id);

-- The service hall a case's certificate is collected at (自取), for the clerks' hall filter: not
-- personal, so kept beside the sealed answers. '' when the case is posted or issues nothing; NULL
-- until the start-up backfill has read it from the snapshot of a case made before the column.
ALTER TABLE cases ADD COLUMN hall_id TEXT;
