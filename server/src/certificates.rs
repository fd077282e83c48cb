//! 从业资格证: the certificates linked to the verified user's ID number, each with why it
//! cannot be chosen for a business, so that the wizard offers only what a clerk would accept.
//!
//! The register knows a holder by an HMAC of his ID number under a key derived from the
//! server's secret (the "holder key"): the number itself is kept only sealed, in the real-name
//! submission. The reference server has no register to ask, so in demo mode it makes up three
//! fictional certificates for a verified user who has none.
//!
//! What a certificate can be used for depends on more than its dates: the renewal window
//! (`renewal_window_days`, `renewal_deadline_days`, `renewal_grace_days`), the 考核 periods that
//! have ended and not been assessed, and the applications already open on it — one per
//! business, and an accepted 注销 blocks every business (see [`blocking_case`]).

use axum::{
    extract::{rejection::QueryRejection, Query, State},
    Json,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use taxicert_api::{
    AppliedChange, AssessmentPeriod, BusinessCode, Certificate, CertificateKind, CertificateStatus, Change, ChangeItem,
    CreditRecord, ErrorBody,
};

use crate::{
    crypto::random_hex,
    error::{AppError, AppResult},
    realname::{approved_fields, VerifiedUser},
    workdays::Date,
    AppState, Config,
};

/// A certificate is valid this many years from issue or renewal (道路运输从业人员管理规定 第29条).
pub const VALIDITY_YEARS: i32 = 6;

/// The 考核 periods offered at most, the latest first: the one just ended and the one before
/// (a driver who missed a year can still apply for it).
const MAX_OFFERED_PERIODS: usize = 2;

/// The renewal window's days, from the configuration (see [`Config::renewal_window_days`] and
/// the two after it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenewalRules {
    /// The window opens this many days before expiry.
    pub window_days: u32,
    /// From this many days before expiry the application is late (still taken).
    pub deadline_days: u32,
    /// This many days after expiry it can still be renewed (逾期换发); then it has lapsed.
    pub grace_days: u32,
}

impl RenewalRules {
    pub fn of(config: &Config) -> RenewalRules {
        RenewalRules {
            window_days: config.renewal_window_days,
            deadline_days: config.renewal_deadline_days,
            grace_days: config.renewal_grace_days,
        }
    }
}

/// What the database says around a certificate for one business: the case that blocks it and
/// the 考核 periods already assessed (by their first day).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// The open case of the same business, an accepted 注销, or the open 换发 of a 补发 (and
    /// the other way round): (case id, its business).
    pub blocking: Option<(String, BusinessCode)>,
    /// `YYYY-MM-DD` first days of the periods a completed 考核 has assessed.
    pub assessed: Vec<String>,
}

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
    /// 准驾车型, one of `LICENCE_CLASSES` (empty when the register has none).
    pub licence_class: String,
    /// 服务单位 (empty when none is recorded).
    pub employer: String,
    /// 住址, unsealed from `holder_details`.
    pub address: String,
    /// 联系电话, unsealed from `holder_details`.
    pub phone: String,
    /// The latest 考核 recorded.
    pub credit: Option<CreditRecord>,
}

/// 住址 and 联系电话 as sealed in `certificates.holder_details`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct HolderDetails {
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
}

/// The sealed holder details open only for this certificate.
fn details_context(id: &str) -> String {
    format!("certificate:{id}")
}

/// `从业资格证补发` and so on, as the catalogue names the businesses: the words of the messages.
pub fn business_name(business: BusinessCode) -> &'static str {
    match business {
        BusinessCode::Reissue => "从业资格证补发",
        BusinessCode::Renewal => "从业资格证换发",
        BusinessCode::Change => "从业资格证变更",
        BusinessCode::Cancellation => "从业资格证注销",
        BusinessCode::CreditAssessment => "服务质量信誉考核",
    }
}

/// The business that cannot be open on a certificate at the same time as `business`, besides
/// `business` itself: 补发 and 换发 both issue a new certificate, so while one is open the
/// other is not needed (and two would issue two certificates).
pub fn exclusive_with(business: BusinessCode) -> Option<BusinessCode> {
    match business {
        BusinessCode::Reissue => Some(BusinessCode::Renewal),
        BusinessCode::Renewal => Some(BusinessCode::Reissue),
        BusinessCode::Change | BusinessCode::Cancellation | BusinessCode::CreditAssessment => None,
    }
}

/// Why a certificate is blocked by the open case `case_id` of `blocker`, when `business` is
/// asked for: in words for the driver, naming the case to follow.
pub fn blocked_message(business: BusinessCode, case_id: &str, blocker: BusinessCode) -> String {
    if blocker == business {
        format!(
            "该证已有一件{}申请正在办理（办件编号 {case_id}），请在“我的办件”中查看进度；办结后才能再次申请。",
            business_name(business)
        )
    } else if blocker == BusinessCode::Renewal && business == BusinessCode::Reissue {
        format!(
            "该证已有一件从业资格证换发申请正在办理（办件编号 {case_id}），换发办结时会制发新证，无需另行申请补发；\
             补发和换发不能同时办理，请在“我的办件”中查看换发进度。"
        )
    } else if blocker == BusinessCode::Reissue && business == BusinessCode::Renewal {
        format!(
            "该证已有一件从业资格证补发申请正在办理（办件编号 {case_id}），补发办结时也会制发新证；\
             补发和换发不能同时办理，请在“我的办件”中查看补发进度，补发办结后再申请换发。"
        )
    } else {
        format!(
            "该证的注销申请（办件编号 {case_id}）已受理，注销办结后该证不能再办理任何业务，因此不能申请{}；请在“我的办件”中查看进度。",
            business_name(business)
        )
    }
}

/// The 12-month 考核 period `k` (from 0) of a certificate first issued on `first_issued`: from
/// the first day of that month `k` years on to the day before the next period (出租汽车服务质量
/// 信誉考核办法: the period runs from the month of first issue).
pub fn assessment_period(first_issued: Date, k: i32) -> (Date, Date) {
    let (year, month, _) = first_issued.ymd();
    let start = Date::from_ymd(year + k, month, 1).expect("the first of a month exists");
    let next = Date::from_ymd(year + k + 1, month, 1).expect("the first of a month exists");
    (start, next.add_days(-1))
}

impl StoredCertificate {
    /// Where it stands on `today` (Beijing date): a valid certificate past its date is expired.
    pub fn status(&self, today: Date) -> CertificateStatus {
        match self.stored_status {
            CertificateStatus::Valid if self.valid_until < today => CertificateStatus::Expired,
            status => status,
        }
    }

    /// The 考核 periods that have ended by `today` and are not in `assessed` (first days), the
    /// latest first, at most two; and the end of the next period to end, for the message when
    /// there is none.
    pub fn open_periods(&self, today: Date, assessed: &[String]) -> (Vec<AssessmentPeriod>, Date) {
        let mut periods = Vec::new();
        let mut k = 0;
        let next_end = loop {
            let (start, end) = assessment_period(self.first_issued, k);
            if end >= today {
                break end;
            }
            if !assessed.contains(&start.to_string()) {
                periods.push(AssessmentPeriod { start: start.to_string(), end: end.to_string() });
            }
            k += 1;
        };
        periods.reverse();
        periods.truncate(MAX_OFFERED_PERIODS);
        (periods, next_end)
    }

    /// Why it cannot be chosen for `business` on `today`, in words for the driver (`None` when
    /// it can), and the advice that does not block it (a late or 逾期 换发).
    ///
    /// In order: the stored status (suspended, revoked, cancelled); a blocking case; the dates
    /// — 换发 from `window_days` before expiry to `grace_days` after it, 注销 whatever the date,
    /// everything else only until expiry; for 考核, a period to assess.
    pub fn availability(
        &self,
        business: BusinessCode,
        today: Date,
        rules: RenewalRules,
        standing: &Standing,
    ) -> (Option<String>, Option<String>) {
        let refused = |reason: String| (Some(reason), None);
        let status = self.status(today);
        match status {
            CertificateStatus::Suspended => return refused("该证处于暂扣状态，暂扣期间不能办理此业务。".into()),
            CertificateStatus::Revoked => {
                return refused("该证已被吊销，不能办理此业务；如需继续从业，请到服务大厅咨询。".into())
            }
            CertificateStatus::Cancelled => {
                return refused("该证已注销，不能办理此业务；如需继续从业，须重新申请从业资格。".into())
            }
            CertificateStatus::Valid | CertificateStatus::Expired => {}
        }
        if let Some((case_id, blocker)) = &standing.blocking {
            return refused(blocked_message(business, case_id, *blocker));
        }
        let days_left = today.days_until(self.valid_until);
        let lapsed = days_left < -i64::from(rules.grace_days);
        let lapsed_message = || {
            format!(
                "该证有效期已于{}届满，超过{}日未换发，依《道路运输从业人员管理规定》第32条应予注销，不能在网上换发或办理其他业务；\
                 如需继续从业，请携带身份证到服务大厅重新申请从业资格，重新参加从业资格考试。",
                self.valid_until, rules.grace_days
            )
        };
        match business {
            BusinessCode::Cancellation => (None, None),
            BusinessCode::Renewal if lapsed => refused(lapsed_message()),
            BusinessCode::Renewal if days_left < 0 => (
                None,
                Some(format!(
                    "该证有效期已于{}届满，已逾期{}天，本次为逾期换发；届满超过{}日仍未换发的，该证将依法注销，请尽快提交。",
                    self.valid_until,
                    -days_left,
                    rules.grace_days
                )),
            ),
            BusinessCode::Renewal if days_left > i64::from(rules.window_days) => refused(format!(
                "有效期至{}，换发须在有效期届满前{}日内申请（{}起可申请）。",
                self.valid_until,
                rules.window_days,
                self.valid_until.add_days(-i64::from(rules.window_days))
            )),
            BusinessCode::Renewal if days_left <= i64::from(rules.deadline_days) => (
                None,
                Some(format!(
                    "有效期至{}，应在有效期届满{}日前申请换发，现已超过该期限；仍可申请，请尽快提交。",
                    self.valid_until, rules.deadline_days
                )),
            ),
            BusinessCode::Renewal => (None, None),
            _ if lapsed => refused(lapsed_message()),
            _ if days_left < 0 => refused(format!(
                "该证已过期，不能办理此业务；有效期届满后{}日内可先申请换发，换发后再办理。",
                rules.grace_days
            )),
            BusinessCode::CreditAssessment => {
                let (periods, next_end) = self.open_periods(today, &standing.assessed);
                if periods.is_empty() {
                    refused(format!(
                        "暂无可申请考核的周期：已结束的考核周期均已考核，下一个考核周期于{next_end}结束，结束后可申请。"
                    ))
                } else {
                    (None, None)
                }
            }
            BusinessCode::Reissue | BusinessCode::Change => (None, None),
        }
    }

    /// Why it cannot be chosen for `business` on `today`; `None` when it can. See
    /// [`StoredCertificate::availability`].
    pub fn unavailable_reason(&self, business: BusinessCode, today: Date, rules: RenewalRules, standing: &Standing) -> Option<String> {
        self.availability(business, today, rules, standing).0
    }

    /// As listed for `business`: the register's values, why it cannot be chosen, the case that
    /// blocks it, the renewal notice and, for 考核, the periods that can be applied for.
    pub fn to_api(&self, business: BusinessCode, today: Date, rules: RenewalRules, standing: &Standing) -> Certificate {
        let (unavailable_reason, notice) = self.availability(business, today, rules, standing);
        let assessment_periods = if business == BusinessCode::CreditAssessment && unavailable_reason.is_none() {
            self.open_periods(today, &standing.assessed).0
        } else {
            Vec::new()
        };
        Certificate {
            id: self.id.clone(),
            number: self.number.clone(),
            kind: self.kind,
            authority: self.authority.clone(),
            first_issued: self.first_issued.to_string(),
            valid_until: self.valid_until.to_string(),
            status: self.status(today),
            licence_class: self.licence_class.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
            employer: self.employer.clone(),
            credit: self.credit.clone(),
            unavailable_reason,
            // Only when the case is what stands in the way: a cancelled or suspended
            // certificate says so, not "follow your case".
            open_case_id: match self.status(today) {
                CertificateStatus::Valid | CertificateStatus::Expired => standing.blocking.as_ref().map(|(id, _)| id.clone()),
                _ => None,
            },
            notice,
            assessment_periods,
        }
    }

    /// The current value of `item` as the register keeps it.
    fn current(&self, item: ChangeItem) -> &str {
        match item {
            ChangeItem::Address => &self.address,
            ChangeItem::Phone => &self.phone,
            ChangeItem::LicenceClass => &self.licence_class,
            ChangeItem::Employer => &self.employer,
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
    licence_class: String,
    employer: String,
    holder_details: Option<Vec<u8>>,
    credit_period_start: Option<String>,
    credit_period_end: Option<String>,
    credit_points: Option<i64>,
    credit_grade: Option<String>,
}

impl CertificateRow {
    fn parse(self, state: &AppState) -> AppResult<StoredCertificate> {
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
        // Certificates from before the details were kept have none: empty, not an error.
        let details = match &self.holder_details {
            Some(sealed) => {
                let plain = state.vault.open(sealed, &details_context(&self.id))?;
                serde_json::from_slice::<HolderDetails>(&plain).map_err(|_| broken("holder details that do not parse"))?
            }
            None => HolderDetails::default(),
        };
        let credit = match (self.credit_period_start, self.credit_period_end, self.credit_points, self.credit_grade) {
            (Some(start), Some(end), Some(points), Some(grade)) => Some(CreditRecord {
                period: AssessmentPeriod { start, end },
                points: u32::try_from(points).map_err(|_| broken("negative credit points"))?,
                grade,
            }),
            _ => None,
        };
        Ok(StoredCertificate {
            id: self.id,
            number: self.number,
            kind,
            authority: self.authority,
            first_issued,
            valid_until,
            stored_status,
            licence_class: self.licence_class,
            employer: self.employer,
            address: details.address,
            phone: details.phone,
            credit,
        })
    }
}

fn kind_code(kind: CertificateKind) -> &'static str {
    match kind {
        CertificateKind::Cruising => "cruising",
        CertificateKind::RideHailing => "ride_hailing",
    }
}

const COLUMNS: &str = "id, number, kind, authority, first_issued, valid_until, status, licence_class, employer,
    holder_details, credit_period_start, credit_period_end, credit_points, credit_grade";

/// The user's holder key: computed from the approved ID number on first use, then kept.
pub async fn holder_key(conn: &mut AnyConnection, state: &AppState, user_id: i64) -> AppResult<Vec<u8>> {
    let (cached,): (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT holder_key FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *conn).await?;
    if let Some(key) = cached {
        return Ok(key);
    }
    let fields = approved_fields(conn, state, user_id).await?;
    let key = state.secrets.mac("certificate-holder", &[fields.id_number.as_bytes()]);
    sqlx::query("UPDATE users SET holder_key = $1 WHERE id = $2").bind(&key).bind(user_id).execute(&mut *conn).await?;
    Ok(key)
}

/// The user's certificates: by kind, then the latest expiry first. A stable order, whatever
/// can be chosen, so that a certificate does not jump about between businesses.
pub async fn owned(conn: &mut AnyConnection, state: &AppState, holder_key: &[u8]) -> AppResult<Vec<StoredCertificate>> {
    let rows: Vec<CertificateRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE holder_key = $1
          ORDER BY CASE kind WHEN 'cruising' THEN 0 ELSE 1 END, valid_until DESC, number"
    ))
    .bind(holder_key)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(|row| row.parse(state)).collect()
}

/// One of the user's certificates; someone else's and none at all look the same.
pub async fn owned_one(
    conn: &mut AnyConnection,
    state: &AppState,
    holder_key: &[u8],
    id: &str,
) -> AppResult<Option<StoredCertificate>> {
    let row: Option<CertificateRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM certificates WHERE holder_key = $1 AND id = $2"))
            .bind(holder_key)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|row| row.parse(state)).transpose()
}

/// The certificate `id`, whoever holds it (for staff and for a case's own certificate); `None`
/// when there is none. Errors: `Internal` for a row that does not parse or unseal.
pub async fn load(conn: &mut AnyConnection, state: &AppState, id: &str) -> AppResult<Option<StoredCertificate>> {
    let row: Option<CertificateRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM certificates WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| row.parse(state)).transpose()
}

/// Writes a 变更's new values to the certificate `id` (住址 as [`Address::text`], 联系电话,
/// 准驾车型, 服务单位) and answers each change as old → new, in the order given. Call it inside
/// the transaction of 办结. Errors: `Internal` when there is no such certificate.
///
/// [`Address::text`]: taxicert_api::Address::text
pub async fn apply_changes(
    conn: &mut AnyConnection,
    state: &AppState,
    id: &str,
    changes: &[Change],
) -> AppResult<Vec<AppliedChange>> {
    let mut certificate =
        load(conn, state, id).await?.ok_or_else(|| AppError::Internal(format!("certificate {id} to change is gone")))?;
    let mut applied = Vec::new();
    for change in changes {
        let item = change.item();
        let new = change.new_text();
        applied.push(AppliedChange { item, old: certificate.current(item).to_owned(), new: new.clone() });
        match item {
            ChangeItem::Address => certificate.address = new,
            ChangeItem::Phone => certificate.phone = new,
            ChangeItem::LicenceClass => certificate.licence_class = new,
            ChangeItem::Employer => certificate.employer = new,
        }
    }
    sqlx::query("UPDATE certificates SET licence_class = $1, employer = $2, holder_details = $3 WHERE id = $4")
        .bind(&certificate.licence_class)
        .bind(&certificate.employer)
        .bind(seal_details(state, id, &certificate.address, &certificate.phone)?)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(applied)
}

fn seal_details(state: &AppState, id: &str, address: &str, phone: &str) -> AppResult<Vec<u8>> {
    let plain = serde_json::to_vec(&HolderDetails { address: address.to_owned(), phone: phone.to_owned() })
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(state.vault.seal(&plain, &details_context(id)))
}

/// Records a 考核 result as the certificate's latest (period `YYYY-MM-DD`, points, grade).
/// Errors: database only; no such certificate changes nothing.
pub async fn record_credit(conn: &mut AnyConnection, id: &str, record: &CreditRecord) -> AppResult<()> {
    sqlx::query(
        "UPDATE certificates SET credit_period_start = $1, credit_period_end = $2, credit_points = $3, credit_grade = $4
          WHERE id = $5",
    )
    .bind(&record.period.start)
    .bind(&record.period.end)
    .bind(i64::from(record.points))
    .bind(&record.grade)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The case that stands in the way of `business` on the certificate: an open case (submitted,
/// accepted or returned) of the same business, else an accepted 注销 (accepted, or returned
/// after acceptance), else an open case of the business [`exclusive_with`] it (补发 and 换发
/// both issue a new certificate) — other than `except_case`. Answers (case id, its business); `None` when
/// nothing blocks. Cases submitted before cases named their certificate block nothing.
pub async fn blocking_case(
    conn: &mut AnyConnection,
    certificate_id: &str,
    business: BusinessCode,
    except_case: Option<&str>,
) -> AppResult<Option<(String, BusinessCode)>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT id, business_code FROM cases
          WHERE certificate_id = $1 AND id IS DISTINCT FROM $2
            AND ((business_code IN ($3, $4) AND status IN ('submitted', 'accepted', 'returned'))
              OR (business_code = 'cancellation'
                  AND (status = 'accepted' OR (status = 'returned' AND returned_from = 'accepted'))))
          ORDER BY CASE business_code WHEN $3 THEN 0 WHEN 'cancellation' THEN 1 ELSE 2 END, submitted_at, id LIMIT 1",
    )
    .bind(certificate_id)
    .bind(except_case)
    .bind(business.as_str())
    .bind(exclusive_with(business).map(BusinessCode::as_str))
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(id, code)| {
        let blocker = BusinessCode::parse(&code)
            .ok_or_else(|| AppError::Internal(format!("case {id}: unknown business in the database")))?;
        Ok((id, blocker))
    })
    .transpose()
}

/// The first days of the 考核 periods completed on the certificate.
pub async fn assessed_periods(conn: &mut AnyConnection, certificate_id: &str) -> AppResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT r.credit_period_start FROM case_results r JOIN cases c ON c.id = r.case_id
          WHERE c.certificate_id = $1 AND c.business_code = 'credit_assessment' AND c.status = 'completed'
            AND r.credit_period_start IS NOT NULL",
    )
    .bind(certificate_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(start,)| start).collect())
}

/// What stands around the certificate for `business` (see [`Standing`]), `except_case` aside.
pub async fn standing(
    conn: &mut AnyConnection,
    certificate_id: &str,
    business: BusinessCode,
    except_case: Option<&str>,
) -> AppResult<Standing> {
    let blocking = blocking_case(conn, certificate_id, business, except_case).await?;
    let assessed =
        if business == BusinessCode::CreditAssessment { assessed_periods(conn, certificate_id).await? } else { Vec::new() };
    Ok(Standing { blocking, assessed })
}

/// The certificate as listed for `business` today, with what stands around it in the database.
pub async fn listed(
    conn: &mut AnyConnection,
    state: &AppState,
    certificate: &StoredCertificate,
    business: BusinessCode,
    today: Date,
) -> AppResult<Certificate> {
    let standing = standing(conn, &certificate.id, business, None).await?;
    Ok(certificate.to_api(business, today, RenewalRules::of(&state.config), &standing))
}

/// One demo certificate: kind, authority, first issued, valid until, 服务单位.
type DemoCertificate = (CertificateKind, &'static str, Date, Date, &'static str);

/// The demo set, relative to `today`: a cruising certificate inside the renewal window, a
/// ride-hailing one valid for years, and an older cruising one that has lapsed. Invented
/// numbers (Hohhot's area code, the year of issue, six random digits), never the ID number;
/// invented companies. Each was first issued more than a year ago, so a 考核 period has ended.
fn demo_set(today: Date) -> [DemoCertificate; 3] {
    let cruising_until = today.add_days(45);
    let ride_hailing_until = today.add_years(3);
    let expired_until = today.add_days(-400);
    [
        (
            CertificateKind::Cruising,
            "呼和浩特市交通运输局",
            cruising_until.add_years(-VALIDITY_YEARS),
            cruising_until,
            "呼和浩特市示例出租汽车有限公司",
        ),
        (
            CertificateKind::RideHailing,
            "呼和浩特市交通运输综合行政执法支队",
            ride_hailing_until.add_years(-VALIDITY_YEARS),
            ride_hailing_until,
            "示例网约车平台（呼和浩特）有限公司",
        ),
        (
            CertificateKind::Cruising,
            "呼和浩特市交通运输局",
            expired_until.add_years(-VALIDITY_YEARS),
            expired_until,
            "呼和浩特市示例出租汽车有限公司",
        ),
    ]
}

/// Makes up the demo set for a holder who has no certificate, with the address of his ID card
/// and his login phone; does nothing when another request did it first.
async fn seed_demo(state: &AppState, holder_key: &[u8], today: Date, address: &str, phone: &str) -> AppResult<()> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM certificates WHERE holder_key = $1").bind(holder_key).fetch_one(&mut *tx).await?;
    if count > 0 {
        return Ok(());
    }
    for (kind, authority, first_issued, valid_until, employer) in demo_set(today) {
        let year = first_issued.ymd().0;
        // A made-up number may meet another holder's: draw again.
        let mut tries = 0;
        loop {
            let id = format!("crt_{}", random_hex(12));
            let number = format!("150100{year:04}{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
            let inserted = sqlx::query(
                "INSERT INTO certificates (id, holder_key, number, kind, authority, first_issued, valid_until, status,
                     licence_class, employer, holder_details)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'valid', 'C1', $8, $9) ON CONFLICT (number) DO NOTHING",
            )
            .bind(&id)
            .bind(holder_key)
            .bind(&number)
            .bind(kind_code(kind))
            .bind(authority)
            .bind(first_issued.to_string())
            .bind(valid_until.to_string())
            .bind(employer)
            .bind(seal_details(state, &id, address, phone)?)
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
        (status = 200, description = "The certificates linked to the user's ID number; `unavailable_reason` is `null` for those that can be chosen, `open_case_id` names the open case that blocks one, `notice` is advice that does not block (a late or 逾期 换发), `assessment_periods` the 考核 periods that can be applied for", body = [Certificate]),
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
    let mut certificates = owned(&mut conn, &state, &key).await?;
    if certificates.is_empty() && state.config.demo_certificates() {
        let address = approved_fields(&mut conn, &state, user.user_id).await?.address;
        let (phone,): (String,) =
            sqlx::query_as("SELECT phone FROM users WHERE id = $1").bind(user.user_id).fetch_one(&mut *conn).await?;
        drop(conn);
        seed_demo(&state, &key, today, &address, &phone).await?;
        conn = state.db.acquire().await?;
        certificates = owned(&mut conn, &state, &key).await?;
    }
    let mut list = Vec::with_capacity(certificates.len());
    for certificate in &certificates {
        list.push(listed(&mut conn, &state, certificate, business, today).await?);
    }
    Ok(Json(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: RenewalRules = RenewalRules { window_days: 90, deadline_days: 30, grace_days: 180 };

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn certificate(valid_until: &str, stored_status: CertificateStatus) -> StoredCertificate {
        StoredCertificate {
            id: "crt_1".into(),
            number: "1501002019123456".into(),
            kind: CertificateKind::Cruising,
            authority: "呼和浩特市交通运输局".into(),
            first_issued: date("2019-05-20"),
            valid_until: date(valid_until),
            stored_status,
            licence_class: "C1".into(),
            employer: "呼和浩特市示例出租汽车有限公司".into(),
            address: "内蒙古自治区呼和浩特市新城区示例路1号".into(),
            phone: "13812345678".into(),
            credit: None,
        }
    }

    fn renewal(c: &StoredCertificate, today: Date) -> (Option<String>, Option<String>) {
        c.availability(BusinessCode::Renewal, today, RULES, &Standing::default())
    }

    #[test]
    fn the_renewal_window_opens_90_days_before_and_is_late_from_30() {
        let until = date("2029-05-01");
        let c = certificate("2029-05-01", CertificateStatus::Valid);
        let before = |days: i64| renewal(&c, until.add_days(-days));
        let (reason, notice) = before(91);
        assert_eq!(reason.as_deref(), Some("有效期至2029-05-01，换发须在有效期届满前90日内申请（2029-01-31起可申请）。"));
        assert_eq!(notice, None);
        assert_eq!(before(90), (None, None), "exactly 90 days before");
        assert_eq!(before(31), (None, None));
        let (reason, notice) = before(30);
        assert_eq!(reason, None);
        assert_eq!(notice.as_deref(), Some("有效期至2029-05-01，应在有效期届满30日前申请换发，现已超过该期限；仍可申请，请尽快提交。"));
        assert!(before(0).1.unwrap().contains("30日前"), "the last day is late too");
    }

    #[test]
    fn an_expired_certificate_is_renewed_late_for_180_days_then_has_lapsed() {
        let until = date("2029-05-01");
        let c = certificate("2029-05-01", CertificateStatus::Valid);
        let after = |days: i64| renewal(&c, until.add_days(days));
        let (reason, notice) = after(1);
        assert_eq!(reason, None);
        assert_eq!(
            notice.as_deref(),
            Some("该证有效期已于2029-05-01届满，已逾期1天，本次为逾期换发；届满超过180日仍未换发的，该证将依法注销，请尽快提交。")
        );
        let (reason, notice) = after(180);
        assert_eq!(reason, None);
        assert!(notice.unwrap().contains("已逾期180天"));
        let (reason, notice) = after(181);
        assert_eq!(notice, None);
        let reason = reason.unwrap();
        assert!(reason.contains("第32条") && reason.contains("重新参加从业资格考试") && reason.contains("服务大厅"), "{reason}");
    }

    #[test]
    fn an_expired_certificate_can_only_be_renewed_or_cancelled() {
        let c = certificate("2026-10-20", CertificateStatus::Valid);
        let today = date("2026-11-24");
        let standing = Standing::default();
        assert_eq!(c.status(today), CertificateStatus::Expired);
        assert_eq!(c.unavailable_reason(BusinessCode::Cancellation, today, RULES, &standing), None);
        assert_eq!(c.unavailable_reason(BusinessCode::Renewal, today, RULES, &standing), None);
        for business in [BusinessCode::Reissue, BusinessCode::Change, BusinessCode::CreditAssessment] {
            assert_eq!(
                c.unavailable_reason(business, today, RULES, &standing).as_deref(),
                Some("该证已过期，不能办理此业务；有效期届满后180日内可先申请换发，换发后再办理。")
            );
        }
        let lapsed = certificate("2025-01-01", CertificateStatus::Valid);
        assert_eq!(lapsed.unavailable_reason(BusinessCode::Cancellation, today, RULES, &standing), None);
        assert!(lapsed.unavailable_reason(BusinessCode::Reissue, today, RULES, &standing).unwrap().contains("第32条"));
    }

    #[test]
    fn suspended_revoked_and_cancelled_certificates_serve_no_business() {
        let today = date("2026-11-24");
        for (status, words) in
            [(CertificateStatus::Suspended, "暂扣期间"), (CertificateStatus::Revoked, "吊销"), (CertificateStatus::Cancelled, "已注销")]
        {
            // Even past its date or with a case open, the stored status is what the driver is told.
            for until in ["2030-01-01", "2020-01-01"] {
                let c = certificate(until, status);
                assert_eq!(c.status(today), status);
                let standing = Standing { blocking: Some(("TC1".into(), BusinessCode::Renewal)), assessed: vec![] };
                for business in BusinessCode::ALL {
                    let reason = c.unavailable_reason(business, today, RULES, &standing).unwrap();
                    assert!(reason.contains(words), "{status:?} {business:?}");
                }
            }
        }
    }

    #[test]
    fn an_open_case_blocks_its_business_and_an_accepted_cancellation_blocks_all() {
        let c = certificate("2027-01-01", CertificateStatus::Valid);
        let today = date("2026-11-24");
        let same = Standing { blocking: Some(("TC20261124000001".into(), BusinessCode::Renewal)), assessed: vec![] };
        let listed = c.to_api(BusinessCode::Renewal, today, RULES, &same);
        assert_eq!(listed.open_case_id.as_deref(), Some("TC20261124000001"));
        assert_eq!(
            listed.unavailable_reason.as_deref(),
            Some("该证已有一件从业资格证换发申请正在办理（办件编号 TC20261124000001），请在“我的办件”中查看进度；办结后才能再次申请。")
        );
        let cancelling = Standing { blocking: Some(("TC20261124000002".into(), BusinessCode::Cancellation)), assessed: vec![] };
        let reason = c.unavailable_reason(BusinessCode::Change, today, RULES, &cancelling).unwrap();
        assert!(reason.contains("注销申请（办件编号 TC20261124000002）已受理"), "{reason}");
        // 补发 and 换发 exclude each other, and say which case to follow and why.
        let renewing = Standing { blocking: Some(("TC20261124000003".into(), BusinessCode::Renewal)), assessed: vec![] };
        let listed = c.to_api(BusinessCode::Reissue, today, RULES, &renewing);
        assert_eq!(listed.open_case_id.as_deref(), Some("TC20261124000003"));
        let reason = listed.unavailable_reason.unwrap();
        assert!(reason.contains("换发申请正在办理（办件编号 TC20261124000003）") && reason.contains("无需另行申请补发"), "{reason}");
        let reissuing = Standing { blocking: Some(("TC20261124000004".into(), BusinessCode::Reissue)), assessed: vec![] };
        let reason = c.unavailable_reason(BusinessCode::Renewal, today, RULES, &reissuing).unwrap();
        assert!(reason.contains("补发申请正在办理（办件编号 TC20261124000004）") && reason.contains("补发办结后再申请换发"), "{reason}");
        assert_eq!(exclusive_with(BusinessCode::Change), None);
    }

    #[test]
    fn assessment_periods_run_twelve_months_from_the_month_of_first_issue() {
        assert_eq!(assessment_period(date("2019-05-20"), 0), (date("2019-05-01"), date("2020-04-30")));
        assert_eq!(assessment_period(date("2019-05-20"), 6), (date("2025-05-01"), date("2026-04-30")));
        let c = certificate("2027-01-01", CertificateStatus::Valid);
        let today = date("2026-11-24");
        let listed = c.to_api(BusinessCode::CreditAssessment, today, RULES, &Standing::default());
        let starts: Vec<&str> = listed.assessment_periods.iter().map(|p| p.start.as_str()).collect();
        assert_eq!(starts, ["2025-05-01", "2024-05-01"], "the latest first, two at most");
        let assessed = Standing { blocking: None, assessed: vec!["2025-05-01".into()] };
        let listed = c.to_api(BusinessCode::CreditAssessment, today, RULES, &assessed);
        let starts: Vec<&str> = listed.assessment_periods.iter().map(|p| p.start.as_str()).collect();
        assert_eq!(starts, ["2024-05-01", "2023-05-01"], "an assessed period is no longer offered");
        assert!(c.to_api(BusinessCode::Renewal, today, RULES, &Standing::default()).assessment_periods.is_empty());
        // A certificate first issued this year has no period ended yet.
        let mut new = certificate("2032-03-01", CertificateStatus::Valid);
        new.first_issued = date("2026-03-01");
        let listed = new.to_api(BusinessCode::CreditAssessment, today, RULES, &Standing::default());
        assert_eq!(
            listed.unavailable_reason.as_deref(),
            Some("暂无可申请考核的周期：已结束的考核周期均已考核，下一个考核周期于2027-02-28结束，结束后可申请。")
        );
        assert!(listed.assessment_periods.is_empty());
    }

    #[test]
    fn the_register_values_are_listed() {
        let mut c = certificate("2027-01-01", CertificateStatus::Valid);
        c.credit = Some(CreditRecord {
            period: AssessmentPeriod { start: "2025-05-01".into(), end: "2026-04-30".into() },
            points: 18,
            grade: "AA".into(),
        });
        let listed = c.to_api(BusinessCode::Change, date("2026-11-24"), RULES, &Standing::default());
        assert_eq!(
            (listed.licence_class.as_str(), listed.employer.as_str(), listed.phone.as_str()),
            ("C1", "呼和浩特市示例出租汽车有限公司", "13812345678")
        );
        assert_eq!(listed.address, "内蒙古自治区呼和浩特市新城区示例路1号");
        assert_eq!(listed.credit.unwrap().grade, "AA");
        assert_eq!((listed.unavailable_reason, listed.notice, listed.open_case_id), (None, None, None));
    }

    #[test]
    fn the_demo_set_has_one_of_each_case() {
        let today = date("2026-11-24");
        let set = demo_set(today);
        assert_eq!(set[0].3, date("2027-01-08"));
        assert_eq!(set[0].2, date("2021-01-08"));
        assert_eq!(set[1].3, date("2029-11-24"));
        assert!(set[2].3.add_days(180) < today, "the third has lapsed");
        for (_, _, first_issued, ..) in set {
            assert!(assessment_period(first_issued, 0).1 < today, "a 考核 period has ended");
        }
        assert_eq!(set[1].4, "示例网约车平台（呼和浩特）有限公司");
    }
}
