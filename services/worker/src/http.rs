//! The operations endpoints: `/healthz` (the process is up), `/readyz`
//! (connected to the broker and the storage root is writable) and `/metrics`
//! (Prometheus text format).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::Worker;
use rapporteur_storage::Storage;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FormatLabel {
    format: String,
}

/// The worker's counters, and whether it is connected.
pub(crate) struct Metrics {
    registry: Registry,
    jobs: Family<StatusLabel, Counter>,
    outputs: Family<FormatLabel, Counter>,
    duration: Histogram,
    pub in_flight: Gauge,
    pub retries: Counter,
    pub dead_lettered: Counter,
    /// 1 while consumption is paused for a storage outage.
    pub paused: Gauge,
    connected: AtomicBool,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("rapporteur");
        let jobs = Family::<StatusLabel, Counter>::default();
        let outputs = Family::<FormatLabel, Counter>::default();
        // 1 ms to about 30 s.
        let duration = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let (in_flight, retries, dead_lettered) =
            (Gauge::default(), Counter::default(), Counter::default());
        registry.register("jobs", "Jobs ended, by status", jobs.clone());
        registry.register(
            "outputs",
            "Output files written, by format",
            outputs.clone(),
        );
        registry.register(
            "job_duration_seconds",
            "Time to process one job attempt",
            duration.clone(),
        );
        registry.register(
            "jobs_in_flight",
            "Jobs being processed now",
            in_flight.clone(),
        );
        registry.register(
            "job_retries",
            "Transient failures sent for a delayed retry",
            retries.clone(),
        );
        registry.register(
            "jobs_dead_lettered",
            "Jobs moved to the dead-letter queue",
            dead_lettered.clone(),
        );
        let paused = Gauge::default();
        registry.register(
            "consumption_paused",
            "1 while no jobs are taken because storage is unavailable",
            paused.clone(),
        );
        Metrics {
            registry,
            jobs,
            outputs,
            duration,
            in_flight,
            retries,
            dead_lettered,
            paused,
            connected: AtomicBool::new(false),
        }
    }
}

impl Metrics {
    pub fn job_ended(&self, status: &str, seconds: f64) {
        self.jobs
            .get_or_create(&StatusLabel {
                status: status.to_string(),
            })
            .inc();
        self.duration.observe(seconds);
    }

    pub fn output_written(&self, format: &str) {
        self.outputs
            .get_or_create(&FormatLabel {
                format: format.to_string(),
            })
            .inc();
    }

    pub fn set_connected(&self, connected: bool) {
        self.connected.store(connected, Ordering::SeqCst);
    }
}

/// Starts the endpoints; returns the address they listen on.
pub(crate) async fn serve(addr: SocketAddr, worker: Arc<Worker>) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        anyhow::anyhow!("cannot listen on {addr} for /metrics: {e}; choose another --metrics-addr")
    })?;
    let local = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .with_state(worker);
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "the metrics endpoint stopped");
        }
    });
    Ok(local)
}

async fn ready(State(worker): State<Arc<Worker>>) -> impl IntoResponse {
    if !worker.metrics.connected.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "not connected to the broker\n".to_string(),
        );
    }
    match storage_problem_now(&worker.storage).await {
        None => (StatusCode::OK, "ready\n".to_string()),
        Some(problem) => (StatusCode::SERVICE_UNAVAILABLE, format!("{problem}\n")),
    }
}

/// [`storage_problem`] on a blocking thread (a lookup on object storage
/// may take seconds); a probe that could not run is a problem too.
pub(crate) async fn storage_problem_now(storage: &Storage) -> Option<String> {
    let storage = storage.clone();
    tokio::task::spawn_blocking(move || storage_problem(&storage))
        .await
        .unwrap_or_else(|e| Some(format!("storage check failed: {e}")))
}

/// What keeps the storage from taking outputs now, if anything (blocking):
/// on a directory, a root where no file can be created or a nearly full
/// disk; on object storage, a store that does not answer a lookup (an
/// absent object is an answer; a refused credential is not). `/readyz`
/// says it, and the worker pauses consuming while it lasts.
pub(crate) fn storage_problem(storage: &Storage) -> Option<String> {
    let Some(root) = storage.local_root() else {
        return storage
            .exists(".rapporteur-readiness")
            .err()
            .map(|e| format!("storage does not answer: {e}"));
    };
    if let Err(e) = tempfile::tempfile_in(root) {
        return Some(format!("storage root is not writable: {e}"));
    }
    // Creating an empty file still works on a full disk; writing outputs
    // does not.
    match rustix::fs::statvfs(root) {
        Ok(stats) if free_bytes(&stats) < MIN_FREE_BYTES => Some(format!(
            "storage root has {} bytes free, under the {MIN_FREE_BYTES} a job may need",
            free_bytes(&stats)
        )),
        _ => None,
    }
}

/// Free space under which the worker says it is not ready: a job writes at
/// most a few MB (three outputs of a document of at most 10 MB of input).
const MIN_FREE_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes an unprivileged writer may still use.
fn free_bytes(stats: &rustix::fs::StatVfs) -> u64 {
    stats.f_bavail.saturating_mul(stats.f_frsize)
}

async fn metrics(State(worker): State<Arc<Worker>>) -> impl IntoResponse {
    let mut body = String::new();
    match prometheus_client::encoding::text::encode(&mut body, &worker.metrics.registry) {
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
