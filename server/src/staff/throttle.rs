//! Wrong staff passwords, counted so that the answers tell nothing and a stranger cannot lock
//! a clerk out.
//!
//! Two counters, both in the database (`staff_login_throttle`, shared by every replica), both
//! kept alike whether the username exists or not:
//!
//! - per **(username, client address)**: [`MAX_WRONG_PASSWORDS`] wrong passwords in a row pause
//!   that username from that address for [`LOCK_MINUTES`] (429 `staff_locked`). Someone
//!   guessing from another address pauses it there only: the clerk at his own desk still signs
//!   in. A right password starts the count again.
//! - per **client address**, across usernames: [`MAX_FAILURES_PER_ADDRESS`] wrong passwords within
//!   [`LOCK_MINUTES`] pause every sign-in from that address for [`LOCK_MINUTES`] (429
//!   `staff_throttled`), so that trying many usernames from one address stays slow.
//!
//! The rows are keyed by an HMAC of what they count, so that no typed username (a password
//! typed in the wrong field, often) is kept; a row of an existing account also names it, for
//! the admin's unlock.

use sqlx::AnyPool;

use crate::{
    error::{AppError, AppResult},
    AppState,
};

/// Wrong passwords in a row, per username and address, that pause the username there.
pub const MAX_WRONG_PASSWORDS: i64 = 5;
/// How long a pause lasts, and the window of the per-address count.
pub const LOCK_MINUTES: i64 = 15;
/// Wrong passwords from one address, any usernames, within [`LOCK_MINUTES`], that pause the
/// address: enough for a clerk and his colleagues behind one office address to mistype.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// The two counters' keys for a sign-in (or a password check) by `username` from `ip`.
pub struct Keys {
    user: Vec<u8>,
    address: Vec<u8>,
}

impl Keys {
    /// `username` as the sign-in normalises it (trimmed, lower case).
    pub fn of(state: &AppState, username: &str, ip: &str) -> Keys {
        Keys {
            user: state.secrets.mac("staff-login-user", &[username.as_bytes(), ip.as_bytes()]),
            address: state.secrets.mac("staff-login-address", &[ip.as_bytes()]),
        }
    }
}

/// Why a sign-in is refused before its password is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    /// This username from this address: audited as `locked`.
    Username { seconds_left: i64 },
    /// Every username from this address: audited as `throttled`.
    Address { seconds_left: i64 },
}

impl Pause {
    pub fn outcome(self) -> &'static str {
        match self {
            Pause::Username { .. } => "locked",
            Pause::Address { .. } => "throttled",
        }
    }

    /// The answer: the same for a username that exists and one that does not.
    pub fn error(self) -> AppError {
        match self {
            Pause::Username { seconds_left } => locked(seconds_left),
            Pause::Address { seconds_left } => throttled(seconds_left),
        }
    }
}

fn minutes(seconds_left: i64) -> i64 {
    (seconds_left + 59) / 60
}

pub fn locked(seconds_left: i64) -> AppError {
    AppError::too_many(
        "staff_locked",
        format!(
            "密码连续输错{MAX_WRONG_PASSWORDS}次，已暂停该用户名在本机登录，请{}分钟后再试，或联系管理员解锁。",
            minutes(seconds_left)
        ),
        seconds_left.max(1) as u64,
    )
}

pub fn throttled(seconds_left: i64) -> AppError {
    AppError::too_many(
        "staff_throttled",
        format!("本机登录失败次数过多，已暂停登录，请{}分钟后再试。", minutes(seconds_left)),
        seconds_left.max(1) as u64,
    )
}

/// The pause in force for these keys at `now`, the address's first.
pub async fn pause(db: &AnyPool, keys: &Keys, now: i64) -> AppResult<Option<Pause>> {
    let locks: Vec<(Vec<u8>, i64)> = sqlx::query_as(
        "SELECT subject_key, locked_until FROM staff_login_throttle
          WHERE (subject_key = $1 OR subject_key = $2) AND locked_until > $3",
    )
    .bind(&keys.user)
    .bind(&keys.address)
    .bind(now)
    .fetch_all(db)
    .await?;
    let left = |key: &[u8]| locks.iter().find(|(k, _)| k == key).map(|(_, until)| until - now);
    Ok(match (left(&keys.address), left(&keys.user)) {
        (Some(seconds_left), _) => Some(Pause::Address { seconds_left }),
        (None, Some(seconds_left)) => Some(Pause::Username { seconds_left }),
        (None, None) => None,
    })
}

/// Adds one to a counter and answers the count. A count whose window is over (it started
/// before `window_start`) or whose pause is over starts again at 1. One statement, so that
/// wrong passwords sent at once all count.
async fn count(db: &AnyPool, key: &[u8], staff_id: Option<i64>, now: i64, window_start: i64) -> AppResult<i64> {
    let (failures,): (i64,) = sqlx::query_as(
        "INSERT INTO staff_login_throttle (subject_key, staff_id, failures, first_failed_at, locked_until)
         VALUES ($1, $2, 1, $3, NULL)
         ON CONFLICT (subject_key) DO UPDATE SET
             failures = CASE WHEN staff_login_throttle.first_failed_at < $4 OR staff_login_throttle.locked_until <= $3
                             THEN 1 ELSE staff_login_throttle.failures + 1 END,
             first_failed_at = CASE WHEN staff_login_throttle.first_failed_at < $4 OR staff_login_throttle.locked_until <= $3
                                    THEN $3 ELSE staff_login_throttle.first_failed_at END,
             locked_until = CASE WHEN staff_login_throttle.first_failed_at < $4 OR staff_login_throttle.locked_until <= $3
                                 THEN NULL ELSE staff_login_throttle.locked_until END,
             staff_id = $2
         RETURNING failures",
    )
    .bind(key)
    .bind(staff_id)
    .bind(now)
    .bind(window_start)
    .fetch_one(db)
    .await?;
    Ok(failures)
}

async fn pause_key(db: &AnyPool, key: &[u8], until: i64) -> AppResult<()> {
    sqlx::query("UPDATE staff_login_throttle SET locked_until = $1 WHERE subject_key = $2")
        .bind(until)
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Counts a wrong password under both keys (`staff_id`: the account the username names, if
/// any). Answers the pause this failure starts, if it starts one.
pub async fn count_failure(db: &AnyPool, keys: &Keys, staff_id: Option<i64>, now: i64) -> AppResult<Option<Pause>> {
    let lock = LOCK_MINUTES * 60;
    // "In a row": the per-username count has no window; a right password or a pause ends it.
    let in_a_row = count(db, &keys.user, staff_id, now, i64::MIN).await?;
    let from_address = count(db, &keys.address, None, now, now - lock).await?;
    if from_address >= MAX_FAILURES_PER_ADDRESS {
        pause_key(db, &keys.address, now + lock).await?;
    }
    if in_a_row >= MAX_WRONG_PASSWORDS {
        pause_key(db, &keys.user, now + lock).await?;
    }
    Ok(if from_address >= MAX_FAILURES_PER_ADDRESS {
        Some(Pause::Address { seconds_left: lock })
    } else if in_a_row >= MAX_WRONG_PASSWORDS {
        Some(Pause::Username { seconds_left: lock })
    } else {
        None
    })
}

/// A right password: the username's count from this address starts again. The address's
/// count does not: one's own account would otherwise reset it between guesses at others.
pub async fn clear_username(conn: &mut sqlx::AnyConnection, keys: &Keys) -> AppResult<()> {
    sqlx::query("DELETE FROM staff_login_throttle WHERE subject_key = $1").bind(&keys.user).execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_messages_name_the_minutes_left() {
        let body = locked(15 * 60).body();
        assert_eq!(body.message, "密码连续输错5次，已暂停该用户名在本机登录，请15分钟后再试，或联系管理员解锁。");
        assert_eq!(body.retry_after_seconds, Some(900));
        assert!(locked(61).body().message.contains("请2分钟后再试"));
        let body = throttled(300).body();
        assert_eq!((body.code.as_str(), body.message.as_str()), ("staff_throttled", "本机登录失败次数过多，已暂停登录，请5分钟后再试。"));
    }
}
