//! Both document writers file a summary under the same metadata, through the
//! one mapping in `rapporteur_model::DocumentMetadata`: read back with tools
//! we did not write (pdfinfo for the PDF, python-docx for the DOCX), the
//! title, author, subject and keywords agree, and the author is the
//! organisers the summary names. A DMS's own filing (a job's `metadata.dms`)
//! wins where it gives a value, in both documents alike.

use rapporteur_model::{Dms, DocumentMetadata, EventSummary};
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

/// What `pdfinfo` (with `flags`) says of a PDF, as a lookup by field name.
fn pdfinfo(pdf: &std::path::Path, flags: &[&str]) -> impl Fn(&str) -> String {
    let info =
        String::from_utf8(run(std::process::Command::new("pdfinfo").args(flags).arg(pdf)).stdout)
            .unwrap();
    move |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("no {name} in\n{info}"))
            .trim()
            .to_string()
    }
}

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

    let field = pdfinfo(&pdf, &[]);
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

/// python-docx reads the core properties; the custom ones (which it does not
/// model) are read from the package's custom part with Python's own XML parser.
const DOCX_FILED: &str = r#"
import json, sys, zipfile, docx
import xml.etree.ElementTree as ET
p = docx.Document(sys.argv[1]).core_properties
ns = {"c": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"}
custom = {}
with zipfile.ZipFile(sys.argv[1]) as z:
    for prop in ET.fromstring(z.read("docProps/custom.xml")).findall("c:property", ns):
        custom[prop.get("name")] = "".join(prop.itertext())
print(json.dumps({"title": p.title, "keywords": p.keywords,
                  "created": p.created.strftime("%Y-%m-%dT%H:%M:%SZ"), "custom": custom}))
"#;

#[test]
fn a_dms_filing_wins_and_both_documents_carry_it() {
    let summary = summary();
    let metadata = serde_json::json!({"dms": {
        "title": "HMA-2023-06 Session report",
        "created": "2023-06-13T09:30:00Z",
        "tags": ["mapping", "Open Relief Network"],
        "correspondent": "Humanitarian Mapping Alliance",
        "document_type": "Session summary",
        "external_id": "DMS-4411",
        "custom_fields": {"archive_box": 12, "reviewed": true}
    }});
    let dms = Dms::from_metadata(metadata.as_object().unwrap())
        .unwrap()
        .unwrap();
    let filed = DocumentMetadata::filed(&summary, Some(&dms));
    assert_eq!(filed.title, "HMA-2023-06 Session report");
    assert_eq!(filed.created.as_deref(), Some("2023-06-13T09:30:00Z"));
    // A tag the summary already gives is not repeated.
    assert_eq!(filed.keywords, ["Open Relief Network", "mapping"]);
    let expected_fields: Vec<(&str, &str)> = vec![
        ("correspondent", "Humanitarian Mapping Alliance"),
        ("document_type", "Session summary"),
        ("external_id", "DMS-4411"),
        ("archive_box", "12"),
        ("reviewed", "true"),
    ];
    if !available(&[Tool::Pdfinfo, Tool::PythonDocx]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let options = RenderOptions {
        dms: Some(dms),
        ..RenderOptions::default()
    };
    let pdf = dir.path().join("filed.pdf");
    let docx = dir.path().join("filed.docx");
    std::fs::write(&pdf, Format::Pdf.render(&summary, &options).unwrap()).unwrap();
    std::fs::write(&docx, Format::Docx.render(&summary, &options).unwrap()).unwrap();

    let field = pdfinfo(&pdf, &["-custom", "-isodates"]);
    let xmp =
        String::from_utf8(run(std::process::Command::new("pdfinfo").arg("-meta").arg(&pdf)).stdout)
            .unwrap();
    let docx: serde_json::Value = serde_json::from_str(&python(DOCX_FILED, &[&docx])).unwrap();

    assert_eq!(field("Title"), filed.title);
    assert_eq!(docx["title"], filed.title);
    assert_eq!(field("Keywords"), "Open Relief Network; mapping");
    assert_eq!(docx["keywords"], "Open Relief Network; mapping");
    assert_eq!(field("CreationDate"), "2023-06-13T09:30:00Z");
    assert_eq!(docx["created"], "2023-06-13T09:30:00Z");
    for (name, value) in expected_fields {
        assert_eq!(field(name), value, "PDF {name}");
        assert_eq!(docx["custom"][name], value, "DOCX {name}");
        assert!(
            xmp.contains(&format!("<dms:{name}>{value}</dms:{name}>")),
            "XMP {name} in\n{xmp}"
        );
    }
    // Rapporteur's own properties keep their namespace.
    assert!(xmp.contains("<rapporteur:schema_version>"), "{xmp}");
    assert!(!xmp.contains("<dms:schema_version>"), "{xmp}");
}
