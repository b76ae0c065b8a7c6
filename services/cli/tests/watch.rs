//! `rapporteur watch DIR` against a real broker and a real worker: files
//! dropped (one of them written slowly) each convert once, into the same
//! bytes as `convert`'s; a file that is not a summary lands in `failed/`
//! with its reason beside it. Run with inotify and in polling mode.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rapporteur_test_tools::broker::{Harness, signal_and_wait, worker_beside};
use tokio::sync::Mutex;

/// One watcher test at a time: each starts a worker of its own, and two
/// would share this machine's two cores with the build.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Waits until `path` exists, failing the test after a minute.
fn await_file(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn dropped_files_convert_once_and_failures_say_why(mode: &[&str]) {
    if !rapporteur_test_tools::Tool::RabbitMq.available() {
        return;
    }
    let Some(worker_binary) = worker_beside(env!("CARGO_BIN_EXE_rapporteur")) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the worker binary is not built"
        );
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().await;
    let harness = Harness::with_default_topology(&format!("watch{}", mode.len())).await;
    let drop_dir = tempfile::tempdir().unwrap();
    let drop = drop_dir.path().canonicalize().unwrap();
    let seed = std::fs::read(repo().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
    // A file there before the watcher starts is converted too.
    std::fs::write(drop.join("early.txt"), &seed).unwrap();
    let mut worker = harness.start_worker(&worker_binary, &[]);
    let mut watcher = Command::new(env!("CARGO_BIN_EXE_rapporteur"))
        .arg("watch")
        .arg(&drop)
        .args(["--queue-prefix", &harness.prefix, "--settle-ms", "1000"])
        .args(mode)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Written slowly: a chunk every 300 ms, longer than the settle time in
    // all; a watcher that read it early would submit a truncated copy.
    let slow = drop.join("slow.txt");
    {
        let mut file = std::fs::File::create(&slow).unwrap();
        for chunk in seed.chunks(seed.len() / 8 + 1) {
            file.write_all(chunk).unwrap();
            file.flush().unwrap();
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    std::fs::write(
        drop.join("press.txt"),
        "FOR IMMEDIATE RELEASE\n\nITU announces a thing.\n",
    )
    .unwrap();
    // A partial download is left alone until it is renamed.
    std::fs::write(drop.join("later.txt.part"), &seed).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(drop.join("later.txt.part").exists());
    std::fs::rename(drop.join("later.txt.part"), drop.join("later.txt")).unwrap();

    for name in ["early.txt", "slow.txt", "later.txt"] {
        await_file(&drop.join("done").join(name));
        assert!(!drop.join(name).exists(), "{name} still in the folder");
    }
    let converted = std::fs::read(drop.join("done/slow.txt")).unwrap();
    assert_eq!(converted, seed, "the slow file was not cut short");
    await_file(&drop.join("failed/press.txt"));

    let reason = std::fs::read_to_string(drop.join("failed/press.txt.error.txt")).unwrap();
    assert!(reason.contains("not_a_summary"), "{reason}");
    assert!(reason.contains("line 1"), "{reason}");

    // Outputs in storage are `convert`'s bytes for the same file.
    let reference = tempfile::tempdir().unwrap();
    let converted = Command::new(env!("CARGO_BIN_EXE_rapporteur"))
        .arg("convert")
        .arg(drop.join("done/slow.txt"))
        .arg("--out")
        .arg(reference.path())
        .output()
        .unwrap();
    assert!(converted.status.success(), "{converted:?}");
    for format in ["json", "pdf", "docx"] {
        let file = format!("slow.{format}");
        assert_eq!(
            std::fs::read(harness.storage_path().join(&file)).unwrap(),
            std::fs::read(reference.path().join(&file)).unwrap(),
            "{file}"
        );
        assert!(
            harness
                .storage_path()
                .join(format!("early.{format}"))
                .exists()
        );
    }

    // Someone tidies the folder away: the next file still lands in done/.
    std::fs::remove_dir_all(drop.join("done")).unwrap();
    std::fs::write(drop.join("after-tidy.txt"), &seed).unwrap();
    await_file(&drop.join("done/after-tidy.txt"));

    // Each file became exactly one job: five results, no truncated twin
    // (after-tidy.txt has the same bytes as early.txt but another name).
    let results = harness.results(5, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let results_again = harness.results(5, Duration::from_secs(1)).await;
    assert_eq!(results.len(), 5, "{results:?}");
    assert_eq!(results_again.len(), 5, "{results_again:?}");

    assert!(signal_and_wait(&mut watcher, "TERM").success());
    let mut said = String::new();
    std::io::Read::read_to_string(&mut watcher.stderr.take().unwrap(), &mut said).unwrap();
    assert!(said.contains("press.txt: failed → failed/"), "{said}");
    assert!(said.contains("slow.txt: converted → done/"), "{said}");
    assert!(signal_and_wait(&mut worker.0, "TERM").success());
    harness.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_with_inotify() {
    dropped_files_convert_once_and_failures_say_why(&[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_by_polling() {
    dropped_files_convert_once_and_failures_say_why(&["--poll", "0.3"]).await;
}
