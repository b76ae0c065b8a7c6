//! Publishing against the real broker: a message that no queue takes must be
//! an error, not a confirmed loss.

use lapin::options::{ConfirmSelectOptions, QueueDeleteOptions};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use rapporteur_broker::{PublishError, publish_confirmed, publish_to_queue};
use rapporteur_test_tools::Tool;

const URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

#[tokio::test]
async fn a_message_to_a_missing_queue_is_returned_not_lost() {
    if !Tool::RabbitMq.available() {
        return;
    }
    let connection = Connection::connect(URL, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let missing = format!("test-{}-no-such-queue.retry.0", std::process::id());
    let error = publish_to_queue(&channel, &missing, b"{}", BasicProperties::default())
        .await
        .unwrap_err();
    assert!(matches!(error, PublishError::Returned(_)), "{error}");

    // A queue that exists takes it, and the channel still works after a return.
    let queue = format!("test-{}-publish", std::process::id());
    channel
        .queue_declare(
            queue.as_str().into(),
            Default::default(),
            Default::default(),
        )
        .await
        .unwrap();
    publish_to_queue(&channel, &queue, b"{}", BasicProperties::default())
        .await
        .unwrap();
    // Events to an exchange nobody follows are not an error.
    publish_confirmed(
        &channel,
        "amq.topic",
        "job.none",
        b"{}",
        BasicProperties::default(),
    )
    .await
    .unwrap();
    channel
        .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
        .await
        .unwrap();
    rapporteur_broker::close(&connection, "").await;
}
