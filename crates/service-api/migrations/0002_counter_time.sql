-- The last issue time of each counter, so that issue times never go back within a service's
-- numbers (see queue::next_number). A separate migration: databases made with 0001 exist.
ALTER TABLE ticket_counters ADD COLUMN last_issued_at BIGINT NOT NULL DEFAULT 0;
