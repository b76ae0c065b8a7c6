//! Plain text and Markdown to a [`Document`]: undoes what PDF and web
//! extraction do to a summary before any structure is looked for, then
//! groups lines into blocks.
//!
//! Line by line: odd spaces, invisible characters, ligatures, HTML entities,
//! Markdown escapes and letter-spaced words are normalised; page numbers,
//! tables of contents, rules, and running headers and footers (by repetition
//! and by where they sit around a page break) are dropped. Then lines become
//! blocks: Markdown headings, list items (nested by indentation) and
//! paragraphs, joining the lines a hard wrap or a page break cut apart and
//! mending words hyphenated across them. Every repair is a warning.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::Diagnostics;
use crate::document::{Block, Document, Role};
use crate::markup;

/// A source line after clean-up, with its 1-based line number in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    number: usize,
    text: String,
    /// Leading whitespace of the raw line, a tab counting four.
    indent: usize,
    /// The line follows a form feed: the first of a new page.
    page_start: bool,
    /// A Markdown heading underlined on the next line ("Title\n=====").
    setext: Option<u8>,
    /// A Markdown block quote ("> …"), its marker removed.
    quote: bool,
}

impl Line {
    fn is_blank(&self) -> bool {
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

/// A line drawn with underscores, dashes or equals signs (a rule under a
/// running header, a Markdown thematic break).
static RULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[_=]{3,}|-{3,}|\*{3,}|(?:[-*_] ?){3,})$").expect("valid regex")
});

/// A web address on a line of its own: a page footer.
static URL_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(?:https?://|www\.)\S+$").expect("valid regex"));

/// Words that running headers of forum documents are made of.
static RUNNING_HEADER_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:outcome document|document final|documento final|proceedings|report|rapport|informe)\b|\b(?:forum|summit|conference|sommet|cumbre|foro)\b.*\b(?:19|20)\d\d\b|\b(?:19|20)\d\d\b.*\b(?:forum|summit)\b|^[A-Z0-9]+(?:/[A-Z0-9.]+){2,}$")
        .expect("valid regex")
});

/// Reads text (already decoded) into blocks.
pub(crate) fn document(text: &str, diag: &mut Diagnostics) -> Document {
    let mut lines = split_lines(text, diag);
    let front_title = front_matter(&mut lines, diag);
    setext_headings(&mut lines);
    drop_debris(&mut lines, diag);
    drop_running_headers(&mut lines, diag);
    let mut blocks = blocks(&lines, diag);
    if let Some((line, title)) = front_title {
        blocks.insert(0, Block::new(line, Role::Title, title));
    }
    Document {
        blocks,
        warnings: Vec::new(),
    }
}

/// Markdown's underlined headings: a line of "=" (level 1) or "-" (level 2)
/// under a line of text makes that line a heading.
fn setext_headings(lines: &mut Vec<Line>) {
    let mut index = 1;
    while index < lines.len() {
        let underline = &lines[index].text;
        let level = if underline.len() >= 3 && underline.chars().all(|c| c == '=') {
            Some(1)
        } else if underline.len() >= 3 && underline.chars().all(|c| c == '-') {
            Some(2)
        } else {
            None
        };
        let above = &lines[index - 1];
        if let Some(level) = level
            && !above.is_blank()
            && markup::bullet(&above.text).is_none()
            && markup::markdown_heading(&above.text).is_none()
        {
            lines[index - 1].setext = Some(level);
            lines.remove(index);
            continue;
        }
        index += 1;
    }
}

/// A Markdown file's YAML front matter ("---", "title: …", "date: …",
/// "---"): the title is the document's title; the rest (a publication date,
/// tags, a layout) describes the file, not the session, and is dropped.
fn front_matter(lines: &mut Vec<Line>, diag: &mut Diagnostics) -> Option<(usize, String)> {
    let start = lines.iter().position(|l| !l.is_blank())?;
    if lines[start].text != "---" {
        return None;
    }
    let end = (start + 1..lines.len().min(start + 60))
        .find(|&i| matches!(lines[i].text.as_str(), "---" | "..."))?;
    let mut title = None;
    for line in &lines[start + 1..end] {
        let Some((key, value)) = line.text.split_once(':') else {
            continue;
        };
        let value = value.trim().trim_matches(['"', '\'']).trim();
        if key.trim().eq_ignore_ascii_case("title") && !value.is_empty() {
            title = Some((line.number, value.to_string()));
        } else {
            diag.warn(
                line.number,
                format!("dropped front matter: '{}'", line.text),
            );
        }
    }
    lines.drain(start..=end);
    title
}

fn split_lines(text: &str, diag: &mut Diagnostics) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut page_start = false;
    for (index, raw) in text.split('\n').enumerate() {
        let number = index + 1;
        // A form feed starts a new page; what follows it on the line is
        // that page's first line.
        let mut raw = raw;
        if let Some(at) = raw.rfind('\x0c') {
            page_start = true;
            raw = &raw[at + 1..];
        }
        let (mut text, indent) = normalize_line(raw, number, diag);
        let quote = text.starts_with('>');
        if quote {
            text = text.trim_start_matches('>').trim_start().to_string();
        }
        let blank = text.is_empty();
        lines.push(Line {
            number,
            text,
            indent,
            page_start: page_start && !blank,
            setext: None,
            quote,
        });
        if !blank {
            page_start = false;
        }
    }
    lines
}

/// Normalises the characters of one line: spacing, invisible characters,
/// ligatures, entities, Markdown escapes, non-breaking hyphens and
/// letter-spaced words. Returns the text and its indentation.
fn normalize_line(raw: &str, number: usize, diag: &mut Diagnostics) -> (String, usize) {
    let indent = raw
        .chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum();
    let decoded = markup::decode_entities(raw);
    if decoded != raw {
        diag.warn(number, "decoded HTML entities");
    }
    let unligated = markup::unligature(&decoded);
    if unligated != decoded {
        diag.warn(number, "replaced typographic ligatures by their letters");
    }
    let unlinked = markup::strip_links(&unligated);
    let unescaped = markup::unescape_markdown(markup::strip_emphasis(unlinked.trim()));
    let unescaped = markup::strip_inline_emphasis(&unescaped);
    let mut text = String::with_capacity(unescaped.len());
    let mut soft_hyphens = false;
    for c in unescaped.chars() {
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
    if let Some(joined) = unletterspace(&unescaped) {
        diag.warn(number, format!("joined letter-spaced text into '{joined}'"));
        text = joined;
    }
    (text, indent)
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
        if piece.chars().count() == 1 && piece.chars().all(char::is_alphanumeric) {
            single += 1;
        }
    }
    (total >= 4 && single == total).then(|| words.join(" "))
}

/// Drops page numbers, tables of contents with page numbers, and rules.
fn drop_debris(lines: &mut Vec<Line>, diag: &mut Diagnostics) {
    let has_toc = lines
        .iter()
        .any(|l| l.text.len() <= 200 && TOC_ENTRY.is_match(&l.text));
    lines.retain(|line| {
        let t = &line.text;
        // Page numbers, contents lines and rules are short; prose is not
        // searched for them.
        let reason = if t.is_empty() || t.len() > 200 {
            None
        } else if PAGE_NUMBER.is_match(t) {
            Some("dropped a page number line")
        } else if TOC_ENTRY.is_match(t) || (has_toc && TOC_TITLE.is_match(t)) {
            Some("dropped a table-of-contents line")
        } else if RULE.is_match(t) {
            Some("dropped a rule line")
        } else {
            None
        };
        if let Some(reason) = reason {
            diag.warn(line.number, format!("{reason}: '{t}'"));
        }
        reason.is_none()
    });
}

/// Drops running headers and footers: short lines repeated verbatim across
/// pages, and the short lines that open a page (after a form feed) or stand
/// beside a page number, where extraction puts a page's header and footer.
/// The first line of the document stays when it is only repeated, since a
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
    let first_content = lines.iter().position(|l| !l.is_blank());
    let mut drop = vec![false; lines.len()];
    for (index, line) in lines.iter().enumerate() {
        if repeated.contains(&line.text) && Some(index) != first_content {
            drop[index] = true;
        }
    }
    // A page's head: up to three short lines after a form feed, dropped when
    // they read as a running header or the page goes on mid-sentence.
    for start in (0..lines.len()).filter(|&i| lines[i].page_start) {
        // A running header is a name ("WSIS Forum 2022 — Outcome Document",
        // "WSIS/2022/OD"), never the sentence the page goes on with.
        let head: Vec<usize> = (start..lines.len())
            .filter(|&i| !lines[i].is_blank())
            .take(3)
            .take_while(|&i| {
                let text = &lines[i].text;
                is_header_candidate(text)
                    && lines[i].indent == 0
                    && (crate::elements::is_title_case(text) || RUNNING_HEADER_WORDS.is_match(text))
            })
            .collect();
        let after = head
            .last()
            .and_then(|&last| (last + 1..lines.len()).find(|&i| !lines[i].is_blank()));
        let page_goes_on = after.is_some_and(|i| {
            let next = &lines[i];
            next.text.chars().next().is_some_and(char::is_lowercase)
                || (next.indent > 0 && markup::bullet(&next.text).is_none())
        });
        for &i in &head {
            if page_goes_on || RUNNING_HEADER_WORDS.is_match(&lines[i].text) {
                drop[i] = true;
            }
        }
    }
    let mut index = 0;
    lines.retain(|line| {
        let keep = !drop[index];
        if !keep {
            diag.warn(
                line.number,
                format!("dropped a repeated header or footer line: '{}'", line.text),
            );
        }
        index += 1;
        keep
    });
    // Web addresses alone on a line in a document with page breaks are
    // footers.
    if lines.iter().any(|l| l.page_start) {
        lines.retain(|line| {
            let footer = URL_LINE.is_match(&line.text);
            if footer {
                diag.warn(
                    line.number,
                    format!("dropped a repeated header or footer line: '{}'", line.text),
                );
            }
            !footer
        });
    }
}

fn is_header_candidate(text: &str) -> bool {
    let len = text.chars().count();
    (3..=120).contains(&len)
        && !text.ends_with(['.', ':', ';', ','])
        && markup::bullet(text).is_none()
        && text.split(' ').count() <= 12
        && crate::lexicon::meaning(text).is_none_or(|(m, fit)| {
            fit == crate::lexicon::Fit::Contains || m == crate::lexicon::Meaning::Chrome
        })
}

/// What a cleaned line is, by its marks.
enum Mark<'a> {
    Heading(u8, &'a str),
    Item(markup::Bullet),
    Text,
}

fn mark<'a>(line: &'a Line, next: Option<&Line>) -> Mark<'a> {
    if let Some(level) = line.setext {
        return Mark::Heading(level, &line.text);
    }
    if let Some((level, rest)) = markup::markdown_heading(&line.text) {
        return Mark::Heading(level, rest);
    }
    match markup::bullet(&line.text) {
        // "1. Key Policy Questions" standing alone is a numbered heading,
        // which the element stage judges with its number.
        Some(bullet) if bullet.ordered && numbered_heading(&line.text[bullet.len..], next) => {
            Mark::Text
        }
        Some(bullet) => Mark::Item(bullet),
        None => Mark::Text,
    }
}

/// A short line with no closing punctuation and a blank line (or nothing)
/// after it.
fn numbered_heading(rest: &str, next: Option<&Line>) -> bool {
    rest.split_whitespace().count() <= 12
        && !rest.trim_end().ends_with(['.', ';', ',', '!'])
        && next.is_none_or(Line::is_blank)
}

/// A block being built, with the raw text (bold marks still in; U+001F,
/// which decoding never lets through, marks where source lines were joined).
struct Building {
    block: Block,
    raw: String,
    /// Indentation of an item's marker, for nesting.
    indent: usize,
    /// The document's first block.
    first: bool,
}

/// Groups lines into blocks.
fn blocks(lines: &[Line], diag: &mut Diagnostics) -> Vec<Block> {
    let width = wrap_width(lines);
    let mut out: Vec<Building> = Vec::new();
    // Whether the previous non-blank line belongs to the last block.
    let mut open = false;
    let mut gap = true;
    // Indentation of the enclosing list items, for nesting.
    let mut item_indents: Vec<usize> = Vec::new();
    // Rows of a Markdown table being read.
    let mut table: Vec<&Line> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if is_table_row(&line.text) {
            table.push(line);
            if lines.get(index + 1).is_some_and(|n| is_table_row(&n.text)) {
                continue;
            }
            for block in table_rows(&std::mem::take(&mut table)) {
                out.push(Building {
                    raw: block.text.clone(),
                    block,
                    indent: 0,
                    first: out.is_empty(),
                });
            }
            open = false;
            gap = false;
            continue;
        }
        if line.is_blank() {
            open = false;
            gap = true;
            continue;
        }
        let start = |role: Role, text: &str, indent: usize, level: u8, gap: bool| Building {
            block: Block {
                line: line.number,
                role,
                text: String::new(),
                bold: Vec::new(),
                level,
                gap_before: gap,
            },
            raw: text.to_string(),
            indent,
            first: out.is_empty(),
        };
        match mark(line, lines.get(index + 1)) {
            Mark::Heading(level, rest) => {
                out.push(start(Role::Heading(level), rest, line.indent, 0, gap));
                item_indents.clear();
                open = false;
            }
            Mark::Item(bullet) => {
                while item_indents.last().is_some_and(|&i| i >= line.indent + 2) {
                    item_indents.pop();
                }
                if item_indents.last().is_none_or(|&i| line.indent >= i + 2) {
                    item_indents.push(line.indent);
                }
                let level = (item_indents.len() - 1).min(8) as u8;
                out.push(start(
                    Role::Item,
                    &line.text[bullet.len..],
                    line.indent,
                    level,
                    gap,
                ));
                open = true;
            }
            Mark::Text => {
                let joins = match out.last() {
                    // A quotation introduced by "said:" belongs to it.
                    Some(last) if line.quote && last.raw.trim_end().ends_with(':') => true,
                    Some(last) if open => continues_line(last, line, width),
                    Some(last) if gap => continues_across_gap(last, line),
                    _ => false,
                };
                if joins {
                    let last = out.last_mut().expect("a block to join");
                    if gap {
                        diag.warn(
                            line.number,
                            format!(
                                "joined this line to the text of line {} across a blank line (page break)",
                                last.block.line
                            ),
                        );
                    }
                    join_line(&mut last.raw, &line.text, line.number, diag);
                } else {
                    if line.indent == 0 {
                        item_indents.clear();
                    }
                    out.push(start(Role::Text, &line.text, line.indent, 0, gap));
                }
                open = true;
            }
        }
        gap = false;
    }
    out.into_iter()
        .map(|building| {
            let mut block = building.block;
            let raw = building.raw.replace(['\u{AD}', '\u{1F}'], "");
            let (text, bold) = markup::strip_bold(&raw);
            block.text = text;
            block.bold = bold;
            block
        })
        .filter(|b| !b.text.is_empty())
        .collect()
}

/// A Markdown table's row: "| a | b |".
fn is_table_row(text: &str) -> bool {
    text.len() >= 3 && text.starts_with('|') && text.ends_with('|')
}

/// A Markdown table's rows as blocks, read as any table is
/// ([`crate::document::table_blocks`]); the "|---|" rule goes.
fn table_rows(rows: &[&Line]) -> Vec<Block> {
    let table = rows
        .iter()
        .filter(|line| {
            !line
                .text
                .chars()
                .all(|c| matches!(c, '|' | '-' | ':' | ' '))
        })
        .map(|line| {
            line.text
                .trim_matches('|')
                .split('|')
                .map(|cell| {
                    let (text, bold) = markup::strip_bold(cell.trim());
                    let mut block = Block::new(line.number, Role::Text, text);
                    block.bold = bold;
                    vec![block]
                })
                .collect()
        })
        .collect();
    crate::document::table_blocks(table)
}

/// The width a document was hard-wrapped at, if it was: the longest line,
/// when several lines come close to it. A document whose paragraphs are one
/// line each has lines of every length and no such width.
fn wrap_width(lines: &[Line]) -> Option<usize> {
    let lengths: Vec<usize> = lines
        .iter()
        .map(|l| l.text.chars().count() + l.indent)
        .filter(|&n| n > 0)
        .collect();
    let max = *lengths.iter().max()?;
    if !(40..=130).contains(&max) {
        return None;
    }
    let near: Vec<&Line> = lines
        .iter()
        .filter(|l| (l.text.chars().count() + l.indent) * 100 >= max * 80)
        .collect();
    let long = lengths.iter().filter(|&&n| n > 30).count();
    // Wrapped lines stop mid-sentence; a document of one-line paragraphs
    // whose longest lines happen to match ends them with full stops.
    let open = near
        .iter()
        .filter(|l| !l.text.ends_with(['.', '!', '?', ':', ';', '"', '”', ')']))
        .count();
    (near.len() >= 4 && near.len() * 100 >= long * 30 && open * 2 >= near.len()).then_some(max)
}

/// Whether a line carries on the block above it (no blank line between).
fn continues_line(last: &Building, line: &Line, width: Option<usize>) -> bool {
    if matches!(last.block.role, Role::Heading(_)) {
        return false;
    }
    let prev = last.raw.trim_end();
    let starts_lower = line.text.chars().next().is_some_and(char::is_lowercase);
    let ends_open = !prev.ends_with(['.', '!', '?', ':', ';', ')', '"', '”', '’', '»', '。']);
    // A word cut by a hyphen or soft hyphen at the end of the line, or a
    // capitalised compound ("Jean-" / "Pierre").
    let compound = prev.ends_with('-')
        && prev
            .rsplit(' ')
            .next()
            .is_some_and(|w| w.len() > 1 && w.chars().next().is_some_and(char::is_uppercase))
        && line.text.chars().next().is_some_and(char::is_uppercase);
    if (prev.ends_with('\u{AD}') || prev.ends_with('-')) && starts_lower || compound {
        return true;
    }
    // The indented continuation of a list item ("•\tText" / "\tmore text").
    if last.block.role == Role::Item && line.indent > last.indent {
        return true;
    }
    if starts_lower && ends_open {
        return true;
    }
    // A sentence cannot stop at "the", "and" or "of", nor a list entry end
    // in a comma; a heading can ("Organized by").
    let last_word = prev.rsplit(' ').next().unwrap_or_default();
    let sentence = prev.split(' ').count() >= 6
        && crate::lexicon::meaning(prev)
            .is_none_or(|(_, fit)| fit == crate::lexicon::Fit::Contains);
    if sentence
        && (prev.ends_with(',')
            || (last_word.len() <= 4
                && crate::speaker::is_connector(last_word)
                && last_word.chars().all(char::is_lowercase)))
    {
        return true;
    }
    // A hard wrap: the line above reached the wrapping width (a title or
    // heading that happens to be as long is no wrapped prose).
    if crate::elements::is_title_case(&last.raw) {
        return false;
    }
    width.is_some_and(|width| {
        let above = last_line_length(&last.raw);
        above * 100 >= width * 85 || (ends_open && above * 100 >= width * 60)
    })
}

/// Length of the last source line joined into a block.
fn last_line_length(raw: &str) -> usize {
    raw.rsplit('\u{1F}').next().unwrap_or(raw).chars().count()
}

/// Whether a line after a blank line carries on the block before it: a
/// sentence cut by a page break. The block above stops mid-sentence, and
/// the line starts in lower case, or finishes a sentence under an item or a
/// paragraph of prose (not a title or a heading, which stop without a full
/// stop too).
fn continues_across_gap(last: &Building, line: &Line) -> bool {
    if matches!(last.block.role, Role::Heading(_)) {
        return false;
    }
    let prev = last.raw.trim_end();
    let words = |t: &str| t.split(' ').filter(|w| !w.is_empty()).count();
    let ends_open = prev
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, ',' | '-' | '\u{AD}'));
    if !ends_open {
        return false;
    }
    // The first block is the title, and a line that gives a date is a date
    // line, however they end and start.
    if last.first || crate::when::parse_when(&line.text).is_some() {
        return false;
    }
    let starts_lower = line.text.chars().next().is_some_and(char::is_lowercase);
    // An open parenthesis, or an item's indented continuation, goes on past
    // the page break.
    let unclosed = prev.matches(['(', '（']).count() > prev.matches([')', '）']).count();
    let indented = last.block.role == Role::Item && line.indent > last.indent;
    if unclosed || indented {
        return true;
    }
    let prose = |t: &str| {
        let label = crate::lexicon::clean_label(t);
        let heading = label.had_hint
            || crate::lexicon::meaning(&label.text)
                .is_some_and(|(_, fit)| fit != crate::lexicon::Fit::Contains);
        words(t) >= 8 && !heading && !crate::elements::is_title_case(t)
    };
    let above_is_prose = last.block.role == Role::Item || prose(prev);
    let finishes_sentence = line.text.ends_with(['.', '!', '?', '"', '”', ')'])
        && words(&line.text) >= 6
        && !crate::elements::is_title_case(&line.text);
    // An upper-case start carries on only a long sentence ("… the WSIS
    // Geneva / Plan of Action …"), not a short list entry.
    above_is_prose && (starts_lower || finishes_sentence && words(prev) >= 12)
}

/// Appends a wrapped line to a block, mending a word hyphenated at the break.
fn join_line(raw: &mut String, next: &str, number: usize, diag: &mut Diagnostics) {
    let next_starts_lower = next.chars().next().is_some_and(char::is_lowercase);
    if raw.ends_with('\u{AD}') {
        raw.pop();
        raw.push('\u{1F}');
        raw.push_str(next);
        return;
    }
    // "Jean-" / "Pierre": a capitalised compound keeps its hyphen.
    let word_start = raw.rfind([' ', '\u{1F}']).map_or(0, |i| i + 1);
    let capitalised_compound = raw.ends_with('-')
        && raw[word_start..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
        && next.chars().next().is_some_and(char::is_uppercase)
        && raw.chars().rev().nth(1).is_some_and(char::is_alphabetic);
    if capitalised_compound {
        raw.push('\u{1F}');
        raw.push_str(next);
        return;
    }
    let hyphenated = raw.ends_with('-')
        && raw.chars().rev().nth(1).is_some_and(char::is_alphabetic)
        && next_starts_lower;
    if hyphenated {
        raw.pop();
        let word_start = raw.rfind([' ', '\u{1F}']).map_or(0, |i| i + 1);
        let first = next.split(' ').next().unwrap_or_default();
        diag.warn(
            number,
            format!(
                "joined '{}-' and '{first}' hyphenated across lines",
                &raw[word_start..]
            ),
        );
        raw.push('\u{1F}');
        raw.push_str(next);
    } else {
        raw.push_str(" \u{1F}");
        raw.push_str(next);
    }
}
