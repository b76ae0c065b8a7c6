//! The reading corpus as a floor: every document of `../shared/corpus` is
//! read through the dispatcher, the accepted ones written as JSON, and the
//! corpus's own scorer (`score.py`, which we did not write) scores them. A
//! family whose score drops below the floor reached so far fails the test,
//! so reading never regresses. `make corpus` prints the same scores.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use rapporteur_parse::ParseOptions;
use rapporteur_test_tools::{Tool, available, corpus_dir, run};

/// The lowest score each family may have: what the reader reaches today.
/// Raise a floor when reading improves; never lower one to make a change
/// pass.
const FLOORS: &[(&str, f64)] = &[
    ("F1", 1.0),
    ("F2", 1.0),
    ("F3", 1.0),
    ("F4", 1.0),
    ("F5", 1.0),
    ("F6", 1.0),
    ("F7", 1.0),
    ("F8", 1.0),
    ("F9", 1.0),
    ("F10", 1.0),
    ("F11", 1.0),
    ("F12", 1.0),
];

/// The scorer prints scores to three decimals.
const ROUNDING: f64 = 0.0005;

#[test]
fn every_family_of_the_corpus_reads_at_least_as_well_as_before() {
    if !available(&[Tool::Corpus, Tool::Python]) {
        return;
    }
    let corpus = corpus_dir();
    let out = tempfile::tempdir().unwrap();
    let mut read = 0;
    for entry in std::fs::read_dir(corpus.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        read += 1;
        if let Ok(summary) = rapporteur_read::read_summary(&name, &bytes, &ParseOptions::default())
        {
            let stem = Path::new(&name)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            std::fs::write(out.path().join(format!("{stem}.json")), summary.to_json()).unwrap();
        }
    }
    assert!(read >= 44, "the corpus has {read} documents");
    let report = String::from_utf8(
        run(Command::new("python3")
            .arg(corpus.join("score.py"))
            .arg(out.path()))
        .stdout,
    )
    .unwrap();
    let scores = family_scores(&report);
    for &(family, floor) in FLOORS {
        let score = scores
            .get(family)
            .unwrap_or_else(|| panic!("no score for {family} in\n{report}"));
        assert!(
            score + ROUNDING >= floor,
            "{family} reads at {score:.3}, below its floor of {floor:.3}:\n{report}"
        );
    }
}

/// "corpus score: F1 0.988, F2 0.621, …, overall 0.522" as a map.
fn family_scores(report: &str) -> BTreeMap<String, f64> {
    let line = report
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("corpus score: "))
        .unwrap_or_else(|| panic!("no score line in\n{report}"));
    line.split(", ")
        .filter_map(|part| {
            let (family, score) = part.rsplit_once(' ')?;
            Some((family.to_string(), score.parse().ok()?))
        })
        .collect()
}

#[test]
fn the_score_line_is_read_by_family() {
    let scores = family_scores("x\ncorpus score: F1 0.988, F10 1.000, overall 0.522\n");
    assert_eq!(scores["F1"], 0.988);
    assert_eq!(scores["F10"], 1.0);
    assert_eq!(scores["overall"], 0.522);
}
