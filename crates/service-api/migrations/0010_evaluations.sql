-- Ratings of served tickets (好差评, see src/evaluations.rs). Times in unix milliseconds.
CREATE TABLE evaluations (
    id TEXT PRIMARY KEY,
    -- One rating per ticket (一事一评): the unique key decides between concurrent ratings.
    -- No foreign key: the demo's past ratings have no ticket rows (a done ticket would feed
    -- the live wait estimates), and the ticket's number, service and window are kept here.
    ticket_id TEXT NOT NULL UNIQUE,
    ticket_number TEXT NOT NULL,
    service_code TEXT NOT NULL,
    window_number BIGINT NOT NULL,
    level TEXT NOT NULL,
    -- JSON array of model::LowRatingReason, e.g. ["long_wait"]; [] unless the level is low.
    reasons TEXT NOT NULL,
    channel TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    callback_phone TEXT,
    created_at BIGINT NOT NULL,
    -- The China day of created_at, which the summary counts by.
    day BIGINT NOT NULL,
    -- Only for a low rating; the follow-up is recorded once.
    follow_up_due BIGINT,
    follow_up_by TEXT,
    follow_up_finding TEXT,
    follow_up_action TEXT,
    follow_up_at BIGINT
);

CREATE INDEX evaluations_day ON evaluations (day);
CREATE INDEX evaluations_follow_up ON evaluations (follow_up_at, follow_up_due);
