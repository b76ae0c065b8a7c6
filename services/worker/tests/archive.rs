//! Archive jobs against the real broker: one job for a whole `.zip` or
//! folder, finished by another worker when the first dies half-way, with
//! monotonic progress events, a report listing every document, and outputs
//! equal to a conversion of each document on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::Duration;

use rapporteur_batch::{Row, Status};
use rapporteur_jobs::{ArchiveTally, JobResult, JobStatus};
use rapporteur_pipeline::Converter;
use rapporteur_render::Format;
use rapporteur_storage::{OutputKey, Storage};
use rapporteur_test_tools::broker::*;

const WORKER: &str = env!("CARGO_BIN_EXE_rapporteur-worker");

const INPUTS: [&str; 4] = [
    "wsis-cooperation-sdgs.txt",
    "ai-health-workshop.txt",
    "small-islands-connectivity.txt",
    "resume-atelier-cybersecurite.txt",
];

/// Documents that are refused, each for its own reason: (name, text, code).
const REFUSED: [(&str, &str, &str); 2] = [
    ("misc/shopping-list.txt", "eggs\nmilk\n", "not_a_summary"),
    // "a.md" comes first, so "a.txt" would overwrite its outputs.
    ("misc/a.txt", "", "key_collision"),
];

/// A zip of `count` summaries ("2023/doc-0000.txt", …, the examples in
/// turn) and the refused documents; returns its bytes and the documents.
fn archive(count: usize) -> (Vec<u8>, Vec<(String, String)>) {
    let mut documents: Vec<(String, String)> = (0..count)
        .map(|i| {
            (
                format!("2023/doc-{i:04}.txt"),
                example(INPUTS[i % INPUTS.len()]),
            )
        })
        .collect();
    documents.push(("misc/a.md".into(), example(INPUTS[0])));
    for (name, text, _) in REFUSED {
        let text = if text.is_empty() {
            example(INPUTS[1])
        } else {
            text.into()
        };
        documents.push((name.into(), text));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in &documents {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    (zip.finish().unwrap().into_inner(), documents)
}

fn archive_job(job_id: &str, path: &str, key: &str, formats: &[&str]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "version": "1",
        "job_id": job_id,
        "source": {"kind": "archive", "path": path},
        "key": key,
        "formats": formats,
    }))
    .unwrap()
}

/// The report object's rows, by input.
fn report(store: &Storage, tally: &ArchiveTally) -> BTreeMap<String, Row> {
    let bytes = store.read(&tally.report, 1 << 30).unwrap();
    rapporteur_batch::decode_csv(&bytes)
        .unwrap()
        .into_iter()
        .map(|row| (row.input.clone(), row))
        .collect()
}

/// The documents' outputs equal those of each document converted on its
/// own (`rapporteur convert` of the zip writes the same keys without the
/// prefix), for every `every`th document.
fn assert_outputs_as_convert_makes_them(
    store: &Storage,
    prefix: &str,
    documents: &[(String, String)],
    formats: &[Format],
    every: usize,
) {
    let reference_root = tempfile::tempdir().unwrap();
    let reference = Storage::open_dir(reference_root.path()).unwrap();
    for (name, text) in documents.iter().step_by(every) {
        let stem = name.rsplit_once('.').unwrap().0;
        let key = OutputKey::new(stem).unwrap();
        Converter::default()
            .convert(name, text.as_bytes(), formats, &key, &reference)
            .unwrap();
        for format in formats {
            let extension = format.extension();
            let expected = reference.read(&format!("{stem}.{extension}"), 1 << 26);
            let written = store.read(&format!("{prefix}/{stem}.{extension}"), 1 << 26);
            assert!(
                expected.unwrap() == written.unwrap(),
                "{name}: the archive job's {extension} differs from convert's"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_job_whose_worker_dies_half_way_is_finished_by_another() {
    let harness = Harness::new("archive-kill").await;
    let count = 2_000;
    let (zip, documents) = archive(count);
    let store = harness.store();
    store
        .write_objects(&[("inbox/2023.zip", zip.as_slice())])
        .unwrap();
    let formats = ["json", "pdf"];
    harness
        .publish(&[archive_job("arch-1", "inbox/2023.zip", "2023", &formats)])
        .await;
    // Slices of 4 s (a third of the job timeout): the job goes back on the
    // queue several times, and the kill lands in the middle of one.
    let mut first = harness.start_worker(WORKER, &["--job-timeout-secs", "12"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    loop {
        harness.results(1, Duration::from_millis(500)).await;
        let done = harness
            .progress_events()
            .last()
            .map_or(0, |p| p.done + p.failed);
        if done >= count as u64 / 3 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no progress: {done} done"
        );
    }
    signal_and_wait(&mut first, "KILL");
    let killed_at = harness.progress_events().last().unwrap().clone();
    assert!(
        killed_at.done < count as u64,
        "killed half-way, not at the end"
    );
    let mut second = harness.start_worker(WORKER, &["--job-timeout-secs", "12"]);
    let results = harness.results(1, Duration::from_secs(900)).await;
    let result: &JobResult = &results["arch-1"];
    assert_eq!(result.status, JobStatus::Succeeded, "{result:?}");
    let tally = result.archive.clone().expect("an archive job's tally");
    let total = documents.len() as u64;
    assert_eq!(tally.total, total);
    assert_eq!(tally.rejected, REFUSED.len() as u64);
    assert_eq!(
        tally.converted + tally.skipped,
        total - REFUSED.len() as u64
    );
    assert_eq!(tally.report, "2023.report.csv");

    // Progress never went back, across the kill, and ended complete.
    let events = harness.progress_events();
    assert!(events.len() >= 3, "{} progress events", events.len());
    for pair in events.windows(2) {
        assert!(
            pair[1].done >= pair[0].done && pair[1].failed >= pair[0].failed,
            "progress went back: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    let last = events.last().unwrap();
    assert_eq!((last.done + last.failed, last.total), (total, total));
    assert!(events.iter().all(|e| e.job_id == "arch-1"));

    // The report lists every document once, with what to fix.
    let rows = report(&store, &tally);
    let inputs: BTreeSet<String> = documents
        .iter()
        .map(|(name, _)| format!("inbox/2023.zip:{name}"))
        .collect();
    assert_eq!(rows.keys().cloned().collect::<BTreeSet<_>>(), inputs);
    for (name, _, code) in REFUSED {
        let row = &rows[&format!("inbox/2023.zip:{name}")];
        assert_eq!(row.status, Status::Rejected, "{row:?}");
        assert_eq!(row.error_code.as_deref(), Some(code), "{row:?}");
        assert!(row.message.as_deref().is_some_and(|m| !m.is_empty()));
    }
    // Documents the dead worker converted are found current, not redone.
    let skipped = rows
        .values()
        .filter(|r| r.status == Status::Skipped)
        .count();
    assert_eq!(skipped as u64, tally.skipped);

    // Every document's set exists once, as version 1 (none was written
    // twice with other bytes), checks out, and its checksums are the report's.
    let manifests = rapporteur_manifest::verify(&store, Some("2023/")).unwrap();
    assert_eq!(manifests.manifests, count + 1);
    assert!(manifests.is_intact(), "{:?}", manifests.findings);
    for row in rows.values().filter(|r| r.is_done()) {
        let manifest = rapporteur_manifest::read(&store, &format!("{}.manifest.json", row.key))
            .unwrap()
            .expect("a manifest for every document done");
        assert_eq!(manifest.version, 1, "{}", row.key);
        let (_, sha256) = store.sha256(&format!("{}.pdf", row.key)).unwrap();
        assert_eq!(row.pdf_sha256.as_deref(), Some(sha256.as_str()));
    }
    assert!(
        !store.exists("2023/misc/shopping-list.json").unwrap(),
        "a refused document has no outputs"
    );
    let documents_ok: Vec<(String, String)> = documents[..count + 1].to_vec();
    assert_outputs_as_convert_makes_them(
        &store,
        "2023",
        &documents_ok,
        &[Format::Json, Format::Pdf],
        97,
    );
    assert!(
        harness
            .take_all(&harness.topology.dead_letter_queue())
            .await
            .is_empty()
    );

    // The same job again (a redelivery after the end): the same tally, no
    // work, the report untouched.
    let stamp = store.stamp(&tally.report).unwrap();
    harness
        .publish(&[archive_job("arch-1", "inbox/2023.zip", "2023", &formats)])
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while harness.all_results().len() < 2 {
        harness.results(2, Duration::from_millis(500)).await;
        assert!(std::time::Instant::now() < deadline, "no second result");
    }
    let again = harness.all_results().last().unwrap().clone();
    assert_eq!(again.archive, Some(tally.clone()));
    assert_eq!(store.stamp(&tally.report).unwrap(), stamp);
    assert!(signal_and_wait(&mut second, "TERM").success());
    harness.cleanup().await;
}

/// An archive job converted in a child process (`--isolate all`, as every
/// redelivered job is) still ends with a progress event that says the
/// whole archive is done: a child publishes none itself, and the worker
/// published none for it, so a job resumed after its worker died could end
/// with its last progress event at the count the dead worker reached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_job_finished_in_a_child_announces_its_complete_count() {
    let harness = Harness::new("archive-child").await;
    let (zip, documents) = archive(12);
    harness
        .store()
        .write_objects(&[("inbox/small.zip", zip.as_slice())])
        .unwrap();
    harness
        .publish(&[archive_job("arch-c", "inbox/small.zip", "small", &["json"])])
        .await;
    let mut worker = harness.start_worker(WORKER, &["--isolate", "all"]);
    let results = harness.results(1, Duration::from_secs(120)).await;
    let result = &results["arch-c"];
    assert_eq!(result.status, JobStatus::Succeeded, "{result:?}");
    let total = documents.len() as u64;
    let events = harness.progress_events();
    let last = events
        .last()
        .expect("a progress event for the finished job");
    assert_eq!(
        (last.job_id.as_str(), last.done, last.failed, last.total),
        (
            "arch-c",
            total - REFUSED.len() as u64,
            REFUSED.len() as u64,
            total
        )
    );
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

/// A folder of documents in object storage, and archives that cannot be
/// read: each job ends with a result, the unusable ones dead-lettered
/// with their reason.
async fn folders_and_unusable_archives(harness: Harness) {
    let store = harness.store();
    let documents: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("session-{i:02}.txt"),
                example(INPUTS[i % INPUTS.len()]),
            )
        })
        .collect();
    for (name, text) in &documents {
        store
            .write_objects(&[(&format!("inbox/2024/{name}"), text.as_bytes())])
            .unwrap();
    }
    store
        .write_objects(&[("inbox/broken.zip", b"PK\x03\x04 not really a zip")])
        .unwrap();
    // Rows an earlier job under the same key left behind (it died, then
    // another archive took the key): they must not join this report.
    store
        .write_objects(&[(
            ".archive/2024/rows-0000000003.csv",
            b"stale.txt,2024/stale,converted,,,,,,,\n",
        )])
        .unwrap();
    harness
        .publish(&[
            archive_job("folder", "inbox/2024/", "2024", &["json", "docx"]),
            archive_job("broken", "inbox/broken.zip", "broken", &["json"]),
            archive_job("missing", "inbox/missing.zip", "missing", &["json"]),
            archive_job("empty", "inbox/nothing-here/", "nothing", &["json"]),
            archive_job("overlap", "inbox/2024/", "inbox/2024/out", &["json"]),
        ])
        .await;
    let mut worker = harness.start_worker(WORKER, &[]);
    let results = harness.results(5, Duration::from_secs(300)).await;
    let folder = &results["folder"];
    assert_eq!(folder.status, JobStatus::Succeeded, "{folder:?}");
    let tally = folder.archive.clone().unwrap();
    assert_eq!((tally.total, tally.converted, tally.rejected), (12, 12, 0));
    let rows = report(&store, &tally);
    assert_eq!(rows.len(), 12);
    assert!(rows.contains_key("inbox/2024/session-00.txt"));
    assert_outputs_as_convert_makes_them(
        &store,
        "2024",
        &documents,
        &[Format::Json, Format::Docx],
        5,
    );
    for (job, code) in [
        ("broken", "bad_archive"),
        ("missing", "source_not_found"),
        ("empty", "empty"),
        ("overlap", "invalid_key"),
    ] {
        let result = &results[job];
        assert_eq!(result.status, JobStatus::Failed, "{result:?}");
        assert_eq!(result.error.as_ref().unwrap().code, code, "{result:?}");
        assert_eq!(result.archive, None);
    }
    let dead = harness
        .take_all(&harness.topology.dead_letter_queue())
        .await;
    assert_eq!(dead.len(), 4, "each unusable archive is dead-lettered");
    assert!(signal_and_wait(&mut worker, "TERM").success());
    harness.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_archives_and_unusable_archives() {
    folders_and_unusable_archives(Harness::new("archive-folder").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_s3_folder_archives_and_unusable_archives() {
    let Some(harness) = Harness::on_s3("archive-folder-s3").await else {
        return;
    };
    folders_and_unusable_archives(harness).await;
}
