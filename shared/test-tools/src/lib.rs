//! Support for the tests whose judges are tools we did not write (python-docx,
//! pandoc, LibreOffice, poppler, qpdf): where the repository's examples are, how
//! to run a tool, and what happens when one is missing. Outside CI a test that
//! needs a missing tool says what to install and passes without checking; with
//! `CI=true` it fails, so CI never skips a check silently (`.ci/run` installs
//! every tool listed here).
//!
//! With the `broker` feature, [`broker`] is the one harness of the tests that
//! need RabbitMQ: the broker as a [`Tool`], a queue prefix of each test's own,
//! worker processes, publishing jobs and collecting their result events;
//! [`rabbitmqctl`] drives the broker from outside (closing every
//! connection, the memory alarm).

#[cfg(feature = "broker")]
pub mod broker;

pub mod rabbitmqctl;
pub mod s3;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The root of the repository.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled example summaries (`examples/`), sorted by name.
pub fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo_root().join("examples"))
        .expect("the repository has an examples/ directory")
        .map(|entry| entry.expect("examples/ is readable").path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
}

/// The seed summary the issues and benchmarks refer to.
pub fn seed() -> PathBuf {
    repo_root().join("examples/wsis-cooperation-sdgs.txt")
}

/// The reading corpus: `RAPPORTEUR_CORPUS`, or `shared/corpus` in the
/// team's toolbox beside the repository.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("RAPPORTEUR_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("../shared/corpus"),
    }
}

/// Where Debian's fonts-noto-cjk puts the CJK collection the PDF renderer
/// takes Chinese, Japanese and Korean from.
pub const NOTO_CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// A font of Debian's fonts-noto-core.
pub const NOTO_THAI: &str = "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf";

/// An external program (or, for CJK text, a font) a test uses as its judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Python 3, which runs the reading corpus's scorer.
    Python,
    /// The team's reading corpus beside the repository (`../shared/corpus`,
    /// or `RAPPORTEUR_CORPUS`), with its scorer.
    Corpus,
    PythonDocx,
    /// Debian's fonts-noto-core: fonts for Thai, Devanagari, Ethiopic and
    /// most other scripts, which the PDF writer finds among the system's fonts.
    NotoCore,
    Pandoc,
    LibreOffice,
    Pdftotext,
    Pdffonts,
    Pdfinfo,
    Qpdf,
    NotoCjk,
    /// RabbitMQ on 127.0.0.1:5672 (guest/guest), the broker of the worker's
    /// and `submit`'s tests.
    RabbitMq,
    /// moto's S3 server (`python3 -m moto.server`, PyPI `moto[server]`), the object
    /// store the storage tests start on 127.0.0.1 (see [`s3`]).
    Moto,
    /// The Standard Webhooks reference library for Python (PyPI
    /// `standardwebhooks`), which verifies the API's webhook signatures.
    StandardWebhooks,
    /// PyPI's `openapi-spec-validator`, which checks the API's OpenAPI document.
    OpenApiValidator,
}

impl Tool {
    fn present(self) -> bool {
        let (program, args): (&str, &[&str]) = match self {
            Tool::Python => ("python3", &["--version"]),
            Tool::Corpus => return corpus_dir().join("score.py").is_file(),
            Tool::PythonDocx => ("python3", &["-c", "import docx"]),
            Tool::Pandoc => ("pandoc", &["--version"]),
            Tool::LibreOffice => ("soffice", &["--version"]),
            Tool::Pdftotext => ("pdftotext", &["-v"]),
            Tool::Pdffonts => ("pdffonts", &["-v"]),
            Tool::Pdfinfo => ("pdfinfo", &["-v"]),
            Tool::Qpdf => ("qpdf", &["--version"]),
            Tool::NotoCjk => return Path::new(NOTO_CJK).is_file(),
            Tool::NotoCore => return Path::new(NOTO_THAI).is_file(),
            Tool::Moto => ("python3", &["-c", "import moto.server, flask"]),
            Tool::StandardWebhooks => ("python3", &["-c", "import standardwebhooks"]),
            Tool::OpenApiValidator => ("python3", &["-c", "import openapi_spec_validator"]),
            Tool::RabbitMq => {
                return std::net::TcpStream::connect_timeout(
                    &std::net::SocketAddr::from(([127, 0, 0, 1], 5672)),
                    std::time::Duration::from_secs(2),
                )
                .is_ok();
            }
        };
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn install_hint(self) -> &'static str {
        match self {
            Tool::Python => "apt-get install python3",
            Tool::Corpus => {
                "place the reading corpus at ../shared/corpus beside the repository, or point RAPPORTEUR_CORPUS at it"
            }
            Tool::PythonDocx => "python3 -m pip install python-docx",
            Tool::Pandoc => "apt-get install pandoc",
            Tool::LibreOffice => "apt-get install --no-install-recommends libreoffice-writer",
            Tool::Pdftotext | Tool::Pdffonts | Tool::Pdfinfo => "apt-get install poppler-utils",
            Tool::Qpdf => "apt-get install qpdf",
            Tool::NotoCjk => "apt-get install fonts-noto-cjk",
            Tool::NotoCore => "apt-get install fonts-noto-core",
            Tool::Moto => "python3 -m pip install 'moto[server]'",
            Tool::StandardWebhooks => "python3 -m pip install standardwebhooks",
            Tool::OpenApiValidator => "python3 -m pip install openapi-spec-validator",
            Tool::RabbitMq => {
                "apt-get install rabbitmq-server, then start it with `rabbitmq-server -detached`"
            }
        }
    }

    /// Whether the tool can be run. A missing tool fails the calling test
    /// under `CI=true`; elsewhere it prints what to install and returns false,
    /// and the test returns early.
    pub fn available(self) -> bool {
        if self.present() {
            return true;
        }
        let message = format!(
            "{self:?} is not installed, so this test cannot check its output; install it with `{}`",
            self.install_hint()
        );
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{message} (.ci/run installs it)"
        );
        // Straight to stderr: libtest hides what `eprintln!` prints in a
        // passing test, and this note must be seen.
        let _ = writeln!(std::io::stderr(), "skipped: {message}");
        false
    }
}

/// Whether every one of `tools` is available (see [`Tool::available`]).
pub fn available(tools: &[Tool]) -> bool {
    tools.iter().all(|tool| tool.available())
}

/// Runs a command to completion, failing the test with its stderr if it
/// does not succeed.
pub fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed with {}:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs a Python script with `args` (python-docx checks), returning stdout.
pub fn python(script: &str, args: &[impl AsRef<OsStr>]) -> String {
    let output = run(Command::new("python3").arg("-c").arg(script).args(args));
    String::from_utf8(output.stdout).expect("the script prints UTF-8")
}

/// Converts documents to PDF with headless LibreOffice into `out_dir`,
/// returning the PDFs' paths in the order of `documents`. A private profile
/// keeps it from touching (or waiting on) the user's running LibreOffice.
pub fn libreoffice_to_pdf(documents: &[PathBuf], out_dir: &Path) -> Vec<PathBuf> {
    let profile = tempfile::tempdir().expect("a temporary directory for the profile");
    let mut profile_url = String::from("file://");
    profile_url.push_str(&profile.path().display().to_string());
    let output = run(Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile_url}"))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(out_dir)
        .args(documents));
    let pdfs: Vec<PathBuf> = documents
        .iter()
        .map(|document| out_dir.join(document.with_extension("pdf").file_name().unwrap()))
        .collect();
    for pdf in &pdfs {
        // soffice reports some failures only on stdout and still exits 0.
        assert!(
            pdf.is_file(),
            "LibreOffice wrote no {}:\n{}{}",
            pdf.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    pdfs
}

/// The peak resident set size (VmHWM) of process `pid`, or of this process
/// with `None`, in KiB; 0 where /proc does not tell (the benchmarks'
/// memory figure, which only grows while the process lives).
pub fn peak_rss_kib(pid: Option<u32>) -> u64 {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_string(),
    };
    std::fs::read_to_string(path)
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
