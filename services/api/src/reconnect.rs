//! The one loop of the API's broker consumers (the webhook dispatcher and
//! the results listener): a session runs until it fails or `stop` is
//! raised, and starts again a second later, on the next broker node.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// Runs `session(node)` (which answers the node it used and how it ended)
/// until `stop`; `what` names the consumer in the log.
pub async fn until_stopped<F, Fut, E>(
    what: &'static str,
    mut stop: watch::Receiver<bool>,
    mut session: F,
) where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = (usize, Result<(), E>)>,
    E: Display,
{
    let mut node = 0;
    loop {
        tokio::select! {
            (used, ended) = session(node) => {
                node = used;
                if let Err(error) = ended {
                    tracing::warn!(%error, "{what} lost the broker; reconnecting");
                }
            }
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        node += 1;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
