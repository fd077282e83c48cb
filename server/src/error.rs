//! The one error type of the API. Every error answer is JSON `{code, message}` with a
//! Chinese message a user can act on; internal details go to the log only.

use axum::{
    http::StatusCode,
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
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the client sees: never the internal detail.
    pub fn body(&self) -> ErrorBody {
        let (code, message) = match self {
            AppError::NotFound => ("not_found", "您要找的内容不存在,请返回首页重新选择。"),
            AppError::MethodNotAllowed => ("method_not_allowed", "不支持此操作,请刷新页面后重试。"),
            AppError::Database(_) | AppError::Internal(_) => {
                ("internal", "系统繁忙,请稍后重试;如多次失败,请联系当地道路运输服务窗口。")
            }
        };
        ErrorBody { code: code.into(), message: message.into() }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        (status, Json(self.body())).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
