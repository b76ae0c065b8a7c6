//! The marks writers put on lines and words: list markers, Markdown heading
//! marks and bold, backslash escapes, HTML entities and ligatures. The text
//! reader and the element stage both look for them, so they live here, below
//! both, and the stages stay one-way.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// List markers: dashes, stars, bullets (including the private-use glyphs that
/// PDF extraction leaves for Symbol and Wingdings bullets), "1." "1)" "(a)" "a)".
static BULLET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[-–*+•●▪◦‣∙·○■□➢➤►→✓✔\u{F0A7}\u{F0B7}\u{F076}\u{F0D8}\u{F0FC}\u{F06E}\u{F0A8}]|\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)]|\([0-9a-zA-Z]{1,4}\)|[a-z][.)]|[ivx]{1,4}[.)])\s*",
    )
    .expect("valid regex")
});

/// A list item's marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bullet {
    /// Bytes of the marker and the spaces after it.
    pub len: usize,
    /// A number or letter ("1.", "(a)") rather than a symbol.
    pub ordered: bool,
}

/// The list marker a line starts with, if it is a list item.
pub(crate) fn bullet(text: &str) -> Option<Bullet> {
    // "o Item": the letter o as Word's second-level bullet, before a capital.
    if let Some(rest) = text.strip_prefix("o ")
        && rest.chars().next().is_some_and(char::is_uppercase)
    {
        return Some(Bullet {
            len: 2,
            ordered: false,
        });
    }
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
    let ordered = marker
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '(');
    Some(Bullet {
        len: m.end(),
        ordered,
    })
}

/// "## Heading" → (2, "Heading").
pub(crate) fn markdown_heading(text: &str) -> Option<(u8, &str)> {
    let hashes = text.len() - text.trim_start_matches('#').len();
    let rest = &text[hashes..];
    ((1..=6).contains(&hashes) && rest.starts_with(' ') && !rest.trim().is_empty())
        .then(|| (hashes as u8, rest.trim()))
}

/// Removes `**`/`__` bold markup, returning the text and the byte ranges
/// (in the returned text) that were bold. Spaces inside the markers ("**
/// Name **") are collapsed.
pub(crate) fn strip_bold(text: &str) -> (String, Vec<(usize, usize)>) {
    if !text.contains("**") && !text.contains("__") {
        return (text.to_string(), Vec::new());
    }
    let mut plain = String::with_capacity(text.len());
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    let mut rest = text;
    while let Some(at) = [rest.find("**"), rest.find("__")]
        .into_iter()
        .flatten()
        .min()
    {
        plain.push_str(&rest[..at]);
        rest = &rest[at + 2..];
        match open.take() {
            Some(start) => spans.push((start, plain.len())),
            None => open = Some(plain.len()),
        }
    }
    plain.push_str(rest);
    // Markers with spaces inside ("** Name **") leave spaces that would be
    // doubled; collapse them and move the spans with the text.
    let mut out = String::with_capacity(plain.len());
    let mut map = Vec::with_capacity(plain.len() + 1);
    let mut space = true;
    for c in plain.chars() {
        for _ in 0..c.len_utf8() {
            map.push(out.len());
        }
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    map.push(out.len());
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    let spans = spans
        .into_iter()
        .map(|(s, e)| (map[s].min(trimmed), map[e].min(trimmed)))
        .filter(|(s, e)| s < e)
        .map(|(s, e)| {
            // A span never starts or ends on a space.
            let inner = &out[s..e];
            let lead = inner.len() - inner.trim_start().len();
            let trail = inner.len() - inner.trim_end().len();
            (s + lead, e - trail)
        })
        .filter(|(s, e)| s < e)
        .collect();
    (out, spans)
}

/// A line wrapped in Markdown emphasis ("*Tags: a, b*", "_Updated 2022_")
/// without it.
pub(crate) fn strip_emphasis(text: &str) -> &str {
    for mark in ['*', '_'] {
        if let Some(inner) = text.strip_prefix(mark).and_then(|t| t.strip_suffix(mark))
            && !inner.starts_with(mark)
            && !inner.ends_with(mark)
            && !inner.contains(mark)
            && !inner.trim().is_empty()
        {
            return inner;
        }
    }
    text
}

/// Markdown links as their text ("[the targets](https://…)" → "the
/// targets"); images go.
pub(crate) fn strip_links(text: &str) -> Cow<'_, str> {
    static LINK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(!?)\[([^\]\[]*)\]\((?:[^()\s]|\([^()\s]*\))+\)").expect("valid regex")
    });
    if !text.contains("](") {
        return Cow::Borrowed(text);
    }
    LINK.replace_all(text, |caps: &regex::Captures| {
        if &caps[1] == "!" {
            String::new()
        } else {
            caps[2].to_string()
        }
    })
}

/// Markdown emphasis inside a line ("a _tested_ plan", "*very* late") without
/// its marks. A mark counts only where emphasis can open (after a space or
/// at the start) and close (before a space or punctuation), so snake_case
/// and arithmetic stay.
pub(crate) fn strip_inline_emphasis(text: &str) -> Cow<'_, str> {
    if !text.contains(['_', '*']) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut remove = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let doubled = chars.get(i + 1) == Some(&c) || i > 0 && chars[i - 1] == c;
        let opens = matches!(c, '_' | '*')
            && !doubled
            && (i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '(')
            && chars.get(i + 1).is_some_and(|n| !n.is_whitespace());
        if opens
            && let Some(close) = (i + 2..chars.len()).find(|&j| {
                chars[j] == c
                    && !chars[j - 1].is_whitespace()
                    && chars.get(j + 1) != Some(&c)
                    && chars
                        .get(j + 1)
                        .is_none_or(|n| n.is_whitespace() || ".,;:!?)".contains(*n))
            })
        {
            remove[i] = true;
            remove[close] = true;
            i = close + 1;
            continue;
        }
        i += 1;
    }
    if !remove.iter().any(|&r| r) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        chars
            .iter()
            .zip(remove)
            .filter(|(_, r)| !r)
            .map(|(c, _)| c)
            .collect(),
    )
}

/// Markdown exports escape punctuation ("\-", "1\.", "\*"); a backslash
/// before ASCII punctuation is dropped. Paths ("C:\Users") keep theirs.
pub(crate) fn unescape_markdown(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        out.push(c);
    }
    Cow::Owned(out)
}

static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
        .expect("valid regex")
});

/// Decodes HTML entities ("&amp;", "&rsquo;", "&#8217;") that text copied
/// out of a web page kept, if the line has any.
pub(crate) fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') || !ENTITY.is_match(text) {
        return Cow::Borrowed(text);
    }
    // html-escape knows the whole HTML5 entity table; "&nbsp;" becomes a
    // no-break space, which the line normaliser then folds.
    Cow::Owned(html_escape::decode_html_entities(text).into_owned())
}

/// Typographic ligatures (ﬁ, ﬂ, ﬃ …) that PDF extraction leaves in words,
/// as their letters. Unicode's compatibility decomposition of the seven
/// Latin ligatures; a table is all it takes.
pub(crate) fn unligature(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| ('\u{FB00}'..='\u{FB06}').contains(&c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_markers_and_what_only_looks_like_one() {
        assert_eq!(bullet("- item").map(|b| b.len), Some(2));
        assert_eq!(bullet("1) first").map(|b| b.ordered), Some(true));
        assert_eq!(bullet("(a) first").map(|b| b.len), Some(4));
        assert_eq!(bullet("\u{F0B7}\titem").map(|b| b.ordered), Some(false));
        assert_eq!(bullet("**Bold** text"), None);
        assert_eq!(bullet("-based"), None);
        assert_eq!(bullet("2030. A year"), None);
    }

    #[test]
    fn bold_spans_survive_spaces_inside_the_markers() {
        assert_eq!(
            strip_bold("**Ms. Ana Ruiz**, Director"),
            ("Ms. Ana Ruiz, Director".to_string(), vec![(0, 12)])
        );
        assert_eq!(
            strip_bold("** Ms. Ana Ruiz ** said"),
            ("Ms. Ana Ruiz said".to_string(), vec![(0, 12)])
        );
        assert_eq!(strip_bold("a__b"), ("ab".to_string(), vec![]));
    }

    #[test]
    fn escapes_entities_and_ligatures() {
        assert_eq!(
            unescape_markdown(r"1\. multi\-stakeholder"),
            "1. multi-stakeholder"
        );
        assert_eq!(unescape_markdown(r"C:\Users"), r"C:\Users");
        assert_eq!(
            decode_entities("ICT &amp; AI&rsquo;s &#8211; x"),
            "ICT & AI’s – x"
        );
        assert_eq!(decode_entities("R&D; AT&T"), "R&D; AT&T");
        assert_eq!(unligature("o\u{FB03}cer \u{FB01}nd"), "officer find");
        assert_eq!(markdown_heading("## Key issues"), Some((2, "Key issues")));
        assert_eq!(markdown_heading("#hashtag"), None);
    }
}
