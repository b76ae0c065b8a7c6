//! Cleaned lines to blocks: headings, list items and paragraphs, with
//! hard-wrapped lines joined, words hyphenated across lines mended, and items
//! that a page break cut in two put back together.

use std::sync::LazyLock;

use regex::Regex;

use crate::Diagnostics;
use crate::headings::{self, Heading};
use crate::lines::Line;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Heading(Heading),
    Item,
    Paragraph,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub kind: BlockKind,
    /// Text with inline markup (`**`) still in, whitespace normalised.
    pub text: String,
    /// Line number of the block's first line.
    pub line: usize,
}

/// List markers: dashes, stars, bullets (including the private-use glyphs that
/// PDF extraction leaves for Symbol and Wingdings bullets), "1." "1)" "(a)" "a)".
static BULLET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[-–*•●▪◦‣∙·○■□➢➤►→✓✔\u{F0A7}\u{F0B7}\u{F076}\u{F0D8}\u{F0FC}\u{F06E}\u{F0A8}]|\d{1,2}[.)]|\([0-9a-zA-Z]{1,4}\)|[a-z][.)]|[ivx]{1,4}[.)])\s*",
    )
    .expect("valid regex")
});

/// The marker length of a list item line, if it is one.
fn bullet_len(text: &str) -> Option<usize> {
    let m = BULLET.find(text)?;
    let marker = text[..m.end()].trim_end();
    let rest = &text[m.end()..];
    // "**Bold**" and "*emphasis*" start with a star but are not list items; a
    // dash or number glued to a word ("-based", "2030.") is not either.
    let glued = m.end() == marker.len();
    let symbol_glyph = marker.chars().count() == 1 && !matches!(marker, "-" | "–" | "*");
    if rest.is_empty() || (glued && !symbol_glyph) {
        return None;
    }
    Some(m.end())
}

pub(crate) fn is_bullet(text: &str) -> bool {
    bullet_len(text).is_some()
}

/// Groups lines into blocks.
pub(crate) fn blocks(lines: &[Line], diag: &mut Diagnostics) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    // Whether the previous non-blank line belongs to the last block.
    let mut open = false;
    let mut after_blank = false;
    for (index, line) in lines.iter().enumerate() {
        if line.is_blank() {
            open = false;
            after_blank = true;
            continue;
        }
        if let Some(heading) = heading_at(lines, index) {
            out.push(Block {
                kind: BlockKind::Heading(heading),
                text: String::new(),
                line: line.number,
            });
            open = false;
            after_blank = false;
            continue;
        }
        if let Some(len) = bullet_len(&line.text) {
            out.push(Block {
                kind: BlockKind::Item,
                text: line.text[len..].to_string(),
                line: line.number,
            });
            open = true;
            after_blank = false;
            continue;
        }
        match out.last_mut() {
            Some(last) if open => {
                join_line(last, &line.text, line.number, diag);
            }
            Some(last) if after_blank && continues(last, &line.text) => {
                diag.warn(
                    line.number,
                    format!(
                        "joined this line to the text of line {} across a blank line (page break)",
                        last.line
                    ),
                );
                join_line(last, &line.text, line.number, diag);
            }
            _ => out.push(Block {
                kind: BlockKind::Paragraph,
                text: line.text.clone(),
                line: line.number,
            }),
        }
        open = true;
        after_blank = false;
    }
    for block in &mut out {
        block.text = block.text.replace('\u{AD}', "");
    }
    out
}

/// Whether the line at `index` is a heading, judging by its wording and by the
/// lines around it: a heading stands alone, so a line that runs on into the
/// next one is prose.
pub(crate) fn heading_at(lines: &[Line], index: usize) -> Option<Heading> {
    let text = &lines[index].text;
    if is_bullet(text) && !text.starts_with(['#', '*']) && headings::classify(text).is_none() {
        return None;
    }
    let heading = headings::classify(text).or_else(|| headings::other_heading(text))?;
    if heading.certain || heading.inline.is_some() {
        return Some(heading);
    }
    let next = lines.get(index + 1);
    let stands_alone = next.is_none_or(|n| n.is_blank() || is_bullet(&n.text));
    (stands_alone && heading.label.split(' ').count() <= 6).then_some(heading)
}

/// Whether a paragraph after a blank line carries on the block before it: the
/// block stops mid-sentence, or the line starts in lower case.
fn continues(last: &Block, next: &str) -> bool {
    if matches!(last.kind, BlockKind::Heading(_)) {
        return false;
    }
    let ends_open = !last.text.trim_end().ends_with([
        '.', '!', '?', ':', ';', ')', '"', '”', '’', '»', '。', '؟', '!',
    ]);
    let starts_lower = next.chars().next().is_some_and(char::is_lowercase);
    ends_open || starts_lower
}

/// Appends a wrapped line to a block, mending a word hyphenated at the break.
fn join_line(block: &mut Block, next: &str, number: usize, diag: &mut Diagnostics) {
    let next_starts_lower = next.chars().next().is_some_and(char::is_lowercase);
    if block.text.ends_with('\u{AD}') {
        block.text.pop();
        block.text.push_str(next);
        return;
    }
    let hyphenated = block.text.ends_with('-')
        && block
            .text
            .chars()
            .rev()
            .nth(1)
            .is_some_and(char::is_alphabetic)
        && next_starts_lower;
    if hyphenated {
        block.text.pop();
        let word_start = block.text.rfind(' ').map_or(0, |i| i + 1);
        let first = next.split(' ').next().unwrap_or_default();
        diag.warn(
            number,
            format!(
                "joined '{}-' and '{first}' hyphenated across lines",
                &block.text[word_start..]
            ),
        );
        block.text.push_str(next);
    } else {
        block.text.push(' ');
        block.text.push_str(next);
    }
}
