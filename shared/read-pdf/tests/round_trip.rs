//! PDFs written by Rapporteur, read back as input, give the model their
//! text gave: the examples and the parser fixtures the DOCX round trip
//! covers, rendered on A4 and on Letter.

use std::path::PathBuf;

use rapporteur_model::SourceFormat;
use rapporteur_parse::{ParseOptions, parse_summary};
use rapporteur_read_pdf::read_pdf_summary;
use rapporteur_render_pdf::{PdfOptions, render};
use rapporteur_test_tools::{examples, repo_root};

const A4: (f32, f32) = (210.0, 297.0);
const LETTER: (f32, f32) = (215.9, 279.4);

fn inputs() -> Vec<PathBuf> {
    let fixtures = repo_root().join("shared/parse/tests/fixtures");
    let mut paths = examples();
    paths.extend(
        [
            "pdf-debris.txt",
            "multilingual-names.txt",
            "crlf-bom-mojibake.txt",
        ]
        .iter()
        .map(|name| fixtures.join(name)),
    );
    paths
}

/// Everything but `source` (which describes the PDF) and `warnings` (about
/// repairs to the text, on lines) must survive: the event, language,
/// background, key issues with their speakers, recommendations and other
/// sections.
#[test]
fn rendered_summaries_read_back_to_the_same_model() {
    let mut failures = Vec::new();
    for paper in [A4, LETTER] {
        for path in inputs() {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            let from_text = parse_summary(&name, &bytes, &ParseOptions::default()).unwrap();
            let pdf = render(
                &from_text,
                &PdfOptions {
                    page_millimetres: paper,
                    font_dir: None,
                },
            )
            .unwrap();
            let mut from_pdf = match read_pdf_summary("summary.pdf", &pdf, &ParseOptions::default())
            {
                Ok(summary) => summary,
                Err(e) => {
                    failures.push(format!("{name} ({paper:?}): rejected: {e}"));
                    continue;
                }
            };
            assert_eq!(from_pdf.source.format, SourceFormat::Pdf);
            assert_eq!(from_pdf.source.bytes, pdf.len() as u64);
            from_pdf.source = from_text.source.clone();
            from_pdf.warnings = from_text.warnings.clone();
            if from_pdf != from_text {
                failures.push(format!(
                    "{name} ({paper:?}):\n  text: {}\n  pdf:  {}",
                    String::from_utf8_lossy(&from_text.to_json()),
                    String::from_utf8_lossy(&from_pdf.to_json())
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
