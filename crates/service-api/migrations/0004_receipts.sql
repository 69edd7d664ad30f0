-- Pre-review receipts (see src/receipt.rs and src/prereview.rs). Times here are unix seconds,
-- as the signed token carries them. The token itself is not kept: signing is deterministic.
CREATE TABLE receipts (
    -- 32 hex characters: the 16-byte id the token carries.
    id TEXT PRIMARY KEY,
    -- 12 digits, derived from the id; typed when the QR code will not scan.
    number TEXT NOT NULL UNIQUE,
    -- No foreign key: a service may be withdrawn from the catalog while receipts are out.
    service_code TEXT NOT NULL,
    applicant TEXT NOT NULL,
    -- JSON array of indices into the service's materials, e.g. [0,2].
    missing_materials TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- Set once, by the one redemption that wins (see prereview::redeem_receipt).
    redeemed_at BIGINT,
    ticket_id TEXT REFERENCES tickets (id)
);
