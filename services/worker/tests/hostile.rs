//! Hostile jobs against a real worker and broker: each case is a message or
//! a source a client can send, and each must end in a dead letter with its
//! reason and a `job.failed` event, while the worker keeps its connection
//! and the next job still succeeds. The tests run one at a time, since some
//! make the storage root immutable.

use std::time::Duration;

use rapporteur_jobs::JobStatus;
use rapporteur_test_tools::Tool;
use rapporteur_test_tools::broker::lapin::BasicProperties;
use rapporteur_test_tools::broker::lapin::types::{AMQPValue, FieldTable};
use rapporteur_test_tools::broker::*;
use tokio::sync::Mutex;

static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

const WORKER: &str = env!("CARGO_BIN_EXE_rapporteur-worker");

fn seed() -> String {
    example("wsis-cooperation-sdgs.txt")
}

/// The dead letters of a harness, as (error code, error message) pairs.
async fn dead_letters(harness: &Harness) -> Vec<(String, String)> {
    harness
        .take_all(&harness.topology.dead_letter_queue())
        .await
        .iter()
        .map(|(_, properties)| {
            (
                header_string(properties, rapporteur_broker::ERROR_CODE_HEADER)
                    .expect("a dead letter carries its code"),
                header_string(properties, rapporteur_broker::ERROR_MESSAGE_HEADER)
                    .expect("a dead letter carries its reason"),
            )
        })
        .collect()
}

/// A job id longer than an AMQP short string (255 bytes) used to panic the
/// worker when it built the result's correlation id, on every redelivery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlong_or_spoofing_job_id_is_dead_lettered_and_the_worker_carries_on() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("long-id").await;
    let long_id = "j".repeat(300);
    harness
        .publish(&[
            text_job(&long_id, "a.txt", &seed(), Some("long")),
            text_job("evil\u{202e}fdp", "b.txt", &seed(), Some("bidi")),
            text_job("good-1", "c.txt", &seed(), Some("good")),
        ])
        .await;
    let mut worker = harness.start_worker(WORKER, &[]);
    let results = harness.results(2, Duration::from_secs(60)).await;
    assert_eq!(results["good-1"].status, JobStatus::Succeeded);
    // Neither bad id is echoed as an id: the events carry "" and say why.
    let failed = &results[""];
    assert_eq!(failed.status, JobStatus::Failed);
    assert_eq!(failed.error.as_ref().unwrap().code, "invalid_job_id");
    let dead = dead_letters(&harness).await;
    assert_eq!(dead.len(), 2, "{dead:?}");
    for (code, message) in &dead {
        assert_eq!(code, "invalid_job_id");
        assert!(message.len() < 1000, "{message}");
        assert!(!message.contains('\u{202e}'), "{message}");
    }
    assert!(
        worker.try_wait().unwrap().is_none(),
        "the worker is still running"
    );
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// A 200 KB version (or field name) echoed into the `x-rapporteur-error`
/// header made the broker close the connection (`frame_too_large`), dropping
/// every in-flight job, again and again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_client_values_are_bounded_in_headers_events_and_logs() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("huge").await;
    let huge = "9".repeat(200_000);
    let job = |value: serde_json::Value| serde_json::to_vec(&value).unwrap();
    let mut unknown_field = serde_json::json!({"version": "1", "job_id": "huge-field", "source": {"kind": "path", "path": "a.txt"}});
    unknown_field[format!("x{huge}")] = 1.into();
    let jobs = vec![
        job(
            serde_json::json!({"version": huge, "job_id": "huge-version", "source": {"kind": "path", "path": "a.txt"}}),
        ),
        job(unknown_field),
        job(
            serde_json::json!({"version": "1", "job_id": "huge-format", "source": {"kind": "path", "path": "a.txt"}, "formats": [huge]}),
        ),
        job(
            serde_json::json!({"version": "1", "job_id": "huge-key", "source": {"kind": "text", "name": "a.txt", "text": "x"}, "key": format!("k/{huge}")}),
        ),
        job(
            serde_json::json!({"version": "1", "job_id": "huge-path", "source": {"kind": "path", "path": format!("in/{huge}.txt")}}),
        ),
        text_job("good-2", "seed.txt", &seed(), Some("good")),
    ];
    harness.publish(&jobs).await;
    let mut worker = harness.start_worker(WORKER, &[]);
    let results = harness.results(jobs.len(), Duration::from_secs(60)).await;
    assert_eq!(results.len(), jobs.len(), "{:?}", results.keys());
    assert_eq!(results["good-2"].status, JobStatus::Succeeded);
    for id in ["huge-version", "huge-format", "huge-key", "huge-path"] {
        let error = results[id].error.as_ref().unwrap();
        assert!(
            error.message.len() < 2100,
            "{id}: {} bytes",
            error.message.len()
        );
        // "… (200002 bytes)" as rapporteur-untrusted shows a value, or
        // "is 200002 bytes long" as a refused key says it.
        assert!(
            error.message.contains("(200") || error.message.contains("is 200"),
            "{id} says how long: {}",
            error.message
        );
    }
    let dead = dead_letters(&harness).await;
    assert_eq!(dead.len(), jobs.len() - 1);
    for (_, message) in dead {
        assert!(message.len() < 2100, "{} bytes", message.len());
    }
    assert!(worker.try_wait().unwrap().is_none());
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// A FIFO as a path source used to block its job forever (and four of them
/// the whole worker); SIGTERM then never ended the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_or_directory_source_is_refused_and_sigterm_still_exits() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("fifo").await;
    let inbox = harness.storage_path().join("inbox");
    std::fs::create_dir_all(inbox.join("dir.txt")).unwrap();
    let mut jobs = Vec::new();
    for i in 0..4 {
        let fifo = inbox.join(format!("fifo-{i}.txt"));
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        jobs.push(
            serde_json::to_vec(&serde_json::json!({"version": "1", "job_id": format!("fifo-{i}"), "source": {"kind": "path", "path": format!("inbox/fifo-{i}.txt")}})).unwrap(),
        );
    }
    jobs.push(serde_json::to_vec(&serde_json::json!({"version": "1", "job_id": "dir", "source": {"kind": "path", "path": "inbox/dir.txt"}})).unwrap());
    jobs.push(text_job("good-3", "seed.txt", &seed(), Some("good")));
    harness.publish(&jobs).await;
    let mut worker = harness.start_worker(WORKER, &["--concurrency", "2"]);
    let results = harness.results(jobs.len(), Duration::from_secs(60)).await;
    assert_eq!(results.len(), jobs.len(), "{:?}", results.keys());
    assert_eq!(results["good-3"].status, JobStatus::Succeeded);
    for id in ["fifo-0", "fifo-1", "fifo-2", "fifo-3", "dir"] {
        let error = results[id].error.as_ref().unwrap();
        assert_eq!(error.code, "not_a_file", "{id}: {}", error.message);
        assert_eq!(results[id].attempts, 1, "a permanent failure");
    }
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// A client's `x-rapporteur-attempt: 0` sent a transiently failing job to a
/// retry queue that does not exist: the broker dropped it, confirmed, and the
/// job was acked and lost. The attempt count is now the broker's, and a
/// publish nobody receives is a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_attempt_header_cannot_lose_or_loop_a_job() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("attempt").await;
    // Root ignores permission bits, so a directory is made immutable to
    // fail the job's writes for a transient reason.
    let locked = harness.storage_path().join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&locked)
        .status();
    if !immutable.is_ok_and(|s| s.success()) {
        let help = "`chattr +i` is needed to make a directory read-only for root (package e2fsprogs, ext4 file system)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{help}");
        eprintln!("skipped: {help}");
        return;
    }
    let forged = |attempt: i64| {
        let mut headers = FieldTable::default();
        headers.insert(
            rapporteur_broker::ATTEMPT_HEADER.into(),
            AMQPValue::LongLongInt(attempt),
        );
        BasicProperties::default().with_headers(headers)
    };
    harness
        .publish_with(
            &[text_job("zero", "seed.txt", &seed(), Some("locked/zero"))],
            forged(0),
        )
        .await;
    harness
        .publish_with(
            &[text_job(
                "negative",
                "seed.txt",
                &seed(),
                Some("locked/negative"),
            )],
            forged(-5),
        )
        .await;
    let mut worker = harness.start_worker(WORKER, &[]);
    let results = harness.results(2, Duration::from_secs(60)).await;
    std::process::Command::new("chattr")
        .arg("-i")
        .arg(&locked)
        .status()
        .unwrap();
    for id in ["zero", "negative"] {
        let result = results
            .get(id)
            .unwrap_or_else(|| panic!("{id} was lost: {results:?}"));
        assert_eq!(result.status, JobStatus::Failed);
        assert_eq!(result.error.as_ref().unwrap().code, "storage_unavailable");
        assert_eq!(result.attempts, topology_settings().max_attempts, "{id}");
    }
    assert_eq!(dead_letters(&harness).await.len(), 2);
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// A converter that fails the way a hostile document can make the real one
/// fail, by the job it is given: it crashes (as a stack overflow aborts), it
/// hangs, or it runs out of memory (what Rust prints when the address-space
/// limit refuses an allocation); any other job goes to the real converter.
const FAULTY_CONVERTER: &str = r#"#!/bin/sh
body=$(cat)
case "$body" in
  *poison-crash*) kill -SEGV $$ ;;
  *poison-hang*) exec sleep 600 ;;
  *poison-memory*) echo "memory allocation of 4294967296 bytes failed" >&2; kill -ABRT $$ ;;
esac
printf '%s' "$body" | exec "$REAL_CONVERTER" "$@"
"#;

/// A job that crashes, hangs or exhausts memory in the converter is
/// dead-lettered with its own reason and a `job.failed` event, and the jobs
/// converted beside it by the same worker succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converter_crashes_hangs_and_memory_exhaustion_cost_only_their_own_job() {
    use std::os::unix::fs::PermissionsExt;
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("isolate").await;
    let scripts = tempfile::tempdir().unwrap();
    let converter = scripts.path().join("converter.sh");
    std::fs::write(&converter, FAULTY_CONVERTER).unwrap();
    std::fs::set_permissions(&converter, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut jobs = Vec::new();
    for id in ["poison-crash", "poison-hang", "poison-memory"] {
        jobs.push(text_job(id, "seed.txt", &seed(), Some(id)));
    }
    for i in 0..6 {
        jobs.push(text_job(
            &format!("good-{i}"),
            "seed.txt",
            &seed(),
            Some(&format!("good/{i}")),
        ));
    }
    harness.publish(&jobs).await;
    let converter_arg = converter.to_str().unwrap();
    let mut worker = WorkerProcess(
        harness
            .worker_command(
                WORKER,
                &[
                    "--isolate",
                    "all",
                    "--job-timeout-secs",
                    "3",
                    "--converter-program",
                    converter_arg,
                ],
            )
            .env("REAL_CONVERTER", WORKER)
            .spawn()
            .unwrap(),
    );
    let results = harness.results(jobs.len(), Duration::from_secs(120)).await;
    assert_eq!(results.len(), jobs.len(), "{:?}", results.keys());
    for (id, code) in [
        ("poison-crash", "converter_crashed"),
        ("poison-hang", "timeout"),
        ("poison-memory", "too_large"),
    ] {
        let result = &results[id];
        assert_eq!(result.status, JobStatus::Failed, "{id}");
        assert_eq!(result.error.as_ref().unwrap().code, code, "{id}");
        assert_eq!(
            result.key.as_deref(),
            Some(id),
            "{id}: the event names its job"
        );
        assert_eq!(result.attempts, 1, "{id}: dead-lettered, not retried");
    }
    let reference = std::fs::read(harness.storage_path().join("good/0.json")).unwrap();
    for i in 0..6 {
        let result = &results[&format!("good-{i}")];
        assert_eq!(result.status, JobStatus::Succeeded, "{result:?}");
        assert_eq!(
            std::fs::read(harness.storage_path().join(format!("good/{i}.json"))).unwrap(),
            reference
        );
    }
    let mut codes: Vec<String> = dead_letters(&harness)
        .await
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    codes.sort();
    assert_eq!(codes, ["converter_crashed", "timeout", "too_large"]);
    assert!(
        worker.try_wait().unwrap().is_none(),
        "the worker itself never crashed"
    );
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// The real converter in a child under its address-space limit: a document
/// that needs more memory than a job may use (150,000 bullets set as a PDF)
/// is dead-lettered as `too_large`, and a normal one converts. Measured on
/// this debug build (VmPeak at exit): the seed needs 73 MB of address space
/// (34 MB of it the binary's own mappings), the bullets 335 MB; the limit,
/// 128 MB, is well clear of both (64 MB failed the seed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_that_exhausts_the_child_memory_limit_is_too_large() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("memory").await;
    let bullets: String = (0..150_000)
        .map(|i| format!("- point number {i} about connectivity\n"))
        .collect();
    let job = |id: &str, text: String| {
        serde_json::to_vec(&serde_json::json!({"version": "1", "job_id": id, "source": {"kind": "text", "name": "s.txt", "text": text}, "key": id})).unwrap()
    };
    let jobs = vec![
        job("bullets", format!("{}\n{bullets}", seed())),
        job("normal", seed()),
    ];
    harness.publish(&jobs).await;
    let mut worker = harness.start_worker(
        WORKER,
        &[
            "--isolate",
            "all",
            "--child-memory-mb",
            "128",
            "--max-input-bytes",
            "10000000",
        ],
    );
    let results = harness.results(jobs.len(), Duration::from_secs(120)).await;
    assert_eq!(
        results["normal"].status,
        JobStatus::Succeeded,
        "{:?}",
        results["normal"]
    );
    let error = results["bullets"]
        .error
        .as_ref()
        .expect("the big job failed");
    assert_eq!(error.code, "too_large", "{}", error.message);
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// `/readyz` said ready on a full disk, where creating an empty file still
/// works but no output can be written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_not_ready_on_a_full_disk() {
    use std::io::{Read, Write};
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("full").await;
    // The harness's storage root itself becomes a 1 MB file system.
    let small = harness.storage_path().to_path_buf();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&small)
        .status();
    if !mounted.is_ok_and(|s| s.success()) {
        let help =
            "mounting a 1 MB tmpfs (as root) is needed to give the worker a nearly full disk";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{help}");
        eprintln!("skipped: {help}");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut worker = harness.start_worker(WORKER, &["--metrics-addr", &addr]);
    // Wait for the endpoint, then for the broker connection.
    let mut response = String::new();
    for _ in 0..300 {
        response.clear();
        if let Ok(mut stream) = std::net::TcpStream::connect(&addr) {
            let _ = write!(
                stream,
                "GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.read_to_string(&mut response);
            if !response.contains("not connected") && !response.is_empty() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    signal_and_wait(&mut worker, "TERM");
    let _ = std::process::Command::new("umount").arg(&small).status();
    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    assert!(response.contains("bytes free"), "{response}");
    harness.cleanup().await;
}
