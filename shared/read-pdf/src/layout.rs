//! Glyphs to the blocks a person reads: glyphs to segments (text on one
//! baseline without a wide gap), segments to rows, rows in the page's
//! margins or repeated at one place on every page dropped as running
//! headers, footers and page numbers, two-column bands read column by
//! column, and lines to paragraphs by their spacing, indentation and what
//! fits on a line, mending words hyphenated at line ends. Pure: no PDF
//! here, so every rule is tested on glyphs made in the test.

use rapporteur_parse::{Block, Role};

use crate::glyphs::Glyph;

/// A gap wider than this many font sizes separates two segments on a
/// baseline (a column gutter, a table cell, a tab stop); a word space is
/// about a quarter of the size, a justified one rarely past one.
const SEGMENT_GAP: f32 = 1.5;
/// A gap wider than this many font sizes between glyphs is a word space.
const SPACE_GAP: f32 = 0.15;
/// The outer band of a page, as a share of its height, where word
/// processors set running headers and footers: Word's and LibreOffice's
/// default margin is an inch (8.5–9% of A4 and Letter) and the header sits
/// half-way into it; Rapporteur's footer is 13 mm from the edge (4.4%).
const MARGIN_BAND: f32 = 0.065;

/// Text on one baseline without a wide gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub text: String,
    /// Byte ranges of `text` that are bold.
    pub bold: Vec<(usize, usize)>,
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    /// A list marker shown before the text with a gap (a bullet glyph, or
    /// "1." / "a)" aligned to a tab), taken out of `text`.
    pub marker: Option<String>,
    /// Where the marker starts, if there is one.
    pub marker_x: f32,
    /// Width of the first word, to tell whether it would have fitted on the
    /// line above.
    pub first_word: f32,
}

/// Segments on one baseline, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub segments: Vec<Segment>,
    pub y: f32,
    pub size: f32,
}

impl Row {
    pub fn text(&self) -> String {
        let parts: Vec<&str> = self.segments.iter().map(|s| s.text.as_str()).collect();
        parts.join(" ")
    }
}

/// A page's rows, top to bottom, with the page's size.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRows {
    pub rows: Vec<Row>,
    pub width: f32,
    pub height: f32,
}

fn is_space(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

/// Builds segments from glyphs in the order the page shows them, then
/// gathers them into rows by baseline.
pub fn page_rows(glyphs: &[Glyph], width: f32, height: f32) -> PageRows {
    let mut segments: Vec<Segment> = Vec::new();
    let mut current: Vec<&Glyph> = Vec::new();
    for glyph in glyphs {
        if let Some(last) = current.last() {
            let size = last.size.max(glyph.size).max(1.0);
            let same_line = (glyph.y - last.y).abs() <= 0.3 * size;
            let gap = glyph.x - (last.x + last.width);
            if !same_line || gap > SEGMENT_GAP * size || gap < -0.6 * size {
                segments.extend(segment(&current));
                current.clear();
            }
        }
        current.push(glyph);
    }
    segments.extend(segment(&current));
    PageRows {
        rows: rows(segments),
        width,
        height,
    }
}

/// The bullets word processors draw and extraction leaves behind (with the
/// private-use glyphs of Symbol and Wingdings).
fn is_bullet_char(c: char) -> bool {
    matches!(
        c,
        '•' | '◦'
            | '▪'
            | '‣'
            | '●'
            | '○'
            | '■'
            | '□'
            | '–'
            | '-'
            | '*'
            | '·'
            | '➢'
            | '➤'
            | '►'
            | '→'
            | '✓'
            | '✔'
            | '∙'
    ) || ('\u{E000}'..='\u{F8FF}').contains(&c)
}

/// "1." "12)" "a)" "(a)" "iv." "A.": automatic list numbers.
fn is_number_marker(text: &str) -> bool {
    let inner = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .or_else(|| text.strip_suffix(['.', ')']));
    let Some(inner) = inner else { return false };
    let digits = !inner.is_empty() && inner.len() <= 3 && inner.chars().all(|c| c.is_ascii_digit());
    let letter = inner.len() == 1 && inner.chars().all(|c| c.is_ascii_alphabetic());
    let roman = !inner.is_empty()
        && inner.len() <= 4
        && inner
            .chars()
            .all(|c| matches!(c, 'i' | 'v' | 'x' | 'I' | 'V' | 'X'));
    // Dotted sub-numbers ("2.1.") too.
    let dotted = inner.len() <= 8
        && inner
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && inner.contains('.');
    digits || letter || roman || dotted
}

/// One run of glyphs as a segment: spaces where glyphs stand apart, bold
/// ranges, and a leading list marker taken out.
fn segment(glyphs: &[&Glyph]) -> Option<Segment> {
    let first = glyphs.iter().position(|g| !is_space(&g.text))?;
    let last = glyphs.iter().rposition(|g| !is_space(&g.text))?;
    let glyphs = &glyphs[first..=last];
    let size = dominant_size(glyphs.iter().map(|g| (g.size, g.text.len())));
    // A marker: a bullet glyph, or a list number, followed by a gap wider
    // than a word space (the tab to the hanging indent).
    let mut start = 0;
    let mut marker = None;
    let mut marker_x = glyphs[0].x;
    // The first word ends at a space glyph or at a gap as wide as one
    // (a tab after a list number draws no glyph).
    let word_end = (0..glyphs.len())
        .find(|&i| {
            is_space(&glyphs[i].text)
                || i > 0 && glyphs[i].x - (glyphs[i - 1].x + glyphs[i - 1].width) > SPACE_GAP * size
        })
        .unwrap_or(glyphs.len());
    let first_word: String = glyphs[..word_end].iter().map(|g| g.text.as_str()).collect();
    let gap_after = |i: usize| {
        glyphs
            .get(i + 1..)
            .and_then(|rest| rest.iter().find(|g| !is_space(&g.text)))
            .map_or(0.0, |next| next.x - (glyphs[i].x + glyphs[i].width))
    };
    let bullet = glyphs[0].text.chars().count() == 1 && glyphs[0].text.chars().all(is_bullet_char)
        || glyphs[0].symbol;
    if bullet && glyphs.len() > 1 && gap_after(0) > 0.3 * size {
        marker = Some(glyphs[0].text.clone());
        start = 1;
    } else if word_end < glyphs.len()
        && is_number_marker(&first_word)
        && gap_after(word_end - 1) > 0.6 * size
    {
        marker = Some(first_word);
        start = word_end;
    }
    if marker.is_some() {
        marker_x = glyphs[0].x;
        start += glyphs[start..]
            .iter()
            .take_while(|g| is_space(&g.text))
            .count();
    }
    let glyphs = &glyphs[start..];
    // Characters with their weight, in the order they stand on the page.
    let mut chars: Vec<(char, bool)> = Vec::new();
    let mut previous: Option<&Glyph> = None;
    let mut first_word_end = None;
    let ends_with_space = |chars: &[(char, bool)]| chars.last().is_none_or(|c| c.0 == ' ');
    for glyph in glyphs {
        if let Some(p) = previous {
            let gap = glyph.x - (p.x + p.width);
            let spaced = ends_with_space(&chars) || glyph.text.starts_with(char::is_whitespace);
            if gap > SPACE_GAP * size && !spaced {
                chars.push((' ', false));
                first_word_end.get_or_insert(p.x + p.width);
            }
        }
        for c in glyph.text.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if c == ' ' && ends_with_space(&chars) {
                continue;
            }
            if c == ' ' && first_word_end.is_none() {
                first_word_end = Some(p_end(previous, glyph));
            }
            chars.push((c, glyph.bold));
        }
        previous = Some(glyph);
    }
    logical_order(&mut chars);
    let mut text = String::new();
    let mut bold: Vec<(usize, usize)> = Vec::new();
    for (c, is_bold) in chars {
        let at = text.len();
        text.push(c);
        if is_bold && c != ' ' {
            match bold.last_mut() {
                Some((_, end)) if text[*end..at].trim().is_empty() => *end = text.len(),
                _ => bold.push((at, text.len())),
            }
        }
    }
    let x0 = glyphs.first().map_or(marker_x, |g| g.x);
    let x1 = glyphs.last().map_or(x0, |g| g.x + g.width);
    Some(Segment {
        text: text.trim_end().to_string(),
        bold,
        x0: if marker.is_some() { marker_x } else { x0 },
        x1,
        y: glyphs.first().map_or(0.0, |g| g.y),
        size,
        marker,
        marker_x,
        first_word: first_word_end.map_or(x1, |end| end) - x0,
    })
}

/// Hebrew and Arabic letters (and their presentation forms).
fn is_rtl(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// A page shows right-to-left text in visual order, its letters left to
/// right as they stand; a reader wants them in the order they are written.
/// Each run of right-to-left letters (with the spaces and punctuation
/// between them) is turned round, mirrored brackets swapped. Left-to-right
/// text around the run keeps its order: this is the reading of a
/// left-to-right paragraph with right-to-left names in it, which is what
/// summaries hold (a whole right-to-left paragraph reads right too).
fn logical_order(chars: &mut [(char, bool)]) {
    let mut i = 0;
    while i < chars.len() {
        if !is_rtl(chars[i].0) {
            i += 1;
            continue;
        }
        let mut end = i;
        let mut j = i + 1;
        while j < chars.len() {
            let c = chars[j].0;
            if is_rtl(c) {
                end = j;
            } else if c.is_alphanumeric() {
                break;
            }
            j += 1;
        }
        chars[i..=end].reverse();
        for (c, _) in &mut chars[i..=end] {
            *c = match *c {
                '(' => ')',
                ')' => '(',
                '[' => ']',
                ']' => '[',
                other => other,
            };
        }
        i = end + 1;
    }
}

/// Where the word before a space ends: the end of the glyph before it.
fn p_end(previous: Option<&Glyph>, glyph: &Glyph) -> f32 {
    previous.map_or(glyph.x, |p| p.x + p.width)
}

/// The size most of the text is set in.
fn dominant_size(sizes: impl Iterator<Item = (f32, usize)>) -> f32 {
    let mut counts: Vec<(f32, usize)> = Vec::new();
    for (size, weight) in sizes {
        match counts.iter_mut().find(|(s, _)| (s - size).abs() < 0.5) {
            Some((_, n)) => *n += weight,
            None => counts.push((size, weight)),
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.total_cmp(&b.0)))
        .map_or(0.0, |(s, _)| s)
}

/// Segments on one baseline become a row; a lone marker joins the segment
/// after it, and segments closer than a gutter are one.
fn rows(mut segments: Vec<Segment>) -> Vec<Row> {
    segments.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Row> = Vec::new();
    for segment in segments {
        match rows.last_mut() {
            Some(row) if (segment.y - row.y).abs() <= 0.3 * row.size.max(segment.size) => {
                row.size = row.size.max(segment.size);
                row.segments.push(segment);
            }
            _ => rows.push(Row {
                y: segment.y,
                size: segment.size,
                segments: vec![segment],
            }),
        }
    }
    for row in &mut rows {
        row.segments.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let mut merged: Vec<Segment> = Vec::new();
        for segment in row.segments.drain(..) {
            if let Some(last) = merged.last_mut() {
                let lone_marker = last.text.chars().count() == 1
                    && last.text.chars().all(is_bullet_char)
                    && last.marker.is_none()
                    && segment.marker.is_none();
                let close = segment.x0 - last.x1 <= SEGMENT_GAP * last.size.max(segment.size);
                if lone_marker && segment.x0 - last.x1 < 4.0 * segment.size {
                    let marker_x = last.x0;
                    let marker = std::mem::take(&mut last.text);
                    *last = Segment {
                        marker: Some(marker),
                        marker_x,
                        x0: marker_x,
                        ..segment
                    };
                    continue;
                }
                if close {
                    append(last, segment);
                    continue;
                }
            }
            merged.push(segment);
        }
        row.segments = merged;
    }
    rows
}

fn append(to: &mut Segment, next: Segment) {
    let offset = if to.text.is_empty() || next.text.is_empty() {
        to.text.len()
    } else {
        to.text.push(' ');
        to.text.len()
    };
    to.text.push_str(&next.text);
    for (s, e) in next.bold {
        let (s, e) = (s + offset, e + offset);
        match to.bold.last_mut() {
            Some((_, end)) if to.text[*end..s].trim().is_empty() => *end = e,
            _ => to.bold.push((s, e)),
        }
    }
    to.x1 = next.x1;
    to.size = to.size.max(next.size);
}

/// "3", "- 3 -", "Page 3", "Page 3 of 7", "3 / 7", "Page 1 sur 1",
/// "Página 2 de 5", "p. 3": a page number and nothing else.
pub fn is_page_number(text: &str) -> bool {
    let folded = text.trim().to_lowercase();
    let words: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | '/' | '|' | '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let numbers = words
        .iter()
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .count();
    let others_allowed = words.iter().all(|w| {
        w.chars().all(|c| c.is_ascii_digit())
            || matches!(
                *w,
                "page" | "p" | "pg" | "of" | "sur" | "de" | "página" | "pagina" | "von" | "seite"
            )
    });
    (1..=2).contains(&numbers) && others_allowed && words.len() <= 4
}

/// A row's text with digits masked, to find the same running header on
/// every page ("Page 2 of 3" and "Page 3 of 3" are one).
fn masked(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Drops running headers, footers and page numbers, by where they sit:
/// rows in the outer band of the page (the margin word processors set them
/// in); rows at the top or bottom of a page repeated at the same height on
/// other pages (digits aside); and a page number alone at the top or bottom
/// of the page. Returns what was dropped, per page.
pub fn drop_furniture(pages: &mut [PageRows]) -> Vec<Vec<String>> {
    let edge_rows = |page: &PageRows| -> Vec<usize> {
        let n = page.rows.len();
        let mut edges: Vec<usize> = (0..n.min(2)).collect();
        edges.extend(n.saturating_sub(2)..n);
        edges.sort_unstable();
        edges.dedup();
        edges
    };
    // Masked text and height of every edge row of every page.
    let mut seen: Vec<(usize, String, f32)> = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        for i in edge_rows(page) {
            let row = &page.rows[i];
            seen.push((index, masked(&row.text()), row.y));
        }
    }
    let mut dropped = Vec::new();
    for (index, page) in pages.iter_mut().enumerate() {
        let n = page.rows.len();
        let height = page.height.max(1.0);
        let mut drop = vec![false; n];
        for i in edge_rows(page) {
            let row = &page.rows[i];
            let top = row.y - row.size;
            let at_top = i < 2 && i + 1 < n;
            // Furniture stands apart from the text: more than two lines'
            // space from its neighbour towards the middle of the page (a
            // title's lines in a large size do not).
            let apart = if at_top || n == 1 {
                page.rows
                    .get(i + 1)
                    .is_none_or(|next| next.y - row.y > 1.8 * row.size)
            } else {
                row.y - page.rows[i - 1].y > 1.8 * row.size
            };
            let in_band = apart
                && (at_top && row.y < MARGIN_BAND * height + row.size * 0.5
                    || !at_top && top > (1.0 - MARGIN_BAND) * height);
            let key = masked(&row.text());
            let repeated = seen
                .iter()
                .any(|(p, t, y)| *p != index && *t == key && (y - row.y).abs() < 3.0);
            if in_band || repeated || apart && is_page_number(&row.text()) {
                drop[i] = true;
            }
        }
        let mut texts = Vec::new();
        let mut keep = drop.iter().map(|d| !d);
        page.rows.retain(|row| {
            let kept = keep.next().unwrap_or(true);
            if !kept {
                texts.push(row.text());
            }
            kept
        });
        dropped.push(texts);
    }
    dropped
}

/// A line in reading order, with what paragraphs are told from.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub bold: Vec<(usize, usize)>,
    pub marker: Option<String>,
    pub marker_x: f32,
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub first_word: f32,
    pub page: usize,
    /// The column this line was read in, as (page, band, column): a change
    /// is a break in the flow (a new column or page).
    pub flow: (usize, usize, usize),
    /// Right edge of the text in this column.
    pub right: f32,
    /// Cells of a table row or fields set at tab stops, joined: a row of
    /// its own, never joined to the next.
    pub cells: bool,
    /// The label cell of a form's row (a two-column table whose left cells
    /// are short labels).
    pub label: bool,
    /// In a cell of a form: never carried on from another cell.
    pub in_cell: bool,
}

/// A page's rows in reading order: a band of rows split by a gutter is read
/// left column first, then right; other rows top to bottom.
pub fn reading_order(page: PageRows, index: usize, right_margin: f32) -> Vec<Line> {
    // Where the bands are, found on the rows as they stand; then the rows
    // are taken apart (moved, not copied: only one copy of a page's text
    // is alive at a time).
    let mut bands = Vec::new();
    let mut i = 0;
    while i < page.rows.len() {
        // Columns first: a narrow column's lines are as short as labels.
        match column_band(&page.rows, i, page.width)
            .or_else(|| form_table(&page.rows, i, page.width).map(|(end, x)| (end, -x)))
        {
            Some((end, gutter)) => {
                bands.push((i, end, Some(gutter)));
                i = end;
            }
            None => {
                bands.push((i, i + 1, None));
                i += 1;
            }
        }
    }
    let mut rows = page.rows.into_iter();
    let mut lines = Vec::new();
    let mut band = 0;
    for (start, end, gutter) in bands {
        let taken: Vec<Row> = rows.by_ref().take(end - start).collect();
        match gutter {
            // A form: label cells and answer cells, row by row.
            Some(negative) if negative < 0.0 => {
                let right_x = -negative;
                // Each column's right edge is where its longest line ends.
                let edge = |left: bool| {
                    taken
                        .iter()
                        .flat_map(|r| &r.segments)
                        .filter(|s| (s.x0 < right_x - 2.0) == left)
                        .map(|s| s.x1)
                        .fold(0.0, f32::max)
                };
                let (labels_edge, answers_edge) = (edge(true), edge(false));
                band += 1;
                let mut cell = 0;
                let mut answers: Vec<Line> = Vec::new();
                for row in taken {
                    let (left, right): (Vec<Segment>, Vec<Segment>) =
                        row.segments.into_iter().partition(|s| s.x0 < right_x - 2.0);
                    let carries_on = left
                        .first()
                        .is_some_and(|s| s.text.chars().next().is_some_and(char::is_lowercase));
                    if !left.is_empty() && !carries_on {
                        lines.append(&mut answers);
                        cell += 2;
                    }
                    for s in left {
                        let mut l = line(s, index, (index, band, cell), labels_edge);
                        l.label = true;
                        l.in_cell = true;
                        lines.push(l);
                    }
                    for s in right {
                        let mut l = line(s, index, (index, band, cell + 1), answers_edge);
                        l.in_cell = true;
                        answers.push(l);
                    }
                }
                lines.append(&mut answers);
            }
            Some(gutter) => {
                band += 1;
                let (left, right): (Vec<Segment>, Vec<Segment>) = taken
                    .into_iter()
                    .flat_map(|r| r.segments)
                    .partition(|s| s.x0 < gutter);
                for (column, segments) in [left, right].into_iter().enumerate() {
                    let edge = segments.iter().map(|s| s.x1).fold(0.0, f32::max);
                    for s in segments {
                        lines.push(line(s, index, (index, band, column + 1), edge));
                    }
                }
            }
            None => {
                for row in taken {
                    let cells = row.segments.len() > 1;
                    let mut segments = row.segments.into_iter();
                    if let Some(mut joined) = segments.next() {
                        for s in segments {
                            append(&mut joined, s);
                        }
                        let mut joined = line(joined, index, (index, band, 0), right_margin);
                        joined.cells = cells;
                        lines.push(joined);
                    }
                }
            }
        }
    }
    lines
}

fn line(s: Segment, page: usize, flow: (usize, usize, usize), right: f32) -> Line {
    Line {
        right: right.max(s.x1),
        text: s.text,
        bold: s.bold,
        marker: s.marker,
        marker_x: s.marker_x,
        x0: s.x0,
        x1: s.x1,
        y: s.y,
        size: s.size,
        first_word: s.first_word,
        page,
        flow,
        cells: false,
        label: false,
        in_cell: false,
    }
}

/// A form from `start`: a two-column table whose left cells are short
/// labels (bold, or a few words, or ending in a colon or question mark) at
/// one left edge and whose answers start at one right edge, with at least
/// two rows that have both. Word and LibreOffice set the IGF reporting
/// forms this way. Returns the end of the table and where answers start.
fn form_table(rows: &[Row], start: usize, width: f32) -> Option<(usize, f32)> {
    let first = rows.get(start)?;
    let [label, answer] = first.segments.as_slice() else {
        return None;
    };
    let (left_x, right_x) = (label.x0, answer.x0);
    if right_x < 0.3 * width || right_x > 0.75 * width {
        return None;
    }
    let is_label = |s: &Segment| {
        let words = s.text.split_whitespace().count();
        let all_bold = s
            .bold
            .first()
            .is_some_and(|&(a, b)| a == 0 && b >= s.text.trim_end().len());
        words <= 40 && (all_bold || words <= 8 || s.text.trim_end().ends_with([':', '?']))
    };
    let fits = |row: &Row| {
        row.segments.iter().all(|s| {
            let in_left = (s.x0 - left_x).abs() < 2.0 && s.x1 < right_x - 2.0 && is_label(s);
            in_left || s.x0 >= right_x - 2.0
        })
    };
    let mut end = start;
    let mut both = 0;
    while let Some(row) = rows.get(end) {
        if !fits(row) {
            break;
        }
        if row.segments.len() == 2 {
            both += 1;
        }
        end += 1;
    }
    (both >= 2).then_some((end, right_x))
}

/// A band of rows from `start` that a gutter splits in two columns: at least
/// three rows with text on both sides of it, no row crossing it, and a left
/// column whose lines run up to the gutter (a form's short labels do not,
/// so a two-column table is not read as columns). Returns the end of the
/// band and the gutter's left edge.
fn column_band(rows: &[Row], start: usize, width: f32) -> Option<(usize, f32)> {
    let split = |row: &Row| -> Option<(f32, f32)> {
        row.segments.windows(2).find_map(|pair| {
            let (l, r) = (&pair[0], &pair[1]);
            let middle = r.x0 > 0.3 * width && l.x1 < 0.7 * width;
            middle.then_some((l.x1, r.x0))
        })
    };
    let (left_end, right_start) = split(rows.get(start)?)?;
    // A line of the left column may run into the gutter up to where the
    // right column starts; a line across the page runs past that.
    let crosses = |row: &Row, _lo: f32, hi: f32| {
        row.segments
            .iter()
            .any(|s| s.x0 < hi - 1.0 && s.x1 > hi + 1.0)
    };
    let mut lo = left_end;
    let mut hi = right_start;
    let mut end = start + 1;
    let mut both_sides = 1;
    while let Some(row) = rows.get(end) {
        if let Some((l, r)) = split(row) {
            let (new_lo, new_hi) = (lo.max(l), hi.min(r));
            if new_hi - new_lo < 0.5 * row.size || crosses(row, new_lo, new_hi) {
                break;
            }
            lo = new_lo;
            hi = new_hi;
            both_sides += 1;
        } else if crosses(row, lo, hi) {
            break;
        }
        end += 1;
    }
    if both_sides < 3 {
        return None;
    }
    // The left column's lines reach near the gutter.
    let left: Vec<&Segment> = rows[start..end]
        .iter()
        .flat_map(|r| &r.segments)
        .filter(|s| s.x0 < hi - 1.0)
        .collect();
    let left_x0 = left.iter().map(|s| s.x0).fold(f32::MAX, f32::min);
    let full = left
        .iter()
        .filter(|s| s.x1 >= hi - 0.35 * (hi - left_x0))
        .count();
    (full * 2 >= left.len()).then_some((end, hi - 1.0))
}

/// The paragraphs of a document's lines, as the summary reader's blocks.
/// `line` numbers count the lines read, from 1.
pub fn blocks(lines: &[Line], warnings: &mut Vec<(usize, String)>) -> Vec<Block> {
    let body = dominant_size(lines.iter().map(|l| (l.size, l.text.len())));
    // Line pitch as a share of the size, the most common between lines of
    // one paragraph-less flow: the leading a paragraph's lines keep.
    let pitch = typical_pitch(lines);
    let mut heading_sizes: Vec<f32> = Vec::new();
    for l in lines {
        if l.size > body * 1.12 && !heading_sizes.iter().any(|s| (s - l.size).abs() < 0.5) {
            heading_sizes.push(l.size);
        }
    }
    heading_sizes.sort_by(|a, b| b.total_cmp(a));
    let mut marker_xs: Vec<f32> = Vec::new();
    for l in lines.iter().filter(|l| l.marker.is_some()) {
        if !marker_xs.iter().any(|x| (x - l.marker_x).abs() < 4.0) {
            marker_xs.push(l.marker_x);
        }
    }
    marker_xs.sort_by(f32::total_cmp);

    let mut out: Vec<Block> = Vec::new();
    let mut open: Option<(Block, &Line, f32)> = None; // block, last line, size
    for (index, l) in lines.iter().enumerate() {
        let number = index + 1;
        let heading = l.size > body * 1.12;
        let continues = match &open {
            None => None,
            Some((block, prev, size)) => {
                let same_size = (l.size - size).abs() <= 0.08 * size;
                let same_flow = prev.flow == l.flow;
                let gap = l.y - prev.y;
                let other_cell =
                    (l.in_cell || prev.in_cell) && l.flow != prev.flow && l.page == prev.page;
                if l.marker.is_some() || !same_size || l.cells || prev.cells || other_cell {
                    None
                } else if same_flow {
                    let spaced = gap > pitch * l.size.max(prev.size) * 1.2 + 0.5 || gap <= 0.0;
                    // The first word would have fitted on the line above:
                    // that line ended its paragraph.
                    let room = prev.right - prev.x1;
                    let ended = room > l.first_word + 0.5 * l.size;
                    let label_above = block.all_bold()
                        && !l
                            .bold
                            .first()
                            .is_some_and(|&(s, e)| s == 0 && e == l.text.len())
                        && room > 0.3 * (prev.right - prev.x0);
                    let outdented = block.role == Role::Item && l.x0 < prev.x0 - 0.5 * l.size;
                    (!(spaced || ended || label_above || outdented)).then_some(false)
                } else {
                    // A new column or page: the paragraph carries on if it
                    // stopped mid-sentence or the line starts in lower case.
                    let open_end = !block
                        .text
                        .trim_end()
                        .ends_with(['.', '!', '?', ':', ';', ')', '"', '”', '’', '»']);
                    let lower = l.text.chars().next().is_some_and(char::is_lowercase);
                    let prose = matches!(block.role, Role::Text | Role::Item) && !heading;
                    (prose && (open_end || lower)).then_some(true)
                }
            }
        };
        if let Some(across) = continues {
            let (block, _, _) = open.as_mut().expect("an open block");
            if across {
                warnings.push((
                    number,
                    format!(
                        "joined this line to the paragraph of line {} across a page or column break",
                        block.line
                    ),
                ));
            }
            join(block, l, number, warnings);
            let size = open.as_ref().map_or(l.size, |o| o.2);
            let block = open.take().expect("an open block").0;
            open = Some((block, l, size));
            continue;
        }
        if let Some((block, _, _)) = open.take() {
            out.push(block);
        }
        let gap_before = match out.last() {
            None => true,
            Some(_) => {
                let prev = &lines[index - 1];
                prev.flow != l.flow
                    || l.y - prev.y > pitch * l.size.max(prev.size) * 1.2 + 0.5
                    || l.marker.is_some()
            }
        };
        let role = if l.label {
            Role::Label
        } else if l.marker.is_some() {
            Role::Item
        } else if heading {
            let rank = heading_sizes
                .iter()
                .position(|s| (s - l.size).abs() < 0.5)
                .unwrap_or(0);
            Role::Heading((rank + 1).min(6) as u8)
        } else {
            Role::Text
        };
        let level = if l.marker.is_some() {
            marker_xs
                .iter()
                .position(|x| (x - l.marker_x).abs() < 4.0)
                .unwrap_or(0)
                .min(8) as u8
        } else {
            0
        };
        open = Some((
            Block {
                line: number,
                role,
                text: l.text.clone(),
                bold: l.bold.clone(),
                level,
                gap_before,
            },
            l,
            l.size,
        ));
    }
    if let Some((block, _, _)) = open {
        out.push(block);
    }
    for block in &mut out {
        block.text = block.text.replace('\u{AD}', "");
    }
    out
}

/// The most common line pitch between consecutive lines of one size in one
/// flow, as a share of the size (1.15–1.4 in word processors).
fn typical_pitch(lines: &[Line]) -> f32 {
    let mut counts: Vec<(f32, usize)> = Vec::new();
    for pair in lines.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.flow != b.flow || (a.size - b.size).abs() > 0.1 || a.size <= 0.0 {
            continue;
        }
        let ratio = (b.y - a.y) / a.size;
        if !(0.8..=3.0).contains(&ratio) {
            continue;
        }
        match counts.iter_mut().find(|(r, _)| (r - ratio).abs() < 0.04) {
            Some((_, n)) => *n += 1,
            None => counts.push((ratio, 1)),
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)))
        .map_or(1.2, |(r, _)| r)
}

/// Appends a line to a paragraph: a word hyphenated at the line end is
/// mended when the line goes on in lower case ("commu-" / "nication"); a
/// capitalised compound keeps its hyphen ("E-" / "Government").
fn join(block: &mut Block, l: &Line, number: usize, warnings: &mut Vec<(usize, String)>) {
    let text = &mut block.text;
    let next_lower = l.text.chars().next().is_some_and(char::is_lowercase);
    let ends_hyphen =
        text.ends_with('-') && text.chars().rev().nth(1).is_some_and(char::is_alphabetic);
    let offset;
    if text.ends_with('\u{AD}') {
        text.pop();
        offset = text.len();
    } else if ends_hyphen && next_lower {
        text.pop();
        let word_start = text.rfind(' ').map_or(0, |i| i + 1);
        let first = l.text.split(' ').next().unwrap_or_default();
        warnings.push((
            number,
            format!(
                "joined '{}-' and '{first}' hyphenated across lines",
                &text[word_start..]
            ),
        ));
        offset = text.len();
    } else if ends_hyphen {
        offset = text.len();
    } else {
        text.push(' ');
        offset = text.len();
    }
    // A bold range cut at the end of the hyphenated word stays in bounds.
    for range in &mut block.bold {
        range.1 = range.1.min(offset);
    }
    text.push_str(&l.text);
    for &(s, e) in &l.bold {
        let (s, e) = (s + offset, e + offset);
        match block.bold.last_mut() {
            Some((_, end)) if block.text[*end..s].trim().is_empty() => *end = e,
            _ => block.bold.push((s, e)),
        }
    }
    block.bold.retain(|(s, e)| s < e);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_in_the_forms_footers_take() {
        for text in [
            "3",
            "- 3 -",
            "Page 3",
            "Page 3 of 7",
            "3 / 7",
            "Page 1 sur 1",
            "Página 2 de 5",
        ] {
            assert!(is_page_number(text), "{text}");
        }
        for text in [
            "Page 3 of the report",
            "2023 Outcome",
            "Key issues",
            "1 2 3 4 5",
        ] {
            assert!(!is_page_number(text), "{text}");
        }
    }

    #[test]
    fn list_numbers_are_told_from_words() {
        for text in ["1.", "12)", "a)", "(a)", "iv.", "2.1."] {
            assert!(is_number_marker(text), "{text}");
        }
        for text in ["Dr.", "2030", "word", "(UNCTAD)"] {
            assert!(!is_number_marker(text), "{text}");
        }
    }

    #[test]
    fn right_to_left_runs_are_put_in_writing_order() {
        // "محمد (ITU)" as a page shows it: the Arabic letters left to right.
        let visual: Vec<(char, bool)> = "دمحم بن (ITU)".chars().map(|c| (c, false)).collect();
        let mut chars = visual;
        logical_order(&mut chars);
        let text: String = chars.into_iter().map(|(c, _)| c).collect();
        assert_eq!(text, "نب محمد (ITU)");
    }

    fn glyphs(x: f32, y: f32, text: &str, bold: bool) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                text: c.to_string(),
                x: x + i as f32 * 5.5,
                y,
                width: 5.5,
                size: 11.0,
                bold,
                symbol: false,
            })
            .collect()
    }

    #[test]
    fn bold_runs_and_spaces_come_from_the_glyphs() {
        let mut all = glyphs(71.0, 100.0, "Ms. Ana Ruiz", true);
        // A run set apart by a word space's width, without a space glyph.
        all.extend(glyphs(71.0 + 12.0 * 5.5 + 3.0, 100.0, "said so.", false));
        let page = page_rows(&all, 595.0, 842.0);
        let segment = &page.rows[0].segments[0];
        assert_eq!(segment.text, "Ms. Ana Ruiz said so.");
        assert_eq!(segment.bold, [(0, 12)]);
    }
}
