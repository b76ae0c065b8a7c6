//! `rapporteur submit --wait` against a real broker and a real worker.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rapporteur_test_tools::broker::{Harness, signal, signal_and_wait};
use rapporteur_test_tools::rabbitmqctl::{self, MemoryAlarm};
use tokio::sync::Mutex;

/// The tests run one at a time: `rabbitmqctl close_all_connections` and a
/// memory alarm would cut or stall the other tests' clients too.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// While alive, a process is stopped (SIGSTOP); continued (SIGCONT) when
/// dropped, even when the test fails.
struct Stopped(u32);

impl Stopped {
    fn new(pid: u32) -> Stopped {
        assert!(signal(pid, "STOP"), "kill -STOP {pid}");
        Stopped(pid)
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        assert!(signal(self.0, "CONT"), "kill -CONT {}", self.0);
    }
}

/// How many clients are connected to the broker. A connection the broker
/// closed stays listed, as `closed`, until its client answers (a stopped
/// worker does not), and is not counted.
fn connections() -> usize {
    rabbitmqctl::run(&["list_connections", "--silent", "state"])
        .lines()
        .map(str::trim)
        .filter(|state| !state.is_empty() && !matches!(*state, "closing" | "closed"))
        .count()
}

/// Closes every client connection, then waits until one is back (the
/// submitter reconnected).
fn close_all_and_await_reconnect() {
    rabbitmqctl::run(&["close_all_connections", "rapporteur submit test"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while connections() == 0 {
        assert!(Instant::now() < deadline, "nobody reconnected");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The worker binary, built beside this package's binaries by
/// `cargo test --workspace`.
fn worker_binary() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_rapporteur")).with_file_name("rapporteur-worker");
    path.exists().then_some(path)
}

/// The broker and the worker binary, and this test's turn; `None` when a
/// test cannot run here (and never under CI=true, where that fails).
async fn prerequisites() -> Option<(PathBuf, tokio::sync::MutexGuard<'static, ()>)> {
    if !rapporteur_test_tools::Tool::RabbitMq.available() {
        return None;
    }
    let Some(worker_binary) = worker_binary() else {
        skip_or_fail(
            "the worker binary is not built; run `cargo build -p rapporteur-worker` first",
        );
        return None;
    };
    Some((worker_binary, ONE_AT_A_TIME.lock().await))
}

fn skip_or_fail(help: &str) {
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{help}");
    eprintln!("skipped: {help}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submitted_jobs_are_converted_by_a_worker_and_failures_reported() {
    let Some((worker_binary, _alone)) = prerequisites().await else {
        return;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_wait_rides_out_the_broker_closing_every_connection_four_times() {
    let Some((worker_binary, _alone)) = prerequisites().await else {
        return;
    };
    let harness = Harness::with_default_topology("submit-reconnect").await;
    let count = 2_000;
    let input = tempfile::tempdir().unwrap();
    let examples = ["wsis-cooperation-sdgs.txt", "ai-health-workshop.txt"];
    for i in 0..count {
        std::fs::copy(
            repo().join("examples").join(examples[i % 2]),
            input.path().join(format!("doc-{i:04}.txt")),
        )
        .unwrap();
    }
    let report = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
    let submit = Command::new(env!("CARGO_BIN_EXE_rapporteur"))
        .args(["submit", input.path().to_str().unwrap(), "--wait"])
        .args(["--formats", "json", "--queue-prefix", &harness.prefix])
        .args(["--report", report.path().to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Twice while publishing: held by the memory alarm half-way, so that
    // both closes land before the last job is confirmed.
    let jobs_queue = harness.topology.jobs_queue();
    let deadline = Instant::now() + Duration::from_secs(120);
    while harness.queue_depth(&jobs_queue).await < 300 {
        assert!(Instant::now() < deadline, "submit published nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    {
        let _alarm = MemoryAlarm::raise();
        close_all_and_await_reconnect();
        close_all_and_await_reconnect();
        assert!(harness.queue_depth(&jobs_queue).await < count as u32);
    }
    // Twice while waiting, with the worker converting.
    let deadline = Instant::now() + Duration::from_secs(120);
    while harness.queue_depth(&jobs_queue).await < count as u32 {
        assert!(
            Instant::now() < deadline,
            "submit did not publish every job"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The worker is stopped for each close: however fast it converts, the
    // submitter is still waiting when its connection is closed (a fast
    // machine converted the last half in the time `rabbitmqctl` took to
    // start, and the submitter saw three closes).
    let mut worker = harness.start_worker(&worker_binary, &[]);
    for done in [count / 4, count / 2] {
        let results = harness.results(done, Duration::from_secs(300)).await;
        assert!(results.len() >= done, "{} results", results.len());
        let _stopped = Stopped::new(worker.id());
        let results = harness.results(done, Duration::from_secs(300)).await;
        assert!(
            results.len() < count,
            "the worker finished before the close"
        );
        close_all_and_await_reconnect();
    }
    let output = submit.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{said}");
    assert!(said.contains(&format!("submitted {count} jobs")), "{said}");
    assert!(
        said.contains(&format!("{count} jobs succeeded, 0 failed")),
        "{said}"
    );
    assert!(
        said.contains("rode out 4 lost broker connections"),
        "{said}"
    );

    // Every document converted once: one set each, never rewritten.
    let store = harness.store();
    let verified = rapporteur_manifest::verify(&store, None).unwrap();
    assert_eq!(verified.manifests, count);
    assert!(verified.is_intact(), "{:?}", verified.findings);
    for i in (0..count).step_by(50) {
        let manifest = rapporteur_manifest::read(&store, &format!("doc-{i:04}.manifest.json"))
            .unwrap()
            .unwrap();
        assert_eq!(manifest.version, 1, "doc-{i:04}");
    }
    // The report has every input once, all converted (or found current
    // when a job was republished after a lost confirm).
    let rows = rapporteur_test_tools::python(
        "import csv, sys, collections\n\
         rows = list(csv.DictReader(open(sys.argv[1])))\n\
         print(len(rows), len({r['key'] for r in rows}), sorted(collections.Counter(r['status'] for r in rows)))",
        &[report.path()],
    );
    assert!(
        rows.starts_with(&format!("{count} {count} ['converted'"))
            && !rows.contains("rejected")
            && !rows.contains("failed"),
        "{rows}"
    );
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_as_archive_uploads_one_job_and_reports_every_document() {
    let Some((worker_binary, _alone)) = prerequisites().await else {
        return;
    };
    let harness = Harness::with_default_topology("submit-archive").await;
    let input = tempfile::tempdir().unwrap();
    let zip_path = input.path().join("forum-2024.zip");
    {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let seed = std::fs::read(repo().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
        for i in 0..30 {
            zip.start_file(
                format!("day-{}/session-{i:02}.txt", i % 3),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            zip.write_all(&seed).unwrap();
        }
        zip.start_file("day-0/press.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"FOR IMMEDIATE RELEASE\n\nITU announces a thing.\n")
            .unwrap();
        zip.finish().unwrap();
    }
    let storage = harness.storage_path().to_path_buf();
    let mut worker = harness.start_worker(&worker_binary, &[]);
    let report = input.path().join("report.csv");
    let submit = || {
        Command::new(env!("CARGO_BIN_EXE_rapporteur"))
            .args([
                "submit",
                zip_path.to_str().unwrap(),
                "--as-archive",
                "--wait",
            ])
            .args(["--storage", storage.to_str().unwrap()])
            .args(["--queue-prefix", &harness.prefix])
            .args(["--report", report.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let output = submit();
    let said = String::from_utf8_lossy(&output.stderr);
    // A refused document fails the run, as in `convert`.
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains("submitted 1 jobs"), "{said}");
    assert!(
        said.contains("30 converted, 0 already current, 1 refused, of 31; report"),
        "{said}"
    );
    let rows = rapporteur_test_tools::python(
        "import csv, sys\n\
         for r in csv.DictReader(open(sys.argv[1])):\n\
         \x20   print(r['key'], r['status'], r['error_code'], bool(r['json_sha256']), bool(r['pdf_sha256']), bool(r['docx_sha256']))",
        &[&report],
    );
    let rows: Vec<&str> = rows.lines().collect();
    assert_eq!(rows.len(), 31, "{rows:?}");
    assert!(rows.contains(&"forum-2024/day-0/press rejected not_a_summary False False False"));
    assert!(rows.contains(&"forum-2024/day-2/session-29 converted  True True True"));
    // Every format by default, under the archive's name.
    for format in ["json", "pdf", "docx"] {
        assert!(
            storage
                .join(format!("forum-2024/day-1/session-01.{format}"))
                .exists()
        );
    }
    assert!(storage.join("forum-2024.report.csv").exists());
    // Submitted again: the same object and job; its worker only says
    // again how it ended.
    let again = submit();
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains("30 converted, 0 already current, 1 refused, of 31"),
        "{said}"
    );
    let inbox: Vec<_> = std::fs::read_dir(storage.join("inbox")).unwrap().collect();
    assert_eq!(inbox.len(), 1, "one upload, named by its checksum");
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}
