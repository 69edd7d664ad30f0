//! Interpreter calls (远程手语视频) and staff calls (一键呼叫) on the server.
//!
//! An interpreter call waits in one queue, oldest first, until an interpreter on duty accepts
//! it; then it carries the join URL of a fresh video room. Beyond that state machine:
//! - with no interpreter on duty, or outside the service hours, a call is `unavailable` at
//!   once, with a reason and a message that tells the resident what to do instead;
//! - when the last interpreter goes off duty, the queued calls become unavailable; an
//!   interpreter with an accepted call cannot go off duty before ending it;
//! - a call queued for [`MAX_QUEUE_MINUTES`] becomes unavailable (`no_answer`);
//! - each end is present while it reads the call (the kiosk polls it every 2 seconds, an
//!   interpreter's desk or `service-api interpreter stay` reads it too); an accepted call
//!   whose other end has not read it for [`GONE_AFTER_MINUTES`] ends (`interpreter_gone` or
//!   `kiosk_gone`), so that nobody sits in an empty video room;
//! - a kiosk has one call at a time: a new call cancels or ends its earlier ones, so that a
//!   kiosk that restarted and forgot its call leaves no interpreter waiting on it;
//! - repeating an action that already happened (accept, cancel, end, acknowledge) answers the
//!   call as it is: both ends may end a call.

use crate::access::{Caller, Role};
use crate::error::Failure;
use crate::service_hours::ServiceHours;
use crate::store::{now_ms, random_hex, Db};
use crate::wait::{average_minutes, interpreter_wait_minutes};
use contract::model::{
    Bilingual, CallEndReason, Interpreter, InterpreterCall, InterpreterCallStatus, NewStaffCall, StaffCall,
    StaffCallReason, StaffCallStatus, UnavailableReason,
};

use InterpreterCallStatus::{Assigned, Cancelled, Ended, InCall, Queued, Unavailable};

/// Where the interpreters' video rooms are when `serve --video-base-url` is not given.
pub const DEFAULT_VIDEO_BASE_URL: &str = "https://meet.jit.si";

/// Minutes a call waits in the queue before it is answered as unavailable (`no_answer`).
pub const MAX_QUEUE_MINUTES: i64 = 15;

/// Minutes an end of an accepted call may go without reading it before the call ends.
pub const GONE_AFTER_MINUTES: i64 = 3;

/// The length of a call, in minutes, for wait estimates until calls have ended.
pub const DEFAULT_CALL_MINUTES: f64 = 10.0;

/// How many recent calls feed the average call length.
const RECENT_CALLS: i64 = 20;

const CALL_COLUMNS: &str = "id, kiosk_id, requested_by, status, unavailable_reason, interpreter, \
     join_url, created_at, assigned_at, started_at, ended_at, ended_reason";

const STAFF_CALL_COLUMNS: &str =
    "id, kiosk_id, requested_by, reason, status, created_at, acknowledged_at, acknowledged_by";

/// How the server answers interpreter calls (`serve --video-base-url`, `--interpreter-hours`).
#[derive(Clone, Debug)]
pub struct CallSettings {
    /// A join URL is this, `/`, and the room's name.
    pub video_base_url: String,
    /// `None`: interpreters may be called at any hour.
    pub interpreter_hours: Option<ServiceHours>,
}

impl Default for CallSettings {
    fn default() -> Self {
        CallSettings { video_base_url: DEFAULT_VIDEO_BASE_URL.into(), interpreter_hours: None }
    }
}

/// Why a new call cannot reach an interpreter at `now` (unix milliseconds), if it can't: the
/// hours come first, so that outside them the resident hears when to come back.
fn unavailable_reason(hours: Option<ServiceHours>, now: i64, on_duty: i64) -> Option<UnavailableReason> {
    if hours.is_some_and(|hours| !hours.contains(now)) {
        Some(UnavailableReason::OutsideHours)
    } else if on_duty == 0 {
        Some(UnavailableReason::NoInterpreterOnDuty)
    } else {
        None
    }
}

/// What the kiosk shows and speaks when no interpreter can take the call: why, and what the
/// resident can do instead.
fn unavailable_message(reason: UnavailableReason, hours: Option<ServiceHours>) -> Bilingual {
    const INSTEAD_ZH: &str = "您可以呼叫工作人员到这里帮助您，或查看屏幕上的文字帮助。";
    const INSTEAD_EN: &str = "You can call a staff member to this kiosk, or read the written help on the screen.";
    let (zh, en) = match (reason, hours) {
        (UnavailableReason::NoInterpreterOnDuty, _) => {
            ("现在没有手语翻译员在岗。".to_owned(), "No sign-language interpreter is on duty now.".to_owned())
        }
        (UnavailableReason::OutsideHours, Some(hours)) => (
            format!("手语视频服务时间为每天 {hours}（北京时间），现在不在服务时间内。"),
            format!("Sign-language video is available daily {hours} (Beijing time); it is closed now."),
        ),
        (UnavailableReason::OutsideHours, None) => {
            ("现在不在手语视频服务时间内。".to_owned(), "Sign-language video is closed now.".to_owned())
        }
        (UnavailableReason::NoAnswer, _) => (
            "手语翻译员都在忙，暂时无法接通。".to_owned(),
            "All sign-language interpreters are busy; the call could not be answered.".to_owned(),
        ),
    };
    Bilingual::new(zh + INSTEAD_ZH, format!("{en} {INSTEAD_EN}"))
}

#[derive(sqlx::FromRow)]
struct CallRow {
    id: String,
    kiosk_id: String,
    requested_by: String,
    status: String,
    unavailable_reason: Option<String>,
    interpreter: Option<String>,
    join_url: Option<String>,
    created_at: i64,
    assigned_at: Option<i64>,
    started_at: Option<i64>,
    ended_at: Option<i64>,
    ended_reason: Option<String>,
}

impl CallRow {
    fn visible_to(&self, caller: &Caller) -> bool {
        caller.may_see_interpreter_call(self.status == Queued.as_str(), self.interpreter.as_deref(), &self.requested_by)
    }
}

/// What either end does to a call once it is made (an interpreter's accept is
/// [`Db::accept_interpreter_call`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum CallAction {
    /// The kiosk opened the video.
    Start,
    Cancel,
    /// Either end closed the video, or the kiosk's session ended.
    End,
}

impl CallAction {
    /// (the one or two statuses it applies to, status it gives, time column it sets, past
    /// participle for messages)
    fn spec(self) -> ([InterpreterCallStatus; 2], InterpreterCallStatus, &'static str, &'static str) {
        match self {
            CallAction::Start => ([Assigned, Assigned], InCall, "started_at", "started"),
            CallAction::Cancel => ([Queued, Queued], Cancelled, "ended_at", "cancelled"),
            CallAction::End => ([Assigned, InCall], Ended, "ended_at", "ended"),
        }
    }
}

#[derive(sqlx::FromRow)]
struct StaffCallRow {
    id: String,
    kiosk_id: String,
    requested_by: String,
    reason: String,
    status: String,
    created_at: i64,
    acknowledged_at: Option<i64>,
    acknowledged_by: Option<String>,
}

impl Db {
    /// A new interpreter call for the caller's kiosk: queued, or unavailable at once.
    pub(crate) async fn request_interpreter(
        &self,
        caller: &Caller,
        settings: &CallSettings,
    ) -> Result<InterpreterCall, Failure> {
        let now = now_ms();
        self.settle_calls(now).await?;
        let requested_by = caller.issued_by();
        // One call per kiosk: whatever it still had open is over.
        for (from, to) in [(Queued, Cancelled), (Assigned, Ended), (InCall, Ended)] {
            sqlx::query(
                "UPDATE interpreter_calls SET status = $1, ended_at = $2
                 WHERE requested_by = $3 AND status = $4",
            )
            .bind(to.as_str())
            .bind(now)
            .bind(&requested_by)
            .bind(from.as_str())
            .execute(&mut *self.conn().await?)
            .await?;
        }
        let unavailable = unavailable_reason(settings.interpreter_hours, now, self.interpreters_on_duty().await?);
        let id = random_hex(8);
        sqlx::query(
            "INSERT INTO interpreter_calls
                 (id, kiosk_id, requested_by, status, unavailable_reason, created_at, ended_at, kiosk_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $6)",
        )
        .bind(&id)
        .bind(&caller.name)
        .bind(&requested_by)
        .bind((if unavailable.is_some() { Unavailable } else { Queued }).as_str())
        .bind(unavailable.map(UnavailableReason::as_str))
        .bind(now)
        .bind(unavailable.map(|_| now))
        .execute(&mut *self.conn().await?)
        .await?;
        self.interpreter_call_by_id(&id, settings).await
    }

    pub(crate) async fn interpreter_call(
        &self,
        id: &str,
        caller: &Caller,
        settings: &CallSettings,
    ) -> Result<InterpreterCall, Failure> {
        self.mark_seen(id, caller).await?;
        let row = self.visible_call(id, caller).await?;
        self.call_view(row, settings).await
    }

    /// The caller, reading its own call, is still at its end of it.
    async fn mark_seen(&self, id: &str, caller: &Caller) -> Result<(), Failure> {
        let (column, owner, who) = match caller.role {
            Role::Interpreter => ("interpreter_seen_at", "interpreter", caller.name.clone()),
            Role::Kiosk => ("kiosk_seen_at", "requested_by", caller.issued_by()),
            _ => return Ok(()),
        };
        sqlx::query(&format!(
            "UPDATE interpreter_calls SET {column} = $1 WHERE id = $2 AND {owner} = $3 AND status IN ($4, $5, $6)"
        ))
        .bind(now_ms())
        .bind(id)
        .bind(who)
        .bind(Queued.as_str())
        .bind(Assigned.as_str())
        .bind(InCall.as_str())
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    /// The calls in `status` (queued, assigned or in_call) that the caller may see, oldest
    /// first: the queue in the order interpreters take it.
    pub(crate) async fn interpreter_calls(
        &self,
        status: InterpreterCallStatus,
        caller: &Caller,
        settings: &CallSettings,
    ) -> Result<Vec<InterpreterCall>, Failure> {
        if !matches!(status, Queued | Assigned | InCall) {
            return Err(Failure::InvalidRequest("status must be queued, assigned or in_call".into()));
        }
        self.settle_calls(now_ms()).await?;
        let rows: Vec<CallRow> = sqlx::query_as(&format!(
            "SELECT {CALL_COLUMNS} FROM interpreter_calls WHERE status = $1 ORDER BY created_at, id"
        ))
        .bind(status.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let mut calls = Vec::new();
        for row in rows.into_iter().filter(|row| row.visible_to(caller)) {
            calls.push(self.call_view(row, settings).await?);
        }
        Ok(calls)
    }

    pub(crate) async fn move_interpreter_call(
        &self,
        id: &str,
        action: CallAction,
        caller: &Caller,
        settings: &CallSettings,
    ) -> Result<InterpreterCall, Failure> {
        let row = self.visible_call(id, caller).await?;
        let ([from, or_from], to, time_column, done) = action.spec();
        let moved = sqlx::query(&format!(
            "UPDATE interpreter_calls SET status = $1, {time_column} = $2
             WHERE id = $3 AND (status = $4 OR status = $5)"
        ))
        .bind(to.as_str())
        .bind(now_ms())
        .bind(&row.id)
        .bind(from.as_str())
        .bind(or_from.as_str())
        .execute(&mut *self.conn().await?)
        .await?;
        let call = self.interpreter_call_by_id(id, settings).await?;
        if moved.rows_affected() == 1 || call.status == to {
            Ok(call)
        } else {
            Err(Failure::CallCannotMove { status: call.status.to_string(), action: done })
        }
    }

    /// The interpreter takes a queued call and gets its room: of concurrent accepts of one
    /// call exactly one wins (the others are told the call is taken, not that it does not
    /// exist), and an interpreter has one call at a time.
    pub(crate) async fn accept_interpreter_call(
        &self,
        id: &str,
        caller: &Caller,
        settings: &CallSettings,
    ) -> Result<InterpreterCall, Failure> {
        self.settle_calls(now_ms()).await?;
        let row = self.call_row(id).await?.ok_or_else(|| Failure::NotFound(format!("No interpreter call {id}")))?;
        let me = self.interpreter(&caller.name).await?;
        match me.current_call {
            Some(current) if current == row.id => return self.call_view(row, settings).await,
            Some(_) => return Err(Failure::InterpreterBusy),
            None if !me.on_duty => return Err(Failure::InterpreterOffDuty),
            None => {}
        }
        // 16 random bytes: a room nobody can guess or stumble into.
        let join_url = format!("{}/csc-{}", settings.video_base_url.trim_end_matches('/'), random_hex(16));
        // Only one UPDATE finds the call still queued; the unique index on an interpreter's
        // open calls refuses a second call to the same interpreter, even to a race.
        let accepted = sqlx::query(
            "UPDATE interpreter_calls SET status = $1, interpreter = $2, join_url = $3, assigned_at = $4,
                 interpreter_seen_at = $4
             WHERE id = $5 AND status = $6",
        )
        .bind(Assigned.as_str())
        .bind(&caller.name)
        .bind(&join_url)
        .bind(now_ms())
        .bind(&row.id)
        .bind(Queued.as_str())
        .execute(&mut *self.conn().await?)
        .await;
        match accepted {
            Ok(done) if done.rows_affected() == 1 => self.interpreter_call_by_id(id, settings).await,
            Ok(_) => {
                let call = self.interpreter_call_by_id(id, settings).await?;
                Err(Failure::CallCannotMove { status: call.status.to_string(), action: "accepted" })
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(Failure::InterpreterBusy),
            Err(e) => Err(e.into()),
        }
    }

    /// Puts the interpreter on or off duty. Off duty needs their call ended first; the last
    /// interpreter going off duty leaves the queued calls unavailable, which the kiosks learn
    /// on their next poll.
    pub(crate) async fn set_on_duty(&self, name: &str, on_duty: bool) -> Result<Interpreter, Failure> {
        if !on_duty && self.interpreter(name).await?.current_call.is_some() {
            return Err(Failure::InterpreterBusy);
        }
        let now = now_ms();
        sqlx::query(
            "INSERT INTO interpreters (name, on_duty, changed_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET on_duty = excluded.on_duty, changed_at = excluded.changed_at",
        )
        .bind(name)
        .bind(i64::from(on_duty))
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        let on_duty_now: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM interpreters WHERE on_duty = 1")
            .fetch_one(&mut *self.conn().await?)
            .await?;
        if on_duty_now == 0 {
            sqlx::query(
                "UPDATE interpreter_calls SET status = $1, unavailable_reason = $2, ended_at = $3
                 WHERE status = $4",
            )
            .bind(Unavailable.as_str())
            .bind(UnavailableReason::NoInterpreterOnDuty.as_str())
            .bind(now)
            .bind(Queued.as_str())
            .execute(&mut *self.conn().await?)
            .await?;
        }
        self.interpreter(name).await
    }

    async fn interpreter(&self, name: &str) -> Result<Interpreter, Failure> {
        self.settle_calls(now_ms()).await?;
        let on_duty: Option<i64> = sqlx::query_scalar("SELECT on_duty FROM interpreters WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        let current_call: Option<String> = sqlx::query_scalar(
            "SELECT id FROM interpreter_calls WHERE interpreter = $1 AND (status = $2 OR status = $3)",
        )
        .bind(name)
        .bind(Assigned.as_str())
        .bind(InCall.as_str())
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(Interpreter { name: name.to_owned(), on_duty: on_duty == Some(1), current_call })
    }

    /// The call, if the caller may see it (otherwise `not_found`, as for a call that does
    /// not exist), after settling the calls that waited too long or were left.
    async fn visible_call(&self, id: &str, caller: &Caller) -> Result<CallRow, Failure> {
        self.settle_calls(now_ms()).await?;
        self.call_row(id)
            .await?
            .filter(|row| row.visible_to(caller))
            .ok_or_else(|| Failure::NotFound(format!("No interpreter call {id}")))
    }

    async fn call_row(&self, id: &str) -> Result<Option<CallRow>, Failure> {
        Ok(sqlx::query_as(&format!("SELECT {CALL_COLUMNS} FROM interpreter_calls WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    async fn interpreter_call_by_id(&self, id: &str, settings: &CallSettings) -> Result<InterpreterCall, Failure> {
        let row = self.call_row(id).await?.ok_or_else(|| Failure::NotFound(format!("No interpreter call {id}")))?;
        self.call_view(row, settings).await
    }

    /// Queued calls nobody accepted within [`MAX_QUEUE_MINUTES`] become unavailable, and
    /// accepted calls with an end gone for [`GONE_AFTER_MINUTES`] end. Done lazily, whenever
    /// calls are read or made, so no timer runs on the server.
    async fn settle_calls(&self, now: i64) -> Result<(), Failure> {
        let gone_before = now - GONE_AFTER_MINUTES * 60_000;
        sqlx::query(
            "UPDATE interpreter_calls SET status = $1, ended_at = $2,
                 ended_reason = CASE WHEN interpreter_seen_at < $3 THEN $4 ELSE $5 END
             WHERE status IN ($6, $7) AND (interpreter_seen_at < $3 OR kiosk_seen_at < $3)",
        )
        .bind(Ended.as_str())
        .bind(now)
        .bind(gone_before)
        .bind(CallEndReason::InterpreterGone.as_str())
        .bind(CallEndReason::KioskGone.as_str())
        .bind(Assigned.as_str())
        .bind(InCall.as_str())
        .execute(&mut *self.conn().await?)
        .await?;
        // A kiosk that stopped polling its queued call will not open its video.
        sqlx::query(
            "UPDATE interpreter_calls SET status = $1, ended_at = $2, ended_reason = $3
             WHERE status = $4 AND kiosk_seen_at < $5",
        )
        .bind(Cancelled.as_str())
        .bind(now)
        .bind(CallEndReason::KioskGone.as_str())
        .bind(Queued.as_str())
        .bind(gone_before)
        .execute(&mut *self.conn().await?)
        .await?;
        sqlx::query(
            "UPDATE interpreter_calls SET status = $1, unavailable_reason = $2, ended_at = $3
             WHERE status = $4 AND created_at < $5",
        )
        .bind(Unavailable.as_str())
        .bind(UnavailableReason::NoAnswer.as_str())
        .bind(now)
        .bind(Queued.as_str())
        .bind(now - MAX_QUEUE_MINUTES * 60_000)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    /// A call with its live place in the queue and expected wait.
    async fn call_view(&self, row: CallRow, settings: &CallSettings) -> Result<InterpreterCall, Failure> {
        let status = InterpreterCallStatus::parse(&row.status)
            .ok_or_else(|| Failure::internal(format!("interpreter call {} has status {}", row.id, row.status)))?;
        let unavailable_reason = match &row.unavailable_reason {
            Some(reason) => Some(
                UnavailableReason::parse(reason)
                    .ok_or_else(|| Failure::internal(format!("interpreter call {} has reason {reason}", row.id)))?,
            ),
            None => None,
        };
        let ended_reason = match &row.ended_reason {
            Some(reason) => Some(
                CallEndReason::parse(reason)
                    .ok_or_else(|| Failure::internal(format!("interpreter call {} ended for {reason}", row.id)))?,
            ),
            None => None,
        };
        let (position, expected_wait_minutes) = if status == Queued {
            let ahead: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM interpreter_calls WHERE status = $1
                 AND (created_at < $2 OR (created_at = $2 AND id < $3))",
            )
            .bind(Queued.as_str())
            .bind(row.created_at)
            .bind(&row.id)
            .fetch_one(&mut *self.conn().await?)
            .await?;
            (Some(ahead + 1), Some(self.expected_wait(ahead + 1).await?))
        } else {
            (None, None)
        };
        Ok(InterpreterCall {
            id: row.id,
            kiosk_id: row.kiosk_id,
            status,
            position,
            expected_wait_minutes,
            interpreter: row.interpreter,
            join_url: row.join_url.filter(|_| matches!(status, Assigned | InCall)),
            unavailable_reason,
            unavailable_message: unavailable_reason
                .map(|reason| unavailable_message(reason, settings.interpreter_hours)),
            created_at: row.created_at,
            assigned_at: row.assigned_at,
            started_at: row.started_at,
            ended_at: row.ended_at,
            ended_reason,
        })
    }

    /// Minutes until an interpreter takes the call at `position`, from the interpreters on
    /// duty, the calls they have, and the recent call lengths.
    async fn expected_wait(&self, position: i64) -> Result<i64, Failure> {
        let on_duty = self.interpreters_on_duty().await?;
        let busy: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM interpreter_calls WHERE status = $1 OR status = $2")
            .bind(Assigned.as_str())
            .bind(InCall.as_str())
            .fetch_one(&mut *self.conn().await?)
            .await?;
        let lengths: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT assigned_at, ended_at FROM interpreter_calls
             WHERE status = $1 AND assigned_at IS NOT NULL AND ended_at IS NOT NULL
             ORDER BY ended_at DESC LIMIT $2",
        )
        .bind(Ended.as_str())
        .bind(RECENT_CALLS)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let average = average_minutes(&lengths).unwrap_or(DEFAULT_CALL_MINUTES);
        Ok(interpreter_wait_minutes(position, on_duty, busy, average))
    }

    async fn interpreters_on_duty(&self) -> Result<i64, Failure> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM interpreters WHERE on_duty = 1")
            .fetch_one(&mut *self.conn().await?)
            .await?)
    }

    pub(crate) async fn request_staff(&self, new: &NewStaffCall, caller: &Caller) -> Result<StaffCall, Failure> {
        let id = random_hex(8);
        sqlx::query(
            "INSERT INTO staff_calls (id, kiosk_id, requested_by, reason, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&caller.name)
        .bind(caller.issued_by())
        .bind(new.reason.as_str())
        .bind(StaffCallStatus::Sent.as_str())
        .bind(now_ms())
        .execute(&mut *self.conn().await?)
        .await?;
        self.staff_call(&id, caller).await
    }

    pub(crate) async fn staff_call(&self, id: &str, caller: &Caller) -> Result<StaffCall, Failure> {
        let row: Option<StaffCallRow> =
            sqlx::query_as(&format!("SELECT {STAFF_CALL_COLUMNS} FROM staff_calls WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *self.conn().await?)
                .await?;
        row.filter(|row| caller.may_see(&row.requested_by))
            .ok_or_else(|| Failure::NotFound(format!("No staff call {id}")))
            .and_then(staff_call_view)
    }

    /// The calls not yet acknowledged, oldest first.
    pub(crate) async fn open_staff_calls(&self, status: StaffCallStatus) -> Result<Vec<StaffCall>, Failure> {
        if status != StaffCallStatus::Sent {
            return Err(Failure::InvalidRequest("status must be sent".into()));
        }
        let rows: Vec<StaffCallRow> = sqlx::query_as(&format!(
            "SELECT {STAFF_CALL_COLUMNS} FROM staff_calls WHERE status = $1 ORDER BY created_at, id"
        ))
        .bind(status.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.into_iter().map(staff_call_view).collect()
    }

    /// A staff member is on the way. Acknowledging again keeps the first acknowledgement.
    pub(crate) async fn acknowledge_staff_call(&self, id: &str, caller: &Caller) -> Result<StaffCall, Failure> {
        sqlx::query(
            "UPDATE staff_calls SET status = $1, acknowledged_at = $2, acknowledged_by = $3
             WHERE id = $4 AND status = $5",
        )
        .bind(StaffCallStatus::Acknowledged.as_str())
        .bind(now_ms())
        .bind(&caller.name)
        .bind(id)
        .bind(StaffCallStatus::Sent.as_str())
        .execute(&mut *self.conn().await?)
        .await?;
        self.staff_call(id, caller).await
    }
}

fn staff_call_view(row: StaffCallRow) -> Result<StaffCall, Failure> {
    let broken = |what: &str| Failure::internal(format!("staff call {} has {what}", row.id));
    Ok(StaffCall {
        reason: StaffCallReason::parse(&row.reason).ok_or_else(|| broken(&row.reason))?,
        status: StaffCallStatus::parse(&row.status).ok_or_else(|| broken(&row.status))?,
        id: row.id,
        kiosk_id: row.kiosk_id,
        created_at: row.created_at,
        acknowledged_at: row.acknowledged_at,
        acknowledged_by: row.acknowledged_by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_the_hours_comes_before_nobody_on_duty() {
        // Unix time 0 is 08:00 in Beijing.
        let closed: ServiceHours = "09:00-17:00".parse().unwrap();
        let open: ServiceHours = "08:00-09:00".parse().unwrap();
        assert_eq!(unavailable_reason(Some(closed), 0, 0), Some(UnavailableReason::OutsideHours));
        assert_eq!(unavailable_reason(Some(closed), 0, 3), Some(UnavailableReason::OutsideHours));
        assert_eq!(unavailable_reason(Some(open), 0, 0), Some(UnavailableReason::NoInterpreterOnDuty));
        assert_eq!(unavailable_reason(None, 0, 0), Some(UnavailableReason::NoInterpreterOnDuty));
        assert_eq!(unavailable_reason(Some(open), 0, 1), None);
    }

    #[test]
    fn an_unavailable_call_says_what_to_do_instead() {
        let hours: ServiceHours = "08:30-17:30".parse().unwrap();
        let message = unavailable_message(UnavailableReason::OutsideHours, Some(hours));
        assert!(message.zh.contains("08:30-17:30") && message.zh.contains("呼叫工作人员"), "{}", message.zh);
        assert!(message.en.ends_with("read the written help on the screen."), "{}", message.en);
    }

    #[test]
    fn a_call_moves_queued_assigned_in_call_ended() {
        let moves = |action: CallAction| {
            let (from, to, _, _) = action.spec();
            (from, to)
        };
        assert_eq!(moves(CallAction::Start), ([Assigned, Assigned], InCall));
        assert_eq!(moves(CallAction::Cancel), ([Queued, Queued], Cancelled));
        // Either end may end a call, opened or not.
        assert_eq!(moves(CallAction::End), ([Assigned, InCall], Ended));
    }
}
