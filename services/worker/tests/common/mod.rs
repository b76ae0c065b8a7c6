//! Test support for the worker's broker tests: a real RabbitMQ on 127.0.0.1,
//! worker processes, job publishing and result collection, each test in its
//! own queue prefix so tests never see each other's messages.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lapin::options::{BasicGetOptions, ConfirmSelectOptions, QueueDeleteOptions};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use rapporteur_broker::{TopologySettings, publish_confirmed};
use rapporteur_jobs::{JobResult, Topology};

pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// The settings every test worker runs with (short retry delays).
pub fn topology_settings() -> TopologySettings {
    TopologySettings {
        delivery_limit: 10,
        max_attempts: 3,
        retry_delay: Duration::from_millis(100),
    }
}

/// Whether the broker is up. Outside CI a missing broker skips the test with
/// instructions; in CI (CI=true) nothing may be skipped, so it fails.
pub fn broker_available() -> bool {
    if std::net::TcpStream::connect_timeout(
        &"127.0.0.1:5672".parse().unwrap(),
        Duration::from_secs(2),
    )
    .is_ok()
    {
        return true;
    }
    let help = "RabbitMQ is not running on 127.0.0.1:5672; start it with `rabbitmq-server -detached` \
                (Debian package rabbitmq-server)";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{help}");
    }
    eprintln!("skipped: {help}");
    false
}

/// A test's own corner of the broker.
pub struct Harness {
    pub topology: Topology,
    pub prefix: String,
    pub storage: tempfile::TempDir,
    results_queue: String,
    /// Every result collected so far, by job id (the last one wins).
    seen: std::sync::Mutex<BTreeMap<String, JobResult>>,
}

pub async fn connect() -> Connection {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match Connection::connect(AMQP_URL, ConnectionProperties::default()).await {
            Ok(connection) => return connection,
            Err(error) if Instant::now() > deadline => {
                panic!("cannot connect to the broker: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

impl Harness {
    /// Declares the topology and a durable queue that collects every result
    /// event, so results survive connections being closed under the test.
    pub async fn new(name: &str) -> Harness {
        let prefix = format!("test-{}-{name}", std::process::id());
        let topology = Topology::new(&prefix);
        let results_queue = format!("{prefix}.test-results");
        let connection = connect().await;
        let channel = connection.create_channel().await.unwrap();
        rapporteur_broker::declare(&channel, &topology, &topology_settings())
            .await
            .unwrap();
        rapporteur_broker::declare_results_queue(&channel, &topology, &results_queue)
            .await
            .unwrap();
        connection.close(200, "".into()).await.unwrap();
        Harness {
            topology,
            prefix,
            storage: tempfile::tempdir().unwrap(),
            results_queue,
            seen: Default::default(),
        }
    }

    pub fn storage_path(&self) -> &Path {
        self.storage.path()
    }

    /// Starts a worker process on this harness's queues.
    pub fn start_worker(&self, extra: &[&str]) -> Child {
        let settings = topology_settings();
        let mut command = Command::new(env!("CARGO_BIN_EXE_rapporteur-worker"));
        if !extra.contains(&"--metrics-addr") {
            command.args(["--metrics-addr", "127.0.0.1:0"]);
        }
        command
            .args(["--storage", self.storage_path().to_str().unwrap()])
            .args(["--queue-prefix", &self.prefix])
            .args(["--max-attempts", &settings.max_attempts.to_string()])
            .args([
                "--retry-delay-ms",
                &settings.retry_delay.as_millis().to_string(),
            ])
            .args(["--delivery-limit", &settings.delivery_limit.to_string()])
            .args(["--concurrency", "4"])
            .args(extra)
            .env("AMQP_URL", AMQP_URL)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the worker binary starts")
    }

    /// Publishes raw job messages with publisher confirms.
    pub async fn publish(&self, bodies: &[Vec<u8>]) {
        let connection = connect().await;
        let channel = connection.create_channel().await.unwrap();
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .unwrap();
        let queue = self.topology.jobs_queue();
        for chunk in bodies.chunks(200) {
            let confirms = chunk.iter().map(|body| {
                publish_confirmed(&channel, "", &queue, body, BasicProperties::default())
            });
            for result in futures_util::future::join_all(confirms).await {
                result.unwrap();
            }
        }
        connection.close(200, "".into()).await.unwrap();
    }

    /// Collects result events until `expected` distinct jobs have one (or the
    /// timeout passes) and returns all collected so far, the last result of
    /// each job. Retries through closed connections.
    pub async fn results(&self, expected: usize, timeout: Duration) -> BTreeMap<String, JobResult> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(connection) =
                Connection::connect(AMQP_URL, ConnectionProperties::default()).await
                && let Ok(channel) = connection.create_channel().await
            {
                let bodies = drain(&channel, &self.results_queue).await;
                let _ = connection.close(200, "".into()).await;
                let mut seen = self.seen.lock().unwrap();
                for body in bodies {
                    let result: JobResult =
                        serde_json::from_slice(&body).expect("result events are JobResults");
                    seen.insert(result.job_id.clone(), result);
                }
            }
            let seen = self.seen.lock().unwrap().clone();
            if seen.len() >= expected || Instant::now() >= deadline {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Takes every message now in one of this harness's queues.
    pub async fn take_all(&self, queue: &str) -> Vec<(Vec<u8>, BasicProperties)> {
        let connection = connect().await;
        let channel = connection.create_channel().await.unwrap();
        let mut messages = Vec::new();
        while let Ok(Some(message)) = channel
            .basic_get(queue.into(), BasicGetOptions { no_ack: true })
            .await
        {
            messages.push((
                message.delivery.data.clone(),
                message.delivery.properties.clone(),
            ));
        }
        connection.close(200, "".into()).await.unwrap();
        messages
    }

    /// Removes this harness's queues from the broker.
    pub async fn cleanup(self) {
        let connection = connect().await;
        let channel = connection.create_channel().await.unwrap();
        let mut queues: Vec<String> =
            rapporteur_broker::queue_specs(&self.topology, &topology_settings())
                .into_iter()
                .map(|q| q.name)
                .collect();
        queues.push(self.results_queue.clone());
        for queue in queues {
            let _ = channel
                .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
        let _ = channel
            .exchange_delete(self.topology.results_exchange().into(), Default::default())
            .await;
        let _ = connection.close(200, "".into()).await;
    }
}

async fn drain(channel: &Channel, queue: &str) -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    while let Ok(Some(message)) = channel
        .basic_get(queue.into(), BasicGetOptions { no_ack: true })
        .await
    {
        bodies.push(message.delivery.data.clone());
    }
    bodies
}

/// A text job message.
pub fn text_job(job_id: &str, name: &str, text: &str, key: Option<&str>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "version": "1",
        "job_id": job_id,
        "source": { "kind": "text", "name": name, "text": text },
        "formats": ["json"],
        "key": key,
        "metadata": { "dms_id": format!("dms-{job_id}") },
    }))
    .unwrap()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn example(name: &str) -> String {
    std::fs::read_to_string(repo().join("examples").join(name)).unwrap()
}

/// Stops a worker with a signal and waits for it, returning its exit status.
pub fn signal_and_wait(child: &mut Child, signal: &str) -> std::process::ExitStatus {
    Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the worker did not exit after SIG{signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
