//! Hostile archives: whatever bytes a `.zip` holds, [`discover`] and
//! [`Input::read`] return inputs or typed errors, never panic, and never
//! return more than the document limit.

use std::io::Write;

use proptest::prelude::*;
use rapporteur_inputs::{Limits, discover};
use zip::write::SimpleFileOptions;

fn valid_zip() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        (
            "2023/a.txt",
            "Summary of Side Event: A\n\nBackground\n\nText.",
        ),
        ("b.md", "# B\n\nMore text."),
        ("c.docx", "not really a docx"),
        ("skip.png", "not a document"),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("hostile.zip");
    std::fs::write(&archive, bytes).unwrap();
    let limits = Limits {
        max_document_bytes: 1024,
        ..Limits::default()
    };
    for found in discover(std::slice::from_ref(&archive), &limits) {
        let Ok(input) = found else { continue };
        prop_assert!(!input.key.is_empty());
        prop_assert!(!input.key.split('/').any(|c| c.is_empty() || c == ".."));
        if let Ok(bytes) = input.read(&limits) {
            prop_assert!(bytes.len() <= 1024);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        check(&bytes)?;
    }

    #[test]
    fn mutated_zips_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..10),
    ) {
        let mut bytes = valid_zip();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        check(&bytes)?;
    }
}
