//! Rapporteur's use of RabbitMQ, shared by the worker, `rapporteur submit`
//! and the API: the options that find the broker, connecting to the first
//! node that answers, noticing a lost connection and closing one within a
//! bound, declaring the topology (idempotently) and publishing with
//! confirms.
//!
//! The topology, for a prefix P (default "summaries"):
//! - `P.jobs`: durable quorum queue of job requests, with a delivery limit
//!   after which the broker dead-letters a message that keeps killing workers;
//! - `P.jobs.dead`: durable quorum queue of jobs that can never succeed, each
//!   with its reason in headers;
//! - `P.jobs.retry.N`: durable quorum queues where a job waits after its N-th
//!   transient failure; their TTL is the backoff, after which the broker moves
//!   the job back to `P.jobs` (at-least-once dead-lettering);
//! - `P.results`: durable topic exchange of result events (`job.succeeded`,
//!   `job.failed`).
//!
//! `deploy/rabbitmq/definitions.json` ships the same topology for the defaults.

use std::time::Duration;

use lapin::options::{
    BasicPublishOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, ExchangeKind};
use rapporteur_jobs::Topology;

/// How a program finds the broker and its queues: the same options, the
/// same environment variables and the same defaults for the worker and
/// `rapporteur submit`, so that the two always meet on one queue.
#[derive(clap::Args, Debug, Clone)]
pub struct BrokerArgs {
    /// Broker URL, or the URLs of a cluster's nodes separated by commas
    /// (a lost connection fails over to the next node). Prefer the
    /// environment variable: a password on the command line is visible to
    /// every user of the machine. A malformed URL is refused at start-up
    /// rather than retried forever.
    #[arg(
        long,
        env = "AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f",
        hide_env_values = true,
        value_parser = parse_amqp_urls
    )]
    pub amqp_url: String,
    /// Prefix of every queue and exchange name ("summaries" → summaries.jobs):
    /// 1 to 200 ASCII letters, digits, '.', '_' or '-'.
    #[arg(long, env = "QUEUE_PREFIX", default_value = "summaries", value_parser = parse_queue_prefix)]
    pub queue_prefix: String,
}

impl BrokerArgs {
    /// The broker URLs, in the order given.
    pub fn urls(&self) -> Vec<String> {
        self.amqp_url
            .split(',')
            .map(|url| url.trim().to_string())
            .collect()
    }

    pub fn topology(&self) -> Topology {
        Topology::new(&self.queue_prefix)
    }
}

/// Checks a broker URL the way the connection will read it. The error never
/// quotes the URL, which may hold a password.
pub fn parse_amqp_url(url: &str) -> Result<String, String> {
    url.parse::<lapin::uri::AMQPUri>()
        .map(|_| url.to_string())
        .map_err(|e| format!("not an AMQP URL (amqp://user:password@host:port/vhost): {e}"))
}

/// Checks a comma-separated list of broker URLs, each as
/// [`parse_amqp_url`] does; the error says which one (by position, never
/// quoting it) is wrong.
pub fn parse_amqp_urls(urls: &str) -> Result<String, String> {
    for (index, url) in urls.split(',').enumerate() {
        parse_amqp_url(url.trim()).map_err(|e| format!("broker URL {}: {e}", index + 1))?;
    }
    Ok(urls.to_string())
}

/// Connects to the first broker that answers among `urls`, trying them in
/// turn from `start` (the node after the one a lost connection was to, so
/// that a worker moves on from a node that went away). Returns the
/// connection and the index of its URL; the last error when none answers.
pub async fn connect_any(
    urls: &[String],
    start: usize,
) -> Result<(lapin::Connection, usize), lapin::Error> {
    let mut last = None;
    for offset in 0..urls.len() {
        let index = (start + offset) % urls.len();
        match lapin::Connection::connect(&urls[index], lapin::ConnectionProperties::default()).await
        {
            Ok(connection) => return Ok((connection, index)),
            Err(error) => last = Some(error),
        }
    }
    Err(last.unwrap_or_else(|| {
        lapin::ErrorKind::InvalidConnectionState(lapin::ConnectionState::Closed).into()
    }))
}

/// How long closing a connection may take before it is given up. lapin
/// 4.12's `Connection::close` now and then never resolves although the
/// connection is closed: in loops of connect, declare and close, 12 of
/// 27,000 closes by three clients at once had not resolved after 5 s (the
/// 3 watched longer still had not after 65 s); none of 13,500 by one
/// client at a time. A worker paused for a storage outage would never
/// resume, and `submit` would never exit. A close that takes longer is
/// abandoned; dropping the connection ends it.
pub const CLOSE_WITHIN: Duration = Duration::from_secs(5);

/// Closes a connection with a normal reply code (the broker returns its
/// unacknowledged deliveries to their queues), waiting at most
/// [`CLOSE_WITHIN`]. A connection already lost is not an error: there is
/// nothing left to close.
pub async fn close(connection: &lapin::Connection, reason: &'static str) {
    let _ = tokio::time::timeout(CLOSE_WITHIN, connection.close(200, reason.into())).await;
}

/// Resolves once the connection is no longer connected: a consumer
/// stream does not always end when the socket dies.
pub async fn lost(connection: &lapin::Connection) {
    while connection.status().connected() {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Checks a queue prefix: every queue name is the prefix and a short suffix,
/// and must fit an AMQP short string (255 bytes).
pub fn parse_queue_prefix(prefix: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if prefix.is_empty() || prefix.len() > 200 || !prefix.chars().all(allowed) {
        return Err("a queue prefix is 1 to 200 ASCII letters, digits, '.', '_' or '-'".into());
    }
    Ok(prefix.to_string())
}

/// An AMQP short string (correlation id, routing key, queue name) from a
/// value that may come from a client: `None` when it does not fit in 255
/// bytes, where `ShortString::from` would panic.
pub fn short_string(value: &str) -> Option<ShortString> {
    ShortString::try_new(value).ok()
}

/// Header the worker sets on a job's copy in a retry queue: the attempt that
/// copy will be. Read back only as a hint bounded by the broker's own count
/// (see the worker's `attempt_of`), never trusted as sent by a client.
pub const ATTEMPT_HEADER: &str = "x-rapporteur-attempt";
/// Headers a dead-lettered job carries: why it failed.
pub const ERROR_CODE_HEADER: &str = "x-rapporteur-error-code";
pub const ERROR_MESSAGE_HEADER: &str = "x-rapporteur-error";

/// The knobs of the topology. Queue arguments cannot change once a queue
/// exists, so every process declaring the topology must use the same values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologySettings {
    pub delivery_limit: u32,
    pub max_attempts: u32,
    pub retry_delay: Duration,
}

impl Default for TopologySettings {
    fn default() -> Self {
        TopologySettings {
            delivery_limit: 10,
            max_attempts: 4,
            retry_delay: Duration::from_secs(1),
        }
    }
}

impl TopologySettings {
    /// Backoff after the `attempt`-th failure: the delay, times five per attempt.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.retry_delay * 5u32.saturating_pow(attempt.saturating_sub(1))
    }
}

/// A queue argument's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgumentValue {
    Text(String),
    Number(i64),
}

/// One queue of the topology and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSpec {
    pub name: String,
    pub arguments: Vec<(&'static str, ArgumentValue)>,
}

/// The queues of the topology; [`declare`] declares exactly these, and
/// `deploy/rabbitmq/definitions.json` is checked against them.
pub fn queue_specs(topology: &Topology, settings: &TopologySettings) -> Vec<QueueSpec> {
    let text = |value: &str| ArgumentValue::Text(value.to_string());
    let mut queues = vec![
        QueueSpec {
            name: topology.dead_letter_queue(),
            arguments: vec![("x-queue-type", text("quorum"))],
        },
        QueueSpec {
            name: topology.jobs_queue(),
            arguments: vec![
                ("x-queue-type", text("quorum")),
                (
                    "x-delivery-limit",
                    ArgumentValue::Number(settings.delivery_limit.into()),
                ),
                ("x-dead-letter-exchange", text("")),
                (
                    "x-dead-letter-routing-key",
                    text(&topology.dead_letter_queue()),
                ),
            ],
        },
    ];
    for attempt in 1..settings.max_attempts {
        let ttl = settings.backoff(attempt).as_millis().min(i64::MAX as u128) as i64;
        queues.push(QueueSpec {
            name: topology.retry_queue(attempt),
            // Quorum, with at-least-once dead-lettering: a classic queue's
            // TTL dead-lettering is at-most-once, so a job expiring while the
            // broker restarts or the jobs queue is unavailable could be lost.
            // At-least-once needs reject-publish overflow (RabbitMQ 3.10+).
            arguments: vec![
                ("x-queue-type", text("quorum")),
                ("x-message-ttl", ArgumentValue::Number(ttl)),
                ("x-overflow", text("reject-publish")),
                ("x-dead-letter-strategy", text("at-least-once")),
                ("x-dead-letter-exchange", text("")),
                ("x-dead-letter-routing-key", text(&topology.jobs_queue())),
            ],
        });
    }
    queues
}

/// An AMQP field table (queue arguments, headers) from pairs.
pub fn table(entries: &[(&str, AMQPValue)]) -> FieldTable {
    let mut table = FieldTable::default();
    for (key, value) in entries {
        table.insert(ShortString::from(*key), value.clone());
    }
    table
}

/// A string as an AMQP field value.
pub fn text(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value.as_bytes().to_vec()))
}

/// Declares every queue and exchange; safe to repeat.
pub async fn declare(
    channel: &Channel,
    topology: &Topology,
    settings: &TopologySettings,
) -> lapin::Result<()> {
    let durable = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    for queue in queue_specs(topology, settings) {
        let arguments: Vec<(&str, AMQPValue)> = queue
            .arguments
            .iter()
            .map(|(key, value)| {
                let value = match value {
                    ArgumentValue::Text(t) => text(t),
                    ArgumentValue::Number(n) => AMQPValue::LongLongInt(*n),
                };
                (*key, value)
            })
            .collect();
        channel
            .queue_declare(queue.name.as_str().into(), durable, table(&arguments))
            .await?;
    }
    channel
        .exchange_declare(
            topology.results_exchange().into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..ExchangeDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
}

/// Declares a durable queue `queue` bound to every result event (both
/// routing keys), as a DMS integration or a test that follows results
/// declares it: events published while its consumer is away wait in it.
pub async fn declare_results_queue(
    channel: &Channel,
    topology: &Topology,
    queue: &str,
) -> lapin::Result<()> {
    channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            // Replicated across a cluster's nodes, as the job queues are: a
            // classic queue lives on one node and is gone while it is down.
            table(&[("x-queue-type", text("quorum"))]),
        )
        .await?;
    channel
        .queue_bind(
            queue.into(),
            topology.results_exchange().into(),
            "job.*".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
}

/// A message the broker did not take.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("publishing failed: {0}")]
    Broker(#[from] lapin::Error),
    #[error("the broker refused (nacked) the message to '{0}'")]
    Nacked(String),
    #[error("no queue took the message to '{0}' (the broker returned it)")]
    Returned(String),
}

/// Publishes a persistent message straight to `queue` and waits for the
/// broker to confirm it, with `mandatory` set: a message no queue takes (the
/// queue does not exist) is returned by the broker and is an error here,
/// where without `mandatory` the broker drops it and still confirms.
pub async fn publish_to_queue(
    channel: &Channel,
    queue: &str,
    body: &[u8],
    properties: BasicProperties,
) -> Result<(), PublishError> {
    publish(channel, "", queue, body, properties, true).await
}

/// Publishes a persistent message and waits for the broker to confirm it
/// (the channel must be in confirm mode). A nack is an error. Not
/// `mandatory`: for events to an exchange nobody may be following, and
/// replies to a client's queue that may be gone; a message that must reach
/// a queue goes through [`publish_to_queue`].
pub async fn publish_confirmed(
    channel: &Channel,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    properties: BasicProperties,
) -> Result<(), PublishError> {
    publish(channel, exchange, routing_key, body, properties, false).await
}

async fn publish(
    channel: &Channel,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    properties: BasicProperties,
    mandatory: bool,
) -> Result<(), PublishError> {
    let properties = properties.with_delivery_mode(2);
    let where_to = || format!("{exchange}/{routing_key}");
    let (Some(exchange_name), Some(key)) = (short_string(exchange), short_string(routing_key))
    else {
        return Err(PublishError::Returned(where_to()));
    };
    let confirmation = channel
        .basic_publish(
            exchange_name,
            key,
            BasicPublishOptions {
                mandatory,
                ..BasicPublishOptions::default()
            },
            body,
            properties,
        )
        .await?
        .await?;
    match confirmation {
        // With publisher confirms, the broker sends basic.return before the
        // ack of an unroutable mandatory message; lapin hands it over here.
        lapin::Confirmation::Ack(Some(_)) => Err(PublishError::Returned(where_to())),
        lapin::Confirmation::Ack(None) => Ok(()),
        _ => Err(PublishError::Nacked(where_to())),
    }
}

/// A JSON message's properties, with the given headers.
pub fn json_properties(headers: &[(&str, AMQPValue)]) -> BasicProperties {
    BasicProperties::default()
        .with_content_type("application/json".into())
        .with_headers(table(headers))
}

/// Reads a numeric header, whatever integer type the sender used.
pub fn header_u32(properties: &BasicProperties, name: &str) -> Option<u32> {
    let value = properties.headers().as_ref()?.inner().get(name)?;
    let number: i64 = match value {
        AMQPValue::LongLongInt(v) => *v,
        AMQPValue::LongInt(v) => (*v).into(),
        AMQPValue::LongUInt(v) => (*v).into(),
        AMQPValue::ShortInt(v) => (*v).into(),
        AMQPValue::ShortUInt(v) => (*v).into(),
        AMQPValue::ShortShortInt(v) => (*v).into(),
        AMQPValue::ShortShortUInt(v) => (*v).into(),
        _ => return None,
    };
    u32::try_from(number).ok()
}

/// A header value as AMQP text.
pub fn header_text(value: &str) -> AMQPValue {
    text(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_urls_and_prefixes_are_refused_up_front() {
        assert!(parse_amqp_url("amqp://guest:guest@127.0.0.1:5672/%2f").is_ok());
        assert!(parse_amqp_url("amqps://u:p@broker.example:5671/prod").is_ok());
        for bad in [
            "127.0.0.1:5672",
            "http://x",
            "amqp://u:p@host:notaport/",
            "",
        ] {
            let error = parse_amqp_url(bad).unwrap_err();
            assert!(!bad.contains("u:p") || !error.contains("u:p"), "{error}");
        }
        assert!(
            parse_amqp_urls("amqp://u:p@a:5672/%2f, amqp://u:p@b:5672/%2f,amqp://u:p@c:5672/%2f")
                .is_ok()
        );
        let error = parse_amqp_urls("amqp://u:p@a:5672/%2f,http://u:p@b").unwrap_err();
        assert!(error.starts_with("broker URL 2:"), "{error}");
        assert!(!error.contains("u:p"), "{error}");
        assert!(parse_queue_prefix("summaries").is_ok());
        assert!(parse_queue_prefix("test-123-a.b_c").is_ok());
        for bad in ["", "a b", "a/b", &"p".repeat(201), "é"] {
            assert!(parse_queue_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn short_strings_from_clients_are_checked() {
        assert_eq!(short_string("job-1").unwrap().as_str(), "job-1");
        assert!(short_string(&"j".repeat(255)).is_some());
        assert!(short_string(&"j".repeat(256)).is_none());
    }

    /// The shipped broker definitions declare the same queues, with the same
    /// arguments, as the worker does with its defaults: a mismatch would make
    /// the worker's declaration fail with PRECONDITION_FAILED.
    #[test]
    fn shipped_definitions_match_the_default_topology() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../deploy/rabbitmq/definitions.json"
        );
        let definitions: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let topology = Topology::default();
        let specs = queue_specs(&topology, &TopologySettings::default());
        let queues = definitions["queues"].as_array().unwrap();
        assert_eq!(queues.len(), specs.len());
        for spec in specs {
            let queue = queues
                .iter()
                .find(|q| q["name"] == spec.name.as_str())
                .unwrap_or_else(|| panic!("{} missing", spec.name));
            assert_eq!(queue["durable"], true, "{}", spec.name);
            let arguments = queue["arguments"].as_object().unwrap();
            assert_eq!(arguments.len(), spec.arguments.len(), "{}", spec.name);
            for (key, value) in &spec.arguments {
                let expected = match value {
                    ArgumentValue::Text(t) => serde_json::Value::from(t.as_str()),
                    ArgumentValue::Number(n) => serde_json::Value::from(*n),
                };
                assert_eq!(arguments[*key], expected, "{} {key}", spec.name);
            }
        }
        let exchange = &definitions["exchanges"][0];
        assert_eq!(
            (exchange["name"].as_str(), exchange["type"].as_str()),
            (Some("summaries.results"), Some("topic"))
        );
    }
}
