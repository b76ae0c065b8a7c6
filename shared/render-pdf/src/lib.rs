//! The PDF writer: an [`EventSummary`] as a print-ready, searchable PDF.
//!
//! Text is set here, not by printpdf: rustybuzz shapes (Arabic joins, marks,
//! kerning), unicode-bidi orders right-to-left text, unicode-linebreak finds
//! where lines may break, and the lines are justified against the measured
//! advances. The pages are then written glyph by glyph, with subsets of the
//! fonts (cut by typst's subsetter) embedded with ToUnicode maps, so that
//! text copied out of the PDF is the model's text.
//!
//! Fonts for Latin, Greek, Cyrillic, Arabic and Hebrew are bundled (Noto, SIL
//! OFL, see `fonts/OFL.txt`); Chinese, Japanese and Korean come from a font
//! directory ([`fonts::DEFAULT_FONT_DIR`] unless told otherwise). The same
//! summary always gives the same bytes: no clock, no random identifiers.

mod content;
pub mod fonts;
mod layout;
mod pdf;
mod text;

use std::path::{Path, PathBuf};

use rapporteur_model::{DocumentMetadata, EventSummary};

use crate::fonts::{Fonts, Weight};
use crate::layout::{Geometry, Paginator, PlacedLine};
use crate::text::{Align, Span, Style, set_paragraph};

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct PdfOptions<'a> {
    /// Paper width and height in millimetres.
    pub page_millimetres: (f32, f32),
    /// Where fonts for scripts that are not bundled are looked for; `None`
    /// means [`fonts::DEFAULT_FONT_DIR`].
    pub font_dir: Option<&'a Path>,
}

/// Why a summary could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no available font has {}: the bundled fonts cover Latin, Greek, Cyrillic, Arabic and Hebrew, and neither the font directory {} ({dir_state}) nor the system's font directories have a font with {them}; {advice}",
        listed(characters),
        font_dir.display(),
        dir_state = if *dir_exists { "searched" } else { "which does not exist" },
        them = if characters.len() == 1 { "it" } else { "them" },
        advice = install_advice(characters),
    )]
    NoFontFor {
        /// Every character of the summary no font has, in order.
        characters: Vec<char>,
        font_dir: PathBuf,
        dir_exists: bool,
    },
    #[error(
        "the font {font} has no glyph for U+{code:04X} '{character}' in this context; please report this with the input",
        code = *character as u32
    )]
    NoGlyph { character: char, font: String },
    #[error("{0}; please report this with the input")]
    Internal(String),
}

/// "the character U+0E01 'ก'", "the characters U+0E01 'ก', U+1200 'ሀ' and 3 more".
fn listed(characters: &[char]) -> String {
    const SHOWN: usize = 12;
    let mut names: Vec<String> = characters
        .iter()
        .take(SHOWN)
        .map(|&c| format!("U+{:04X} '{c}'", c as u32))
        .collect();
    if characters.len() > SHOWN {
        names.push(format!("{} more", characters.len() - SHOWN));
    }
    match names.len() {
        1 => format!("the character {}", names[0]),
        _ => format!("the characters {}", names.join(", ")),
    }
}

fn install_advice(characters: &[char]) -> &'static str {
    if characters.iter().any(|&c| is_cjk(c)) {
        "install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk), or pass --font-dir (or set RAPPORTEUR_FONT_DIR) to a directory holding NotoSansCJK-Regular.ttc"
    } else {
        "install a font that has them (Debian's fonts-noto-core covers most scripts: apt-get install fonts-noto-core), or pass --font-dir (or set RAPPORTEUR_FONT_DIR) to a directory holding a .ttf, .otf or .ttc font that has them"
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}' | '\u{2E80}'..='\u{303F}' | '\u{3040}'..='\u{33FF}'
        | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{A960}'..='\u{A97F}'
        | '\u{AC00}'..='\u{D7FF}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{3FFFF}')
}

const FOOTER_SIZE: f32 = 8.0;
const FOOTER_COLOR: text::Rgb = [0.40, 0.42, 0.46];

/// Renders `summary` as PDF bytes.
pub fn render(summary: &EventSummary, options: &PdfOptions<'_>) -> Result<Vec<u8>, PdfError> {
    render_filed(summary, options, &DocumentMetadata::of(summary))
}

/// Renders a summary filed under `metadata` (the one mapping both writers
/// share, [`DocumentMetadata::filed`], with a DMS's own fields laid over).
pub fn render_filed(
    summary: &EventSummary,
    options: &PdfOptions<'_>,
    metadata: &DocumentMetadata,
) -> Result<Vec<u8>, PdfError> {
    let geometry = Geometry::from_millimetres(options.page_millimetres);
    let fonts = Fonts::new(options.font_dir, &summary.language);
    check_characters(summary, &fonts)?;
    // Blocks are set, placed and written a page at a time.
    let mut paginator = Paginator::new(&geometry);
    let mut writer = pdf::Writer::new(&geometry);
    content::blocks(summary, &fonts, &geometry, &mut |block| {
        paginator.push(block);
        paginator
            .take_full()
            .try_for_each(|page| writer.page(&page))
    })?;
    let (last, anchors) = paginator.finish();
    for page in &last {
        writer.page(page)?;
    }
    let footers = Footers::new(summary, &fonts, &geometry, writer.page_count())?;
    writer.finish(&anchors, &info(summary, options, metadata), &mut |index| {
        footers.page(index)
    })
}

/// Fails, naming every one, if any character of the summary has no font:
/// a user installing fonts should learn all that is missing at once.
fn check_characters(summary: &EventSummary, fonts: &Fonts) -> Result<(), PdfError> {
    let event = &summary.event;
    let speakers = summary.key_issues.iter().filter_map(|k| k.speaker.as_ref());
    let texts = [&event.title]
        .into_iter()
        .chain(event.kind.iter())
        .chain(event.timezone.iter())
        .chain(&summary.background)
        .chain(summary.key_issues.iter().map(|k| &k.text))
        .chain(speakers.flat_map(|s| {
            std::iter::once(&s.name)
                .chain(s.honorific.iter())
                .chain(s.role.iter())
                .chain(s.organization.iter())
        }))
        .chain(&summary.recommendations)
        .chain(summary.other_sections.iter().flat_map(|s| {
            std::iter::once(&s.heading)
                .chain(&s.paragraphs)
                .chain(&s.items)
        }));
    let characters: std::collections::BTreeSet<char> = texts
        .flat_map(|t| t.chars())
        .filter(|c| !c.is_whitespace() && !c.is_control() && !c.is_ascii())
        .collect();
    let mut missing = Vec::new();
    let mut error = None;
    for c in characters {
        if let Err(PdfError::NoFontFor {
            font_dir,
            dir_exists,
            ..
        }) = fonts.face_for(Weight::Regular, c)
        {
            missing.push(c);
            error = Some((font_dir, dir_exists));
        }
    }
    match error {
        Some((font_dir, dir_exists)) => Err(PdfError::NoFontFor {
            characters: missing,
            font_dir,
            dir_exists,
        }),
        None => Ok(()),
    }
}

/// The footer of every page: the event title on the left (cut short with
/// an ellipsis if it does not fit) and "Page N of M" on the right, under a
/// hairline.
struct Footers<'a> {
    words: &'static rapporteur_labels::Labels,
    fonts: &'a Fonts,
    geometry: Geometry,
    title: Option<text::Line>,
    total: usize,
}

impl<'a> Footers<'a> {
    fn new(
        summary: &EventSummary,
        fonts: &'a Fonts,
        geometry: &Geometry,
        total: usize,
    ) -> Result<Footers<'a>, PdfError> {
        let words = rapporteur_labels::Labels::for_language(&summary.language);
        let widest_label = words.page_of(total, total);
        let label_width =
            footer_line(&widest_label, f32::INFINITY, fonts)?.map_or(0.0, |l| l.width);
        let title_width = geometry.measure() - label_width - 24.0;
        let title = footer_title(summary.event.title.trim(), title_width, fonts)?;
        Ok(Footers {
            words,
            fonts,
            geometry: *geometry,
            title,
            total,
        })
    }

    /// The footer of the page at `index` (from 0).
    fn page(&self, index: usize) -> Result<layout::Page, PdfError> {
        let geometry = &self.geometry;
        let baseline = geometry.footer_baseline;
        let mut page = layout::Page::default();
        page.rules.push((
            geometry.margin_x,
            geometry.width - geometry.margin_x,
            baseline + FOOTER_SIZE + 4.0,
        ));
        if let Some(title) = &self.title {
            page.lines.push(PlacedLine {
                line: title.clone(),
                x: geometry.margin_x,
                baseline,
            });
        }
        let label = self.words.page_of(index + 1, self.total);
        if let Some(label) = footer_line(&label, f32::INFINITY, self.fonts)? {
            page.lines.push(PlacedLine {
                x: geometry.width - geometry.margin_x - label.width,
                line: label,
                baseline,
            });
        }
        Ok(page)
    }
}

/// `text` in the footer's style as one line of at most `width`, if it fits.
fn footer_line(text: &str, width: f32, fonts: &Fonts) -> Result<Option<text::Line>, PdfError> {
    let spans = [Span {
        text: text.to_string(),
        style: Style {
            weight: Weight::Regular,
            size: FOOTER_SIZE,
            color: FOOTER_COLOR,
        },
        link: None,
    }];
    let mut lines = set_paragraph(&spans, width, Align::Start, fonts)?;
    Ok((lines.len() == 1).then(|| lines.remove(0)))
}

/// The title as one line of at most `width`: whole if it fits, else the
/// longest start of it (cut at a space where there is one) with an ellipsis.
fn footer_title(title: &str, width: f32, fonts: &Fonts) -> Result<Option<text::Line>, PdfError> {
    if title.is_empty() {
        return Ok(None);
    }
    if let Some(line) = footer_line(title, width, fonts)? {
        return Ok(Some(line));
    }
    let cuts: Vec<usize> = title.char_indices().map(|(i, _)| i).skip(1).collect();
    let shortened = |cut: usize| format!("{}…", title[..cut].trim_end());
    // Binary search for the longest prefix that still fits on one line.
    let (mut low, mut high) = (0, cuts.len());
    while low < high {
        let mid = (low + high).div_ceil(2);
        if footer_line(&shortened(cuts[mid - 1]), width, fonts)?.is_some() {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    if low == 0 {
        return Ok(None);
    }
    let mut cut = cuts[low - 1];
    if let Some(space) = title[..cut].rfind(' ').filter(|&s| s > cut / 2) {
        cut = space;
    }
    footer_line(&shortened(cut), width, fonts)
}

/// The document information, from the one mapping both writers share.
fn info(
    summary: &EventSummary,
    options: &PdfOptions<'_>,
    metadata: &DocumentMetadata,
) -> pdf::Info {
    let metadata = metadata.clone();
    let version = env!("CARGO_PKG_VERSION");
    let (width, height) = options.page_millimetres;
    pdf::Info {
        title: metadata.title,
        author: metadata.author,
        subject: metadata.subject,
        keywords: metadata.keywords,
        date: metadata.created.as_deref().and_then(iso_date),
        custom: metadata.custom,
        dms_fields: metadata.dms_fields,
        creator: format!("Rapporteur {version}"),
        producer: format!("rapporteur-render-pdf {version}"),
        identity: format!("{} {width}x{height} {version}", summary.source.sha256),
        language: metadata.language,
    }
}

/// "2024-05-30" or "2024-05-30T14:00:00Z" as (year, month, day, hour,
/// minute, second); the model checks the form, this only reads it.
fn iso_date(iso: &str) -> Option<pdf::Timestamp> {
    let (date, time) = iso.split_once('T').unwrap_or((iso, "00:00:00Z"));
    let mut clock = time
        .trim_end_matches('Z')
        .split(':')
        .map(|p| p.parse::<u8>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    let mut parts = date.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts
        .next()?
        .parse()
        .ok()
        .filter(|m| (1..=12).contains(m))?;
    let day = parts
        .next()?
        .parse()
        .ok()
        .filter(|d| (1..=31).contains(d))?;
    Some(pdf::Timestamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}
