//! The API's connection to the broker, shared by every request: connected
//! on first use and again after a loss (to the next of several node URLs),
//! the job topology declared as `submit` declares it, and every job
//! published with a confirm, so a 202 is only answered for jobs the broker
//! holds.

use std::sync::atomic::{AtomicBool, Ordering};

use lapin::options::ConfirmSelectOptions;
use lapin::{Channel, Connection};
use rapporteur_broker::{BrokerArgs, TopologySettings, json_properties, publish_to_queue};
use rapporteur_jobs::{JobRequest, Topology};
use tokio::sync::Mutex;

pub struct Publisher {
    urls: Vec<String>,
    topology: Topology,
    live: Mutex<Option<Live>>,
    /// The node to try first: the one that last worked.
    node: std::sync::atomic::AtomicUsize,
    connected: AtomicBool,
}

struct Live {
    _connection: Connection,
    channel: Channel,
}

/// Why jobs were not published (the broker's words, which never hold a
/// client value: job ids are checked before).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(String);

impl Publisher {
    pub fn new(broker: &BrokerArgs) -> Publisher {
        Publisher {
            urls: broker.urls(),
            topology: broker.topology(),
            live: Mutex::new(None),
            node: 0.into(),
            connected: AtomicBool::new(false),
        }
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Whether the last attempt to reach the broker worked (`/readyz`).
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Opens a connection now (at start-up, so `/readyz` tells the truth
    /// before the first job).
    pub async fn connect(&self) -> Result<(), Unavailable> {
        let mut live = self.live.lock().await;
        if live.is_none() {
            *live = Some(self.open().await?);
        }
        Ok(())
    }

    async fn open(&self) -> Result<Live, Unavailable> {
        let start = self.node.load(Ordering::Relaxed);
        let opened = async {
            let (connection, node) = rapporteur_broker::connect_any(&self.urls, start).await?;
            self.node.store(node, Ordering::Relaxed);
            let channel = connection.create_channel().await?;
            rapporteur_broker::declare(&channel, &self.topology, &TopologySettings::default())
                .await?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
            Ok::<_, lapin::Error>(Live {
                _connection: connection,
                channel,
            })
        }
        .await;
        self.connected.store(opened.is_ok(), Ordering::Relaxed);
        opened.map_err(|e| Unavailable(format!("the broker cannot be reached: {e}")))
    }

    /// Publishes the jobs, in order, each confirmed. A connection lost on
    /// the way is opened again once and the rest published on it (a job
    /// whose confirm was lost may then reach the workers twice; its
    /// outputs are idempotent).
    pub async fn publish(&self, jobs: &[JobRequest]) -> Result<(), Unavailable> {
        let queue = self.topology.jobs_queue();
        let mut live = self.live.lock().await;
        let mut next = 0;
        let mut reconnected = false;
        while next < jobs.len() {
            if live.is_none() {
                *live = Some(self.open().await?);
            }
            let channel = &live.as_ref().expect("opened above").channel;
            let body = serde_json::to_vec(&jobs[next]).expect("a job always serializes");
            match publish_to_queue(channel, &queue, &body, json_properties(&[])).await {
                Ok(()) => next += 1,
                Err(error) if !reconnected => {
                    tracing::warn!(%error, "publishing failed; reconnecting");
                    *live = None;
                    self.connected.store(false, Ordering::Relaxed);
                    self.node.fetch_add(1, Ordering::Relaxed);
                    reconnected = true;
                }
                Err(error) => {
                    *live = None;
                    self.connected.store(false, Ordering::Relaxed);
                    return Err(Unavailable(format!(
                        "the broker did not take the job: {error}"
                    )));
                }
            }
        }
        Ok(())
    }
}
