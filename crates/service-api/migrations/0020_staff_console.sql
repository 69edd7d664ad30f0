-- The staff console (src/console): staff accounts, their signed-in sessions, and the wrong
-- passwords that limit sign-in attempts.

CREATE TABLE staff_accounts (
    login TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    -- console::StaffRole: window_clerk, interpreter, reviewer, supervisor or admin.
    role TEXT NOT NULL,
    -- A window clerk's window, if they have one.
    window_number BIGINT REFERENCES windows (number),
    -- Argon2id, as a PHC string.
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Only a SHA-256 hash of each session id (the cookie's value) is stored, as for tokens.
CREATE TABLE staff_sessions (
    id_hash TEXT PRIMARY KEY,
    login TEXT NOT NULL REFERENCES staff_accounts (login),
    -- Sent back with every form of the session: a page of another site cannot know it.
    csrf_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- One row per wrong password, kept for the sign-in limit's window.
CREATE TABLE staff_sign_in_failures (
    login TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX staff_sign_in_failures_login ON staff_sign_in_failures (login, failed_at);

-- The window desk shows the receipt a fast-track ticket was redeemed for.
CREATE INDEX receipts_ticket ON receipts (ticket_id);
