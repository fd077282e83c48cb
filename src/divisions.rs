//! The GB/T 2260 divisions of the address forms: `divisions.tsv` beside `index.html` (Trunk
//! copies `api/data/divisions.tsv` there), fetched when an address form first needs it, not
//! with the first screen, and kept for the rest of the page's life.

use std::{cell::RefCell, sync::Arc};

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use taxicert_api::divisions::Divisions;

use crate::{api::ApiError, browser};

/// The file's name, relative to the app's base URL.
pub const FILE: &str = "divisions.tsv";

type Loading = Shared<LocalBoxFuture<'static, Result<Arc<Divisions>, ApiError>>>;

thread_local! {
    /// The load in flight or done: every form of the page shares one fetch and one parse.
    static LOAD: RefCell<Option<Loading>> = const { RefCell::new(None) };
}

/// Every division, fetched once per page load. A failure is not kept: the next call (the
/// form's 重试) fetches again.
pub async fn load() -> Result<Arc<Divisions>, ApiError> {
    let loading = LOAD.with(|cell| cell.borrow_mut().get_or_insert_with(|| fetch().boxed_local().shared()).clone());
    let result = loading.clone().await;
    if result.is_err() {
        // Forget this failed load, unless another call already started a new one.
        LOAD.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.as_ref().is_some_and(|current| current.ptr_eq(&loading)) {
                *cell = None;
            }
        });
    }
    result
}

async fn fetch() -> Result<Arc<Divisions>, ApiError> {
    let url = browser::resolve_url(FILE, &browser::document_base()).ok_or(ApiError::Network)?;
    let answer = browser::get(&url).await.map_err(ApiError::from)?;
    parse_answer(answer.status, &answer.body)
}

/// The divisions of an answer: a 200 with a file that parses, else [`ApiError::Unexpected`]
/// (a proxy's error page, a half-deployed app).
pub fn parse_answer(status: u16, body: &str) -> Result<Arc<Divisions>, ApiError> {
    if status != 200 {
        return Err(ApiError::Unexpected { status });
    }
    match Divisions::parse(body) {
        Ok(divisions) if !divisions.provinces().is_empty() => Ok(Arc::new(divisions)),
        _ => Err(ApiError::Unexpected { status }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_file_of_divisions_is_taken() {
        let ok = parse_answer(200, "# x\n150000\t内蒙古自治区\n150100\t呼和浩特市\n").unwrap();
        assert_eq!(ok.provinces().len(), 1);
        assert_eq!(parse_answer(404, "not found").unwrap_err(), ApiError::Unexpected { status: 404 });
        assert_eq!(parse_answer(200, "<!doctype html><p>hello</p>").unwrap_err(), ApiError::Unexpected { status: 200 });
        assert_eq!(parse_answer(200, "# only comments\n").unwrap_err(), ApiError::Unexpected { status: 200 });
    }
}
