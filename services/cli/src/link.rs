//! `submit`'s link to the broker, which rides out a lost connection (a
//! broker restart, `rabbitmqctl close_all_connections`, a cluster node
//! going down): it reconnects to the next node, republishes the job whose
//! confirm never came, and goes on consuming its results queue, which
//! outlives the connection (a named quorum queue that expires an hour after
//! its last consumer, not an exclusive one that dies with the connection).
//!
//! A job republished after a lost confirm may reach the workers twice; its
//! outputs are idempotent and the caller counts each job id once.

use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, ConfirmSelectOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection, Consumer};
use rapporteur_broker::{
    BrokerArgs, PublishError, TopologySettings, json_properties, publish_to_queue,
};
use rapporteur_jobs::{JobRequest, Topology};

/// How long a lost broker is tried for before the command gives up.
const RECONNECT_FOR: Duration = Duration::from_secs(120);

/// A results queue with no consumer for this long is deleted by the broker
/// (a submitter that died leaves nothing behind for ever).
const REPLIES_EXPIRE_MS: i64 = 60 * 60 * 1000;

/// The broker, as `submit` uses it.
pub(crate) struct Link<'a> {
    broker: &'a BrokerArgs,
    topology: Topology,
    /// The queue results come back on (with `--wait`).
    replies: Option<String>,
    live: Option<Live>,
    /// The node to try first: the one that last worked.
    node: usize,
    /// Connections lost so far.
    pub lost: usize,
}

struct Live {
    connection: Connection,
    channel: Channel,
    consumer: Option<Consumer>,
}

impl<'a> Link<'a> {
    /// Connects and declares the topology (and, when `replies` is given,
    /// that results queue). Fails when no node answers.
    pub async fn open(broker: &'a BrokerArgs, replies: Option<String>) -> anyhow::Result<Link<'a>> {
        let mut link = Link {
            broker,
            topology: broker.topology(),
            replies,
            live: None,
            node: 0,
            lost: 0,
        };
        link.live = Some(link.connect().await?);
        Ok(link)
    }

    async fn connect(&mut self) -> anyhow::Result<Live> {
        let (connection, node) = rapporteur_broker::connect_any(&self.broker.urls(), self.node)
            .await
            .context("cannot connect to the broker (check --amqp-url / AMQP_URL)")?;
        self.node = node;
        let channel = connection.create_channel().await?;
        rapporteur_broker::declare(&channel, &self.topology, &TopologySettings::default())
            .await
            .context("cannot declare the job queues; if a worker declared them with other settings, use its --queue-prefix")?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        let consumer = match &self.replies {
            None => None,
            Some(queue) => {
                let mut arguments = FieldTable::default();
                arguments.insert(
                    "x-queue-type".into(),
                    AMQPValue::LongString("quorum".into()),
                );
                arguments.insert(
                    "x-expires".into(),
                    AMQPValue::LongLongInt(REPLIES_EXPIRE_MS),
                );
                channel
                    .queue_declare(
                        queue.as_str().into(),
                        QueueDeclareOptions {
                            durable: true,
                            ..QueueDeclareOptions::default()
                        },
                        arguments,
                    )
                    .await?;
                Some(
                    channel
                        .basic_consume(
                            queue.as_str().into(),
                            "".into(),
                            BasicConsumeOptions::default(),
                            FieldTable::default(),
                        )
                        .await?,
                )
            }
        };
        Ok(Live {
            connection,
            channel,
            consumer,
        })
    }

    /// The live connection, reconnecting (with backoff, for at most
    /// [`RECONNECT_FOR`]) when it was lost.
    async fn live(&mut self) -> anyhow::Result<&mut Live> {
        if self.live.is_none() {
            let started = Instant::now();
            let mut backoff = Duration::from_millis(200);
            loop {
                match self.connect().await {
                    Ok(live) => {
                        self.live = Some(live);
                        break;
                    }
                    Err(error) if started.elapsed() < RECONNECT_FOR => {
                        say(&format!("{error:#}; trying again"));
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                        // Try the next node first.
                        self.node += 1;
                    }
                    Err(error) => return Err(error),
                }
            }
        }
        Ok(self.live.as_mut().expect("connected above"))
    }

    /// Forgets a connection that failed; the next use reconnects.
    fn drop_live(&mut self, why: &str) {
        if let Some(live) = self.live.take() {
            self.lost += 1;
            say(&format!("lost the broker connection ({why}); reconnecting"));
            drop(live);
        }
    }

    /// Publishes a job to the jobs queue (its results to come back to this
    /// link's queue, matched by the job id) and waits for the broker's
    /// confirm, republishing it on a new connection when the confirm was
    /// lost with the old one. A job the broker refuses is an error.
    pub async fn publish_job(&mut self, job: &JobRequest) -> anyhow::Result<()> {
        let body = serde_json::to_vec(job).expect("a job always serializes");
        let mut properties = json_properties(&[]).with_correlation_id(job.job_id.as_str().into());
        if let Some(queue) = &self.replies {
            properties = properties.with_reply_to(queue.as_str().into());
        }
        let queue = self.topology.jobs_queue();
        loop {
            let live = self.live().await?;
            // Mandatory: a jobs queue that is missing returns the job as an
            // error instead of the broker dropping it after a confirm.
            match publish_to_queue(&live.channel, &queue, &body, properties.clone()).await {
                Ok(()) => return Ok(()),
                Err(PublishError::Broker(error)) => self.drop_live(&error.to_string()),
                Err(refused) => {
                    return Err(anyhow::Error::from(refused).context(format!(
                        "the broker did not take the job for {}",
                        rapporteur_untrusted::shown(job.source.name())
                    )));
                }
            }
        }
    }

    /// The next message on the results queue (acknowledged), waiting at
    /// most `timeout`; `None` when the time ran out.
    pub async fn next_reply(&mut self, timeout: Duration) -> anyhow::Result<Option<Vec<u8>>> {
        let deadline = Instant::now() + timeout;
        loop {
            let live = self.live().await?;
            let connection = &live.connection;
            let consumer = live
                .consumer
                .as_mut()
                .expect("a link opened with a results queue");
            let remaining = deadline.saturating_duration_since(Instant::now());
            let next = tokio::select! {
                next = tokio::time::timeout(remaining, consumer.next()) => next,
                // The consumer does not always end when the socket dies.
                () = rapporteur_broker::lost(connection) => Ok(None),
            };
            match next {
                Err(_) => return Ok(None),
                Ok(Some(Ok(delivery))) => {
                    // A lost ack only brings the reply back after a
                    // reconnect, where it is counted once anyway.
                    let _ = delivery.acker.ack(BasicAckOptions::default()).await;
                    return Ok(Some(delivery.data));
                }
                Ok(Some(Err(error))) => self.drop_live(&error.to_string()),
                Ok(None) => self.drop_live("the results queue's consumer ended"),
            }
        }
    }

    /// Deletes the results queue and closes the connection.
    pub async fn close(mut self) {
        if let (Some(queue), Some(live)) = (&self.replies, &self.live) {
            let _ = live
                .channel
                .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
        if let Some(live) = self.live.take() {
            rapporteur_broker::close(&live.connection, "done").await;
        }
    }
}

/// A line on stderr, as the command line says things.
fn say(message: &str) {
    eprintln!(
        "rapporteur: {}",
        rapporteur_untrusted::for_terminal(message)
    );
}
