//! The object storage backend: S3 and S3-compatible stores, Google Cloud
//! Storage and Azure Blob Storage through the `object_store` crate (the
//! Apache Arrow project's; no hand-made HTTP client).
//!
//! `object_store` is async and Rapporteur's pipeline is not: conversions
//! run on blocking threads (the worker's `spawn_blocking`, the CLI's main
//! thread). Each call here is spawned on one small runtime of this crate's
//! own and waited for on a channel, which works from any thread, inside a
//! runtime or not, without `block_on`'s "runtime within a runtime" panic.
//! That runtime lives in a static and is never dropped, so no runtime is
//! dropped inside another's context either.
//!
//! Configuration comes from the URL (bucket or container, then a prefix
//! every object name is put under) and from the environment, as each
//! store's own tools read it: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_REGION` / `AWS_DEFAULT_REGION`, `AWS_ENDPOINT` (MinIO, Ceph; add
//! `AWS_ALLOW_HTTP=true` for plain http), path-style requests unless
//! `AWS_VIRTUAL_HOSTED_STYLE_REQUEST=true`; `GOOGLE_SERVICE_ACCOUNT`…;
//! `AZURE_STORAGE_ACCOUNT_NAME`, `AZURE_STORAGE_ACCOUNT_KEY`…

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::signer::Signer;
use object_store::{BackoffConfig, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

use crate::{ReadError, StorageError, bounded};

/// How long one request may take, and how long a request is retried
/// (with backoff) before the error reaches the caller. The worker's own
/// retry queues take over from there: a job is not held for minutes.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RETRY_FOR: Duration = Duration::from_secs(20);
const MAX_RETRIES: usize = 4;

#[derive(Debug, Clone)]
pub(crate) struct ObjectBackend {
    store: Arc<dyn ObjectStore>,
    /// The same store, signing URLs (S3, GCS, Azure; not the memory store).
    signer: Option<Arc<dyn Signer>>,
    url: String,
}

/// One cloud store, as a store and as the signer of its URLs.
type StoreAndSigner = (Arc<dyn ObjectStore>, Arc<dyn Signer>);

/// A cloud store under this storage's prefix, as a store and as a signer.
fn with_prefix<S: ObjectStore + Signer>(store: S, prefix: &str) -> Result<StoreAndSigner, String> {
    if prefix.is_empty() {
        let store = Arc::new(store);
        return Ok((store.clone(), store));
    }
    let prefix = ObjectPath::parse(prefix).map_err(|e| e.to_string())?;
    let store = Arc::new(PrefixStore::new(store, prefix));
    Ok((store.clone(), store))
}

/// The runtime every object store call runs on.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("rapporteur-storage")
            .enable_all()
            .build()
            .expect("the storage runtime starts")
    })
}

/// Runs `future` on the storage runtime and waits for it.
fn run<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> Option<T> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    runtime().spawn(async move {
        let _ = sender.send(future.await);
    });
    // A task that panicked drops its sender: `None`.
    receiver.recv().ok()
}

/// A read that failed: the object is not there, or it cannot be read now
/// (`None`: the storage task stopped), which may pass.
fn read_error(object: &str, error: Option<object_store::Error>) -> ReadError {
    match error {
        Some(object_store::Error::NotFound { .. }) => ReadError::NotFound {
            object: object.to_owned(),
        },
        other => ReadError::Unreadable {
            object: object.to_owned(),
            message: other.map_or("the storage client stopped".into(), |e| {
                bounded(&e.to_string(), 500)
            }),
            transient: true,
        },
    }
}

impl ObjectBackend {
    pub(crate) fn open(
        url: &str,
        options: &[(String, String)],
    ) -> Result<ObjectBackend, StorageError> {
        let invalid = |reason: String| StorageError::InvalidUrl {
            url: crate::shown_location(url),
            reason,
        };
        let parsed = url::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(invalid(
                "credentials do not belong in the URL; set them in the environment".into(),
            ));
        }
        // rustls needs one crypto provider for the process; `ring` is the
        // one the broker client already uses (no second C build).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let retry = RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: MAX_RETRIES,
            retry_timeout: RETRY_FOR,
        };
        // Timeouts as configuration keys, before the caller's options:
        // `with_client_options` would replace what `from_env` read (such
        // as AWS_ALLOW_HTTP).
        let mut settings = vec![
            (
                "timeout".to_string(),
                format!("{}s", REQUEST_TIMEOUT.as_secs()),
            ),
            (
                "connect_timeout".to_string(),
                format!("{}s", CONNECT_TIMEOUT.as_secs()),
            ),
        ];
        settings.extend_from_slice(options);
        let options = settings.as_slice();
        // The three builders share no trait, so one macro says their common
        // steps once: environment, then our settings, the URL, the retries.
        macro_rules! build {
            ($builder:ty) => {
                with_prefix(
                    options
                        .iter()
                        .try_fold(<$builder>::from_env(), |builder, (key, value)| {
                            let key = key
                                .parse()
                                .map_err(|e: object_store::Error| e.to_string())?;
                            Ok::<_, String>(builder.with_config(key, value))
                        })
                        .map_err(invalid)?
                        .with_url(url)
                        .with_retry(retry)
                        .build()
                        .map_err(|e| invalid(e.to_string()))?,
                    // The builders take the bucket from the URL and ignore
                    // its path: the path is this storage's prefix.
                    parsed.path().trim_matches('/'),
                )
                .map_err(invalid)?
            };
        }
        let (store, signer) = match parsed.scheme() {
            "s3" | "s3a" => build!(object_store::aws::AmazonS3Builder),
            "gs" => build!(object_store::gcp::GoogleCloudStorageBuilder),
            "az" | "azure" | "abfs" | "abfss" => build!(object_store::azure::MicrosoftAzureBuilder),
            other => {
                return Err(invalid(format!(
                    "unknown scheme {:?}; use a path, file://, s3://, gs:// or az://",
                    bounded(other, 20)
                )));
            }
        };
        Ok(ObjectBackend {
            store,
            signer: Some(signer),
            url: url.trim_end_matches('/').to_owned(),
        })
    }

    /// object_store's in-memory store, for tests that need no server.
    pub(crate) fn in_memory() -> ObjectBackend {
        ObjectBackend {
            store: Arc::new(object_store::memory::InMemory::new()),
            signer: None,
            url: "memory://".to_owned(),
        }
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    fn location(&self, object: &str) -> String {
        format!("{}/{object}", self.url)
    }

    /// The `object_store` path of a checked object name.
    fn path(&self, object: &str) -> Result<ObjectPath, StorageError> {
        ObjectPath::parse(object).map_err(|e| StorageError::InvalidObject {
            object: bounded(object, 200),
            reason: if e.to_string().contains("illegal") {
                "it holds a character object stores refuse"
            } else {
                "object stores refuse it"
            },
        })
    }

    /// [`ObjectBackend::path`] for a read, whose errors are [`ReadError`]s.
    fn read_path(&self, object: &str) -> Result<ObjectPath, ReadError> {
        self.path(object).map_err(|_| ReadError::Invalid {
            object: bounded(object, 200),
            reason: "object stores refuse it",
        })
    }

    fn error(&self, operation: &'static str, object: &str, e: object_store::Error) -> StorageError {
        StorageError::Object {
            operation,
            location: self.location(object),
            transient: !matches!(e, object_store::Error::InvalidPath { .. }),
            message: bounded(&e.to_string(), 500),
        }
    }

    /// Puts every object in order; when one fails, deletes those put before
    /// it (their manifest is not written, so no reader trusts them anyway).
    pub(crate) fn write_set(&self, objects: &[(&str, &[u8])]) -> Result<(), StorageError> {
        let mut done: Vec<ObjectPath> = Vec::with_capacity(objects.len());
        for (object, bytes) in objects {
            let path = self.path(object)?;
            let store = self.store.clone();
            let payload = PutPayload::from(bytes.to_vec());
            let put = path.clone();
            let result = run(async move { store.put(&put, payload).await.map(|_| ()) });
            match result {
                Some(Ok(())) => done.push(path),
                failed => {
                    for path in done {
                        let store = self.store.clone();
                        let _ = run(async move { store.delete(&path).await });
                    }
                    return Err(match failed {
                        Some(Err(e)) => self.error("write", object, e),
                        _ => self.panicked("write", object),
                    });
                }
            }
        }
        Ok(())
    }

    fn panicked(&self, operation: &'static str, object: &str) -> StorageError {
        StorageError::Object {
            operation,
            location: self.location(object),
            message: "the storage client stopped unexpectedly".into(),
            transient: true,
        }
    }

    pub(crate) fn delete(&self, object: &str) -> Result<(), StorageError> {
        let path = self.path(object)?;
        let store = self.store.clone();
        match run(async move { store.delete(&path).await }) {
            Some(Ok(())) | Some(Err(object_store::Error::NotFound { .. })) => Ok(()),
            Some(Err(e)) => Err(self.error("remove", object, e)),
            None => Err(self.panicked("remove", object)),
        }
    }

    pub(crate) fn exists(&self, object: &str) -> Result<bool, StorageError> {
        let path = self.path(object)?;
        let store = self.store.clone();
        match run(async move { store.head(&path).await }) {
            Some(Ok(_)) => Ok(true),
            Some(Err(object_store::Error::NotFound { .. })) => Ok(false),
            Some(Err(e)) => Err(self.error("look up", object, e)),
            None => Err(self.panicked("look up", object)),
        }
    }

    pub(crate) fn stamp(&self, object: &str) -> Result<Option<String>, StorageError> {
        let path = self.path(object)?;
        let store = self.store.clone();
        match run(async move { store.head(&path).await }) {
            Some(Ok(meta)) => Ok(Some(format!(
                "{} {}",
                meta.e_tag.unwrap_or_default(),
                meta.last_modified.timestamp_nanos_opt().unwrap_or_default()
            ))),
            Some(Err(object_store::Error::NotFound { .. })) => Ok(None),
            Some(Err(e)) => Err(self.error("look up", object, e)),
            None => Err(self.panicked("look up", object)),
        }
    }

    /// A URL that lets whoever holds it GET the object for `expires_in`,
    /// signed with the store's credentials; `None` for a store that cannot
    /// sign (the memory store).
    pub(crate) fn presigned_url(
        &self,
        object: &str,
        expires_in: Duration,
    ) -> Result<Option<String>, ReadError> {
        let Some(signer) = self.signer.clone() else {
            return Ok(None);
        };
        let path = self.read_path(object)?;
        match run(async move {
            signer
                .signed_url(object_store::signer::Method::GET, &path, expires_in)
                .await
        }) {
            Some(Ok(url)) => Ok(Some(url.to_string())),
            Some(Err(e)) => Err(read_error(object, Some(e))),
            None => Err(read_error(object, None)),
        }
    }

    pub(crate) fn read(&self, object: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let path = self.read_path(object)?;
        let store = self.store.clone();
        let outcome = run(async move {
            let got = store.get(&path).await?;
            if got.meta.size > limit {
                return Ok(None);
            }
            got.bytes().await.map(|b| Some(b.to_vec()))
        });
        match outcome {
            Some(Ok(Some(bytes))) if bytes.len() as u64 <= limit => Ok(bytes),
            Some(Ok(_)) => Err(ReadError::TooLarge {
                object: object.to_owned(),
                limit,
            }),
            Some(Err(e)) => Err(read_error(object, Some(e))),
            None => Err(read_error(object, None)),
        }
    }

    /// Streams the object into `sink` (at most `limit` bytes). The sink is
    /// local (a hasher, a temporary file): its writes are not awaited.
    pub(crate) fn read_into<W: std::io::Write + Send + 'static>(
        &self,
        object: &str,
        limit: u64,
        mut sink: W,
    ) -> Result<(W, u64), ReadError> {
        enum Failed {
            Store(object_store::Error),
            TooLarge,
            Sink(std::io::Error),
        }
        let path = self.read_path(object)?;
        let store = self.store.clone();
        let outcome = run(async move {
            let got = store.get(&path).await.map_err(Failed::Store)?;
            if got.meta.size > limit {
                return Err(Failed::TooLarge);
            }
            let mut stream = got.into_stream();
            let mut bytes = 0u64;
            while let Some(chunk) = stream.try_next().await.map_err(Failed::Store)? {
                bytes += chunk.len() as u64;
                if bytes > limit {
                    return Err(Failed::TooLarge);
                }
                sink.write_all(&chunk).map_err(Failed::Sink)?;
            }
            Ok((sink, bytes))
        });
        match outcome {
            Some(Ok(found)) => Ok(found),
            Some(Err(Failed::TooLarge)) => Err(ReadError::TooLarge {
                object: object.to_owned(),
                limit,
            }),
            Some(Err(Failed::Sink(e))) => Err(ReadError::Unreadable {
                object: object.to_owned(),
                transient: crate::io_is_transient(&e),
                message: e.to_string(),
            }),
            Some(Err(Failed::Store(e))) => Err(read_error(object, Some(e))),
            None => Err(read_error(object, None)),
        }
    }

    pub(crate) fn list(&self, folder: &str) -> Result<Vec<String>, StorageError> {
        let prefix = if folder.is_empty() {
            None
        } else {
            Some(self.path(folder)?)
        };
        let store = self.store.clone();
        let listed = run(async move {
            store
                .list(prefix.as_ref())
                .map_ok(|meta| meta.location.to_string())
                .try_collect::<Vec<String>>()
                .await
        });
        match listed {
            Some(Ok(names)) => Ok(names),
            Some(Err(e)) => Err(self.error("list", folder, e)),
            None => Err(self.panicked("list", folder)),
        }
    }

    pub(crate) fn copy(&self, from: &str, to: &str) -> Result<bool, StorageError> {
        let (source, target) = (self.path(from)?, self.path(to)?);
        let store = self.store.clone();
        match run(async move { store.copy(&source, &target).await }) {
            Some(Ok(())) => Ok(true),
            Some(Err(object_store::Error::NotFound { .. })) => Ok(false),
            Some(Err(e)) => Err(self.error("copy", from, e)),
            None => Err(self.panicked("copy", from)),
        }
    }
}
