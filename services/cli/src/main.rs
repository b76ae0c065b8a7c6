//! `rapporteur`, the command line of Rapporteur: converts session summaries
//! (files, directories, `.zip` archives) into JSON, PDF and DOCX on this
//! machine, with no broker involved.

mod convert;
mod explain;
mod submit;

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
    /// Show how the reader reads FILE: what each block became, where it went,
    /// how speakers were split and what was dropped, then the outcome.
    Explain {
        file: PathBuf,
        /// Inputs larger than this many bytes are rejected.
        #[arg(long, default_value_t = rapporteur_parse::DEFAULT_MAX_BYTES)]
        max_input_bytes: usize,
    },
    /// Print a published JSON Schema: event-summary (default), job-request or job-result.
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
    /// Directory the outputs are written to (created if missing).
    #[arg(long, short)]
    out: PathBuf,
    /// Comma-separated output formats.
    #[arg(long, value_delimiter = ',', default_value = "json")]
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
}

#[derive(clap::Args)]
pub(crate) struct SubmitArgs {
    /// Summary files, directories (walked recursively) and .zip archives.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Comma-separated output formats.
    #[arg(long, value_delimiter = ',', default_value = "json")]
    formats: Vec<Format>,
    /// Follow the result events until every submitted job has ended; exit 1
    /// if any failed.
    #[arg(long)]
    wait: bool,
    /// With --wait, give up after this many seconds without a result.
    #[arg(long, default_value_t = 600)]
    wait_timeout_secs: u64,
    #[command(flatten)]
    broker: BrokerArgs,
    /// Inputs larger than this many bytes are not submitted.
    #[arg(long, default_value_t = rapporteur_parse::DEFAULT_MAX_BYTES)]
    max_input_bytes: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema { name } => {
            let mut schemas = vec![("event-summary.schema.json", rapporteur_model::json_schema())];
            schemas.extend(rapporteur_jobs::json_schemas());
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
                        "rapporteur: no schema named '{name}'; use event-summary, job-request or job-result"
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
        Command::Submit(args) => finish(submit::run(&args)),
        Command::Convert(args) => finish(convert::run(&args)),
    }
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
