//! `rapporteur convert` end to end: the binary on real files, directories and
//! archives, its outputs checked against the published JSON Schema.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rapporteur_model::EventSummary;
use rapporteur_parse::{ParseOptions, parse_summary};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rapporteur(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapporteur"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walk(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    names.sort();
    names
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn schema_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("schema/event-summary.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn examples_convert_to_schema_valid_deterministic_json_equal_to_the_model() {
    let examples = repo().join("examples");
    let validator = schema_validator();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for out in [&first, &second] {
        let output = rapporteur(&[
            "convert",
            examples.to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stderr(&output)
                .contains("converted 6 of 6 inputs, 0 rejected, 0 already current; wrote 24 files"),
            "{}",
            stderr(&output)
        );
    }
    let names = files_in(first.path());
    assert_eq!(
        names.len(),
        24,
        "by default every format, and a manifest, per example and nothing else (no temp files): {names:?}"
    );
    assert_eq!(names, files_in(second.path()));
    for name in &names {
        // Every output, manifests included, is equal between runs.
        assert_eq!(
            std::fs::read(first.path().join(name)).unwrap(),
            std::fs::read(second.path().join(name)).unwrap(),
            "{name} differs between runs"
        );
        if !name.ends_with(".json") || name.ends_with(".manifest.json") {
            continue;
        }
        let bytes = std::fs::read(first.path().join(name)).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{name} does not match the schema: {errors:?}"
        );
        let written: EventSummary = serde_json::from_value(json).unwrap();
        let stem = name.strip_suffix(".json").unwrap();
        let source = std::fs::read_dir(&examples)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_stem().unwrap() == stem)
            .unwrap();
        // Found inside the directory named: recorded by its path there.
        let expected = parse_summary(
            &source.file_name().unwrap().to_string_lossy(),
            &std::fs::read(&source).unwrap(),
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(written, expected);
    }
}

#[test]
fn rejected_inputs_are_reported_and_the_rest_still_convert() {
    let input = tempfile::tempdir().unwrap();
    let seed = std::fs::read(repo().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
    std::fs::create_dir(input.path().join("2023")).unwrap();
    std::fs::write(input.path().join("2023/side-event.txt"), &seed).unwrap();
    std::fs::write(
        input.path().join("press.txt"),
        "FOR IMMEDIATE RELEASE\n\nITU announces a thing.\n",
    )
    .unwrap();
    let archive = input.path().join("batch.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("inner/seed.txt", options).unwrap();
    zip.write_all(&seed).unwrap();
    zip.start_file("../escape.txt", options).unwrap();
    zip.write_all(&seed).unwrap();
    zip.finish().unwrap();

    let out = tempfile::tempdir().unwrap();
    let output = rapporteur(&[
        "convert",
        input.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--formats",
        "json",
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("press.txt: line 1: not a session summary"),
        "{err}"
    );
    assert!(err.contains("../escape.txt"), "{err}");
    assert!(
        err.contains("converted 2 of 4 inputs, 2 rejected, 0 already current; wrote 4 files"),
        "{err}"
    );
    assert_eq!(
        files_in(out.path()),
        [
            "2023/side-event.json",
            "2023/side-event.manifest.json",
            "batch/inner/seed.json",
            "batch/inner/seed.manifest.json"
        ]
    );
    assert!(!out.path().parent().unwrap().join("escape.json").exists());
}

#[test]
fn inputs_that_would_overwrite_each_other_are_refused() {
    let input = tempfile::tempdir().unwrap();
    let seed = std::fs::read(repo().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
    std::fs::write(input.path().join("a.txt"), &seed).unwrap();
    std::fs::write(input.path().join("a.md"), &seed).unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = rapporteur(&[
        "convert",
        input.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--formats",
        "json",
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("would overwrite those of"), "{err}");
    assert_eq!(files_in(out.path()), ["a.json", "a.manifest.json"]);
}

#[test]
fn oversize_inputs_and_unknown_formats_are_refused() {
    let out = tempfile::tempdir().unwrap();
    let seed = repo().join("examples/wsis-cooperation-sdgs.txt");
    let output = rapporteur(&[
        "convert",
        seed.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--max-input-bytes",
        "1000",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is larger than the 1000 bytes allowed for one document"),
        "{}",
        stderr(&output)
    );
    assert!(files_in(out.path()).is_empty());

    let output = rapporteur(&[
        "convert",
        seed.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--formats",
        "odt",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown output format 'odt'"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn docx_outputs_convert_back_as_inputs_from_folders_and_archives() {
    let docx_dir = tempfile::tempdir().unwrap();
    let output = rapporteur(&[
        "convert",
        repo().join("examples").to_str().unwrap(),
        "--out",
        docx_dir.path().to_str().unwrap(),
        "--formats",
        "json,docx",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let docx_names: Vec<String> = files_in(docx_dir.path())
        .into_iter()
        .filter(|n| n.ends_with(".docx"))
        .collect();
    assert_eq!(docx_names.len(), 6, "one DOCX per example");

    // The .docx files, found in a folder and in a .zip, read back as inputs.
    let archive_dir = tempfile::tempdir().unwrap();
    let archive = archive_dir.path().join("word.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    for name in &docx_names {
        zip.start_file(
            format!("word/{name}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&std::fs::read(docx_dir.path().join(name)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    let back = tempfile::tempdir().unwrap();
    for input in [docx_dir.path(), archive.as_path()] {
        let output = rapporteur(&[
            "convert",
            input.to_str().unwrap(),
            "--out",
            back.path().to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    for name in &docx_names {
        let json = name.replace(".docx", ".json");
        let read = |path: PathBuf| -> EventSummary {
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
        };
        let from_text = read(docx_dir.path().join(&json));
        for mut from_docx in [
            read(back.path().join(&json)),
            read(back.path().join("word").join(&json)),
        ] {
            assert_eq!(
                from_docx.source.format,
                rapporteur_model::SourceFormat::Docx
            );
            // The source and the repairs differ; the summary itself must not.
            from_docx.source = from_text.source.clone();
            from_docx.warnings = from_text.warnings.clone();
            assert_eq!(from_docx, from_text, "{name}");
        }
    }
}

#[test]
fn a_metadata_file_files_every_output_and_a_wrong_one_stops_the_run() {
    let out = tempfile::tempdir().unwrap();
    let seed = repo().join("examples/wsis-cooperation-sdgs.txt");
    let metadata = out.path().join("filing.json");
    std::fs::write(
        &metadata,
        r#"{"dms": {"title": "Archive copy 17", "external_id": "A-17", "custom_fields": {"shelf": "B4"}}}"#,
    )
    .unwrap();
    let target = out.path().join("out");
    let output = rapporteur(&[
        "convert",
        seed.to_str().unwrap(),
        "--out",
        target.to_str().unwrap(),
        "--formats",
        "pdf",
        "--metadata",
        metadata.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    if rapporteur_test_tools::available(&[rapporteur_test_tools::Tool::Pdfinfo]) {
        let info = rapporteur_test_tools::run(
            Command::new("pdfinfo")
                .arg("-custom")
                .arg(target.join("wsis-cooperation-sdgs.pdf")),
        );
        let info = String::from_utf8(info.stdout).unwrap();
        for line in ["Title:           Archive copy 17", "external_id:", "shelf:"] {
            assert!(info.contains(line), "{line} in\n{info}");
        }
    }

    std::fs::write(&metadata, r#"{"dms": {"created": "yesterday"}}"#).unwrap();
    let target = out.path().join("refused");
    let output = rapporteur(&[
        "convert",
        seed.to_str().unwrap(),
        "--out",
        target.to_str().unwrap(),
        "--metadata",
        metadata.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("metadata.dms.created: not a date"),
        "{}",
        stderr(&output)
    );
    assert!(!target.exists() || files_in(&target).is_empty());
}

#[test]
fn a_rerun_converts_only_what_is_not_current_and_verify_checks_every_manifest() {
    let input = tempfile::tempdir().unwrap();
    let seed = std::fs::read(repo().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
    std::fs::write(input.path().join("a.txt"), &seed).unwrap();
    std::fs::write(input.path().join("b.txt"), &seed).unwrap();
    let out = tempfile::tempdir().unwrap();
    let convert = |extra: &[&str]| {
        let mut args = vec![
            "convert",
            input.path().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--formats",
            "json,docx",
        ];
        args.extend(extra);
        let output = rapporteur(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        stderr(&output)
    };
    assert!(
        convert(&[])
            .contains("converted 2 of 2 inputs, 0 rejected, 0 already current; wrote 6 files")
    );
    // An interrupted or repeated run: only the changed input is converted.
    std::fs::write(
        input.path().join("b.txt"),
        [seed.as_slice(), b"\n\nNote: revised."].concat(),
    )
    .unwrap();
    let err = convert(&[]);
    assert!(
        err.contains("converted 2 of 2 inputs, 0 rejected, 1 already current; wrote 3 files"),
        "{err}"
    );
    let err = convert(&["--force"]);
    assert!(err.contains("0 already current; wrote 6 files"), "{err}");

    let verify = |args: &[&str]| {
        let mut all = vec!["verify", out.path().to_str().unwrap()];
        all.extend(args);
        let output = rapporteur(&all);
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    // b's first version is kept beside its second, and verified too.
    assert!(out.path().join(".versions/b/1/b.manifest.json").is_file());
    let (code, text) = verify(&[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("verified 3 manifests: 6 of 6 objects intact, 0 problems"),
        "{text}"
    );

    std::fs::write(out.path().join("a.docx"), b"tampered").unwrap();
    std::fs::remove_file(out.path().join("b.json")).unwrap();
    let (code, text) = verify(&[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("changed  a.docx (in a.manifest.json): now 8 bytes"),
        "{text}"
    );
    assert!(
        text.contains("missing  b.json (in b.manifest.json)"),
        "{text}"
    );
    assert!(text.contains("4 of 6 objects intact, 2 problems"), "{text}");
    let (code, text) = verify(&["a"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("verified 1 manifest: 1 of 2 objects intact, 1 problem"),
        "{text}"
    );

    // A damaged set is not current: the next run repairs it.
    let err = convert(&[]);
    assert!(err.contains("0 already current; wrote 6 files"), "{err}");
    assert_eq!(verify(&[]).0, Some(0));
}

#[test]
fn a_report_gives_one_row_per_input_in_csv_or_json() {
    let input = tempfile::tempdir().unwrap();
    let seed = std::fs::read(repo().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
    std::fs::write(input.path().join("good.txt"), &seed).unwrap();
    std::fs::write(
        input.path().join("press.txt"),
        "FOR IMMEDIATE RELEASE\n\nITU announces a thing.\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = |report: &Path| {
        rapporteur(&[
            "convert",
            input.path().to_str().unwrap(),
            "--out",
            out.path().join("out").to_str().unwrap(),
            "--formats",
            "json,pdf",
            "--report",
            report.to_str().unwrap(),
        ])
    };
    let json = out.path().join("report.json");
    assert_eq!(run(&json).status.code(), Some(1));
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    let good = rows.iter().find(|r| r["key"] == "good").unwrap();
    assert_eq!(good["status"], "converted");
    let pdf = std::fs::read(out.path().join("out/good.pdf")).unwrap();
    assert_eq!(
        good["pdf_sha256"],
        rapporteur_manifest::sha256_hex(&pdf).as_str()
    );
    assert!(good["docx_sha256"].is_null());
    assert!(good["warnings"].is_u64());
    let press = rows.iter().find(|r| r["key"] == "press").unwrap();
    assert_eq!(press["status"], "rejected");
    assert_eq!(press["error_code"], "not_a_summary");
    assert_eq!(press["line"], 1);
    assert!(press["message"].as_str().unwrap().contains("press release"));

    // The same run again, as CSV: the good input is now skipped. Python's
    // csv module reads it back.
    let csv = out.path().join("report.csv");
    assert_eq!(run(&csv).status.code(), Some(1));
    if rapporteur_test_tools::available(&[rapporteur_test_tools::Tool::Python]) {
        let rows = rapporteur_test_tools::python(
            "import csv, json, sys\nprint(json.dumps(list(csv.DictReader(open(sys.argv[1])))))",
            &[&csv],
        );
        let rows: Vec<serde_json::Value> = serde_json::from_str(&rows).unwrap();
        let statuses: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap(),
                    r["status"].as_str().unwrap(),
                    r["error_code"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            statuses,
            [
                ("good", "skipped", ""),
                ("press", "rejected", "not_a_summary")
            ]
        );
    }
}

/// Issue 12, defect 7: with `seed.pdf` an existing directory the PDF cannot
/// be written; the JSON of the same input must not stay behind alone.
#[test]
fn a_failed_output_leaves_no_partial_set() {
    let input = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("examples/wsis-cooperation-sdgs.txt"),
        input.path().join("seed.txt"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(out.path().join("seed.pdf/inside")).unwrap();
    let output = rapporteur(&[
        "convert",
        input.path().join("seed.txt").to_str().unwrap(),
        "--formats",
        "json,pdf,docx",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("seed.pdf"), "{err}");
    assert!(
        err.contains("converted 0 of 1 inputs, 1 rejected, 0 already current; wrote 0 files"),
        "{err}"
    );
    // Only the directory that was in the way: no JSON, no DOCX, no temp file.
    assert_eq!(files_in(out.path()), Vec::<String>::new());
    let top: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(top, ["seed.pdf"]);
}

/// Issue 12, defect 8: a zip with two entries of the same name is refused
/// like two files whose outputs collide, not read as one.
#[test]
fn zip_entries_with_the_same_name_are_refused() {
    let seed = std::fs::read(repo().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
    let input = tempfile::tempdir().unwrap();
    let archive = input.path().join("twice.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    // The zip writer refuses a name twice, so the second entry is written
    // as "Q.txt" and renamed in its local and central headers.
    for (name, bytes) in [
        ("a.txt", &seed[..]),
        ("Q.txt", b"Not a summary at all." as &[u8]),
        ("b.txt", &seed[..]),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    let mut bytes = std::fs::read(&archive).unwrap();
    let mut renamed = 0;
    for i in 0..bytes.len() - 5 {
        if &bytes[i..i + 5] == b"Q.txt" {
            bytes[i] = b'a';
            renamed += 1;
        }
    }
    assert_eq!(renamed, 2, "local and central header");
    std::fs::write(&archive, &bytes).unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = rapporteur(&[
        "convert",
        archive.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("\"a.txt\" is in the archive 2 times"), "{err}");
    assert!(err.contains("converted 1 of 3 inputs, 2 rejected"), "{err}");
    assert_eq!(
        files_in(out.path()),
        ["b.docx", "b.json", "b.manifest.json", "b.pdf"]
    );
}

/// `source.name` is the input's name relative to what was named, so the
/// JSON does not depend on the directory the command ran from or on how
/// the file was named (issue 14).
#[test]
fn the_recorded_source_name_is_relative_to_what_was_named() {
    let input = tempfile::tempdir().unwrap();
    let seed = std::fs::read(repo().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
    std::fs::create_dir_all(input.path().join("2023")).unwrap();
    std::fs::write(input.path().join("2023/a.txt"), &seed).unwrap();
    let json_of = |cwd: &Path, named: &str, out: &Path, object: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_rapporteur"))
            .current_dir(cwd)
            .args([
                "convert",
                named,
                "--out",
                out.to_str().unwrap(),
                "--formats",
                "json",
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        std::fs::read(out.join(object)).unwrap()
    };
    let outs = tempfile::tempdir().unwrap();
    let absolute = input.path().join("2023/a.txt");
    let by_absolute = json_of(
        outs.path(),
        absolute.to_str().unwrap(),
        &outs.path().join("abs"),
        "a.json",
    );
    let by_relative = json_of(
        &input.path().join("2023"),
        "a.txt",
        &outs.path().join("rel"),
        "a.json",
    );
    assert_eq!(
        by_absolute, by_relative,
        "the same bytes however it was named"
    );
    let json: serde_json::Value = serde_json::from_slice(&by_absolute).unwrap();
    assert_eq!(json["source"]["name"], "a.txt");

    let by_directory = json_of(
        outs.path(),
        input.path().to_str().unwrap(),
        &outs.path().join("dir"),
        "2023/a.json",
    );
    let json: serde_json::Value = serde_json::from_slice(&by_directory).unwrap();
    assert_eq!(json["source"]["name"], "2023/a.txt");
}

#[test]
fn group_commits_and_per_file_syncs_write_the_same_files() {
    // More inputs than one commit takes (512), so that several commits run.
    let input = tempfile::tempdir().unwrap();
    let seed = std::fs::read(repo().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
    for i in 0..600 {
        std::fs::write(input.path().join(format!("s-{i:03}.txt")), &seed).unwrap();
    }
    let outputs: Vec<tempfile::TempDir> = ["group", "file"]
        .iter()
        .map(|sync| {
            let out = tempfile::tempdir().unwrap();
            let output = rapporteur(&[
                "convert",
                input.path().to_str().unwrap(),
                "--out",
                out.path().to_str().unwrap(),
                "--formats",
                "json",
                "--sync",
                sync,
            ]);
            assert!(output.status.success(), "{}", stderr(&output));
            assert!(
                stderr(&output).contains("converted 600 of 600 inputs"),
                "{}",
                stderr(&output)
            );
            out
        })
        .collect();
    let (group, file) = (files_in(outputs[0].path()), files_in(outputs[1].path()));
    // Every set, and nothing temporary left behind.
    assert_eq!(group.len(), 1200, "{:?}", &group[..4]);
    assert_eq!(group, file);
    for name in &group {
        assert_eq!(
            std::fs::read(outputs[0].path().join(name)).unwrap(),
            std::fs::read(outputs[1].path().join(name)).unwrap(),
            "{name}"
        );
    }
    let refused = rapporteur(&["convert", "x", "--out", "y", "--sync", "sometimes"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("use group or file"),
        "{}",
        stderr(&refused)
    );
}
