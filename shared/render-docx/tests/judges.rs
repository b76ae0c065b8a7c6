//! The DOCX output judged by tools we did not write: python-docx reads its
//! styles, lists, bold runs, page setup and properties; pandoc turns it into
//! Markdown holding every word of the model; LibreOffice lays every example
//! out as PDF, with the footer's fields filled in. Without a tool, these tests
//! pass with a note outside CI and fail under `CI=true` (see
//! rapporteur-test-tools).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use rapporteur_model::EventSummary;
use rapporteur_parse::{ParseOptions, parse_summary};
use rapporteur_render_docx::render_docx;
use rapporteur_test_tools::{Tool, examples, libreoffice_to_pdf, python, run, seed};
use serde_json::Value;

const A4: (f32, f32) = (210.0, 297.0);
const LETTER: (f32, f32) = (215.9, 279.4);

fn model(path: &Path) -> EventSummary {
    let bytes = std::fs::read(path).unwrap();
    parse_summary(
        &path.display().to_string(),
        &bytes,
        &ParseOptions::default(),
    )
    .unwrap()
}

fn write_docx(summary: &EventSummary, page: (f32, f32), dir: &Path, stem: &str) -> PathBuf {
    let path = dir.join(format!("{stem}.docx"));
    std::fs::write(&path, render_docx(summary, page).unwrap()).unwrap();
    path
}

/// What python-docx sees in a document, as JSON.
const DESCRIBE: &str = r#"
import json, sys, docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
d = docx.Document(sys.argv[1])
ps = []
for p in d.paragraphs:
    ppr = p._p.pPr
    ps.append({
        "style": p.style.name,
        "text": p.text,
        "numbered": ppr is not None and ppr.numPr is not None,
        "bidi": ppr is not None and ppr.find(qn("w:bidi")) is not None,
        "bold": [r.text for r in p.runs if r.bold],
    })
s = d.sections[0]
cp = d.core_properties
footer = s.footer._element.xml
print(json.dumps({
    "paragraphs": ps,
    "default_style": d.styles.default(WD_STYLE_TYPE.PARAGRAPH).name,
    "page_mm": [round(s.page_width.mm, 1), round(s.page_height.mm, 1)],
    "margins_mm": [round(m.mm, 1) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)],
    "footer_fields": [t for t in ("PAGE", "NUMPAGES") if ">" + t + "<" in footer],
    "title": cp.title, "subject": cp.subject, "creator": cp.author, "keywords": cp.keywords,
    "created": cp.created.isoformat() if cp.created else None,
}))
"#;

fn describe(docx: &Path) -> Value {
    serde_json::from_str(&python(DESCRIBE, &[docx])).unwrap()
}

fn paragraphs_with_style<'a>(doc: &'a Value, style: &str) -> Vec<&'a Value> {
    doc["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["style"] == style)
        .collect()
}

#[test]
fn python_docx_sees_built_in_styles_numbered_lists_bold_speakers_and_properties() {
    if !Tool::PythonDocx.available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let summary = model(&seed());
    let doc = describe(&write_docx(&summary, A4, dir.path(), "seed"));
    let event = &summary.event;

    let paragraphs = doc["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs[0]["style"], "Title");
    assert_eq!(paragraphs[0]["text"], event.title.as_str());
    // The Subtitle holds the type, date and time.
    assert_eq!(event.kind.as_deref(), Some("Side Event"));
    assert_eq!(paragraphs[1]["style"], "Subtitle");
    assert_eq!(
        paragraphs[1]["text"],
        "Side Event · 31 January 2023, 14:30–15:45 CET"
    );
    let headings: Vec<&Value> = paragraphs_with_style(&doc, "Heading 1")
        .iter()
        .map(|p| &p["text"])
        .collect();
    let mut expected = vec!["Background", "Key issues", "Recommendations"];
    expected.extend(summary.other_sections.iter().map(|s| s.heading.as_str()));
    assert_eq!(headings, expected);
    assert_eq!(doc["default_style"], "Normal");

    // Every key issue and recommendation is a List Paragraph with numbering,
    // in order, each speaker's honorific and name in a bold run.
    let items = paragraphs_with_style(&doc, "List Paragraph");
    assert!(items.iter().all(|p| p["numbered"] == true), "{items:?}");
    let other_items: usize = summary.other_sections.iter().map(|s| s.items.len()).sum();
    assert_eq!(
        items.len(),
        summary.key_issues.len() + summary.recommendations.len() + other_items
    );
    for (issue, paragraph) in summary.key_issues.iter().zip(&items) {
        let text = paragraph["text"].as_str().unwrap();
        assert!(text.ends_with(&issue.text), "{text}");
        let speaker = issue
            .speaker
            .as_ref()
            .expect("the seed names every speaker");
        let name = format!("{} {}", speaker.honorific.as_deref().unwrap(), speaker.name);
        assert_eq!(paragraph["bold"], serde_json::json!([name]));
        for part in [&speaker.role, &speaker.organization].into_iter().flatten() {
            assert!(text.contains(part.as_str()), "{text} lacks {part}");
        }
    }
    for (recommendation, paragraph) in summary
        .recommendations
        .iter()
        .zip(&items[summary.key_issues.len()..])
    {
        assert_eq!(paragraph["text"], recommendation.as_str());
        assert_eq!(paragraph["bold"], serde_json::json!([]));
    }

    assert_eq!(doc["page_mm"], serde_json::json!([210.0, 297.0]));
    assert_eq!(
        doc["margins_mm"],
        serde_json::json!([25.4, 25.4, 25.4, 25.4])
    );
    assert_eq!(
        doc["footer_fields"],
        serde_json::json!(["PAGE", "NUMPAGES"])
    );
    assert_eq!(doc["title"], event.title.as_str());
    assert_eq!(doc["created"], "2023-01-31T00:00:00+00:00");
    assert_eq!(doc["subject"], "Side Event, 2023-01-31");
    assert_eq!(doc["creator"], "Rapporteur");
    let keywords = doc["keywords"].as_str().unwrap();
    assert!(
        keywords.starts_with("International Telecommunication Union (ITU); "),
        "{keywords}"
    );
    assert!(
        keywords.contains("The Boston Consulting Group"),
        "{keywords}"
    );
}

#[test]
fn letter_paper_and_right_to_left_paragraphs() {
    if !Tool::PythonDocx.available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut summary = model(&seed());
    summary.background[0] = "تعزيز التعاون الرقمي من أجل التنمية المستدامة.".to_string();
    summary.recommendations[0] = "לחזק את שיתוף הפעולה הדיגיטלי.".to_string();
    let doc = describe(&write_docx(&summary, LETTER, dir.path(), "rtl"));
    assert_eq!(doc["page_mm"], serde_json::json!([215.9, 279.4]));
    let right_to_left: Vec<&str> = doc["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["bidi"] == true)
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        right_to_left,
        [
            summary.background[0].as_str(),
            summary.recommendations[0].as_str()
        ]
    );
}

/// Lower-case words (letters and digits) of a text.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[test]
fn pandoc_reads_headings_bullet_lists_and_every_word_of_the_model() {
    if !Tool::Pandoc.available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let summary = model(&seed());
    let docx = write_docx(&summary, A4, dir.path(), "seed");
    let output = run(Command::new("pandoc")
        .args([
            "-f",
            "docx",
            "-t",
            "markdown",
            "--standalone",
            "--wrap=none",
        ])
        .arg("--markdown-headings=atx")
        .arg(&docx));
    let markdown = String::from_utf8(output.stdout).unwrap();
    for heading in ["# Background", "# Key issues", "# Recommendations"] {
        assert!(
            markdown.lines().any(|l| l == heading),
            "no '{heading}':\n{markdown}"
        );
    }
    let bullets = markdown.lines().filter(|l| l.starts_with("- ")).count();
    let numbered = markdown
        .lines()
        .filter(|l| {
            l.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
        })
        .count();
    assert_eq!(bullets, summary.key_issues.len(), "{markdown}");
    assert_eq!(numbered, summary.recommendations.len(), "{markdown}");
    for issue in &summary.key_issues {
        let speaker = issue.speaker.as_ref().unwrap();
        assert!(
            markdown.contains(&format!(
                "**{} {}**",
                speaker.honorific.as_deref().unwrap(),
                speaker.name
            )),
            "{} is not bold:\n{markdown}",
            speaker.name
        );
    }

    let mut model_text = vec![summary.event.title.clone()];
    model_text.extend(summary.event.kind.clone());
    model_text.extend(summary.background.iter().cloned());
    for issue in &summary.key_issues {
        model_text.push(issue.text.clone());
        if let Some(s) = &issue.speaker {
            model_text.extend(
                [
                    s.honorific.clone(),
                    Some(s.name.clone()),
                    s.role.clone(),
                    s.organization.clone(),
                ]
                .into_iter()
                .flatten(),
            );
        }
    }
    model_text.extend(summary.recommendations.iter().cloned());
    for section in &summary.other_sections {
        model_text.push(section.heading.clone());
        model_text.extend(section.paragraphs.iter().chain(&section.items).cloned());
    }
    let found = words(&markdown);
    let missing: Vec<String> = words(&model_text.join(" "))
        .difference(&found)
        .cloned()
        .collect();
    assert!(missing.is_empty(), "pandoc lost {missing:?}:\n{markdown}");
}

#[test]
fn libreoffice_lays_out_every_example_with_page_n_of_m_footers() {
    if !Tool::LibreOffice.available() || !Tool::Pdftotext.available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let documents: Vec<PathBuf> = examples()
        .iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_str().unwrap();
            write_docx(&model(path), A4, dir.path(), stem)
        })
        .collect();
    let pdfs = libreoffice_to_pdf(&documents, dir.path());
    for pdf in pdfs {
        let output = run(Command::new("pdftotext")
            .args(["-layout"])
            .arg(&pdf)
            .arg("-"));
        let text = String::from_utf8_lossy(&output.stdout);
        let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
        assert!(pages >= 1, "{} is empty", pdf.display());
        for page in 1..=pages {
            let footer = format!("Page {page} of {pages}");
            let footer_fr = format!("Page {page} sur {pages}");
            let footer_es = format!("Página {page} de {pages}");
            assert!(
                [footer, footer_fr, footer_es]
                    .iter()
                    .any(|f| text.contains(f.as_str())),
                "{}: no footer for page {page} of {pages}:\n{text}",
                pdf.display()
            );
        }
    }
}

#[test]
fn rendering_twice_gives_identical_bytes_on_any_thread() {
    for path in examples() {
        let summary = model(&path);
        let first = render_docx(&summary, A4).unwrap();
        let second = render_docx(&summary, A4).unwrap();
        // A fresh thread starts docx-rs's own paragraph counter afresh.
        let third =
            std::thread::scope(|s| s.spawn(|| render_docx(&summary, A4).unwrap()).join()).unwrap();
        assert!(first == second && second == third, "{}", path.display());
        assert_ne!(first, render_docx(&summary, LETTER).unwrap());
    }
}
