//! Both document writers file a summary under the same metadata, through the
//! one mapping in `rapporteur_model::DocumentMetadata`: read back with tools
//! we did not write (pdfinfo for the PDF, python-docx for the DOCX), the
//! title, author, subject and keywords agree, and the author is the
//! organisers the summary names.

use rapporteur_model::{DocumentMetadata, EventSummary};
use rapporteur_parse::{ParseOptions, parse_summary};
use rapporteur_render::{Format, RenderOptions};
use rapporteur_test_tools::{Tool, available, python, run};

const SUMMARY: &str = "Summary of Side Event: Open Maps for Relief\n\n\
    12 June 2023, 10:00-11:00 CEST\n\n\
    Organizers\n\nHumanitarian Mapping Alliance; Open Data Institute\n\n\
    Key Issues discussed\n\n\
    - **Ms. Ana Soto**, Mapping Lead, Open Relief Network, explained that volunteers map a city in two days.\n\n\
    Recommendations\n\n- Share imagery openly.\n";

const DOCX_PROPERTIES: &str = r#"
import json, sys, docx
p = docx.Document(sys.argv[1]).core_properties
print(json.dumps({"title": p.title, "author": p.author, "subject": p.subject, "keywords": p.keywords}))
"#;

fn summary() -> EventSummary {
    parse_summary("maps.txt", SUMMARY.as_bytes(), &ParseOptions::default()).unwrap()
}

#[test]
fn the_organisers_are_the_author_of_both_documents() {
    let summary = summary();
    let metadata = DocumentMetadata::of(&summary);
    assert_eq!(
        metadata.author,
        "Humanitarian Mapping Alliance; Open Data Institute"
    );
    assert_eq!(metadata.keywords, ["Open Relief Network"]);
    assert!(
        metadata
            .custom
            .contains(&("event_date".to_string(), "2023-06-12".to_string()))
    );
    if !available(&[Tool::Pdfinfo, Tool::PythonDocx]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let options = RenderOptions::default();
    let pdf = dir.path().join("maps.pdf");
    let docx = dir.path().join("maps.docx");
    std::fs::write(&pdf, Format::Pdf.render(&summary, &options).unwrap()).unwrap();
    std::fs::write(&docx, Format::Docx.render(&summary, &options).unwrap()).unwrap();

    let info =
        String::from_utf8(run(std::process::Command::new("pdfinfo").arg(&pdf)).stdout).unwrap();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("no {name} in\n{info}"))
            .trim()
            .to_string()
    };
    let properties: serde_json::Value =
        serde_json::from_str(&python(DOCX_PROPERTIES, &[&docx])).unwrap();
    for (pdf_field, docx_field, expected) in [
        ("Title", "title", metadata.title.as_str()),
        ("Author", "author", metadata.author.as_str()),
        ("Subject", "subject", metadata.subject.as_str()),
        ("Keywords", "keywords", "Open Relief Network"),
    ] {
        assert_eq!(field(pdf_field), expected, "PDF {pdf_field}");
        assert_eq!(properties[docx_field], expected, "DOCX {docx_field}");
    }
}

#[test]
fn without_organisers_the_author_is_the_tool() {
    let summary = parse_summary(
        "plain.txt",
        b"Summary of Workshop: Data\n\n1 May 2023\n\nBackground\n\nData matters.\n",
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(DocumentMetadata::of(&summary).author, "Rapporteur");
}
