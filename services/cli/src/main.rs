//! `rapporteur`, the command line of Rapporteur: converts session summaries
//! (files, directories, `.zip` archives) into JSON, PDF and DOCX on this
//! machine, with no broker involved.

mod convert;
mod explain;
mod link;
mod report;
mod submit;
mod verify;
mod watch;

/// jemalloc, as the worker has (its main.rs says why): `convert` of a large
/// folder or archive holds its memory flat and spends less CPU a document.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rapporteur_broker::BrokerArgs;
use rapporteur_render::{Format, PageSize};

#[derive(Parser)]
#[command(
    name = "rapporteur",
    version,
    about = "Turns event session summaries into finished documents"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convert summaries to the given formats, writing OUT/<key>.<format> for each input.
    Convert(ConvertArgs),
    /// Publish every input as a job for the workers (see rapporteur-worker).
    Submit(SubmitArgs),
    /// Watch DIR: submit each summary dropped there once it is fully
    /// written, then move it to DIR/done/, or to DIR/failed/ with the
    /// reason beside it in NAME.error.txt.
    Watch(WatchArgs),
    /// Show how the reader reads FILE: what each block became, where it went,
    /// how speakers were split and what was dropped, then the outcome.
    Explain {
        file: PathBuf,
        /// Inputs larger than this many bytes are rejected.
        #[arg(long, default_value_t = rapporteur_parse::DEFAULT_MAX_BYTES)]
        max_input_bytes: usize,
    },
    /// Check every output manifest in STORAGE (a directory or a storage URL
    /// such as s3://bucket/prefix), kept versions included, optionally only
    /// those whose name starts with PREFIX: each object's size and checksum.
    /// Exit 1 when anything is missing or changed.
    Verify {
        storage: String,
        prefix: Option<String>,
    },
    /// Print a published JSON Schema: event-summary (default), job-request, job-result or output-manifest.
    Schema {
        #[arg(default_value = "event-summary")]
        name: String,
    },
}

#[derive(clap::Args)]
pub(crate) struct ConvertArgs {
    /// Summary files, directories (walked recursively) and .zip archives.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Where the outputs go: a directory (created if missing) or a storage
    /// URL (file://, s3://bucket/prefix, gs://…, az://…; README "Storage").
    #[arg(long, short, env = "STORAGE_URL")]
    out: String,
    /// Replaced versions of a key kept beside its current set (0: none).
    #[arg(long, default_value_t = rapporteur_pipeline::DEFAULT_KEEP_VERSIONS)]
    keep_versions: u32,
    /// Comma-separated output formats (default: all three).
    #[arg(long, value_delimiter = ',', default_value = "json,pdf,docx")]
    formats: Vec<Format>,
    /// Inputs larger than this many bytes are rejected.
    #[arg(long, default_value_t = rapporteur_parse::DEFAULT_MAX_BYTES)]
    max_input_bytes: usize,
    /// Paper size of PDF and DOCX outputs: a4 or letter.
    #[arg(long, default_value = "a4")]
    page_size: PageSize,
    /// Directory searched for fonts of scripts that are not bundled (CJK).
    #[arg(long, env = "RAPPORTEUR_FONT_DIR")]
    font_dir: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    jobs: Option<usize>,
    /// A JSON object of metadata for every output, as a job's `metadata`:
    /// its `dms` block files the PDF and DOCX (README, "DMS metadata").
    #[arg(long, value_name = "FILE.json")]
    metadata: Option<PathBuf>,
    /// Convert every input again, even those whose outputs are current (the
    /// same source converted with the same options and metadata).
    #[arg(long)]
    force: bool,
    /// Write one row per input (key, status, error code, line, message,
    /// warnings, checksums) to this file: JSON if it ends in .json, else CSV.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// How outputs in a directory are made durable: `group` (one syncfs
    /// for many documents) or `file` (an fsync per file, for a file system
    /// shared with busy writers); README "Storage".
    #[arg(long, env = "STORAGE_SYNC", default_value = "group")]
    sync: rapporteur_storage::Durability,
}

#[derive(clap::Args)]
pub(crate) struct SubmitArgs {
    /// Summary files, directories (walked recursively) and .zip archives.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    job: JobOptions,
    /// Follow the result events until every submitted job has ended; exit 1
    /// if any failed.
    #[arg(long)]
    wait: bool,
    /// With --wait, give up after this many seconds without a result.
    #[arg(long, default_value_t = 600)]
    wait_timeout_secs: u64,
    /// With --wait, write one row per input (as `convert --report`): JSON
    /// if it ends in .json, else CSV.
    #[arg(long, value_name = "FILE", requires = "wait")]
    report: Option<PathBuf>,
    /// The workers' storage (a directory or storage URL): inputs whose
    /// outputs there are already current (the same source, formats and
    /// metadata, with the default render options) are not submitted again.
    #[arg(long, value_name = "DIR|URL")]
    storage: Option<String>,
    /// Submit each .zip input as one archive job: the archive is uploaded
    /// to --storage (as inbox/<checksum>/<name>) and one worker converts
    /// every document in it, resuming where another stopped. With --wait,
    /// its progress is shown and --report gets the archive's report.
    #[arg(long, requires = "storage")]
    as_archive: bool,
}

#[derive(clap::Args)]
pub(crate) struct WatchArgs {
    /// The folder summaries are dropped into.
    dir: PathBuf,
    /// Look for changes every SECONDS instead of by inotify: for network
    /// shares (NFS, SMB), where another machine's writes raise no event.
    #[arg(long, value_name = "SECONDS")]
    poll: Option<f64>,
    /// A file is submitted once its size and time have not changed for
    /// this many milliseconds (a copy or a slow writer has finished).
    #[arg(long, default_value_t = 2000)]
    settle_ms: u64,
    #[command(flatten)]
    job: JobOptions,
}

/// What `submit` and `watch` send every job with, and where.
#[derive(clap::Args)]
pub(crate) struct JobOptions {
    /// Comma-separated output formats (default: all three).
    #[arg(long, value_delimiter = ',', default_value = "json,pdf,docx")]
    formats: Vec<Format>,
    #[command(flatten)]
    broker: BrokerArgs,
    /// Inputs larger than this many bytes are refused: not submitted (by
    /// `watch`, moved to failed/).
    #[arg(long, default_value_t = rapporteur_parse::DEFAULT_MAX_BYTES)]
    max_input_bytes: usize,
    /// A JSON object sent as every job's `metadata` (with its `dms` block).
    #[arg(long, value_name = "FILE.json")]
    metadata: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema { name } => {
            let mut schemas = vec![("event-summary.schema.json", rapporteur_model::json_schema())];
            schemas.extend(rapporteur_jobs::json_schemas());
            schemas.push((
                "output-manifest.schema.json",
                rapporteur_manifest::json_schema(),
            ));
            match schemas
                .into_iter()
                .find(|(file, _)| file.strip_suffix(".schema.json") == Some(name.as_str()))
            {
                Some((_, schema)) => {
                    print!("{schema}");
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!(
                        "rapporteur: no schema named '{name}'; use event-summary, job-request, job-result or output-manifest"
                    );
                    ExitCode::from(2)
                }
            }
        }
        Command::Explain {
            file,
            max_input_bytes,
        } => match explain::run(&file, max_input_bytes) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(error) => {
                let error = rapporteur_untrusted::for_terminal(&format!("{error:#}"));
                eprintln!("rapporteur: {error}");
                ExitCode::from(2)
            }
        },
        Command::Verify { storage, prefix } => match verify::run(&storage, prefix.as_deref()) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(error) => {
                eprintln!("rapporteur: {error:#}");
                ExitCode::from(2)
            }
        },
        Command::Submit(args) => finish(submit::run(&args)),
        Command::Watch(args) => match watch::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                let error = rapporteur_untrusted::for_terminal(&format!("{error:#}"));
                eprintln!("rapporteur: {error}");
                ExitCode::from(2)
            }
        },
        Command::Convert(args) => finish(convert::run(&args)),
    }
}

/// The largest `--metadata` file: far above any real DMS block (the model
/// bounds every field), far below what could hurt.
const MAX_METADATA_BYTES: u64 = 1 << 20;

/// Reads a `--metadata` file: a JSON object whose `dms` block, if any, is
/// checked here so that a mistake stops the command before any work.
pub(crate) fn read_metadata(
    path: Option<&std::path::Path>,
) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    use anyhow::Context;
    use std::io::Read;
    let Some(path) = path else {
        return Ok(serde_json::Map::new());
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_METADATA_BYTES + 1).read_to_string(&mut text))
        .with_context(|| format!("cannot read --metadata {}", path.display()))?;
    anyhow::ensure!(
        text.len() as u64 <= MAX_METADATA_BYTES,
        "--metadata {} is larger than {MAX_METADATA_BYTES} bytes",
        path.display()
    );
    let metadata: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
        .with_context(|| format!("--metadata {} is not a JSON object", path.display()))?;
    rapporteur_model::Dms::from_metadata(&metadata)
        .with_context(|| format!("--metadata {}", path.display()))?;
    Ok(metadata)
}

/// Exit status: 0 when everything went through, 1 when some input or job
/// failed, 2 when the command itself could not run.
fn finish(outcome: anyhow::Result<convert::Tally>) -> ExitCode {
    match outcome {
        Ok(tally) if tally.failed == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => {
            let error = rapporteur_untrusted::for_terminal(&format!("{error:#}"));
            eprintln!("rapporteur: {error}");
            ExitCode::from(2)
        }
    }
}
