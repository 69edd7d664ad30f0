-- Each kiosk's last heartbeat (see src/fleet.rs): one row per kiosk, replaced by the next.
CREATE TABLE kiosk_heartbeats (
    -- The kiosk token's name.
    kiosk TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    uptime_secs BIGINT NOT NULL,
    restarts BIGINT NOT NULL,
    -- JSON array of model::DeviceState, as sent.
    devices TEXT NOT NULL,
    outbox_backlog BIGINT NOT NULL,
    -- When the heartbeat arrived: unix milliseconds, by the server's clock.
    last_seen BIGINT NOT NULL
);
