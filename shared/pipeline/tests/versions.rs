//! Output sets on every storage backend (a directory and S3, moto started
//! by the tests): a changed source makes a new version with the previous
//! one still readable, a redelivery rewrites nothing, only the newest
//! versions are kept, and a conversion stopped between its outputs and its
//! manifest leaves no visible set and is completed by the retry.

use rapporteur_manifest::{Manifest, kept_folder};
use rapporteur_pipeline::{Converter, Provenance};
use rapporteur_render::Format;
use rapporteur_storage::{OutputKey, Storage};
use rapporteur_test_tools::s3;

const SEED: &[u8] = include_bytes!("../../../examples/wsis-cooperation-sdgs.txt");

/// The seed with one more line: another source of the same key.
fn edition(n: usize) -> Vec<u8> {
    let mut source = SEED.to_vec();
    source.extend_from_slice(format!("\nEdited {n} times.\n").as_bytes());
    source
}

/// A directory, and S3 where moto is (always under CI=true).
fn backends() -> Vec<(&'static str, Storage, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec![(
        "directory",
        Storage::open_dir(dir.path()).unwrap(),
        Some(dir),
    )];
    if let Some(server) = s3::server() {
        let url = format!("s3://{}/outputs", server.bucket());
        all.push((
            "s3",
            Storage::open_with(&url, &server.options()).unwrap(),
            None,
        ));
    }
    all
}

fn manifest(storage: &Storage, object: &str) -> Manifest {
    Manifest::from_json(&storage.read(object, 1 << 20).unwrap()).unwrap()
}

const FORMATS: [Format; 2] = [Format::Json, Format::Docx];

#[test]
fn a_changed_source_makes_version_two_and_version_one_stays_readable() {
    for (name, storage, _dir) in backends() {
        let key = OutputKey::new("2023/side-event").unwrap();
        let converter = Converter::default();
        let job = |id| Provenance {
            job_id: Some(id),
            ..Provenance::default()
        };
        let first = converter
            .convert_for("s.txt", SEED, &FORMATS, &key, &storage, job("a"))
            .unwrap();
        assert_eq!((first.version, first.replaces), (1, None), "{name}");

        let second = converter
            .convert_for("s.txt", &edition(1), &FORMATS, &key, &storage, job("b"))
            .unwrap();
        assert_eq!((second.version, second.replaces), (2, Some(1)), "{name}");
        let current = manifest(&storage, "2023/side-event.manifest.json");
        assert_eq!((current.version, current.replaces), (2, Some(1)), "{name}");
        assert_eq!(current.job_id.as_deref(), Some("b"), "{name}");

        // Version 1, kept: its manifest names copies with the first bytes.
        let kept = kept_folder(&key, 1);
        assert_eq!(kept, "2023/.versions/side-event/1/");
        let old = manifest(&storage, &format!("{kept}side-event.manifest.json"));
        assert_eq!(old.version, 1, "{name}");
        assert_eq!(old.job_id.as_deref(), Some("a"), "{name}");
        for (output, written) in old.outputs.iter().zip(&first.outputs) {
            assert!(output.path.starts_with(&kept), "{name}: {}", output.path);
            assert_eq!(output.sha256, written.sha256, "{name}");
        }
        let tally = rapporteur_manifest::verify(&storage, Some("2023/")).unwrap();
        assert_eq!((tally.manifests, tally.objects), (2, 4), "{name}");
        assert!(tally.is_intact(), "{name}: {:?}", tally.findings);

        // A redelivery of the second job: recognised from the manifest,
        // nothing is written (no object's stamp changes), and the result
        // names the same version.
        let stamps = |storage: &Storage| {
            storage
                .list("2023/")
                .unwrap()
                .iter()
                .map(|o| (o.clone(), storage.stamp(o).unwrap()))
                .collect::<Vec<_>>()
        };
        let before = stamps(&storage);
        // Object stores stamp to the second: let one pass, so that a
        // rewrite would show.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let again = converter
            .convert_for("s.txt", &edition(1), &FORMATS, &key, &storage, job("b"))
            .unwrap();
        assert!(again.unchanged, "{name}");
        assert_eq!((again.version, again.replaces), (2, Some(1)), "{name}");
        assert_eq!(stamps(&storage), before, "{name}");
    }
}

#[test]
fn only_the_newest_replaced_versions_are_kept() {
    for (name, storage, _dir) in backends() {
        let key = OutputKey::new("a").unwrap();
        let converter = Converter {
            keep_versions: 2,
            ..Converter::default()
        };
        for n in 1..=5 {
            let done = converter
                .convert_for(
                    "a.txt",
                    &edition(n),
                    &[Format::Json],
                    &key,
                    &storage,
                    Provenance::default(),
                )
                .unwrap();
            assert_eq!(done.version, n as u32, "{name}");
        }
        let kept: Vec<String> = storage.list(".versions/a/").unwrap();
        assert_eq!(
            kept,
            [
                ".versions/a/3/a.json",
                ".versions/a/3/a.manifest.json",
                ".versions/a/4/a.json",
                ".versions/a/4/a.manifest.json",
            ],
            "{name}"
        );

        // Keeping none: a replacement keeps no copy.
        let none = Converter {
            keep_versions: 0,
            ..Converter::default()
        };
        let key = OutputKey::new("b").unwrap();
        for n in 1..=2 {
            none.convert_for(
                "b.txt",
                &edition(n),
                &[Format::Json],
                &key,
                &storage,
                Provenance::default(),
            )
            .unwrap();
        }
        assert!(storage.list(".versions/b/").unwrap().is_empty(), "{name}");
    }
}

/// What a conversion killed between writing its outputs and writing its
/// manifest leaves behind (the replaced set kept, its manifest taken away,
/// new outputs in place) is no visible set, and the retry completes it as
/// the next version.
#[test]
fn a_set_stopped_before_its_manifest_is_invisible_and_the_retry_completes_it() {
    for (name, storage, _dir) in backends() {
        let key = OutputKey::new("2024/stopped").unwrap();
        let converter = Converter::default();
        let first = converter
            .convert_for(
                "s.txt",
                SEED,
                &FORMATS,
                &key,
                &storage,
                Provenance::default(),
            )
            .unwrap();

        // The steps of a replacement up to the kill.
        let kept = kept_folder(&key, 1);
        for output in &first.outputs {
            let file = output.object.rsplit('/').next().unwrap();
            assert!(
                storage
                    .copy(&output.object, &format!("{kept}{file}"))
                    .unwrap()
            );
        }
        let mut old = manifest(&storage, "2024/stopped.manifest.json");
        for output in &mut old.outputs {
            let file = output.path.rsplit('/').next().unwrap().to_string();
            output.path = format!("{kept}{file}");
        }
        storage
            .write_objects(&[(&format!("{kept}stopped.manifest.json"), &old.to_json())])
            .unwrap();
        storage.remove(&key, "manifest.json").unwrap();
        storage
            .write_all_atomic(&key, &[("json", b"{\"half\": true}"), ("docx", b"PK")])
            .unwrap();

        // No manifest claims the new objects: a reader going by manifests
        // sees only the kept version.
        let tally = rapporteur_manifest::verify(&storage, Some("2024/")).unwrap();
        assert_eq!(tally.manifests, 1, "{name}");
        assert!(tally.is_intact(), "{name}: {:?}", tally.findings);
        assert!(!storage.exists("2024/stopped.manifest.json").unwrap());

        // The retry (a redelivered job) completes the set as version 2.
        let retried = converter
            .convert_for(
                "s.txt",
                &edition(1),
                &FORMATS,
                &key,
                &storage,
                Provenance::default(),
            )
            .unwrap();
        assert!(!retried.unchanged, "{name}");
        assert_eq!((retried.version, retried.replaces), (2, Some(1)), "{name}");
        let tally = rapporteur_manifest::verify(&storage, Some("2024/")).unwrap();
        assert_eq!((tally.manifests, tally.objects), (2, 4), "{name}");
        assert!(tally.is_intact(), "{name}: {:?}", tally.findings);
    }
}
