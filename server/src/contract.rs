//! The answers every operation of a kind can give, added to the contract in one place rather
//! than repeated (and forgotten) on each endpoint: they come from layers and extractors shared
//! by all the endpoints of that kind, not from the endpoints' own code.

use utoipa::openapi::{
    path::{Operation, ParameterIn},
    Required,
    ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder,
};

/// `(status, what it means)`, the code first, for each kind of operation:
/// - state-changing (`POST`, `PUT`, `PATCH`, `DELETE`): the CSRF guard's 403;
/// - a JSON body: `Body<T>`'s 400 and 413;
/// - a multipart body: its 400 when it does not parse and its 413 over the limit;
/// - path parameters: 404 for a path that does not decode to UTF-8 (`error::json_errors`).
const CSRF: (&str, &str) = ("403", "`csrf`: the request did not come from the app (no `X-Taxicert-Csrf` header, or another origin)");
const INVALID_BODY: (&str, &str) = ("400", "`invalid_body`: the body is not the JSON this operation takes");
const JSON_TOO_LARGE: (&str, &str) = ("413", "`body_too_large`: the body is over 2 MiB");
const INVALID_MULTIPART: (&str, &str) = ("400", "`invalid_request`: the body is not `multipart/form-data` with a boundary");
const PHOTO_TOO_LARGE: (&str, &str) = ("413", "`invalid_photo` (with `field`): the body is over the photos' limit");
const NOT_FOUND: (&str, &str) = ("404", "`not_found`: no such resource (or a path that is not UTF-8)");

/// Adds the answers of [`CSRF`] and the others to every operation of their kind, makes every
/// error answer (400 and above) an `ErrorBody`, and every request body required (no extractor
/// of this server takes a missing one).
pub fn complete(spec: &mut OpenApi) {
    for item in spec.paths.paths.values_mut() {
        let state_changing = [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in state_changing.into_iter().flatten() {
            document(operation, CSRF);
        }
        for operation in [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten() {
            if let Some(body) = &mut operation.request_body {
                body.required = Some(Required::True);
            }
            let body_types: Vec<String> =
                operation.request_body.iter().flat_map(|body| body.content.keys().cloned()).collect();
            if body_types.iter().any(|t| t == "application/json") {
                document(operation, INVALID_BODY);
                document(operation, JSON_TOO_LARGE);
            }
            if body_types.iter().any(|t| t == "multipart/form-data") {
                document(operation, INVALID_MULTIPART);
                document(operation, PHOTO_TOO_LARGE);
            }
            let has_path_parameter =
                operation.parameters.iter().flatten().any(|p| matches!(p.parameter_in, ParameterIn::Path));
            if has_path_parameter {
                document(operation, NOT_FOUND);
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                if let (true, RefOr::T(response)) = (status.parse::<u16>().is_ok_and(|s| s >= 400), response) {
                    if response.content.is_empty() {
                        let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
                        response.content.insert("application/json".into(), body);
                    }
                }
            }
        }
    }
}

/// Adds `status` to the operation's answers, or its code to the description of the answer
/// of that status it already lists.
fn document(operation: &mut Operation, (status, description): (&str, &str)) {
    let code = description.split('`').nth(1).unwrap_or_default();
    match operation.responses.responses.get_mut(status) {
        Some(RefOr::T(Response { description: listed, .. })) if !listed.contains(&format!("`{code}`")) => {
            listed.push_str(&format!("; {description}"));
        }
        Some(_) => {}
        None => {
            let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
            let response = ResponseBuilder::new().description(description).content("application/json", body).build();
            operation.responses.responses.insert(status.into(), RefOr::T(response));
        }
    }
}
