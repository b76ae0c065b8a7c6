//! `convert --out` and `verify` on object storage: S3 as moto serves it
//! (started by the tests on 127.0.0.1), configured as a user would, through
//! the AWS environment variables.

use std::process::{Command, Output};

use rapporteur_storage::Storage;
use rapporteur_test_tools::s3;

fn rapporteur(args: &[&str], env: &[(&'static str, String)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapporteur"))
        .args(args)
        .envs(env.iter().map(|(name, value)| (name, value)))
        .env_remove("STORAGE_URL")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn convert_writes_to_s3_and_verify_checks_it_there() {
    let Some(server) = s3::server() else {
        return;
    };
    let url = format!("s3://{}/archive/2024", server.bucket());
    let env = server.env();
    let examples = rapporteur_test_tools::repo_root().join("examples");
    let converted = rapporteur(
        &["convert", examples.to_str().unwrap(), "--out", &url],
        &env,
    );
    let said = text(&converted.stderr);
    assert!(converted.status.success(), "{said}");
    let inputs = rapporteur_test_tools::examples().len();
    assert!(
        said.contains(&format!(
            "converted {inputs} of {inputs} inputs, 0 rejected, 0 already current"
        )),
        "{said}"
    );
    assert!(said.contains(&url), "the tally names the storage: {said}");

    // The same run again: everything is current, nothing is written.
    let again = rapporteur(
        &["convert", examples.to_str().unwrap(), "--out", &url],
        &env,
    );
    assert!(
        text(&again.stderr).contains(&format!("{inputs} already current; wrote 0 files")),
        "{}",
        text(&again.stderr)
    );

    let verified = rapporteur(&["verify", &url], &env);
    let report = text(&verified.stdout);
    assert_eq!(verified.status.code(), Some(0), "{report}");
    assert!(
        report.contains(&format!(
            "verified {inputs} manifests: {0} of {0} objects intact, 0 problems",
            inputs * 3
        )),
        "{report}"
    );

    // Damage one object behind Rapporteur's back: verify names it.
    let storage = Storage::open_with(&url, &server.options()).unwrap();
    let victim = storage
        .list("")
        .unwrap()
        .into_iter()
        .find(|name| name.ends_with(".pdf"))
        .unwrap();
    storage
        .write_objects(&[(victim.as_str(), b"%PDF-tampered".as_slice())])
        .unwrap();
    let verified = rapporteur(&["verify", &url], &env);
    let report = text(&verified.stdout);
    assert_eq!(verified.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!("changed  {victim} (in ")),
        "{report}"
    );
    assert!(report.contains("now 13 bytes"), "{report}");
}

#[test]
fn an_unreachable_store_fails_the_run_with_the_storage_named() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = vec![
        ("AWS_ENDPOINT", format!("http://127.0.0.1:{port}")),
        ("AWS_ALLOW_HTTP", "true".to_string()),
        ("AWS_ACCESS_KEY_ID", "x".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "x".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
    ];
    let seed = rapporteur_test_tools::seed();
    let output = rapporteur(
        &[
            "convert",
            seed.to_str().unwrap(),
            "--out",
            "s3://nowhere/x",
            "--formats",
            "json",
        ],
        &env,
    );
    let said = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("cannot read s3://nowhere/x/wsis-cooperation-sdgs.manifest.json"),
        "{said}"
    );
    let verified = rapporteur(&["verify", "s3://nowhere/x"], &env);
    assert_eq!(
        verified.status.code(),
        Some(2),
        "{}",
        text(&verified.stderr)
    );
}
