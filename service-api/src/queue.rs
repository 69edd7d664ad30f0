//! The queue: issuing tickets, calling them to windows, moving them through
//! issued -> called -> serving -> done / no_show, and the live wait estimates.

use sqlx::AnyConnection;

use crate::error::ApiFailure;
use crate::model::{Bilingual, NewTicket, Priority, Service, Ticket, TicketStatus, Window};
use crate::store::{china_day, now_ms, random_hex, Db};

/// Columns read into a [`TicketRow`].
const TICKET_COLUMNS: &str =
    "id, number, service_code, priority, priority_rank, status, window_number, issued_at, seq";

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
    window_number: Option<i64>,
    issued_at: i64,
    seq: i64,
}

/// A staff action on a called or served ticket.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Transition {
    Start,
    Finish,
    NoShow,
}

impl Transition {
    /// (status it needs, status it gives, time column it sets, past participle for messages)
    fn spec(self) -> (TicketStatus, TicketStatus, &'static str, &'static str) {
        match self {
            Transition::Start => (
                TicketStatus::Called,
                TicketStatus::Serving,
                "started_at",
                "started",
            ),
            Transition::Finish => (
                TicketStatus::Serving,
                TicketStatus::Done,
                "finished_at",
                "finished",
            ),
            Transition::NoShow => (
                TicketStatus::Called,
                TicketStatus::NoShow,
                "finished_at",
                "marked no-show",
            ),
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

/// Minutes to wait: everyone ahead plus oneself, at the average service time, spread over the
/// open windows (at least one, so a closed service still gets an estimate).
fn estimate_minutes(people_ahead: i64, average_minutes: f64, open_windows: i64) -> i64 {
    ((people_ahead + 1) as f64 * average_minutes / open_windows.max(1) as f64).ceil() as i64
}

/// Numbers and stores a new ticket on `conn`, which may be in a transaction (a receipt's
/// redemption issues its ticket in its own); returns the ticket's id.
pub(crate) async fn insert_ticket(
    conn: &mut AnyConnection,
    service: &Service,
    priority: Priority,
    contact_phone: Option<&str>,
    issued_by: &str,
) -> Result<String, ApiFailure> {
    let now = now_ms();
    let day = china_day(now);
    let (seq, issued_at) = next_number(conn, &service.ticket_prefix, day, now).await?;
    let id = random_hex(8);
    sqlx::query(
        "INSERT INTO tickets (id, day, seq, number, service_code, priority, priority_rank, status, issued_by, issued_at, contact_phone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(day)
    .bind(seq)
    .bind(format!("{}{seq:03}", service.ticket_prefix))
    .bind(&service.code)
    .bind(priority.as_str())
    .bind(priority_rank(priority))
    .bind(TicketStatus::Issued.as_str())
    .bind(issued_by)
    .bind(issued_at)
    .bind(contact_phone)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Takes the next number of a prefix for the day, and its issue time. The single
/// UPDATE ... RETURNING is atomic on both engines, so concurrent requests never share a
/// number; the time never goes back within a counter, so first come (issued_at, then
/// seq) is number order even when requests race.
async fn next_number(
    conn: &mut AnyConnection,
    prefix: &str,
    day: i64,
    now: i64,
) -> Result<(i64, i64), ApiFailure> {
    sqlx::query(
        "INSERT INTO ticket_counters (prefix, day, last_number, last_issued_at) VALUES ($1, $2, 0, 0)
         ON CONFLICT DO NOTHING",
    )
    .bind(prefix)
    .bind(day)
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_as(
        "UPDATE ticket_counters SET last_number = last_number + 1,
         last_issued_at = CASE WHEN last_issued_at > $3 THEN last_issued_at ELSE $3 END
         WHERE prefix = $1 AND day = $2 RETURNING last_number, last_issued_at",
    )
    .bind(prefix)
    .bind(day)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

impl Db {
    pub(crate) async fn issue_ticket(
        &self,
        new: &NewTicket,
        issued_by: &str,
    ) -> Result<Ticket, ApiFailure> {
        let service = self.service(&new.service_code).await?;
        if let Some(phone) = &new.contact_phone {
            let valid = phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit());
            if !valid {
                return Err(ApiFailure::invalid_request(format!("contact_phone {phone:?} is not an 11-digit mobile number")));
            }
        }
        let id = {
            let mut conn = self.pool.acquire().await?;
            let phone = new.contact_phone.as_deref();
            insert_ticket(&mut conn, &service, new.priority, phone, issued_by).await?
        };
        self.ticket(&id).await
    }

    pub(crate) async fn ticket(&self, id: &str) -> Result<Ticket, ApiFailure> {
        let row = self
            .ticket_row(id)
            .await?
            .ok_or_else(|| ApiFailure::not_found(format!("No ticket {id}")))?;
        self.ticket_view(row).await
    }

    async fn ticket_row(&self, id: &str) -> Result<Option<TicketRow>, ApiFailure> {
        Ok(sqlx::query_as(&format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A ticket with its live place in the queue, wait and window.
    async fn ticket_view(&self, row: TicketRow) -> Result<Ticket, ApiFailure> {
        let service = self.service(&row.service_code).await?;
        let status = TicketStatus::parse(&row.status).ok_or_else(|| {
            ApiFailure::internal(format!("ticket {} has status {}", row.id, row.status))
        })?;
        let priority = Priority::parse(&row.priority).ok_or_else(|| {
            ApiFailure::internal(format!("ticket {} has priority {}", row.id, row.priority))
        })?;
        let (people_ahead, estimated_wait_minutes) = if status == TicketStatus::Issued {
            let ahead = self.people_ahead(&row).await?;
            let average = self
                .average_minutes(&row.service_code)
                .await?
                .unwrap_or(service.typical_minutes as f64);
            (
                ahead,
                estimate_minutes(ahead, average, self.open_windows(&row.service_code).await?),
            )
        } else {
            (0, 0)
        };
        let (window_number, window) = self.ticket_window(&row).await?;
        Ok(Ticket {
            window,
            window_number,
            id: row.id,
            number: row.number,
            service_code: row.service_code,
            service_name: service.name,
            priority,
            status,
            people_ahead,
            estimated_wait_minutes,
            issued_at: row.issued_at,
        })
    }

    /// Waiting tickets of the same service that [`CALL_ORDER`] puts before this one.
    async fn people_ahead(&self, row: &TicketRow) -> Result<i64, ApiFailure> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets WHERE service_code = $1 AND status = $2 AND (priority_rank > $3
             OR (priority_rank = $3 AND (issued_at < $4 OR (issued_at = $4 AND seq < $5))))",
        )
        .bind(&row.service_code)
        .bind(TicketStatus::Issued.as_str())
        .bind(row.priority_rank)
        .bind(row.issued_at)
        .bind(row.seq)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Average start-to-finish minutes of the service's last few done tickets, if any.
    async fn average_minutes(&self, service_code: &str) -> Result<Option<f64>, ApiFailure> {
        let times: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT started_at, finished_at FROM tickets WHERE service_code = $1 AND status = $2
             ORDER BY finished_at DESC LIMIT $3",
        )
        .bind(service_code)
        .bind(TicketStatus::Done.as_str())
        .bind(RECENT_SERVICES)
        .fetch_all(&self.pool)
        .await?;
        if times.is_empty() {
            return Ok(None);
        }
        let total_ms: i64 = times.iter().map(|(start, finish)| finish - start).sum();
        Ok(Some(total_ms as f64 / times.len() as f64 / 60_000.0))
    }

    async fn open_windows(&self, service_code: &str) -> Result<i64, ApiFailure> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM windows w JOIN window_services ws ON ws.window_number = w.number
             WHERE ws.service_code = $1 AND w.is_open = 1",
        )
        .bind(service_code)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The window that called the ticket, otherwise the lowest-numbered open window serving
    /// its service (or, all closed, the lowest-numbered one).
    /// The ticket's window: its number and name, or "to be assigned".
    async fn ticket_window(&self, row: &TicketRow) -> Result<(Option<i64>, Bilingual), ApiFailure> {
        let window: Option<(i64, String, String)> = match row.window_number {
            Some(number) => sqlx::query_as("SELECT number, name_zh, name_en FROM windows WHERE number = $1")
                .bind(number)
                .fetch_optional(&self.pool)
                .await?,
            None => sqlx::query_as(
                "SELECT w.number, w.name_zh, w.name_en FROM windows w JOIN window_services ws ON ws.window_number = w.number
                 WHERE ws.service_code = $1 ORDER BY w.is_open DESC, w.number LIMIT 1",
            )
            .bind(&row.service_code)
            .fetch_optional(&self.pool)
            .await?,
        };
        Ok(window.map_or_else(
            || (None, Bilingual::new("待分配", "To be assigned")),
            |(number, zh, en)| (Some(number), Bilingual { zh, en }),
        ))
    }

    pub(crate) async fn windows(&self) -> Result<Vec<Window>, ApiFailure> {
        let rows: Vec<(i64, String, String, i64)> =
            sqlx::query_as("SELECT number, name_zh, name_en, is_open FROM windows ORDER BY number")
                .fetch_all(&self.pool)
                .await?;
        let served: Vec<(i64, String)> = sqlx::query_as(
            "SELECT ws.window_number, ws.service_code FROM window_services ws
             JOIN services s ON s.code = ws.service_code ORDER BY s.position",
        )
        .fetch_all(&self.pool)
        .await?;
        // Oldest call first, so the latest call at a window wins.
        let current: Vec<(i64, String)> = sqlx::query_as(
            "SELECT window_number, id FROM tickets WHERE status IN ($1, $2) AND window_number IS NOT NULL
             ORDER BY called_at",
        )
        .bind(TicketStatus::Called.as_str())
        .bind(TicketStatus::Serving.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(number, zh, en, open)| Window {
                number,
                name: Bilingual { zh, en },
                services: served
                    .iter()
                    .filter(|(w, _)| *w == number)
                    .map(|(_, code)| code.clone())
                    .collect(),
                open: open != 0,
                current_ticket: current
                    .iter()
                    .rfind(|(w, _)| *w == number)
                    .map(|(_, id)| id.clone()),
            })
            .collect())
    }

    async fn window(&self, number: i64) -> Result<Window, ApiFailure> {
        self.windows()
            .await?
            .into_iter()
            .find(|w| w.number == number)
            .ok_or_else(|| ApiFailure::not_found(format!("No window {number}")))
    }

    pub(crate) async fn set_window_open(
        &self,
        number: i64,
        open: bool,
    ) -> Result<Window, ApiFailure> {
        sqlx::query("UPDATE windows SET is_open = $1 WHERE number = $2")
            .bind(open as i64)
            .bind(number)
            .execute(&self.pool)
            .await?;
        self.window(number).await
    }

    /// Calls the next waiting ticket of the services the window serves.
    pub(crate) async fn call_next(&self, number: i64) -> Result<Ticket, ApiFailure> {
        if !self.window(number).await?.open {
            return Err(ApiFailure::window_closed(number));
        }
        loop {
            let next: Option<String> = sqlx::query_scalar(&format!(
                "SELECT id FROM tickets WHERE status = $1 AND service_code IN
                 (SELECT service_code FROM window_services WHERE window_number = $2)
                 ORDER BY {CALL_ORDER} LIMIT 1"
            ))
            .bind(TicketStatus::Issued.as_str())
            .bind(number)
            .fetch_optional(&self.pool)
            .await?;
            let id = next.ok_or_else(|| ApiFailure::no_waiting_ticket(number))?;
            // Another window may have called the same ticket meanwhile: then take the next one.
            let called = sqlx::query(
                "UPDATE tickets SET status = $1, window_number = $2, called_at = $3 WHERE id = $4 AND status = $5",
            )
            .bind(TicketStatus::Called.as_str())
            .bind(number)
            .bind(now_ms())
            .bind(&id)
            .bind(TicketStatus::Issued.as_str())
            .execute(&self.pool)
            .await?;
            if called.rows_affected() == 1 {
                return self.ticket(&id).await;
            }
        }
    }

    pub(crate) async fn transition(
        &self,
        id: &str,
        transition: Transition,
    ) -> Result<Ticket, ApiFailure> {
        let (from, to, time_column, done) = transition.spec();
        let changed = sqlx::query(&format!(
            "UPDATE tickets SET status = $1, {time_column} = $2 WHERE id = $3 AND status = $4"
        ))
        .bind(to.as_str())
        .bind(now_ms())
        .bind(id)
        .bind(from.as_str())
        .execute(&self.pool)
        .await?;
        if changed.rows_affected() == 1 {
            return self.ticket(id).await;
        }
        match self.ticket_row(id).await? {
            Some(row) => Err(ApiFailure::invalid_transition(
                &row.number,
                &row.status,
                done,
            )),
            None => Err(ApiFailure::not_found(format!("No ticket {id}"))),
        }
    }
}
