//! What goes on the pages, in order: the model's fields as styled blocks of
//! set lines (title block, sections, paragraphs, bullets), handed one by one
//! to pagination so that no more than a page of set text is held at once.

use rapporteur_labels::Labels;
use rapporteur_model::{EventSummary, KeyIssue};

use crate::PdfError;
use crate::fonts::{Fonts, Weight};
use crate::layout::{Block, Geometry};
use crate::text::{Align, Rgb, Span, Style, set_paragraph};

const INK: Rgb = [0.12, 0.13, 0.15];
const MUTED: Rgb = [0.38, 0.40, 0.44];
const ACCENT: Rgb = [0.05, 0.27, 0.50];
const LINK: Rgb = [0.05, 0.33, 0.75];

pub const BODY_SIZE: f32 = 10.5;
const BODY_LEADING: f32 = 15.0;
const HEADING_SIZE: f32 = 13.0;
const TITLE_SIZE: f32 = 20.0;
/// How far bullet text is indented; the bullet hangs in this space.
const BULLET_INDENT: f32 = 15.0;

fn style(weight: Weight, size: f32, color: Rgb) -> Style {
    Style {
        weight,
        size,
        color,
    }
}

fn body() -> Style {
    style(Weight::Regular, BODY_SIZE, INK)
}

/// Sets the blocks of a summary, top to bottom, handing each to `emit` as
/// soon as it is set. Empty sections are left out.
pub fn blocks(
    summary: &EventSummary,
    fonts: &Fonts,
    geometry: &Geometry,
    emit: &mut dyn FnMut(Block) -> Result<(), PdfError>,
) -> Result<(), PdfError> {
    let words = Labels::for_language(&summary.language);
    let measure = geometry.measure();
    // The title area: kind, title and date line, with a rule under the last.
    let mut out = Vec::new();
    let set = |spans: &[Span], width: f32, align: Align| set_paragraph(spans, width, align, fonts);

    let event = &summary.event;
    if let Some(kind) = event.kind.as_deref().filter(|k| !k.trim().is_empty()) {
        let spans = [plain(kind, style(Weight::Bold, BODY_SIZE, ACCENT))];
        out.push(Block::new(set(&spans, measure, Align::Start)?, BODY_SIZE, 14.0).keep_with_next());
    }
    if !event.title.trim().is_empty() {
        let spans = [plain(&event.title, style(Weight::Bold, TITLE_SIZE, ACCENT))];
        out.push(
            Block::new(set(&spans, measure, Align::Start)?, TITLE_SIZE, 25.0)
                .space_before(2.0)
                .keep_with_next(),
        );
    }
    let when = when_line(summary, words);
    if !when.is_empty() {
        let spans = [plain(&when, style(Weight::Regular, BODY_SIZE, MUTED))];
        out.push(
            Block::new(set(&spans, measure, Align::Start)?, BODY_SIZE, BODY_LEADING)
                .space_before(4.0),
        );
    }
    if let Some(last) = out.last_mut() {
        last.rule_after = true;
        last.space_after = 10.0;
    }
    for block in out {
        emit(block)?;
    }

    // Items are made as they are set: a summary's 100,000 key issues are
    // never all held as spans.
    let mut section = |heading: &str,
                       paragraphs: &[&str],
                       items: &mut dyn Iterator<Item = Vec<Span>>|
     -> Result<(), PdfError> {
        let paragraphs: Vec<&str> = paragraphs
            .iter()
            .copied()
            .filter(|p| !p.trim().is_empty())
            .collect();
        let mut items = items
            .filter(|spans| spans.iter().any(|s| !s.text.trim().is_empty()))
            .peekable();
        if paragraphs.is_empty() && items.peek().is_none() {
            return Ok(());
        }
        let spans = [plain(heading, style(Weight::Bold, HEADING_SIZE, ACCENT))];
        let mut block = Block::new(set(&spans, measure, Align::Start)?, HEADING_SIZE, 18.0)
            .space_before(16.0)
            .keep_with_next();
        block.space_after = 4.0;
        block.outline = Some(heading.to_string());
        emit(block)?;
        for paragraph in paragraphs {
            let lines = set(&linked(paragraph, body()), measure, Align::Justify)?;
            emit(Block::new(lines, BODY_SIZE, BODY_LEADING).space_before(6.0))?;
        }
        for spans in items {
            let lines = set(&spans, measure - BULLET_INDENT, Align::Justify)?;
            let bullet = set(
                &[plain("•", style(Weight::Bold, BODY_SIZE, ACCENT))],
                BULLET_INDENT,
                Align::Start,
            )?;
            let mut block = Block::new(lines, BODY_SIZE, BODY_LEADING).space_before(5.0);
            block.indent = BULLET_INDENT;
            block.marker = bullet.into_iter().next();
            emit(block)?;
        }
        Ok(())
    };

    let background: Vec<&str> = summary.background.iter().map(String::as_str).collect();
    section(words.background, &background, &mut std::iter::empty())?;
    section(
        words.key_issues,
        &[],
        &mut summary.key_issues.iter().map(key_issue),
    )?;
    section(
        words.recommendations,
        &[],
        &mut summary.recommendations.iter().map(|r| linked(r, body())),
    )?;
    for other in &summary.other_sections {
        let paragraphs: Vec<&str> = other.paragraphs.iter().map(String::as_str).collect();
        section(
            &other.heading,
            &paragraphs,
            &mut other.items.iter().map(|i| linked(i, body())),
        )?;
    }
    Ok(())
}

/// "31 January 2023 · 14:30–15:45 CET".
fn when_line(summary: &EventSummary, words: &Labels) -> String {
    let event = &summary.event;
    let mut parts = Vec::new();
    if let Some(date) = &event.date {
        let mut day = words.long_date(date);
        if let Some(end) = &event.end_date {
            day = format!("{day} – {}", words.long_date(end));
        }
        parts.push(day);
    }
    let mut time = match (&event.start_time, &event.end_time) {
        (Some(start), Some(end)) => format!("{start}–{end}"),
        (Some(start), None) => start.clone(),
        (None, Some(end)) => format!("–{end}"),
        (None, None) => String::new(),
    };
    if let Some(zone) = event.timezone.as_deref().filter(|z| !z.is_empty()) {
        if time.is_empty() {
            time = zone.to_string();
        } else {
            time = format!("{time} {zone}");
        }
    }
    if !time.is_empty() {
        parts.push(time);
    }
    parts.join(" · ")
}

/// Bold honorific and name, then role and organisation in italics, then the
/// statement, as the author wrote it ("**Mr. X**, Role, Org emphasized …").
fn key_issue(issue: &KeyIssue) -> Vec<Span> {
    let Some(speaker) = &issue.speaker else {
        return linked(&issue.text, body());
    };
    let name = match speaker.honorific.as_deref().filter(|h| !h.is_empty()) {
        Some(honorific) => format!("{honorific} {}", speaker.name),
        None => speaker.name.clone(),
    };
    let mut spans = vec![plain(&name, style(Weight::Bold, BODY_SIZE, INK))];
    let affiliation: Vec<&str> = [speaker.role.as_deref(), speaker.organization.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect();
    if !affiliation.is_empty() {
        spans.push(plain(", ", body()));
        spans.push(plain(
            &affiliation.join(", "),
            style(Weight::Italic, BODY_SIZE, INK),
        ));
    }
    if !issue.text.is_empty() {
        spans.push(plain(" ", body()));
        spans.extend(linked(&issue.text, body()));
    }
    spans
}

fn plain(text: &str, style: Style) -> Span {
    Span {
        text: text.to_string(),
        style,
        link: None,
    }
}

/// `text` as spans in which every web address is a link to itself.
fn linked(text: &str, style: Style) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some((start, end)) = find_url(rest) {
        if start > 0 {
            spans.push(plain(&rest[..start], style));
        }
        let url = &rest[start..end];
        let target = if url.starts_with("www.") {
            format!("https://{url}")
        } else {
            url.to_string()
        };
        spans.push(Span {
            text: url.to_string(),
            style: Style {
                color: LINK,
                ..style
            },
            link: Some(target),
        });
        rest = &rest[end..];
    }
    if !rest.is_empty() || spans.is_empty() {
        spans.push(plain(rest, style));
    }
    spans
}

/// The byte range of the first web address in `text`: from `http://`,
/// `https://` or `www.` to the next space, less trailing punctuation that
/// belongs to the sentence.
fn find_url(text: &str) -> Option<(usize, usize)> {
    let start = ["https://", "http://", "www."]
        .iter()
        .filter_map(|prefix| {
            text.match_indices(prefix)
                .find(|(i, _)| {
                    *i == 0
                        || !text[..*i]
                            .ends_with(|c: char| c.is_alphanumeric() || c == '/' || c == '.')
                })
                .map(|(i, _)| i)
        })
        .min()?;
    let mut end = start
        + text[start..]
            .find(char::is_whitespace)
            .unwrap_or(text.len() - start);
    loop {
        let url = &text[start..end];
        let trimmed = url.trim_end_matches([
            '.', ',', ';', ':', '!', '?', '"', '\'', ']', '>', '»', '”', '’',
        ]);
        let trimmed = if trimmed.ends_with(')')
            && trimmed.matches('(').count() < trimmed.matches(')').count()
        {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == url.len() {
            break;
        }
        end = start + trimmed.len();
    }
    let prefix_only = ["https://", "http://", "www."].contains(&&text[start..end]);
    (!prefix_only).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<(String, Option<String>)> {
        linked(text, body())
            .into_iter()
            .map(|s| (s.text, s.link))
            .collect()
    }

    #[test]
    fn web_addresses_become_links_without_the_sentence_punctuation() {
        assert_eq!(
            urls("See https://www.itu.int/wsis (report), or www.igf.org."),
            vec![
                ("See ".to_string(), None),
                (
                    "https://www.itu.int/wsis".to_string(),
                    Some("https://www.itu.int/wsis".to_string())
                ),
                (" (report), or ".to_string(), None),
                (
                    "www.igf.org".to_string(),
                    Some("https://www.igf.org".to_string())
                ),
                (".".to_string(), None),
            ]
        );
        assert_eq!(
            urls("(https://en.wikipedia.org/wiki/Internet_(disambiguation))"),
            vec![
                ("(".to_string(), None),
                (
                    "https://en.wikipedia.org/wiki/Internet_(disambiguation)".to_string(),
                    Some("https://en.wikipedia.org/wiki/Internet_(disambiguation)".to_string())
                ),
                (")".to_string(), None),
            ]
        );
        assert_eq!(
            urls("no address here"),
            vec![("no address here".to_string(), None)]
        );
    }
}
