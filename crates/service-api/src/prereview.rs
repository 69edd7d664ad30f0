//! Pre-review receipts on the server: issuing them (for the pre-review system) and redeeming
//! each once for a fast-track ticket (at a kiosk). The token's format is in [`contract::receipt`].

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::RngCore as _;
use sqlx::AnyConnection;

use crate::calendar::china_time;
use crate::error::{checked_text, Failure};
use crate::store::{now_secs, Db};
use contract::limits::MAX_APPLICANT_CHARS;
use contract::model::{Bilingual, IssuedReceipt, NewReceipt, Priority, RedeemReceipt, RedeemedReceipt, Service};
use contract::receipt::{is_receipt_number, Receipt, ReceiptError};

const VALID_DAYS: std::ops::RangeInclusive<u32> = 1..=90;

/// Tries before giving up on a receipt number not yet taken: numbers are 11 random digits,
/// so a second try is already rare.
const NUMBER_TRIES: usize = 3;

#[derive(sqlx::FromRow)]
struct ReceiptRow {
    id: String,
    number: String,
    service_code: String,
    applicant: String,
    missing_materials: String,
    expires_at: i64,
}

/// Checks a request for a receipt of `service`; answers the applicant's name, trimmed.
fn checked_applicant<'a>(new: &'a NewReceipt, service: &Service) -> Result<&'a str, Failure> {
    let applicant = checked_text("applicant", &new.applicant, MAX_APPLICANT_CHARS)?;
    for (i, &index) in new.missing_materials.iter().enumerate() {
        if usize::from(index) >= service.materials.len() {
            return Err(Failure::InvalidRequest(format!(
                "missing material {index} is out of range: {} has {} materials (0 to {})",
                service.code,
                service.materials.len(),
                service.materials.len().saturating_sub(1)
            )));
        }
        if new.missing_materials[..i].contains(&index) {
            return Err(Failure::InvalidRequest(format!("missing material {index} is listed twice")));
        }
    }
    if !VALID_DAYS.contains(&new.valid_days) {
        return Err(Failure::InvalidRequest(format!(
            "valid_days must be {} to {}, not {}",
            VALID_DAYS.start(),
            VALID_DAYS.end(),
            new.valid_days
        )));
    }
    Ok(applicant)
}

/// The materials a receipt names as missing, by their names in the service's guide. An index
/// past the end (the catalog lost a material since) names nothing; the resident still gets
/// the ticket and the window has the whole guide.
fn missing_material_names(service: &Service, missing: &[usize]) -> Vec<Bilingual> {
    missing.iter().filter_map(|&i| service.materials.get(i)).map(|m| m.name.clone()).collect()
}

/// The receipt a fast-track ticket was redeemed for, as the window desk shows it.
pub(crate) struct TicketReceipt {
    pub number: String,
    pub applicant: String,
    pub missing_materials: Vec<Bilingual>,
}

/// Stores a receipt unless its id or number is taken; answers whether it was stored.
pub(crate) async fn insert_receipt(
    conn: &mut AnyConnection,
    receipt: &Receipt,
    issued_by: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO receipts (id, number, service_code, applicant, missing_materials, issued_by, issued_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(hex::encode(receipt.id))
    .bind(receipt.number())
    .bind(&receipt.service_code)
    .bind(&receipt.applicant)
    .bind(serde_json::to_string(&receipt.missing_materials).expect("indices serialize"))
    .bind(issued_by)
    .bind(i64::from(receipt.issued_at))
    .bind(i64::from(receipt.expires_at))
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

impl Db {
    pub(crate) async fn issue_receipt(
        &self,
        new: &NewReceipt,
        key: &SigningKey,
        issued_by: &str,
    ) -> Result<IssuedReceipt, Failure> {
        let service = self.service(&new.service_code).await?;
        let applicant = checked_applicant(new, &service)?;
        let issued_at = now_secs();
        let mut receipt = Receipt {
            id: [0; 16],
            service_code: service.code,
            issued_at,
            expires_at: issued_at + new.valid_days * 86_400,
            missing_materials: new.missing_materials.clone(),
            applicant: applicant.to_owned(),
        };
        for _ in 0..NUMBER_TRIES {
            rand::rng().fill_bytes(&mut receipt.id);
            // A number already taken inserts nothing; try another id.
            if insert_receipt(&mut *self.conn().await?, &receipt, issued_by).await? {
                return Ok(IssuedReceipt {
                    id: hex::encode(receipt.id),
                    number: receipt.number(),
                    token: receipt.sign(key),
                    expires_at: receipt.expires_at.into(),
                });
            }
        }
        Err(Failure::internal("no free receipt number after several tries"))
    }

    /// Redeems a receipt, given by its token or its number, for a fast-track ticket: once.
    pub(crate) async fn redeem_receipt(
        &self,
        request: &RedeemReceipt,
        key: &VerifyingKey,
        issued_by: &str,
    ) -> Result<RedeemedReceipt, Failure> {
        let now = now_secs();
        let row = match (&request.token, &request.number) {
            (Some(token), None) => {
                let receipt = Receipt::verify(token, key, now).map_err(|e| match e {
                    ReceiptError::Expired => Failure::ReceiptExpired,
                    _ => Failure::ReceiptInvalid,
                })?;
                self.receipt_row("id", &hex::encode(receipt.id)).await?
            }
            (None, Some(number)) if is_receipt_number(number) => self.receipt_row("number", number).await?,
            (None, Some(_)) => return Err(Failure::ReceiptNumberInvalid),
            _ => {
                return Err(Failure::InvalidRequest(
                    "Give the receipt's token or its number: exactly one of the two".into(),
                ))
            }
        };
        // A token carries its expiry; a typed number has only the stored one.
        if i64::from(now) >= row.expires_at {
            return Err(Failure::ReceiptExpired);
        }
        let service = self
            .find_service(&row.service_code)
            .await?
            .ok_or_else(|| Failure::ReceiptServiceWithdrawn(row.service_code.clone()))?;
        let missing: Vec<usize> = serde_json::from_str(&row.missing_materials)?;

        // The claim decides, in the request's transaction: on both engines concurrent claims of
        // one receipt wait for each other, and only one finds redeemed_at still empty.
        let claimed = sqlx::query("UPDATE receipts SET redeemed_at = $1 WHERE id = $2 AND redeemed_at IS NULL")
            .bind(i64::from(now))
            .bind(&row.id)
            .execute(&mut *self.conn().await?)
            .await?;
        if claimed.rows_affected() == 0 {
            let redeemed_at: i64 = sqlx::query_scalar("SELECT redeemed_at FROM receipts WHERE id = $1")
                .bind(&row.id)
                .fetch_one(&mut *self.conn().await?)
                .await?;
            return Err(Failure::ReceiptAlreadyRedeemed(china_time(redeemed_at)));
        }
        let ticket = self.insert_ticket(&service.code, Priority::FastTrack, None, issued_by).await?;
        sqlx::query("UPDATE receipts SET ticket_id = $1 WHERE id = $2")
            .bind(&ticket.id)
            .bind(&row.id)
            .execute(&mut *self.conn().await?)
            .await?;

        Ok(RedeemedReceipt {
            receipt_number: row.number,
            applicant: row.applicant,
            ticket,
            missing_materials: missing_material_names(&service, &missing),
        })
    }

    /// The receipt redeemed for this ticket, if it was.
    pub(crate) async fn receipt_of_ticket(&self, ticket_id: &str) -> Result<Option<TicketReceipt>, Failure> {
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT number, applicant, service_code, missing_materials FROM receipts WHERE ticket_id = $1",
        )
        .bind(ticket_id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let Some((number, applicant, service_code, missing)) = row else {
            return Ok(None);
        };
        let missing: Vec<usize> = serde_json::from_str(&missing)?;
        let missing_materials = match self.find_service(&service_code).await? {
            Some(service) => missing_material_names(&service, &missing),
            None => vec![],
        };
        Ok(Some(TicketReceipt { number, applicant, missing_materials }))
    }

    /// The receipt whose `column` (`id` or `number`) is `value`.
    async fn receipt_row(&self, column: &'static str, value: &str) -> Result<ReceiptRow, Failure> {
        sqlx::query_as(&format!(
            "SELECT id, number, service_code, applicant, missing_materials, expires_at
             FROM receipts WHERE {column} = $1"
        ))
        .bind(value)
        .fetch_optional(&mut *self.conn().await?)
        .await?
        .ok_or(Failure::ReceiptNotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::model::Catalog;

    #[test]
    fn a_receipt_names_its_applicant_and_its_missing_materials_once() {
        let catalog: Catalog = serde_json::from_str(include_str!("../seed/catalog.json")).unwrap();
        let service = &catalog.services[0];
        let new = |applicant: &str, missing_materials: Vec<u8>, valid_days| NewReceipt {
            service_code: service.code.clone(),
            applicant: applicant.into(),
            missing_materials,
            valid_days,
        };
        assert_eq!(checked_applicant(&new(" 张*明 ", vec![0, 2], 30), service).unwrap(), "张*明");
        let refused = |new: NewReceipt| format!("{:?}", checked_applicant(&new, service).unwrap_err());
        assert!(refused(new("  ", vec![], 30)).contains("1 to"));
        let past_the_end = service.materials.len() as u8;
        assert!(refused(new("张*明", vec![past_the_end], 30)).contains("out of range"));
        assert!(refused(new("张*明", vec![1, 1], 30)).contains("listed twice"));
        assert!(refused(new("张*明", vec![], 0)).contains("valid_days"));
        assert!(refused(new("张*明", vec![], 91)).contains("valid_days"));
    }
}
