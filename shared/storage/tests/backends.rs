//! The storage interface behaves the same on every backend: a directory,
//! object_store's in-memory store, and S3 (moto, started by the tests on
//! 127.0.0.1). What the pipeline, `verify` and the worker's `path` sources
//! rely on is checked here once per backend.

use rapporteur_storage::{OutputKey, ReadError, Storage, StorageError};
use rapporteur_test_tools::s3;
use sha2::Digest;

/// Each backend, by name; S3 only where moto is (always under CI=true).
fn backends() -> Vec<(String, Storage, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec![
        (
            "directory".to_string(),
            Storage::open(dir.path().to_str().unwrap()).unwrap(),
            Some(dir),
        ),
        ("memory".to_string(), Storage::in_memory(), None),
    ];
    if let Some(server) = s3::server() {
        let url = format!("s3://{}/some/prefix", server.bucket());
        let storage = Storage::open_with(&url, &server.options()).unwrap();
        all.push(("s3".to_string(), storage, None));
    }
    all
}

fn key(k: &str) -> OutputKey {
    OutputKey::new(k).unwrap()
}

#[test]
fn every_backend_writes_reads_lists_copies_and_deletes_alike() {
    for (name, storage, _dir) in backends() {
        let k = key("2023/wsis/side-event");
        let objects = storage
            .write_all_atomic(&k, &[("json", b"{}"), ("pdf", b"%PDF-1.7")])
            .unwrap();
        assert_eq!(
            objects,
            ["2023/wsis/side-event.json", "2023/wsis/side-event.pdf"],
            "{name}"
        );
        assert_eq!(
            storage.read(&objects[1], 100).unwrap(),
            b"%PDF-1.7",
            "{name}"
        );
        assert!(storage.exists(&objects[0]).unwrap(), "{name}");
        assert!(!storage.exists("2023/wsis/other.json").unwrap(), "{name}");

        // Size and checksum, streamed.
        let (bytes, sha) = storage.sha256(&objects[1]).unwrap();
        assert_eq!(bytes, 8, "{name}");
        assert_eq!(
            sha,
            format!("{:x}", sha2::Sha256::digest(b"%PDF-1.7")),
            "{name}"
        );

        // Reads are bounded, and what is not there says so.
        assert!(
            matches!(
                storage.read(&objects[1], 4),
                Err(ReadError::TooLarge { limit: 4, .. })
            ),
            "{name}"
        );
        assert!(
            matches!(
                storage.read("2023/none.json", 100),
                Err(ReadError::NotFound { .. })
            ),
            "{name}"
        );
        for refused in ["../outside", "/etc/passwd", "a//b", "a\\b"] {
            assert!(
                matches!(storage.read(refused, 100), Err(ReadError::Invalid { .. })),
                "{name}: {refused}"
            );
        }

        // Listing is by string prefix, sorted, whatever the backend.
        storage
            .write_all_atomic(&key("2023/wsis/side-event-2"), &[("json", b"[]")])
            .unwrap();
        storage
            .write_all_atomic(&key("2024/a"), &[("json", b"[]")])
            .unwrap();
        assert_eq!(
            storage.list("2023/wsis/side-event").unwrap(),
            [
                "2023/wsis/side-event-2.json",
                "2023/wsis/side-event.json",
                "2023/wsis/side-event.pdf"
            ],
            "{name}"
        );
        assert_eq!(storage.list("").unwrap().len(), 4, "{name}");
        assert_eq!(storage.list("2025/").unwrap().len(), 0, "{name}");

        // Copies, including into a hidden folder (kept versions live there).
        let kept = "2023/wsis/.versions/side-event/1/side-event.json";
        assert!(storage.copy(&objects[0], kept).unwrap(), "{name}");
        assert!(
            !storage.copy("2023/gone.json", "2023/copy.json").unwrap(),
            "{name}"
        );
        assert_eq!(storage.read(kept, 100).unwrap(), b"{}", "{name}");
        assert!(
            storage
                .list("2023/wsis/")
                .unwrap()
                .contains(&kept.to_string()),
            "{name}"
        );

        // Deleting twice is no error; a set's manifest is removed by key.
        storage.delete(&objects[0]).unwrap();
        storage.delete(&objects[0]).unwrap();
        assert!(!storage.exists(&objects[0]).unwrap(), "{name}");
        storage.write_atomic(&k, "manifest.json", b"{}").unwrap();
        storage.remove(&k, "manifest.json").unwrap();
        assert!(
            !storage
                .exists("2023/wsis/side-event.manifest.json")
                .unwrap(),
            "{name}"
        );

        // The objects of one set share a folder.
        let err = storage
            .write_objects(&[("a/x.json", b"1"), ("b/x.json", b"2")])
            .unwrap_err();
        assert!(matches!(err, StorageError::InvalidObject { .. }), "{name}");
        assert!(!storage.exists("a/x.json").unwrap(), "{name}");
    }
}

#[test]
fn storage_urls_are_checked_before_use() {
    let dir = tempfile::tempdir().unwrap();
    let file_url = format!("file://{}", dir.path().join("out").display());
    let storage = Storage::open(&file_url).unwrap();
    let expected = dir.path().join("out").canonicalize().unwrap();
    assert_eq!(storage.local_root(), Some(expected.as_path()));

    for (url, says) in [
        ("ftp://host/x", "unknown scheme"),
        ("memory://x", "for tests"),
        (
            "s3://user:secret@bucket/x",
            "credentials do not belong in the URL",
        ),
        ("file://relative", "absolute local path"),
    ] {
        let err = Storage::open(url).unwrap_err();
        assert!(err.to_string().contains(says), "{url}: {err}");
        assert!(!err.to_string().contains("secret@"), "{url}: {err}");
    }
}

/// An object store that does not answer is an outage (transient,
/// `storage_unavailable`), not a bad document.
#[test]
fn an_unreachable_object_store_is_a_transient_error() {
    // A port nothing listens on: bind, read it, let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = [
        ("aws_endpoint", format!("http://127.0.0.1:{port}")),
        ("aws_allow_http", "true".to_string()),
        ("aws_access_key_id", "x".to_string()),
        ("aws_secret_access_key", "x".to_string()),
        ("aws_region", "us-east-1".to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let storage = Storage::open_with("s3://nowhere/x", &options).unwrap();
    let err = storage
        .write_all_atomic(&key("a"), &[("json", b"{}")])
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(err.code().as_str(), "storage_unavailable");
    assert!(err.to_string().contains("s3://nowhere/x/a.json"), "{err}");
}

#[test]
fn every_backend_streams_an_object_to_a_local_file_within_a_limit() {
    // Larger than one read buffer (64 KiB) and one object store chunk.
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    for (name, storage, _dir) in backends() {
        storage
            .write_objects(&[("inbox/2019.zip", bytes.as_slice())])
            .unwrap();
        let (local, sha256) = storage.download("inbox/2019.zip", 1 << 20).unwrap();
        assert_eq!(
            sha256,
            format!("{:x}", sha2::Sha256::digest(&bytes)),
            "{name}"
        );
        assert!(
            local.path().to_string_lossy().ends_with(".zip"),
            "{name}: readers that go by extension see a zip"
        );
        assert_eq!(std::fs::read(local.path()).unwrap(), bytes, "{name}");
        let too_large = storage.download("inbox/2019.zip", 1000).unwrap_err();
        assert!(
            matches!(too_large, ReadError::TooLarge { limit: 1000, .. }),
            "{name}: {too_large:?}"
        );
        let missing = storage.download("inbox/none.zip", 1000).unwrap_err();
        assert!(matches!(missing, ReadError::NotFound { .. }), "{name}");
        let (sink, size) = storage
            .read_into("inbox/2019.zip", u64::MAX, Vec::new())
            .unwrap();
        assert_eq!((sink.len() as u64, size), (300_000, 300_000), "{name}");
    }
}

/// Files under a directory, temporary ones included, as '/'-separated names.
fn files_under(root: &std::path::Path) -> Vec<String> {
    let mut found: Vec<String> = walk(root)
        .into_iter()
        .map(|p| {
            p.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    found.sort();
    found
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(walk(&path));
        } else {
            all.push(path);
        }
    }
    all
}

#[test]
fn staged_writes_appear_only_when_committed_in_the_order_asked() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open_dir(dir.path()).unwrap();
    storage
        .write_atomic(&key("a"), "manifest.json", b"old")
        .unwrap();
    let staged = storage.staged();
    staged.remove(&key("a"), "manifest.json").unwrap();
    staged
        .write_all_atomic(&key("a"), &[("json", b"{}"), ("pdf", b"%PDF")])
        .unwrap();
    staged
        .write_atomic(&key("a"), "manifest.json", b"new")
        .unwrap();
    // Held back: readers, this handle too, see the storage as it was.
    for handle in [&storage, &staged] {
        assert_eq!(handle.read("a.manifest.json", 10).unwrap(), b"old");
        assert!(!handle.exists("a.json").unwrap());
    }
    assert_eq!(handle_list(&storage), ["a.manifest.json"]);
    staged.commit().unwrap();
    assert_eq!(storage.read("a.manifest.json", 10).unwrap(), b"new");
    assert_eq!(storage.read("a.pdf", 10).unwrap(), b"%PDF");
    // Nothing temporary left; a second commit has nothing to do.
    assert_eq!(
        files_under(dir.path()),
        ["a.json", "a.manifest.json", "a.pdf"]
    );
    staged.commit().unwrap();

    // A handle dropped before its commit leaves nothing behind.
    let forgotten = storage.staged();
    forgotten.write_atomic(&key("b/c"), "json", b"1").unwrap();
    drop(forgotten);
    assert_eq!(
        files_under(dir.path()),
        ["a.json", "a.manifest.json", "a.pdf"]
    );
}

fn handle_list(storage: &Storage) -> Vec<String> {
    storage.list("").unwrap()
}

#[test]
fn a_group_commit_shares_its_syncs_and_one_failed_set_costs_the_others_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open_dir(dir.path()).unwrap();
    let first = storage.staged();
    let second = storage.staged();
    let third = storage.staged();
    first.write_atomic(&key("x/one"), "json", b"1").unwrap();
    second
        .write_all_atomic(&key("x/two"), &[("json", b"2"), ("pdf", b"2")])
        .unwrap();
    third.write_atomic(&key("x/three"), "json", b"3").unwrap();
    // A folder appears where one of the second set's files goes, after it
    // was staged: its rename fails at the commit.
    std::fs::create_dir(dir.path().join("x/two.pdf")).unwrap();
    let results = Storage::commit_all(&[first, second, third]);
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    assert!(results[1].is_err(), "{results:?}");
    assert_eq!(storage.read("x/one.json", 10).unwrap(), b"1");
    assert_eq!(storage.read("x/three.json", 10).unwrap(), b"3");
    // The failed set is not left half in place.
    assert!(!storage.exists("x/two.json").unwrap());
    assert_eq!(
        files_under(dir.path()),
        ["x/one.json", "x/three.json"],
        "no temporary file is left behind"
    );
}

#[test]
fn object_stores_write_at_once_even_when_staged() {
    let storage = Storage::in_memory();
    let staged = storage.staged();
    staged.write_atomic(&key("a"), "json", b"{}").unwrap();
    assert!(storage.exists("a.json").unwrap());
    staged.commit().unwrap();
}
