-- Who is still at each end of an interpreter call: each end's last read of the call (unix
-- milliseconds). A call whose other end has not been heard from for a few minutes ends, with
-- the reason in ended_reason (see src/calls.rs).
ALTER TABLE interpreter_calls ADD COLUMN kiosk_seen_at BIGINT;
ALTER TABLE interpreter_calls ADD COLUMN interpreter_seen_at BIGINT;
ALTER TABLE interpreter_calls ADD COLUMN ended_reason TEXT;
