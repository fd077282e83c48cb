//! Staff accounts: created and kept by the operator with `taxicert-server staff …` or by an
//! admin in the console (`staff::admin`; there is no sign-up page), passwords hashed with
//! Argon2id.

use std::sync::OnceLock;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use sqlx::AnyPool;
use taxicert_api::StaffRole;

use crate::clock::{Clock, SystemClock};

/// The shortest password an account may have, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest: hashing is linear in the input, so that a login with megabytes of password
/// cannot tie up a core.
pub const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("用户名“{0}”不符合要求：须为3至32个字符，只能包含小写字母、数字和 _ . -，例如 wang.jianguo。")]
    InvalidUsername(String),
    #[error("显示名不符合要求：须为1至32个字符，例如 王建国。")]
    InvalidDisplayName,
    #[error("密码太短：至少需要{MIN_PASSWORD_CHARS}个字符，请换一个更长的密码。")]
    PasswordTooShort,
    #[error("密码太长：最多{MAX_PASSWORD_CHARS}个字符，请换一个短一些的密码。")]
    PasswordTooLong,
    #[error("用户名“{0}”已被使用，请换一个用户名。")]
    UsernameTaken(String),
    #[error("没有用户名为“{0}”的账号，请用 `taxicert-server staff list` 查看已有账号。")]
    NotFound(String),
    #[error("数据库出错：{0}")]
    Database(#[from] sqlx::Error),
    #[error("密码无法加密保存：{0}")]
    Hashing(String),
}

/// An account as `staff list` shows it: never the password hash.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffAccount {
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[sqlx(try_from = "crate::db::Flag")]
    pub disabled: bool,
    pub failed_logins: i64,
    /// Unix seconds; the account is locked while this is in the future.
    pub locked_until: Option<i64>,
    pub created_at: i64,
}

/// `[a-z0-9_.-]{3,32}`: what an operator types, nothing that needs quoting in a shell.
pub fn check_username(username: &str) -> Result<(), AccountError> {
    let ok = (3..=32).contains(&username.len())
        && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::InvalidUsername(username.to_owned()))
    }
}

/// 12–128 characters: the rule of every new password, whoever sets it.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(AccountError::PasswordTooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(AccountError::PasswordTooLong)
    } else {
        Ok(())
    }
}

pub fn role_code(role: StaffRole) -> &'static str {
    role.as_str()
}

pub fn parse_role(code: &str) -> Option<StaffRole> {
    StaffRole::parse(code)
}

/// An Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AccountError::Hashing(e.to_string()))
}

/// Whether `password` matches the stored PHC string; a broken string matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash of no one's password, verified for an unknown username so that the answer takes as
/// long as for a known one: the timing does not tell which usernames exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no account has this password").expect("hashing a constant works"))
}

fn now() -> i64 {
    SystemClock.now()
}

/// Creates an account: what `taxicert-server staff add` does. Returns its id.
pub async fn create_account(
    db: &AnyPool,
    username: &str,
    display_name: &str,
    role: StaffRole,
    password: &str,
) -> Result<i64, AccountError> {
    check_username(username)?;
    let display_name = display_name.trim();
    if !(1..=32).contains(&display_name.chars().count()) {
        return Err(AccountError::InvalidDisplayName);
    }
    check_password(password)?;
    let hash = hash_blocking(password).await?;
    let inserted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO staff (username, display_name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (username) DO NOTHING RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(role_code(role))
    .bind(hash)
    .bind(now())
    .fetch_optional(db)
    .await?;
    inserted.map(|(id,)| id).ok_or_else(|| AccountError::UsernameTaken(username.to_owned()))
}

/// Sets a new password. The account's sessions end, and a lock is lifted: a new password is
/// what an operator gives a clerk who forgot the old one.
pub async fn set_password(db: &AnyPool, username: &str, password: &str) -> Result<(), AccountError> {
    check_password(password)?;
    let hash = hash_blocking(password).await?;
    let mut tx = crate::db::begin_writing(db).await?;
    let id = id_of(&mut tx, username).await?;
    sqlx::query("UPDATE staff SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    revoke_sessions(&mut tx, id).await?;
    clear_throttle(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes an account's role; its open sessions end, so that the new role applies at once
/// and the console starts again with it.
pub async fn set_role(db: &AnyPool, username: &str, role: StaffRole) -> Result<(), AccountError> {
    let mut tx = crate::db::begin_writing(db).await?;
    let id = id_of(&mut tx, username).await?;
    sqlx::query("UPDATE staff SET role = $1 WHERE id = $2").bind(role_code(role)).bind(id).execute(&mut *tx).await?;
    revoke_sessions(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Lifts the locks after too many wrong passwords with this username, from every address,
/// before their 15 minutes are over.
pub async fn unlock(db: &AnyPool, username: &str) -> Result<(), AccountError> {
    let mut tx = crate::db::begin_writing(db).await?;
    let id = id_of(&mut tx, username).await?;
    clear_throttle(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets the wrong passwords counted for the account (per address; the per-address
/// throttle across usernames stays).
async fn clear_throttle(conn: &mut sqlx::AnyConnection, staff_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM staff_login_throttle WHERE staff_id = $1").bind(staff_id).execute(&mut *conn).await?;
    Ok(())
}

/// Disables an account for good (someone who left): it can no longer sign in, and its open
/// sessions end at once. The row stays, because the timeline and the audit log name it.
pub async fn disable(db: &AnyPool, username: &str) -> Result<(), AccountError> {
    let mut tx = crate::db::begin_writing(db).await?;
    let id = id_of(&mut tx, username).await?;
    sqlx::query("UPDATE staff SET disabled = 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
    revoke_sessions(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Every account, by username. `locked_until` is the latest lock of the username from any
/// address, `failed_logins` the most wrong passwords counted from one address.
pub async fn list(db: &AnyPool) -> Result<Vec<StaffAccount>, AccountError> {
    Ok(sqlx::query_as(
        "SELECT s.username, s.display_name, s.role, s.disabled,
                COALESCE((SELECT MAX(t.failures) FROM staff_login_throttle t WHERE t.staff_id = s.id), 0) AS failed_logins,
                (SELECT MAX(t.locked_until) FROM staff_login_throttle t WHERE t.staff_id = s.id) AS locked_until,
                s.created_at
           FROM staff s ORDER BY s.username",
    )
    .fetch_all(db)
    .await?)
}

/// The account's id, role and whether it is disabled; `None` for no such username.
pub async fn find(db: &AnyPool, username: &str) -> Result<Option<(i64, StaffRole, bool)>, AccountError> {
    let row: Option<(i64, String, crate::db::Flag)> =
        sqlx::query_as("SELECT id, role, disabled FROM staff WHERE username = $1").bind(username).fetch_optional(db).await?;
    Ok(row.and_then(|(id, role, crate::db::Flag(disabled))| Some((id, parse_role(&role)?, disabled))))
}

async fn id_of(conn: &mut sqlx::AnyConnection, username: &str) -> Result<i64, AccountError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM staff WHERE username = $1").bind(username).fetch_optional(&mut *conn).await?;
    row.map(|(id,)| id).ok_or_else(|| AccountError::NotFound(username.to_owned()))
}

async fn revoke_sessions(conn: &mut sqlx::AnyConnection, staff_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff_sessions SET revoked_at = $1 WHERE staff_id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Argon2 takes tens of milliseconds of one core: off the async threads.
pub async fn hash_blocking(password: &str) -> Result<String, AccountError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AccountError::Hashing(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_short_lowercase_words() {
        for good in ["wang", "wang.jg", "clerk_01", "a-b"] {
            assert!(check_username(good).is_ok(), "{good}");
        }
        for bad in ["ab", "Wang", "wang jg", "王建国", "a;b", &"x".repeat(33)] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_are_hashed_with_argon2id_and_a_salt() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert_ne!(hash, hash_password("correct horse battery").unwrap(), "a fresh salt each time");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterz", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn passwords_have_twelve_characters_at_least() {
        assert!(matches!(check_password("elevenchars"), Err(AccountError::PasswordTooShort)));
        assert!(check_password("twelve chars").is_ok());
        assert!(check_password("十二个汉字的密码也可以用的").is_ok());
    }
}
