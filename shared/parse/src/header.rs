//! A title line's parts: the session type and code that prefix it ("Summary
//! of Side Event: …", "Thematic Workshop: …", "IGF 2022 WS #341 …", "Open
//! Forum #19: …") and the title itself, which leaves both out.

use std::sync::LazyLock;

use regex::Regex;

use crate::lexicon;

/// A title line, split.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TitleLine {
    pub kind: Option<String>,
    pub code: Option<String>,
    pub title: String,
}

/// "Summary of Side Event: Title", also in French and Spanish, with the
/// article French and Spanish put before the type ("Résumé de l'atelier").
static SUMMARY_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:summary(?: report)?(?: of)?|report(?: of| on)?|outcomes? of|r[ée]sum[ée](?: des| du| de)?|compte[- ]rendu(?: des| du| de)?|synth[èe]se(?: des| du| de)?|rapport(?: des| du| de)?|resumen(?: del| de)?|s[íi]ntesis(?: del| de)?|informe(?: del| de)?|relator[íi]a(?: del| de)?)\b(?:\s+(?:the|la|le|las|los|les|el)\b|\s+l['’])?\s*(.*?)\s*[:–—]\s*(.*)$")
        .expect("valid regex")
});

/// A forum's session code before the title: "IGF 2022 WS #341", "IGF 2021
/// Town Hall #60", "WSIS 2023 Session 145", "Open Forum #19", "WS #201".
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<code>(?:(?:IGF|WSIS|EuroDIG|APrIGF|AfIGF)\s*(?:19|20)\d\d\s+)?(?P<kind>[A-Za-z][A-Za-z-]*(?: [A-Za-z-]+){0,4}?)\s*(?:#\s*|No\.?\s*)\d{1,4}[a-z]?)\s*(?:[:–—|.-]\s*|\s)(?P<title>\S.*)$")
        .expect("valid regex")
});

/// "IGF 2023 Lightning Talk 12 Title" without "#": the forum and year make
/// the number a session number.
static FORUM_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<code>(?:IGF|WSIS)\s*(?:19|20)\d\d\s+(?P<kind>[A-Za-z][A-Za-z-]*(?: [A-Za-z-]+){0,4}?)\s+\d{1,4})\s*(?:[:–—|.-]\s*|\s)(?P<title>\S.*)$")
        .expect("valid regex")
});

/// A type prefix with a colon or dash: "Thematic Workshop: Title",
/// "High-Level Policy Session 9: Title".
static TYPE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<prefix>[^:–—]{2,60}?)\s*[:–—]\s*(?P<title>\S.*)$").expect("valid regex")
});

/// Abbreviated session types in IGF codes.
fn abbreviated_type(kind: &str) -> Option<&'static str> {
    Some(match kind.to_ascii_uppercase().as_str() {
        "WS" => "Workshop",
        "OF" => "Open Forum",
        "DC" => "Dynamic Coalition",
        "NS" => "Networking Session",
        "LT" => "Lightning Talk",
        "TH" => "Town Hall",
        "BPF" => "Best Practice Forum",
        "MS" => "Main Session",
        _ => return None,
    })
}

/// Splits a title line into the event type, the session code and the title.
pub(crate) fn split_title(text: &str) -> TitleLine {
    let text = text.trim();
    // A type or code before a title is set off by a colon or dash, or
    // numbered; other lines are titles as they stand.
    if !text.contains([':', '–', '—', '#', '|', '.', '-'])
        && !text.bytes().any(|b| b.is_ascii_digit())
        || text.len() > 400
    {
        return TitleLine {
            kind: None,
            code: None,
            title: text.to_string(),
        };
    }
    if let Some(caps) = SUMMARY_OF.captures(text)
        && plausible_type(caps[1].trim())
    {
        let prefix = caps[1].trim();
        let title = caps[2].trim().to_string();
        // "Summary of Open Forum #19: Title" names a code too.
        let (kind, code) = match CODE.captures(&format!("{prefix} x")) {
            Some(c) if !prefix.is_empty() => (
                Some(type_of_code(&c["kind"])),
                Some(c["code"].trim().to_string()),
            ),
            // "Summary of High-Level Policy Session 4:": the number is the code.
            _ => match lexicon::session_type(prefix).filter(|kind| kind != prefix) {
                Some(kind) => (Some(capitalize(&kind)), Some(prefix.to_string())),
                None => ((!prefix.is_empty()).then(|| capitalize(prefix)), None),
            },
        };
        return TitleLine { kind, code, title };
    }
    for pattern in [&*CODE, &*FORUM_CODE] {
        if let Some(caps) = pattern.captures(text) {
            let kind = &caps["kind"];
            let known = abbreviated_type(kind).is_some() || lexicon::session_type(kind).is_some();
            if known {
                return TitleLine {
                    kind: Some(type_of_code(kind)),
                    code: Some(caps["code"].trim().to_string()),
                    title: trim_title(&caps["title"]),
                };
            }
        }
    }
    if let Some(caps) = TYPE_PREFIX.captures(text)
        && let Some(kind) = lexicon::session_type(&caps["prefix"])
    {
        let prefix = caps["prefix"].trim();
        let code = (prefix != kind).then(|| prefix.to_string());
        return TitleLine {
            kind: Some(kind),
            code,
            title: trim_title(&caps["title"]),
        };
    }
    TitleLine {
        kind: None,
        code: None,
        title: text.to_string(),
    }
}

/// Whether the words between "Summary of" and the colon can name a session
/// type: a known one, or a few words that are not a section's name
/// ("Summary of Issues Discussed: …" is a heading with its text).
fn plausible_type(words: &str) -> bool {
    lexicon::session_type(words).is_some()
        || CODE.is_match(&format!("{words} x"))
        || words.split_whitespace().count() <= 5 && lexicon::meaning(words).is_none()
}

fn type_of_code(kind: &str) -> String {
    abbreviated_type(kind)
        .map(str::to_string)
        .or_else(|| lexicon::session_type(kind))
        .unwrap_or_else(|| kind.trim().to_string())
}

fn trim_title(title: &str) -> String {
    title
        .trim()
        .trim_start_matches([':', '–', '—', '-', '|'])
        .trim()
        .to_string()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> (Option<String>, Option<String>, String) {
        let t = split_title(text);
        (t.kind, t.code, t.title)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn summary_of_type_and_title() {
        assert_eq!(
            split("Summary of Side Event: WSIS Cooperation"),
            (some("Side Event"), None, "WSIS Cooperation".into())
        );
        assert_eq!(
            split("Résumé de l’atelier thématique\u{a0}: L’intelligence artificielle"),
            (
                some("Atelier thématique"),
                None,
                "L’intelligence artificielle".into()
            )
        );
        assert_eq!(
            split("Resumen del evento paralelo: Conectividad"),
            (some("Evento paralelo"), None, "Conectividad".into())
        );
    }

    #[test]
    fn codes_stay_out_of_the_title() {
        assert_eq!(
            split("IGF 2022 WS #341 Meaningful Connectivity for Rural Women"),
            (
                some("Workshop"),
                some("IGF 2022 WS #341"),
                "Meaningful Connectivity for Rural Women".into()
            )
        );
        assert_eq!(
            split("IGF 2021 Town Hall #60 Children's Rights"),
            (
                some("Town Hall"),
                some("IGF 2021 Town Hall #60"),
                "Children's Rights".into()
            )
        );
        assert_eq!(
            split("Open Forum #19: Cross-border Data Flows"),
            (
                some("Open Forum"),
                some("Open Forum #19"),
                "Cross-border Data Flows".into()
            )
        );
        assert_eq!(
            split("High-Level Policy Session 9: Digital Inclusion"),
            (
                some("High-Level Policy Session"),
                some("High-Level Policy Session 9"),
                "Digital Inclusion".into()
            )
        );
    }

    #[test]
    fn a_colon_in_a_title_is_not_a_type() {
        assert_eq!(
            split("Thematic Workshop: Connecting the Last Mile: Community Networks"),
            (
                some("Thematic Workshop"),
                None,
                "Connecting the Last Mile: Community Networks".into()
            )
        );
        assert_eq!(
            split("Internet Fragmentation: Perspectives from the Global South"),
            (
                None,
                None,
                "Internet Fragmentation: Perspectives from the Global South".into()
            )
        );
        assert_eq!(
            split("C7 E-environment: Green Data Centres"),
            (None, None, "C7 E-environment: Green Data Centres".into())
        );
    }
}
