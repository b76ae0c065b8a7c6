//! End-to-end throughput through the real broker: publishes N summaries (the
//! seed and the examples mixed; N from BENCH_JOBS, default 10,000) to one
//! worker process converting to every format, and prints docs/s, p50/p99 job
//! latency (publish to result event), the worker's own time per job, the
//! worker's peak RSS, and the CPU per document of the worker, the broker and
//! this publisher. With BENCH_RATE (docs/s) the jobs are published at that
//! pace instead of as fast as the broker confirms them, so the latencies are
//! those of a worker keeping up rather than of a backlog. BENCH_FORMATS (e.g.
//! `json`) narrows the formats, which shows what the broker and the durable
//! writes cost on their own. BENCH_STORAGE picks the storage: `dir` (a
//! temporary directory, the default), `s3` (moto, started here; its own
//! speed, a Python server's, bounds the run) or any storage URL, reached
//! with the AWS_* environment of the bench. BENCH_WORKER names another
//! worker binary to run (an older build, for before/after ratios).
//! Run with `make bench-e2e`; needs RabbitMQ on 127.0.0.1:5672.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, ConfirmSelectOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use rapporteur_broker::publish_confirmed;
use rapporteur_jobs::{JobResult, JobStatus};
use rapporteur_render::Format;
use rapporteur_test_tools::broker::{AMQP_URL, Harness};

/// How long the worker may go without finishing a job before the run fails.
const RESULT_TIMEOUT: Duration = Duration::from_secs(120);

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let jobs: usize = std::env::var("BENCH_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
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
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(bench(jobs, rate, &formats));
}

async fn bench(count: usize, rate: Option<f64>, formats: &[Format]) {
    let format_names: Vec<&str> = formats.iter().map(|f| f.extension()).collect();
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut inputs: Vec<(String, String)> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt" || e == "md"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    inputs.sort();
    // The tests' harness: the topology with the defaults every program
    // declares, a results queue, the worker's command line, and the queues
    // removed again at the end.
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
    let topology = harness.topology.clone();
    let connection = Connection::connect(AMQP_URL, ConnectionProperties::default())
        .await
        .expect("RabbitMQ on 127.0.0.1:5672");
    let channel = connection.create_channel().await.unwrap();
    let mut results = channel
        .basic_consume(
            harness.results_queue().into(),
            "bench".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let publisher = connection.create_channel().await.unwrap();
    publisher
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();

    // BENCH_WORKER runs another build of the worker (an older commit's) with
    // this bench, for before/after ratios measured in one session. Its
    // concurrency is the worker's own default, two jobs per core.
    let worker_binary = std::env::var("BENCH_WORKER")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_rapporteur-worker").to_owned());
    let concurrency = 2 * std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut worker = harness
        .worker_command(&worker_binary, &["--concurrency", &concurrency.to_string()])
        .spawn()
        .unwrap();

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
                    let (name, text) = &inputs[i % inputs.len()];
                    let id = format!("bench-{i}");
                    let job = serde_json::json!({"version": "1", "job_id": id, "key": format!("bench/{i}"),
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
    let (user, system) = cpu_seconds(worker.id());
    let broker_cpu = broker
        .zip(broker_before)
        .map(|(pid, before)| total_since(cpu_seconds(pid), before));
    let own_cpu = total_since(cpu_seconds(std::process::id()), own_before);
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", worker.id())).unwrap_or_default();
    let peak_kb = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("0")
        .to_string();
    let _ = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status();
    let _ = worker.wait();
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
    let formats = format_names.join("+");
    println!(
        "e2e {count} jobs ({formats}, {pace}), 1 worker: {:.0} docs/s, p50 {:.1} ms, p99 {:.1} ms, worker peak RSS {:.1} MB, {failed} failed",
        count as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        peak_kb.parse::<f64>().unwrap_or(0.0) / 1024.0
    );
    println!(
        "    worker's own time per job (result duration_ms): p50 {:.0} ms, p99 {:.0} ms",
        percentile(&job_times, 0.50),
        percentile(&job_times, 0.99),
    );
    // Where the time goes: CPU per document of each process on the path, and
    // how busy the whole machine was. With N cores, N * 1000 ms of CPU per
    // second bounds docs/s at N * 1000 / (the sum of these per-doc figures).
    let per_doc = |seconds: f64| seconds * 1e3 / count as f64;
    let broker_line = broker_cpu.map_or("broker not found in /proc".to_string(), |cpu| {
        format!("broker {:.2} ms", per_doc(cpu))
    });
    println!(
        "    CPU per doc: worker {:.2} ms user + {:.2} ms system, {broker_line}, publisher {:.2} ms; machine {:.0}% busy on {} cores",
        per_doc(user),
        per_doc(system),
        per_doc(own_cpu),
        busy as f64 * 100.0 / all.max(1) as f64,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );

    let _ = connection.close(200, "".into()).await;
    harness.cleanup().await;
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
