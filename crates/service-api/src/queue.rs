//! The queue: issuing tickets, calling them to windows, moving them through
//! issued -> called -> serving -> done / no_show, and the live wait estimates.

use std::sync::LazyLock;

use crate::access::{Caller, Role};
use crate::calendar::china_day;
use crate::error::Failure;
use crate::store::{now_ms, random_hex, Db};
use crate::wait::ticket_wait_minutes;
use contract::model::{Bilingual, NewTicket, Priority, Service, Ticket, TicketStatus, Window};

/// Columns read into a [`TicketRow`].
const TICKET_COLUMNS: &str = "id, number, service_code, priority, priority_rank, status, issued_at, issued_by";

/// The order tickets are called in: priority first, then first come, first served.
const CALL_ORDER: &str = "priority_rank DESC, issued_at, seq";

/// How many recent services feed the average service time.
const RECENT_SERVICES: i64 = 20;

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: String,
    number: String,
    service_code: String,
    priority: String,
    priority_rank: i64,
    status: String,
    issued_at: i64,
    /// The kiosk (or staff member) that took it, as [`Caller::issued_by`] says.
    issued_by: String,
}

/// What a ticket's view adds to its row, read live in the same statement ([`live_columns`]).
#[derive(sqlx::FromRow)]
struct LiveRow {
    /// The service's catalog entry (JSON); none if the catalog has withdrawn it.
    service_body: Option<String>,
    people_ahead: i64,
    /// The average start-to-finish milliseconds of the service's last few done tickets.
    recent_average_ms: Option<f64>,
    open_windows: i64,
    /// The window the ticket was called to, or the one it is likely to be called to.
    shown_window: Option<i64>,
    window_zh: Option<String>,
    window_en: Option<String>,
}

impl LiveRow {
    /// The ticket's service (`code`), as the catalog has it now.
    fn service(&self, code: &str) -> Result<Service, Failure> {
        let body = self.service_body.as_deref().ok_or_else(|| Failure::UnknownService(code.to_owned()))?;
        Ok(serde_json::from_str(body)?)
    }
}

#[derive(sqlx::FromRow)]
struct ViewRow {
    #[sqlx(flatten)]
    ticket: TicketRow,
    #[sqlx(flatten)]
    live: LiveRow,
}

/// The columns of [`LiveRow`], for a ticket whose service code, priority rank, issue time
/// and sequence, window and whether it waits are these SQL expressions. People ahead are
/// waiting tickets of the same service that [`CALL_ORDER`] puts first (two ranges of the
/// `tickets_queue` index, counted in it); the window is the one that called the ticket,
/// otherwise the lowest-numbered open window serving its service (or, all closed, the
/// lowest-numbered one).
fn live_columns(service: &str, rank: &str, issued_at: &str, seq: &str, window: &str, waiting: &str) -> String {
    let issued = TicketStatus::Issued.as_str();
    let done = TicketStatus::Done.as_str();
    format!(
        "s.body AS service_body,
         CASE WHEN {waiting} THEN
           (SELECT COUNT(*) FROM tickets a WHERE a.service_code = {service} AND a.status = '{issued}'
              AND a.priority_rank > {rank})
           + (SELECT COUNT(*) FROM tickets a WHERE a.service_code = {service} AND a.status = '{issued}'
              AND a.priority_rank = {rank} AND (a.issued_at, a.seq) < ({issued_at}, {seq}))
         ELSE 0 END AS people_ahead,
         (SELECT CAST(AVG(r.finished_at - r.started_at) AS DOUBLE PRECISION) FROM
           (SELECT d.started_at, d.finished_at FROM tickets d WHERE d.service_code = {service} AND d.status = '{done}'
            ORDER BY d.finished_at DESC LIMIT {RECENT_SERVICES}) r) AS recent_average_ms,
         (SELECT COUNT(*) FROM windows ow JOIN window_services ows ON ows.window_number = ow.number
           WHERE ows.service_code = {service} AND ow.is_open = 1) AS open_windows,
         w.number AS shown_window, w.name_zh AS window_zh, w.name_en AS window_en
         FROM {{from}} LEFT JOIN windows w ON w.number = COALESCE({window},
           (SELECT fw.number FROM windows fw JOIN window_services fws ON fws.window_number = fw.number
            WHERE fws.service_code = {service} ORDER BY fw.is_open DESC, fw.number LIMIT 1))"
    )
}

/// A stored ticket's view by its id ($1).
static TICKET_VIEW: LazyLock<String> = LazyLock::new(|| {
    let waiting = format!("t.status = '{}'", TicketStatus::Issued.as_str());
    let live = live_columns("t.service_code", "t.priority_rank", "t.issued_at", "t.seq", "t.window_number", &waiting);
    let columns = TICKET_COLUMNS.split(", ").map(|c| format!("t.{c}")).collect::<Vec<_>>().join(", ");
    let from = "tickets t LEFT JOIN services s ON s.code = t.service_code";
    format!("SELECT {columns}, {} WHERE t.id = $1", live.replace("{from}", from))
});

/// The live part of a new ticket's view, before it is numbered: the service ($1), its
/// priority rank ($2), now ($3) and a sequence after every other ($4). No row: no such service.
static NEW_TICKET_VIEW: LazyLock<String> = LazyLock::new(|| {
    let live = live_columns("$1", "$2", "$3", "$4", "NULL", "1 = 1");
    format!("SELECT {} WHERE s.code = $1", live.replace("{from}", "services s"))
});

/// A ticket with its live place in the queue, wait and window.
fn ticket_view(row: TicketRow, live: LiveRow) -> Result<Ticket, Failure> {
    let broken = |what: &str| Failure::internal(format!("ticket {} has {what}", row.id));
    let status = TicketStatus::parse(&row.status).ok_or_else(|| broken(&format!("status {}", row.status)))?;
    let priority = Priority::parse(&row.priority).ok_or_else(|| broken(&format!("priority {}", row.priority)))?;
    let service = live.service(&row.service_code)?;
    let estimated_wait_minutes = if status == TicketStatus::Issued {
        let average = live.recent_average_ms.map_or(service.typical_minutes as f64, |ms| ms / 60_000.0);
        ticket_wait_minutes(live.people_ahead, average, live.open_windows)
    } else {
        0
    };
    let window = match (live.window_zh, live.window_en) {
        (Some(zh), Some(en)) => Bilingual { zh, en },
        _ => Bilingual::new("待分配", "To be assigned"),
    };
    Ok(Ticket {
        window,
        window_number: live.shown_window,
        id: row.id,
        number: row.number,
        service_code: row.service_code,
        service_name: service.name,
        priority,
        status,
        people_ahead: live.people_ahead,
        estimated_wait_minutes,
        issued_at: row.issued_at,
    })
}

/// A staff action on a called or served ticket.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Transition {
    /// Calls a called ticket again (the resident has not come yet): a new call time.
    Recall,
    Start,
    Finish,
    NoShow,
}

impl Transition {
    /// (status it needs, status it gives, time column it sets, past participle for messages)
    fn spec(self) -> (TicketStatus, TicketStatus, &'static str, &'static str) {
        match self {
            Transition::Recall => (TicketStatus::Called, TicketStatus::Called, "called_at", "called again"),
            Transition::Start => (TicketStatus::Called, TicketStatus::Serving, "started_at", "started"),
            Transition::Finish => (TicketStatus::Serving, TicketStatus::Done, "finished_at", "finished"),
            Transition::NoShow => (TicketStatus::Called, TicketStatus::NoShow, "finished_at", "marked no-show"),
        }
    }
}

fn priority_rank(p: Priority) -> i64 {
    match p {
        Priority::Normal => 0,
        Priority::Elderly => 1,
        Priority::Disabled => 2,
        Priority::FastTrack => 3,
    }
}

/// An 11-digit mainland mobile number: for the SMS sent when the ticket is called, a call-back
/// about a rating, finding an application.
pub(crate) fn is_mobile_number(phone: &str) -> bool {
    phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit())
}

/// A phone number as a kiosk may show it: the first 3 and the last 4 digits (`138****5678`),
/// enough for a resident to recognise their own. Anything too short to keep 7 characters and
/// still hide one is hidden whole.
pub(crate) fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    let shown = |i: usize| n >= 8 && (i < 3 || i + 4 >= n);
    phone.chars().enumerate().map(|(i, c)| if shown(i) { c } else { '*' }).collect()
}

impl Db {
    /// Numbers and stores a new ticket of the service; answers it as [`Db::ticket`] would.
    /// Its place in the queue is read first, so that the prefix's counter, locked from
    /// [`Db::next_number`] to the commit, is held for the insert and the commit alone.
    pub(crate) async fn insert_ticket(
        &self,
        service_code: &str,
        priority: Priority,
        contact_phone: Option<&str>,
        issued_by: &str,
    ) -> Result<Ticket, Failure> {
        let now = now_ms();
        let live: Option<LiveRow> = sqlx::query_as(&NEW_TICKET_VIEW)
            .bind(service_code)
            .bind(priority_rank(priority))
            .bind(now)
            .bind(i64::MAX)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        let live = live.ok_or_else(|| Failure::UnknownService(service_code.to_owned()))?;
        let prefix = live.service(service_code)?.ticket_prefix;
        let day = china_day(now);
        let (seq, issued_at) = self.next_number(&prefix, day, now).await?;
        let row = TicketRow {
            id: random_hex(8),
            number: format!("{prefix}{seq:03}"),
            service_code: service_code.to_owned(),
            priority: priority.as_str().to_owned(),
            priority_rank: priority_rank(priority),
            status: TicketStatus::Issued.as_str().to_owned(),
            issued_at,
            issued_by: issued_by.to_owned(),
        };
        sqlx::query(
        "INSERT INTO tickets (id, day, seq, number, service_code, priority, priority_rank, status, issued_by, issued_at, contact_phone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&row.id)
    .bind(day)
    .bind(seq)
    .bind(&row.number)
    .bind(&row.service_code)
    .bind(&row.priority)
    .bind(row.priority_rank)
    .bind(&row.status)
    .bind(&row.issued_by)
    .bind(issued_at)
    .bind(contact_phone)
    .execute(&mut *self.conn().await?)
    .await?;
        ticket_view(row, live)
    }

    /// Takes the next number of a prefix for the day, and its issue time, in the request's
    /// transaction: a number is used by the ticket committed with it or by none (no number is
    /// skipped, even by a crash). The one upsert is atomic on both engines, so concurrent
    /// requests never share a number; the time never goes back within a counter, so first come
    /// (issued_at, then seq) is number order even when requests race. The counter's row stays
    /// locked until the commit, so a prefix's tickets are numbered one commit after another.
    async fn next_number(&self, prefix: &str, day: i64, now: i64) -> Result<(i64, i64), Failure> {
        Ok(sqlx::query_as(
            "INSERT INTO ticket_counters (prefix, day, last_number, last_issued_at) VALUES ($1, $2, 1, $3)
             ON CONFLICT (prefix, day) DO UPDATE SET last_number = ticket_counters.last_number + 1,
             last_issued_at = CASE WHEN ticket_counters.last_issued_at > $3 THEN ticket_counters.last_issued_at ELSE $3 END
             RETURNING last_number, last_issued_at",
        )
        .bind(prefix)
        .bind(day)
        .bind(now)
        .fetch_one(&mut *self.conn().await?)
        .await?)
    }

    pub(crate) async fn issue_ticket(&self, new: &NewTicket, caller: &Caller) -> Result<Ticket, Failure> {
        // Fast track is what a redeemed receipt gives (prereview::redeem_receipt); a kiosk
        // cannot take it by asking.
        if new.priority == Priority::FastTrack && caller.role != Role::Staff {
            return Err(Failure::FastTrackNeedsReceipt);
        }
        if let Some(phone) = new.contact_phone.as_deref().filter(|phone| !is_mobile_number(phone)) {
            return Err(Failure::InvalidRequest(format!("contact_phone {phone:?} is not an 11-digit mobile number")));
        }
        let phone = new.contact_phone.as_deref();
        self.insert_ticket(&new.service_code, new.priority, phone, &caller.issued_by()).await
    }

    pub(crate) async fn ticket(&self, id: &str) -> Result<Ticket, Failure> {
        let row = self.ticket_view_row(id).await?.ok_or_else(|| Failure::NotFound(format!("No ticket {id}")))?;
        ticket_view(row.ticket, row.live)
    }

    /// The ticket, if the caller may see it: staff see every ticket, a kiosk the ones it took
    /// (another kiosk's is `not_found`, as for a ticket that does not exist: its service and
    /// priority say something about the resident).
    pub(crate) async fn visible_ticket(&self, id: &str, caller: &Caller) -> Result<Ticket, Failure> {
        let row = self
            .ticket_view_row(id)
            .await?
            .filter(|row| caller.may_see(&row.ticket.issued_by))
            .ok_or_else(|| Failure::NotFound(format!("No ticket {id}")))?;
        ticket_view(row.ticket, row.live)
    }

    async fn ticket_row(&self, id: &str) -> Result<Option<TicketRow>, Failure> {
        Ok(sqlx::query_as(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    /// The ticket and its live place in the queue, in one statement.
    async fn ticket_view_row(&self, id: &str) -> Result<Option<ViewRow>, Failure> {
        Ok(sqlx::query_as(&TICKET_VIEW).bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    pub(crate) async fn windows(&self) -> Result<Vec<Window>, Failure> {
        let rows: Vec<(i64, String, String, i64)> =
            sqlx::query_as("SELECT number, name_zh, name_en, is_open FROM windows ORDER BY number")
                .fetch_all(&mut *self.conn().await?)
                .await?;
        let served: Vec<(i64, String)> = sqlx::query_as(
            "SELECT ws.window_number, ws.service_code FROM window_services ws
             JOIN services s ON s.code = ws.service_code ORDER BY s.position",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?;
        // Oldest call first, so the latest call at a window wins.
        let current: Vec<(i64, String)> = sqlx::query_as(
            "SELECT window_number, id FROM tickets WHERE status IN ($1, $2) AND window_number IS NOT NULL
             ORDER BY called_at",
        )
        .bind(TicketStatus::Called.as_str())
        .bind(TicketStatus::Serving.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(number, zh, en, open)| Window {
                number,
                name: Bilingual { zh, en },
                services: served.iter().filter(|(w, _)| *w == number).map(|(_, code)| code.clone()).collect(),
                open: open != 0,
                current_ticket: current.iter().rfind(|(w, _)| *w == number).map(|(_, id)| id.clone()),
            })
            .collect())
    }

    pub(crate) async fn window(&self, number: i64) -> Result<Window, Failure> {
        self.windows()
            .await?
            .into_iter()
            .find(|w| w.number == number)
            .ok_or_else(|| Failure::NotFound(format!("No window {number}")))
    }

    pub(crate) async fn set_window_open(&self, number: i64, open: bool) -> Result<Window, Failure> {
        sqlx::query("UPDATE windows SET is_open = $1 WHERE number = $2")
            .bind(open as i64)
            .bind(number)
            .execute(&mut *self.conn().await?)
            .await?;
        self.window(number).await
    }

    /// Calls the next waiting ticket of the services the window serves.
    pub(crate) async fn call_next(&self, number: i64) -> Result<Ticket, Failure> {
        if !self.window(number).await?.open {
            return Err(Failure::WindowClosed(number));
        }
        loop {
            let next: Option<String> = sqlx::query_scalar(&format!(
                "SELECT id FROM tickets WHERE status = $1 AND service_code IN
                 (SELECT service_code FROM window_services WHERE window_number = $2)
                 ORDER BY {CALL_ORDER} LIMIT 1"
            ))
            .bind(TicketStatus::Issued.as_str())
            .bind(number)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
            let id = next.ok_or(Failure::NoWaitingTicket(number))?;
            // Another window may have called the same ticket meanwhile: then take the next one.
            let called = sqlx::query(
                "UPDATE tickets SET status = $1, window_number = $2, called_at = $3 WHERE id = $4 AND status = $5",
            )
            .bind(TicketStatus::Called.as_str())
            .bind(number)
            .bind(now_ms())
            .bind(&id)
            .bind(TicketStatus::Issued.as_str())
            .execute(&mut *self.conn().await?)
            .await?;
            if called.rows_affected() == 1 {
                return self.ticket(&id).await;
            }
        }
    }

    pub(crate) async fn transition(&self, id: &str, transition: Transition) -> Result<Ticket, Failure> {
        let (from, to, time_column, done) = transition.spec();
        let changed =
            sqlx::query(&format!("UPDATE tickets SET status = $1, {time_column} = $2 WHERE id = $3 AND status = $4"))
                .bind(to.as_str())
                .bind(now_ms())
                .bind(id)
                .bind(from.as_str())
                .execute(&mut *self.conn().await?)
                .await?;
        if changed.rows_affected() == 1 {
            return self.ticket(id).await;
        }
        match self.ticket_row(id).await? {
            Some(row) => Err(Failure::TicketCannotMove { number: row.number, status: row.status, action: done }),
            None => Err(Failure::NotFound(format!("No ticket {id}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_moves_called_serving_done_or_no_show() {
        let moves = |transition: Transition| {
            let (from, to, _, _) = transition.spec();
            (from, to)
        };
        assert_eq!(moves(Transition::Start), (TicketStatus::Called, TicketStatus::Serving));
        assert_eq!(moves(Transition::Finish), (TicketStatus::Serving, TicketStatus::Done));
        assert_eq!(moves(Transition::NoShow), (TicketStatus::Called, TicketStatus::NoShow));
    }

    #[test]
    fn priority_goes_before_first_come() {
        let ranks = Priority::ALL.map(priority_rank);
        assert!(ranks.windows(2).all(|pair| pair[0] < pair[1]), "{ranks:?}");
        assert_eq!(priority_rank(Priority::Normal), 0);
    }

    #[test]
    fn a_contact_phone_is_a_mainland_mobile_number() {
        assert!(is_mobile_number("13800138000"));
        for bad in ["", "1380013800", "138001380000", "23800138000", "1380013800x", "１3800138000"] {
            assert!(!is_mobile_number(bad), "{bad}");
        }
    }

    #[test]
    fn a_phone_number_shows_only_its_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("12345678"), "123*5678");
        for short in ["", "1", "1234567"] {
            assert_eq!(mask_phone(short), "*".repeat(short.len()), "{short}");
        }
    }
}
