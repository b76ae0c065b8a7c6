//! Every JSON Schema published under schema/ equals the code's, and
//! `rapporteur schema NAME` prints it. Regenerate them with `make schema`.

use std::path::PathBuf;
use std::process::Command;

fn published(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../schema")
        .join(file)
}

fn schemas() -> Vec<(&'static str, String)> {
    let mut all = vec![("event-summary.schema.json", rapporteur_model::json_schema())];
    all.extend(rapporteur_jobs::json_schemas());
    all.push((
        "output-manifest.schema.json",
        rapporteur_manifest::json_schema(),
    ));
    all
}

#[test]
fn published_schemas_match_the_code() {
    let update = std::env::var_os("UPDATE_SCHEMA").is_some();
    for (file, generated) in schemas() {
        if update {
            std::fs::write(published(file), &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(published(file)).unwrap_or_default();
        assert!(
            on_disk == generated,
            "schema/{file} is out of date with the code; run `make schema` and commit it"
        );
    }
}

#[test]
fn schema_command_prints_each_published_schema() {
    for (file, _) in schemas() {
        let name = file.strip_suffix(".schema.json").unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_rapporteur"))
            .args(["schema", name])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            output.stdout,
            std::fs::read(published(file)).unwrap(),
            "rapporteur schema {name}"
        );
    }
}
