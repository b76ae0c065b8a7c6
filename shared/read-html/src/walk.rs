//! The page's main content as blocks. The content is found by structure:
//! the page's `<main>` (or `role="main"`), else its largest `<article>`, else
//! its largest content container (`entry-content`, `post-content`,
//! `content`…, by class or id), else the body. Inside it, what pages put
//! around content is left out by what it is, not by its words: navigation,
//! sidebars, the site banner and footer, scripts and styles, forms (not
//! one that wraps the whole page, as ASP.NET's does),
//! dialogs, hidden elements, and containers whose class or id names chrome
//! (cookie banners, share links, menus, breadcrumbs, related posts,
//! comments, bylines).
//!
//! Then elements map to what the Word reader gives: headings are Headings of
//! their level (which one is the title the summary reader judges, as for a
//! Markdown `#`: LibreOffice's HTML, for one, writes the Title style as a
//! `<p>` and the first section's heading as the first `<h1>`), `<li>` an Item at its
//! list depth, `<dt>` a Label, `<summary>` (a collapsible section's title) a
//! Heading, `<strong>`/`<b>` (or an inline `font-weight` of 600 and more)
//! bold runs, `<br>` a line break split as Word's are, and a `<table>` its
//! rows of cells for [`table_blocks`]. Block elements end a paragraph;
//! everything else runs on inside it.
//!
//! The walk is ego-tree's `traverse`, a flat iteration over open and close
//! edges: no recursion, so no nesting can exhaust the stack.

use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use rapporteur_parse::{Block, Role, Table, table_blocks};
use scraper::node::Element;
use scraper::{Html, Node};

use crate::lines::{Span, join, split_lines};

/// Elements that end the paragraph before them and start a new one.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements that are never content: code, styling, interaction, media and
/// navigation.
const CHROME_ELEMENTS: &[&str] = &[
    "head", "script", "style", "noscript", "template", "nav", "aside", "footer", "form", "button",
    "input", "select", "textarea", "label", "iframe", "svg", "math", "canvas", "object", "embed",
    "video", "audio", "dialog", "menu", "img", "picture",
];

/// ARIA roles of the same parts of a page.
const CHROME_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
    "toolbar",
    "tablist",
];

/// Words in a class or id (split at `-` and `_`) that name chrome, as
/// themes and CMSs name it: cookie and consent banners, share and social
/// links, menus, breadcrumbs, sidebars and widgets, related posts,
/// comments, pagination, advertising, newsletter sign-ups.
const CHROME_WORDS: &[&str] = &[
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "share",
    "sharing",
    "sharedaddy",
    "social",
    "menu",
    "navbar",
    "breadcrumb",
    "breadcrumbs",
    "sidebar",
    "widget",
    "related",
    "comments",
    "pagination",
    "advert",
    "advertisement",
    "newsletter",
    "subscribe",
];

/// Whole class or id names of chrome that its words alone do not tell:
/// skip links and screen-reader text, tables of contents, and the byline or
/// "Posted on" line of a post (a publication date is not the session's).
const CHROME_NAMES: &[&str] = &[
    "skip-link",
    "screen-reader-text",
    "sr-only",
    "visually-hidden",
    "toc",
    "table-of-contents",
    "posted-on",
    "byline",
    "entry-date",
    "post-date",
    "published",
    "entry-meta",
    "post-meta",
    "post-navigation",
    "nav-links",
];

/// Class or id names of the containers themes put a post's content in.
const CONTENT_NAMES: &[&str] = &[
    "entry-content",
    "post-content",
    "article-content",
    "article-body",
    "post-body",
    "story-body",
    "page-content",
    "main-content",
    "content",
    "post",
    "entry",
];

/// The blocks of a parsed page's main content.
pub(crate) fn blocks(html: &Html) -> Vec<Block> {
    let Some(root) = content_root(html) else {
        return Vec::new();
    };
    let mut walker = Walker {
        root_text: text_len(root),
        ..Walker::default()
    };
    if let Some(title) = title_outside(html, root) {
        walker.walk(title);
    }
    walker.walk(root);
    drop_repeated_headings(walker.output)
}

/// A heading said twice in a row is one heading: a collapsible section's
/// `<summary>` ("Speakers") whose content opens with its own heading or
/// label ("Speakers:") names one section, not an empty one and another.
fn drop_repeated_headings(blocks: Vec<Block>) -> Vec<Block> {
    let fold = |text: &str| text.trim_end_matches([':', ' ']).to_lowercase();
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for block in blocks {
        if let Some(previous) = out.last()
            && matches!(previous.role, Role::Heading(_))
            && fold(&previous.text) == fold(&block.text)
        {
            out.pop();
        }
        out.push(block);
    }
    out
}

/// The element the page's content is in (see the module's doc).
fn content_root(html: &Html) -> Option<NodeRef<'_, Node>> {
    let elements = || {
        html.tree
            .root()
            .descendants()
            .filter(|n| n.value().is_element())
    };
    let element_is = |n: &NodeRef<'_, Node>, test: &dyn Fn(&Element) -> bool| {
        n.value().as_element().is_some_and(test)
    };
    let main: Vec<_> = elements()
        .filter(|n| element_is(n, &|e| e.name() == "main" || e.attr("role") == Some("main")))
        .collect();
    if let Some(main) = largest(main) {
        return Some(main);
    }
    let articles: Vec<_> = elements()
        .filter(|n| element_is(n, &|e| e.name() == "article"))
        .collect();
    if let Some(article) = largest(articles) {
        return Some(article);
    }
    let containers: Vec<_> = elements()
        .filter(|n| {
            element_is(n, &|e| {
                e.classes()
                    .chain(e.id())
                    .any(|name| CONTENT_NAMES.contains(&name.to_ascii_lowercase().as_str()))
            })
        })
        .collect();
    if let Some(container) = largest(containers) {
        return Some(container);
    }
    elements().find(|n| element_is(n, &|e| e.name() == "body"))
}

/// The page's `<h1>` when the content root does not hold one: themes often
/// set the post's title above the container of its text. The last `<h1>`
/// before the root is taken, unless it sits in chrome (a site name in the
/// banner is an `<h1>` on many sites).
fn title_outside<'a>(html: &'a Html, root: NodeRef<'a, Node>) -> Option<NodeRef<'a, Node>> {
    let is_h1 = |n: &NodeRef<'_, Node>| n.value().as_element().is_some_and(|e| e.name() == "h1");
    if root.descendants().any(|n| is_h1(&n)) {
        return None;
    }
    html.tree
        .root()
        .descendants()
        .take_while(|n| *n != root)
        .filter(|n| is_h1(n))
        .filter(|h1| {
            !h1.ancestors().any(|a| {
                a.value().as_element().is_some_and(|e| {
                    matches!(e.name(), "header" | "nav" | "aside" | "footer") || names_chrome(e)
                })
            })
        })
        .last()
}

/// The number of a list item of inline text that is its ordered list's
/// only item: a numbered paragraph rather than a list, as Word, LibreOffice
/// and pandoc export a numbered heading ("<ol start=2><li>Summary of Issues"). It is
/// read as the line "2. Summary of Issues", which the summary reader judges
/// as it judges that line in a text file.
fn numbered_paragraph(node: NodeRef<'_, Node>) -> Option<u32> {
    let is = |n: &NodeRef<'_, Node>, name: &str| {
        n.value().as_element().is_some_and(|e| e.name() == name)
    };
    if !is(&node, "li") {
        return None;
    }
    let list = node.parent().filter(|p| is(p, "ol"))?;
    // Two items are enough to tell a list (counting them all would make
    // a long list quadratic).
    let items = list
        .children()
        .filter(|c| c.value().is_element())
        .take(2)
        .count();
    if items != 1 {
        return None;
    }
    // An item of paragraphs is a list's content, not a heading's line.
    let blocks_inside = node.descendants().skip(1).any(|n| {
        n.value()
            .as_element()
            .is_some_and(|e| BLOCK_ELEMENTS.contains(&e.name()))
    });
    if blocks_inside {
        return None;
    }
    let start = list.value().as_element()?.attr("start");
    Some(start.and_then(|s| s.trim().parse().ok()).unwrap_or(1))
}

/// Whether an element's class or id names chrome (by [`CHROME_NAMES`] or
/// [`CHROME_WORDS`]).
fn names_chrome(element: &Element) -> bool {
    element.classes().chain(element.id()).any(|class| {
        let class = class.to_ascii_lowercase();
        CHROME_NAMES.contains(&class.as_str())
            || class
                .split(['-', '_'])
                .any(|word| CHROME_WORDS.contains(&word))
            // Consent tools glue the word on ("CybotCookiebotDialog",
            // "cmplz-cookiebanner"); no content container is named so.
            || class.contains("cookie")
            || class.contains("consent")
    })
}

/// The candidate with the most text; the first of equals, so an outer
/// container before its inner one.
fn largest(candidates: Vec<NodeRef<'_, Node>>) -> Option<NodeRef<'_, Node>> {
    let mut best: Option<(usize, NodeRef<'_, Node>)> = None;
    for node in candidates {
        let len = text_len(node);
        if len > 0 && best.is_none_or(|(best_len, _)| len > best_len) {
            best = Some((len, node));
        }
    }
    best.map(|(_, node)| node)
}

/// Characters of text under a node, scripts and styles left out.
fn text_len(node: NodeRef<'_, Node>) -> usize {
    let mut len = 0;
    let mut skip = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) if skip.is_none() => match n.value() {
                Node::Element(e) if matches!(e.name(), "script" | "style" | "template") => {
                    skip = Some(n.id())
                }
                Node::Text(t) => len += t.trim().len(),
                _ => {}
            },
            Edge::Close(n) if skip == Some(n.id()) => skip = None,
            _ => {}
        }
    }
    len
}

/// An open table: its rows of cells, each cell its blocks.
#[derive(Default)]
struct TableBuilder {
    rows: Table,
}

/// One open element's effect, undone when it closes.
struct Frame {
    bold: bool,
    /// The paragraph role this element set, to clear if nothing took it.
    sets_role: bool,
}

#[derive(Default)]
struct Walker {
    output: Vec<Block>,
    tables: Vec<TableBuilder>,
    frames: Vec<Frame>,
    spans: Vec<Span>,
    /// What the paragraph being gathered is (its first block's role).
    role: Option<(Role, u8)>,
    /// Paragraphs emitted so far: the blocks' `line`.
    paragraphs: usize,
    lists: usize,
    preformatted: usize,
    /// Characters of text in the content root: no chrome is that large.
    root_text: usize,
}

impl Walker {
    fn walk(&mut self, root: NodeRef<'_, Node>) {
        let mut skip = None;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) if skip.is_none() => match node.value() {
                    Node::Element(element) => {
                        if node != root && self.is_chrome(node, element) {
                            skip = Some(node.id());
                        } else {
                            self.open(element);
                            if let Some(number) = numbered_paragraph(node) {
                                self.role = None;
                                self.frames.last_mut().expect("just pushed").sets_role = false;
                                self.spans.push(Span {
                                    text: format!("{number}. "),
                                    bold: false,
                                });
                            }
                        }
                    }
                    Node::Text(text) => self.text(text),
                    _ => {}
                },
                Edge::Close(node) => {
                    if skip == Some(node.id()) {
                        skip = None;
                    } else if skip.is_none()
                        && let Node::Element(element) = node.value()
                    {
                        self.close(element);
                    }
                }
                _ => {}
            }
        }
        self.flush();
    }

    fn bold(&self) -> bool {
        self.frames.last().is_some_and(|f| f.bold)
    }

    fn open(&mut self, element: &Element) {
        let name = element.name();
        let block = BLOCK_ELEMENTS.contains(&name);
        if block {
            self.flush();
        }
        let bold = match name {
            "strong" | "b" | "th" => true,
            _ => inline_weight(element).unwrap_or_else(|| self.bold()),
        };
        let role = match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                Some((Role::Heading(name.as_bytes()[1] - b'0'), 0))
            }
            "summary" => Some((Role::Heading(2), 0)),
            "li" => Some((Role::Item, self.lists.saturating_sub(1).min(8) as u8)),
            "dt" => Some((Role::Label, 0)),
            _ => None,
        };
        if role.is_some() {
            self.role = role;
        }
        self.frames.push(Frame {
            bold,
            sets_role: role.is_some(),
        });
        match name {
            "ul" | "ol" | "dir" => self.lists += 1,
            "pre" | "textarea" | "listing" => self.preformatted += 1,
            "br" => self.spans.push(Span {
                text: "\n".into(),
                bold: false,
            }),
            "table" => self.tables.push(TableBuilder::default()),
            "tr" => {
                if let Some(table) = self.tables.last_mut() {
                    table.rows.push(Vec::new());
                }
            }
            "td" | "th" => {
                if let Some(table) = self.tables.last_mut() {
                    if table.rows.is_empty() {
                        table.rows.push(Vec::new());
                    }
                    table.rows.last_mut().expect("a row").push(Vec::new());
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, element: &Element) {
        let name = element.name();
        if BLOCK_ELEMENTS.contains(&name) {
            self.flush();
        }
        if let Some(frame) = self.frames.pop()
            && frame.sets_role
        {
            self.role = None;
        }
        match name {
            "ul" | "ol" | "dir" => self.lists = self.lists.saturating_sub(1),
            "pre" | "textarea" | "listing" => {
                self.preformatted = self.preformatted.saturating_sub(1)
            }
            "table" => {
                if let Some(table) = self.tables.pop() {
                    let rows: Table = table
                        .rows
                        .into_iter()
                        .filter(|row| !row.is_empty())
                        .collect();
                    for block in table_blocks(rows) {
                        self.emit(block);
                    }
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        let bold = self.bold();
        if self.preformatted > 0 {
            for (index, line) in text.split('\n').enumerate() {
                if index > 0 {
                    self.spans.push(Span {
                        text: "\n".into(),
                        bold: false,
                    });
                }
                self.spans.push(Span {
                    text: line.into(),
                    bold,
                });
            }
        } else {
            // A newline in the markup is a space; only `<br>` breaks a line.
            self.spans.push(Span {
                text: text.replace(['\n', '\r'], " "),
                bold,
            });
        }
    }

    /// Ends the paragraph being gathered: its lines become blocks.
    fn flush(&mut self) {
        if self.spans.is_empty() {
            return;
        }
        let spans = std::mem::take(&mut self.spans);
        let (role, level) = self.role.unwrap_or((Role::Text, 0));
        let mut emitted = false;
        let in_cell = self
            .tables
            .iter()
            .any(|t| t.rows.last().is_some_and(|row| !row.is_empty()));
        for piece in split_lines(spans, in_cell) {
            let (text, bold) = join(&piece);
            if text.is_empty() {
                continue;
            }
            if !emitted {
                self.paragraphs += 1;
            }
            let block = Block {
                line: self.paragraphs,
                role: if emitted { Role::Text } else { role },
                text,
                bold,
                level: if emitted { 0 } else { level },
                gap_before: !emitted,
            };
            emitted = true;
            self.emit(block);
        }
        if emitted {
            // An item's or a heading's further paragraphs are text.
            self.role = None;
        }
    }

    /// A block goes into the innermost open table cell, else the output.
    fn emit(&mut self, block: Block) {
        for table in self.tables.iter_mut().rev() {
            if let Some(cell) = table.rows.last_mut().and_then(|row| row.last_mut()) {
                cell.push(block);
                return;
            }
        }
        self.output.push(block);
    }

    /// Whether an element inside the content is chrome (see the module's
    /// doc). Names chosen by class or id are never more than half the
    /// content's text: a theme's "content-with-sidebar" wrapper is content.
    fn is_chrome(&self, node: NodeRef<'_, Node>, element: &Element) -> bool {
        let name = element.name();
        // ASP.NET pages wrap the whole page in one <form>: a form holding
        // most of the content is the page, not a search box.
        if name == "form" {
            return text_len(node) * 2 <= self.root_text;
        }
        if CHROME_ELEMENTS.contains(&name) {
            return true;
        }
        // A header is the site's banner unless it heads an article or a
        // section (WordPress puts the post's <h1> in one), or it is a
        // document's title block: an <h1> and no navigation or search
        // (pandoc and static site generators write one).
        if name == "header"
            && !node.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "article" | "section" | "main"))
            })
        {
            let holds = |names: &[&str]| {
                node.descendants().any(|n| {
                    n.value()
                        .as_element()
                        .is_some_and(|e| names.contains(&e.name()))
                })
            };
            if !holds(&["h1"]) || holds(&["nav", "form", "ul", "ol", "menu"]) {
                return true;
            }
        }
        if element
            .attr("role")
            .is_some_and(|role| CHROME_ROLES.contains(&role.trim().to_ascii_lowercase().as_str()))
            || element.attr("hidden").is_some()
            || element.attr("aria-hidden") == Some("true")
            || element.attr("style").is_some_and(hidden_by_style)
        {
            return true;
        }
        names_chrome(element) && text_len(node) * 2 <= self.root_text
    }
}

/// The weight an inline style gives: bold from 600 up, as browsers
/// synthesise it; `None` when the style says nothing.
fn inline_weight(element: &Element) -> Option<bool> {
    let style = element.attr("style")?.to_ascii_lowercase();
    let value = style
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .find(|(property, _)| property.trim() == "font-weight")?
        .1
        .trim()
        .trim_end_matches("!important")
        .trim();
    match value {
        "bold" | "bolder" => Some(true),
        "normal" | "lighter" => Some(false),
        number => number.parse::<u16>().ok().map(|w| w >= 600),
    }
}

fn hidden_by_style(style: &str) -> bool {
    let style: String = style
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    style.contains("display:none") || style.contains("visibility:hidden")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The limits turn such a page away before parsing (lib.rs); the walk
    /// itself must still never recurse. Unclosed `<b>`s nest as deeply as
    /// divs in the tree and cost the parser little, so the walk is tried on
    /// 100,000 levels here, past the limit, where a recursive walk would
    /// overflow a 2 MiB test thread's stack.
    #[test]
    fn the_walk_is_flat_at_any_depth() {
        let deep = format!("<main><p>{}deep</p></main>", "<b>".repeat(100_000));
        let html = Html::parse_document(&deep);
        let text = html.tree.root().descendants().find(|n| n.value().is_text());
        assert!(text.expect("a text node").ancestors().count() > 100_000);
        let read = blocks(&html);
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].text, "deep");
        assert!(read[0].all_bold());
    }
}
