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

/// Places blocks onto pages as they come, so that a page can be written and
/// dropped as soon as it is full: a summary of 100,000 key issues holds one
/// page of set lines at a time, not millions of placed glyphs (issue 12).
///
/// One block is held back until the next arrives, because a block kept with
/// the next needs the height of the next one's first lines.
pub struct Paginator {
    geometry: Geometry,
    /// The page being filled.
    page: Page,
    /// Pages already full, waiting to be taken.
    full: Vec<Page>,
    /// How many pages were begun, the one being filled included.
    pages: usize,
    anchors: Vec<Anchor>,
    /// Where the next line's top goes, from the bottom edge.
    y: f32,
    held: Option<Block>,
}

impl Paginator {
    pub fn new(geometry: &Geometry) -> Paginator {
        Paginator {
            geometry: *geometry,
            page: Page::default(),
            full: Vec::new(),
            pages: 1,
            anchors: Vec::new(),
            y: geometry.top(),
            held: None,
        }
    }

    /// Adds the next block of the document.
    pub fn push(&mut self, block: Block) {
        let follows = (
            block.space_before,
            block.leading * block.lines.len().min(MIN_LINES) as f32,
        );
        if let Some(previous) = self.held.replace(block) {
            self.place(previous, Some(follows));
        }
    }

    /// The pages filled since the last call, in order.
    pub fn take_full(&mut self) -> std::vec::Drain<'_, Page> {
        self.full.drain(..)
    }

    /// Places the last block: the pages not yet taken (at least the last
    /// one) and the outline's anchors.
    pub fn finish(mut self) -> (Vec<Page>, Vec<Anchor>) {
        if let Some(last) = self.held.take() {
            self.place(last, None);
        }
        let mut pages = std::mem::take(&mut self.full);
        pages.push(std::mem::take(&mut self.page));
        (pages, self.anchors)
    }

    fn new_page(&mut self) {
        self.full.push(std::mem::take(&mut self.page));
        self.pages += 1;
        self.y = self.geometry.top();
    }

    /// Places `block`; `follows` is the next block's space before it and the
    /// height of its first lines.
    fn place(&mut self, block: Block, follows: Option<(f32, f32)>) {
        let geometry = self.geometry;
        let top = geometry.top();
        let bottom = geometry.margin_bottom;
        // What a block at the top of a page may not be pushed off for.
        let page_height = top - bottom;
        if block.lines.is_empty() {
            return;
        }
        let at_top = self.y >= top;
        let before = if at_top { 0.0 } else { block.space_before };
        if block.keep_with_next && !at_top {
            // This block and the first lines of the next must fit here (unless
            // they would not fit on any page, like a title of 2,000 characters).
            let mut need = before + block.height();
            if let Some((space, lines)) = follows {
                need += space + lines;
            }
            if self.y - need < bottom && need <= page_height {
                self.new_page();
            }
        }
        if self.y < top {
            self.y -= before;
        }
        if let Some(title) = block.outline.clone() {
            self.anchors.push(Anchor {
                title,
                page: self.pages - 1,
                top: self.y,
            });
        }
        let x = geometry.margin_x + block.indent;
        let total = block.lines.len();
        let mut marker = block.marker;
        let mut placed = 0;
        let mut lines = block.lines.into_iter();
        while placed < total {
            let room = ((self.y - bottom) / block.leading + 1e-3).floor().max(0.0) as usize;
            let remaining = total - placed;
            let mut take = room.min(remaining);
            let page_empty = self.y >= top;
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
                let baseline = self.y - (block.leading - block.size) / 2.0 - block.size * 0.8;
                if let Some(marker) = marker.take() {
                    self.page.lines.push(PlacedLine {
                        line: marker,
                        x: geometry.margin_x,
                        baseline,
                    });
                }
                self.page.lines.push(PlacedLine { line, x, baseline });
                self.y -= block.leading;
            }
            placed += take;
            if placed < total {
                self.new_page();
            }
        }
        if block.rule_after {
            let rule_y = self.y - block.space_after / 2.0;
            self.page.rules.push((
                geometry.margin_x,
                geometry.width - geometry.margin_x,
                rule_y,
            ));
        }
        self.y -= block.space_after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(count: usize) -> Vec<Line> {
        (0..count)
            .map(|i| Line {
                runs: Vec::new(),
                width: 0.0,
                links: Vec::new(),
                text: format!("line {i}").into(),
            })
            .collect()
    }

    fn a4() -> Geometry {
        Geometry::from_millimetres((210.0, 297.0))
    }

    #[test]
    fn full_pages_are_handed_over_while_blocks_still_come() {
        let mut paginator = Paginator::new(&a4());
        let mut handed = 0;
        let mut most_held = 0;
        for _ in 0..2_000 {
            paginator.push(Block::new(lines(3), 10.5, 15.0).space_before(5.0));
            handed += paginator.take_full().count();
            most_held = most_held.max(paginator.page.lines.len());
        }
        let (last, _) = paginator.finish();
        // 6,000 lines of 15 pt on pages of about 680 pt: well over 100 pages,
        // all but the last handed over before the end, and never more than
        // a page of lines held.
        assert!(handed > 100, "{handed} pages handed over");
        assert_eq!(last.len(), 1);
        assert!(most_held <= 46, "{most_held} lines held");
    }

    #[test]
    fn a_heading_at_the_foot_of_a_page_goes_over_with_what_follows() {
        let geometry = a4();
        let mut paginator = Paginator::new(&geometry);
        // Fill the page but for about two lines.
        let room = ((geometry.top() - geometry.margin_bottom) / 15.0) as usize;
        paginator.push(Block::new(lines(room - 2), 10.5, 15.0));
        let mut heading = Block::new(lines(1), 13.0, 15.0).keep_with_next();
        heading.outline = Some("Key issues".into());
        paginator.push(heading);
        // Nothing is placed until the next block says how tall it starts.
        assert_eq!(paginator.take_full().count(), 0);
        paginator.push(Block::new(lines(4), 10.5, 15.0).space_before(5.0));
        let full: Vec<Page> = paginator.take_full().collect();
        let (last, anchors) = paginator.finish();
        assert_eq!(full.len(), 1);
        assert_eq!(full[0].lines.len(), room - 2);
        assert_eq!(last[0].lines.len(), 5, "the heading and all four lines");
        assert_eq!(anchors[0].page, 1);
        assert_eq!(anchors[0].top, geometry.top());
    }
}
