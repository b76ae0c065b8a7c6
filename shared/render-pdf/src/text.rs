//! Paragraph setting: styled spans in, positioned glyph lines out.
//!
//! Per paragraph: resolve bidirectional levels (UAX #9), give every character
//! a face from the fallback chain, shape each run of one face, style and level
//! with rustybuzz, break lines at UAX #14 opportunities by measuring the shaped
//! advances, then reorder each line visually and justify it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use rustybuzz::{BufferClusterLevel, Direction, Script, ShapePlan, UnicodeBuffer};
use unicode_bidi::{Level, ParagraphBidiInfo};
use unicode_linebreak::{BreakOpportunity, linebreaks};

use crate::PdfError;
use crate::fonts::{Face, Fonts, Weight};

/// An sRGB colour, components 0–1.
pub type Rgb = [f32; 3];

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub weight: Weight,
    pub size: f32,
    pub color: Rgb,
}

/// A piece of a paragraph in one style; `link` makes it a clickable URL.
#[derive(Debug, Clone)]
pub struct Span {
    pub text: String,
    pub style: Style,
    pub link: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Flush to both margins, except the last line.
    Justify,
    /// Flush to the start side of the paragraph's direction.
    Start,
}

/// One set line: glyph runs positioned from the line's left edge.
#[derive(Clone)]
pub struct Line {
    pub runs: Vec<GlyphRun>,
    /// From the left edge to the end of the last glyph.
    pub width: f32,
    pub links: Vec<LinkBox>,
    /// The text the glyphs' `text` ranges point into.
    pub text: Rc<str>,
}

/// Glyphs of one face, size and colour, on one baseline.
#[derive(Clone)]
pub struct GlyphRun {
    pub face: &'static Face,
    pub size: f32,
    pub color: Rgb,
    pub glyphs: Vec<PlacedGlyph>,
}

#[derive(Debug, Clone)]
pub struct PlacedGlyph {
    pub id: u16,
    /// Pen position of the glyph's origin from the line's left edge, in points.
    pub x: f32,
    /// Raise above the baseline (marks), in points.
    pub y: f32,
    /// The characters this glyph stands for, for copy and search; empty for
    /// the second and later glyphs of one character. As u32 offsets (a
    /// paragraph is far below 4 GiB under the input limits): a whole
    /// document's glyphs are held until it is written, and this makes a
    /// glyph 20 bytes rather than 32 (a 100k-bullet summary: 7.5 million).
    pub text: Range<u32>,
    /// The glyph is a ligature of a right-to-left run (Arabic lam-alef): text
    /// extractors read a glyph's characters left to right and then reverse the
    /// right-to-left line, so its characters are recorded in visual order to
    /// come back out in logical order.
    pub reversed: bool,
}

/// A clickable area of a line: `x0..x1` from the line's left edge.
#[derive(Clone)]
pub struct LinkBox {
    pub x0: f32,
    pub x1: f32,
    pub size: f32,
    pub target: String,
}

/// A run of one span, face and bidi level, as shaped.
struct Shaped {
    range: Range<usize>,
    span: usize,
    face: &'static Face,
    /// In visual order (rustybuzz reverses right-to-left runs).
    glyphs: Vec<ShapedGlyph>,
}

struct ShapedGlyph {
    id: u16,
    cluster: usize,
    text: Range<usize>,
    reversed: bool,
    advance: f32,
    dx: f32,
    dy: f32,
}

/// Sets `spans` as lines of at most `width` points.
pub fn set_paragraph(
    spans: &[Span],
    width: f32,
    align: Align,
    fonts: &Fonts,
) -> Result<Vec<Line>, PdfError> {
    let mut text = String::new();
    let mut span_ranges = Vec::with_capacity(spans.len());
    for span in spans {
        let start = text.len();
        // Control characters draw nothing and would split the bidi paragraph;
        // the model's text has whitespace normalised, so this is belt and braces.
        text.extend(
            span.text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c }),
        );
        span_ranges.push(start..text.len());
    }
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    // Below the Hebrew block no character is right to left or changes the
    // direction, so such a paragraph is left to right throughout; resolving
    // it anyway (a table lookup per character) was a twentieth of a rendering.
    let bidi = text
        .chars()
        .any(|c| c >= '\u{0590}')
        .then(|| ParagraphBidiInfo::new(&text, None));
    let all_ltr;
    let levels = match &bidi {
        Some(bidi) => &bidi.levels,
        None => {
            all_ltr = vec![Level::ltr(); text.len()];
            &all_ltr
        }
    };
    let shaped = shape_runs(&text, spans, &span_ranges, levels, fonts)?;

    // Advance of everything that starts at each byte, as a prefix sum, so any
    // range is measured in O(1) while looking for breaks.
    let mut prefix = vec![0.0f32; text.len() + 1];
    let mut cluster_start = vec![false; text.len() + 1];
    for run in &shaped {
        for g in &run.glyphs {
            prefix[g.cluster + 1] += g.advance;
            cluster_start[g.cluster] = true;
        }
    }
    for i in 1..prefix.len() {
        prefix[i] += prefix[i - 1];
    }
    let measure = |a: usize, b: usize| prefix[b] - prefix[a];

    let ranges = break_lines(&text, width, &measure, &cluster_start);
    let text_rc: Rc<str> = Rc::from(text.as_str());
    let last = ranges.len().saturating_sub(1);
    let para_rtl = bidi.as_ref().is_some_and(|b| b.paragraph_level.is_rtl());
    // Lines without their trailing spaces, with their index among all lines.
    let set_ranges: Vec<(usize, Range<usize>)> = ranges
        .into_iter()
        .enumerate()
        .filter_map(|(i, range)| {
            let end = trim_end(&text, range.start, range.end);
            (end != range.start).then_some((i, range.start..end))
        })
        .collect();
    let line_glyphs = glyphs_by_line(&shaped, &set_ranges);
    let mut lines = Vec::with_capacity(set_ranges.len());
    for ((i, range), glyphs) in set_ranges.into_iter().zip(line_glyphs) {
        let end = range.end;
        let natural = measure(range.start, end);
        let spaces = text[range.start..end].matches(' ').count();
        let body_size = spans[0].style.size;
        let mut extra = 0.0;
        if align == Align::Justify && i != last && spaces > 0 {
            let per_space = (width - natural) / spaces as f32;
            // A line with a few words and a long URL after it would open
            // rivers; such a line stays ragged instead.
            if per_space <= body_size * 0.6 {
                extra = per_space.max(0.0);
            }
        }
        let set_width = natural + extra * spaces as f32;
        let offset = if para_rtl { width - set_width } else { 0.0 };
        lines.push(place_line(
            &text,
            &text_rc,
            bidi.as_ref(),
            range.start..end,
            &shaped,
            &glyphs,
            spans,
            offset,
            extra,
        ));
    }
    Ok(lines)
}

/// Each line's glyphs as (run, glyph) indexes, by run and in visual order
/// within it, found by one binary search per glyph. Placing a line used to
/// scan every glyph of every run it touched, and a paragraph of one run
/// has one run: a paragraph of n glyphs on n/80 lines cost n²/80 steps
/// (100k words took 14 s, a 1.9 MB word 240 s; issue 12).
fn glyphs_by_line(shaped: &[Shaped], lines: &[(usize, Range<usize>)]) -> Vec<Vec<(u32, u32)>> {
    let mut by_line = vec![Vec::new(); lines.len()];
    for (r, run) in shaped.iter().enumerate() {
        for (g, glyph) in run.glyphs.iter().enumerate() {
            let line = lines.partition_point(|(_, range)| range.end <= glyph.cluster);
            if lines
                .get(line)
                .is_some_and(|(_, range)| range.start <= glyph.cluster)
            {
                count_work(1);
                by_line[line].push((r as u32, g as u32));
            }
        }
    }
    by_line
}

/// The bidi runs of one line in visual order, each with its level. The
/// crate's `visual_runs` copies the levels of the whole paragraph for every
/// line (quadratic in a paragraph's length); its line reordering only reads
/// the line's own classes and levels, so it is given a paragraph of the
/// line alone, with the levels resolved over the whole paragraph.
fn line_visual_runs(
    bidi: &ParagraphBidiInfo<'_>,
    range: &Range<usize>,
) -> (Vec<Level>, Vec<Range<usize>>) {
    count_work(range.len());
    let line = ParagraphBidiInfo {
        text: &bidi.text[range.clone()],
        original_classes: bidi.original_classes[range.clone()].to_vec(),
        levels: bidi.levels[range.clone()].to_vec(),
        paragraph_level: bidi.paragraph_level,
        is_pure_ltr: bidi.is_pure_ltr,
    };
    let (levels, runs) = line.visual_runs(0..range.len());
    let runs = runs
        .into_iter()
        .map(|run| run.start + range.start..run.end + range.start)
        .collect();
    (levels, runs)
}

#[cfg(test)]
thread_local! {
    /// Steps of line placement done on this thread, for the test that keeps
    /// paragraph setting linear.
    static WORK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
fn count_work(steps: usize) {
    WORK.set(WORK.get() + steps);
}

#[cfg(not(test))]
fn count_work(_: usize) {}

/// Itemises the text into runs of one span, face and level, and shapes each.
fn shape_runs(
    text: &str,
    spans: &[Span],
    span_ranges: &[Range<usize>],
    levels: &[Level],
    fonts: &Fonts,
) -> Result<Vec<Shaped>, PdfError> {
    let mut runs: Vec<(Range<usize>, usize, &'static Face, Level)> = Vec::new();
    for (span_index, range) in span_ranges.iter().enumerate() {
        let weight = spans[span_index].style.weight;
        for (offset, c) in text[range.clone()].char_indices() {
            let at = range.start + offset;
            let level = levels[at];
            let current = runs
                .last()
                .filter(|(r, s, _, l)| r.end == at && *s == span_index && *l == level)
                .map(|(_, _, face, _)| *face);
            let face = match current {
                Some(face) if keeps_face(face, c) => face,
                _ if is_default_ignorable(c) || c == ' ' => {
                    current.unwrap_or_else(|| Fonts::primary(weight))
                }
                _ => fonts.face_for(weight, c)?,
            };
            match runs.last_mut() {
                Some((r, s, f, l))
                    if r.end == at && *s == span_index && *l == level && std::ptr::eq(*f, face) =>
                {
                    r.end = at + c.len_utf8();
                }
                _ => runs.push((at..at + c.len_utf8(), span_index, face, level)),
            }
        }
    }
    runs.into_iter()
        .map(|(range, span, face, level)| shape(text, range, span, face, level, spans))
        .collect()
}

/// Whether `c` may stay in the current run's face rather than restart the
/// fallback chain: marks must be shaped with their base, and spaces and
/// punctuation belong with the script around them.
fn keeps_face(face: &Face, c: char) -> bool {
    is_default_ignorable(c) || ((!c.is_alphabetic() || is_mark(c)) && face.covers(c))
}

fn shape(
    text: &str,
    range: Range<usize>,
    span: usize,
    face: &'static Face,
    level: Level,
    spans: &[Span],
) -> Result<Shaped, PdfError> {
    let rtl = level.is_rtl();
    let scale = spans[span].style.size / face.units_per_em;
    // Words are shaped one by one (each with the spaces after it), so that
    // a word shaped once is reused by later paragraphs and summaries on this
    // thread; in visual order a right-to-left run's words come last to first.
    let mut words: Vec<(usize, Rc<[WordGlyph]>)> = text[range.clone()]
        .split_inclusive(' ')
        .scan(range.start, |at, word| {
            let start = *at;
            *at += word.len();
            Some((start, shape_word(face, rtl, word)))
        })
        .collect();
    if rtl {
        words.reverse();
    }

    let mut seen = vec![false; range.len()];
    let mut glyphs = Vec::with_capacity(range.len());
    for (word_start, word_glyphs) in &words {
        for g in word_glyphs.iter() {
            let cluster = word_start + g.cluster as usize;
            let chars = &text[cluster..word_start + g.cluster_end as usize];
            if chars.chars().all(is_default_ignorable) {
                // Joiners and direction marks have done their work in shaping.
                continue;
            }
            if g.id == 0 {
                let c = chars.chars().next().unwrap_or(' ');
                return Err(PdfError::NoGlyph {
                    character: c,
                    font: face.name.clone(),
                });
            }
            let first = !std::mem::replace(&mut seen[cluster - range.start], true);
            glyphs.push(ShapedGlyph {
                id: g.id,
                cluster,
                text: if first {
                    cluster..cluster + chars.len()
                } else {
                    cluster..cluster
                },
                reversed: rtl && chars.chars().nth(1).is_some(),
                advance: g.advance as f32 * scale,
                dx: g.dx as f32 * scale,
                dy: g.dy as f32 * scale,
            });
        }
    }
    Ok(Shaped {
        range,
        span,
        face,
        glyphs,
    })
}

/// A glyph of a shaped word, in font units; `cluster..cluster_end` are the
/// bytes of the word it stands for.
#[derive(Clone, Copy)]
struct WordGlyph {
    id: u16,
    cluster: u32,
    cluster_end: u32,
    advance: i32,
    dx: i32,
    dy: i32,
}

/// Shaped words of this thread: summaries share most of their words, and
/// shaping is most of the time it takes to set text. Bounded, and emptied
/// when full, so memory stays flat; what is cached never changes a result.
struct WordCache {
    /// Per face (by address) and direction, the words shaped with it.
    words: HashMap<(usize, bool), ShapedWords>,
    len: usize,
    /// Shaping plans per face, direction and script: making one costs more
    /// than shaping a word with it.
    plans: HashMap<(usize, bool, Script), ShapePlan>,
    /// The shaper's buffer, kept between words to save its allocations.
    buffer: Option<UnicodeBuffer>,
}

type ShapedWords = HashMap<Box<str>, Rc<[WordGlyph]>>;

const WORD_CACHE_LIMIT: usize = 50_000;

thread_local! {
    static WORD_CACHE: RefCell<WordCache> = RefCell::new(WordCache {
        words: HashMap::new(),
        len: 0,
        plans: HashMap::new(),
        buffer: None,
    });
}

fn shape_word(face: &'static Face, rtl: bool, word: &str) -> Rc<[WordGlyph]> {
    WORD_CACHE.with_borrow_mut(|cache| {
        let key = (std::ptr::from_ref(face) as usize, rtl);
        if let Some(glyphs) = cache.words.get(&key).and_then(|words| words.get(word)) {
            return Rc::clone(glyphs);
        }
        let mut buffer = cache.buffer.take().unwrap_or_default();
        buffer.push_str(word);
        let direction = if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        };
        buffer.set_direction(direction);
        // One cluster per character where the font allows, so that each
        // glyph maps back to exactly its own characters in the ToUnicode map.
        buffer.set_cluster_level(BufferClusterLevel::Characters);
        buffer.guess_segment_properties();
        let script = buffer.script();
        let plan = cache.plans.entry((key.0, rtl, script)).or_insert_with(|| {
            // As rustybuzz::shape plans it: no script if none was found.
            let known = (script != rustybuzz::script::UNKNOWN).then_some(script);
            ShapePlan::new(&face.shaper, direction, known, None, &[])
        });
        let output = rustybuzz::shape_with_plan(&face.shaper, plan, buffer);

        // The characters of a glyph run from its cluster to the next larger one.
        let mut clusters: Vec<u32> = output.glyph_infos().iter().map(|g| g.cluster).collect();
        clusters.sort_unstable();
        clusters.dedup();
        let glyphs: Rc<[WordGlyph]> = output
            .glyph_infos()
            .iter()
            .zip(output.glyph_positions())
            .map(|(info, pos)| {
                let next = clusters.partition_point(|&c| c <= info.cluster);
                WordGlyph {
                    id: info.glyph_id as u16,
                    cluster: info.cluster,
                    cluster_end: clusters.get(next).copied().unwrap_or(word.len() as u32),
                    advance: pos.x_advance,
                    dx: pos.x_offset,
                    dy: pos.y_offset,
                }
            })
            .collect();
        cache.buffer = Some(output.clear());

        if cache.len >= WORD_CACHE_LIMIT {
            cache.words.clear();
            cache.len = 0;
        }
        cache
            .words
            .entry(key)
            .or_default()
            .insert(word.into(), Rc::clone(&glyphs));
        cache.len += 1;
        glyphs
    })
}

/// Greedy line breaking at UAX #14 opportunities; a piece with no opportunity
/// that is wider than the measure (a long URL, a title of one 2,000-character
/// word) is cut between clusters.
fn break_lines(
    text: &str,
    width: f32,
    measure: &impl Fn(usize, usize) -> f32,
    cluster_start: &[bool],
) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut candidate: Option<usize> = None;
    for (pos, opportunity) in linebreaks(text) {
        while measure(start, trim_end(text, start, pos)) > width {
            match candidate.take() {
                Some(c) if c > start => {
                    lines.push(start..c);
                    start = c;
                }
                _ => {
                    let cut = fit(start, pos, width, measure, cluster_start);
                    lines.push(start..cut);
                    start = cut;
                }
            }
        }
        if opportunity == BreakOpportunity::Mandatory {
            if pos > start {
                lines.push(start..pos);
            }
            start = pos;
            candidate = None;
        } else {
            candidate = Some(pos);
        }
    }
    lines
}

/// The furthest cluster boundary after `start` (and before `end`) that fits,
/// at least one cluster so that breaking always progresses.
fn fit(
    start: usize,
    end: usize,
    width: f32,
    measure: &impl Fn(usize, usize) -> f32,
    cluster_start: &[bool],
) -> usize {
    let mut boundaries = (start + 1..end).filter(|&b| cluster_start[b]);
    match boundaries.next() {
        Some(first) => boundaries
            .take_while(|&b| measure(start, b) <= width)
            .last()
            .unwrap_or(first),
        None => end,
    }
}

/// Where a line ending at `end` ends once its trailing breakable spaces go.
fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start
        + text[start..end]
            .trim_end_matches(|c: char| {
                c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}')
            })
            .len()
}

#[allow(clippy::too_many_arguments)]
fn place_line(
    text: &str,
    text_rc: &Rc<str>,
    bidi: Option<&ParagraphBidiInfo>,
    range: Range<usize>,
    shaped: &[Shaped],
    glyphs: &[(u32, u32)],
    spans: &[Span],
    offset: f32,
    extra_per_space: f32,
) -> Line {
    let (levels, visual) = match bidi {
        Some(bidi) => line_visual_runs(bidi, &range),
        None => (Vec::new(), vec![range.clone()]),
    };
    let mut x = offset;
    let mut runs: Vec<GlyphRun> = Vec::new();
    let mut links: Vec<LinkBox> = Vec::new();
    for piece in visual {
        let rtl = levels
            .get(piece.start - range.start)
            .is_some_and(|l| l.is_rtl());
        // The line's glyphs of each run it has glyphs of, runs in logical order.
        let overlapping = glyphs.chunk_by(|a, b| a.0 == b.0).filter(|group| {
            let s = &shaped[group[0].0 as usize];
            s.range.start < piece.end && piece.start < s.range.end
        });
        let ordered: Vec<&[(u32, u32)]> = if rtl {
            overlapping.rev().collect()
        } else {
            overlapping.collect()
        };
        for group in ordered {
            let run = &shaped[group[0].0 as usize];
            let style = spans[run.span].style;
            let link = spans[run.span].link.as_ref();
            let run_x0 = x;
            let mut placed = Vec::new();
            count_work(group.len());
            let in_piece = group
                .iter()
                .map(|&(_, g)| &run.glyphs[g as usize])
                .filter(|g| piece.contains(&g.cluster));
            for g in in_piece {
                placed.push(PlacedGlyph {
                    id: g.id,
                    x: x + g.dx,
                    y: g.dy,
                    text: g.text.start as u32..g.text.end as u32,
                    reversed: g.reversed,
                });
                x += g.advance;
                if text.as_bytes()[g.cluster] == b' ' {
                    x += extra_per_space;
                }
            }
            if placed.is_empty() {
                continue;
            }
            if let Some(target) = link {
                match links.last_mut() {
                    Some(last) if last.target == *target && (last.x1 - run_x0).abs() < 0.01 => {
                        last.x1 = x
                    }
                    _ => links.push(LinkBox {
                        x0: run_x0,
                        x1: x,
                        size: style.size,
                        target: target.clone(),
                    }),
                }
            }
            match runs.last_mut() {
                Some(last)
                    if std::ptr::eq(last.face, run.face)
                        && last.size == style.size
                        && last.color == style.color =>
                {
                    last.glyphs.extend(placed)
                }
                _ => runs.push(GlyphRun {
                    face: run.face,
                    size: style.size,
                    color: style.color,
                    glyphs: placed,
                }),
            }
        }
    }
    Line {
        runs,
        width: x,
        links,
        text: Rc::clone(text_rc),
    }
}

/// Characters that have no glyph of their own (Unicode Default_Ignorable_Code_Point,
/// the ones that occur in text).
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Combining marks of the scripts this renderer sets (Unicode category M).
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{0591}'..='\u{05BD}' | '\u{05BF}'
        | '\u{05C1}' | '\u{05C2}' | '\u{05C4}' | '\u{05C5}' | '\u{05C7}' | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06DC}' | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}' | '\u{06E8}' | '\u{06EA}'..='\u{06ED}' | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{3099}' | '\u{309A}'
        | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::Weight;

    /// Steps taken to set one paragraph of `words` words.
    fn work_for(words: usize, sample: &str) -> usize {
        let vocabulary: Vec<&str> = sample.split(' ').collect();
        let text: Vec<&str> = vocabulary.iter().copied().cycle().take(words).collect();
        let spans = [Span {
            text: text.join(" "),
            style: Style {
                weight: Weight::Regular,
                size: 10.0,
                color: [0.0; 3],
            },
            link: None,
        }];
        let fonts = Fonts::new(None, "en");
        WORK.set(0);
        let lines = set_paragraph(&spans, 450.0, Align::Justify, &fonts).expect("sets");
        assert!(lines.len() > words / 40, "{} lines", lines.len());
        WORK.get()
    }

    /// Issue 12, defect 4: setting a paragraph took time quadratic in its
    /// length. The steps of line placement (glyphs looked at, bidi levels
    /// copied) must grow with the paragraph, not with its square: four
    /// times the words, at most about four times the steps (it was 16).
    #[test]
    fn setting_a_paragraph_is_linear_in_its_length() {
        for sample in [
            "the forum\u{2019}s delegates agreed that open data needs owners",
            "\u{05e9}\u{05dc}\u{05d5}\u{05dd} open data \u{05e2}\u{05d5}\u{05dc}\u{05dd} needs owners",
        ] {
            let small = work_for(2_000, sample);
            let large = work_for(8_000, sample);
            assert!(small > 0);
            assert!(
                large <= small * 9 / 2,
                "{sample:?}: 2,000 words took {small} steps, 8,000 took {large}"
            );
        }
    }

    /// One word longer than a line is cut between clusters, in linear steps.
    #[test]
    fn setting_one_long_word_is_linear_in_its_length() {
        let steps = |n: usize| {
            WORK.set(0);
            let spans = [Span {
                text: "x".repeat(n),
                style: Style {
                    weight: Weight::Regular,
                    size: 10.0,
                    color: [0.0; 3],
                },
                link: None,
            }];
            set_paragraph(&spans, 450.0, Align::Justify, &Fonts::new(None, "en")).expect("sets");
            WORK.get()
        };
        let (small, large) = (steps(20_000), steps(80_000));
        assert!(large <= small * 9 / 2, "{small} then {large}");
    }
}
