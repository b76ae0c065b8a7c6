//! The worker's side of the broker: connect (and reconnect with backoff),
//! consume with bounded concurrency, and settle each message only once what
//! it led to is durable: outputs on disk, and the result event, retry copy or
//! dead-letter copy confirmed by the broker. Only then is it acked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel};
use rapporteur_broker::{
    ATTEMPT_HEADER, ERROR_CODE_HEADER, ERROR_MESSAGE_HEADER, PublishError, TopologySettings,
    header_text, json_properties, publish_confirmed, publish_to_queue, short_string,
};
use rapporteur_jobs::{JobProgress, JobResult, JobStatus, PROGRESS_ROUTING_KEY, Topology};
use rapporteur_untrusted::bounded_message;
use tokio::sync::watch;
use tracing::Instrument;

use crate::isolate::{self, IsolateMode};
use crate::job::{self, Processed};
use crate::{Worker, archive, http};
use rapporteur_pipeline::ErrorCode;

/// Whether a delivery came back after a worker died (or gave up) with it in
/// flight: the broker's redelivered flag, or the quorum queue's delivery count.
fn redelivered(delivery: &Delivery) -> bool {
    delivery.redelivered
        || delivery
            .properties
            .headers()
            .as_ref()
            .and_then(|headers| headers.inner().get("x-delivery-count"))
            .is_some_and(|count| {
                !matches!(count, AMQPValue::LongLongInt(0) | AMQPValue::LongInt(0))
            })
}

/// Connection and consumption settings.
pub(crate) struct Settings {
    /// One URL, or one per node of a cluster.
    pub urls: Vec<String>,
    pub prefetch: u16,
    /// Jobs handled at once, converting or waiting for a conversion slot,
    /// their commit or their confirms.
    pub in_hand: usize,
    pub topology: TopologySettings,
    pub drain_timeout: Duration,
}

enum SessionEnd {
    Stopped,
    Lost,
    /// Storage is down: consumption pauses until it is back.
    Paused,
}

/// Runs until a stop is requested, reconnecting whenever the broker goes away.
/// Unacked jobs of a lost connection are redelivered by the broker.
pub(crate) async fn run(worker: Arc<Worker>, settings: Settings, mut stop: watch::Receiver<bool>) {
    let mut backoff = Duration::from_millis(200);
    let mut next_node = 0;
    loop {
        if *stop.borrow() {
            return;
        }
        let started = Instant::now();
        match session(&worker, &settings, &mut stop, &mut next_node).await {
            Ok(SessionEnd::Stopped) => return,
            Ok(SessionEnd::Lost) => tracing::warn!("lost the broker connection; reconnecting"),
            Ok(SessionEnd::Paused) => {
                worker.metrics.set_connected(false);
                worker.metrics.paused.set(1);
                let back = wait_for_storage(&worker, &mut stop).await;
                worker.metrics.paused.set(0);
                worker.outage.send_replace(false);
                if !back {
                    return;
                }
                tracing::info!("storage is back: consuming again");
                backoff = Duration::from_millis(200);
                continue;
            }
            Err(error) => {
                tracing::warn!(%error, retry_in_ms = backoff.as_millis() as u64, "cannot reach the broker")
            }
        }
        worker.metrics.set_connected(false);
        if started.elapsed() > Duration::from_secs(30) {
            backoff = Duration::from_millis(200);
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn session(
    worker: &Arc<Worker>,
    settings: &Settings,
    stop: &mut watch::Receiver<bool>,
    next_node: &mut usize,
) -> lapin::Result<SessionEnd> {
    // A lost connection moves on to the next node: the one lost may be
    // the one that went away.
    let (connection, node) = rapporteur_broker::connect_any(&settings.urls, *next_node).await?;
    *next_node = node + 1;
    if settings.urls.len() > 1 {
        tracing::info!(
            node = node + 1,
            nodes = settings.urls.len(),
            "connected to the broker"
        );
    }
    let consuming = connection.create_channel().await?;
    let publishing = connection.create_channel().await?;
    publishing
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    rapporteur_broker::declare(&consuming, &worker.topology, &settings.topology).await?;
    consuming
        .basic_qos(settings.prefetch, BasicQosOptions::default())
        .await?;
    let tag = format!("rapporteur-worker-{}", std::process::id());
    let mut outage = worker.outage.subscribe();
    let consumer = consuming
        .basic_consume(
            worker.topology.jobs_queue().into(),
            tag.as_str().into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    worker.metrics.set_connected(true);
    tracing::info!(queue = %worker.topology.jobs_queue(), "consuming");

    let processing = consumer.for_each_concurrent(settings.in_hand, |delivery| {
        let worker = worker.clone();
        let publishing = publishing.clone();
        async move {
            match delivery {
                Ok(delivery) => handle(worker, &publishing, delivery).await,
                Err(error) => tracing::warn!(%error, "delivery failed"),
            }
        }
    });
    tokio::pin!(processing);
    tokio::select! {
        _ = &mut processing => Ok(SessionEnd::Lost),
        _ = rapporteur_broker::lost(&connection) => Ok(SessionEnd::Lost),
        _ = stop.changed() => {
            stop_consuming(&consuming, &tag, processing, settings.drain_timeout).await;
            rapporteur_broker::close(&connection, "worker stopping").await;
            Ok(SessionEnd::Stopped)
        }
        // The value is only looked at: `wait_for`'s guard, held through the
        // arm, would block every job that reports the outage (a deadlock).
        _ = async { drop(outage.wait_for(|down| *down).await) } => {
            // Jobs would only fail, use up their attempts and reach the
            // dead-letter queue: stop taking them until storage is back.
            // Closing the connection (after the jobs in hand are settled)
            // returns the deliveries prefetched but not started to the
            // queue; a cancelled consumer would keep them unacked.
            tracing::warn!("storage unavailable: pausing consumption until it is back");
            stop_consuming(&consuming, &tag, processing, settings.drain_timeout).await;
            rapporteur_broker::close(&connection, "storage unavailable").await;
            Ok(SessionEnd::Paused)
        }
    }
}

/// Stops taking jobs and lets those in hand finish, for at most
/// `drain_timeout` (after that their messages are redelivered).
async fn stop_consuming(
    consuming: &Channel,
    tag: &str,
    processing: impl std::future::Future<Output = ()>,
    drain_timeout: Duration,
) {
    let _ = consuming
        .basic_cancel(tag.into(), BasicCancelOptions::default())
        .await;
    if tokio::time::timeout(drain_timeout, processing)
        .await
        .is_err()
    {
        tracing::warn!("drain timeout: unfinished jobs will be redelivered");
    }
}

/// Returns a delivery to its queue (nack with requeue): the job is redone,
/// by this worker or another.
async fn requeue(delivery: &Delivery) {
    let requeue = BasicNackOptions {
        requeue: true,
        ..BasicNackOptions::default()
    };
    let _ = delivery.acker.nack(requeue).await;
}

/// How often a paused worker asks whether storage is back.
const STORAGE_PROBE_EVERY: Duration = Duration::from_secs(2);

/// Waits until storage takes outputs again (true), or the worker is
/// stopped meanwhile (false).
async fn wait_for_storage(worker: &Worker, stop: &mut watch::Receiver<bool>) -> bool {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(STORAGE_PROBE_EVERY) => {
                if http::storage_problem_now(&worker.storage).await.is_none() {
                    return true;
                }
            }
            _ = stop.changed() => return false,
        }
    }
}

/// Processes one delivery and settles it.
async fn handle(worker: Arc<Worker>, publishing: &Channel, delivery: Delivery) {
    let job_id = job::peek_job_id(&delivery.data).unwrap_or_default();
    let span = tracing::info_span!("job", job_id = %job_id);
    async {
        worker.metrics.in_flight.inc();
        let attempt = attempt_of(&delivery.properties, &worker.topology, worker.max_attempts);
        let started = Instant::now();
        let isolated = worker.isolation.mode == IsolateMode::All || redelivered(&delivery);
        let processed = if isolated {
            let processed = isolate::convert_isolated(&worker, &delivery.data, attempt).await;
            let progress = progress_publisher(&worker, publishing, &delivery.properties);
            // The child's attempt number is its own: the record is the parent's.
            let recording = worker.clone();
            tokio::task::spawn_blocking(move || {
                let processed = job::record_end(
                    &recording.storage,
                    processed,
                    attempt,
                    recording.max_attempts,
                );
                // A child publishes no progress events: when it finished an
                // archive, its complete count is announced here, before the
                // result, as a slice in this process announces it.
                if let Some(done) = archive::completed(&processed.result) {
                    progress(done);
                }
                processed
            })
            .await
            .ok()
        } else {
            let progress = progress_publisher(&worker, publishing, &delivery.properties);
            job::process(&worker, delivery.data.clone(), attempt, progress).await
        };
        let Some(processed) = processed else {
            tracing::warn!(
                timeout_s = worker.isolation.job_timeout.as_secs(),
                "over the time budget; returning the job to the queue for an isolated attempt"
            );
            requeue(&delivery).await;
            worker.metrics.in_flight.dec();
            return;
        };
        for output in &processed.result.outputs {
            if isolated {
                worker.metrics.output_written(&output.format);
            }
        }
        if storage_is_down(&worker, &processed).await {
            // Not this job's fault: back to the queue, attempt not counted,
            // and consumption pauses until storage is back (`session`).
            worker.outage.send_replace(true);
            requeue(&delivery).await;
            worker.metrics.in_flight.dec();
            return;
        }
        let status = settle(&worker, publishing, &delivery, &processed, attempt).await;
        match status {
            Ok(outcome) => {
                worker
                    .metrics
                    .job_ended(outcome, started.elapsed().as_secs_f64());
                if let Err(error) = delivery.acker.ack(BasicAckOptions::default()).await {
                    tracing::warn!(%error, "ack failed; the job will be redelivered and redone");
                }
            }
            Err(error) => {
                tracing::warn!(%error, "could not settle the job; returning it to the queue");
                requeue(&delivery).await;
            }
        }
        worker.metrics.in_flight.dec();
    }
    .instrument(span)
    .await
}

/// Whether a job failed because the storage as a whole is down (not one
/// path of it): a transient storage failure, confirmed by the same probe
/// `/readyz` runs. A failure the probe does not confirm takes the retry
/// queues as before.
async fn storage_is_down(worker: &Arc<Worker>, processed: &Processed) -> bool {
    let storage_failure = processed.transient
        && processed
            .result
            .error
            .as_ref()
            .is_some_and(|e| e.code == ErrorCode::StorageUnavailable.as_str());
    if !storage_failure {
        return false;
    }
    http::storage_problem_now(&worker.storage).await.is_some()
}

/// Publishes an archive job's progress events, from its blocking thread,
/// to the results exchange and the request's `reply_to`. A progress event
/// that cannot be published is only logged: the final result still comes.
fn progress_publisher(
    worker: &Worker,
    publishing: &Channel,
    request: &BasicProperties,
) -> job::Progress {
    let runtime = tokio::runtime::Handle::current();
    let publishing = publishing.clone();
    let exchange = worker.topology.results_exchange();
    let reply_to = request.reply_to().clone();
    let properties = match request.correlation_id() {
        Some(id) => json_properties(&[]).with_correlation_id(id.clone()),
        None => json_properties(&[]),
    };
    Arc::new(move |progress: JobProgress| {
        let body = serde_json::to_vec(&progress).expect("progress always serializes");
        let published = runtime.block_on(async {
            publish_confirmed(
                &publishing,
                &exchange,
                PROGRESS_ROUTING_KEY,
                &body,
                properties.clone(),
            )
            .await?;
            if let Some(reply_to) = &reply_to {
                publish_confirmed(
                    &publishing,
                    "",
                    reply_to.as_str(),
                    &body,
                    properties.clone(),
                )
                .await?;
            }
            Ok::<_, PublishError>(())
        });
        if let Err(error) = published {
            tracing::warn!(%error, "could not publish an archive job's progress");
        }
    })
}

/// Publishes what a processed job leads to; returns the outcome for metrics.
async fn settle(
    worker: &Worker,
    publishing: &Channel,
    delivery: &Delivery,
    processed: &Processed,
    attempt: u32,
) -> Result<&'static str, PublishError> {
    let result = &processed.result;
    let topology = &worker.topology;
    if processed.continues {
        // An archive job with documents left goes back on the queue as a
        // new message (its own delivery count, attempts afresh: it made
        // progress), keeping where its results go.
        publish_to_queue(
            publishing,
            &topology.jobs_queue(),
            &delivery.data,
            answered_as(&delivery.properties, json_properties(&[])),
        )
        .await?;
        tracing::info!(key = ?result.key, "archive job continues");
        return Ok("continued");
    }
    if result.status == JobStatus::Succeeded {
        publish_result(publishing, topology, &delivery.properties, result).await?;
        tracing::info!(key = ?result.key, duration_ms = result.duration_ms, "job succeeded");
        return Ok("succeeded");
    }
    let error = result.error.as_ref().expect("a failed result has an error");
    if !processed.is_final(attempt, worker.max_attempts) {
        let properties = retry_properties(&delivery.properties, attempt + 1);
        // Mandatory: a copy no retry queue takes is an error (the delivery
        // is then returned to the queue), never a confirmed loss.
        publish_to_queue(
            publishing,
            &topology.retry_queue(attempt),
            &delivery.data,
            properties,
        )
        .await?;
        worker.metrics.retries.inc();
        tracing::warn!(code = %error.code, message = %error.message, attempt, "transient failure; retrying later");
        return Ok("retried");
    }
    // The message is bounded already (job::failed); bounded again here
    // because a header over the broker's frame size closes the connection
    // and drops every in-flight job.
    let properties = json_properties(&[
        (ERROR_CODE_HEADER, header_text(&error.code)),
        (
            ERROR_MESSAGE_HEADER,
            header_text(&bounded_message(&error.message)),
        ),
        (ATTEMPT_HEADER, AMQPValue::LongLongInt(attempt.into())),
    ]);
    publish_to_queue(
        publishing,
        &topology.dead_letter_queue(),
        &delivery.data,
        properties,
    )
    .await?;
    publish_result(publishing, topology, &delivery.properties, result).await?;
    worker.metrics.dead_lettered.inc();
    tracing::warn!(code = %error.code, message = %error.message, attempt, "job failed; dead-lettered");
    Ok("failed")
}

/// Which attempt a delivery is, counted by the broker: 1 plus the times the
/// message expired out of one of this topology's retry queues, as recorded
/// in its `x-death` header (the broker adds to it each time it moves the
/// message back; the worker's retry copies carry it along). The client's
/// `x-rapporteur-attempt` is ignored: `0` sent a job to a retry queue that
/// does not exist. Whatever a client forges, the result stays within
/// 1..=`max_attempts`, so the retry queue it leads to exists.
pub(crate) fn attempt_of(
    properties: &BasicProperties,
    topology: &Topology,
    max_attempts: u32,
) -> u32 {
    let mut expirations: u64 = 0;
    if let Some(headers) = properties.headers()
        && let Some(AMQPValue::FieldArray(deaths)) = headers.inner().get("x-death")
    {
        for death in deaths.as_slice() {
            let AMQPValue::FieldTable(death) = death else {
                continue;
            };
            let text = |key: &str| match death.inner().get(key) {
                Some(AMQPValue::LongString(s)) => {
                    String::from_utf8_lossy(s.as_bytes()).into_owned()
                }
                Some(AMQPValue::ShortString(s)) => s.to_string(),
                _ => String::new(),
            };
            let count = match death.inner().get("count") {
                Some(AMQPValue::LongLongInt(n)) => u64::try_from(*n).unwrap_or(0),
                Some(AMQPValue::LongInt(n)) => u64::try_from(*n).unwrap_or(0),
                Some(AMQPValue::LongUInt(n)) => u64::from(*n),
                _ => 0,
            };
            if text("reason") == "expired" && topology.is_retry_queue(&text("queue")) {
                expirations = expirations.saturating_add(count);
            }
        }
    }
    let attempt = u32::try_from(expirations.saturating_add(1)).unwrap_or(u32::MAX);
    attempt.clamp(1, max_attempts.max(1))
}

/// The original message's properties for its next attempt.
fn retry_properties(original: &BasicProperties, next_attempt: u32) -> BasicProperties {
    let mut headers = original.headers().clone().unwrap_or_default();
    headers.insert(
        ATTEMPT_HEADER.into(),
        AMQPValue::LongLongInt(next_attempt.into()),
    );
    answered_as(original, json_properties(&[]).with_headers(headers))
}

/// `properties` with the original message's `reply_to` and
/// `correlation_id`, so that a copy of a job (a retry, an archive job's next
/// slice) still sends its result where the client asked.
fn answered_as(original: &BasicProperties, mut properties: BasicProperties) -> BasicProperties {
    if let Some(reply_to) = original.reply_to() {
        properties = properties.with_reply_to(reply_to.clone());
    }
    if let Some(correlation_id) = original.correlation_id() {
        properties = properties.with_correlation_id(correlation_id.clone());
    }
    properties
}

/// Publishes the result event to the results exchange and, when the request
/// asked for it, to its `reply_to` queue with its `correlation_id`.
async fn publish_result(
    publishing: &Channel,
    topology: &rapporteur_jobs::Topology,
    request: &BasicProperties,
    result: &JobResult,
) -> Result<(), PublishError> {
    let body = serde_json::to_vec(result).expect("a result event always serializes");
    // A job id is at most 128 bytes (rapporteur_jobs::check_job_id), but
    // nothing a client sent reaches a short string unchecked: an id over 255
    // bytes used to panic the worker here, on every redelivery.
    let correlation_id = request
        .correlation_id()
        .clone()
        .or_else(|| short_string(&result.job_id));
    let mut properties = json_properties(&[]);
    if let Some(correlation_id) = correlation_id {
        properties = properties.with_correlation_id(correlation_id);
    }
    let routing_key = result.status.routing_key();
    publish_confirmed(
        publishing,
        &topology.results_exchange(),
        routing_key,
        &body,
        properties.clone(),
    )
    .await?;
    if let Some(reply_to) = request.reply_to() {
        publish_confirmed(publishing, "", reply_to.as_str(), &body, properties).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lapin::types::{FieldArray, LongString};

    fn death(queue: &str, reason: &str, count: i64) -> AMQPValue {
        let mut table = FieldTable::default();
        table.insert(
            "queue".into(),
            AMQPValue::LongString(LongString::from(queue)),
        );
        table.insert(
            "reason".into(),
            AMQPValue::LongString(LongString::from(reason)),
        );
        table.insert("count".into(), AMQPValue::LongLongInt(count));
        AMQPValue::FieldTable(table)
    }

    fn with_headers(entries: Vec<(&str, AMQPValue)>) -> BasicProperties {
        let mut headers = FieldTable::default();
        for (key, value) in entries {
            headers.insert(key.into(), value);
        }
        BasicProperties::default().with_headers(headers)
    }

    #[test]
    fn the_attempt_is_the_brokers_count_not_the_clients_header() {
        let topology = Topology::new("t");
        let first = BasicProperties::default();
        assert_eq!(attempt_of(&first, &topology, 4), 1);
        // A client's header is ignored, whatever it says.
        for forged in [0, -5, 3, 1_000_000] {
            let properties = with_headers(vec![(ATTEMPT_HEADER, AMQPValue::LongLongInt(forged))]);
            assert_eq!(attempt_of(&properties, &topology, 4), 1, "{forged}");
        }
        // Two expirations out of retry queues: the third attempt.
        let deaths = FieldArray::from(vec![
            death("t.jobs.retry.2", "expired", 1),
            death("t.jobs.retry.1", "expired", 1),
            death("t.jobs", "delivery_limit", 1),
            death("other.jobs.retry.1", "expired", 5),
        ]);
        let properties = with_headers(vec![("x-death", AMQPValue::FieldArray(deaths))]);
        assert_eq!(attempt_of(&properties, &topology, 4), 3);
        // A forged x-death can only use up the job's own attempts.
        let deaths = FieldArray::from(vec![death("t.jobs.retry.1", "expired", i64::MAX)]);
        let properties = with_headers(vec![("x-death", AMQPValue::FieldArray(deaths))]);
        assert_eq!(attempt_of(&properties, &topology, 4), 4);
        let deaths = FieldArray::from(vec![death("t.jobs.retry.1", "expired", -3)]);
        let properties = with_headers(vec![("x-death", AMQPValue::FieldArray(deaths))]);
        assert_eq!(attempt_of(&properties, &topology, 4), 1);
    }
}
