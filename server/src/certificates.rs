//! 从业资格证: the certificates linked to the verified user's ID number, each with why it
//! cannot be chosen for a business, so that the wizard offers only what a clerk would accept.
//!
//! The register knows a holder by an HMAC of his ID number under a key derived from the
//! server's secret (the "holder key"): the number itself is kept only sealed, in the real-name
//! submission. The reference server has no register to ask, so in demo mode it makes up three
//! fictional certificates for a verified user who has none.

use axum::{
    extract::{rejection::QueryRejection, Query, State},
    Json,
};
use rand::Rng;
use serde::Deserialize;
use sqlx::SqliteConnection;
use taxicert_api::{BusinessCode, Certificate, CertificateKind, CertificateStatus, ErrorBody};

use crate::{
    crypto::random_hex,
    error::{AppError, AppResult},
    realname::{approved_fields, VerifiedUser},
    workdays::Date,
    AppState,
};

/// A certificate as the register keeps it; `expired` is derived from the date, never stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCertificate {
    pub id: String,
    pub number: String,
    pub kind: CertificateKind,
    pub authority: String,
    pub first_issued: Date,
    pub valid_until: Date,
    /// Valid, suspended, revoked or cancelled.
    pub stored_status: CertificateStatus,
}

impl StoredCertificate {
    /// Where it stands on `today` (Beijing date): a valid certificate past its date is expired.
    pub fn status(&self, today: Date) -> CertificateStatus {
        match self.stored_status {
            CertificateStatus::Valid if self.valid_until < today => CertificateStatus::Expired,
            status => status,
        }
    }

    /// Why it cannot be chosen for `business` on `today`, in words for the driver; `None` when
    /// it can. 换发 only in the last `renewal_window_days` before expiry; 注销 of an expired
    /// certificate too; everything else only while it is valid.
    pub fn unavailable_reason(&self, business: BusinessCode, today: Date, renewal_window_days: u32) -> Option<String> {
        let reason = match self.status(today) {
            CertificateStatus::Suspended => "该证处于暂扣状态,暂扣期间不能办理此业务。",
            CertificateStatus::Revoked => "该证已被吊销,不能办理此业务;如需继续从业,请到服务大厅咨询。",
            CertificateStatus::Cancelled => "该证已注销,不能办理此业务;如需继续从业,须重新申请从业资格。",
            CertificateStatus::Expired if business == BusinessCode::Cancellation => return None,
            CertificateStatus::Expired => "该证已过期,不能办理此业务;如需继续从业,请到服务大厅咨询。",
            CertificateStatus::Valid if business == BusinessCode::Renewal => {
                let opens = self.valid_until.add_days(-i64::from(renewal_window_days));
                if today >= opens {
                    return None;
                }
                return Some(format!(
                    "有效期至{},换发须在有效期届满前{renewal_window_days}天内申请({opens}起可申请)。",
                    self.valid_until
                ));
            }
            CertificateStatus::Valid => return None,
        };
        Some(reason.to_owned())
    }

    /// As listed for `business`.
    pub fn to_api(&self, business: BusinessCode, today: Date, renewal_window_days: u32) -> Certificate {
        Certificate {
            id: self.id.clone(),
            number: self.number.clone(),
            kind: self.kind,
            authority: self.authority.clone(),
            first_issued: self.first_issued.to_string(),
            valid_until: self.valid_until.to_string(),
            status: self.status(today),
            unavailable_reason: self.unavailable_reason(business, today, renewal_window_days),
        }
    }
}

#[derive(sqlx::FromRow)]
struct CertificateRow {
    id: String,
    number: String,
    kind: String,
    authority: String,
    first_issued: String,
    valid_until: String,
    status: String,
}

impl CertificateRow {
    fn parse(self) -> AppResult<StoredCertificate> {
        let broken = |what: &str| AppError::Internal(format!("certificate {}: {what} in the database", self.id));
        let kind = match self.kind.as_str() {
            "cruising" => CertificateKind::Cruising,
            "ride_hailing" => CertificateKind::RideHailing,
            _ => return Err(broken("unknown kind")),
        };
        let stored_status = match self.status.as_str() {
            "valid" => CertificateStatus::Valid,
            "suspended" => CertificateStatus::Suspended,
            "revoked" => CertificateStatus::Revoked,
            "cancelled" => CertificateStatus::Cancelled,
            _ => return Err(broken("unknown status")),
        };
        let first_issued = Date::parse(&self.first_issued).ok_or_else(|| broken("a broken first_issued"))?;
        let valid_until = Date::parse(&self.valid_until).ok_or_else(|| broken("a broken valid_until"))?;
        Ok(StoredCertificate {
            id: self.id,
            number: self.number,
            kind,
            authority: self.authority,
            first_issued,
            valid_until,
            stored_status,
        })
    }
}

fn kind_code(kind: CertificateKind) -> &'static str {
    match kind {
        CertificateKind::Cruising => "cruising",
        CertificateKind::RideHailing => "ride_hailing",
    }
}

const COLUMNS: &str = "id, number, kind, authority, first_issued, valid_until, status";

/// The user's holder key: computed from the approved ID number on first use, then kept.
pub async fn holder_key(conn: &mut SqliteConnection, state: &AppState, user_id: i64) -> AppResult<Vec<u8>> {
    let (cached,): (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT holder_key FROM users WHERE id = ?").bind(user_id).fetch_one(&mut *conn).await?;
    if let Some(key) = cached {
        return Ok(key);
    }
    let fields = approved_fields(conn, state, user_id).await?;
    let key = state.secrets.mac("certificate-holder", &[fields.id_number.as_bytes()]);
    sqlx::query("UPDATE users SET holder_key = ? WHERE id = ?").bind(&key).bind(user_id).execute(&mut *conn).await?;
    Ok(key)
}

/// The user's certificates: by kind, then the latest expiry first. A stable order, whatever
/// can be chosen, so that a certificate does not jump about between businesses.
pub async fn owned(conn: &mut SqliteConnection, holder_key: &[u8]) -> AppResult<Vec<StoredCertificate>> {
    let rows: Vec<CertificateRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE holder_key = ?
          ORDER BY CASE kind WHEN 'cruising' THEN 0 ELSE 1 END, valid_until DESC, number"
    ))
    .bind(holder_key)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(CertificateRow::parse).collect()
}

/// One of the user's certificates; someone else's and none at all look the same.
pub async fn owned_one(conn: &mut SqliteConnection, holder_key: &[u8], id: &str) -> AppResult<Option<StoredCertificate>> {
    let row: Option<CertificateRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM certificates WHERE holder_key = ? AND id = ?"))
            .bind(holder_key)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(CertificateRow::parse).transpose()
}

/// The demo set, relative to `today`: a cruising certificate inside the renewal window, a
/// ride-hailing one valid for years, and an older cruising one that has expired. Invented
/// numbers (Hohhot's area code, the year of issue, six random digits), never the ID number.
fn demo_set(today: Date) -> [(CertificateKind, &'static str, Date, Date); 3] {
    let cruising_until = today.add_days(45);
    let ride_hailing_until = today.add_years(3);
    let expired_until = today.add_days(-400);
    [
        (CertificateKind::Cruising, "呼和浩特市交通运输局", cruising_until.add_years(-6), cruising_until),
        (CertificateKind::RideHailing, "呼和浩特市交通运输综合行政执法支队", ride_hailing_until.add_years(-6), ride_hailing_until),
        (CertificateKind::Cruising, "呼和浩特市交通运输局", expired_until.add_years(-6), expired_until),
    ]
}

/// Makes up the demo set for a holder who has no certificate; does nothing when another
/// request did it first.
async fn seed_demo(state: &AppState, holder_key: &[u8], today: Date) -> AppResult<()> {
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM certificates WHERE holder_key = ?").bind(holder_key).fetch_one(&mut *tx).await?;
    if count > 0 {
        return Ok(());
    }
    for (kind, authority, first_issued, valid_until) in demo_set(today) {
        let year = first_issued.ymd().0;
        // A made-up number may meet another holder's: draw again.
        let mut tries = 0;
        loop {
            let number = format!("150100{year:04}{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
            let inserted = sqlx::query(
                "INSERT INTO certificates (id, holder_key, number, kind, authority, first_issued, valid_until, status)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 'valid') ON CONFLICT (number) DO NOTHING",
            )
            .bind(format!("crt_{}", random_hex(12)))
            .bind(holder_key)
            .bind(&number)
            .bind(kind_code(kind))
            .bind(authority)
            .bind(first_issued.to_string())
            .bind(valid_until.to_string())
            .execute(&mut *tx)
            .await?;
            tries += 1;
            if inserted.rows_affected() == 1 || tries >= 20 {
                break;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct CertificatesQuery {
    business: Option<String>,
}

/// The user's certificates, each saying whether and why it cannot be chosen for the business.
#[utoipa::path(
    get,
    path = "/certificates",
    tag = "wizard",
    operation_id = "list_certificates",
    params(("business" = BusinessCode, Query, description = "The business the certificate is chosen for")),
    responses(
        (status = 200, description = "The certificates linked to the user's ID number; `unavailable_reason` is `null` for those that can be chosen", body = [Certificate]),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required`", body = ErrorBody),
        (status = 404, description = "No such business", body = ErrorBody),
    )
)]
pub async fn list_certificates(
    State(state): State<AppState>,
    user: VerifiedUser,
    query: Result<Query<CertificatesQuery>, QueryRejection>,
) -> AppResult<Json<Vec<Certificate>>> {
    // A missing, repeated or unknown business is no business: the JSON 404, not axum's text.
    let business = query.ok().and_then(|Query(q)| q.business).as_deref().and_then(BusinessCode::parse).ok_or(AppError::NotFound)?;
    let today = Date::beijing_today(state.clock.now());
    let mut conn = state.db.acquire().await?;
    let key = holder_key(&mut conn, &state, user.user_id).await?;
    let mut certificates = owned(&mut conn, &key).await?;
    if certificates.is_empty() && state.config.demo_certificates() {
        drop(conn);
        seed_demo(&state, &key, today).await?;
        certificates = owned(&mut *state.db.acquire().await?, &key).await?;
    }
    let window = state.config.renewal_window_days;
    Ok(Json(certificates.iter().map(|c| c.to_api(business, today, window)).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn certificate(valid_until: &str, stored_status: CertificateStatus) -> StoredCertificate {
        StoredCertificate {
            id: "crt_1".into(),
            number: "1501002019123456".into(),
            kind: CertificateKind::Cruising,
            authority: "呼和浩特市交通运输局".into(),
            first_issued: date("2019-05-01"),
            valid_until: date(valid_until),
            stored_status,
        }
    }

    #[test]
    fn renewal_opens_the_given_number_of_days_before_expiry() {
        let c = certificate("2029-05-01", CertificateStatus::Valid);
        let reason = c.unavailable_reason(BusinessCode::Renewal, date("2029-01-30"), 90);
        assert_eq!(reason.as_deref(), Some("有效期至2029-05-01,换发须在有效期届满前90天内申请(2029-01-31起可申请)。"));
        assert_eq!(c.unavailable_reason(BusinessCode::Renewal, date("2029-01-31"), 90), None, "exactly 90 days before");
        assert_eq!(c.unavailable_reason(BusinessCode::Renewal, date("2029-05-01"), 90), None, "the last day");
        assert!(c.unavailable_reason(BusinessCode::Renewal, date("2029-05-02"), 90).unwrap().contains("已过期"));
        assert_eq!(c.unavailable_reason(BusinessCode::Reissue, date("2020-01-01"), 90), None);
    }

    #[test]
    fn an_expired_certificate_can_only_be_cancelled() {
        let c = certificate("2025-10-20", CertificateStatus::Valid);
        let today = date("2026-11-24");
        assert_eq!(c.status(today), CertificateStatus::Expired);
        assert_eq!(c.unavailable_reason(BusinessCode::Cancellation, today, 90), None);
        for business in [BusinessCode::Reissue, BusinessCode::Renewal, BusinessCode::Change, BusinessCode::CreditAssessment] {
            assert_eq!(
                c.unavailable_reason(business, today, 90).as_deref(),
                Some("该证已过期,不能办理此业务;如需继续从业,请到服务大厅咨询。")
            );
        }
    }

    #[test]
    fn suspended_revoked_and_cancelled_certificates_serve_no_business() {
        let today = date("2026-11-24");
        for (status, words) in
            [(CertificateStatus::Suspended, "暂扣期间"), (CertificateStatus::Revoked, "吊销"), (CertificateStatus::Cancelled, "已注销")]
        {
            // Even past its date, the stored status is what the driver is told.
            for until in ["2030-01-01", "2020-01-01"] {
                let c = certificate(until, status);
                assert_eq!(c.status(today), status);
                for business in BusinessCode::ALL {
                    assert!(c.unavailable_reason(business, today, 90).unwrap().contains(words), "{status:?} {business:?}");
                }
            }
        }
    }

    #[test]
    fn the_demo_set_has_one_of_each_case() {
        let today = date("2026-11-24");
        let set = demo_set(today);
        assert_eq!(set[0].3, date("2027-01-08"));
        assert_eq!(set[0].2, date("2021-01-08"));
        assert_eq!(set[1].3, date("2029-11-24"));
        assert!(set[2].3 < today);
    }
}
