//! Group commit: the outputs of the jobs a worker has in hand are made
//! durable together. Each job writes through a staged storage handle
//! (`Storage::staged`) and then waits here; one task commits every handle
//! waiting at that moment with one pair of syncs (`Storage::commit_all`),
//! and only then are the jobs' result events published and their messages
//! acked, so nothing is acknowledged before it is on disk. While a commit
//! runs, the next jobs gather for the one after it.

use std::sync::Mutex;

use rapporteur_storage::{Storage, StorageError};
use tokio::sync::{mpsc, oneshot};

type Request = (Storage, oneshot::Sender<Result<(), StorageError>>);

pub(crate) struct GroupCommit {
    requests: mpsc::UnboundedSender<Request>,
    /// Taken by the first commit, which starts the committing task on the
    /// runtime it runs in.
    waiting: Mutex<Option<mpsc::UnboundedReceiver<Request>>>,
}

impl GroupCommit {
    pub(crate) fn new() -> GroupCommit {
        let (requests, waiting) = mpsc::unbounded_channel();
        GroupCommit {
            requests,
            waiting: Mutex::new(Some(waiting)),
        }
    }

    /// Makes what `writes` holds durable and visible, with the jobs that
    /// ask at about the same time.
    pub(crate) async fn durable(&self, writes: Storage) -> Result<(), StorageError> {
        if let Some(waiting) = self
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            tokio::spawn(commit_groups(waiting));
        }
        let (done, outcome) = oneshot::channel();
        if let Err(mpsc::error::SendError((writes, _))) = self.requests.send((writes, done)) {
            // The committing task is gone (the runtime is stopping).
            return tokio::task::spawn_blocking(move || writes.commit())
                .await
                .unwrap_or_else(|e| Err(lost(e)));
        }
        outcome.await.unwrap_or_else(|_| {
            Err(StorageError::Object {
                operation: "commit",
                location: "the worker's group commit".into(),
                message: "the committing task stopped".into(),
                transient: true,
            })
        })
    }
}

/// Commits whatever is waiting, again and again.
async fn commit_groups(mut waiting: mpsc::UnboundedReceiver<Request>) {
    while let Some(first) = waiting.recv().await {
        let mut group = vec![first];
        while let Ok(more) = waiting.try_recv() {
            group.push(more);
        }
        let (handles, replies): (Vec<Storage>, Vec<_>) = group.into_iter().unzip();
        let count = handles.len();
        let results = tokio::task::spawn_blocking(move || Storage::commit_all(&handles))
            .await
            .unwrap_or_else(|e| {
                let message = e.to_string();
                (0..count)
                    .map(|_| {
                        Err(StorageError::Object {
                            operation: "commit",
                            location: "the worker's group commit".into(),
                            message: message.clone(),
                            transient: true,
                        })
                    })
                    .collect()
            });
        for (reply, result) in replies.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }
}

fn lost(e: tokio::task::JoinError) -> StorageError {
    StorageError::Object {
        operation: "commit",
        location: "the worker's group commit".into(),
        message: e.to_string(),
        transient: true,
    }
}
