//! Ratings of served visits (政务服务"好差评") on the server: the visit a kiosk or a window's
//! evaluator offers to rate, one rating per served ticket (一事一评), the follow-up of a low
//! rating within 15 working days, and the figures per day, window and service.

use serde::Deserialize;
use sqlx::AnyConnection;

use crate::access::{Caller, Role};
use crate::calendar::{after_working_days, china_date, china_day, china_time, parse_date};
use crate::error::{checked_text, Failure};
use crate::queue::{is_mobile_number, mask_phone};
use crate::store::{now_ms, random_hex, Db};
use contract::model::{
    Bilingual, Evaluation, EvaluationChannel, EvaluationSummary, FollowUp, LevelCounts, LowRatingReason, NewEvaluation,
    NewFollowUp, RateableVisit, Satisfaction, TicketStatus,
};
use contract::string_enum;

/// Working days (Monday to Friday; public holidays are not counted) the center has to follow
/// a low rating up.
const FOLLOW_UP_WORKING_DAYS: u32 = 15;

/// How long after the clerk finished a ticket the window's evaluator still offers to rate it.
pub(crate) const WINDOW_RATING_MINUTES: i64 = 10;

/// The longest finding or action of a follow-up, in characters.
pub(crate) const MAX_FOLLOW_UP_CHARS: usize = 500;

/// The most days one summary covers.
const MAX_SUMMARY_DAYS: i64 = 366;

string_enum! {
    /// Which low ratings `GET /v1/evaluations` lists: not followed up yet (`open`), those of
    /// them past their due time (`overdue`), or followed up (`done`).
    pub enum FollowUpState {
        Open = "open",
        Overdue = "overdue",
        Done = "done",
    }
}

const COLUMNS: &str = "id, ticket_id, ticket_number, service_code, window_number, level, reasons, channel, \
     kiosk_id, callback_phone, created_at, follow_up_due, follow_up_by, follow_up_finding, follow_up_action, \
     follow_up_at";

#[derive(sqlx::FromRow)]
struct EvaluationRow {
    id: String,
    ticket_id: String,
    ticket_number: String,
    service_code: String,
    window_number: i64,
    level: String,
    reasons: String,
    channel: String,
    kiosk_id: String,
    callback_phone: Option<String>,
    created_at: i64,
    follow_up_due: Option<i64>,
    follow_up_by: Option<String>,
    follow_up_finding: Option<String>,
    follow_up_action: Option<String>,
    follow_up_at: Option<i64>,
}

/// A rating as stored, before it has an id.
struct Rating<'a> {
    ticket_id: &'a str,
    ticket_number: &'a str,
    service_code: &'a str,
    window_number: i64,
    level: Satisfaction,
    reasons: &'a [LowRatingReason],
    channel: EvaluationChannel,
    kiosk_id: &'a str,
    callback_phone: Option<&'a str>,
    created_at: i64,
}

/// Columns read for a [`VisitRow`], from tickets `t` joined with their windows `w`.
const VISIT_COLUMNS: &str = "t.id, t.number, t.day, t.service_code, t.status, t.window_number, t.finished_at, \
     w.name_zh AS window_zh, w.name_en AS window_en, \
     (SELECT COUNT(*) FROM evaluations e WHERE e.ticket_id = t.id) AS ratings";

#[derive(sqlx::FromRow)]
struct VisitRow {
    id: String,
    number: String,
    /// China-time day of issue, as [`china_day`] counts them.
    day: i64,
    service_code: String,
    status: String,
    window_number: Option<i64>,
    finished_at: Option<i64>,
    window_zh: Option<String>,
    window_en: Option<String>,
    ratings: i64,
}

/// How a kiosk names the visit to rate: the ticket's number as typed (today's ticket with
/// it), or the ticket's id, scanned from the printed ticket.
#[derive(Clone, Copy, Debug)]
pub(crate) enum VisitOf<'a> {
    Number(&'a str),
    Ticket(&'a str),
}

/// The ticket found for a kiosk's rating, if it may be rated there: served (done) today, China
/// time, whichever way it was named. A ticket the refusal can name is named (still to be served
/// today, or not today's); `named` is the number asked for, if it was asked by number.
fn rateable_today(row: Option<VisitRow>, named: Option<String>, today: i64) -> Result<VisitRow, Failure> {
    match row {
        Some(row) if row.day == today && row.status == TicketStatus::Done.as_str() => Ok(row),
        Some(row) => Err(Failure::NoRateableVisit { waiting: row.day == today, number: Some(row.number) }),
        None => Err(Failure::NoRateableVisit { number: named, waiting: false }),
    }
}

/// Reasons go with a low level, at least one, and only with a low level.
fn check_reasons(level: Satisfaction, reasons: &[LowRatingReason]) -> Result<(), Failure> {
    match (level.is_low(), reasons.is_empty()) {
        (true, true) => Err(Failure::InvalidRequest(format!("a {level} rating needs at least one reason"))),
        (false, false) => Err(Failure::InvalidRequest(format!("reasons are only for a low rating, not {level}"))),
        _ if reasons.iter().enumerate().any(|(i, reason)| reasons[..i].contains(reason)) => {
            Err(Failure::InvalidRequest("a reason is listed twice".into()))
        }
        _ => Ok(()),
    }
}

/// The call-back number is only asked after a low rating: it is kept for nothing else.
fn check_callback_phone(level: Satisfaction, phone: Option<&str>) -> Result<(), Failure> {
    match phone {
        Some(_) if !level.is_low() => {
            Err(Failure::InvalidRequest(format!("callback_phone is only for a low rating, not {level}")))
        }
        Some(phone) if !is_mobile_number(phone) => {
            Err(Failure::InvalidRequest("callback_phone must be an 11-digit mobile number starting with 1".into()))
        }
        _ => Ok(()),
    }
}

fn count_of(counts: &mut LevelCounts, level: Satisfaction) -> &mut i64 {
    match level {
        Satisfaction::VerySatisfied => &mut counts.very_satisfied,
        Satisfaction::Satisfied => &mut counts.satisfied,
        Satisfaction::BasicallySatisfied => &mut counts.basically_satisfied,
        Satisfaction::Dissatisfied => &mut counts.dissatisfied,
        Satisfaction::VeryDissatisfied => &mut counts.very_dissatisfied,
    }
}

/// The satisfaction rate (the three satisfied levels) and the low-rating rate, 0 to 1.
fn rates(counts: &LevelCounts, total: i64) -> (f64, f64) {
    let satisfied = counts.very_satisfied + counts.satisfied + counts.basically_satisfied;
    let low = counts.dissatisfied + counts.very_dissatisfied;
    (satisfied as f64 / total as f64, low as f64 / total as f64)
}

/// A rating as answered: the full call-back number only `with_phone` (to staff).
fn view(row: EvaluationRow, with_phone: bool) -> Result<Evaluation, Failure> {
    let broken = |what: &str| Failure::internal(format!("evaluation {} has {what}", row.id));
    let level = Satisfaction::parse(&row.level).ok_or_else(|| broken(&format!("level {}", row.level)))?;
    let channel = EvaluationChannel::parse(&row.channel).ok_or_else(|| broken(&format!("channel {}", row.channel)))?;
    let follow_up = match (row.follow_up_by, row.follow_up_finding, row.follow_up_action, row.follow_up_at) {
        (Some(by), Some(finding), Some(action), Some(at)) => Some(FollowUp { by, finding, action, at }),
        _ => None,
    };
    Ok(Evaluation {
        reasons: serde_json::from_str(&row.reasons)?,
        callback_phone_masked: row.callback_phone.as_deref().map(mask_phone),
        callback_phone: row.callback_phone.filter(|_| with_phone),
        level,
        channel,
        follow_up,
        id: row.id,
        ticket_id: row.ticket_id,
        ticket_number: row.ticket_number,
        service_code: row.service_code,
        window_number: row.window_number,
        kiosk_id: row.kiosk_id,
        created_at: row.created_at,
        follow_up_due: row.follow_up_due,
    })
}

/// Stores a rating unless its ticket has one; answers its id, or `None` when the ticket was
/// rated already. The unique ticket id decides between concurrent ratings on both engines.
async fn insert_rating(conn: &mut AnyConnection, rating: &Rating<'_>) -> Result<Option<String>, sqlx::Error> {
    let id = random_hex(8);
    let follow_up_due = rating.level.is_low().then(|| after_working_days(rating.created_at, FOLLOW_UP_WORKING_DAYS));
    let inserted = sqlx::query(
        "INSERT INTO evaluations (id, ticket_id, ticket_number, service_code, window_number, level, reasons,
             channel, kiosk_id, callback_phone, created_at, day, follow_up_due)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (ticket_id) DO NOTHING",
    )
    .bind(&id)
    .bind(rating.ticket_id)
    .bind(rating.ticket_number)
    .bind(rating.service_code)
    .bind(rating.window_number)
    .bind(rating.level.as_str())
    .bind(serde_json::to_string(rating.reasons).expect("reasons serialize"))
    .bind(rating.channel.as_str())
    .bind(rating.kiosk_id)
    .bind(rating.callback_phone)
    .bind(rating.created_at)
    .bind(china_day(rating.created_at))
    .bind(follow_up_due)
    .execute(conn)
    .await?;
    Ok((inserted.rows_affected() == 1).then_some(id))
}

impl Db {
    /// Today's served ticket with this number (`A012`, any case) or id, to rate at a kiosk.
    pub(crate) async fn rateable_visit(&self, of: VisitOf<'_>) -> Result<RateableVisit, Failure> {
        let today = china_day(now_ms());
        let visits = format!("SELECT {VISIT_COLUMNS} FROM tickets t LEFT JOIN windows w ON w.number = t.window_number");
        let (row, named): (Option<VisitRow>, _) = match of {
            VisitOf::Number(number) => {
                let number = number.to_ascii_uppercase();
                let row = sqlx::query_as(&format!("{visits} WHERE t.day = $1 AND t.number = $2"))
                    .bind(today)
                    .bind(&number)
                    .fetch_optional(&mut *self.conn().await?)
                    .await?;
                (row, Some(number))
            }
            VisitOf::Ticket(id) => {
                let row = sqlx::query_as(&format!("{visits} WHERE t.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *self.conn().await?)
                    .await?;
                (row, None)
            }
        };
        let row = rateable_today(row, named, today).map_err(|refusal| match (of, refusal) {
            // A ticket named by its id exists: still to be served is a conflict, not a 404.
            (VisitOf::Ticket(_), Failure::NoRateableVisit { number: Some(number), waiting: true }) => {
                Failure::NotServed(number)
            }
            (_, refusal) => refusal,
        })?;
        self.visit_view(row).await
    }

    /// The ticket the window finished last, if that was within [`WINDOW_RATING_MINUTES`] and
    /// it has no rating yet: what the window's evaluator asks the resident to rate.
    pub(crate) async fn window_rateable_visit(&self, window: i64) -> Result<Option<RateableVisit>, Failure> {
        self.window(window).await?;
        let latest: Option<VisitRow> = sqlx::query_as(&format!(
            "SELECT {VISIT_COLUMNS} FROM tickets t LEFT JOIN windows w ON w.number = t.window_number
             WHERE t.window_number = $1 AND t.status = $2 ORDER BY t.finished_at DESC, t.id LIMIT 1"
        ))
        .bind(window)
        .bind(TicketStatus::Done.as_str())
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let since = now_ms() - WINDOW_RATING_MINUTES * 60_000;
        match latest.filter(|row| row.ratings == 0 && row.finished_at.is_some_and(|at| at >= since)) {
            Some(row) => Ok(Some(self.visit_view(row).await?)),
            None => Ok(None),
        }
    }

    async fn visit_view(&self, row: VisitRow) -> Result<RateableVisit, Failure> {
        let (Some(window_number), Some(finished_at), Some(zh), Some(en)) =
            (row.window_number, row.finished_at, row.window_zh, row.window_en)
        else {
            return Err(Failure::internal(format!("done ticket {} has no window or finish time", row.id)));
        };
        let service = self.service(&row.service_code).await?;
        Ok(RateableVisit {
            ticket_id: row.id,
            ticket_number: row.number,
            service_code: row.service_code,
            service_name: service.name,
            window: Bilingual { zh, en },
            window_number,
            finished_at,
            rated: row.ratings > 0,
        })
    }

    /// Rates a served ticket, once. A kiosk is answered the call-back number masked only.
    pub(crate) async fn evaluate(&self, new: &NewEvaluation, caller: &Caller) -> Result<Evaluation, Failure> {
        check_reasons(new.level, &new.reasons)?;
        check_callback_phone(new.level, new.callback_phone.as_deref())?;
        let ticket: Option<(String, String, String, Option<i64>)> =
            sqlx::query_as("SELECT number, service_code, status, window_number FROM tickets WHERE id = $1")
                .bind(&new.ticket_id)
                .fetch_optional(&mut *self.conn().await?)
                .await?;
        let (number, service_code, status, window_number) =
            ticket.ok_or_else(|| Failure::NotFound(format!("No ticket {}", new.ticket_id)))?;
        let Some(window_number) = window_number.filter(|_| status == TicketStatus::Done.as_str()) else {
            return Err(Failure::NotServed(number));
        };
        let rating = Rating {
            ticket_id: &new.ticket_id,
            ticket_number: &number,
            service_code: &service_code,
            window_number,
            level: new.level,
            reasons: &new.reasons,
            channel: new.channel,
            kiosk_id: &caller.name,
            callback_phone: new.callback_phone.as_deref(),
            created_at: now_ms(),
        };
        let id = insert_rating(&mut *self.conn().await?, &rating).await?.ok_or(Failure::AlreadyRated(number))?;
        view(self.evaluation_row(&id).await?, caller.role == Role::Staff)
    }

    async fn evaluation_row(&self, id: &str) -> Result<EvaluationRow, Failure> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM evaluations WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?
            .ok_or_else(|| Failure::NotFound(format!("No evaluation {id}")))
    }

    /// A rating, for staff.
    pub(crate) async fn evaluation(&self, id: &str) -> Result<Evaluation, Failure> {
        view(self.evaluation_row(id).await?, true)
    }

    /// The low ratings in a follow-up state, oldest first, for staff.
    pub(crate) async fn evaluations(&self, state: FollowUpState) -> Result<Vec<Evaluation>, Failure> {
        // Only low ratings have a due time; open ones are due at any time.
        let (followed_up, due_before) = match state {
            FollowUpState::Open => ("IS NULL", i64::MAX),
            FollowUpState::Overdue => ("IS NULL", now_ms()),
            FollowUpState::Done => ("IS NOT NULL", i64::MAX),
        };
        let rows: Vec<EvaluationRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM evaluations WHERE follow_up_due < $1 AND follow_up_at {followed_up}
             ORDER BY created_at, id"
        ))
        .bind(due_before)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.into_iter().map(|row| view(row, true)).collect()
    }

    /// Records what a staff member found and did about a low rating: once.
    pub(crate) async fn follow_up(
        &self,
        id: &str,
        follow_up: &NewFollowUp,
        caller: &Caller,
    ) -> Result<Evaluation, Failure> {
        let finding = checked_text("finding", &follow_up.finding, MAX_FOLLOW_UP_CHARS)?;
        let action = checked_text("action", &follow_up.action, MAX_FOLLOW_UP_CHARS)?;
        if self.evaluation_row(id).await?.follow_up_due.is_none() {
            return Err(Failure::FollowUpNotNeeded);
        }
        // Only the UPDATE that still finds it open counts, even against a concurrent one.
        let recorded = sqlx::query(
            "UPDATE evaluations SET follow_up_by = $1, follow_up_finding = $2, follow_up_action = $3,
                 follow_up_at = $4
             WHERE id = $5 AND follow_up_at IS NULL",
        )
        .bind(&caller.name)
        .bind(finding)
        .bind(action)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *self.conn().await?)
        .await?;
        let row = self.evaluation_row(id).await?;
        match (recorded.rows_affected(), row.follow_up_at) {
            (1, _) => view(row, true),
            (_, Some(at)) => Err(Failure::AlreadyFollowedUp(china_time(at.div_euclid(1000)))),
            (_, None) => Err(Failure::internal(format!("evaluation {id} is open but took no follow-up"))),
        }
    }

    /// The ratings per day, window and service from `from` to `to` (`YYYY-MM-DD`, inclusive).
    pub(crate) async fn evaluation_summary(&self, from: &str, to: &str) -> Result<Vec<EvaluationSummary>, Failure> {
        let day = |name: &str, text: &str| {
            parse_date(text)
                .ok_or_else(|| Failure::InvalidRequest(format!("{name} must be a date YYYY-MM-DD, not {text:?}")))
        };
        let (first, last) = (day("from", from)?, day("to", to)?);
        if last < first {
            return Err(Failure::InvalidRequest(format!("to ({to}) is before from ({from})")));
        }
        if last - first >= MAX_SUMMARY_DAYS {
            return Err(Failure::InvalidRequest(format!("a summary covers at most {MAX_SUMMARY_DAYS} days")));
        }
        let rows: Vec<(i64, i64, String, String, i64, i64)> = sqlx::query_as(
            "SELECT day, window_number, service_code, level, COUNT(*),
                 COUNT(CASE WHEN follow_up_at IS NULL AND follow_up_due < $3 THEN 1 END)
             FROM evaluations WHERE day >= $1 AND day <= $2
             GROUP BY day, window_number, service_code, level ORDER BY day, window_number, service_code",
        )
        .bind(first)
        .bind(last)
        .bind(now_ms())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let mut lines: Vec<EvaluationSummary> = Vec::new();
        for (day, window_number, service_code, level, ratings, overdue) in rows {
            let level = Satisfaction::parse(&level).ok_or_else(|| Failure::internal(format!("a rating of {level}")))?;
            let day = china_date(day);
            let line = match lines.last_mut() {
                Some(line)
                    if line.day == day && line.window_number == window_number && line.service_code == service_code =>
                {
                    line
                }
                _ => {
                    lines.push(EvaluationSummary {
                        day,
                        window_number,
                        service_code,
                        counts: LevelCounts::default(),
                        total: 0,
                        satisfaction_rate: 0.0,
                        low_rate: 0.0,
                        follow_ups_overdue: 0,
                    });
                    lines.last_mut().expect("just pushed")
                }
            };
            *count_of(&mut line.counts, level) += ratings;
            line.total += ratings;
            line.follow_ups_overdue += overdue;
        }
        for line in &mut lines {
            (line.satisfaction_rate, line.low_rate) = rates(&line.counts, line.total);
        }
        Ok(lines)
    }
}

/// A rating of the demo (`seed/evaluations.json`): some days ago, its ticket not in the
/// database.
#[derive(Deserialize)]
struct DemoRating {
    days_ago: i64,
    ticket_number: String,
    service_code: String,
    window_number: i64,
    level: Satisfaction,
    #[serde(default)]
    reasons: Vec<LowRatingReason>,
    channel: EvaluationChannel,
    /// Who followed it up, what they found and did, two days after the rating.
    follow_up: Option<(String, String, String)>,
}

/// Seeds the demo's ratings, as of `now`, so that the summary shows something.
pub(crate) async fn seed_demo_ratings(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    let demo: Vec<DemoRating> = serde_json::from_str(include_str!("../seed/evaluations.json"))
        .expect("seed/evaluations.json matches DemoRating");
    for (i, rating) in demo.iter().enumerate() {
        let created_at = now - rating.days_ago * 86_400_000;
        let ticket_id = format!("demo-ticket-{i}");
        let stored = Rating {
            ticket_id: &ticket_id,
            ticket_number: &rating.ticket_number,
            service_code: &rating.service_code,
            window_number: rating.window_number,
            level: rating.level,
            reasons: &rating.reasons,
            channel: rating.channel,
            kiosk_id: "demo",
            callback_phone: None,
            created_at,
        };
        let Some(id) = insert_rating(conn, &stored).await? else { continue };
        if let Some((by, finding, action)) = &rating.follow_up {
            sqlx::query(
                "UPDATE evaluations SET follow_up_by = $1, follow_up_finding = $2, follow_up_action = $3,
                     follow_up_at = $4
                 WHERE id = $5",
            )
            .bind(by)
            .bind(finding)
            .bind(action)
            .bind(created_at + 2 * 86_400_000)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use LowRatingReason::*;
    use Satisfaction::*;

    #[test]
    fn reasons_come_with_a_low_level_only_and_once_each() {
        assert!(check_reasons(Dissatisfied, &[LongWait]).is_ok());
        assert!(check_reasons(VeryDissatisfied, &[Attitude, Other]).is_ok());
        assert!(check_reasons(Satisfied, &[]).is_ok());
        let refused = |level, reasons: &[LowRatingReason]| format!("{:?}", check_reasons(level, reasons).unwrap_err());
        assert!(refused(Dissatisfied, &[]).contains("at least one"));
        assert!(refused(BasicallySatisfied, &[LongWait]).contains("only for a low rating"));
        assert!(refused(VeryDissatisfied, &[Attitude, Attitude]).contains("twice"));
    }

    #[test]
    fn a_call_back_number_only_follows_a_low_rating() {
        assert!(check_callback_phone(Dissatisfied, Some("13800138000")).is_ok());
        assert!(check_callback_phone(VerySatisfied, None).is_ok());
        assert!(check_callback_phone(VerySatisfied, Some("13800138000")).is_err());
        assert!(check_callback_phone(Dissatisfied, Some("23800138000")).is_err());
    }

    #[test]
    fn the_rates_are_shares_of_the_total() {
        let counts = LevelCounts {
            very_satisfied: 2,
            satisfied: 1,
            basically_satisfied: 1,
            dissatisfied: 0,
            very_dissatisfied: 1,
        };
        assert_eq!(rates(&counts, 5), (0.8, 0.2));
    }

    #[test]
    fn only_a_ticket_served_today_is_rateable_and_a_refusal_names_what_it_can() {
        let today = 20_000;
        let ticket = |day: i64, status: TicketStatus| VisitRow {
            id: "3fa9c01b77d2e845".into(),
            number: "A012".into(),
            day,
            service_code: "legal-aid".into(),
            status: status.as_str().into(),
            window_number: Some(6),
            finished_at: Some(1),
            window_zh: Some("6号窗口".into()),
            window_en: Some("Window 6".into()),
            ratings: 0,
        };
        let refusal = |row, named: Option<&str>| match rateable_today(row, named.map(String::from), today) {
            Err(Failure::NoRateableVisit { number, waiting }) => (number, waiting),
            other => panic!("not refused: {:?}", other.map(|row| row.number)),
        };
        assert_eq!(rateable_today(Some(ticket(today, TicketStatus::Done)), None, today).unwrap().number, "A012");
        assert_eq!(refusal(Some(ticket(today, TicketStatus::Serving)), None), (Some("A012".into()), true));
        assert_eq!(refusal(Some(ticket(today - 1, TicketStatus::Done)), None), (Some("A012".into()), false));
        assert_eq!(refusal(None, Some("B001")), (Some("B001".into()), false));
        assert_eq!(refusal(None, None), (None, false));
    }
}
