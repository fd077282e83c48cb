//! One person, one account: an ID number verified on one account cannot be verified on
//! another; moving the account to a new phone number instead.
//!
//! When `POST /realname/submission` answers 409 `id_number_bound` (the ID number is already
//! verified on the account of another phone number), the server keeps a move request for the
//! pair: the old, verified account and the caller's new, unverified one. The driver then proves
//! he still holds the old number (`POST /account/move/sms-code`, `POST /account/move/confirm`)
//! or, when the old number is lost, asks a clerk to compare the ID photos
//! (`POST /account/move/review`). A move gives the old account (its certificates, cases and
//! real-name verification) the new phone number; the new, empty account is closed.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Where a move request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountMoveStatus {
    /// Made by the `id_number_bound` refusal: waiting for the SMS code of the old number, or
    /// for the driver to ask for a clerk's review.
    SmsPending,
    /// The driver asked for a clerk's review (the old number is lost).
    ReviewPending,
    /// A clerk refused the move; `reason` says why. The driver may submit again.
    Rejected,
    /// Moved (by the SMS code or by a clerk's approval): the old account has the new number.
    Done,
    /// Replaced by a newer request, or no longer needed (the account was verified otherwise).
    Cancelled,
}

impl AccountMoveStatus {
    pub const ALL: [AccountMoveStatus; 5] = [
        AccountMoveStatus::SmsPending,
        AccountMoveStatus::ReviewPending,
        AccountMoveStatus::Rejected,
        AccountMoveStatus::Done,
        AccountMoveStatus::Cancelled,
    ];

    /// The code as stored and as it appears in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountMoveStatus::SmsPending => "sms_pending",
            AccountMoveStatus::ReviewPending => "review_pending",
            AccountMoveStatus::Rejected => "rejected",
            AccountMoveStatus::Done => "done",
            AccountMoveStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<AccountMoveStatus> {
        AccountMoveStatus::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// The name a clerk reads.
    pub fn name(self) -> &'static str {
        match self {
            AccountMoveStatus::SmsPending => "待短信验证",
            AccountMoveStatus::ReviewPending => "待审核",
            AccountMoveStatus::Rejected => "未通过",
            AccountMoveStatus::Done => "已转移",
            AccountMoveStatus::Cancelled => "已取消",
        }
    }
}

/// The signed-in driver's move request (`GET /account/move`): `null` when he has none open
/// (none at all, or the newest is done or cancelled). Phone numbers are masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountMove {
    /// `sms_pending`, `review_pending` or `rejected`.
    pub status: AccountMoveStatus,
    /// The phone number of the account verified with the ID number, masked: `138****5678`.
    pub old_phone_masked: String,
    /// Why a clerk refused the move (2–200 characters), when `rejected`.
    pub reason: Option<String>,
    /// Whether a code was sent to the old number for this request.
    #[serde(default)]
    pub code_sent: bool,
    /// Seconds until another code may be sent to the old number (the 60-second wait), while
    /// there is one to wait; `null` otherwise.
    #[serde(default)]
    pub sms_resend_after_seconds: Option<u64>,
}

/// Confirms the move with the code sent to the old number (`POST /account/move/confirm`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountMoveConfirm {
    /// The 6 digits of the SMS sent to the old number.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\s*[0-9]{6}\s*$"))]
    pub code: String,
}

/// A line of the clerks' move queue. Names and numbers are masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountMoveSummary {
    pub id: i64,
    /// Unix seconds: when the driver asked for a clerk's review (or, before that, when the
    /// request was made).
    pub requested_at: i64,
    /// `王*国`, as submitted with the new account.
    pub name_masked: String,
    /// `1501**********1234`
    pub id_number_masked: String,
    pub status: AccountMoveStatus,
}

/// One move request for a clerk (`GET /staff/account-moves/{id}`): the two accounts, the name
/// as submitted and as verified, and (at `…/photos/{which}`) the four ID photos to compare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountMoveReview {
    pub summary: AccountMoveSummary,
    /// The verified account's phone number, masked (the number he says is lost).
    pub old_phone_masked: String,
    /// The new phone number the account would move to, masked.
    pub new_phone_masked: String,
    /// The full name as submitted with the new account.
    pub name: String,
    /// The full name on the old account's approved real-name submission.
    pub old_name: String,
    /// Unix seconds: when the old account's real-name submission was approved (or submitted,
    /// for one approved before decisions were dated).
    pub old_verified_at: i64,
    /// Unix seconds of the clerk's decision or of the SMS move.
    pub decided_at: Option<i64>,
    /// The reason of a refusal.
    pub reason: Option<String>,
}

/// A clerk's decision on a move (`POST /staff/account-moves/{id}/decision`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountMoveDecision {
    pub approve: bool,
    /// Required (2–200 characters) to refuse; shown to the driver.
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 200, pattern = r"\S[\s\S]*\S"))]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn move_statuses_round_trip_through_their_codes() {
        for status in AccountMoveStatus::ALL {
            assert_eq!(AccountMoveStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{}\"", status.as_str()));
        }
        assert_eq!(AccountMoveStatus::parse("approved"), None);
    }
}
