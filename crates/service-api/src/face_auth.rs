//! Pension face authentication (养老金资格认证) on the server.
//!
//! The kiosk guides the resident through a liveness check and takes a photo; this server
//! cannot compare it with the national photo archive, so it never passes anyone by itself:
//! every submission waits, oldest first, for a staff member to approve or reject it.
//! The full ID number and the photo are stored for that review and never answered back:
//! answers mask the number, and only staff fetch the photo. The photo is deleted once the
//! review decides, or once it has waited [`DEFAULT_PHOTO_RETENTION_DAYS`] (or
//! `serve --photo-retention-days`) undecided.

use base64::Engine;

use crate::access::Caller;
use crate::error::Failure;
use crate::store::{now_ms, random_hex, Db};
use contract::id_number;
use contract::limits::{MAX_ATTEMPTS, MAX_PHOTO_BYTES};
use contract::model::{Bilingual, FaceAuth, FaceAuthStatus, Liveness, NewFaceAuth};

use FaceAuthStatus::{Approved, PendingReview, Rejected};

/// How many days the photo of a submission nobody has decided on is kept.
pub const DEFAULT_PHOTO_RETENTION_DAYS: u32 = 30;

/// The longest reason a rejection gives the resident, in characters.
pub(crate) const MAX_REJECT_REASON_CHARS: usize = 200;

const COLUMNS: &str = "id, kiosk_id, requested_by, id_number, liveness, attempt, status, \
     submitted_at, reviewed_at, reviewed_by, reject_reason";

#[derive(sqlx::FromRow)]
struct FaceAuthRow {
    id: String,
    kiosk_id: String,
    requested_by: String,
    id_number: String,
    liveness: String,
    attempt: i64,
    status: String,
    submitted_at: i64,
    reviewed_at: Option<i64>,
    reviewed_by: Option<String>,
    reject_reason: Option<String>,
}

/// A review decision of a staff member.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Review {
    Approve,
    Reject,
}

impl Review {
    /// The status it gives a submission pending review, and its past participle for messages.
    fn outcome(self) -> (FaceAuthStatus, &'static str) {
        match self {
            Review::Approve => (Approved, "approved"),
            Review::Reject => (Rejected, "rejected"),
        }
    }
}

/// Checks a submission in the order the resident meets the steps; answers the decoded photo.
fn checked_photo(new: &NewFaceAuth) -> Result<Vec<u8>, Failure> {
    if !new.consent {
        return Err(Failure::ConsentRequired);
    }
    id_number::validate(&new.id_number).map_err(Failure::InvalidIdNumber)?;
    if new.attempt > MAX_ATTEMPTS {
        return Err(Failure::TooManyAttempts(MAX_ATTEMPTS));
    }
    if new.attempt == 0 {
        return Err(Failure::InvalidRequest("attempt counts from 1".into()));
    }
    if !new.liveness.passed {
        return Err(Failure::LivenessFailed);
    }
    let too_large = || Failure::InvalidPhoto("照片超过2MB", "it is larger than 2 MB");
    // Refuse an oversized photo before decoding it.
    if new.photo_jpeg.len() > MAX_PHOTO_BYTES.div_ceil(3) * 4 {
        return Err(too_large());
    }
    let photo = base64::engine::general_purpose::STANDARD
        .decode(&new.photo_jpeg)
        .map_err(|_| Failure::InvalidPhoto("数据不是有效的base64", "it is not valid base64"))?;
    if photo.len() > MAX_PHOTO_BYTES {
        return Err(too_large());
    }
    if !photo.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(Failure::InvalidPhoto("不是JPEG图片", "it is not a JPEG image"));
    }
    Ok(photo)
}

/// How the resident learns the result, for each status.
fn result_notice(status: FaceAuthStatus, reject_reason: Option<&str>) -> Bilingual {
    match status {
        PendingReview => Bilingual::new(
            "您的认证照片已提交。工作人员将在2个工作日内审核，结果会以短信通知；也可拨打12333查询。",
            "Your photo has been submitted. Staff will review it within 2 working days and the result will be sent by text message; you can also call 12333 to ask.",
        ),
        Approved => Bilingual::new(
            "养老金资格认证已通过，您的养老金将照常发放。",
            "Your pension entitlement is confirmed; your pension will be paid as usual.",
        ),
        Rejected => {
            let reason = reject_reason.unwrap_or_default();
            Bilingual::new(
                format!("认证未通过（{reason}）。请重新认证，或带身份证到服务窗口办理；也可拨打12333咨询。"),
                format!("The authentication was not accepted ({reason}). Please try again, or bring your ID card to a service window; you can also call 12333."),
            )
        }
    }
}

fn view(row: FaceAuthRow) -> Result<FaceAuth, Failure> {
    let broken = |what: &str| Failure::internal(format!("face auth {} has {what}", row.id));
    let status = FaceAuthStatus::parse(&row.status).ok_or_else(|| broken(&row.status))?;
    let liveness: Liveness = serde_json::from_str(&row.liveness)?;
    Ok(FaceAuth {
        result_notice: result_notice(status, row.reject_reason.as_deref()),
        id_number_masked: id_number::mask(&row.id_number),
        attempt: u32::try_from(row.attempt).map_err(|_| broken("a negative attempt"))?,
        liveness,
        status,
        id: row.id,
        kiosk_id: row.kiosk_id,
        submitted_at: row.submitted_at,
        reviewed_at: row.reviewed_at,
        reviewed_by: row.reviewed_by,
        reject_reason: row.reject_reason,
    })
}

impl Db {
    /// Records a checked submission for staff review.
    pub(crate) async fn submit_face_auth(
        &self,
        new: &NewFaceAuth,
        caller: &Caller,
        photo_retention_days: u32,
    ) -> Result<FaceAuth, Failure> {
        let photo = checked_photo(new)?;
        let now = now_ms();
        self.delete_expired_photos(now, photo_retention_days).await?;
        let id = random_hex(8);
        sqlx::query(
            "INSERT INTO face_auths (id, kiosk_id, requested_by, id_number, consent,
                 liveness, attempt, status, submitted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(&caller.name)
        .bind(caller.issued_by())
        .bind(&new.id_number)
        .bind(1_i64)
        .bind(serde_json::to_string(&new.liveness)?)
        .bind(i64::from(new.attempt))
        .bind(PendingReview.as_str())
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        sqlx::query("INSERT INTO face_photos (face_auth_id, photo_base64) VALUES ($1, $2)")
            .bind(&id)
            // Stored re-encoded from the checked bytes, so it is canonical base64.
            .bind(base64::engine::general_purpose::STANDARD.encode(&photo))
            .execute(&mut *self.conn().await?)
            .await?;
        self.face_auth(&id, caller).await
    }

    /// Deletes the photos that waited longer than the retention without a decision. Done
    /// lazily, when a photo is submitted or fetched, so no timer runs on the server.
    async fn delete_expired_photos(&self, now: i64, retention_days: u32) -> Result<(), Failure> {
        sqlx::query(
            "DELETE FROM face_photos WHERE face_auth_id IN
                 (SELECT id FROM face_auths WHERE status = $1 AND submitted_at < $2)",
        )
        .bind(PendingReview.as_str())
        .bind(now - i64::from(retention_days) * 24 * 60 * 60 * 1000)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    /// Staff see every submission; a kiosk only its own.
    pub(crate) async fn face_auth(&self, id: &str, caller: &Caller) -> Result<FaceAuth, Failure> {
        let row: Option<FaceAuthRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM face_auths WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.filter(|row| caller.may_see(&row.requested_by))
            .ok_or_else(|| Failure::NotFound(format!("No face authentication {id}")))
            .and_then(view)
    }

    /// The submissions in `status`, oldest first: the review queue for `pending_review`.
    pub(crate) async fn face_auths(&self, status: FaceAuthStatus) -> Result<Vec<FaceAuth>, Failure> {
        let rows: Vec<FaceAuthRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM face_auths WHERE status = $1 ORDER BY submitted_at, id"))
                .bind(status.as_str())
                .fetch_all(&mut *self.conn().await?)
                .await?;
        rows.into_iter().map(view).collect()
    }

    /// The JPEG bytes, for staff, while the submission waits for review.
    pub(crate) async fn face_auth_photo(&self, id: &str, photo_retention_days: u32) -> Result<Vec<u8>, Failure> {
        self.delete_expired_photos(now_ms(), photo_retention_days).await?;
        let photo: Option<String> = sqlx::query_scalar("SELECT photo_base64 FROM face_photos WHERE face_auth_id = $1")
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        let photo = photo.ok_or_else(|| {
            Failure::NotFound(format!(
                "No photo of face authentication {id}: photos are deleted after the review decision, \
                 or after {photo_retention_days} days without one"
            ))
        })?;
        base64::engine::general_purpose::STANDARD.decode(photo).map_err(Failure::internal)
    }

    /// Approves or rejects a submission that waits for review; `reason` goes with a reject.
    pub(crate) async fn review_face_auth(
        &self,
        id: &str,
        review: Review,
        reason: Option<&str>,
        caller: &Caller,
    ) -> Result<FaceAuth, Failure> {
        let (to, done) = review.outcome();
        let current = self.face_auth(id, caller).await?;
        // Only the UPDATE that still finds it pending counts, even against a concurrent review.
        let moved = sqlx::query(
            "UPDATE face_auths SET status = $1, reviewed_at = $2, reviewed_by = $3, reject_reason = $4
             WHERE id = $5 AND status = $6",
        )
        .bind(to.as_str())
        .bind(now_ms())
        .bind(&caller.name)
        .bind(reason)
        .bind(&current.id)
        .bind(PendingReview.as_str())
        .execute(&mut *self.conn().await?)
        .await?;
        let reviewed = self.face_auth(id, caller).await?;
        if moved.rows_affected() == 1 {
            // Decided: the photo has served its purpose.
            sqlx::query("DELETE FROM face_photos WHERE face_auth_id = $1")
                .bind(&current.id)
                .execute(&mut *self.conn().await?)
                .await?;
            Ok(reviewed)
        } else {
            Err(Failure::FaceAuthCannotMove { status: reviewed.status.to_string(), action: done })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::model::Movement;

    #[test]
    fn a_rejection_notice_gives_the_reason() {
        let notice = result_notice(Rejected, Some("照片模糊"));
        assert!(notice.zh.contains("照片模糊"), "{}", notice.zh);
        assert!(result_notice(PendingReview, None).zh.contains("12333"));
    }

    #[test]
    fn a_review_decides_once_from_pending() {
        assert_eq!(Review::Approve.outcome(), (Approved, "approved"));
        assert_eq!(Review::Reject.outcome(), (Rejected, "rejected"));
    }

    #[test]
    fn a_submission_is_checked_in_the_order_the_resident_meets_the_steps() {
        use base64::Engine;
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        let good = NewFaceAuth {
            id_number: "11010519491231002X".into(),
            consent: true,
            attempt: 1,
            liveness: Liveness {
                passed: true,
                movement: Movement::Turn,
                turned_left: true,
                turned_right: true,
                duration_ms: 4200,
            },
            photo_jpeg: base64::engine::general_purpose::STANDARD.encode(jpeg),
        };
        assert_eq!(checked_photo(&good).unwrap(), jpeg);
        let refusal = |change: fn(&mut NewFaceAuth)| {
            let mut new = good.clone();
            change(&mut new);
            format!("{:?}", checked_photo(&new).unwrap_err())
        };
        // No consent outweighs everything else that is wrong.
        assert_eq!(
            refusal(|new| {
                new.consent = false;
                new.attempt = 9;
            }),
            "ConsentRequired"
        );
        assert_eq!(refusal(|new| new.attempt = MAX_ATTEMPTS + 1), format!("TooManyAttempts({MAX_ATTEMPTS})"));
        assert!(refusal(|new| new.attempt = 0).starts_with("InvalidRequest"));
        assert_eq!(refusal(|new| new.liveness.passed = false), "LivenessFailed");
        assert!(refusal(|new| new.photo_jpeg = "not base64!".into()).contains("base64"));
        assert!(refusal(|new| new.photo_jpeg = "AAAA".into()).contains("JPEG"));
    }
}
