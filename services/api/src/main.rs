//! `rapporteur-api`: the HTTP way in and out of Rapporteur. Clients submit
//! jobs (JSON or uploads), follow their state and download their outputs;
//! jobs go to the workers through RabbitMQ like any other, and their state
//! is read from the shared storage (`records`), so replicas are
//! interchangeable and a restart loses nothing. The webhook dispatcher
//! (`webhooks`) runs in every replica.

mod auth;
mod ended;
mod jobs;
mod openapi;
mod ops;
mod problem;
mod publisher;
mod reconnect;
mod records;
mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Parser;
use rapporteur_broker::BrokerArgs;
use rapporteur_codes::ErrorCode;
use rapporteur_storage::Storage;
use tokio::sync::watch;

use crate::problem::Problem;

#[derive(Parser, Debug)]
#[command(name = "rapporteur-api", version, about = "Rapporteur's HTTP API")]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "API_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The API keys: one `name:sha256-hex-of-the-key` line per key,
    /// optionally followed by `:webhook-url` (README "The HTTP API").
    #[arg(long, env = "API_KEYS_FILE")]
    api_keys: PathBuf,
    #[command(flatten)]
    broker: BrokerArgs,
    /// The shared storage the workers write to (a directory or a storage
    /// URL, as the worker's --storage).
    #[arg(long, env = "STORAGE_URL")]
    storage: String,
    /// Largest request body, in bytes.
    #[arg(long, env = "API_MAX_BODY_BYTES", default_value_t = 32 * 1024 * 1024)]
    max_body_bytes: usize,
    /// Longest a request may take, `?wait` aside.
    #[arg(long, env = "API_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    request_timeout_secs: u64,
    /// On object storage (s3://, gs://, az://), answer an output's
    /// download with a redirect (307) to a presigned URL valid this many
    /// seconds, so the bytes go from the store to the client directly;
    /// 0 serves them through the API. Ignored on a directory.
    #[arg(long, env = "API_PRESIGN_SECS", default_value_t = 0)]
    presign_secs: u64,
    /// Longest `?wait` honoured, in seconds.
    #[arg(long, env = "API_MAX_WAIT_SECS", default_value_t = 60)]
    max_wait_secs: u64,
    /// Requests per second each API key may make, on average.
    #[arg(long, env = "API_RATE_PER_SECOND", default_value_t = 20)]
    rate_per_second: u32,
    /// Requests each API key may make at once above its rate.
    #[arg(long, env = "API_RATE_BURST", default_value_t = 40)]
    rate_burst: u32,
    /// Webhook signing secrets, `whsec_<base64>`, comma-separated (all sign,
    /// for rotation). Without one, no webhook is accepted or sent.
    #[arg(long, env = "WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
    /// Internal address ranges webhooks may reach anyway (CIDR,
    /// comma-separated), e.g. a receiver on the same private network.
    #[arg(long, env = "WEBHOOK_ALLOW", value_delimiter = ',')]
    webhook_allow: Vec<ipnet::IpNet>,
    /// Longest a webhook receiver may take to answer, in seconds.
    #[arg(long, env = "WEBHOOK_TIMEOUT_SECS", default_value_t = 10)]
    webhook_timeout_secs: u64,
    /// Waits before each retry of a failed webhook, in milliseconds,
    /// comma-separated (one more attempt than waits); every replica must
    /// use the same list.
    #[arg(
        long,
        env = "WEBHOOK_RETRY_DELAYS_MS",
        value_delimiter = ',',
        default_value = "10000,60000,300000,1800000,3600000,7200000,14400000"
    )]
    webhook_retry_delays_ms: Vec<u64>,
}

/// Limits every request is held to.
pub struct Limits {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub max_wait_secs: u64,
    /// How long a presigned output URL is valid; `None`: outputs are served
    /// by the API.
    pub presign: Option<Duration>,
}

/// What the handlers share.
pub struct AppState {
    pub storage: Storage,
    pub keys: auth::Keys,
    pub limiter: auth::Limiter,
    pub publisher: publisher::Publisher,
    pub guard: webhooks::Guard,
    pub webhooks_enabled: bool,
    pub limits: Limits,
    pub metrics: Arc<ops::Metrics>,
    /// Jobs ending, for `?wait`.
    pub ended: ended::Ended,
}

/// The per-request time limit, answered as a problem; `?wait` adds its
/// (bounded) seconds.
async fn time_limit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let wait = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("wait=")))
        .and_then(|w| w.parse::<u64>().ok())
        .unwrap_or(0)
        .min(state.limits.max_wait_secs);
    let limit = state.limits.request_timeout + Duration::from_secs(wait);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(
            ErrorCode::RequestTimeout,
            format!("the request took over {} s", limit.as_secs()),
        )
        .retry_after(1)
        .into_response(),
    }
}

async fn openapi_json() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi::document(),
    )
}

fn router(state: Arc<AppState>) -> Router {
    let authenticated = Router::new()
        .route("/v1/jobs", post(jobs::submit))
        .route("/v1/jobs/{id}", get(jobs::status))
        .route("/v1/jobs/{id}/outputs/{format}", get(jobs::output))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ));
    Router::new()
        .merge(authenticated)
        .route("/v1/openapi.json", get(openapi_json))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(|| async { Problem::new(ErrorCode::JobNotFound, "no such resource") })
        // The submit handler reads the body itself, within --max-body-bytes,
        // to answer 413 as a problem.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn_with_state(state.clone(), ops::count))
        .with_state(state)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rapporteur-api: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    // reqwest and object_store use rustls with the ring provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let storage = Storage::open(&args.storage)?;
    let keys = auth::Keys::load(&args.api_keys)?;
    let signer = args
        .webhook_secret
        .as_deref()
        .map(webhooks::Signer::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if signer.is_none() && keys.webhooks().next().is_some() {
        anyhow::bail!("the API keys file names webhooks but no --webhook-secret is given");
    }
    let guard = webhooks::Guard {
        allow: args.webhook_allow.clone(),
        timeout: Duration::from_secs(args.webhook_timeout_secs.max(1)),
    };
    let metrics = Arc::new(ops::Metrics::default());
    let publisher = publisher::Publisher::new(&args.broker);
    if let Err(error) = publisher.connect().await {
        tracing::warn!(%error, "broker not reachable at start; /readyz says so until it is");
    }
    let ended = ended::Ended::new();
    let state = Arc::new(AppState {
        ended: ended.clone(),
        storage: storage.clone(),
        keys,
        limiter: auth::limiter(args.rate_per_second, args.rate_burst),
        publisher,
        guard: guard.clone(),
        webhooks_enabled: signer.is_some(),
        limits: Limits {
            max_body_bytes: args.max_body_bytes,
            request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
            max_wait_secs: args.max_wait_secs,
            // Seven days is the longest an S3 signature may last.
            presign: (args.presign_secs > 0)
                .then(|| Duration::from_secs(args.presign_secs.min(604_800))),
        },
        metrics: metrics.clone(),
    });
    let (stop_tx, stop) = watch::channel(false);
    tokio::spawn(ended.listen(args.broker.urls(), args.broker.topology(), stop.clone()));
    let dispatcher = signer.map(|signer| {
        let dispatch = Arc::new(webhooks::Dispatch {
            urls: args.broker.urls(),
            topology: args.broker.topology(),
            storage,
            signer,
            guard,
            delays: args
                .webhook_retry_delays_ms
                .iter()
                .map(|ms| Duration::from_millis(*ms))
                .collect(),
            metrics,
        });
        tokio::spawn(webhooks::run(dispatch, stop.clone()))
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    tracing::info!(addr = %listener.local_addr()?, "rapporteur-api listening");
    let mut stopping = stop.clone();
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
            let _ = stopping.changed().await;
        })
        .await?;
    if let Some(dispatcher) = dispatcher {
        let _ = dispatcher.await;
    }
    tracing::info!("rapporteur-api stopped");
    Ok(())
}

async fn shutdown_signal() {
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate => {},
    }
}
