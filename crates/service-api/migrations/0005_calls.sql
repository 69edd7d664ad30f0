-- Interpreter calls and staff calls (see src/calls.rs). Times in unix milliseconds.

-- The interpreters' roster: a row per interpreter token name (its display name), made the
-- first time the interpreter goes on duty.
CREATE TABLE interpreters (
    name TEXT PRIMARY KEY,
    on_duty BIGINT NOT NULL,
    changed_at BIGINT NOT NULL
);

CREATE TABLE interpreter_calls (
    id TEXT PRIMARY KEY,
    -- The calling token's name, shown to interpreters, and `role:name`, which owns the call.
    kiosk_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    status TEXT NOT NULL,
    unavailable_reason TEXT,
    interpreter TEXT,
    join_url TEXT,
    created_at BIGINT NOT NULL,
    assigned_at BIGINT,
    started_at BIGINT,
    ended_at BIGINT
);

CREATE INDEX interpreter_calls_queue ON interpreter_calls (status, created_at);
CREATE INDEX interpreter_calls_requester ON interpreter_calls (requested_by, status);
-- An interpreter has one call at a time: the database refuses a second, even to a race.
CREATE UNIQUE INDEX interpreter_calls_one_each ON interpreter_calls (interpreter)
    WHERE status IN ('assigned', 'in_call');

CREATE TABLE staff_calls (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT
);

CREATE INDEX staff_calls_open ON staff_calls (status, created_at);
