//! `rapporteur-worker`: consumes summary jobs from RabbitMQ, converts each
//! through the shared pipeline, writes the outputs to the storage root and
//! publishes a result event.
//!
//! The promise is at-least-once with idempotent outputs: a job is acked only
//! once its outputs are durable and its result event (or its dead-letter copy)
//! is confirmed by the broker. A redelivered job rewrites identical bytes.

mod archive;
mod broker;
mod commit;
mod http;
mod isolate;
mod job;
mod sweep;

/// jemalloc, not glibc's malloc: glibc keeps what its per-thread arenas
/// freed, so an archive job's peak grew with the archive (a 100,000-document
/// archive: 208 MB with glibc, 133 MB with jemalloc, and about 6% less user
/// CPU per document; README "Performance").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use clap::Parser;
use rapporteur_broker::BrokerArgs;
use rapporteur_jobs::Topology;
use rapporteur_pipeline::Converter;
use rapporteur_render::{PageSize, RenderOptions};
use rapporteur_storage::Storage;
use tokio::sync::watch;

#[derive(Parser, Debug)]
#[command(
    name = "rapporteur-worker",
    version,
    about = "Converts summary jobs from RabbitMQ"
)]
struct Args {
    #[command(flatten)]
    broker: BrokerArgs,
    /// The shared storage outputs are written to and `path` sources read
    /// from: a directory (a path or file:// URL) or object storage
    /// (s3://bucket/prefix, gs://…, az://…; see README "Storage").
    /// STORAGE_DIR, its name before object storage, is still read.
    #[arg(long, env = "STORAGE_URL", alias = "storage-dir")]
    storage: Option<String>,
    /// How outputs in a directory are made durable: `group` (the jobs in
    /// hand share one syncfs) or `file` (an fsync per file, for a file
    /// system shared with busy writers); README "Storage".
    #[arg(long, env = "STORAGE_SYNC", default_value = "group")]
    sync: rapporteur_storage::Durability,
    /// Replaced versions of a key kept beside its current set (0: none).
    #[arg(long, env = "KEEP_VERSIONS", default_value_t = rapporteur_pipeline::DEFAULT_KEEP_VERSIONS)]
    keep_versions: u32,
    /// Jobs converted at the same time (default: two per core).
    #[arg(long, env = "WORKER_CONCURRENCY")]
    concurrency: Option<usize>,
    /// Jobs the broker may hand this worker ahead of acknowledgement.
    #[arg(long, env = "WORKER_PREFETCH", default_value_t = 32)]
    prefetch: u16,
    /// Address of /healthz, /readyz and /metrics.
    #[arg(long, env = "METRICS_ADDR", default_value = "127.0.0.1:9464")]
    metrics_addr: SocketAddr,
    /// Attempts for a job that fails for a transient reason, before it is
    /// dead-lettered.
    #[arg(long, env = "MAX_ATTEMPTS", default_value_t = 4)]
    max_attempts: u32,
    /// Wait before the first retry; each further retry waits five times longer.
    #[arg(long, env = "RETRY_DELAY_MS", default_value_t = 1000)]
    retry_delay_ms: u64,
    /// Deliveries of one message (crashes included) before the broker itself
    /// dead-letters it; the guard against a job that kills its worker.
    #[arg(long, env = "DELIVERY_LIMIT", default_value_t = 10)]
    delivery_limit: u32,
    /// Documents larger than this are rejected.
    #[arg(long, env = "MAX_INPUT_BYTES", default_value_t = rapporteur_parse::DEFAULT_MAX_BYTES)]
    max_input_bytes: usize,
    /// Paper size of PDF and DOCX outputs: a4 or letter.
    #[arg(long, env = "PAGE_SIZE", default_value = "a4")]
    page_size: PageSize,
    /// Directory searched for fonts of scripts that are not bundled (CJK).
    #[arg(long, env = "RAPPORTEUR_FONT_DIR")]
    font_dir: Option<PathBuf>,
    /// Longest wait for in-flight jobs after SIGTERM before exiting anyway
    /// (their messages are then redelivered, not lost).
    #[arg(long, env = "DRAIN_TIMEOUT_SECS", default_value_t = 60)]
    drain_timeout_secs: u64,
    /// Which jobs are converted alone in a child process with memory and CPU
    /// limits: only redelivered ones (a worker died with them in flight), or
    /// all.
    #[arg(
        long,
        env = "WORKER_ISOLATE",
        value_enum,
        default_value = "redelivered"
    )]
    isolate: isolate::IsolateMode,
    /// Longest a conversion may take. A child over it is killed and its job
    /// dead-lettered (`timeout`); a job over it in the worker's own process
    /// is returned to the queue and tried again in a child.
    #[arg(long, env = "JOB_TIMEOUT_SECS", default_value_t = 120)]
    job_timeout_secs: u64,
    /// Address space a child conversion may use, in MiB; a job that needs
    /// more is dead-lettered (`too_large`).
    #[arg(long, env = "CHILD_MEMORY_MB", default_value_t = 2048)]
    child_memory_mb: u64,
    /// The converter program run for isolated jobs (default: this binary
    /// with --convert-one); tests put a faulty converter here.
    #[arg(long, hide = true)]
    converter_program: Option<PathBuf>,
    /// Convert one job message read on stdin and print its outcome on
    /// stdout (how the worker runs an isolated conversion).
    #[arg(long, hide = true)]
    convert_one: bool,
}

/// Everything a job needs, shared by all in-flight jobs.
pub(crate) struct Worker {
    pub topology: Topology,
    pub storage: Storage,
    pub converter: Converter,
    pub max_attempts: u32,
    pub metrics: http::Metrics,
    pub isolation: isolate::Isolation,
    /// True while storage is down: jobs are returned to the queue and
    /// consumption pauses until a probe finds storage back (`broker.rs`).
    pub outage: watch::Sender<bool>,
    /// How outputs are made durable, and the commit jobs share.
    pub durability: rapporteur_storage::Durability,
    pub commits: commit::GroupCommit,
    /// Conversion slots (`--concurrency`). A job holds one only while it
    /// converts (in [`Worker::converters`] or in a child process), not while
    /// its outputs are committed or its result is confirmed, so the cores
    /// keep converting the next jobs in hand meanwhile.
    pub converting: Arc<tokio::sync::Semaphore>,
    /// The threads that convert, one per slot ([`Worker::converters`]).
    pub converters: OnceLock<rayon::ThreadPool>,
    /// The threads archive jobs convert on ([`Worker::archive_threads`]).
    pub archive_threads: OnceLock<rayon::ThreadPool>,
    pub concurrency: usize,
}

impl Worker {
    /// The threads that convert, one per slot, started on first use (a
    /// `--convert-one` child, whose address space is limited, never starts
    /// them). A fixed set: tokio's blocking pool, handed a new conversion
    /// the moment a slot freed, often started another thread before the
    /// last one was idle again, and every thread that converts keeps an
    /// allocator arena of its own (13 threads and 152 MB peak against 9
    /// threads and 106 MB, `make bench-e2e`).
    pub(crate) fn converters(&self) -> &rayon::ThreadPool {
        self.converters
            .get_or_init(|| threads("convert", self.concurrency))
    }

    /// The threads an archive job converts its chunks on, one per core,
    /// while its slot's thread waits: on the slots' threads an archive of
    /// 2,000 documents peaked at 129–136 MB, against 74–104 MB.
    pub(crate) fn archive_threads(&self) -> &rayon::ThreadPool {
        self.archive_threads.get_or_init(|| threads("archive", 0))
    }
}

/// A pool of `count` threads (0: one per core) named `name-N`.
fn threads(name: &'static str, count: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(count)
        .thread_name(move |n| format!("{name}-{n}"))
        // A conversion catches its own panics; one that escapes (a bug)
        // fails that job, never the process (rayon would abort).
        .panic_handler(|_| tracing::error!("a conversion thread panicked"))
        .build()
        .expect("the worker can start its threads")
}

/// Where outputs go: `--storage` / STORAGE_URL, else STORAGE_DIR (the
/// variable's name before storage URLs, so older deployments still start).
fn storage_location(args: &Args) -> Option<String> {
    args.storage
        .clone()
        .or_else(|| std::env::var("STORAGE_DIR").ok())
        .filter(|s| !s.is_empty())
}

/// The arguments of a `--convert-one` child: this worker's conversion
/// settings (the broker is none of its business).
fn child_args(args: &Args) -> Vec<std::ffi::OsString> {
    let mut child: Vec<std::ffi::OsString> = vec![
        "--convert-one".into(),
        "--storage".into(),
        storage_location(args).unwrap_or_default().into(),
        "--keep-versions".into(),
        args.keep_versions.to_string().into(),
        "--max-input-bytes".into(),
        args.max_input_bytes.to_string().into(),
        "--page-size".into(),
        match args.page_size {
            PageSize::A4 => "a4",
            PageSize::Letter => "letter",
        }
        .into(),
        "--job-timeout-secs".into(),
        args.job_timeout_secs.to_string().into(),
        "--child-memory-mb".into(),
        args.child_memory_mb.to_string().into(),
    ];
    if let Some(font_dir) = &args.font_dir {
        child.push("--font-dir".into());
        child.push(font_dir.clone().into());
    }
    child
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    init_logging();
    let Some(location) = storage_location(&args) else {
        anyhow::bail!("no storage given: pass --storage or set STORAGE_URL");
    };
    let storage = Storage::open(&location)?;
    let isolation = isolate::Isolation {
        mode: args.isolate,
        job_timeout: Duration::from_secs(args.job_timeout_secs.max(1)),
        child_memory: args.child_memory_mb.saturating_mul(1024 * 1024),
        program: match &args.converter_program {
            Some(program) => program.clone(),
            None => std::env::current_exe()?,
        },
        args: child_args(&args),
    };
    // Two jobs per core: a job spends part of its time waiting for its
    // outputs to reach the disk (an fsync per file then, a group commit
    // now) and for the broker's confirms, time another job can use the core
    // for. Measured with `make bench-e2e` on 2 cores with per-file fsyncs:
    // 154 docs/s with one job per core, 207 with two (peak RSS 43 and 58 MB).
    let concurrency = args
        .concurrency
        .unwrap_or_else(|| 2 * std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let worker = Arc::new(Worker {
        topology: args.broker.topology(),
        storage,
        converter: Converter {
            parse: rapporteur_parse::ParseOptions {
                max_bytes: args.max_input_bytes,
            },
            render: RenderOptions {
                page_size: args.page_size,
                font_dir: args.font_dir.clone(),
                // Set per job, from its `metadata.dms`.
                dms: None,
            },
            keep_versions: args.keep_versions,
        },
        max_attempts: args.max_attempts.max(1),
        metrics: http::Metrics::default(),
        isolation,
        outage: watch::Sender::new(false),
        durability: args.sync,
        commits: commit::GroupCommit::new(),
        converting: Arc::new(tokio::sync::Semaphore::new(concurrency)),
        converters: OnceLock::new(),
        archive_threads: OnceLock::new(),
        concurrency,
    });
    if args.convert_one {
        return isolate::convert_one(&worker, job::max_message(&worker));
    }
    let settings = broker::Settings {
        urls: args.broker.urls(),
        prefetch: args.prefetch,
        // Every job the broker hands over is taken at once (it waits for a
        // conversion slot): one waiting for its commit or confirms never
        // keeps the next from converting.
        in_hand: usize::from(args.prefetch).max(concurrency),
        topology: rapporteur_broker::TopologySettings {
            delivery_limit: args.delivery_limit,
            max_attempts: args.max_attempts.max(1),
            retry_delay: Duration::from_millis(args.retry_delay_ms),
        },
        drain_timeout: Duration::from_secs(args.drain_timeout_secs),
    };
    // On a thread of its own: a large shared root takes a while to walk,
    // and consuming need not wait for it.
    // Object stores have no temporary files: a PUT is whole or absent.
    if let Some(root) = worker
        .storage
        .local_root()
        .map(std::path::Path::to_path_buf)
    {
        std::thread::spawn(move || {
            let swept = sweep::sweep_temp_files(&root, std::time::SystemTime::now());
            if swept > 0 {
                tracing::info!(swept, "removed temporary files left by a killed worker");
            }
        });
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let ran = runtime.block_on(async move {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("stop requested: finishing in-flight jobs");
            let _ = stop_tx.send(true);
        });
        let http = http::serve(args.metrics_addr, worker.clone()).await?;
        tracing::info!(metrics_addr = %http, concurrency, prefetch = settings.prefetch, "worker started");
        broker::run(worker, settings, stop_rx).await;
        tracing::info!("worker stopped");
        Ok(())
    });
    // A conversion still running on a blocking thread (past the drain
    // timeout) would keep the runtime, and so the process, alive forever:
    // its message is unacked and will be redelivered, so stop waiting.
    runtime.shutdown_timeout(Duration::from_secs(2));
    ran
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler can be installed");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// JSON lines when not on a terminal (collectors parse them), readable text
/// when a person is watching.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,lapin=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::io::stderr().is_terminal() {
        builder.init();
    } else {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    }
}
