-- Issue 12: the server runs the phone's photo pipeline on every photo it keeps. The quality
-- checks' advice (blur, light, glare, the 2-inch photo's shape, colour and background) is kept
-- with the upload, so that the clerk sees it beside the photo.

-- JSON array of {"code", "message"}; '[]' for photos stored before the server measured them.
ALTER TABLE uploads ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';

-- ID-card photos were kept as sent, EXIF (GPS, camera) and appended bytes included. 1 once a
-- row's photos are the pipeline's re-encoded JPEGs; older rows are re-encoded at start-up.
ALTER TABLE realname_drafts ADD COLUMN photos_reencoded INTEGER NOT NULL DEFAULT 0 CHECK (photos_reencoded IN (0, 1));
ALTER TABLE realname_submissions ADD COLUMN photos_reencoded INTEGER NOT NULL DEFAULT 0 CHECK (photos_reencoded IN (0, 1));
