-- A face photo is kept apart from its submission, so that it can be deleted while the
-- submission (its status, review and masked number) stays: after the review decision, or
-- after the retention for undecided ones (`serve --photo-retention-days`, src/face_auth.rs).
-- Photos of submissions already decided go now.
CREATE TABLE face_photos (
    face_auth_id TEXT PRIMARY KEY,
    -- The JPEG as base64 text, as before (see 0006_face_auth.sql).
    photo_base64 TEXT NOT NULL
);
INSERT INTO face_photos (face_auth_id, photo_base64)
    SELECT id, photo_base64 FROM face_auths WHERE status = 'pending_review';
ALTER TABLE face_auths DROP COLUMN photo_base64;
