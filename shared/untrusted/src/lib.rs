//! Client strings shown safely: every value a client chose (a job id, a file
//! name, a key, a version, a field name serde echoes) goes through [`shown`]
//! before it reaches an error message, an AMQP header, a result event, a log
//! line or a terminal.
//!
//! Two dangers, two rules:
//! - size: a 200 KB `version` echoed into the `x-rapporteur-error` header made
//!   the broker close the connection (`frame_too_large`) and drop every
//!   in-flight job, again on every redelivery. A shown value is cut to
//!   [`SHOWN_CHARS`] characters and says how long it really was;
//! - characters: control characters rewrite a terminal, and bidi and other
//!   format characters (U+202E RIGHT-TO-LEFT OVERRIDE) make a name read as
//!   another. They are shown as `\u{202e}`, so what is printed is what the
//!   value holds.

use std::fmt::Write;

use unicode_general_category::{GeneralCategory, get_general_category};

/// Characters of a client value shown before it is cut.
pub const SHOWN_CHARS: usize = 200;

/// Longest message (in bytes) made from client values that is put in a
/// header or an event: a message that quotes several values, each bounded,
/// still stays far below the broker's frame size (128 KB by default).
pub const MAX_MESSAGE_BYTES: usize = 2048;

/// A client value as it may be shown: at most [`SHOWN_CHARS`] characters,
/// then "… (N bytes)" when it was longer, with control, format (bidi) and
/// line-separator characters escaped.
pub fn shown(value: &str) -> String {
    shown_at_most(value, SHOWN_CHARS)
}

/// [`shown`] with another length.
pub fn shown_at_most(value: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(value.len().min(max_chars * 2) + 24);
    let mut chars = value.char_indices();
    for (count, (_, c)) in chars.by_ref().enumerate() {
        if count == max_chars {
            let _ = write!(out, "… ({} bytes)", value.len());
            return out;
        }
        push_escaped(&mut out, c);
    }
    out
}

/// Whether showing `value` would change it (cut or escaped).
pub fn needs_escaping(value: &str) -> bool {
    value.chars().any(hidden)
}

/// A message that may quote client values, made safe as a whole: escaped as
/// [`shown`] does, and cut to [`MAX_MESSAGE_BYTES`] at a character boundary.
/// For messages built by code we do not own (a serde error quoting a field
/// name, a library error quoting a path) as a last guard.
pub fn bounded_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_MESSAGE_BYTES) + 24);
    for c in message.chars() {
        // Room for the longest escape and the tail.
        if out.len() + 12 > MAX_MESSAGE_BYTES - 24 {
            let _ = write!(out, "… ({} bytes)", message.len());
            return out;
        }
        // Line breaks in a message read as separate log lines.
        if c == '\n' {
            out.push(' ');
        } else {
            push_escaped(&mut out, c);
        }
    }
    out
}

/// A message for a terminal that may quote client values (file names from
/// disk or archives, job ids, errors quoting them): every hidden character
/// escaped as [`shown`] does, except line breaks and tabs, and nothing cut.
/// An escape sequence in a file name can no longer rewrite the terminal, and
/// a U+202E no longer makes a name read as another.
pub fn for_terminal(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        if c == '\n' || c == '\t' {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    out
}

/// Characters that are not shown as themselves: controls (C0, DEL, C1),
/// format characters (bidi embeddings, overrides and isolates, zero-width
/// characters, the BOM, tags) and the line and paragraph separators.
fn hidden(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::Surrogate
    )
}

fn push_escaped(out: &mut String, c: char) {
    if hidden(c) {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_plain_values_are_unchanged() {
        assert_eq!(shown("side-event-12.txt"), "side-event-12.txt");
        assert_eq!(shown("résumé atelier 日本"), "résumé atelier 日本");
        assert_eq!(shown(""), "");
        assert!(!needs_escaping("l'atelier \"final\".docx"));
    }

    #[test]
    fn long_values_are_cut_and_say_their_length() {
        let long = "v".repeat(200_000);
        let shown = shown(&long);
        assert_eq!(
            shown,
            format!("{}… (200000 bytes)", "v".repeat(SHOWN_CHARS))
        );
        // Exactly the limit is not cut.
        assert_eq!(
            super::shown(&"é".repeat(SHOWN_CHARS)),
            "é".repeat(SHOWN_CHARS)
        );
        assert_eq!(shown_at_most("abcdef", 3), "abc… (6 bytes)");
    }

    #[test]
    fn control_bidi_and_format_characters_are_escaped() {
        // U+202E makes "evil\u{202e}fdp.exe" read as "evilexe.pdf".
        assert_eq!(shown("evil\u{202e}fdp.exe"), "evil\\u{202e}fdp.exe");
        assert_eq!(shown("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(shown("a\nb\rc\td"), "a\\u{a}b\\u{d}c\\u{9}d");
        assert_eq!(shown("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert_eq!(
            shown("zero\u{200b}width\u{feff}"),
            "zero\\u{200b}width\\u{feff}"
        );
        assert_eq!(shown("line\u{2028}sep\u{85}"), "line\\u{2028}sep\\u{85}");
        assert!(needs_escaping("\u{200f}"));
    }

    #[test]
    fn terminal_text_keeps_its_lines_and_loses_its_escapes() {
        assert_eq!(
            for_terminal("a\u{1b}]0;owned\u{7}.txt: failed\n  line 2\tx"),
            "a\\u{1b}]0;owned\\u{7}.txt: failed\n  line 2\tx"
        );
        assert_eq!(for_terminal("gpj.\u{202e}exe"), "gpj.\\u{202e}exe");
    }

    #[test]
    fn bounded_messages_stay_under_the_limit() {
        let message = format!("unknown field `{}`, expected one of …", "k".repeat(300_000));
        let bounded = bounded_message(&message);
        assert!(bounded.len() <= MAX_MESSAGE_BYTES, "{}", bounded.len());
        assert!(bounded.starts_with("unknown field `kkk"));
        assert!(bounded.ends_with(&format!("({} bytes)", message.len())));
        let escapes = "\u{202e}".repeat(10_000);
        let bounded = bounded_message(&escapes);
        assert!(bounded.len() <= MAX_MESSAGE_BYTES, "{}", bounded.len());
        assert_eq!(bounded_message("two\nlines\u{1b}"), "two lines\\u{1b}");
    }
}
