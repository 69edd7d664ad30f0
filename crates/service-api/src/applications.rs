//! Applications (办件) and their progress on the server: staff register them and move them
//! along 已受理 -> 审查中 -> (待补正 -> 审查中) -> 已办结; a kiosk finds a resident's by the
//! pre-review receipt or the fast-track ticket it gave, or by the ID number together with the
//! phone number given on the application or the name on the ID card (anyone can type another
//! person's ID number: alone it finds nothing), and stops answering after too many lookups that
//! find nothing.

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::Rng;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use crate::access::Caller;
use crate::error::{checked_text, Failure};
use crate::prereview::insert_receipt;
use crate::queue::{is_mobile_number, mask_phone};
use crate::store::{now_ms, random_hex, Db};
use contract::id_number;
use contract::limits::MAX_APPLICANT_CHARS;
use contract::model::{
    AdvanceApplication, Application, ApplicationLookup, ApplicationStatus, ApplicationStep, Bilingual, Collection,
    NewApplication,
};
use contract::receipt::{is_receipt_number, Receipt};
use contract::ticket_code;

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
    "id, number, service_code, applicant, phone, receipt_number, status, missing_materials, collection, window_number";

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: String,
    number: String,
    service_code: String,
    applicant: String,
    /// Answered masked only.
    phone: String,
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
#[derive(Debug, PartialEq)]
enum Finder {
    /// The receipt's number, typed or read from its verified token.
    Receipt(String),
    /// A ticket's id: the applications of the receipt redeemed for it, if it was.
    Ticket(String),
    /// The ID number with the phone number given on the application.
    Applicant { id_number: String, phone: String },
    /// The ID number with the full name read from the ID card, which must fit the masked
    /// applicant's name ([`name_fits`]).
    Card { id_number: String, card_name: String },
}

/// Whether the full name read from an ID card (`张三明`) fits an applicant's masked name
/// (`张*明`): as many characters, and each one not masked (`*`, or the full-width `＊` a
/// Chinese keyboard types) the same.
fn name_fits(masked: &str, full: &str) -> bool {
    masked.chars().count() == full.chars().count()
        && masked.chars().zip(full.chars()).all(|(m, f)| m == '*' || m == '＊' || m == f)
}

/// A ticket id as the API issues them and a ticket's QR code carries them
/// ([`ticket_code::parse`] is the one check, the kiosk's and the server's).
fn is_ticket_id(id: &str) -> bool {
    ticket_code::parse(&ticket_code::encode(id)) == Some(id)
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
    let ApplicationLookup { receipt_token, receipt_number, ticket_id, id_number, phone, card_name } = lookup;
    let given = (
        receipt_token.as_deref(),
        receipt_number.as_deref(),
        ticket_id.as_deref(),
        id_number.as_deref(),
        phone.as_deref(),
        card_name.as_deref(),
    );
    match given {
        (Some(token), None, None, None, None, None) => {
            // Checked as at time 0: expiry ends a receipt's redemption, not finding its application.
            let receipt = Receipt::verify(token, key, 0).map_err(|_| Failure::ReceiptInvalid)?;
            Ok(Finder::Receipt(receipt.number()))
        }
        (None, Some(number), None, None, None, None) if is_receipt_number(number) => {
            Ok(Finder::Receipt(number.to_owned()))
        }
        (None, Some(_), None, None, None, None) => Err(Failure::ReceiptNumberInvalid),
        (None, None, Some(ticket_id), None, None, None) if is_ticket_id(ticket_id) => {
            Ok(Finder::Ticket(ticket_id.to_owned()))
        }
        (None, None, Some(_), None, None, None) => {
            Err(Failure::InvalidRequest("ticket_id must be 8 to 64 letters, digits or '-'".into()))
        }
        (None, None, None, Some(id_number), Some(phone), None) => {
            id_number::validate(id_number).map_err(Failure::InvalidIdNumber)?;
            if !is_mobile_number(phone) {
                return Err(Failure::InvalidRequest("phone must be an 11-digit mobile number starting with 1".into()));
            }
            Ok(Finder::Applicant { id_number: id_number.to_owned(), phone: phone.to_owned() })
        }
        (None, None, None, Some(id_number), None, Some(card_name)) => {
            id_number::validate(id_number).map_err(Failure::InvalidIdNumber)?;
            // A card reader pads the name with spaces; a name on a card is never masked.
            let card_name = checked_text("card_name", card_name, MAX_APPLICANT_CHARS)?;
            if card_name.contains(['*', '＊']) {
                return Err(Failure::InvalidRequest("card_name is the full name on the ID card, without *".into()));
            }
            Ok(Finder::Card { id_number: id_number.to_owned(), card_name: card_name.to_owned() })
        }
        _ => Err(Failure::InvalidRequest(
            "Give one way to find applications: receipt_token, or receipt_number, or ticket_id, \
             or id_number with phone, or id_number with card_name"
                .into(),
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
            contact_phone_masked: Some(mask_phone(&row.phone)),
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
            Finder::Applicant { id_number, .. } | Finder::Card { id_number, .. } => {
                Some(id_number_hash(key, id_number))
            }
            Finder::Receipt(_) | Finder::Ticket(_) => None,
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
            // Only a receipt's ticket has a receipt redeemed for it: any other ticket, or an
            // unknown id, finds nothing.
            Finder::Ticket(ticket_id) => {
                sqlx::query_as(&format!(
                    "SELECT {COLUMNS} FROM applications
                     WHERE receipt_number IN (SELECT number FROM receipts WHERE ticket_id = $1)
                     ORDER BY created_at DESC, number"
                ))
                .bind(ticket_id)
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
            // So does a name that does not fit: the ID number's applications are sorted out here,
            // as the stored names are masked.
            Finder::Card { id_number, card_name } => {
                let rows: Vec<ApplicationRow> = sqlx::query_as(&format!(
                    "SELECT {COLUMNS} FROM applications WHERE id_number = $1 ORDER BY created_at DESC, number"
                ))
                .bind(id_number)
                .fetch_all(&mut *self.conn().await?)
                .await?;
                rows.into_iter().filter(|row| name_fits(&row.applicant, card_name)).collect()
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
    /// The pre-review receipt it came from (its id, 32 hex digits), seeded with it, not
    /// redeemed and valid for [`DEMO_RECEIPT_DAYS`] from the seed: redeemed at a kiosk, its
    /// fast-track ticket finds this application.
    receipt_id: Option<String>,
}

/// How long a demo receipt stays redeemable after the seed: the longest a receipt may be valid.
const DEMO_RECEIPT_DAYS: i64 = 90;

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
        let receipt = a.receipt_id.as_deref().map(|receipt_id| Receipt {
            id: hex::decode(receipt_id)
                .ok()
                .and_then(|id| id.try_into().ok())
                .expect("a demo receipt_id is 32 hex digits"),
            service_code: a.service_code.clone(),
            issued_at: (at(first) / 1000) as u32,
            expires_at: ((now + DEMO_RECEIPT_DAYS * 24 * HOUR_MS) / 1000) as u32,
            missing_materials: vec![],
            applicant: a.applicant.clone(),
        });
        let receipt_number = receipt.as_ref().map(Receipt::number);
        let application = Stored {
            id: &id,
            number: &a.number,
            service_code: &a.service_code,
            applicant: &a.applicant,
            id_number: &a.id_number,
            phone: &a.phone,
            receipt_number: receipt_number.as_deref(),
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
        if let Some(receipt) = &receipt {
            insert_receipt(conn, receipt, "demo").await?;
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
    fn a_full_name_from_an_id_card_fits_the_masked_name_character_by_character() {
        assert!(name_fits("张*明", "张三明"));
        assert!(name_fits("张*", "张三"));
        assert!(name_fits("**明", "欧阳明"));
        assert!(name_fits("张＊明", "张三明"), "a full-width mask");
        assert!(name_fits("张三明", "张三明"), "nothing masked");
        assert!(name_fits("阿依*丽·买买提", "阿依古丽·买买提"));
        assert!(!name_fits("张*明", "张三丰"), "another unmasked character");
        assert!(!name_fits("张*明", "李三明"));
        assert!(!name_fits("张*", "张三明"), "a longer name");
        assert!(!name_fits("张*明", "张明"), "a shorter name");
        assert!(!name_fits("张*明", "张三明 "));
        assert!(!name_fits("", "张三明"));
    }

    #[test]
    fn a_lookup_takes_exactly_one_way_and_checks_its_details() {
        let key = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let id = "11010519491231002X";
        let way = |lookup: ApplicationLookup| finder(&lookup, &key);
        let refused = |lookup: ApplicationLookup| format!("{:?}", finder(&lookup, &key).unwrap_err());
        let card = |name: &str| ApplicationLookup {
            id_number: Some(id.into()),
            card_name: Some(name.into()),
            ..Default::default()
        };
        assert_eq!(
            way(card(" 张三明 ")).unwrap(),
            Finder::Card { id_number: id.into(), card_name: "张三明".into() },
            "a reader's padding trimmed"
        );
        assert!(refused(card("张*明")).contains("without *"));
        assert!(refused(card("  ")).contains("card_name must be 1 to"));
        assert!(refused(card(&"张".repeat(MAX_APPLICANT_CHARS + 1))).contains("card_name must be 1 to"));
        let bad_id = ApplicationLookup { id_number: Some("11010519491231002Y".into()), ..card("张三明") };
        assert!(refused(bad_id).contains("InvalidIdNumber"));

        let ticket = |id: &str| ApplicationLookup { ticket_id: Some(id.into()), ..Default::default() };
        assert_eq!(way(ticket("3fa9c01b77d2e845")).unwrap(), Finder::Ticket("3fa9c01b77d2e845".into()));
        for bad in ["", "short", "../../etc/passwd", " 3fa9c01b77d2e845"] {
            assert!(refused(ticket(bad)).contains("ticket_id must be"), "{bad:?}");
        }

        let phone_and_card = ApplicationLookup { phone: Some("13800138000".into()), ..card("张三明") };
        let ticket_and_card = ApplicationLookup { ticket_id: Some("3fa9c01b77d2e845".into()), ..card("张三明") };
        let name_alone = ApplicationLookup { card_name: Some("张三明".into()), ..Default::default() };
        for lookup in [phone_and_card, ticket_and_card, name_alone, ApplicationLookup::default()] {
            let why = refused(lookup);
            assert!(why.contains("one way") && why.contains("ticket_id") && why.contains("card_name"), "{why}");
        }
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
