-- Applications (办件) and their progress (see src/applications.rs). Times in unix milliseconds.
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    -- 12 digits (办件编号).
    number TEXT NOT NULL UNIQUE,
    -- No foreign key: a service may be withdrawn from the catalog while applications run.
    service_code TEXT NOT NULL,
    applicant TEXT NOT NULL,
    -- The full ID number, as face_auths keeps it, and the phone given on the application:
    -- together they find the application at a kiosk. Never answered back.
    id_number TEXT NOT NULL,
    phone TEXT NOT NULL,
    -- The pre-review receipt it came from, if any.
    receipt_number TEXT,
    status TEXT NOT NULL,
    -- JSON array of model::Bilingual, while the status is needs_materials.
    missing_materials TEXT NOT NULL,
    collection TEXT,
    window_number BIGINT,
    registered_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX applications_applicant ON applications (id_number, phone);
CREATE INDEX applications_receipt ON applications (receipt_number);
CREATE INDEX applications_status ON applications (status, created_at);

-- Each status an application took, in order; the last is its status now.
CREATE TABLE application_steps (
    application_id TEXT NOT NULL REFERENCES applications (id),
    position BIGINT NOT NULL,
    status TEXT NOT NULL,
    at BIGINT NOT NULL,
    note_zh TEXT,
    note_en TEXT,
    PRIMARY KEY (application_id, position)
);

-- Lookups at kiosks that found nothing, for the attempt limit; kept 24 hours. The ID number
-- tried is kept only as a keyed hash (applications::id_number_hash).
CREATE TABLE lookup_failures (
    kiosk TEXT NOT NULL,
    id_number_hash TEXT,
    at BIGINT NOT NULL
);

CREATE INDEX lookup_failures_kiosk ON lookup_failures (kiosk, at);
CREATE INDEX lookup_failures_id_number ON lookup_failures (id_number_hash, at);
