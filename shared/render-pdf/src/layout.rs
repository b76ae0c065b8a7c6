//! Pagination: blocks of set lines onto pages, keeping headings with what
//! follows them and paragraphs from leaving a single line behind.

use crate::text::Line;

/// Page size and margins, in points (PDF user space: origin bottom left).
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    pub margin_x: f32,
    pub margin_top: f32,
    pub margin_bottom: f32,
    /// Baseline of the footer line, from the bottom edge.
    pub footer_baseline: f32,
}

impl Geometry {
    pub fn from_millimetres((width, height): (f32, f32)) -> Geometry {
        let pt = |mm: f32| mm * 72.0 / 25.4;
        Geometry {
            width: pt(width),
            height: pt(height),
            margin_x: pt(25.0),
            margin_top: pt(22.0),
            margin_bottom: pt(25.0),
            footer_baseline: pt(13.0),
        }
    }

    /// Width of the text column.
    pub fn measure(&self) -> f32 {
        self.width - 2.0 * self.margin_x
    }

    fn top(&self) -> f32 {
        self.height - self.margin_top
    }
}

/// Lines set together, with one leading, placed as a unit of pagination.
pub struct Block {
    pub lines: Vec<Line>,
    /// Left indent of the lines within the text column.
    pub indent: f32,
    /// Drawn at the column's left edge on the first line's baseline (a bullet).
    pub marker: Option<Line>,
    pub size: f32,
    pub leading: f32,
    pub space_before: f32,
    pub space_after: f32,
    /// The block and the first lines of the next one go on the same page.
    pub keep_with_next: bool,
    /// A hairline under the block, across the column.
    pub rule_after: bool,
    /// The entry of the PDF outline that points here.
    pub outline: Option<String>,
}

impl Block {
    pub fn new(lines: Vec<Line>, size: f32, leading: f32) -> Block {
        Block {
            lines,
            indent: 0.0,
            marker: None,
            size,
            leading,
            space_before: 0.0,
            space_after: 0.0,
            keep_with_next: false,
            rule_after: false,
            outline: None,
        }
    }

    pub fn space_before(mut self, points: f32) -> Block {
        self.space_before = points;
        self
    }

    pub fn keep_with_next(mut self) -> Block {
        self.keep_with_next = true;
        self
    }

    fn height(&self) -> f32 {
        self.lines.len() as f32 * self.leading
    }
}

/// A line at its place on a page: `x` of its left edge, `baseline` from the
/// bottom edge.
pub struct PlacedLine {
    pub line: Line,
    pub x: f32,
    pub baseline: f32,
}

#[derive(Default)]
pub struct Page {
    pub lines: Vec<PlacedLine>,
    /// Horizontal hairlines: (x0, x1, y).
    pub rules: Vec<(f32, f32, f32)>,
}

/// An outline entry: title, page index, and the top of its heading.
pub struct Anchor {
    pub title: String,
    pub page: usize,
    pub top: f32,
}

/// Lines are never allowed to leave fewer than this many lines of a block on
/// either side of a page break (orphans and widows).
const MIN_LINES: usize = 2;

pub fn paginate(blocks: Vec<Block>, geometry: &Geometry) -> (Vec<Page>, Vec<Anchor>) {
    let top = geometry.top();
    let bottom = geometry.margin_bottom;
    let mut pages = vec![Page::default()];
    let mut anchors = Vec::new();
    let mut y = top;
    // What a block at the top of a page may not be pushed off for.
    let page_height = top - bottom;

    let follows: Vec<(f32, f32)> = blocks
        .iter()
        .map(|b| {
            (
                b.space_before,
                b.leading * b.lines.len().min(MIN_LINES) as f32,
            )
        })
        .collect();
    for (index, block) in blocks.into_iter().enumerate() {
        if block.lines.is_empty() {
            continue;
        }
        let at_top = y >= top;
        let before = if at_top { 0.0 } else { block.space_before };
        if block.keep_with_next && !at_top {
            // This block and the first lines of the next must fit here (unless
            // they would not fit on any page, like a title of 2,000 characters).
            let mut need = before + block.height();
            if let Some(&(space, lines)) = follows.get(index + 1) {
                need += space + lines;
            }
            if y - need < bottom && need <= page_height {
                pages.push(Page::default());
                y = top;
            }
        }
        if y < top {
            y -= before;
        }
        if let Some(title) = block.outline.clone() {
            anchors.push(Anchor {
                title,
                page: pages.len() - 1,
                top: y,
            });
        }
        let x = geometry.margin_x + block.indent;
        let total = block.lines.len();
        let mut marker = block.marker;
        let mut placed = 0;
        let mut lines = block.lines.into_iter();
        while placed < total {
            let room = ((y - bottom) / block.leading + 1e-3).floor().max(0.0) as usize;
            let remaining = total - placed;
            let mut take = room.min(remaining);
            let page_empty = y >= top;
            if take < remaining {
                let left = remaining - take;
                if left < MIN_LINES {
                    take = take.saturating_sub(MIN_LINES - left);
                }
                if take < MIN_LINES && !page_empty {
                    take = 0;
                }
                if take == 0 && page_empty {
                    take = room.clamp(1, remaining);
                }
            }
            for line in lines.by_ref().take(take) {
                let baseline = y - (block.leading - block.size) / 2.0 - block.size * 0.8;
                let page = pages.last_mut().expect("there is always a page");
                if let Some(marker) = marker.take() {
                    page.lines.push(PlacedLine {
                        line: marker,
                        x: geometry.margin_x,
                        baseline,
                    });
                }
                page.lines.push(PlacedLine { line, x, baseline });
                y -= block.leading;
            }
            placed += take;
            if placed < total {
                pages.push(Page::default());
                y = top;
            }
        }
        if block.rule_after {
            let rule_y = y - block.space_after / 2.0;
            pages
                .last_mut()
                .expect("there is always a page")
                .rules
                .push((
                    geometry.margin_x,
                    geometry.width - geometry.margin_x,
                    rule_y,
                ));
        }
        y -= block.space_after;
    }
    (pages, anchors)
}
