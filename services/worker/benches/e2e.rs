//! End-to-end throughput, in one run on one machine, of the three ways a
//! batch of summaries (the examples in turn, N from BENCH_JOBS, default
//! 2,000, to every format) becomes documents:
//!
//! 1. `rapporteur convert` of a folder, no broker;
//! 2. one job per document through RabbitMQ and one worker process;
//! 3. one archive job for a `.zip` of the same documents;
//!
//! each with docs/s, its ratio to `convert` and to the processor limit (the
//! cores divided by `convert`'s user CPU per document), CPU per document
//! (user, system) and peak RSS; then, with pandoc and LibreOffice installed,
//! the same documents through a pandoc + LibreOffice batch script (what a
//! user would write instead), as a ratio. Outputs of the three ways are
//! compared byte for byte on a sample. For jobs, also p50/p99 latency and
//! the broker's CPU. BENCH_RATE (docs/s) publishes the jobs at that pace;
//! BENCH_FORMATS (e.g. `json`) narrows the formats; BENCH_STORAGE picks the
//! workers' storage (`dir`, `s3` on moto, or a URL); BENCH_WORKER names
//! another worker binary (an older build, for before/after ratios);
//! BENCH_ARCHIVE=N runs only an archive job of N documents (100,000 shows
//! that memory stays flat). Run with `make bench-e2e`; needs RabbitMQ on
//! 127.0.0.1:5672 and `rapporteur` built beside the worker (the Makefile
//! builds it).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, ConfirmSelectOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, Consumer};
use rapporteur_broker::publish_confirmed;
use rapporteur_jobs::{JobResult, JobStatus};
use rapporteur_render::Format;
use rapporteur_test_tools::broker::{AMQP_URL, Harness};

/// How long the worker may go without finishing a job before the run fails.
const RESULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Every how many documents outputs are compared byte for byte.
const SAMPLE_EVERY: usize = 97;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let number = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
    };
    let rate: Option<f64> = std::env::var("BENCH_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|r| *r > 0.0);
    let formats: Vec<Format> = match std::env::var("BENCH_FORMATS") {
        Ok(list) => list
            .split(',')
            .map(|f| f.trim().parse().expect("BENCH_FORMATS: json, pdf, docx"))
            .collect(),
        Err(_) => Format::ALL.to_vec(),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    match number("BENCH_ARCHIVE") {
        Some(count) => runtime.block_on(archive_only(count, &formats)),
        None => runtime.block_on(bench(number("BENCH_JOBS").unwrap_or(2_000), rate, &formats)),
    }
}

/// What one way of converting the batch took.
struct Measured {
    way: &'static str,
    docs_per_s: f64,
    user_ms: f64,
    system_ms: f64,
    peak_mb: f64,
}

/// The documents: the examples in turn, named doc-000000.txt, … (the
/// names the outputs record, the same whichever way they are converted).
fn documents(count: usize) -> Vec<(String, String)> {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut texts: Vec<(String, String)> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt" || e == "md"))
        .map(|p| {
            (
                p.extension().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    texts.sort();
    (0..count)
        .map(|i| {
            let (extension, text) = &texts[i % texts.len()];
            (format!("doc-{i:06}.{extension}"), text.clone())
        })
        .collect()
}

/// A zip of the documents, written to `path` as it is built (a 100,000
/// document archive is never held in memory).
fn write_zip(path: &Path, documents: impl Iterator<Item = (String, String)>) {
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(
        std::fs::File::create(path).unwrap(),
    ));
    for (name, text) in documents {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().flush().unwrap();
}

/// The harness of the run, on BENCH_STORAGE.
async fn harness() -> Harness {
    let harness = Harness::with_default_topology("bench").await;
    let harness = match std::env::var("BENCH_STORAGE").as_deref() {
        Err(_) | Ok("" | "dir") => harness,
        Ok("s3") => {
            let server = rapporteur_test_tools::s3::server()
                .expect("BENCH_STORAGE=s3 needs moto (pip install 'moto[server]')");
            harness.with_storage_at(format!("s3://{}/bench", server.bucket()), server.env())
        }
        Ok(url) => harness.with_storage_at(url.to_owned(), Vec::new()),
    };
    println!("storage: {}", harness.storage_url);
    harness
}

fn worker_binary() -> String {
    std::env::var("BENCH_WORKER")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_rapporteur-worker").to_owned())
}

/// A worker with its default concurrency (two jobs per core).
fn start_worker(harness: &Harness) -> std::process::Child {
    let concurrency = 2 * cores();
    harness
        .worker_command(
            worker_binary(),
            &["--concurrency", &concurrency.to_string()],
        )
        .spawn()
        .unwrap()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Stops a worker and says what it cost: (user s, system s, peak RSS MB).
fn stop_worker(mut worker: std::process::Child) -> (f64, f64, f64) {
    let (user, system) = cpu_seconds(worker.id());
    let peak = rapporteur_test_tools::peak_rss_kib(Some(worker.id())) as f64 / 1024.0;
    rapporteur_test_tools::broker::signal(worker.id(), "TERM");
    let _ = worker.wait();
    (user, system, peak)
}

async fn bench(count: usize, rate: Option<f64>, formats: &[Format]) {
    let format_names: Vec<&str> = formats.iter().map(|f| f.extension()).collect();
    let documents = documents(count);
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("docs");
    std::fs::create_dir(&folder).unwrap();
    for (name, text) in &documents {
        std::fs::write(folder.join(name), text).unwrap();
    }
    let harness = harness().await;
    let store = harness.store();
    println!(
        "{count} documents to {}, on {} cores",
        format_names.join("+"),
        cores()
    );

    // 1. `rapporteur convert` of the folder.
    let cli = PathBuf::from(worker_binary()).with_file_name("rapporteur");
    assert!(
        cli.exists(),
        "{} is not built (make bench-e2e builds it)",
        cli.display()
    );
    let convert_out = work.path().join("convert-out");
    let before = children_usage();
    let started = Instant::now();
    let status = Command::new(&cli)
        .arg("convert")
        .arg(&folder)
        .arg("--out")
        .arg(&convert_out)
        .args(["--formats", &format_names.join(",")])
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "convert failed");
    let elapsed = started.elapsed().as_secs_f64();
    let after = children_usage();
    let convert = Measured {
        way: "convert",
        docs_per_s: count as f64 / elapsed,
        user_ms: (after.0 - before.0) * 1e3 / count as f64,
        system_ms: (after.1 - before.1) * 1e3 / count as f64,
        peak_mb: after.2,
    };

    // 2. One job per document.
    let jobs = jobs_phase(&harness, &documents, rate, &format_names).await;

    // 3. One archive job.
    let zip = work.path().join("batch.zip");
    write_zip(&zip, documents.iter().cloned());
    let archive = archive_phase(&harness, &zip, count, &format_names).await;

    // The three ways wrote the same bytes.
    let mut compared = 0;
    for (name, _) in documents.iter().step_by(SAMPLE_EVERY) {
        let stem = name.rsplit_once('.').unwrap().0;
        for format in &format_names {
            let reference = std::fs::read(convert_out.join(format!("{stem}.{format}"))).unwrap();
            for object in [
                format!("jobs/{stem}.{format}"),
                format!("archive/{stem}.{format}"),
            ] {
                let written = store.read(&object, 1 << 28).unwrap();
                assert!(written == reference, "{object} differs from convert's");
                compared += 1;
            }
        }
    }
    println!("byte-identical to convert's outputs: {compared} files compared, all equal");

    let limit = cores() as f64 * 1e3 / convert.user_ms;
    println!(
        "processor limit: {limit:.0} docs/s ({} cores / {:.2} ms of user CPU per document in convert)",
        cores(),
        convert.user_ms
    );
    for measured in [&convert, &jobs, &archive] {
        println!(
            "  {:<8} {:>6.0} docs/s  {:.2}x convert  {:.2}x the limit  CPU/doc {:.2} ms user + {:.2} ms system  peak RSS {:.0} MB",
            measured.way,
            measured.docs_per_s,
            measured.docs_per_s / convert.docs_per_s,
            measured.docs_per_s / limit,
            measured.user_ms,
            measured.system_ms,
            measured.peak_mb
        );
    }
    if let Some(scripted) = pandoc_libreoffice(&documents, work.path()) {
        println!(
            "  pandoc + LibreOffice batch script: {scripted:.1} docs/s (DOCX by pandoc, PDF by soffice from it): convert is {:.0}x faster",
            convert.docs_per_s / scripted
        );
    }
    harness.cleanup().await;
}

/// One archive job of `count` documents and nothing else, for memory over
/// a large archive (BENCH_ARCHIVE).
async fn archive_only(count: usize, formats: &[Format]) {
    let format_names: Vec<&str> = formats.iter().map(|f| f.extension()).collect();
    let work = tempfile::tempdir().unwrap();
    let zip = work.path().join("batch.zip");
    write_zip(&zip, documents(count).into_iter());
    println!(
        "archive of {count} documents: {:.0} MB zipped",
        std::fs::metadata(&zip).unwrap().len() as f64 / 1e6
    );
    let harness = harness().await;
    let archive = archive_phase(&harness, &zip, count, &format_names).await;
    println!(
        "  archive  {:.0} docs/s  CPU/doc {:.2} ms user + {:.2} ms system  worker peak RSS {:.0} MB",
        archive.docs_per_s, archive.user_ms, archive.system_ms, archive.peak_mb
    );
    harness.cleanup().await;
}

/// Puts the zip in storage, publishes one archive job, waits for its end.
async fn archive_phase(harness: &Harness, zip: &Path, count: usize, formats: &[&str]) -> Measured {
    let store = harness.store();
    // Streamed into storage: the local file system's copy, or one PUT.
    let bytes = std::fs::read(zip).unwrap();
    store
        .write_objects(&[("inbox/batch.zip", bytes.as_slice())])
        .unwrap();
    drop(bytes);
    let (connection, results) = follow_results(harness).await;
    let publisher = confirming_channel(&connection).await;
    let job = serde_json::json!({"version": "1", "job_id": "bench-archive", "key": "archive",
        "formats": formats, "source": {"kind": "archive", "path": "inbox/batch.zip"}});
    let worker = start_worker(harness);
    let started = Instant::now();
    publish_confirmed(
        &publisher,
        "",
        &harness.topology.jobs_queue(),
        &serde_json::to_vec(&job).unwrap(),
        BasicProperties::default(),
    )
    .await
    .unwrap();
    let mut results = results;
    let result = loop {
        let delivery = tokio::time::timeout(RESULT_TIMEOUT, results.next())
            .await
            .expect("progress within the result timeout")
            .unwrap()
            .unwrap();
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .unwrap();
        if let Ok(result) = serde_json::from_slice::<JobResult>(&delivery.data) {
            break result;
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let (user, system, peak) = stop_worker(worker);
    let tally = result.archive.clone().expect("the archive job's tally");
    assert_eq!(
        (tally.total, tally.rejected),
        (count as u64, 0),
        "{result:?}"
    );
    rapporteur_broker::close(&connection, "").await;
    Measured {
        way: "archive",
        docs_per_s: count as f64 / elapsed,
        user_ms: user * 1e3 / count as f64,
        system_ms: system * 1e3 / count as f64,
        peak_mb: peak,
    }
}

async fn follow_results(harness: &Harness) -> (Connection, Consumer) {
    let connection = Connection::connect(AMQP_URL, ConnectionProperties::default())
        .await
        .expect("RabbitMQ on 127.0.0.1:5672");
    let channel = connection.create_channel().await.unwrap();
    let results = channel
        .basic_consume(
            harness.results_queue().into(),
            "bench".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    (connection, results)
}

async fn confirming_channel(connection: &Connection) -> Channel {
    let publisher = connection.create_channel().await.unwrap();
    publisher
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    publisher
}

/// The documents through a pandoc + LibreOffice script, on a sample (50
/// documents: a scripted batch is slow); `None` when either is missing.
fn pandoc_libreoffice(documents: &[(String, String)], work: &Path) -> Option<f64> {
    let found = |program: &str| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !found("pandoc") || !found("soffice") {
        println!("  (pandoc or soffice not installed: no scripted comparison)");
        return None;
    }
    let sample = &documents[..documents.len().min(50)];
    let dir = work.join("scripted");
    std::fs::create_dir_all(&dir).unwrap();
    let profile = work.join("lo-profile");
    let started = Instant::now();
    let mut docx = Vec::new();
    for (name, text) in sample {
        let stem = name.rsplit_once('.').unwrap().0;
        let source = dir.join(format!("{stem}.md"));
        std::fs::write(&source, text).unwrap();
        let out = dir.join(format!("{stem}.docx"));
        let status = Command::new("pandoc")
            .arg(&source)
            .args(["-f", "markdown", "-s", "-o"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        docx.push(out);
    }
    // One LibreOffice for the whole batch, as a script would run it.
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .args(&docx)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    Some(sample.len() as f64 / started.elapsed().as_secs_f64())
}

/// One job per document, published in batches while results are read.
async fn jobs_phase(
    harness: &Harness,
    documents: &[(String, String)],
    rate: Option<f64>,
    format_names: &[&str],
) -> Measured {
    let count = documents.len();
    let topology = harness.topology.clone();
    let (connection, mut results) = follow_results(harness).await;
    let publisher = confirming_channel(&connection).await;
    let worker = start_worker(harness);
    let jobs_queue = topology.jobs_queue();
    let broker = broker_pid();
    let broker_before = broker.map(cpu_seconds);
    let own_before = cpu_seconds(std::process::id());
    let machine_before = machine_jiffies();
    let started = Instant::now();
    let mut published_at = HashMap::with_capacity(count);
    let mut latencies = Vec::with_capacity(count);
    let mut job_times = Vec::with_capacity(count);
    let mut failed = 0;
    let mut next = 0;
    // Jobs published at once: with a rate, a batch every 10 ms, so that jobs
    // do not wait behind the rest of their own batch.
    let batch = rate.map_or(250, |r| ((r / 100.0).ceil() as usize).max(1));
    // When the next batch is due: at once without a rate.
    let due = |next: usize| match rate {
        Some(rate) => started + Duration::from_secs_f64(next as f64 / rate),
        None => started,
    };
    // Publish in batches so that results are read while publishing goes on.
    while latencies.len() + failed < count {
        let backlog = next - (latencies.len() + failed);
        if next < count && backlog < 2_000 && Instant::now() >= due(next) {
            let end = (next + batch).min(count);
            let bodies: Vec<(String, Vec<u8>)> = (next..end)
                .map(|i| {
                    let (name, text) = &documents[i];
                    let id = format!("bench-{i}");
                    let key = format!("jobs/{}", name.rsplit_once('.').unwrap().0);
                    let job = serde_json::json!({"version": "1", "job_id": id, "key": key,
                        "formats": format_names, "source": {"kind": "text", "name": name, "text": text}});
                    (id, serde_json::to_vec(&job).unwrap())
                })
                .collect();
            let now = Instant::now();
            let confirms = bodies.iter().map(|(_, body)| {
                publish_confirmed(
                    &publisher,
                    "",
                    &jobs_queue,
                    body,
                    BasicProperties::default(),
                )
            });
            for confirm in futures_util::future::join_all(confirms).await {
                confirm.unwrap();
            }
            for (id, _) in bodies {
                published_at.insert(id, now);
            }
            next = end;
            continue;
        }
        let wait = if next < count && backlog < 2_000 {
            due(next).saturating_duration_since(Instant::now())
        } else {
            RESULT_TIMEOUT
        };
        let delivery = match tokio::time::timeout(wait, results.next()).await {
            Ok(delivery) => delivery.unwrap().unwrap(),
            // Only a batch fell due: publish it.
            Err(_) if wait < RESULT_TIMEOUT => continue,
            Err(_) => panic!("no result for {RESULT_TIMEOUT:?}"),
        };
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .unwrap();
        let result: JobResult = serde_json::from_slice(&delivery.data).unwrap();
        if result.status == JobStatus::Failed {
            failed += 1;
            eprintln!("failed: {:?}", result.error);
        } else if let Some(at) = published_at.get(&result.job_id) {
            latencies.push(at.elapsed());
            job_times.push(Duration::from_millis(result.duration_ms));
        }
    }
    let elapsed = started.elapsed();
    let (busy, all) = {
        let after = machine_jiffies();
        (after.0 - machine_before.0, after.1 - machine_before.1)
    };
    let broker_cpu = broker
        .zip(broker_before)
        .map(|(pid, before)| total_since(cpu_seconds(pid), before));
    let own_cpu = total_since(cpu_seconds(std::process::id()), own_before);
    let (user, system, peak) = stop_worker(worker);
    latencies.sort();
    job_times.sort();
    let percentile = |sorted: &[Duration], p: f64| {
        sorted
            .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3
    };
    let pace = rate.map_or("as fast as confirmed".to_string(), |r| {
        format!("published at {r} docs/s")
    });
    println!(
        "jobs ({pace}), 1 worker: p50 {:.1} ms, p99 {:.1} ms from publish to result, {failed} failed; the worker's own time per job p50 {:.0} ms, p99 {:.0} ms",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&job_times, 0.50),
        percentile(&job_times, 0.99),
    );
    // Where the time goes: CPU per document of each process on the path, and
    // how busy the whole machine was.
    let per_doc = |seconds: f64| seconds * 1e3 / count as f64;
    let broker_line = broker_cpu.map_or("broker not found in /proc".to_string(), |cpu| {
        format!("broker {:.2} ms", per_doc(cpu))
    });
    println!(
        "    CPU per doc besides the worker's: {broker_line}, publisher {:.2} ms; machine {:.0}% busy",
        per_doc(own_cpu),
        busy as f64 * 100.0 / all.max(1) as f64,
    );
    rapporteur_broker::close(&connection, "").await;
    Measured {
        way: "jobs",
        docs_per_s: count as f64 / elapsed.as_secs_f64(),
        user_ms: per_doc(user),
        system_ms: per_doc(system),
        peak_mb: peak,
    }
}

/// User and system CPU seconds, and the peak RSS in MB, of this process's
/// children that have ended (getrusage has no other way to see a process
/// that is gone).
fn children_usage() -> (f64, f64, f64) {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (
        seconds(usage.ru_utime),
        seconds(usage.ru_stime),
        usage.ru_maxrss as f64 / 1024.0,
    )
}

/// User and system CPU seconds a process has used so far (/proc/PID/stat
/// counts in USER_HZ, which Linux fixes at 100 for user space).
fn cpu_seconds(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces; the fields after it do not.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|t| t.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are the 14th and 15th fields, 12th and 13th after the name.
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

fn total_since(now: (f64, f64), before: (f64, f64)) -> f64 {
    (now.0 + now.1) - (before.0 + before.1)
}

/// The RabbitMQ server on this machine: the Erlang VM (`beam.smp`) using the
/// most CPU so far, as other Erlang programs may run beside it.
fn broker_pid() -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|name| name.trim() == "beam.smp")
        })
        .max_by(|a, b| {
            let (a, b) = (cpu_seconds(*a), cpu_seconds(*b));
            (a.0 + a.1).total_cmp(&(b.0 + b.1))
        })
}

/// Busy and total CPU time of the whole machine so far, in USER_HZ ticks.
fn machine_jiffies() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let times: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.parse().ok())
        .collect();
    let total: u64 = times.iter().sum();
    // idle and iowait are the 4th and 5th.
    let idle = times.get(3).copied().unwrap_or(0) + times.get(4).copied().unwrap_or(0);
    (total - idle, total)
}
