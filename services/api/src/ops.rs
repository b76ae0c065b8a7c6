//! The operations endpoints, as the worker has them: `/healthz` (the
//! process is up), `/readyz` (the broker was reached and the storage
//! answers) and `/metrics` (Prometheus text format), with the counters
//! they show.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: String,
}

pub struct Metrics {
    registry: Registry,
    responses: Family<StatusLabel, Counter>,
    webhooks: Family<OutcomeLabel, Counter>,
    pub jobs_submitted: Counter,
    pub rate_limited: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("rapporteur_api");
        let responses = Family::<StatusLabel, Counter>::default();
        let webhooks = Family::<OutcomeLabel, Counter>::default();
        let (jobs_submitted, rate_limited) = (Counter::default(), Counter::default());
        registry.register("responses", "HTTP responses, by status", responses.clone());
        registry.register(
            "webhook_deliveries",
            "Webhook delivery attempts, by outcome",
            webhooks.clone(),
        );
        registry.register("jobs_submitted", "Jobs published", jobs_submitted.clone());
        registry.register(
            "rate_limited",
            "Requests refused for a key's rate",
            rate_limited.clone(),
        );
        Metrics {
            registry,
            responses,
            webhooks,
            jobs_submitted,
            rate_limited,
        }
    }
}

impl Metrics {
    pub fn webhook(&self, outcome: &str) {
        self.webhooks
            .get_or_create(&OutcomeLabel {
                outcome: outcome.to_string(),
            })
            .inc();
    }
}

/// Counts every response by status.
pub async fn count(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    state
        .metrics
        .responses
        .get_or_create(&StatusLabel {
            status: response.status().as_u16(),
        })
        .inc();
    response
}

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    if !state.publisher.is_connected() && state.publisher.connect().await.is_err() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "not connected to the broker\n".to_string(),
        );
    }
    let storage = state.storage.clone();
    let answer = tokio::task::spawn_blocking(move || storage.exists(".rapporteur-readiness")).await;
    match answer {
        Ok(Ok(_)) => (StatusCode::OK, "ready\n".to_string()),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("storage does not answer: {e}\n"),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("storage check failed: {e}\n"),
        ),
    }
}

pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let mut body = String::new();
    match prometheus_client::encoding::text::encode(&mut body, &state.metrics.registry) {
        Ok(()) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            body,
        ),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("cannot encode metrics: {e}\n"),
        ),
    }
}
