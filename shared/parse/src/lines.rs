//! Line clean-up: undoes what PDF and web extraction do to a summary (odd
//! spaces, letter-spaced headings, page numbers, running headers, tables of
//! contents, share buttons) before any structure is looked for. Every line it
//! drops or rewrites is reported as a warning.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::Diagnostics;

/// A source line after clean-up, with its 1-based line number in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub number: usize,
    pub text: String,
}

impl Line {
    pub fn is_blank(&self) -> bool {
        self.text.is_empty()
    }
}

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            [-–—\s]*\d{1,3}[-–—\s]*                                  # 3, - 3 -
          | \d{1,3}\s*(?:/|of|de|sur)\s*\d{1,3}                      # 3 / 12
          | (?:page|pag\.?|pág\.?|página|p\.)\s*\d{1,3}(?:\s*(?:/|of|de|sur)\s*\d{1,3})?  # Page 3 of 12
          | .{1,80}?\s[|·•–—-]\s*(?:page|pag\.?|pág\.?|página|p\.)\s*\d{1,3}(?:\s*(?:/|of|de|sur)\s*\d{1,3})?  # Header | Page 3
        )$",
    )
    .expect("valid regex")
});

static TOC_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\S.{0,100}?(?:\s*\.{4,}\s*|\s*(?:\. ){3,}\s*|\s*…{2,}\s*|\t+)\d{1,3}$")
        .expect("valid regex")
});

static TOC_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:table of contents|contents|table des matières|sommaire|índice|contenido)$")
        .expect("valid regex")
});

static SHARE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:share(?: this)?(?: on)?|partager(?: sur)?|compartir(?: en)?)\s*:")
        .expect("valid regex")
});

/// Splits text into cleaned lines, dropping extraction debris.
pub(crate) fn clean_lines(text: &str, diag: &mut Diagnostics) -> Vec<Line> {
    let mut lines: Vec<Line> = text
        .split('\n')
        .enumerate()
        .map(|(index, raw)| Line {
            number: index + 1,
            text: normalize_line(raw, index + 1, diag),
        })
        .collect();
    drop_debris(&mut lines, diag);
    drop_running_headers(&mut lines, diag);
    lines
}

/// Normalises the characters of one line: spacing, invisible characters,
/// non-breaking hyphens and letter-spaced words.
fn normalize_line(raw: &str, number: usize, diag: &mut Diagnostics) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut soft_hyphens = false;
    for c in raw.chars() {
        match c {
            // A soft hyphen only marks where a word may break; it is kept at the
            // end of a line so that the line joiner knows the word continues.
            '\u{AD}' => {
                soft_hyphens = true;
                text.push('\u{AD}');
            }
            '\u{200B}' | '\u{200C}' | '\u{2060}' | '\u{FEFF}' => {}
            '\u{2010}' | '\u{2011}' => text.push('-'),
            c if c.is_whitespace() => text.push(' '),
            c => text.push(c),
        }
    }
    let mut text = collapse_spaces(&text);
    if soft_hyphens {
        let trailing = text.ends_with('\u{AD}');
        text = text.replace('\u{AD}', "");
        if trailing {
            text.push('\u{AD}');
        }
        diag.warn(number, "removed soft hyphens");
    }
    if let Some(joined) = unletterspace(raw) {
        diag.warn(number, format!("joined letter-spaced text into '{joined}'"));
        text = joined;
    }
    text
}

/// Trims and collapses runs of spaces to one.
pub(crate) fn collapse_spaces(text: &str) -> String {
    if !text.contains("  ") && !text.starts_with(' ') && !text.ends_with(' ') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// "K E Y   I S S U E S" → "KEY ISSUES": letters apart by one space, words by
/// two or more (or a tab).
fn unletterspace(raw: &str) -> Option<String> {
    // Cheap test first: letter-spaced text has a space after its first letter.
    let mut start = raw.trim_start().chars();
    if !(start.next().is_some_and(char::is_alphabetic) && start.next() == Some(' ')) {
        return None;
    }
    let raw = raw.trim().replace('\t', "   ");
    let words: Vec<String> = raw
        .split("  ")
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| w.split(' ').collect::<String>())
        .collect();
    let letters = raw.split(' ').filter(|w| !w.is_empty());
    let (mut single, mut total) = (0, 0);
    for piece in letters {
        total += 1;
        if piece.chars().count() == 1 && piece.chars().all(char::is_alphabetic) {
            single += 1;
        }
    }
    (total >= 4 && single == total).then(|| words.join(" "))
}

/// Drops page numbers, tables of contents and share buttons.
fn drop_debris(lines: &mut Vec<Line>, diag: &mut Diagnostics) {
    let has_toc = lines.iter().any(|l| TOC_ENTRY.is_match(&l.text));
    lines.retain(|line| {
        let t = &line.text;
        let reason = if t.is_empty() {
            None
        } else if PAGE_NUMBER.is_match(t) {
            Some("dropped a page number line")
        } else if TOC_ENTRY.is_match(t) || (has_toc && TOC_TITLE.is_match(t)) {
            Some("dropped a table-of-contents line")
        } else if SHARE_LINE.is_match(t) {
            Some("dropped a 'Share on' line")
        } else {
            None
        };
        if let Some(reason) = reason {
            diag.warn(line.number, format!("{reason}: '{t}'"));
        }
        reason.is_none()
    });
}

/// Drops running headers and footers: short lines repeated verbatim on every
/// page. The first occurrence stays when it opens the document, since a
/// running header often repeats the title.
fn drop_running_headers(lines: &mut Vec<Line>, diag: &mut Diagnostics) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for line in lines.iter() {
        if is_header_candidate(&line.text) {
            *counts.entry(line.text.as_str()).or_default() += 1;
        }
    }
    let repeated: Vec<String> = counts
        .into_iter()
        .filter(|&(_, n)| n >= 2)
        .map(|(t, _)| t.to_string())
        .collect();
    if repeated.is_empty() {
        return;
    }
    let first_content = lines.iter().position(|l| !l.is_blank());
    let mut index = 0;
    lines.retain(|line| {
        let keep = !repeated.contains(&line.text) || Some(index) == first_content;
        if !keep {
            diag.warn(
                line.number,
                format!("dropped a repeated header or footer line: '{}'", line.text),
            );
        }
        index += 1;
        keep
    });
}

fn is_header_candidate(text: &str) -> bool {
    let len = text.chars().count();
    (3..=120).contains(&len)
        && !text.ends_with(['.', ':'])
        && !crate::blocks::is_bullet(text)
        && crate::headings::classify(text).is_none()
}
