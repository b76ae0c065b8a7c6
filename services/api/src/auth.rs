//! Who is calling: API keys sent as `Authorization: Bearer <key>`, kept
//! only as SHA-256 hashes (`--api-keys FILE`: one `name:sha256-hex` line
//! per key, optionally `:webhook-url` after it for the key's own webhook),
//! and each key's request rate (GCRA through `governor`, answered with 429
//! and `Retry-After`).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use rapporteur_codes::ErrorCode;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::problem::Problem;

/// One API key's holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The key's name from the keys file (jobs are owned by it).
    pub name: String,
    /// Where this key's job events are sent, besides a job's own webhook.
    pub webhook: Option<String>,
}

/// The keys, by the hex SHA-256 of the key.
#[derive(Debug, Default)]
pub struct Keys {
    by_hash: HashMap<String, Caller>,
}

/// Why a keys file is refused (the line, never the hash).
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("cannot read the API keys file: {0}")]
    Read(#[from] std::io::Error),
    #[error(
        "line {0} of the API keys file is not `name:sha256-hex` (a name of letters, digits, '-', '_' or '.', then 64 hex digits)"
    )]
    Line(usize),
    #[error("the API keys file names no key")]
    Empty,
}

impl Keys {
    pub fn load(path: &Path) -> Result<Keys, KeysError> {
        Keys::parse(&std::fs::read_to_string(path)?)
    }

    /// Reads `name:sha256-hex[:webhook-url]` lines; blank lines and lines
    /// starting with `#` are skipped.
    pub fn parse(text: &str) -> Result<Keys, KeysError> {
        let mut keys = Keys::default();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.splitn(3, ':');
            let (Some(name), Some(hash)) = (fields.next(), fields.next()) else {
                return Err(KeysError::Line(index + 1));
            };
            let name_ok = !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            let hash_ok = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
            if !name_ok || !hash_ok {
                return Err(KeysError::Line(index + 1));
            }
            keys.by_hash.insert(
                hash.to_ascii_lowercase(),
                Caller {
                    name: name.to_string(),
                    webhook: fields.next().map(str::to_string),
                },
            );
        }
        if keys.by_hash.is_empty() {
            return Err(KeysError::Empty);
        }
        Ok(keys)
    }

    /// The holder of `key`, if it is one of ours.
    pub fn caller(&self, key: &str) -> Option<&Caller> {
        self.by_hash.get(&hex_sha256(key.as_bytes()))
    }

    pub fn webhooks(&self) -> impl Iterator<Item = &str> {
        self.by_hash.values().filter_map(|c| c.webhook.as_deref())
    }
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Requests per second and burst for each key.
pub type Limiter = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

pub fn limiter(per_second: u32, burst: u32) -> Limiter {
    let rate = NonZeroU32::new(per_second.max(1)).expect("at least 1");
    let burst = NonZeroU32::new(burst.max(1)).expect("at least 1");
    RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
}

/// The middleware in front of every `/v1` route but the OpenAPI document:
/// 401 without a known key, 429 over the key's rate; the caller goes into
/// the request's extensions for the handlers.
pub async fn authenticate(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim);
    let Some(presented) = presented else {
        return Problem::new(
            ErrorCode::Unauthorized,
            "send an API key as `Authorization: Bearer <key>`",
        )
        .into_response();
    };
    let Some(caller) = state.keys.caller(presented).cloned() else {
        return Problem::new(ErrorCode::Unauthorized, "this API key is not known").into_response();
    };
    if let Err(not_until) = state.limiter.check_key(&caller.name) {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        state.metrics.rate_limited.inc();
        return Problem::new(
            ErrorCode::RateLimited,
            format!("over this key's request rate; try again in {seconds} s"),
        )
        .retry_after(seconds.max(1))
        .into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_looked_up_by_hash_and_bad_lines_are_named() {
        let hash = hex_sha256(b"s3cret");
        let keys = Keys::parse(&format!(
            "# the forum's CMS\ncms:{hash}\ndms:{}:https://dms.example/hook\n",
            hex_sha256(b"other")
        ))
        .unwrap();
        assert_eq!(keys.caller("s3cret").unwrap().name, "cms");
        assert_eq!(
            keys.caller("other").unwrap().webhook.as_deref(),
            Some("https://dms.example/hook")
        );
        assert!(keys.caller(&hash).is_none(), "the hash itself is no key");
        assert!(matches!(Keys::parse("cms:abc"), Err(KeysError::Line(1))));
        assert!(matches!(
            Keys::parse(&format!("\nbad name:{hash}")),
            Err(KeysError::Line(2))
        ));
        assert!(matches!(Keys::parse("# nothing\n"), Err(KeysError::Empty)));
    }

    #[test]
    fn a_key_over_its_burst_waits() {
        let limiter = limiter(1, 2);
        let key = "cms".to_string();
        assert!(limiter.check_key(&key).is_ok());
        assert!(limiter.check_key(&key).is_ok());
        assert!(limiter.check_key(&key).is_err());
        assert!(
            limiter.check_key(&"dms".to_string()).is_ok(),
            "keys are apart"
        );
    }
}
