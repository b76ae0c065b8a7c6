//! A page's content stream, written straight from the placed lines: the
//! text is already set, so a page is a few colour and font changes and runs
//! of glyph codes at known positions.

use std::io::Write;

use super::FaceTable;
use crate::layout::{Page, PlacedLine};
use crate::text::{GlyphRun, Rgb};

const RULE: Rgb = [0.75, 0.77, 0.80];
const RULE_WIDTH: f32 = 0.5;

pub fn content(page: &Page, faces: &FaceTable) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    if !page.rules.is_empty() {
        color(&mut out, RULE, "RG");
        number(&mut out, RULE_WIDTH);
        out.extend_from_slice(b" w\n");
        for &(x0, x1, y) in &page.rules {
            for (x, op) in [(x0, " m "), (x1, " l S\n")] {
                number(&mut out, x);
                out.push(b' ');
                number(&mut out, y);
                out.extend_from_slice(op.as_bytes());
            }
        }
    }
    out.extend_from_slice(b"BT\n");
    let mut text = TextState::default();
    for placed in &page.lines {
        for run in &placed.line.runs {
            let index = faces.index(run.face);
            if text.font != Some((index, run.size)) {
                out.push(b'/');
                out.extend_from_slice(resource_name(index).as_bytes());
                out.push(b' ');
                number(&mut out, run.size);
                out.extend_from_slice(b" Tf\n");
                text.font = Some((index, run.size));
            }
            if text.color != Some(run.color) {
                color(&mut out, run.color, "rg");
                text.color = Some(run.color);
            }
            show_glyphs(&mut out, &mut text, placed, run, faces, index);
        }
    }
    out.extend_from_slice(b"ET\n");
    out
}

/// The name the page resources give the document's `index`th face.
pub fn resource_name(index: usize) -> String {
    format!("F{}", index + 1)
}

#[derive(Default)]
struct TextState {
    /// Where the current text line starts, as the viewer has it (after the
    /// rounding of the moves written so far).
    line_start: (f32, f32),
    font: Option<(usize, f32)>,
    color: Option<Rgb>,
}

/// Shows a run's glyphs at their set positions: one text-line move (`Td`,
/// relative to the previous line start) per baseline change, and between
/// glyphs the difference between the font's advance (which the viewer
/// applies) and the set position as a `TJ` adjustment.
fn show_glyphs(
    out: &mut Vec<u8>,
    text: &mut TextState,
    placed: &PlacedLine,
    run: &GlyphRun,
    faces: &FaceTable,
    index: usize,
) {
    let size = run.size;
    let glyphs = &run.glyphs;
    let mut start = 0;
    while start < glyphs.len() {
        let y = glyphs[start].y;
        let end = start + glyphs[start..].iter().take_while(|g| g.y == y).count();
        let dx = quantize(placed.x + glyphs[start].x - text.line_start.0);
        let dy = quantize(placed.baseline + y - text.line_start.1);
        number(out, dx);
        out.push(b' ');
        number(out, dy);
        out.extend_from_slice(b" Td\n[<");
        text.line_start = (text.line_start.0 + dx, text.line_start.1 + dy);
        let segment = &glyphs[start..end];
        for (i, glyph) in segment.iter().enumerate() {
            let code = faces.code(index, glyph.id);
            out.extend(
                (0..4)
                    .rev()
                    .map(|n| HEX[usize::from(code >> (4 * n)) & 0xF]),
            );
            let Some(next) = segment.get(i + 1) else {
                continue;
            };
            let pen = glyph.x + run.face.pdf_width(glyph.id) * size / 1000.0;
            let adjust = ((pen - next.x) * 1000.0 / size * 100.0).round() / 100.0;
            if adjust != 0.0 {
                out.push(b'>');
                number(out, adjust);
                out.push(b'<');
            }
        }
        out.extend_from_slice(b">] TJ\n");
        start = end;
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn color(out: &mut Vec<u8>, [r, g, b]: Rgb, operator: &str) {
    for component in [r, g, b] {
        number(out, component);
        out.push(b' ');
    }
    out.extend_from_slice(operator.as_bytes());
    out.push(b'\n');
}

/// Positions are written to a thousandth of a point (or of a colour step),
/// far below what any device shows.
fn quantize(value: f32) -> f32 {
    (value * 1000.0).round() / 1000.0
}

/// A PDF number: at most three decimals, no exponent, no trailing zeros.
fn number(out: &mut Vec<u8>, value: f32) {
    let thousandths = (f64::from(value) * 1000.0).round() as i64;
    if thousandths < 0 {
        out.push(b'-');
    }
    let magnitude = thousandths.unsigned_abs();
    let _ = write!(out, "{}", magnitude / 1000);
    let mut fraction = magnitude % 1000;
    if fraction != 0 {
        out.push(b'.');
        let mut digits = 3;
        while fraction.is_multiple_of(10) {
            fraction /= 10;
            digits -= 1;
        }
        let _ = write!(out, "{fraction:0digits$}");
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_are_written_plainly() {
        for (value, written) in [
            (0.0, "0"),
            (12.0, "12"),
            (0.5, "0.5"),
            (-0.25, "-0.25"),
            (595.2756, "595.276"),
            (0.0404, "0.04"),
            (-0.0004, "0"),
            (1e7, "10000000"),
        ] {
            let mut out = Vec::new();
            number(&mut out, value);
            assert_eq!(String::from_utf8(out).unwrap(), written, "{value}");
        }
    }
}
