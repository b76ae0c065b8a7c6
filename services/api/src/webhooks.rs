//! Signed webhooks, delivered durably. Result events reach the API's own
//! durable queue (`P.webhooks`, bound to the results exchange); the
//! dispatcher, which runs in every API replica so that they share the
//! work, looks up each event's job (its request record names the webhook
//! URLs) and POSTs the event signed per the Standard Webhooks spec
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`; HMAC-SHA256
//! with each `whsec_` secret, so receivers may hold either secret during a
//! rotation). A failed delivery waits in `P.webhooks.retry.N` (its TTL is
//! the backoff; quorum, at-least-once dead-lettering) and comes back
//! through `P.webhooks.deliveries`; after the last attempt it goes to
//! `P.webhooks.dead` with the last response. A message is acked only once
//! its delivery succeeded or its next step is confirmed by the broker, so a
//! dispatcher killed mid-delivery loses nothing: the event comes back and
//! is delivered again under the same `webhook-id`, which receivers use to
//! deduplicate.
//!
//! The address guard: a webhook URL's host is resolved here and every
//! address checked (loopback, private, link-local and cloud metadata,
//! unique-local, multicast and unspecified addresses are refused unless in
//! `--webhook-allow`); the request then goes to the checked address (no
//! second lookup a DNS rebinding could change), no redirect is followed,
//! and every step has a timeout.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use ipnet::IpNet;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, ConfirmSelectOptions,
    QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection};
use rapporteur_broker::{
    ERROR_MESSAGE_HEADER, TopologySettings, header_text, json_properties, publish_to_queue, table,
    text,
};
use rapporteur_jobs::{JobResult, Topology, job_request_object};
use rapporteur_storage::Storage;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::records::RequestRecord;

/// The `whsec_` secrets events are signed with (all of them, for rotation).
pub struct Signer {
    secrets: Vec<standardwebhooks::Webhook>,
}

impl Signer {
    /// Reads a comma-separated list of `whsec_<base64>` secrets. The error
    /// says which one (by position, never quoting it) is wrong.
    pub fn parse(list: &str) -> Result<Signer, String> {
        let mut secrets = Vec::new();
        for (index, secret) in list.split(',').map(str::trim).enumerate() {
            let webhook = secret
                .strip_prefix("whsec_")
                .filter(|rest| !rest.is_empty())
                .and_then(|_| standardwebhooks::Webhook::new(secret).ok())
                .ok_or_else(|| {
                    format!(
                        "webhook secret {} is not whsec_ followed by base64",
                        index + 1
                    )
                })?;
            secrets.push(webhook);
        }
        Ok(Signer { secrets })
    }

    /// The `webhook-signature` value: one `v1,<base64>` per secret.
    pub fn signature(&self, id: &str, timestamp: i64, payload: &[u8]) -> String {
        self.secrets
            .iter()
            .map(|secret| {
                secret
                    .sign(id, timestamp, payload)
                    .expect("payloads are JSON, so UTF-8")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Addresses a webhook may not reach unless allow-listed: this host,
/// private networks, link-local (cloud metadata at 169.254.169.254 and
/// fd00:ec2::254 included), shared address space, multicast, unspecified.
pub fn is_internal(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Where a webhook may go: the guard and its timeouts.
#[derive(Clone)]
pub struct Guard {
    pub allow: Vec<IpNet>,
    pub timeout: Duration,
}

/// A webhook URL checked and resolved: the request goes to `address`.
pub struct Target {
    url: url::Url,
    host: String,
    address: SocketAddr,
}

impl Guard {
    fn allowed(&self, address: IpAddr) -> bool {
        !is_internal(address) || self.allow.iter().any(|net| net.contains(&address))
    }

    /// Checks a webhook URL: http(s), a host, and every address it resolves
    /// to allowed. The error is for the client (422 at submission) and the
    /// dead-letter header.
    pub async fn check(&self, url: &str) -> Result<Target, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("a webhook URL is http or https".into());
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err("a webhook URL carries no credentials".into());
        }
        let host = parsed
            .host_str()
            .ok_or("a webhook URL names a host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addresses: Vec<SocketAddr> =
            tokio::time::timeout(self.timeout, tokio::net::lookup_host((host.as_str(), port)))
                .await
                .map_err(|_| "the webhook host did not resolve in time".to_string())?
                .map_err(|e| format!("the webhook host does not resolve: {e}"))?
                .collect();
        let Some(first) = addresses.first().copied() else {
            return Err("the webhook host has no address".into());
        };
        if let Some(refused) = addresses.iter().find(|a| !self.allowed(a.ip())) {
            return Err(format!(
                "the webhook host resolves to {}, an internal address (allow it with --webhook-allow)",
                refused.ip()
            ));
        }
        Ok(Target {
            url: parsed,
            host,
            address: first,
        })
    }
}

/// One delivery of one event to one URL, as it travels through the retry
/// queues.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Attempt {
    url: String,
    /// `msg_` and a hash of the job, event and URL: the same for every
    /// attempt and every redelivery of the event.
    webhook_id: String,
    /// The body sent, unchanged across attempts.
    payload: String,
    /// This attempt's number, from 1.
    attempt: u32,
}

/// The body of a webhook: the event's type and the result event itself.
#[derive(Serialize)]
struct Payload<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    data: &'a JobResult,
}

/// What the dispatcher needs.
pub struct Dispatch {
    pub urls: Vec<String>,
    pub topology: Topology,
    pub storage: Storage,
    pub signer: Signer,
    pub guard: Guard,
    /// The wait after each failed attempt; one more attempt than waits.
    pub delays: Vec<Duration>,
    pub metrics: Arc<crate::ops::Metrics>,
}

/// Runs the dispatcher until `stop`, reconnecting after a lost broker.
pub async fn run(dispatch: Arc<Dispatch>, stop: watch::Receiver<bool>) {
    crate::reconnect::until_stopped("the webhook dispatcher", stop.clone(), |mut node| {
        let (dispatch, stop) = (dispatch.clone(), stop.clone());
        async move {
            let ended = session(&dispatch, &mut node, stop).await;
            (node, ended)
        }
    })
    .await;
}

/// Declares the dispatcher's queues (safe to repeat; every replica must
/// use the same delays, as queue arguments cannot change).
async fn declare(channel: &Channel, dispatch: &Dispatch) -> lapin::Result<()> {
    let topology = &dispatch.topology;
    rapporteur_broker::declare(channel, topology, &TopologySettings::default()).await?;
    let durable = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    let quorum = [("x-queue-type", text("quorum"))];
    for queue in [
        topology.webhook_events_queue(),
        topology.webhook_deliveries_queue(),
        topology.webhook_dead_queue(),
    ] {
        channel
            .queue_declare(queue.as_str().into(), durable, table(&quorum))
            .await?;
    }
    for routing_key in ["job.succeeded", "job.failed"] {
        channel
            .queue_bind(
                topology.webhook_events_queue().as_str().into(),
                topology.results_exchange().as_str().into(),
                routing_key.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    for (index, delay) in dispatch.delays.iter().enumerate() {
        let ttl = delay.as_millis().min(i64::MAX as u128) as i64;
        channel
            .queue_declare(
                topology
                    .webhook_retry_queue(index as u32 + 1)
                    .as_str()
                    .into(),
                durable,
                table(&[
                    ("x-queue-type", text("quorum")),
                    ("x-message-ttl", AMQPValue::LongLongInt(ttl)),
                    ("x-overflow", text("reject-publish")),
                    ("x-dead-letter-strategy", text("at-least-once")),
                    ("x-dead-letter-exchange", text("")),
                    (
                        "x-dead-letter-routing-key",
                        text(&topology.webhook_deliveries_queue()),
                    ),
                ]),
            )
            .await?;
    }
    Ok(())
}

enum Incoming {
    Event(Delivery),
    Retry(Delivery),
}

async fn session(
    dispatch: &Arc<Dispatch>,
    node: &mut usize,
    _stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let (connection, at): (Connection, usize) =
        rapporteur_broker::connect_any(&dispatch.urls, *node).await?;
    *node = at;
    let channel = connection.create_channel().await?;
    declare(&channel, dispatch).await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    channel.basic_qos(16, BasicQosOptions::default()).await?;
    let consume = |queue: String| {
        let channel = channel.clone();
        async move {
            channel
                .basic_consume(
                    queue.as_str().into(),
                    "".into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await
        }
    };
    let events = consume(dispatch.topology.webhook_events_queue())
        .await?
        .map(|d| d.map(Incoming::Event));
    let retries = consume(dispatch.topology.webhook_deliveries_queue())
        .await?
        .map(|d| d.map(Incoming::Retry));
    tracing::info!("webhook dispatcher consuming");
    let mut incoming = futures_util::stream::select(events, retries);
    let mut in_flight = futures_util::stream::FuturesUnordered::new();
    loop {
        tokio::select! {
            next = incoming.next(), if in_flight.len() < 16 => {
                let Some(next) = next else {
                    anyhow::bail!("the broker ended the consumers");
                };
                let dispatch = dispatch.clone();
                let channel = channel.clone();
                in_flight.push(async move { handle(&dispatch, &channel, next?).await });
            }
            Some(done) = in_flight.next(), if !in_flight.is_empty() => {
                done?;
            }
        }
    }
}

/// Settles one message: acked once every delivery it asks for succeeded
/// or was handed on (confirmed); otherwise returned to its queue.
async fn handle(dispatch: &Dispatch, channel: &Channel, incoming: Incoming) -> lapin::Result<()> {
    let (delivery, settled) = match incoming {
        Incoming::Event(delivery) => {
            let settled = event(dispatch, channel, &delivery.data).await;
            (delivery, settled)
        }
        Incoming::Retry(delivery) => {
            let settled = match serde_json::from_slice::<Attempt>(&delivery.data) {
                Ok(attempt) => attempt_delivery(dispatch, channel, attempt).await,
                // Not ours: nothing can deliver it.
                Err(_) => Ok(()),
            };
            (delivery, settled)
        }
    };
    match settled {
        Ok(()) => delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .map(|_| ()),
        Err(error) => {
            tracing::warn!(%error, "a webhook step was not confirmed; the message goes back");
            delivery
                .acker
                .nack(BasicNackOptions {
                    requeue: true,
                    ..BasicNackOptions::default()
                })
                .await
                .map(|_| ())
        }
    }
}

/// A result event: one delivery per webhook its job names.
async fn event(
    dispatch: &Dispatch,
    channel: &Channel,
    body: &[u8],
) -> Result<(), rapporteur_broker::PublishError> {
    let Ok(result) = serde_json::from_slice::<JobResult>(body) else {
        return Ok(());
    };
    if result.job_id.is_empty() {
        return Ok(());
    }
    let storage = dispatch.storage.clone();
    let object = job_request_object(&result.job_id);
    let record = tokio::task::spawn_blocking(move || storage.read(&object, 1 << 20))
        .await
        .ok()
        .and_then(|read| read.ok())
        .and_then(|bytes| serde_json::from_slice::<RequestRecord>(&bytes).ok());
    let Some(record) = record else {
        // Not a job of the API's (or its record is gone): no webhook.
        return Ok(());
    };
    let kind = result.status.routing_key();
    let payload = serde_json::to_string(&Payload {
        kind,
        data: &result,
    })
    .expect("a payload always serializes");
    for url in &record.webhooks {
        let webhook_id = format!(
            "msg_{}",
            &crate::auth::hex_sha256(format!("{}\0{kind}\0{url}", result.job_id).as_bytes())[..32]
        );
        let attempt = Attempt {
            url: url.clone(),
            webhook_id,
            payload: payload.clone(),
            attempt: 1,
        };
        attempt_delivery(dispatch, channel, attempt).await?;
    }
    Ok(())
}

/// Tries one delivery; a failure goes to the next retry queue or, after
/// the last attempt, to the dead-letter queue with the last response.
async fn attempt_delivery(
    dispatch: &Dispatch,
    channel: &Channel,
    attempt: Attempt,
) -> Result<(), rapporteur_broker::PublishError> {
    let outcome = deliver(dispatch, &attempt).await;
    let topology = &dispatch.topology;
    match outcome {
        Ok(()) => {
            dispatch.metrics.webhook("delivered");
            tracing::info!(webhook_id = %attempt.webhook_id, attempt = attempt.attempt, "webhook delivered");
            Ok(())
        }
        Err(why) if (attempt.attempt as usize) <= dispatch.delays.len() => {
            dispatch.metrics.webhook("retried");
            tracing::warn!(webhook_id = %attempt.webhook_id, attempt = attempt.attempt, %why, "webhook failed; retrying later");
            let queue = topology.webhook_retry_queue(attempt.attempt);
            let next = Attempt {
                attempt: attempt.attempt + 1,
                ..attempt
            };
            let body = serde_json::to_vec(&next).expect("an attempt always serializes");
            publish_to_queue(channel, &queue, &body, json_properties(&[])).await
        }
        Err(why) => {
            dispatch.metrics.webhook("dead_lettered");
            tracing::warn!(webhook_id = %attempt.webhook_id, attempt = attempt.attempt, %why, "webhook failed every attempt; dead-lettered");
            let body = serde_json::to_vec(&attempt).expect("an attempt always serializes");
            let properties = json_properties(&[(
                ERROR_MESSAGE_HEADER,
                header_text(&rapporteur_untrusted::bounded_message(&why)),
            )]);
            publish_to_queue(channel, &topology.webhook_dead_queue(), &body, properties).await
        }
    }
}

/// Longest part of a receiver's answer kept for the dead-letter header.
const RESPONSE_KEPT: usize = 512;

/// POSTs one attempt, signed; `Err` with what happened otherwise.
async fn deliver(dispatch: &Dispatch, attempt: &Attempt) -> Result<(), String> {
    let target = dispatch.guard.check(&attempt.url).await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(dispatch.guard.timeout)
        .timeout(dispatch.guard.timeout)
        .resolve(&target.host, target.address)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let signature =
        dispatch
            .signer
            .signature(&attempt.webhook_id, timestamp, attempt.payload.as_bytes());
    let response = client
        .post(target.url)
        .header("content-type", "application/json")
        .header(
            "user-agent",
            concat!("rapporteur-api/", env!("CARGO_PKG_VERSION")),
        )
        .header("webhook-id", &attempt.webhook_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(attempt.payload.clone())
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let mut answer = response.bytes().await.unwrap_or_default().to_vec();
    answer.truncate(RESPONSE_KEPT);
    Err(format!(
        "HTTP {status}: {}",
        String::from_utf8_lossy(&answer)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_and_public_ones_pass() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn the_guard_refuses_internal_hosts_unless_allowed() {
        let guard = Guard {
            allow: vec![],
            timeout: Duration::from_secs(2),
        };
        for url in [
            "http://127.0.0.1:9/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/x",
            "http://localhost/x",
        ] {
            let refused = guard.check(url).await.err().unwrap_or_default();
            assert!(refused.contains("internal address"), "{url}: {refused}");
        }
        assert!(guard.check("ftp://example.com/").await.is_err());
        assert!(guard.check("http://user:pw@example.com/").await.is_err());
        let allowing = Guard {
            allow: vec!["127.0.0.0/8".parse().unwrap()],
            ..guard
        };
        assert!(allowing.check("http://127.0.0.1:9/hook").await.is_ok());
        assert!(allowing.check("http://169.254.169.254/").await.is_err());
    }

    #[test]
    fn signatures_verify_with_the_reference_library_under_every_secret() {
        let (a, b) = ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2Vjb25k");
        let signer = Signer::parse(&format!("{a}, {b}")).unwrap();
        let payload = br#"{"type":"job.succeeded"}"#;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let signature = signer.signature("msg_1", now, payload);
        assert_eq!(signature.split(' ').count(), 2);
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("webhook-id", "msg_1".parse().unwrap());
        headers.insert("webhook-timestamp", now.to_string().parse().unwrap());
        headers.insert("webhook-signature", signature.parse().unwrap());
        for secret in [a, b] {
            standardwebhooks::Webhook::new(secret)
                .unwrap()
                .verify(payload, &headers)
                .unwrap();
        }
        assert!(Signer::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(Signer::parse("whsec_!!!").is_err());
    }
}
