//! The worker's promises, each proven against the real broker: nothing is
//! dropped, nothing loops forever, outputs match a reference conversion even
//! when workers are killed or connections cut, and SIGTERM drains.
//!
//! The tests run one at a time: `rabbitmqctl close_all_connections` would
//! otherwise cut the other tests' workers too.

use std::collections::BTreeSet;
use std::time::Duration;

use rapporteur_jobs::JobStatus;
use rapporteur_pipeline::Converter;
use rapporteur_render::Format;
use rapporteur_storage::{OutputKey, Storage};
use rapporteur_test_tools::Tool;
use rapporteur_test_tools::broker::*;
use rapporteur_test_tools::rabbitmqctl;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

const WORKER: &str = env!("CARGO_BIN_EXE_rapporteur-worker");

static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

const INPUTS: [&str; 4] = [
    "wsis-cooperation-sdgs.txt",
    "ai-health-workshop.txt",
    "small-islands-connectivity.txt",
    "resume-atelier-cybersecurite.txt",
];

/// `count` jobs over the example inputs, each with its own key, and the
/// reference JSON of each input converted in-process.
fn bulk_jobs(count: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let reference_root = tempfile::tempdir().unwrap();
    let storage = Storage::open_dir(reference_root.path()).unwrap();
    let references: Vec<Vec<u8>> = INPUTS
        .iter()
        .map(|name| {
            let key = OutputKey::new("reference").unwrap();
            Converter::default()
                .convert(
                    name,
                    example(name).as_bytes(),
                    &[Format::Json],
                    &key,
                    &storage,
                )
                .unwrap();
            std::fs::read(reference_root.path().join("reference.json")).unwrap()
        })
        .collect();
    let jobs = (0..count)
        .map(|i| {
            let name = INPUTS[i % INPUTS.len()];
            text_job(
                &format!("job-{i}"),
                name,
                &example(name),
                Some(&format!("bulk/{i:04}")),
            )
        })
        .collect();
    (jobs, references)
}

/// Every job succeeded once, its outputs are in storage and equal to the
/// reference, the event's checksum is the object's, every manifest verifies
/// (as `rapporteur verify` checks it), and the DLQ is empty.
async fn assert_all_converted(harness: &Harness, count: usize, references: &[Vec<u8>]) {
    let results = harness.results(count, Duration::from_secs(240)).await;
    assert_eq!(results.len(), count, "every job has a result event");
    let store = harness.store();
    for (i, reference) in (0..count).map(|i| (i, &references[i % references.len()])) {
        let result = &results[&format!("job-{i}")];
        assert_eq!(result.status, JobStatus::Succeeded, "{result:?}");
        let object = format!("bulk/{i:04}.json");
        let written = store
            .read(&object, 1 << 24)
            .unwrap_or_else(|e| panic!("{object}: {e}"));
        assert!(
            written == *reference,
            "job-{i}'s output differs from the reference conversion"
        );
        assert_eq!(
            result.outputs[0].sha256,
            format!("{:x}", Sha256::digest(&written))
        );
        assert_eq!(result.outputs[0].path, format!("bulk/{i:04}.json"));
        assert_eq!(
            result.manifest.as_deref(),
            Some(format!("bulk/{i:04}.manifest.json").as_str())
        );
    }
    let tally = rapporteur_manifest::verify(&store, Some("bulk/")).unwrap();
    assert_eq!((tally.manifests, tally.intact), (count, count));
    assert!(tally.is_intact(), "{:?}", tally.findings);
    assert!(
        harness
            .take_all(&harness.topology.dead_letter_queue())
            .await
            .is_empty(),
        "the DLQ is empty"
    );
}

/// Jobs spread over three workers, one killed with SIGKILL once the run
/// is under way: its unacknowledged jobs are redelivered to the others.
async fn workers_one_killed_mid_run(harness: Harness, count: usize) {
    let (jobs, references) = bulk_jobs(count);
    harness.publish(&jobs).await;
    let mut workers: Vec<_> = (0..3).map(|_| harness.start_worker(WORKER, &[])).collect();
    harness.results(count / 10, Duration::from_secs(60)).await;
    signal_and_wait(&mut workers[0], "KILL");
    assert_all_converted(&harness, count, &references).await;
    for worker in &mut workers[1..] {
        assert!(signal_and_wait(worker, "TERM").success());
    }
    harness.cleanup().await;
}

/// The broker closes every connection mid-run; the workers reconnect.
async fn jobs_survive_the_broker_closing_every_connection(harness: Harness, count: usize) {
    let (jobs, references) = bulk_jobs(count);
    harness.publish(&jobs).await;
    let mut workers: Vec<_> = (0..2).map(|_| harness.start_worker(WORKER, &[])).collect();
    harness.results(count / 10, Duration::from_secs(60)).await;
    rabbitmqctl::run(&["close_all_connections", "rapporteur reliability test"]);
    assert_all_converted(&harness, count, &references).await;
    for worker in &mut workers {
        assert!(signal_and_wait(worker, "TERM").success());
    }
    harness.cleanup().await;
}

/// Given the URLs of several nodes, a worker whose first node does not
/// answer fails over to the next and converts everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_fails_over_to_the_next_broker_url() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("failover").await;
    let (jobs, references) = bulk_jobs(100);
    harness.publish(&jobs).await;
    // A port nothing listens on: bind, read it, let it go.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut worker = WorkerProcess(
        harness
            .worker_command(WORKER, &[])
            .env(
                "AMQP_URL",
                format!("amqp://guest:guest@127.0.0.1:{dead}/%2f,{AMQP_URL}"),
            )
            .spawn()
            .unwrap(),
    );
    assert_all_converted(&harness, 100, &references).await;
    assert!(signal_and_wait(&mut worker.0, "TERM").success());
    harness.cleanup().await;
}

/// Scale-out on a three-node RabbitMQ cluster: two workers given every
/// node's URL, 2,000 jobs, and the node that leads the jobs queue stopped
/// mid-run. The quorum queues elect new leaders, the workers fail over to
/// the other nodes, and every job is converted, equal to the reference,
/// with nothing dead-lettered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_loses_the_node_leading_the_jobs_queue_and_loses_no_job() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let started = std::time::Instant::now();
    let cluster = Cluster::start(3);
    eprintln!(
        "three-node cluster up in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let harness = Harness::on_cluster("cluster", cluster.urls()).await;
    let (jobs, references) = bulk_jobs(2000);
    harness.publish(&jobs).await;
    let mut workers: Vec<_> = (0..2).map(|_| harness.start_worker(WORKER, &[])).collect();
    harness.results(200, Duration::from_secs(60)).await;
    let leader = cluster.leader_of(&harness.topology.jobs_queue());
    let run = std::time::Instant::now();
    cluster.stop_node(&leader);
    assert_all_converted(&harness, 2000, &references).await;
    eprintln!(
        "the rest of the 2,000 jobs done {:.1} s after {leader} stopped",
        run.elapsed().as_secs_f64()
    );
    for worker in &mut workers {
        assert!(signal_and_wait(worker, "TERM").success());
    }
    harness.cleanup().await;
}

/// Jobs on S3 in the tests below: moto answers a few hundred requests a
/// second, and every job makes about five.
const S3_JOBS: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_jobs_three_workers_one_killed_mid_run() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    workers_one_killed_mid_run(Harness::new("kill").await, 1000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_s3_jobs_three_workers_one_killed_mid_run() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let Some(harness) = Harness::on_s3("kill-s3").await else {
        return;
    };
    workers_one_killed_mid_run(harness, S3_JOBS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_jobs_survive_the_broker_closing_every_connection() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    jobs_survive_the_broker_closing_every_connection(Harness::new("close").await, 1000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_s3_jobs_survive_the_broker_closing_every_connection() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let Some(harness) = Harness::on_s3("close-s3").await else {
        return;
    };
    jobs_survive_the_broker_closing_every_connection(harness, S3_JOBS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_jobs_are_dead_lettered_with_their_reason_and_the_rest_succeed() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    poison_jobs(Harness::new("poison").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_s3_poison_jobs_are_dead_lettered_with_their_reason_and_the_rest_succeed() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let Some(harness) = Harness::on_s3("poison-s3").await else {
        return;
    };
    poison_jobs(harness).await;
}

/// Poison jobs of every kind beside two good ones, a `path` source read
/// from the storage among them.
async fn poison_jobs(harness: Harness) {
    let seed = example("wsis-cooperation-sdgs.txt");
    let store = harness.store();
    store
        .write_objects(&[("inbox/seed.txt", seed.as_bytes())])
        .unwrap();
    let job = |value: serde_json::Value| serde_json::to_vec(&value).unwrap();
    let text = |id: &str| serde_json::json!({"version": "1", "job_id": id, "source": {"kind": "text", "name": "s.txt", "text": seed}});
    let mut unknown_format = text("unknown-format");
    unknown_format["formats"] = serde_json::json!(["odt"]);
    let mut traversal = text("traversal");
    traversal["key"] = "../../escaped".into();
    let oversize = format!("{seed}\n{}", "x".repeat(20_000));
    let mut bad_dms = text("bad-dms");
    bad_dms["metadata"] = serde_json::json!({"dms": {"created": "soon"}});
    let jobs = vec![
        job(text("good-inline")),
        job(
            serde_json::json!({"version": "1", "job_id": "good-path", "source": {"kind": "path", "path": "inbox/seed.txt"}, "formats": ["json"]}),
        ),
        b"{ this is not json".to_vec(),
        job(unknown_format),
        job(
            serde_json::json!({"version": "1", "job_id": "press", "source": {"kind": "text", "name": "press.txt", "text": "FOR IMMEDIATE RELEASE\n\nITU announces."}}),
        ),
        job(traversal),
        job(bad_dms),
        job(
            serde_json::json!({"version": "1", "job_id": "oversize", "source": {"kind": "text", "name": "big.txt", "text": oversize}}),
        ),
        job(
            serde_json::json!({"version": "1", "job_id": "path-escape", "source": {"kind": "path", "path": "../../../etc/passwd"}}),
        ),
        job(
            serde_json::json!({"version": "1", "job_id": "bad-base64", "source": {"kind": "base64", "name": "a.docx", "data": "@@@"}}),
        ),
        job(
            serde_json::json!({"version": "2", "job_id": "future-version", "source": {"kind": "path", "path": "inbox/seed.txt"}}),
        ),
    ];
    harness.publish(&jobs).await;
    let mut worker = harness.start_worker(WORKER, &["--max-input-bytes", "10000"]);
    let results = harness.results(jobs.len(), Duration::from_secs(60)).await;

    let expected_failures = [
        ("", "bad_json"),
        ("unknown-format", "unknown_format"),
        ("press", "not_a_summary"),
        ("traversal", "invalid_key"),
        ("bad-dms", "invalid_metadata"),
        ("oversize", "too_large"),
        ("path-escape", "invalid_path"),
        ("bad-base64", "bad_base64"),
        ("future-version", "unsupported_version"),
    ];
    for (job_id, code) in expected_failures {
        let result = results
            .get(job_id)
            .unwrap_or_else(|| panic!("no result for {job_id:?}: {results:#?}"));
        assert_eq!(result.status, JobStatus::Failed);
        let error = result.error.as_ref().unwrap();
        assert_eq!(error.code, code, "{job_id}: {}", error.message);
        assert!(!error.message.is_empty());
        assert_eq!(result.attempts, 1, "a permanent failure is not retried");
    }
    assert_eq!(results["press"].error.as_ref().unwrap().line, Some(1));
    for id in ["good-inline", "good-path"] {
        assert_eq!(
            results[id].status,
            JobStatus::Succeeded,
            "{:?}",
            results[id]
        );
    }
    assert!(store.exists("s.json").unwrap());
    assert!(store.exists("seed.json").unwrap());
    assert!(!harness.storage_path().join("../../escaped.json").exists());
    let tally = rapporteur_manifest::verify(&store, None).unwrap();
    assert_eq!((tally.manifests, tally.objects), (2, 4));
    assert!(tally.is_intact(), "{:?}", tally.findings);

    let dead = harness
        .take_all(&harness.topology.dead_letter_queue())
        .await;
    let codes: BTreeSet<String> = dead
        .iter()
        .map(|(_, properties)| {
            let headers = properties
                .headers()
                .as_ref()
                .expect("dead letters carry their reason");
            let code = headers
                .inner()
                .get(rapporteur_broker::ERROR_CODE_HEADER)
                .expect("error code header");
            let reason = headers
                .inner()
                .get(rapporteur_broker::ERROR_MESSAGE_HEADER)
                .expect("error message header");
            assert!(!format!("{reason:?}").is_empty());
            match code {
                lapin::types::AMQPValue::LongString(s) => {
                    String::from_utf8_lossy(s.as_bytes()).into_owned()
                }
                other => panic!("unexpected header {other:?}"),
            }
        })
        .collect();
    let expected: BTreeSet<String> = expected_failures
        .iter()
        .map(|(_, code)| code.to_string())
        .collect();
    assert_eq!(
        codes, expected,
        "one dead letter per poison job, with its reason"
    );
    assert_eq!(dead.len(), expected_failures.len());
    // How every job with an id ended is recorded in storage, equal to its
    // event: the job state the API reports.
    for (id, result) in results.iter().filter(|(id, _)| !id.is_empty()) {
        let object = rapporteur_jobs::job_result_object(id);
        let record = store
            .read(&object, 1 << 20)
            .unwrap_or_else(|e| panic!("{id}: no record at {object}: {e}"));
        let recorded: rapporteur_jobs::JobResult = serde_json::from_slice(&record).unwrap();
        assert_eq!(&recorded, result, "{id}");
    }
    assert!(
        worker.try_wait().unwrap().is_none(),
        "the worker carries on after poison jobs"
    );
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// Makes `path` immutable (root ignores permission bits); false, after
/// saying why, where `chattr +i` cannot (fails the test under CI=true).
fn make_immutable(path: &std::path::Path) -> bool {
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(path)
        .status();
    if !immutable.is_ok_and(|s| s.success()) {
        let help = "`chattr +i` is needed to make a directory read-only for root (package e2fsprogs, ext4 file system)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{help}");
        eprintln!("skipped: {help}");
        return false;
    }
    true
}

fn make_mutable(path: &std::path::Path) {
    std::process::Command::new("chattr")
        .arg("-i")
        .arg(path)
        .status()
        .unwrap();
}

/// One folder the job writes to cannot be written, while the storage as a
/// whole can: the job's own problem, retried with backoff, then
/// dead-lettered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_folder_is_retried_with_backoff_then_dead_lettered() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("readonly").await;
    let locked = harness.storage_path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    if !make_immutable(&locked) {
        harness.cleanup().await;
        return;
    }
    harness
        .publish(&[text_job(
            "ro",
            "seed.txt",
            &example("wsis-cooperation-sdgs.txt"),
            Some("locked/seed"),
        )])
        .await;
    let mut worker = harness.start_worker(WORKER, &[]);
    let results = harness.results(1, Duration::from_secs(60)).await;
    make_mutable(&locked);
    let result = &results["ro"];
    assert_eq!(result.status, JobStatus::Failed);
    assert_eq!(result.error.as_ref().unwrap().code, "storage_unavailable");
    assert_eq!(
        result.attempts,
        topology_settings().max_attempts,
        "tried the full number of times"
    );
    assert_eq!(
        harness
            .take_all(&harness.topology.dead_letter_queue())
            .await
            .len(),
        1
    );
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// The storage as a whole is down (its root cannot be written): instead of
/// spending every job's attempts and dead-lettering the backlog, the worker
/// returns its jobs to the queue and stops consuming until storage is back,
/// then converts them all, each on its first counted attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_outage_pauses_consumption_and_loses_nothing() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("outage").await;
    let root = harness.storage_path().to_path_buf();
    if !make_immutable(&root) {
        harness.cleanup().await;
        return;
    }
    let (jobs, references) = bulk_jobs(40);
    harness.publish(&jobs).await;
    let mut worker = harness.start_worker(WORKER, &[]);
    // With retries 100 ms apart and three attempts, the old worker had
    // dead-lettered every job well within this time.
    let during = harness.results(1, Duration::from_secs(6)).await;
    let dead = harness
        .take_all(&harness.topology.dead_letter_queue())
        .await;
    make_mutable(&root);
    assert!(
        during.is_empty(),
        "no job ended during the outage: {during:?}"
    );
    assert!(
        dead.is_empty(),
        "nothing was dead-lettered during the outage"
    );
    assert!(
        worker.try_wait().unwrap().is_none(),
        "the worker waits out the outage"
    );
    assert_all_converted(&harness, 40, &references).await;
    let results = harness.results(40, Duration::from_secs(1)).await;
    assert!(
        results.values().all(|r| r.attempts == 1),
        "the outage cost no job an attempt"
    );
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_jobs_and_loses_none() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("drain").await;
    let (jobs, _) = bulk_jobs(2000);
    harness.publish(&jobs).await;
    let mut worker = harness.start_worker(WORKER, &["--prefetch", "50"]);
    harness.results(50, Duration::from_secs(60)).await;
    let status = signal_and_wait(&mut worker, "TERM");
    assert!(status.success(), "SIGTERM exits 0, got {status}");

    // Every job either finished (event published, outputs whole) or is back
    // in the queue untouched: none is lost or half done.
    let done = harness.results(0, Duration::from_secs(1)).await;
    let waiting = harness.take_all(&harness.topology.jobs_queue()).await;
    let mut ids: BTreeSet<String> = done.keys().cloned().collect();
    for (body, _) in &waiting {
        let job: rapporteur_jobs::JobRequest = serde_json::from_slice(body).unwrap();
        ids.insert(job.job_id);
    }
    assert_eq!(
        ids.len(),
        2000,
        "{} done + {} waiting",
        done.len(),
        waiting.len()
    );
    assert!(
        !done.is_empty() && !waiting.is_empty(),
        "the stop came mid-run"
    );
    for result in done.values() {
        let path = harness.storage_path().join(&result.outputs[0].path);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            result.outputs[0].sha256,
            format!("{:x}", Sha256::digest(&bytes))
        );
    }
    harness.cleanup().await;
}

/// A plain HTTP GET (the endpoints are for probes and scrapers, which speak
/// just this much HTTP).
fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_endpoints() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("metrics").await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut worker = harness.start_worker(WORKER, &["--metrics-addr", &addr]);
    harness
        .publish(&[text_job(
            "m1",
            "seed.txt",
            &example("wsis-cooperation-sdgs.txt"),
            None,
        )])
        .await;
    harness.results(1, Duration::from_secs(60)).await;

    assert_eq!(http_get(&addr, "/healthz").0, 200);
    let (status, body) = http_get(&addr, "/readyz");
    assert_eq!(status, 200, "{body}");
    let (status, metrics) = http_get(&addr, "/metrics");
    assert_eq!(status, 200);
    for line in [
        "rapporteur_jobs_total{status=\"succeeded\"} 1",
        "rapporteur_outputs_total{format=\"json\"} 1",
        "rapporteur_job_duration_seconds_count 1",
        "rapporteur_jobs_in_flight 0",
        "rapporteur_job_retries_total 0",
        "rapporteur_jobs_dead_lettered_total 0",
    ] {
        assert!(metrics.contains(line), "missing {line:?} in:\n{metrics}");
    }
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// A worker takes every job it is handed at once, but converts only
/// `--concurrency` of them at a time, on that many threads of its own: a
/// job waiting for its commit or its confirms holds no conversion slot, so
/// the next converts meanwhile (the jobs queued behind one converting job
/// once left the cores idle during every commit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_in_hand_wait_for_a_conversion_slot_not_for_each_other() {
    let _serial = ONE_AT_A_TIME.lock().await;
    if !Tool::RabbitMq.available() {
        return;
    }
    let harness = Harness::new("slots").await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let count = 300;
    let (jobs, references) = bulk_jobs(count);
    harness.publish(&jobs).await;
    let mut worker = harness.start_worker(
        WORKER,
        &[
            "--concurrency",
            "1",
            "--prefetch",
            "16",
            "--metrics-addr",
            &addr,
        ],
    );
    // The most jobs in hand at once, read from /metrics while they run.
    let sampling = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let mut most = 0;
        while started.elapsed() < Duration::from_secs(120) {
            // Until the worker listens, there is nothing to read.
            if std::net::TcpStream::connect(&addr).is_ok() {
                let (_, body) = http_get(&addr, "/metrics");
                let jobs_done = body
                    .lines()
                    .filter(|l| l.starts_with("rapporteur_jobs_total"))
                    .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                    .sum::<f64>();
                if let Some(now) = body
                    .lines()
                    .find_map(|l| l.strip_prefix("rapporteur_jobs_in_flight "))
                    .and_then(|n| n.trim().parse::<f64>().ok())
                {
                    most = most.max(now as usize);
                }
                if jobs_done as usize >= count {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        most
    });
    assert_all_converted(&harness, count, &references).await;
    let most_in_hand = sampling.join().unwrap();
    assert!(
        most_in_hand > 1,
        "with one conversion slot, jobs in hand went up to {most_in_hand}"
    );
    // Conversions ran on one thread of their own.
    let mut converting = BTreeSet::new();
    for task in std::fs::read_dir(format!("/proc/{}/task", worker.id())).unwrap() {
        let comm = std::fs::read_to_string(task.unwrap().path().join("comm")).unwrap_or_default();
        if comm.starts_with("convert-") {
            converting.insert(comm.trim().to_string());
        }
    }
    assert_eq!(converting, BTreeSet::from(["convert-0".to_string()]));
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}
