//! Jobs per second through the HTTP API, upload to result: BENCH_API_JOBS
//! (default 500) copies of the seed, each POSTed as a JSON job with
//! `?wait=` by one of BENCH_API_CLIENTS (default 16) concurrent clients,
//! one API process and one worker behind it on RabbitMQ at 127.0.0.1:5672.
//! Prints jobs/s and the p50/p99/max latency of a request (upload →
//! succeeded result in the answer), then the same documents submitted
//! straight to the broker by `rapporteur submit --wait` as the ratio that
//! shows what the HTTP layer costs. Run with `make bench-api`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rapporteur_test_tools::broker::{Harness, signal_and_wait, worker_beside};
use sha2::{Digest, Sha256};

const API: &str = env!("CARGO_BIN_EXE_rapporteur-api");
const KEY: &str = "bench-key";

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let number = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(default)
    };
    let jobs = number("BENCH_API_JOBS", 500);
    let clients = number("BENCH_API_CLIENTS", 16).max(1);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(jobs, clients));
}

async fn run(jobs: usize, clients: usize) {
    let worker_binary = worker_beside(API)
        .expect("rapporteur-worker built beside rapporteur-api (make bench-api builds it)");
    let harness = Harness::with_default_topology("bench-api").await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let digest: String = Sha256::digest(KEY.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(&keys, format!("bench:{digest}\n")).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut worker = harness.start_worker(&worker_binary, &["--concurrency", "8"]);
    let mut api = Command::new(API)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--api-keys")
        .arg(&keys)
        .args(["--storage", &harness.storage_url])
        .args(["--queue-prefix", &harness.prefix])
        // Far above what the bench sends: the figure is throughput, not
        // the limiter.
        .args(["--rate-per-second", "100000", "--rate-burst", "100000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let seed = std::fs::read_to_string(rapporteur_test_tools::seed()).unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let base = format!("http://127.0.0.1:{port}/v1/jobs?wait=60");
    println!("api: {jobs} jobs (the seed, to json,pdf,docx), {clients} clients, one worker");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, next, base, seed) = (http.clone(), next.clone(), base.clone(), seed.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= jobs {
                    return latencies;
                }
                let body = serde_json::json!({
                    "source": {"kind": "text", "name": "seed.txt", "text": seed},
                    "key": format!("bench/{n}"),
                });
                let sent = Instant::now();
                let answer = http
                    .post(&base)
                    .bearer_auth(KEY)
                    .json(&body)
                    .send()
                    .await
                    .expect("the API answers");
                let status = answer.status();
                let view: serde_json::Value = answer.json().await.expect("a JSON answer");
                assert!(status.is_success(), "{status}: {view}");
                let ended = view["jobs"][0]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                assert_eq!(ended, "succeeded", "{view}");
                latencies.push(sent.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let api_rate = jobs as f64 / elapsed;
    println!(
        "api: {api_rate:.1} jobs/s ({elapsed:.1} s); latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        at(0.5).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0
    );
    signal_and_wait(&mut api, "TERM");

    // The same documents through `rapporteur submit --wait`, no HTTP.
    let cli: PathBuf = PathBuf::from(API).with_file_name("rapporteur");
    if cli.exists() {
        let inputs = tempfile::tempdir().unwrap();
        for n in 0..jobs {
            std::fs::write(inputs.path().join(format!("s{n}.txt")), &seed).unwrap();
        }
        let started = Instant::now();
        let submitted = Command::new(&cli)
            .arg("submit")
            .arg(inputs.path())
            .args(["--wait", "--queue-prefix", &harness.prefix])
            .output()
            .unwrap();
        assert!(submitted.status.success(), "{submitted:?}");
        let submit_rate = jobs as f64 / started.elapsed().as_secs_f64();
        println!(
            "submit --wait: {submit_rate:.1} jobs/s; the API reaches {:.2}x of it",
            api_rate / submit_rate
        );
    }
    signal_and_wait(&mut worker.0, "TERM");
    harness.cleanup().await;
}
