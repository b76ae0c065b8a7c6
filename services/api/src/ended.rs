//! Hears jobs end, so that `?wait` answers when the worker's result event
//! is published instead of at its next look at the storage: each replica
//! binds a queue of its own (server-named, exclusive, deleted with its
//! connection) to the results exchange for `job.succeeded` and
//! `job.failed`, and passes each job id to the requests waiting.
//!
//! An event only says "look now": the state is still read from the
//! storage (the worker records a job's end before it publishes the
//! event), and waiters also look every [`FALLBACK`], so a lost connection
//! or a missed event delays an answer but never changes it. Measured with
//! `make bench-api`: with 100 ms looks alone, a request waited 105 ms at
//! the median for a job the worker ended in a few milliseconds.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use rapporteur_jobs::{Topology, job_result_object};
use rapporteur_storage::Storage;
use serde::Deserialize;
use tokio::sync::{broadcast, watch};

/// How often a waiter looks at the storage whatever the events say.
pub const FALLBACK: Duration = Duration::from_secs(1);

/// Ended jobs' ids, for every request waiting in this replica.
#[derive(Clone)]
pub struct Ended {
    sender: broadcast::Sender<String>,
}

/// The one field of a result event read here.
#[derive(Deserialize)]
struct JobId {
    job_id: String,
}

impl Ended {
    pub fn new() -> Ended {
        // Waiters that fall this far behind look at the storage instead.
        Ended {
            sender: broadcast::channel(4096).0,
        }
    }

    /// Follows the results exchange until `stop`, reconnecting (to the
    /// next node) after a lost broker.
    pub async fn listen(self, urls: Vec<String>, topology: Topology, stop: watch::Receiver<bool>) {
        crate::reconnect::until_stopped("the results listener", stop, |mut node| {
            let (listener, urls, topology) = (self.clone(), urls.clone(), topology.clone());
            async move {
                let ended = listener.session(&urls, &topology, &mut node).await;
                (node, ended)
            }
        })
        .await;
    }

    async fn session(
        &self,
        urls: &[String],
        topology: &Topology,
        node: &mut usize,
    ) -> lapin::Result<()> {
        let (connection, used) = rapporteur_broker::connect_any(urls, *node).await?;
        *node = used;
        let channel = connection.create_channel().await?;
        let queue = channel
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        for routing_key in ["job.succeeded", "job.failed"] {
            channel
                .queue_bind(
                    queue.name().clone(),
                    topology.results_exchange().as_str().into(),
                    routing_key.into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        let mut consumer = channel
            .basic_consume(
                queue.name().clone(),
                "".into(),
                BasicConsumeOptions {
                    no_ack: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        while let Some(delivery) = consumer.next().await {
            if let Ok(event) = serde_json::from_slice::<JobId>(&delivery?.data) {
                // No receiver: nobody waits; not an error.
                let _ = self.sender.send(event.job_id);
            }
        }
        Ok(())
    }

    /// Waits until every job has a result record or `wait` has passed;
    /// returns whether all ended.
    pub async fn wait_for(&self, storage: &Storage, job_ids: &[String], wait: Duration) -> bool {
        // Subscribed before the first look: an event between the look and
        // the wait is not missed.
        let mut events = self.sender.subscribe();
        let deadline = Instant::now() + wait;
        let mut pending: Vec<String> = job_ids.to_vec();
        loop {
            let storage_now = storage.clone();
            let ids = pending.clone();
            pending = tokio::task::spawn_blocking(move || {
                ids.into_iter()
                    .filter(|id| !matches!(storage_now.exists(&job_result_object(id)), Ok(true)))
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or(pending);
            if pending.is_empty() {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            let look_again = (now + FALLBACK).min(deadline);
            // Until one of ours ends, the fallback comes, or time is up.
            loop {
                match tokio::time::timeout_at(look_again.into(), events.recv()).await {
                    Ok(Ok(id)) if !pending.contains(&id) => continue,
                    // Ours ended, events were missed, or it is time to look.
                    _ => break,
                }
            }
        }
    }
}
