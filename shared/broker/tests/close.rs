//! Closing a connection never waits for ever: lapin's own close can stay
//! pending (here, on a connection the broker blocked during a memory alarm,
//! where lapin writes nothing more, not even the close), and a worker
//! stopping or pausing for a storage outage would wait with it.

use std::time::{Duration, Instant};

use lapin::options::{ConfirmSelectOptions, QueueDeclareOptions, QueueDeleteOptions};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use rapporteur_broker::{CLOSE_WITHIN, close, publish_to_queue};
use rapporteur_test_tools::Tool;
use rapporteur_test_tools::rabbitmqctl::MemoryAlarm;

const URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_connection_the_broker_blocked_ends_within_the_bound() {
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
    let queue = format!("test-{}-close", std::process::id());
    channel
        .queue_declare(
            queue.as_str().into(),
            QueueDeclareOptions {
                auto_delete: true,
                ..QueueDeclareOptions::default()
            },
            Default::default(),
        )
        .await
        .unwrap();

    let alarm = MemoryAlarm::raise();
    // A publish during the alarm gets the connection blocked; its confirm
    // never comes while the alarm lasts.
    let publishing = tokio::spawn({
        let channel = channel.clone();
        let queue = queue.clone();
        async move { publish_to_queue(&channel, &queue, b"{}", BasicProperties::default()).await }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while !connection.status().blocked() {
        assert!(
            Instant::now() < deadline,
            "the broker never blocked the connection"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // lapin's own close would wait until the alarm ends; ours gives up
    // after its bound.
    let started = Instant::now();
    let bounded = tokio::time::timeout(CLOSE_WITHIN * 3, close(&connection, "test")).await;
    assert!(
        bounded.is_ok(),
        "close still waiting after {:?}",
        started.elapsed()
    );
    drop(alarm);
    publishing.abort();
    drop(channel);
    drop(connection);

    // The queue is the test's own; removed on a new connection.
    let connection = Connection::connect(URL, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    let _ = channel
        .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
        .await;
    close(&connection, "").await;
}
