//! The PDFs as tools we did not write see them: poppler's pdftotext, pdffonts
//! and pdfinfo, and qpdf.

mod common;

use common::*;
use rapporteur_render_pdf::{PdfOptions, render};

#[test]
fn the_seed_reads_back_word_for_word_in_reading_order() {
    if !Tool::Pdftotext.available() {
        return;
    }
    let summary = seed();
    let pdf = PdfFile::new(&render_pdf(&summary, A4));
    assert_in_order(&model_words(&summary), &words(&pdf.text()));
}

#[test]
fn right_to_left_names_and_phrases_read_back_in_logical_order() {
    if !Tool::Pdftotext.available() {
        return;
    }
    let summary = arabic_fixture();
    let text = PdfFile::new(&render_pdf(&summary, A4)).text();
    assert_in_order(&model_words(&summary), &words(&text));
    // Whole names, not just their words: the letters of each word in order.
    for name in ["محمد بن سالم العتيبي", "فاطمة الزهراء بن علي", "דוד לוי"]
    {
        assert!(text.contains(name), "{name} is not in the text:\n{text}");
    }
    // Lam-alef and lam-yeh are single glyphs standing for two letters each.
    assert!(text.contains("على الإنترنت"), "{text}");
}

#[test]
fn every_font_is_embedded_as_a_subset_with_a_unicode_map() {
    if !Tool::Pdffonts.available() {
        return;
    }
    for summary in [seed(), arabic_fixture()] {
        let pdf = PdfFile::new(&render_pdf(&summary, A4));
        let listing = run("pdffonts", &[pdf.arg()]);
        let fonts: Vec<&str> = listing.lines().skip(2).collect();
        assert!(
            fonts.len() >= 3,
            "regular, bold and italic at least:\n{listing}"
        );
        for font in fonts {
            let columns: Vec<&str> = font.split_whitespace().collect();
            let name = columns[0];
            let (tag, _) = name.split_once('+').expect("a subset tag");
            assert!(
                tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
                "{font}"
            );
            assert_embedded_subset_with_unicode_map(font);
        }
    }
}

/// Checks a line of `pdffonts` output: its emb, sub and uni columns (before
/// the object number and generation) all say yes.
fn assert_embedded_subset_with_unicode_map(pdffonts_line: &str) {
    let columns: Vec<&str> = pdffonts_line.split_whitespace().collect();
    let flags = &columns[columns.len() - 5..columns.len() - 2];
    assert_eq!(
        flags,
        ["yes", "yes", "yes"],
        "emb, sub, uni: {pdffonts_line}"
    );
}

#[test]
fn qpdf_finds_no_errors() {
    if !Tool::Qpdf.available() {
        return;
    }
    for summary in [seed(), arabic_fixture(), with_key_issues(45)] {
        let pdf = PdfFile::new(&render_pdf(&summary, LETTER));
        let report = run("qpdf", &["--check", pdf.arg()]);
        assert!(
            report.contains("No syntax or stream encoding errors found"),
            "{report}"
        );
    }
}

#[test]
fn pdfinfo_shows_the_metadata_and_the_page_size() {
    if !Tool::Pdfinfo.available() {
        return;
    }
    let summary = seed();
    let version = env!("CARGO_PKG_VERSION");
    for (page, size) in [
        (A4, "595.276 x 841.89 pts (A4)"),
        (LETTER, "612 x 792 pts (letter)"),
    ] {
        let pdf = PdfFile::new(&render_pdf(&summary, page));
        let info = run("pdfinfo", &["-isodates", pdf.arg()]);
        let field = |name: &str| {
            info.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}:")))
                .unwrap_or_else(|| panic!("no {name} in\n{info}"))
                .trim()
                .to_string()
        };
        assert_eq!(
            field("Title"),
            "WSIS Cooperation for Accelerating Progress on the SDGs"
        );
        assert_eq!(field("Author"), "Rapporteur");
        assert_eq!(field("Subject"), "Side Event, 2023-01-31");
        assert!(field("Keywords").starts_with(
            "International Telecommunication Union (ITU); The United Nations Educational, Scientific and Cultural Organization (UNESCO); "
        ));
        assert!(field("Keywords").ends_with("; The Boston Consulting Group"));
        assert_eq!(field("Creator"), format!("Rapporteur {version}"));
        assert!(field("Producer").contains(version), "{info}");
        assert_eq!(field("CreationDate"), "2023-01-31T00:00:00Z");
        assert_eq!(field("Page size"), size);
        assert!(
            !info.contains("PDF/X"),
            "no conformance is claimed:\n{info}"
        );
    }
}

#[test]
fn the_metadata_is_also_an_xmp_packet() {
    // python-docx's python3 parses the packet as XML.
    if !available(&[Tool::Pdfinfo, Tool::PythonDocx]) {
        return;
    }
    let mut summary = seed();
    summary.event.title = "Cooperation <&> \"Progress\" on the SDGs".to_string();
    let pdf = PdfFile::new(&render_pdf(&summary, A4));
    let xmp = run("pdfinfo", &["-meta", pdf.arg()]);
    for expected in [
        r#"<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Cooperation &lt;&amp;&gt; &quot;Progress&quot; on the SDGs</rdf:li></rdf:Alt></dc:title>"#,
        "<dc:creator><rdf:Seq><rdf:li>Rapporteur</rdf:li></rdf:Seq></dc:creator>",
        "<rdf:li>The Boston Consulting Group</rdf:li>",
        "<dc:language><rdf:Bag><rdf:li>en</rdf:li></rdf:Bag></dc:language>",
        "<xmp:CreateDate>2023-01-31T00:00:00Z</xmp:CreateDate>",
    ] {
        assert!(xmp.contains(expected), "no {expected} in\n{xmp}");
    }
    let mut python = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    python
        .stdin
        .take()
        .unwrap()
        .write_all(xmp.as_bytes())
        .unwrap();
    assert!(
        python.wait().unwrap().success(),
        "the packet is not well-formed XML:\n{xmp}"
    );
}

#[test]
fn a_summary_without_a_date_has_no_creation_date() {
    if !Tool::Pdfinfo.available() {
        return;
    }
    let mut summary = seed();
    summary.event.date = None;
    let info = run("pdfinfo", &[PdfFile::new(&render_pdf(&summary, A4)).arg()]);
    assert!(!info.contains("CreationDate"), "{info}");
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    // Shaped words are cached per thread: a rendering with them cached, one
    // without, and one on a thread of its own must not differ.
    for summary in [seed(), arabic_fixture()] {
        let first = std::thread::spawn({
            let summary = summary.clone();
            move || render_pdf(&summary, A4)
        })
        .join()
        .expect("renders");
        let here = render_pdf(&summary, A4);
        let cached = render_pdf(&summary, A4);
        assert!(first == here, "renderings on two threads differ");
        assert!(here == cached, "a rendering with cached words differs");
    }
}

/// Words with their boxes, per page, from `pdftotext -bbox-layout`.
struct Layout {
    pages: Vec<LayoutPage>,
}

struct LayoutPage {
    width: f32,
    height: f32,
    /// Each line: its text and (x_min, y_min, x_max, y_max), y from the top.
    lines: Vec<(String, [f32; 4])>,
}

fn attribute(tag: &str, name: &str) -> f32 {
    let start = tag.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    let end = start + tag[start..].find('"').expect("closing quote");
    tag[start..end].parse().expect("a number")
}

fn layout(pdf: &PdfFile) -> Layout {
    let html = run("pdftotext", &["-bbox-layout", pdf.arg(), "-"]);
    let pages = html
        .split("<page")
        .skip(1)
        .map(|page| LayoutPage {
            width: attribute(page, "width"),
            height: attribute(page, "height"),
            lines: page
                .split("<line")
                .skip(1)
                .map(|line| {
                    let text: Vec<&str> = line
                        .split("<word")
                        .skip(1)
                        .map(|w| &w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()])
                        .collect();
                    let bbox = ["xMin", "yMin", "xMax", "yMax"].map(|a| attribute(line, a));
                    (text.join(" "), bbox)
                })
                .collect(),
        })
        .collect();
    Layout { pages }
}

const HEADINGS: [&str; 3] = ["Background", "Key issues", "Recommendations"];

fn assert_laid_out_within_margins(layout: &Layout) {
    let margin = 25.0 * 72.0 / 25.4;
    for (n, page) in layout.pages.iter().enumerate() {
        for (text, [x0, y0, x1, y1]) in &page.lines {
            assert!(
                *x0 >= margin - 1.0
                    && *x1 <= page.width - margin + 1.0
                    && *y0 >= 0.0
                    && *y1 <= page.height,
                "page {}: {text:?} at {x0},{y0}–{x1},{y1} is outside the text column",
                n + 1
            );
        }
    }
}

#[test]
fn a_long_summary_breaks_into_pages_with_no_heading_last_and_nothing_off_the_page() {
    if !Tool::Pdftotext.available() {
        return;
    }
    let summary = with_key_issues(45);
    for page in [A4, LETTER] {
        let pdf = PdfFile::new(&render_pdf(&summary, page));
        let layout = layout(&pdf);
        assert!(
            (7..=14).contains(&layout.pages.len()),
            "45 bullets of the seed take about ten pages, not {}",
            layout.pages.len()
        );
        assert_laid_out_within_margins(&layout);
        let total = layout.pages.len();
        for (n, page) in layout.pages.iter().enumerate() {
            let footer = format!("Page {} of {total}", n + 1);
            assert!(
                page.lines.iter().any(|(t, _)| *t == footer),
                "no {footer:?}"
            );
            // The last line of the text column, above the footer.
            let body_bottom = page.height - 25.0 * 72.0 / 25.4;
            let last = page
                .lines
                .iter()
                .filter(|(_, b)| b[3] <= body_bottom + 1.0)
                .max_by(|a, b| a.1[3].total_cmp(&b.1[3]))
                .expect("a page has text");
            assert!(
                !HEADINGS.contains(&last.0.as_str()),
                "page {} ends with the heading {:?}",
                n + 1,
                last.0
            );
        }
        assert_in_order(&model_words(&summary), &words(&pdf.text()));
    }
}

#[test]
fn justified_lines_run_from_margin_to_margin() {
    // Glyph positions are written as moves and kerns against the font's
    // widths: if either were off, a justified line would stop short of the
    // right margin or overrun it, as poppler measures it.
    if !Tool::Pdftotext.available() {
        return;
    }
    let margin = 25.0 * 72.0 / 25.4;
    for page_size in [A4, LETTER] {
        let layout = layout(&PdfFile::new(&render_pdf(&seed(), page_size)));
        let page = &layout.pages[0];
        let top_of = |heading: &str| {
            page.lines
                .iter()
                .find(|(t, _)| t == heading)
                .unwrap_or_else(|| panic!("no heading {heading:?}"))
                .1
        };
        let (below, above) = (top_of("Background")[3], top_of("Key issues")[1]);
        let paragraph: Vec<&(String, [f32; 4])> = page
            .lines
            .iter()
            .filter(|(_, b)| b[1] > below && b[3] < above)
            .collect();
        assert!(paragraph.len() >= 10, "the background is about 14 lines");
        for (text, [x0, _, x1, _]) in &paragraph[..paragraph.len() - 1] {
            assert!(
                (x0 - margin).abs() < 0.5 && (x1 - (page.width - margin)).abs() < 0.5,
                "{text:?} runs from {x0} to {x1}, not from margin to margin ({margin} to {})",
                page.width - margin
            );
        }
        let (last, [_, _, x1, _]) = paragraph[paragraph.len() - 1];
        assert!(
            *x1 < page.width - margin - 20.0,
            "the last line {last:?} is not justified"
        );
    }
}

#[test]
fn a_title_of_two_thousand_characters_wraps_inside_the_page() {
    if !Tool::Pdftotext.available() {
        return;
    }
    let mut summary = seed();
    let sentence =
        "Accelerating Progress on the Sustainable Development Goals through WSIS Cooperation ";
    summary.event.title = sentence.repeat(2000 / sentence.len() + 1)[..2000]
        .trim()
        .to_string();
    let pdf = PdfFile::new(&render_pdf(&summary, A4));
    assert_laid_out_within_margins(&layout(&pdf));
    assert_in_order(&model_words(&summary), &words(&pdf.text()));

    // A title with no place to break at all is cut between letters.
    summary.event.title = "W".repeat(2000);
    let pdf = PdfFile::new(&render_pdf(&summary, A4));
    assert_laid_out_within_margins(&layout(&pdf));
}

#[test]
fn five_hundred_bullets_render() {
    if !available(&[Tool::Qpdf, Tool::Pdftotext]) {
        return;
    }
    let summary = with_key_issues(500);
    let pdf = PdfFile::new(&render_pdf(&summary, A4));
    let report = run("qpdf", &["--check", pdf.arg()]);
    assert!(
        report.contains("No syntax or stream encoding errors found"),
        "{report}"
    );
    let layout = layout(&pdf);
    assert!(layout.pages.len() > 50, "{} pages", layout.pages.len());
    assert_laid_out_within_margins(&layout);
}

#[test]
fn empty_sections_are_left_out() {
    if !Tool::Pdftotext.available() {
        return;
    }
    let mut summary = seed();
    summary.background.clear();
    summary.key_issues.clear();
    let text = PdfFile::new(&render_pdf(&summary, A4)).text();
    assert!(
        !text.contains("Background") && !text.contains("Key issues"),
        "{text}"
    );
    assert!(text.contains("Recommendations"), "{text}");

    summary.recommendations.clear();
    let text = PdfFile::new(&render_pdf(&summary, A4)).text();
    assert!(
        text.contains("WSIS Cooperation for Accelerating Progress"),
        "{text}"
    );
    assert!(!text.contains("Recommendations"), "{text}");
}

#[test]
fn urls_are_links_and_sections_are_bookmarks_in_document_order() {
    if !Tool::Qpdf.available() {
        return;
    }
    let mut summary = arabic_fixture();
    summary.other_sections.push(rapporteur_model::Section {
        heading: "Moderator".to_string(),
        paragraphs: vec!["Ms. Gitanjali Sah, ITU".to_string()],
        items: Vec::new(),
    });
    let pdf = PdfFile::new(&render_pdf(&summary, A4));
    let json = run("qpdf", &["--json", "--json-key=outlines", pdf.arg()]);
    let titles: Vec<&str> = json
        .split("\"title\": \"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    // Alphabetical order would put Moderator before Recommendations.
    assert_eq!(
        titles,
        ["Background", "Key issues", "Recommendations", "Moderator"]
    );

    let plain = tempfile::NamedTempFile::new().unwrap();
    let plain_path = plain.path().to_str().unwrap();
    run(
        "qpdf",
        &["--qdf", "--object-streams=disable", pdf.arg(), plain_path],
    );
    let raw = String::from_utf8_lossy(&std::fs::read(plain_path).unwrap()).into_owned();
    assert!(
        raw.contains("/URI (https://www.example.org/idn-workshop)"),
        "no link annotation"
    );
    // The summary's language, and the title shown in the viewer's window.
    assert!(raw.contains("/Lang (en)"), "no document language");
    assert!(raw.contains("/DisplayDocTitle true"), "no title display");
}

#[test]
fn chinese_japanese_and_korean_come_from_the_font_directory() {
    if !available(&[Tool::Pdftotext, Tool::Pdffonts, Tool::NotoCjk]) {
        return;
    }
    let summary = parse_file(&repo_file(
        "shared/parse/tests/fixtures/multilingual-names.txt",
    ));
    let pdf = PdfFile::new(&render_pdf(&summary, A4));
    assert_in_order(&model_words(&summary), &words(&pdf.text()));
    let fonts = run("pdffonts", &[pdf.arg()]);
    // A CFF face, embedded as a bare CID-keyed CFF subset with its Unicode map.
    let cjk = fonts
        .lines()
        .find(|line| line.contains("NotoSansCJKsc"))
        .unwrap_or_else(|| panic!("no CJK face:\n{fonts}"));
    assert!(cjk.contains("CID Type 0C"), "{cjk}");
    assert_embedded_subset_with_unicode_map(cjk);
}

#[test]
fn characters_no_font_has_are_all_named_with_what_to_install() {
    let empty = tempfile::tempdir().unwrap();
    let mut summary = seed();
    // Private-use characters of plane 16: no font anywhere draws them.
    summary
        .recommendations
        .push("Marks \u{100001} and \u{10FFFD} were shown.".to_string());
    let message = render(
        &summary,
        &PdfOptions {
            page_millimetres: A4,
            font_dir: Some(empty.path()),
        },
    )
    .expect_err("no font has them")
    .to_string();
    assert!(
        message.contains("the characters U+100001 '\u{100001}', U+10FFFD '\u{10FFFD}'"),
        "{message}"
    );
    assert!(message.contains("system's font directories"), "{message}");
    assert!(message.contains("fonts-noto-core"), "{message}");
    assert!(
        message.contains(&empty.path().display().to_string()),
        "{message}"
    );
}

#[test]
fn any_script_renders_from_the_fonts_installed_on_the_machine() {
    if !available(&[Tool::Pdftotext, Tool::Pdffonts, Tool::NotoCore]) {
        return;
    }
    let mut summary = seed();
    // Thai, Devanagari and Ethiopic names: no bundled face has them, and the
    // font directory given is empty, so they come from the system's fonts.
    for (issue, name) in summary
        .key_issues
        .iter_mut()
        .zip(["สมชาย ใจดี", "प्रिया शर्मा", "አበበ ቢቂላ"])
    {
        issue.speaker.as_mut().unwrap().name = name.to_string();
    }
    let empty = tempfile::tempdir().unwrap();
    let pdf = PdfFile::new(
        &render(
            &summary,
            &PdfOptions {
                page_millimetres: A4,
                font_dir: Some(empty.path()),
            },
        )
        .unwrap(),
    );
    // Devanagari's conjuncts make its extracted text depend on the viewer;
    // Thai and Ethiopic read back as written.
    let text = pdf.text();
    for word in ["สมชาย", "አበበ"] {
        assert!(text.contains(word), "{word} not in the text:\n{text}");
    }
    let fonts = run("pdffonts", &[pdf.arg()]);
    for face in ["NotoSansThai", "NotoSansDevanagari", "NotoSansEthiopic"] {
        let line = fonts
            .lines()
            .find(|line| line.contains(face))
            .unwrap_or_else(|| panic!("no {face}:\n{fonts}"));
        assert_embedded_subset_with_unicode_map(line);
    }
}
