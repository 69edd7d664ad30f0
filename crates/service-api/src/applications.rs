//! Applications (办件) and their progress on the server: staff register them and move them
//! along 已受理 -> 审查中 -> (待补正 -> 审查中) -> 已办结; a kiosk finds a resident's by the
//! pre-review receipt, or by the ID number together with the phone number given on the
//! application (anyone can type another person's ID number: alone it finds nothing), and stops
//! answering after too many lookups that find nothing.

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::Rng;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use crate::access::Caller;
use crate::error::{checked_text, Failure};
use crate::queue::is_mobile_number;
use crate::store::{now_ms, random_hex, Db};
use contract::id_number;
use contract::limits::MAX_APPLICANT_CHARS;
use contract::model::{
    AdvanceApplication, Application, ApplicationLookup, ApplicationStatus, ApplicationStep, Bilingual, Collection,
    NewApplication,
};
use contract::receipt::{is_receipt_number, Receipt};

use ApplicationStatus::{Accepted, Completed, NeedsMaterials, UnderReview};

/// Lookups for one ID number that may find nothing within [`ID_NUMBER_HOURS`]; after them,
/// that ID number finds nothing more until the oldest is that old.
pub(crate) const MAX_MISSES_PER_ID_NUMBER: i64 = 5;
const ID_NUMBER_HOURS: i64 = 24;
/// Lookups from one kiosk that may find nothing within [`KIOSK_HOURS`].
pub(crate) const MAX_MISSES_PER_KIOSK: i64 = 20;
const KIOSK_HOURS: i64 = 1;

/// The most materials one request for more materials names.
pub(crate) const MAX_MISSING_MATERIALS: usize = 20;
/// The longest note or material name, in characters, in each language.
pub(crate) const MAX_TEXT_CHARS: usize = 200;

/// Tries before giving up on an application number not yet taken (12 random digits).
const NUMBER_TRIES: usize = 3;

const HOUR_MS: i64 = 3_600_000;

const COLUMNS: &str =
    "id, number, service_code, applicant, receipt_number, status, missing_materials, collection, window_number";

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: String,
    number: String,
    service_code: String,
    applicant: String,
    receipt_number: Option<String>,
    status: String,
    missing_materials: String,
    collection: Option<String>,
    window_number: Option<i64>,
}

/// An application as stored.
struct Stored<'a> {
    id: &'a str,
    number: &'a str,
    service_code: &'a str,
    applicant: &'a str,
    id_number: &'a str,
    phone: &'a str,
    receipt_number: Option<&'a str>,
    status: ApplicationStatus,
    missing_materials: &'a [Bilingual],
    collection: Option<Collection>,
    window_number: Option<i64>,
    registered_by: &'a str,
    created_at: i64,
}

/// How a kiosk finds applications.
enum Finder {
    /// The receipt's number, typed or read from its verified token.
    Receipt(String),
    Applicant {
        id_number: String,
        phone: String,
    },
}

/// The moves staff may make: 已受理 -> 审查中 -> 待补正 or 已办结, 待补正 -> 审查中.
fn may_move(from: ApplicationStatus, to: ApplicationStatus) -> bool {
    matches!(
        (from, to),
        (Accepted, UnderReview) | (UnderReview, NeedsMaterials | Completed) | (NeedsMaterials, UnderReview)
    )
}

/// A note or material name: 1 to [`MAX_TEXT_CHARS`] characters in each language, trimmed.
fn checked_bilingual(field: &str, text: &Bilingual) -> Result<Bilingual, Failure> {
    let zh = checked_text(&format!("{field} (zh)"), &text.zh, MAX_TEXT_CHARS)?;
    let en = checked_text(&format!("{field} (en)"), &text.en, MAX_TEXT_CHARS)?;
    Ok(Bilingual::new(zh, en))
}

/// Checks what an advance sets besides the status: the missing materials only for
/// needs_materials (1 to [`MAX_MISSING_MATERIALS`]), the collection only for completed (and
/// required there), the window for needs_materials (optional) or a collection at a window
/// (required). Answers the materials, trimmed.
fn checked_materials(advance: &AdvanceApplication) -> Result<Vec<Bilingual>, Failure> {
    let refuse = |why: &str| Err(Failure::InvalidRequest(why.into()));
    let missing: Vec<Bilingual> = advance
        .missing_materials
        .iter()
        .map(|m| checked_bilingual("a missing material", m))
        .collect::<Result<_, _>>()?;
    if advance.status == NeedsMaterials {
        if missing.is_empty() || missing.len() > MAX_MISSING_MATERIALS {
            return refuse(&format!("needs_materials takes 1 to {MAX_MISSING_MATERIALS} missing_materials"));
        }
    } else if !missing.is_empty() {
        return refuse("missing_materials are only for needs_materials");
    }
    match (advance.status, advance.collection) {
        (Completed, None) => return refuse("completed needs a collection: window, post or online"),
        (Completed, Some(_)) | (_, None) => {}
        (_, Some(_)) => return refuse("a collection is only for completed"),
    }
    let at_window = advance.collection == Some(Collection::Window);
    match advance.window_number {
        None if at_window => refuse("a collection at a window needs its window_number"),
        Some(_) if advance.status != NeedsMaterials && !at_window => {
            refuse("window_number is only for needs_materials or a collection at a window")
        }
        _ => Ok(missing),
    }
}

/// What the resident does next, to show and speak.
fn next_step(status: ApplicationStatus, collection: Option<Collection>, window: Option<i64>) -> Bilingual {
    match (status, collection, window) {
        (Accepted, ..) => Bilingual::new(
            "您的申请已受理，将尽快审查，结果会通知您。",
            "Your application has been accepted and will be reviewed soon; you will be told the result.",
        ),
        (UnderReview, ..) => Bilingual::new(
            "正在审查，请耐心等待，结果会通知您。",
            "It is under review. Please wait; you will be told the result.",
        ),
        (NeedsMaterials, _, Some(window)) => Bilingual::new(
            format!("请带齐以下材料到{window}号窗口补正。"),
            format!("Bring these materials to window {window}."),
        ),
        (NeedsMaterials, ..) => {
            Bilingual::new("请带齐以下材料到服务窗口补正。", "Bring these materials to a service window.")
        }
        (Completed, Some(Collection::Post), _) => Bilingual::new(
            "已办结，结果已邮寄给您，请留意查收。",
            "It is done. The result has been sent to you by post.",
        ),
        (Completed, Some(Collection::Online), _) => Bilingual::new(
            "已办结，请在网上办事大厅查看和下载结果。",
            "It is done. See and download the result on the online service hall.",
        ),
        (Completed, _, Some(window)) => Bilingual::new(
            format!("已办结，请带身份证到{window}号窗口领取结果。"),
            format!("It is done. Bring your ID card to window {window} to collect the result."),
        ),
        (Completed, ..) => Bilingual::new(
            "已办结，请带身份证到服务窗口领取结果。",
            "It is done. Bring your ID card to a service window to collect the result.",
        ),
    }
}

/// The ID number as the attempt counter keeps it. A plain hash of an ID number is reversed by
/// trying the few numbers possible for a place and birth date; keyed with the server's secret
/// receipt key, only this server can compute it.
fn id_number_hash(key: &SigningKey, id_number: &str) -> String {
    let hash = Sha256::new()
        .chain_update(b"application lookup misses\0")
        .chain_update(key.to_bytes())
        .chain_update(id_number.as_bytes())
        .finalize();
    hex::encode(hash)
}

/// Reads a lookup: exactly one way to find applications.
fn finder(lookup: &ApplicationLookup, key: &VerifyingKey) -> Result<Finder, Failure> {
    match (&lookup.receipt_token, &lookup.receipt_number, &lookup.id_number, &lookup.phone) {
        (Some(token), None, None, None) => {
            // Checked as at time 0: expiry ends a receipt's redemption, not finding its application.
            let receipt = Receipt::verify(token, key, 0).map_err(|_| Failure::ReceiptInvalid)?;
            Ok(Finder::Receipt(receipt.number()))
        }
        (None, Some(number), None, None) if is_receipt_number(number) => Ok(Finder::Receipt(number.clone())),
        (None, Some(_), None, None) => Err(Failure::ReceiptNumberInvalid),
        (None, None, Some(id_number), Some(phone)) => {
            id_number::validate(id_number).map_err(Failure::InvalidIdNumber)?;
            if !is_mobile_number(phone) {
                return Err(Failure::InvalidRequest("phone must be an 11-digit mobile number starting with 1".into()));
            }
            Ok(Finder::Applicant { id_number: id_number.clone(), phone: phone.clone() })
        }
        _ => Err(Failure::InvalidRequest(
            "Give one way to find applications: receipt_token, or receipt_number, or id_number with phone".into(),
        )),
    }
}

/// A new application number: 12 random digits, the first not 0.
fn random_number() -> String {
    rand::rng().random_range(100_000_000_000_u64..1_000_000_000_000).to_string()
}

/// Stores an application unless its id or number is taken; answers whether it was stored.
async fn insert_application(conn: &mut AnyConnection, a: &Stored<'_>) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO applications (id, number, service_code, applicant, id_number, phone, receipt_number, status,
             missing_materials, collection, window_number, registered_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
    )
    .bind(a.id)
    .bind(a.number)
    .bind(a.service_code)
    .bind(a.applicant)
    .bind(a.id_number)
    .bind(a.phone)
    .bind(a.receipt_number)
    .bind(a.status.as_str())
    .bind(serde_json::to_string(a.missing_materials).expect("materials serialize"))
    .bind(a.collection.map(Collection::as_str))
    .bind(a.window_number)
    .bind(a.registered_by)
    .bind(a.created_at)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Appends a step to an application's history.
async fn insert_step(
    conn: &mut AnyConnection,
    application_id: &str,
    status: ApplicationStatus,
    at: i64,
    note: Option<&Bilingual>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO application_steps (application_id, position, status, at, note_zh, note_en)
         SELECT $1, COUNT(*), $2, $3, $4, $5 FROM application_steps WHERE application_id = $1",
    )
    .bind(application_id)
    .bind(status.as_str())
    .bind(at)
    .bind(note.map(|n| n.zh.as_str()))
    .bind(note.map(|n| n.en.as_str()))
    .execute(conn)
    .await?;
    Ok(())
}

impl Db {
    /// Registers an application (已受理), by staff.
    pub(crate) async fn register_application(
        &self,
        new: &NewApplication,
        caller: &Caller,
    ) -> Result<Application, Failure> {
        let service = self.service(&new.service_code).await?;
        id_number::validate(&new.id_number).map_err(Failure::InvalidIdNumber)?;
        let applicant = checked_text("applicant", &new.applicant, MAX_APPLICANT_CHARS)?;
        if !is_mobile_number(&new.phone) {
            return Err(Failure::InvalidRequest("phone must be an 11-digit mobile number starting with 1".into()));
        }
        if let Some(number) = &new.receipt_number {
            if !is_receipt_number(number) {
                return Err(Failure::ReceiptNumberInvalid);
            }
            let receipt_service: String = sqlx::query_scalar("SELECT service_code FROM receipts WHERE number = $1")
                .bind(number)
                .fetch_optional(&mut *self.conn().await?)
                .await?
                .ok_or(Failure::ReceiptNotFound)?;
            if receipt_service != service.code {
                return Err(Failure::InvalidRequest(format!(
                    "receipt {number} is for {receipt_service}, not {}",
                    service.code
                )));
            }
        }
        let (now, registered_by) = (now_ms(), caller.issued_by());
        for _ in 0..NUMBER_TRIES {
            let (id, number) = (random_hex(8), random_number());
            let application = Stored {
                id: &id,
                number: &number,
                service_code: &service.code,
                applicant,
                id_number: &new.id_number,
                phone: &new.phone,
                receipt_number: new.receipt_number.as_deref(),
                status: Accepted,
                missing_materials: &[],
                collection: None,
                window_number: None,
                registered_by: &registered_by,
                created_at: now,
            };
            if insert_application(&mut *self.conn().await?, &application).await? {
                insert_step(&mut *self.conn().await?, &id, Accepted, now, None).await?;
                return self.application(&id).await;
            }
        }
        Err(Failure::internal("no free application number after several tries"))
    }

    async fn application_row(&self, id: &str) -> Result<ApplicationRow, Failure> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?
            .ok_or_else(|| Failure::NotFound(format!("No application {id}")))
    }

    async fn application(&self, id: &str) -> Result<Application, Failure> {
        let row = self.application_row(id).await?;
        self.application_view(row).await
    }

    async fn application_view(&self, row: ApplicationRow) -> Result<Application, Failure> {
        let broken = |what: &str| Failure::internal(format!("application {} has {what}", row.id));
        let status = ApplicationStatus::parse(&row.status).ok_or_else(|| broken(&format!("status {}", row.status)))?;
        let collection = match &row.collection {
            Some(c) => Some(Collection::parse(c).ok_or_else(|| broken(&format!("collection {c}")))?),
            None => None,
        };
        // A service withdrawn since is still named, by its code.
        let service_name = match self.find_service(&row.service_code).await? {
            Some(service) => service.name,
            None => Bilingual::new(&row.service_code, &row.service_code),
        };
        let steps: Vec<(String, i64, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT status, at, note_zh, note_en FROM application_steps WHERE application_id = $1 ORDER BY position",
        )
        .bind(&row.id)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let history = steps
            .into_iter()
            .map(|(step, at, zh, en)| {
                let status = ApplicationStatus::parse(&step).ok_or_else(|| broken(&format!("a step {step}")))?;
                let note = zh.zip(en).map(|(zh, en)| Bilingual { zh, en });
                Ok(ApplicationStep { status, at, note })
            })
            .collect::<Result<_, Failure>>()?;
        Ok(Application {
            next_step: next_step(status, collection, row.window_number),
            missing_materials: serde_json::from_str(&row.missing_materials)?,
            service_name,
            status,
            history,
            collection,
            id: row.id,
            number: row.number,
            service_code: row.service_code,
            applicant: row.applicant,
            window_number: row.window_number,
            receipt_number: row.receipt_number,
            contact_phone_masked: None,
        })
    }

    /// The applications in `status` (all when none), oldest first, for staff.
    pub(crate) async fn applications(&self, status: Option<ApplicationStatus>) -> Result<Vec<Application>, Failure> {
        let rows: Vec<ApplicationRow> = match status {
            Some(status) => {
                sqlx::query_as(&format!(
                    "SELECT {COLUMNS} FROM applications WHERE status = $1 ORDER BY created_at, number"
                ))
                .bind(status.as_str())
                .fetch_all(&mut *self.conn().await?)
                .await?
            }
            None => {
                sqlx::query_as(&format!("SELECT {COLUMNS} FROM applications ORDER BY created_at, number"))
                    .fetch_all(&mut *self.conn().await?)
                    .await?
            }
        };
        let mut applications = Vec::with_capacity(rows.len());
        for row in rows {
            applications.push(self.application_view(row).await?);
        }
        Ok(applications)
    }

    /// Moves an application on, by staff, and adds the step to its history.
    pub(crate) async fn advance_application(
        &self,
        id: &str,
        advance: &AdvanceApplication,
    ) -> Result<Application, Failure> {
        let current = self.application_row(id).await?;
        let status = ApplicationStatus::parse(&current.status)
            .ok_or_else(|| Failure::internal(format!("application {id} has status {}", current.status)))?;
        if !may_move(status, advance.status) {
            return Err(Failure::ApplicationCannotMove { status, to: advance.status });
        }
        let missing = checked_materials(advance)?;
        let note = advance.note.as_ref().map(|note| checked_bilingual("note", note)).transpose()?;
        if let Some(window) = advance.window_number {
            self.window(window).await?;
        }
        // Only the UPDATE that still finds the status it moves from counts, even against a
        // concurrent advance.
        let moved = sqlx::query(
            "UPDATE applications SET status = $1, missing_materials = $2, collection = $3, window_number = $4
             WHERE id = $5 AND status = $6",
        )
        .bind(advance.status.as_str())
        .bind(serde_json::to_string(&missing)?)
        .bind(advance.collection.map(Collection::as_str))
        .bind(advance.window_number)
        .bind(id)
        .bind(status.as_str())
        .execute(&mut *self.conn().await?)
        .await?;
        if moved.rows_affected() == 0 {
            let status = self.application(id).await?.status;
            return Err(Failure::ApplicationCannotMove { status, to: advance.status });
        }
        insert_step(&mut *self.conn().await?, id, advance.status, now_ms(), note.as_ref()).await?;
        self.application(id).await
    }

    /// The applications a kiosk's lookup finds, newest first. A lookup that finds nothing is
    /// counted, against the kiosk and against the ID number tried; past either limit every
    /// lookup is refused, right or wrong, until the oldest counted one is old enough.
    pub(crate) async fn look_up_applications(
        &self,
        lookup: &ApplicationLookup,
        key: &SigningKey,
        caller: &Caller,
    ) -> Result<Vec<Application>, Failure> {
        let finder = finder(lookup, &key.verifying_key())?;
        let id_hash = match &finder {
            Finder::Applicant { id_number, .. } => Some(id_number_hash(key, id_number)),
            Finder::Receipt(_) => None,
        };
        let (now, kiosk) = (now_ms(), caller.issued_by());
        // The longest window is the ID number's.
        sqlx::query("DELETE FROM lookup_failures WHERE at < $1")
            .bind(now - ID_NUMBER_HOURS * HOUR_MS)
            .execute(&mut *self.conn().await?)
            .await?;
        let kiosk_misses: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM lookup_failures WHERE kiosk = $1 AND at >= $2")
                .bind(&kiosk)
                .bind(now - KIOSK_HOURS * HOUR_MS)
                .fetch_one(&mut *self.conn().await?)
                .await?;
        let id_number_misses: i64 = match &id_hash {
            Some(hash) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM lookup_failures WHERE id_number_hash = $1 AND at >= $2")
                    .bind(hash)
                    .bind(now - ID_NUMBER_HOURS * HOUR_MS)
                    .fetch_one(&mut *self.conn().await?)
                    .await?
            }
            None => 0,
        };
        if kiosk_misses >= MAX_MISSES_PER_KIOSK || id_number_misses >= MAX_MISSES_PER_ID_NUMBER {
            return Err(Failure::TooManyLookups);
        }
        let rows: Vec<ApplicationRow> = match &finder {
            Finder::Receipt(number) => {
                sqlx::query_as(&format!(
                    "SELECT {COLUMNS} FROM applications WHERE receipt_number = $1 ORDER BY created_at DESC, number"
                ))
                .bind(number)
                .fetch_all(&mut *self.conn().await?)
                .await?
            }
            // A wrong phone number finds nothing, exactly as an ID number without applications.
            Finder::Applicant { id_number, phone } => {
                sqlx::query_as(&format!(
                    "SELECT {COLUMNS} FROM applications WHERE id_number = $1 AND phone = $2
                     ORDER BY created_at DESC, number"
                ))
                .bind(id_number)
                .bind(phone)
                .fetch_all(&mut *self.conn().await?)
                .await?
            }
        };
        if rows.is_empty() {
            sqlx::query("INSERT INTO lookup_failures (kiosk, id_number_hash, at) VALUES ($1, $2, $3)")
                .bind(&kiosk)
                .bind(id_hash.as_deref())
                .bind(now)
                .execute(&mut *self.conn().await?)
                .await?;
        }
        let mut applications = Vec::with_capacity(rows.len());
        for row in rows {
            applications.push(self.application_view(row).await?);
        }
        Ok(applications)
    }
}

/// An application of the demo (`seed/applications.json`), its history in days before the seed.
#[derive(Deserialize)]
struct DemoApplication {
    number: String,
    service_code: String,
    applicant: String,
    id_number: String,
    phone: String,
    history: Vec<DemoStep>,
    #[serde(default)]
    missing_materials: Vec<Bilingual>,
    collection: Option<Collection>,
    window_number: Option<i64>,
}

#[derive(Deserialize)]
struct DemoStep {
    status: ApplicationStatus,
    days_ago: i64,
    note: Option<Bilingual>,
}

/// Seeds the demo's applications, as of `now`, in their different states.
pub(crate) async fn seed_demo_applications(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    let demo: Vec<DemoApplication> = serde_json::from_str(include_str!("../seed/applications.json"))
        .expect("seed/applications.json matches DemoApplication");
    let at = |step: &DemoStep| now - step.days_ago * 24 * HOUR_MS;
    for a in &demo {
        let (first, last) = (a.history.first().expect("a history"), a.history.last().expect("a history"));
        let id = format!("demo-{}", a.number);
        let application = Stored {
            id: &id,
            number: &a.number,
            service_code: &a.service_code,
            applicant: &a.applicant,
            id_number: &a.id_number,
            phone: &a.phone,
            receipt_number: None,
            status: last.status,
            missing_materials: &a.missing_materials,
            collection: a.collection,
            window_number: a.window_number,
            registered_by: "demo",
            created_at: at(first),
        };
        // Another server seeding the same new database got there first.
        if !insert_application(conn, &application).await? {
            continue;
        }
        for step in &a.history {
            insert_step(conn, &id, step.status, at(step), step.note.as_ref()).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advance(status: ApplicationStatus) -> AdvanceApplication {
        AdvanceApplication { status, note: None, missing_materials: vec![], collection: None, window_number: None }
    }

    #[test]
    fn an_application_moves_forward_and_back_only_between_review_and_materials() {
        let moves: Vec<_> = ApplicationStatus::ALL
            .into_iter()
            .flat_map(|from| ApplicationStatus::ALL.into_iter().map(move |to| (from, to)))
            .filter(|&(from, to)| may_move(from, to))
            .collect();
        assert_eq!(
            moves,
            [
                (Accepted, UnderReview),
                (UnderReview, NeedsMaterials),
                (UnderReview, Completed),
                (NeedsMaterials, UnderReview)
            ]
        );
    }

    #[test]
    fn each_status_takes_only_its_own_details() {
        let photo = Bilingual::new(" 近期一寸照片 ", "A recent photo");
        let refused = |a: AdvanceApplication| format!("{:?}", checked_materials(&a).unwrap_err());
        assert!(refused(advance(NeedsMaterials)).contains("1 to 20"));
        let needs = AdvanceApplication {
            missing_materials: vec![photo.clone()],
            window_number: Some(3),
            ..advance(NeedsMaterials)
        };
        assert_eq!(checked_materials(&needs).unwrap(), [Bilingual::new("近期一寸照片", "A recent photo")]);
        assert!(refused(AdvanceApplication { missing_materials: vec![photo.clone()], ..advance(UnderReview) })
            .contains("only for needs_materials"));
        assert!(refused(advance(Completed)).contains("needs a collection"));
        let by_window = AdvanceApplication { collection: Some(Collection::Window), ..advance(Completed) };
        assert!(refused(by_window.clone()).contains("needs its window_number"));
        assert!(checked_materials(&AdvanceApplication { window_number: Some(3), ..by_window }).is_ok());
        let by_post =
            AdvanceApplication { collection: Some(Collection::Post), window_number: Some(3), ..advance(Completed) };
        assert!(refused(by_post).contains("window_number is only"));
        assert!(refused(AdvanceApplication { collection: Some(Collection::Post), ..advance(UnderReview) })
            .contains("only for completed"));
        let blank =
            AdvanceApplication { missing_materials: vec![Bilingual::new("照片", " ")], ..advance(NeedsMaterials) };
        assert!(refused(blank).contains("(en) must be 1 to"));
    }

    #[test]
    fn the_next_step_says_where_to_go() {
        assert!(next_step(NeedsMaterials, None, Some(3)).zh.contains("3号窗口补正"));
        assert_eq!(next_step(NeedsMaterials, None, Some(3)).en, "Bring these materials to window 3.");
        assert!(next_step(Completed, Some(Collection::Window), Some(3)).zh.contains("请带身份证到3号窗口领取结果"));
        assert!(next_step(Completed, Some(Collection::Post), None).en.contains("by post"));
        assert!(next_step(Completed, Some(Collection::Online), None).en.contains("online"));
        assert!(next_step(UnderReview, None, None).zh.starts_with("正在审查，请耐心等待"));
    }

    #[test]
    fn a_stored_id_number_hash_is_keyed_and_not_the_number() {
        let id_number = "11010519491231002X";
        let (a, b) = (SigningKey::from_bytes(&[1; 32]), SigningKey::from_bytes(&[2; 32]));
        let hash = id_number_hash(&a, id_number);
        assert_eq!(hash, id_number_hash(&a, id_number));
        assert_ne!(hash, id_number_hash(&b, id_number));
        assert_ne!(hash, hex::encode(Sha256::digest(id_number)));
        assert!(!hash.contains("1101051949"));
    }
}
