//! The health of the center's kiosks (its fleet) on the server: each kiosk sends a heartbeat
//! every minute (its version, uptime, restarts, each device's state, its outbox's backlog);
//! the server keeps the latest one per kiosk, stamped with its own clock, and staff list them
//! with the kiosks that have gone quiet flagged.
//!
//! Only kiosks that have sent a heartbeat are listed: a kiosk token that never sent one has
//! no [`Heartbeat`] to show, and the contract's [`KioskHealth`] always carries one.

use std::collections::HashSet;

use crate::access::Caller;
use crate::error::{checked_text, Failure};
use crate::store::{now_ms, Db};
use contract::model::{DeviceState, Heartbeat, KioskHealth};

/// Minutes without a heartbeat after which a kiosk is quiet: three missed (it sends one a
/// minute). It may be off, hung or cut off from the network.
pub(crate) const QUIET_AFTER_MINUTES: i64 = 3;

/// The longest version a heartbeat carries, in characters.
pub(crate) const MAX_VERSION_CHARS: usize = 64;

/// The most devices a heartbeat lists (a kiosk has seven kinds).
pub(crate) const MAX_DEVICES: usize = 16;

/// The longest device name, in characters: `card_reader`, `voice_pack`.
pub(crate) const MAX_DEVICE_NAME_CHARS: usize = 32;

/// The longest detail of a device, in characters.
pub(crate) const MAX_DETAIL_CHARS: usize = 200;

/// Whether a kiosk last seen at `last_seen` is quiet at `now` (unix milliseconds, both by the
/// server's clock): more than [`QUIET_AFTER_MINUTES`] ago.
pub(crate) fn is_quiet(last_seen: i64, now: i64) -> bool {
    now - last_seen > QUIET_AFTER_MINUTES * 60_000
}

/// A device's name: a short lowercase identifier, a letter then letters, digits and `_`.
fn is_device_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= MAX_DEVICE_NAME_CHARS
}

/// Text staff read in a terminal carries no control characters (an escape sequence could
/// rewrite what the terminal shows).
fn check_printable(field: &str, text: &str) -> Result<(), Failure> {
    match text.chars().any(char::is_control) {
        true => Err(Failure::InvalidRequest(format!("{field} must not contain control characters"))),
        false => Ok(()),
    }
}

fn check_not_negative(field: &str, value: i64) -> Result<(), Failure> {
    match value < 0 {
        true => Err(Failure::InvalidRequest(format!("{field} must be 0 or more, not {value}"))),
        false => Ok(()),
    }
}

/// A heartbeat the server keeps: a version of 1 to [`MAX_VERSION_CHARS`] characters, counts
/// of 0 or more, at most [`MAX_DEVICES`] devices, each named once by a short lowercase
/// identifier, each detail at most [`MAX_DETAIL_CHARS`] characters.
pub(crate) fn check_heartbeat(heartbeat: &Heartbeat) -> Result<(), Failure> {
    checked_text("version", &heartbeat.version, MAX_VERSION_CHARS)?;
    check_printable("version", &heartbeat.version)?;
    check_not_negative("uptime_secs", heartbeat.uptime_secs)?;
    check_not_negative("restarts", heartbeat.restarts)?;
    check_not_negative("outbox_backlog", heartbeat.outbox_backlog)?;
    let devices = heartbeat.devices.len();
    if devices > MAX_DEVICES {
        return Err(Failure::InvalidRequest(format!("devices lists {devices} devices; at most {MAX_DEVICES}")));
    }
    let mut named = HashSet::new();
    for (i, DeviceState { device, detail, .. }) in heartbeat.devices.iter().enumerate() {
        if !is_device_name(device) {
            return Err(Failure::InvalidRequest(format!(
                "devices[{i}].device must be a lowercase identifier of 1 to {MAX_DEVICE_NAME_CHARS} letters, \
                 digits and _ starting with a letter (like card_reader), not {device:?}"
            )));
        }
        if !named.insert(device.as_str()) {
            return Err(Failure::InvalidRequest(format!("device {device} is listed twice")));
        }
        let chars = detail.chars().count();
        if chars > MAX_DETAIL_CHARS {
            return Err(Failure::InvalidRequest(format!(
                "devices[{i}].detail must be at most {MAX_DETAIL_CHARS} characters, not {chars}"
            )));
        }
        check_printable(&format!("devices[{i}].detail"), detail)?;
    }
    Ok(())
}

const COLUMNS: &str = "kiosk, version, uptime_secs, restarts, devices, outbox_backlog, last_seen";

#[derive(sqlx::FromRow)]
struct HeartbeatRow {
    kiosk: String,
    version: String,
    uptime_secs: i64,
    restarts: i64,
    /// JSON array of [`DeviceState`].
    devices: String,
    outbox_backlog: i64,
    last_seen: i64,
}

fn view(row: HeartbeatRow, now: i64) -> Result<KioskHealth, Failure> {
    Ok(KioskHealth {
        quiet: is_quiet(row.last_seen, now),
        heartbeat: Heartbeat {
            version: row.version,
            uptime_secs: row.uptime_secs,
            restarts: row.restarts,
            devices: serde_json::from_str(&row.devices)?,
            outbox_backlog: row.outbox_backlog,
        },
        kiosk: row.kiosk,
        last_seen: row.last_seen,
    })
}

impl Db {
    /// Keeps the calling kiosk's heartbeat in place of its last one (the last to arrive wins),
    /// seen now by the server's clock; answers it as staff will see it.
    pub(crate) async fn record_heartbeat(
        &self,
        heartbeat: &Heartbeat,
        caller: &Caller,
    ) -> Result<KioskHealth, Failure> {
        check_heartbeat(heartbeat)?;
        let now = now_ms();
        let devices = serde_json::to_string(&heartbeat.devices)?;
        sqlx::query(
            "INSERT INTO kiosk_heartbeats (kiosk, version, uptime_secs, restarts, devices, outbox_backlog, last_seen)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (kiosk) DO UPDATE SET version = excluded.version, uptime_secs = excluded.uptime_secs,
                 restarts = excluded.restarts, devices = excluded.devices,
                 outbox_backlog = excluded.outbox_backlog, last_seen = excluded.last_seen",
        )
        .bind(&caller.name)
        .bind(&heartbeat.version)
        .bind(heartbeat.uptime_secs)
        .bind(heartbeat.restarts)
        .bind(&devices)
        .bind(heartbeat.outbox_backlog)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        // A heartbeat a minute, each with its own Idempotency-Key, would otherwise pile up
        // saved answers until the server restarts.
        self.forget_expired_answers_of(&caller.token_hash).await?;
        let row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM kiosk_heartbeats WHERE kiosk = $1"))
            .bind(&caller.name)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        view(row, now)
    }

    /// Every kiosk that has sent a heartbeat, by name, each with its last one.
    pub(crate) async fn kiosks(&self) -> Result<Vec<KioskHealth>, Failure> {
        let rows: Vec<HeartbeatRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM kiosk_heartbeats ORDER BY kiosk"))
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let now = now_ms();
        rows.into_iter().map(|row| view(row, now)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::model::DeviceStatus;

    fn heartbeat() -> Heartbeat {
        Heartbeat {
            version: "0.4.0 (3f2a9c1)".into(),
            uptime_secs: 3600,
            restarts: 0,
            devices: vec![
                DeviceState { device: "printer".into(), status: DeviceStatus::Fault, detail: "out of paper".into() },
                DeviceState { device: "card_reader".into(), status: DeviceStatus::Ok, detail: String::new() },
            ],
            outbox_backlog: 2,
        }
    }

    fn refusal(change: impl FnOnce(&mut Heartbeat)) -> String {
        let mut heartbeat = heartbeat();
        change(&mut heartbeat);
        match check_heartbeat(&heartbeat) {
            Err(Failure::InvalidRequest(message)) => message,
            other => panic!("not refused as an invalid request: {other:?}"),
        }
    }

    #[test]
    fn a_kiosk_is_quiet_only_after_three_minutes_without_a_heartbeat() {
        let now = 1_800_000_000_000;
        let three_minutes = QUIET_AFTER_MINUTES * 60_000;
        assert_eq!(QUIET_AFTER_MINUTES, 3);
        assert!(!is_quiet(now, now));
        assert!(!is_quiet(now - 2 * 60_000, now));
        assert!(!is_quiet(now - three_minutes, now), "exactly three minutes is not yet quiet");
        assert!(is_quiet(now - three_minutes - 1, now));
        assert!(is_quiet(now - 3_600_000, now));
        // A heartbeat stamped by a server whose clock is a little ahead.
        assert!(!is_quiet(now + 5_000, now));
    }

    #[test]
    fn a_good_heartbeat_is_kept_with_its_limits_reached() {
        assert!(check_heartbeat(&heartbeat()).is_ok());
        let mut full = heartbeat();
        full.version = "v".repeat(MAX_VERSION_CHARS);
        full.devices = (0..MAX_DEVICES)
            .map(|i| DeviceState {
                device: format!("d{i}_{}", "x".repeat(MAX_DEVICE_NAME_CHARS - 5)),
                status: DeviceStatus::Missing,
                detail: "纸".repeat(MAX_DETAIL_CHARS),
            })
            .collect();
        full.uptime_secs = 0;
        full.outbox_backlog = 0;
        assert!(check_heartbeat(&full).is_ok());
        assert!(check_heartbeat(&Heartbeat { devices: vec![], ..heartbeat() }).is_ok());
    }

    #[test]
    fn each_bad_part_of_a_heartbeat_is_named() {
        assert_eq!(refusal(|h| h.version = String::new()), "version must be 1 to 64 characters, not only spaces");
        assert_eq!(refusal(|h| h.version = "  ".into()), "version must be 1 to 64 characters, not only spaces");
        assert_eq!(refusal(|h| h.version = "v".repeat(65)), "version must be 1 to 64 characters, not 65");
        assert_eq!(refusal(|h| h.version = "0.4\u{1b}[2J".into()), "version must not contain control characters");
        assert_eq!(refusal(|h| h.uptime_secs = -1), "uptime_secs must be 0 or more, not -1");
        assert_eq!(refusal(|h| h.restarts = -2), "restarts must be 0 or more, not -2");
        assert_eq!(
            refusal(|h| h.outbox_backlog = i64::MIN),
            format!("outbox_backlog must be 0 or more, not {}", i64::MIN)
        );
        let many = refusal(|h| h.devices = vec![h.devices[1].clone(); MAX_DEVICES + 1]);
        assert_eq!(many, "devices lists 17 devices; at most 16");
        let twice = refusal(|h| h.devices.push(h.devices[0].clone()));
        assert_eq!(twice, "device printer is listed twice");
        let long = refusal(|h| h.devices[1].detail = "x".repeat(MAX_DETAIL_CHARS + 1));
        assert_eq!(long, "devices[1].detail must be at most 200 characters, not 201");
        let control = refusal(|h| h.devices[0].detail = "out of\npaper".into());
        assert_eq!(control, "devices[0].detail must not contain control characters");
        let named = refusal(|h| h.devices[1].device = "Card Reader".into());
        assert!(named.starts_with("devices[1].device must be a lowercase identifier"), "{named}");
        assert!(named.ends_with("not \"Card Reader\""), "{named}");
    }

    #[test]
    fn device_names_are_short_lowercase_identifiers() {
        for good in ["printer", "card_reader", "voice_pack", "camera2", "a", &"a".repeat(MAX_DEVICE_NAME_CHARS)] {
            assert!(is_device_name(good), "{good}");
        }
        for bad in ["", "Printer", "card-reader", "2camera", "_printer", "card reader", "打印机", "é"] {
            assert!(!is_device_name(bad), "{bad}");
        }
        assert!(!is_device_name(&"a".repeat(MAX_DEVICE_NAME_CHARS + 1)));
    }
}
