//! The one error type of the API. Every error answer is JSON `{code, message}` with a
//! Chinese message a user can act on; internal details go to the log only.

use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use taxicert_api::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Something the user can fix or wait out, with its status and its message.
    #[error("{status}: {}", body.code)]
    Client { status: StatusCode, body: ErrorBody },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn client(status: StatusCode, code: &str, message: impl Into<String>) -> AppError {
        AppError::Client { status, body: ErrorBody::new(code, message) }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> AppError {
        AppError::client(StatusCode::BAD_REQUEST, code, message)
    }

    /// 409: the request does not fit where things stand (a step out of order, a changed draft).
    pub fn conflict(code: &str, message: impl Into<String>) -> AppError {
        AppError::client(StatusCode::CONFLICT, code, message)
    }

    /// 400 about one form field, named as the SPA names its input.
    pub fn bad_field(code: &str, field: &str, message: impl Into<String>) -> AppError {
        let mut body = ErrorBody::new(code, message);
        body.field = Some(field.into());
        AppError::Client { status: StatusCode::BAD_REQUEST, body }
    }

    /// 409 `code` about the open case `case_id` the driver should follow instead (body
    /// `case_id`): `duplicate_application` — the certificate already has an application of this
    /// business open, or an accepted 注销.
    pub fn conflict_with_case(code: &str, message: impl Into<String>, case_id: &str) -> AppError {
        let mut body = ErrorBody::new(code, message);
        body.case_id = Some(case_id.into());
        AppError::Client { status: StatusCode::CONFLICT, body }
    }

    /// 429 with the seconds to wait, also sent as `Retry-After`.
    pub fn too_many(code: &str, message: impl Into<String>, retry_after_seconds: u64) -> AppError {
        let mut body = ErrorBody::new(code, message);
        body.retry_after_seconds = Some(retry_after_seconds);
        AppError::Client { status: StatusCode::TOO_MANY_REQUESTS, body }
    }

    /// 413: the body is over the limit of its endpoint (2 MiB of JSON, the photos' size).
    pub fn too_large() -> AppError {
        AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "提交的内容超过了大小上限，请换一张较小的照片或删减内容后重试。",
        )
    }

    /// The answer of a status that axum or a layer gave in plain text (a rejection of its
    /// own: a query, path or multipart body it cannot parse, a body over the limit, a wrong
    /// content type), as the API's error for that status.
    fn of_status(status: StatusCode) -> AppError {
        match status {
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => AppError::too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY => invalid_body(),
            status if status.is_server_error() => AppError::Internal(format!("a layer answered {status}")),
            status => AppError::client(status, "invalid_request", "请求的格式不正确，请刷新页面后重试。"),
        }
    }

    /// Not signed in, or the session ended.
    pub fn unauthenticated() -> AppError {
        AppError::client(StatusCode::UNAUTHORIZED, "unauthenticated", "登录已失效，请重新登录；您已填写的内容会保留。")
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Client { status, .. } => *status,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the client sees: never the internal detail.
    pub fn body(&self) -> ErrorBody {
        match self {
            AppError::NotFound => ErrorBody::new("not_found", "您要找的内容不存在，请返回首页重新选择。"),
            AppError::MethodNotAllowed => ErrorBody::new("method_not_allowed", "不支持此操作，请刷新页面后重试。"),
            AppError::Client { body, .. } => body.clone(),
            AppError::Database(_) | AppError::Internal(_) => {
                ErrorBody::new("internal", "系统繁忙，请稍后重试；如多次失败，请联系当地道路运输服务窗口。")
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = self.body();
        let retry_after = body.retry_after_seconds;
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// `axum::Json`, refusing a malformed body with the API's JSON error instead of plain text.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::too_large()),
            Err(rejection) => {
                tracing::info!(%rejection, "malformed request body");
                Err(invalid_body())
            }
        }
    }
}

fn invalid_body() -> AppError {
    AppError::bad_request("invalid_body", "提交的内容格式不正确，请刷新页面后重试。")
}

/// Every error answer of the API is an `ErrorBody`, axum's own rejections included: an
/// answer of 400 and above that is not JSON is replaced by the API's error of its status,
/// keeping its other headers (`Allow` on a 405). A path that does not decode to UTF-8 names
/// nothing here: 404 before any extractor reads it.
pub async fn json_errors(request: Request, next: Next) -> Response {
    if !decodes_to_utf8(request.uri().path()) {
        return AppError::NotFound.into_response();
    }
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if status.as_u16() < 400 || json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let answer = AppError::of_status(status).into_response();
    // The JSON answer's own headers replace those of the plain text (type, length).
    for (name, value) in answer.headers() {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, answer.into_body())
}

/// Whether the percent-encoded `path` decodes to UTF-8 (a stray `%` stays as it is).
fn decodes_to_utf8(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_checked_after_percent_decoding() {
        assert!(decodes_to_utf8("/api/v1/cases/TC1"));
        assert!(decodes_to_utf8("/api/v1/businesses/%E6%8D%A2%E5%8F%91"));
        assert!(decodes_to_utf8("/api/v1/cases/100%"));
        assert!(!decodes_to_utf8("/api/v1/cases/%FF"));
        assert!(!decodes_to_utf8("/api/v1/cases/%E6%8D"));
    }
}
