//! Limits checked on the markup before the HTML5 parser builds a tree.
//!
//! html5ever has no limit of its own on nesting, and its tree builder looks
//! through the stack of open elements for most tags (is a `<p>` open in
//! button scope?), so the work grows with the square of the depth: measured
//! on this machine, 10,000 nested `<div>`s took 0.19 s, 40,000 took 3.7 s and
//! 100,000 took 24 s. Browsers cap the depth for the same reason (Blink at
//! 512). This scan counts start tags and estimates the deepest nesting in
//! one pass over the text, so such a page is turned away in microseconds.
//! It is written by hand because the check must run before any parser does.
//!
//! The estimate never falls below the parser's depth for the markup that
//! costs time: an end tag only closes an open element of its own name (a
//! stray `</x>` does not lower it), `<x/>` closes only inside SVG or MathML
//! (in HTML a `<div/>` opens a `<div>`), and comments, scripts and styles
//! are skipped as the parser skips them. Elements that close themselves by
//! the next of their kind (`<p>`, `<li>`, `<td>`…) and void elements (`<br>`)
//! are not counted, so pages that leave them unclosed are not overrated.

use std::collections::HashMap;

/// What the scan found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Markup {
    /// Start tags of every kind.
    pub elements: usize,
    /// The deepest nesting the tags can build.
    pub depth: usize,
}

/// Never add to the depth: void elements, and those that end where the next
/// of their kind (or their parent's end) begins.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
    "optgroup", "rb", "rt", "rp", "colgroup", "caption", "html", "head", "body",
];

/// Elements whose content the parser reads as raw text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// Counts tags and estimates nesting, stopping early once `max_depth` or
/// `max_elements` is passed (the caller rejects the page then).
pub(crate) fn scan(text: &str, max_depth: usize, max_elements: usize) -> Markup {
    let bytes = text.as_bytes();
    let mut open: HashMap<String, usize> = HashMap::new();
    let mut markup = Markup {
        elements: 0,
        depth: 0,
    };
    let mut depth = 0usize;
    let mut foreign = 0usize;
    let mut at = 0;
    while let Some(found) = memchr(b'<', &bytes[at..]) {
        at += found + 1;
        let rest = &bytes[at..];
        if rest.starts_with(b"!--") {
            at += find(&rest[3..], b"-->").map_or(rest.len(), |e| e + 6);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = at + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_'))
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = text[name_start..name_start + name_len].to_ascii_lowercase();
        let tag_end = memchr(b'>', &bytes[name_start..]).map_or(bytes.len(), |e| name_start + e);
        at = tag_end.min(bytes.len());
        let foreign_root = name == "svg" || name == "math";
        if closing {
            if let Some(count) = open.get_mut(&name).filter(|c| **c > 0) {
                *count -= 1;
                depth -= 1;
                if foreign_root {
                    foreign = foreign.saturating_sub(1);
                }
            }
            continue;
        }
        markup.elements += 1;
        if markup.elements > max_elements {
            return markup;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            let end_tag = format!("</{name}");
            at += find_ignoring_case(&bytes[at..], end_tag.as_bytes()).unwrap_or(bytes.len() - at);
            continue;
        }
        let self_closed = tag_end > 0 && bytes.get(tag_end - 1) == Some(&b'/');
        if NOT_NESTING.contains(&name.as_str()) || (self_closed && foreign > 0) {
            continue;
        }
        if foreign_root {
            foreign += 1;
        }
        *open.entry(name).or_default() += 1;
        depth += 1;
        markup.depth = markup.depth.max(depth);
        if markup.depth > max_depth {
            return markup;
        }
    }
    markup
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `needle` is lower case.
fn find_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(html: &str) -> usize {
        scan(html, usize::MAX, usize::MAX).depth
    }

    #[test]
    fn nesting_is_estimated_from_above() {
        assert_eq!(depth("<div><div><p>x</div></div>"), 2);
        // A stray end tag does not hide the divs opened after it.
        assert_eq!(depth("<div></span><div></span><div>"), 3);
        // In HTML `<div/>` opens a div; in SVG `<path/>` is closed.
        assert_eq!(depth("<div/><div/>"), 2);
        assert_eq!(depth("<svg><path/><path/></svg>"), 1);
        // Unclosed paragraphs and items do not nest.
        assert_eq!(depth("<ul><li>a<li>b<li>c</ul><p>x<p>y"), 1);
        // Tags in scripts and comments are not tags.
        assert_eq!(depth("<script>'<div><div>'</script><!-- <div> -->"), 0);
    }

    #[test]
    fn the_scan_stops_at_the_limit() {
        let deep = "<div>".repeat(100_000);
        let markup = scan(&deep, 512, usize::MAX);
        assert_eq!(markup.depth, 513);
        assert_eq!(scan(&deep, usize::MAX, 10).elements, 11);
    }
}
