//! What the PDF tests share: running the external tools that judge the PDFs
//! (which ones there are, and what happens when one is missing, is
//! `rapporteur-test-tools`'s business), the inputs, and rendering into a
//! temporary file.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::path::{Path, PathBuf};
use std::process::Command;

pub use rapporteur_test_tools::{Tool, available};

use rapporteur_model::EventSummary;
use rapporteur_parse::{ParseOptions, parse_summary};
use rapporteur_render_pdf::{PdfOptions, render};

pub const A4: (f32, f32) = (210.0, 297.0);
pub const LETTER: (f32, f32) = (215.9, 279.4);

/// Runs a tool and returns its standard output, failing the test with its
/// standard error if it fails.
pub fn run(program: &str, args: &[&str]) -> String {
    let output = rapporteur_test_tools::run(Command::new(program).args(args));
    String::from_utf8(output.stdout).expect("the tools print UTF-8")
}

pub fn repo_file(path: &str) -> PathBuf {
    rapporteur_test_tools::repo_root().join(path)
}

pub fn parse_file(path: &Path) -> EventSummary {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_summary(
        &path.display().to_string(),
        &bytes,
        &ParseOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

pub fn seed() -> EventSummary {
    parse_file(&rapporteur_test_tools::seed())
}

pub fn arabic_fixture() -> EventSummary {
    parse_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/arabic-hebrew-speakers.txt"),
    )
}

/// The seed with its key issues repeated until there are `count`.
pub fn with_key_issues(count: usize) -> EventSummary {
    let mut summary = seed();
    let issues = summary.key_issues.clone();
    summary.key_issues = issues.iter().cycle().take(count).cloned().collect();
    summary
}

pub fn render_pdf(summary: &EventSummary, page: (f32, f32)) -> Vec<u8> {
    render(
        summary,
        &PdfOptions {
            page_millimetres: page,
            font_dir: None,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A rendered PDF on disk, for the tools; deleted with the value.
pub struct PdfFile {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl PdfFile {
    pub fn new(bytes: &[u8]) -> PdfFile {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("summary.pdf");
        std::fs::write(&path, bytes).expect("the PDF is written");
        PdfFile { _dir: dir, path }
    }

    pub fn arg(&self) -> &str {
        self.path.to_str().expect("temporary paths are UTF-8")
    }

    /// The text as pdftotext reads it, in reading order.
    pub fn text(&self) -> String {
        run("pdftotext", &[self.arg(), "-"])
    }
}

/// The words of `text`: runs of letters and digits (any script), so that
/// punctuation, bidi marks and line ends do not matter.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every word of the model's text that a reader sees, in document order.
pub fn model_words(summary: &EventSummary) -> Vec<String> {
    let mut text = vec![
        summary.event.kind.clone().unwrap_or_default(),
        summary.event.title.clone(),
    ];
    text.extend(summary.background.iter().cloned());
    for issue in &summary.key_issues {
        if let Some(speaker) = &issue.speaker {
            text.extend(speaker.honorific.clone());
            text.push(speaker.name.clone());
            text.extend(speaker.role.clone());
            text.extend(speaker.organization.clone());
        }
        text.push(issue.text.clone());
    }
    text.extend(summary.recommendations.iter().cloned());
    for section in &summary.other_sections {
        text.push(section.heading.clone());
        text.extend(section.paragraphs.iter().cloned());
        text.extend(section.items.iter().cloned());
    }
    words(&text.join(" "))
}

/// Asserts that `expected` occurs in `actual` in order (other words, such as
/// headings and footers, may come between).
pub fn assert_in_order(expected: &[String], actual: &[String]) {
    let mut at = 0;
    for (i, word) in expected.iter().enumerate() {
        match actual[at..].iter().position(|w| w == word) {
            Some(found) => at += found + 1,
            None => panic!(
                "word {i} {word:?} is missing or out of order; it follows {:?}\nin the PDF text: {}",
                &expected[i.saturating_sub(5)..i],
                actual.join(" ")
            ),
        }
    }
}
