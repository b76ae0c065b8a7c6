//! `rapporteur explain FILE`: how the reader read a document, block by block
//! (what each block became, where it went, the speaker split, and what was
//! dropped as furniture and why), then the outcome and the warnings, so a
//! user whose summary came out wrong can see where and fix the source.

use std::fmt::Write;
use std::path::Path;

use anyhow::Context;
use rapporteur_parse::ParseOptions;

/// Prints the reading of one file; the exit status is 1 when it is rejected.
pub(crate) fn run(path: &Path, max_input_bytes: usize) -> anyhow::Result<bool> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let options = ParseOptions {
        max_bytes: max_input_bytes,
    };
    let explanation = rapporteur_read::explain(&name, &bytes, &options);
    print!("{}", render(&name, &explanation));
    Ok(explanation.result.is_ok())
}

/// The report, one line per block and then the outcome.
fn render(name: &str, explanation: &rapporteur_parse::Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", printable(name, 200));
    let _ = writeln!(
        out,
        "{:>5}  {:<16} {:<30} text  [evidence]",
        "line", "element", "went to"
    );
    for p in &explanation.placements {
        let note = if p.note.is_empty() {
            String::new()
        } else {
            format!("  [{}]", printable(&p.note, 200))
        };
        let _ = writeln!(
            out,
            "{:>5}  {:<16} {:<30} '{}'{}",
            p.line,
            p.element,
            printable(&p.destination, 30),
            printable(&p.text, 70),
            note
        );
    }
    match &explanation.result {
        Ok(summary) => {
            let e = &summary.event;
            let _ = writeln!(
                out,
                "\naccepted: type {:?}, title {:?}, date {:?} {:?}-{:?} {:?}; {} background paragraphs, {} key issues ({} with a speaker), {} recommendations, {} other sections",
                e.kind,
                e.title,
                e.date,
                e.start_time,
                e.end_time,
                e.timezone,
                summary.background.len(),
                summary.key_issues.len(),
                summary
                    .key_issues
                    .iter()
                    .filter(|k| k.speaker.is_some())
                    .count(),
                summary.recommendations.len(),
                summary.other_sections.len()
            );
            if !summary.warnings.is_empty() {
                let _ = writeln!(out, "warnings:");
                for w in &summary.warnings {
                    let _ = writeln!(out, "  line {}: {}", w.line, printable(&w.message, 200));
                }
            }
        }
        Err(error) => {
            let _ = writeln!(
                out,
                "\nrejected ({}): {}",
                error.kind.code(),
                printable(&error.to_string(), 400)
            );
        }
    }
    out
}

/// Text as it may go to a terminal: control and bidi-override characters
/// shown as escapes, and at most `max` characters.
fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        let invisible = c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
        if invisible {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_shown_escaped() {
        assert_eq!(
            printable("a\u{1b}[31mb\u{202E}c", 100),
            "a\\u{1b}[31mb\\u{202e}c"
        );
        assert_eq!(printable("abcdef", 3), "abc…");
    }
}
