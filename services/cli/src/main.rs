//! `rapporteur`, the command line of Rapporteur: converts session summaries
//! (files, directories, `.zip` archives) into JSON, PDF and DOCX on this
//! machine, with no broker involved.

mod convert;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
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
    /// Print the JSON Schema of the summary JSON (also at schema/event-summary.schema.json).
    Schema,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema => {
            print!("{}", rapporteur_model::json_schema());
            ExitCode::SUCCESS
        }
        Command::Convert(args) => match convert::run(&args) {
            Ok(tally) if tally.failed == 0 => ExitCode::SUCCESS,
            Ok(_) => ExitCode::from(1),
            Err(error) => {
                eprintln!("rapporteur: {error:#}");
                ExitCode::from(2)
            }
        },
    }
}
