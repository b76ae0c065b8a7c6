//! A paragraph's runs of text as lines: `<br>` splits a paragraph where the
//! Word reader splits one at a manual line break (before a typed list item,
//! after an all-bold label line), and whitespace collapses as a browser
//! collapses it. The rules are the Word reader's, so the two formats give the
//! summary reader the same blocks; they are repeated here rather than moved
//! into the parser crate, which holds no format's markup. Joining a line's
//! runs is format-free and shared (`rapporteur_parse::document::join_spans`).

pub(crate) use rapporteur_parse::document::{Span, join_spans as join};

/// Splits a paragraph's spans at line breaks. A `<br>` is a line its
/// author chose (pages are not hard-wrapped as PDF extracts are), so every
/// break splits, as a text file's lines do, except one that falls
/// mid-sentence (the next line starts in lower case after a line that does
/// not end a sentence), which is layout and reads as a space. A line that
/// starts a typed list item ("- item", "(a) item") or follows an all-bold
/// label always splits. Word's reader splits only at those two; its manual
/// breaks are layout more often than a web editor's are. In a table cell
/// (`in_cell`) Word's rule holds here too: a line-up's "Name<br>Title" cell
/// is one entry, which [`rapporteur_parse::table_blocks`] needs to see a
/// line-up.
pub(crate) fn split_lines(spans: Vec<Span>, in_cell: bool) -> Vec<Vec<Span>> {
    let mut lines: Vec<Vec<Span>> = vec![Vec::new()];
    for span in spans {
        if span.text == "\n" {
            lines.push(Vec::new());
        } else {
            lines.last_mut().expect("one line at least").push(span);
        }
    }
    let mut out: Vec<Vec<Span>> = Vec::new();
    for line in lines {
        let text: String = line.iter().map(|s| s.text.as_str()).collect();
        if text.trim().is_empty() {
            continue;
        }
        let starts_item = starts_with_marker(&text);
        let previous_bold = out.last().is_some_and(|prev| {
            prev.iter().any(|s| s.bold && !s.text.trim().is_empty())
                && prev.iter().all(|s| s.bold || s.text.trim().is_empty())
        });
        let mid_sentence = text.trim_start().starts_with(char::is_lowercase)
            && out.last().is_some_and(|prev| {
                let prev: String = prev.iter().map(|s| s.text.as_str()).collect();
                !prev
                    .trim_end()
                    .ends_with(['.', '!', '?', ':', ';', '"', '”', '»'])
            });
        match out.last_mut() {
            Some(prev) if !(starts_item || previous_bold) && (mid_sentence || in_cell) => {
                prev.push(Span {
                    text: " ".into(),
                    bold: false,
                });
                prev.extend(line);
            }
            _ => out.push(line),
        }
    }
    out
}

/// Whether a line starts with a typed list marker: a dash, star or bullet,
/// or a number or letter with its stop or bracket and a space ("1.", "12)",
/// "(a)", "b)", "iv."). The Word reader looks for the first kinds only; web
/// editors' `<br>`-separated lists use all of them.
fn starts_with_marker(text: &str) -> bool {
    let text = text.trim_start();
    if text.starts_with(['-', '•', '*', '–', '·', '▪', '◦']) {
        return true;
    }
    let (inner, rest) = match text.strip_prefix('(') {
        Some(rest) => match rest.split_once(')') {
            Some((inner, rest)) => (inner, rest),
            None => return false,
        },
        None => match text.find(['.', ')']) {
            Some(at) => (&text[..at], &text[at + 1..]),
            None => return false,
        },
    };
    let numbered = (1..=2).contains(&inner.len()) && inner.chars().all(|c| c.is_ascii_digit());
    let lettered = inner.len() == 1 && inner.chars().all(|c| c.is_ascii_lowercase());
    let roman =
        (1..=4).contains(&inner.len()) && inner.chars().all(|c| matches!(c, 'i' | 'v' | 'x'));
    (numbered || lettered || roman) && rest.starts_with(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, bold: bool) -> Span {
        Span {
            text: text.into(),
            bold,
        }
    }

    #[test]
    fn breaks_split_except_mid_sentence() {
        let lines = split_lines(
            vec![
                span("Summary of Workshop: X", true),
                span("\n", false),
                span("4 May 2021", false),
                span("\n", false),
                span("Geneva", false),
                span("\n", false),
                span("and Bern.", false),
                span("\n", false),
                span("- first", false),
            ],
            false,
        );
        let texts: Vec<String> = lines.iter().map(|l| join(l).0).collect();
        assert_eq!(
            texts,
            [
                "Summary of Workshop: X",
                "4 May 2021",
                "Geneva and Bern.",
                "- first"
            ]
        );
    }

    #[test]
    fn in_a_table_cell_breaks_split_only_before_items_and_after_labels() {
        let spans = || {
            vec![
                span("Ms. Ana Ruiz", false),
                span("\n", false),
                span("Director", false),
                span("\n", false),
                span("\n", false),
                span("- item", false),
            ]
        };
        let texts = |in_cell| {
            split_lines(spans(), in_cell)
                .iter()
                .map(|l| join(l).0)
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(true), ["Ms. Ana Ruiz Director", "- item"]);
        assert_eq!(texts(false), ["Ms. Ana Ruiz", "Director", "- item"]);
    }

    #[test]
    fn typed_markers_are_told_from_numbers_in_text() {
        for item in [
            "- a", "• a", "1. a", "12) a", "(a) a", "(iv) a", "b) a", "ii. a",
        ] {
            assert!(starts_with_marker(item), "{item}");
        }
        for text in [
            "1.5 million",
            "2021 was",
            "(UNESCO) said",
            "Dr. No",
            "a.m. start",
        ] {
            assert!(!starts_with_marker(text), "{text}");
        }
    }

    #[test]
    fn bold_ranges_survive_collapsed_whitespace() {
        let (text, bold) = join(&[span("\n  M.\u{a0}Jean ", true), span(" Dupont, dit", false)]);
        assert_eq!(text, "M. Jean Dupont, dit");
        assert_eq!(&text[bold[0].0..bold[0].1], "M. Jean");
    }
}
