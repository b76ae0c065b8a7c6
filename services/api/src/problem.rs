//! Every error the API answers, as one JSON shape: RFC 9457 problem
//! details (`application/problem+json`) carrying the same error code
//! (`rapporteur_codes::ErrorCode`) a worker's result or `convert`'s report
//! would give. Written by hand: it is one struct, and the crates that offer
//! it bring their own error vocabularies.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapporteur_codes::ErrorCode;
use rapporteur_untrusted::bounded_message;
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer: its code and what went wrong; the rest of the
/// problem document (type, title, status) follows from the code. Kept
/// small, as it is the error of every handler's `Result`.
#[derive(Debug, Clone)]
pub struct Problem {
    code: ErrorCode,
    /// At most 2 KB, client values escaped.
    detail: String,
    retry_after: Option<u64>,
}

/// An RFC 9457 problem as sent: `type`, `title`, `status` and `detail`,
/// plus the stable `code` (README "Error codes").
#[derive(Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDocument<'a> {
    /// `urn:rapporteur:error:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's short wording, the same for every problem of the code.
    pub title: &'a str,
    /// The HTTP status, repeated.
    pub status: u16,
    /// What went wrong with this request, for a person (at most 2 KB,
    /// client values escaped).
    pub detail: &'a str,
    /// The stable, machine-readable error code.
    pub code: &'a str,
    /// Seconds to wait before trying again (sent as `Retry-After` too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(code: ErrorCode, detail: impl AsRef<str>) -> Problem {
        Problem {
            code,
            detail: bounded_message(detail.as_ref()),
            retry_after: None,
        }
    }

    #[cfg(test)]
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The document sent for this problem.
    pub fn document(&self) -> ProblemDocument<'_> {
        let status = status_of(self.code);
        ProblemDocument {
            kind: format!("urn:rapporteur:error:{}", self.code),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: &self.detail,
            code: self.code.as_str(),
            retry_after: self.retry_after,
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Problem {
        self.retry_after = Some(seconds);
        self
    }
}

/// The HTTP status of a code: the request's fault (4xx) or the service's
/// (5xx, worth retrying).
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        Unauthorized => StatusCode::UNAUTHORIZED,
        Forbidden => StatusCode::FORBIDDEN,
        JobNotFound | OutputNotFound | SourceNotFound => StatusCode::NOT_FOUND,
        TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        RangeNotSatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        BadJson | BadRequest => StatusCode::BAD_REQUEST,
        BrokerUnavailable | StorageUnavailable | RequestTimeout | ConverterUnavailable => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = status_of(self.code);
        let retry_after = self.retry_after;
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            serde_json::to_vec(&self.document()).expect("a problem always serializes"),
        )
            .into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"rapporteur\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_status_and_the_api_codes_their_own() {
        for code in ErrorCode::ALL {
            let status = status_of(*code);
            assert!(
                status.is_client_error() || status.is_server_error(),
                "{code}"
            );
        }
        assert_eq!(status_of(ErrorCode::Unauthorized), 401);
        assert_eq!(status_of(ErrorCode::Forbidden), 403);
        assert_eq!(status_of(ErrorCode::TooLarge), 413);
        assert_eq!(status_of(ErrorCode::NotASummary), 422);
        assert_eq!(status_of(ErrorCode::RateLimited), 429);
    }

    #[test]
    fn a_problem_bounds_and_escapes_what_it_quotes() {
        let problem = Problem::new(
            ErrorCode::InvalidKey,
            format!("key {}\u{202e}", "k".repeat(10_000)),
        );
        assert!(problem.detail.len() <= 2100, "{}", problem.detail.len());
        assert!(!problem.detail.contains('\u{202e}'));
        let json = serde_json::to_value(problem.document()).unwrap();
        assert_eq!(json["type"], "urn:rapporteur:error:invalid_key");
        assert_eq!(json["status"], 422);
        assert_eq!(json["code"], "invalid_key");
    }
}
