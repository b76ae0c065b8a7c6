//! The harness of the tests that need RabbitMQ (the worker's reliability and
//! hostile-input tests, `rapporteur submit`'s test, the end-to-end bench): a
//! corner of the broker of each test's own (a queue prefix, removed again when
//! the harness is dropped, even by a failing test), worker processes on it,
//! publishing jobs and collecting their result events.
//!
//! The broker is [`Tool::RabbitMq`](crate::Tool::RabbitMq): a test calls
//! `Tool::RabbitMq.available()` first, which skips it locally and fails it
//! under `CI=true` when the broker is not running.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lapin::options::{BasicGetOptions, ConfirmSelectOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection};
use rapporteur_broker::{TopologySettings, publish_confirmed};
use rapporteur_jobs::{JobProgress, JobResult, Topology};

pub use lapin;

/// The broker every test talks to.
pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// The settings every test worker runs with (short retry delays).
pub fn topology_settings() -> TopologySettings {
    TopologySettings {
        delivery_limit: 10,
        max_attempts: 3,
        retry_delay: Duration::from_millis(100),
    }
}

/// Connects to the test broker, retrying for up to 30 s (a test may have
/// just restarted it or closed every connection).
pub async fn connect() -> Connection {
    connect_any(&[AMQP_URL.to_string()]).await
}

/// Connects to the first of `urls` that answers, retrying for up to 30 s.
pub async fn connect_any(urls: &[String]) -> Connection {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rapporteur_broker::connect_any(urls, 0).await {
            Ok((connection, _)) => return connection,
            Err(error) if Instant::now() > deadline => {
                panic!("cannot connect to the broker: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// A test's own corner of the broker: the topology under a prefix of its
/// own, a durable queue collecting every result event, and a storage root.
pub struct Harness {
    pub topology: Topology,
    pub prefix: String,
    /// The directory of the directory backend (unused on S3).
    pub storage: tempfile::TempDir,
    /// What the workers get as `--storage`: the directory, or an
    /// `s3://` URL on the test binary's moto server ([`Harness::on_s3`]).
    pub storage_url: String,
    /// The environment that reaches the S3 server (empty for a directory).
    storage_env: Vec<(&'static str, String)>,
    /// The broker's URLs: the test broker, or a cluster's nodes.
    urls: Vec<String>,
    /// The topology's settings: [`topology_settings`] (short retry delays)
    /// unless the test asks for the defaults every program starts with.
    settings: TopologySettings,
    results_queue: String,
    /// Every result collected so far, by job id (the last one wins).
    seen: std::sync::Mutex<BTreeMap<String, JobResult>>,
    /// Every result collected so far, in arrival order (duplicates kept).
    all: std::sync::Mutex<Vec<JobResult>>,
    /// Every archive progress event collected so far, in arrival order.
    progress: std::sync::Mutex<Vec<JobProgress>>,
}

impl Harness {
    /// Declares the topology and a durable queue that collects every result
    /// event, so results survive connections being closed under the test.
    pub async fn new(name: &str) -> Harness {
        let storage = tempfile::tempdir().unwrap();
        let url = storage.path().to_str().unwrap().to_owned();
        Harness::with_storage(name, storage, url, Vec::new()).await
    }

    /// A harness whose workers write to S3 (a bucket of its own on the
    /// moto server the tests start); `None` where moto is missing outside
    /// CI ([`crate::Tool::available`]).
    pub async fn on_s3(name: &str) -> Option<Harness> {
        Harness::on_s3_with(name, topology_settings()).await
    }

    /// [`Harness::on_s3`] with the default topology settings (see
    /// [`Harness::with_default_topology`]), for programs that declare them.
    pub async fn on_s3_with_default_topology(name: &str) -> Option<Harness> {
        Harness::on_s3_with(name, TopologySettings::default()).await
    }

    async fn on_s3_with(name: &str, settings: TopologySettings) -> Option<Harness> {
        let server = crate::s3::server()?;
        let url = format!("s3://{}/outputs", server.bucket());
        let storage = tempfile::tempdir().unwrap();
        let urls = vec![AMQP_URL.to_string()];
        Some(Harness::with(name, storage, url, server.env(), urls, settings).await)
    }

    /// A harness on a cluster of brokers (see [`Cluster`]): its workers
    /// get every node's URL.
    pub async fn on_cluster(name: &str, urls: Vec<String>) -> Harness {
        let storage = tempfile::tempdir().unwrap();
        let url = storage.path().to_str().unwrap().to_owned();
        Harness::with(name, storage, url, Vec::new(), urls, topology_settings()).await
    }

    /// A harness whose topology has the default settings, as `rapporteur
    /// submit` and a worker started without options declare it (they would
    /// refuse queues declared with the tests' short retry delays).
    pub async fn with_default_topology(name: &str) -> Harness {
        let storage = tempfile::tempdir().unwrap();
        let url = storage.path().to_str().unwrap().to_owned();
        let urls = vec![AMQP_URL.to_string()];
        Harness::with(
            name,
            storage,
            url,
            Vec::new(),
            urls,
            TopologySettings::default(),
        )
        .await
    }

    async fn with_storage(
        name: &str,
        storage: tempfile::TempDir,
        storage_url: String,
        storage_env: Vec<(&'static str, String)>,
    ) -> Harness {
        Harness::with(
            name,
            storage,
            storage_url,
            storage_env,
            vec![AMQP_URL.to_string()],
            topology_settings(),
        )
        .await
    }

    async fn with(
        name: &str,
        storage: tempfile::TempDir,
        storage_url: String,
        storage_env: Vec<(&'static str, String)>,
        urls: Vec<String>,
        settings: TopologySettings,
    ) -> Harness {
        let prefix = format!("test-{}-{name}", std::process::id());
        let topology = Topology::new(&prefix);
        let results_queue = format!("{prefix}.test-results");
        let connection = connect_any(&urls).await;
        let channel = connection.create_channel().await.unwrap();
        rapporteur_broker::declare(&channel, &topology, &settings)
            .await
            .unwrap();
        rapporteur_broker::declare_results_queue(&channel, &topology, &results_queue)
            .await
            .unwrap();
        rapporteur_broker::close(&connection, "").await;
        Harness {
            topology,
            prefix,
            storage,
            storage_url,
            storage_env,
            urls,
            settings,
            results_queue,
            seen: Default::default(),
            all: Default::default(),
            progress: Default::default(),
        }
    }

    /// Points the workers at another storage (a URL and the environment
    /// that reaches it), as the e2e bench's BENCH_STORAGE does.
    pub fn with_storage_at(mut self, url: String, env: Vec<(&'static str, String)>) -> Harness {
        self.storage_url = url;
        self.storage_env = env;
        self
    }

    /// The environment that reaches this harness's storage (its S3 server's
    /// endpoint and credentials; empty for a directory), for programs other
    /// than workers.
    pub fn storage_env(&self) -> &[(&'static str, String)] {
        &self.storage_env
    }

    /// The durable queue that collects every result event of this harness.
    pub fn results_queue(&self) -> &str {
        &self.results_queue
    }

    pub fn storage_path(&self) -> &Path {
        self.storage.path()
    }

    /// The storage the workers write to, opened here, for assertions.
    pub fn store(&self) -> rapporteur_storage::Storage {
        let options: Vec<(String, String)> = self
            .storage_env
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
            .collect();
        rapporteur_storage::Storage::open_with(&self.storage_url, &options).unwrap()
    }

    /// The command line of a worker on this harness's queues and storage,
    /// with the test settings; `binary` is `env!("CARGO_BIN_EXE_rapporteur-worker")`
    /// in the worker's tests.
    pub fn worker_command(&self, binary: impl AsRef<Path>, extra: &[&str]) -> Command {
        let settings = &self.settings;
        let mut command = Command::new(binary.as_ref());
        if !extra.contains(&"--metrics-addr") {
            command.args(["--metrics-addr", "127.0.0.1:0"]);
        }
        if !extra.contains(&"--concurrency") {
            command.args(["--concurrency", "4"]);
        }
        command
            .args(["--storage", &self.storage_url])
            .envs(self.storage_env.iter().map(|(name, value)| (name, value)))
            .args(["--queue-prefix", &self.prefix])
            .args(["--max-attempts", &settings.max_attempts.to_string()])
            .args([
                "--retry-delay-ms",
                &settings.retry_delay.as_millis().to_string(),
            ])
            .args(["--delivery-limit", &settings.delivery_limit.to_string()])
            .args(extra)
            .env("AMQP_URL", self.urls.join(","))
            // RAPPORTEUR_TEST_WORKER_LOG=info shows what the workers do.
            .env(
                "RUST_LOG",
                std::env::var("RAPPORTEUR_TEST_WORKER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        command
    }

    /// Starts a worker process on this harness's queues.
    pub fn start_worker(&self, binary: impl AsRef<Path>, extra: &[&str]) -> WorkerProcess {
        WorkerProcess(
            self.worker_command(binary, extra)
                .spawn()
                .expect("the worker binary starts"),
        )
    }

    /// Publishes raw job messages with publisher confirms.
    pub async fn publish(&self, bodies: &[Vec<u8>]) {
        self.publish_with(bodies, BasicProperties::default()).await
    }

    /// Publishes raw job messages with the given properties (headers a
    /// client may forge, for example).
    pub async fn publish_with(&self, bodies: &[Vec<u8>], properties: BasicProperties) {
        let connection = connect_any(&self.urls).await;
        let channel = connection.create_channel().await.unwrap();
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .unwrap();
        let queue = self.topology.jobs_queue();
        for chunk in bodies.chunks(200) {
            let confirms = chunk
                .iter()
                .map(|body| publish_confirmed(&channel, "", &queue, body, properties.clone()));
            for result in futures_util::future::join_all(confirms).await {
                result.unwrap();
            }
        }
        rapporteur_broker::close(&connection, "").await;
    }

    /// Collects result events until `expected` distinct jobs have one (or the
    /// timeout passes) and returns all collected so far, the last result of
    /// each job. Retries through closed connections.
    pub async fn results(&self, expected: usize, timeout: Duration) -> BTreeMap<String, JobResult> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok((connection, _)) = rapporteur_broker::connect_any(&self.urls, 0).await
                && let Ok(channel) = connection.create_channel().await
            {
                let bodies = drain(&channel, &self.results_queue).await;
                rapporteur_broker::close(&connection, "").await;
                let mut seen = self.seen.lock().unwrap();
                let mut all = self.all.lock().unwrap();
                let mut progress = self.progress.lock().unwrap();
                for body in bodies {
                    if let Ok(step) = serde_json::from_slice::<JobProgress>(&body) {
                        progress.push(step);
                        continue;
                    }
                    let result: JobResult = serde_json::from_slice(&body)
                        .expect("result events are JobResults or JobProgress");
                    seen.insert(result.job_id.clone(), result.clone());
                    all.push(result);
                }
            }
            let seen = self.seen.lock().unwrap().clone();
            if seen.len() >= expected || Instant::now() >= deadline {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every archive progress event collected so far (by [`Harness::results`]),
    /// in arrival order.
    pub fn progress_events(&self) -> Vec<JobProgress> {
        self.progress.lock().unwrap().clone()
    }

    /// Every result event collected so far, in arrival order, duplicates
    /// included (events of jobs without a readable id among them).
    pub fn all_results(&self) -> Vec<JobResult> {
        self.all.lock().unwrap().clone()
    }

    /// Takes every message now in one of this harness's queues.
    pub async fn take_all(&self, queue: &str) -> Vec<(Vec<u8>, BasicProperties)> {
        let connection = connect_any(&self.urls).await;
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
        rapporteur_broker::close(&connection, "").await;
        messages
    }

    /// How many messages wait in one of this harness's queues (0 when the
    /// broker cannot be asked just now: a connection was closed under it).
    pub async fn queue_depth(&self, queue: &str) -> u32 {
        let Ok((connection, _)) = rapporteur_broker::connect_any(&self.urls, 0).await else {
            return 0;
        };
        let depth = match connection.create_channel().await {
            Ok(channel) => channel
                .queue_declare(
                    queue.into(),
                    lapin::options::QueueDeclareOptions {
                        passive: true,
                        ..Default::default()
                    },
                    FieldTable::default(),
                )
                .await
                .map_or(0, |q| q.message_count()),
            Err(_) => 0,
        };
        rapporteur_broker::close(&connection, "").await;
        depth
    }

    /// Removes this harness's queues from the broker (dropping it does too).
    pub async fn cleanup(self) {
        drop(self)
    }

    fn queue_names(&self) -> Vec<String> {
        let mut queues: Vec<String> =
            rapporteur_broker::queue_specs(&self.topology, &self.settings)
                .into_iter()
                .map(|q| q.name)
                .collect();
        queues.push(self.results_queue.clone());
        // The API's webhook queues, where a test ran the API (RabbitMQ
        // deletes a queue that is not there without complaint); left
        // behind, every run of the API tests added eight to the broker.
        let topology = &self.topology;
        queues.extend([
            topology.webhook_events_queue(),
            topology.webhook_deliveries_queue(),
            topology.webhook_dead_queue(),
        ]);
        queues.extend((1..=WEBHOOK_RETRY_QUEUES).map(|n| topology.webhook_retry_queue(n)));
        queues
    }
}

/// More retry queues than any test's webhook retry delays make.
const WEBHOOK_RETRY_QUEUES: u32 = 16;

impl Drop for Harness {
    /// Deletes the harness's queues and exchange, on a thread of its own so
    /// that it works inside and outside a runtime, and after a failed test.
    fn drop(&mut self) {
        let queues = self.queue_names();
        let exchange = self.topology.results_exchange();
        let urls = self.urls.clone();
        let cleaner = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let Ok((connection, _)) = rapporteur_broker::connect_any(&urls, 0).await else {
                    return;
                };
                let Ok(channel) = connection.create_channel().await else {
                    return;
                };
                for queue in queues {
                    let _ = channel
                        .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                        .await;
                }
                let _ = channel
                    .exchange_delete(exchange.as_str().into(), Default::default())
                    .await;
                rapporteur_broker::close(&connection, "").await;
            });
        });
        let _ = cleaner.join();
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

/// A text job message converting to JSON.
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

/// One of the bundled examples' text.
pub fn example(name: &str) -> String {
    std::fs::read_to_string(crate::repo_root().join("examples").join(name)).unwrap()
}

/// A text header value, as the worker writes them.
pub fn header_string(properties: &BasicProperties, name: &str) -> Option<String> {
    match properties.headers().as_ref()?.inner().get(name)? {
        lapin::types::AMQPValue::LongString(s) => {
            Some(String::from_utf8_lossy(s.as_bytes()).into_owned())
        }
        _ => None,
    }
}

/// A worker process started by a test, killed when dropped if it still runs
/// (a failing test must not leave a worker redeclaring its queues).
pub struct WorkerProcess(pub Child);

impl std::ops::Deref for WorkerProcess {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for WorkerProcess {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Sends a signal ("TERM", "STOP", …) to a process; whether `kill` could.
pub fn signal(pid: u32, signal: &str) -> bool {
    Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap()
        .success()
}

/// Stops a process with a signal and waits for it, returning its exit
/// status; fails the test if it has not exited after 90 s.
pub fn signal_and_wait(child: &mut Child, signal: &str) -> std::process::ExitStatus {
    self::signal(child.id(), signal);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the process did not exit after SIG{signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The worker binary beside another binary of the workspace (for tests of
/// other packages, such as `rapporteur submit`'s), when it is built.
pub fn worker_beside(binary: impl AsRef<Path>) -> Option<PathBuf> {
    let path = binary.as_ref().with_file_name("rapporteur-worker");
    path.exists().then_some(path)
}

/// A RabbitMQ cluster of its own for one test, on 127.0.0.1: nodes with
/// distinct names, AMQP and distribution ports, data directories and
/// configuration (the machine's own broker keeps 5672), one Erlang cookie
/// (the user's), joined to the first node. Started from the machine's
/// `rabbitmq-server` (it is [`crate::Tool::RabbitMq`]'s package); stopped,
/// and its directories removed, when dropped.
pub struct Cluster {
    nodes: Vec<String>,
    ports: Vec<u16>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts `size` nodes and joins them; panics with the node's own
    /// words if one cannot start.
    pub fn start(size: usize) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("enabled_plugins");
        std::fs::write(&plugins, "[].\n").unwrap();
        let free_port = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .unwrap()
                .port()
        };
        let mut nodes = Vec::new();
        let mut ports = Vec::new();
        for n in 1..=size {
            let node = format!("rapporteur-test-{}-{n}@localhost", std::process::id());
            let port = free_port();
            let home = dir.path().join(format!("node{n}"));
            std::fs::create_dir_all(&home).unwrap();
            // The machine's rabbitmq.conf names port 5672; each node gets
            // a configuration file of its own instead.
            std::fs::write(
                home.join("rabbitmq.conf"),
                format!("listeners.tcp.local = 127.0.0.1:{port}\n"),
            )
            .unwrap();
            nodes.push(node);
            ports.push(port);
        }
        // The server drops to the rabbitmq user, which must own the data.
        let _ = Command::new("chown")
            .args(["-R", "rabbitmq:rabbitmq"])
            .arg(dir.path())
            .status();
        for (n, node) in nodes.iter().enumerate() {
            let home = dir.path().join(format!("node{}", n + 1));
            let status = Command::new("rabbitmq-server")
                .arg("-detached")
                .env("RABBITMQ_NODENAME", node)
                .env("RABBITMQ_DIST_PORT", free_port().to_string())
                .env("RABBITMQ_CONFIG_FILE", home.join("rabbitmq.conf"))
                .env("RABBITMQ_MNESIA_BASE", home.join("mnesia"))
                .env("RABBITMQ_LOG_BASE", home.join("log"))
                .env("RABBITMQ_ENABLED_PLUGINS_FILE", &plugins)
                .env("RABBITMQ_PID_FILE", home.join("pid"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("rabbitmq-server runs");
            assert!(status.success(), "{node} did not start");
        }
        let cluster = Cluster {
            nodes,
            ports,
            _dir: dir,
        };
        // A detached node is not reachable at once, and `await_startup`
        // fails on a node it cannot reach yet: asked again until it answers.
        for node in &cluster.nodes {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !Command::new("rabbitmqctl")
                .args(["-q", "-n", node, "await_startup", "--timeout", "60"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
            {
                assert!(Instant::now() < deadline, "{node} did not start in 120 s");
                std::thread::sleep(Duration::from_millis(500));
            }
        }
        let first = cluster.nodes[0].clone();
        for node in &cluster.nodes[1..] {
            cluster.ctl(node, &["stop_app"]);
            cluster.ctl(node, &["join_cluster", &first]);
            cluster.ctl(node, &["start_app"]);
        }
        cluster
    }

    /// Runs `rabbitmqctl -q -n NODE ARGS…`, failing the test with its output.
    fn ctl(&self, node: &str, args: &[&str]) -> String {
        crate::rabbitmqctl::run(&[&["-q", "-n", node], args].concat())
    }

    /// One guest URL per node.
    pub fn urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|port| format!("amqp://guest:guest@127.0.0.1:{port}/%2f"))
            .collect()
    }

    /// The node that leads a quorum queue now.
    pub fn leader_of(&self, queue: &str) -> String {
        let listing = self.ctl(
            &self.nodes[0],
            &["list_queues", "name", "leader", "--no-table-headers"],
        );
        listing
            .lines()
            .find_map(|line| {
                let mut columns = line.split_whitespace();
                (columns.next() == Some(queue)).then(|| columns.next())?
            })
            .unwrap_or_else(|| panic!("no leader of {queue} in: {listing}"))
            .to_string()
    }

    /// Stops one node (its Erlang VM exits): its connections drop, and its
    /// quorum queues elect leaders among the other nodes.
    pub fn stop_node(&self, node: &str) {
        self.ctl(node, &["stop"]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &self.nodes {
            let _ = Command::new("rabbitmqctl")
                .args(["-q", "-n", node, "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}
