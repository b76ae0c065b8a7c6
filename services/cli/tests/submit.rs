//! `rapporteur submit --wait` against a real broker and a real worker.

use std::path::PathBuf;
use std::process::Command;

use rapporteur_test_tools::broker::{Harness, signal_and_wait};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The worker binary, built beside this package's binaries by
/// `cargo test --workspace`.
fn worker_binary() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_rapporteur")).with_file_name("rapporteur-worker");
    path.exists().then_some(path)
}

fn skip_or_fail(help: &str) {
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{help}");
    eprintln!("skipped: {help}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submitted_jobs_are_converted_by_a_worker_and_failures_reported() {
    if !rapporteur_test_tools::Tool::RabbitMq.available() {
        return;
    }
    let Some(worker_binary) = worker_binary() else {
        return skip_or_fail(
            "the worker binary is not built; run `cargo build -p rapporteur-worker` first",
        );
    };
    // Default settings: `submit` declares the topology as every program
    // does, and would refuse the tests' short retry delays.
    let harness = Harness::with_default_topology("submit").await;
    let prefix = harness.prefix.clone();
    let input = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("examples/wsis-cooperation-sdgs.txt"),
        input.path().join("seed.txt"),
    )
    .unwrap();
    std::fs::write(
        input.path().join("press.txt"),
        "FOR IMMEDIATE RELEASE\n\nITU announces a thing.\n",
    )
    .unwrap();
    let storage = harness.storage_path().to_path_buf();
    // Stopped however the test ends (the harness kills it if a test fails).
    let mut worker = harness.start_worker(&worker_binary, &[]);

    let report = input.path().join("report.csv");
    let submit_with = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rapporteur"))
            .args([
                "submit",
                input.path().join("seed.txt").to_str().unwrap(),
                input.path().join("press.txt").to_str().unwrap(),
                "--wait",
                "--wait-timeout-secs",
                "60",
                "--queue-prefix",
                &prefix,
                "--report",
                report.to_str().unwrap(),
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let submit = || submit_with(&[]);
    let output = submit();
    // The report, read back by Python's csv module: one row per input.
    let rows = |report: &std::path::Path| {
        rapporteur_test_tools::python(
            "import csv, sys\n\
             for r in csv.DictReader(open(sys.argv[1])):\n\
             \x20   print(r['key'], r['status'], r['error_code'], r['line'], bool(r['json_sha256']), bool(r['pdf_sha256']), r['warnings'])",
            &[report],
        )
    };
    let first = rows(&report);
    assert_eq!(
        first.lines().collect::<Vec<_>>(),
        [
            "press rejected not_a_summary 1 False False ",
            "seed converted   True True 1",
        ],
        "{first}"
    );
    // Submitted again: the worker finds the set current and writes nothing.
    let again = submit();
    assert_eq!(again.status.code(), Some(1));
    let second = rows(&report);
    assert!(second.contains("seed skipped   True True \n"), "{second}");
    // With the workers' storage named, a current set is not even sent.
    let third = submit_with(&["--storage", storage.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&third.stderr);
    assert!(said.contains("submitted 1 jobs"), "{said}");
    assert!(said.contains("1 already current"), "{said}");
    let third_rows = rows(&report);
    assert!(
        third_rows.contains("seed skipped   False False \n"),
        "{third_rows}"
    );
    assert!(
        third_rows.contains("press rejected not_a_summary 1"),
        "{third_rows}"
    );
    let stopped = signal_and_wait(&mut worker.0, "TERM");
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("submitted 2 jobs"), "{err}");
    assert!(
        err.contains("failed: press.txt: line 1: not a session summary"),
        "{err}"
    );
    assert!(err.contains("(not_a_summary)"), "{err}");
    assert!(err.contains("1 jobs succeeded, 1 failed"), "{err}");
    assert!(storage.join("seed.json").exists());
    assert!(!storage.join("press.json").exists());
    assert!(stopped.success());
    harness.cleanup().await;
}
