-- Pension face authentications (养老金资格认证), reviewed by staff (see src/face_auth.rs).
-- Times in unix milliseconds.
CREATE TABLE face_auths (
    id TEXT PRIMARY KEY,
    -- The submitting token's name (the kiosk's id), and `role:name`, which owns the row.
    kiosk_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    -- The full ID number, for the archive check; answers mask it.
    id_number TEXT NOT NULL,
    consent BIGINT NOT NULL,
    -- The JPEG as base64 text: one column type that SQLite and PostgreSQL both take through
    -- sqlx's Any driver (BLOB vs BYTEA differ between them).
    photo_base64 TEXT NOT NULL,
    -- JSON: {"passed", "turned_left", "turned_right", "duration_ms"}.
    liveness TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    status TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    reviewed_at BIGINT,
    reviewed_by TEXT,
    reject_reason TEXT
);

CREATE INDEX face_auths_queue ON face_auths (status, submitted_at);
