//! 消息: what the server told the driver about his cases and certificates, also sent by SMS.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// One message, as the driver's 消息 list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Message {
    pub id: i64,
    pub kind: MessageKind,
    /// A short heading, e.g. `办件已退回补正`.
    pub title: String,
    /// The whole message in Chinese: what happened and what to do next.
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
    pub read: bool,
    /// The case it is about: the message links to it.
    pub case_id: Option<String>,
}

/// What a message is about; a reminder links to 换发, the others to their case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    CaseAccepted,
    CaseReturned,
    /// The day before the last day to correct a returned case.
    CaseReturnDueTomorrow,
    /// Closed as 逾期未补正: the last day to correct passed.
    CaseClosedOverdue,
    CaseCompleted,
    CaseRefused,
    /// 换发 can soon be applied for, or the certificate expires soon with no 换发 open.
    RenewalReminder,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::CaseAccepted => "case_accepted",
            MessageKind::CaseReturned => "case_returned",
            MessageKind::CaseReturnDueTomorrow => "case_return_due_tomorrow",
            MessageKind::CaseClosedOverdue => "case_closed_overdue",
            MessageKind::CaseCompleted => "case_completed",
            MessageKind::CaseRefused => "case_refused",
            MessageKind::RenewalReminder => "renewal_reminder",
        }
    }

    pub fn parse(text: &str) -> Option<MessageKind> {
        [
            MessageKind::CaseAccepted,
            MessageKind::CaseReturned,
            MessageKind::CaseReturnDueTomorrow,
            MessageKind::CaseClosedOverdue,
            MessageKind::CaseCompleted,
            MessageKind::CaseRefused,
            MessageKind::RenewalReminder,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// How many messages the driver has not opened: the badge of 消息.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnreadCount {
    pub unread: u32,
}

/// Which messages to mark as read (`POST /messages/read`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MarkRead {
    /// Every message of the driver's up to this id (the newest he was shown): one that came
    /// since stays unread.
    pub up_to: i64,
}

/// The driver's choices about what he is sent (`GET`/`PUT /settings`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Settings {
    /// Reminders before the 换发 window opens and before the certificate expires. Messages about
    /// his cases are always sent.
    pub renewal_reminders: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_what_they_write() {
        for kind in [MessageKind::CaseAccepted, MessageKind::CaseClosedOverdue, MessageKind::RenewalReminder] {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(MessageKind::parse("other"), None);
    }
}
