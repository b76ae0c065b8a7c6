//! Whether a document is a session summary at all, by its content rather
//! than by its headings: a summary reports on a session (speaker statements,
//! discussion points, outcomes, recommendations) under whatever headings, or
//! none. Documents of other kinds that forums publish are told apart, each
//! with its own reason and line: press releases, news articles, agendas and
//! programme pages, calls for proposals and registration pages, and empty
//! templates.

use std::sync::LazyLock;

use regex::Regex;

use crate::elements::{Element, Kind};
use crate::lexicon::Meaning;
use crate::sections::Assembled;
use crate::{Diagnostics, ParseError, RejectKind, excerpt};

static PRESS_RELEASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:press release|news release|media release|media advisory|for immediate release|communiqu[ée] de presse|comunicado de prensa|nota de prensa|pour diffusion imm[ée]diate|para difusi[óo]n inmediata)\b|^(?:media|press) contacts?\s*:|^contacts? (?:presse|de prensa)\s*:")
        .expect("valid regex")
});

/// A news dateline: "Geneva, 27 May 2024 –", "GENEVA (ITU News) —".
static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[\p{Lu}][\p{L}.' -]{1,40}?,\s*(?:\d{1,2}\s+\p{L}+|\p{L}+\s+\d{1,2})(?:,?\s+\d{4})?|[\p{Lu}]{3,}(?:\s+[\p{Lu}]{2,})*(?:\s*\([^)]{2,40}\))?)\s*[–—-]\s+\S")
        .expect("valid regex")
});

/// A byline: "By Jane Doe", "By Jane Doe, Staff Writer".
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:By|Par|Por)\s+\p{Lu}[\p{L}.'-]+(?:\s+\p{Lu}[\p{L}.'-]+){0,3}(?:\s*[,|].{0,60})?$",
    )
    .expect("valid regex")
});

/// A direct quotation with its speaker: "“…,” said X", "X said: “…”".
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["“”«»][^"“”«»]{10,}[,.!?]?["“”«»]\s*,?\s*(?:said|says|added|stated|explained|noted|declared|a déclaré|a dit|dijo|afirmó|declaró)\b|\b(?:said|says|added|stated|told)\b[^"“”«»]{0,60}[:,]\s*["“«]"#)
        .expect("valid regex")
});

static CALL_FOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bcall for (?:session |workshop |event )?(?:proposals|papers|submissions|applications|contributions|participation|speakers|nominations)\b|\bregistration (?:is )?(?:now )?open\b|\bregister now\b|\bhow to (?:submit|register|apply)\b|\bsubmission deadline\b|\bappel (?:à|a) (?:propositions|contributions|candidatures)\b|\binscriptions? ouvertes?\b|\bconvocatoria\b|\binscripciones abiertas\b")
        .expect("valid regex")
});

/// What minutes of a meeting are made of.
static MINUTES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:present|attendees|apologies|absent|excused|in attendance|action points?|action items?|decisions?|any other business|aob|next meeting|adoption of the agenda|minutes of the previous meeting|pr[ée]sents?|excus[ée]s|relev[ée] de d[ée]cisions|asistentes|ausentes|acuerdos|pr[oó]xima reuni[oó]n)\b\s*[:.]?")
        .expect("valid regex")
});

static MINUTES_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:minutes\b|procès-verbal|proces-verbal|acta de la reuni[oó]n|compte rendu de la réunion)")
        .expect("valid regex")
});

/// What a biography or CV is made of.
static BIOGRAPHY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:speaker'?s? biography|biography|biographie|biograf[íi]a|curriculum vitae|short bio)\b|^(?:current position|career|education|selected publications|publications|professional experience|awards|formation|parcours|trayectoria|formaci[óo]n)$")
        .expect("valid regex")
});

/// A line of a programme: a time range, then what happens.
static AGENDA_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{1,2}[:.h]\d{2}\s*(?:[-–—]|to|à|a)\s*\d{1,2}[:.h]\d{2}\s*(?:h\s+)?\S")
        .expect("valid regex")
});

/// The evidence that a document reports on a session.
#[derive(Debug, Default)]
struct Report {
    /// Headings of a summary's parts (background, key issues, recommendations, a report).
    headings: usize,
    /// Headings of key issues or recommendations with something under them.
    filled_headings: usize,
    statements: usize,
}

/// Accepts the reading, or rejects the document with the reason a person
/// can act on.
pub(crate) fn check(
    elements: &[Element],
    assembled: &Assembled,
    diag: &Diagnostics,
) -> Result<(), ParseError> {
    let report = report(assembled);
    let first = elements
        .iter()
        .find(|e| !matches!(e.kind, Kind::Chrome))
        .or(elements.first())
        .map(|e| (e.line, e.source.as_str()));
    let summary_like = report.filled_headings > 0;

    // Press releases say so at the top or in their contacts.
    if !summary_like
        && let Some(e) = elements
            .iter()
            .take(12)
            .chain(elements.iter().rev().take(8))
            .find(|e| PRESS_RELEASE.is_match(e.source.trim()))
    {
        return Err(reject(
            diag,
            e.line,
            format!(
                "not a session summary: a press release ('{}'), not a report of a session",
                excerpt(e.source.trim())
            ),
        ));
    }
    // News articles: a dateline or byline, quotations, no summary's parts.
    let paragraphs = elements
        .iter()
        .filter(|e| matches!(e.kind, Kind::Paragraph(_)));
    let dateline = paragraphs
        .clone()
        .take(3)
        .find(|e| DATELINE.is_match(&e.source))
        .or_else(|| {
            elements
                .iter()
                .take(10)
                .find(|e| BYLINE.is_match(e.source.trim()))
        });
    let quotes = paragraphs
        .clone()
        .filter(|e| e.source.contains(['"', '“', '”', '«', '»']) && QUOTED.is_match(&e.source))
        .count();
    if report.headings == 0
        && let Some(e) = dateline.filter(|_| quotes >= 1 || report.statements < 2)
    {
        return Err(reject(
            diag,
            e.line,
            format!(
                "not a session summary: a news article (it opens '{}' and quotes people), with no summary's sections",
                excerpt(e.source.trim())
            ),
        ));
    }
    // Agendas and programme pages: times and session titles.
    let agenda: Vec<&Element> = elements
        .iter()
        .filter(|e| e.source.len() < 300 && AGENDA_LINE.is_match(e.source.trim()))
        .collect();
    let text_blocks = elements
        .iter()
        .filter(|e| matches!(e.kind, Kind::Paragraph(_) | Kind::Item(_)))
        .count();
    if agenda.len() >= 3 && agenda.len() * 2 >= text_blocks && report.filled_headings == 0 {
        return Err(reject(
            diag,
            agenda[0].line,
            format!(
                "not a session summary: an agenda or programme ({} lines of session times and titles, such as '{}'), with no report of a session",
                agenda.len(),
                excerpt(agenda[0].source.trim())
            ),
        ));
    }
    // Minutes of a meeting: who was present, decisions, action points.
    let minutes: Vec<&Element> = elements
        .iter()
        .filter(|e| e.source.len() < 200 && MINUTES.is_match(e.source.trim()))
        .collect();
    if !summary_like
        && (minutes.len() >= 2
            || assembled.title_line.is_some() && MINUTES_TITLE.is_match(&assembled.event.title))
    {
        let e = minutes.first().copied().or(elements.first());
        return Err(reject(
            diag,
            e.map_or(1, |e| e.line),
            format!(
                "not a session summary: the minutes of a meeting ('{}'), not a report of a forum session",
                excerpt(e.map_or("", |e| e.source.trim()))
            ),
        ));
    }
    // A speaker's biography: a person's name for a title, a career.
    let biography = elements
        .iter()
        .take(40)
        .filter(|e| e.source.len() < 300 && BIOGRAPHY.is_match(e.source.trim()))
        .count();
    let titled_by_a_name = crate::speaker::bare_name(&assembled.event.title).is_some();
    if !summary_like && (biography >= 2 || titled_by_a_name && biography >= 1) {
        return Err(reject(
            diag,
            assembled.title_line.unwrap_or(1),
            format!(
                "not a session summary: a biography ('{}'), not a report of a session",
                excerpt(&assembled.event.title)
            ),
        ));
    }
    // Calls for proposals and registration pages.
    if !summary_like
        && let Some(e) = elements.iter().take(30).find(|e| {
            let lower = e.source.to_lowercase();
            ["call", "regist", "submi", "appel", "inscri", "convocatoria"]
                .iter()
                .any(|w| lower.contains(w))
                && CALL_FOR.is_match(&e.source)
        })
    {
        return Err(reject(
            diag,
            e.line,
            format!(
                "not a session summary: a call for proposals or a registration page ('{}')",
                excerpt(e.source.trim())
            ),
        ));
    }
    let reports = !assembled.key_issues.is_empty()
        || !assembled.recommendations.is_empty()
        || report.headings > 0 && !assembled.background.is_empty();
    if !reports {
        let (line, start) = first.unwrap_or((1, ""));
        return Err(reject(
            diag,
            line,
            format!(
                "not a session summary: it reports nothing said at a session (no key issues, speakers' statements, recommendations or summary headings found; the text starts '{}')",
                excerpt(start.trim())
            ),
        ));
    }
    Ok(())
}

fn report(assembled: &Assembled) -> Report {
    let mut report = Report::default();
    for &(_, meaning) in &assembled.headings {
        if matches!(
            meaning,
            Meaning::Background
                | Meaning::KeyIssues
                | Meaning::Recommendations
                | Meaning::Narrative
        ) {
            report.headings += 1;
        }
    }
    if !assembled.key_issues.is_empty() || !assembled.recommendations.is_empty() {
        report.filled_headings = assembled
            .headings
            .iter()
            .filter(|(_, m)| matches!(m, Meaning::KeyIssues | Meaning::Recommendations))
            .count();
    }
    report.statements = assembled
        .key_issues
        .iter()
        .filter(|k| k.speaker.is_some())
        .count();
    report
}

fn reject(diag: &Diagnostics, line: usize, message: String) -> ParseError {
    diag.reject(RejectKind::NotASummary, Some(line), message)
}
