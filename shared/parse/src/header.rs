//! The lines above the first section heading: the title line (with the event
//! type), the date and time line, and any labelled details ("Organiser: …").

use std::sync::LazyLock;

use rapporteur_model::{Event, Section};
use regex::Regex;

use crate::Diagnostics;
use crate::headings::fold;
use crate::lines::Line;
use crate::when::parse_when;

/// What the header says.
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub event: Event,
    /// Line of the title, if there was one.
    pub title_line: Option<usize>,
    /// "Label: value" lines, kept as sections of their own.
    pub details: Vec<Section>,
    /// Unlabelled paragraphs between the title and the first heading.
    pub paragraphs: Vec<(usize, String)>,
}

/// "Summary of Side Event: Title", also in French and Spanish.
static SUMMARY_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:summary(?: of)?|r[ée]sum[ée](?: des| du| de)?|compte rendu(?: des| du| de)?|synth[èe]se(?: des| du| de)?|resumen(?: del| de)?|s[íi]ntesis(?: del| de)?)\b(?:\s+(?:the|la|le|l'|el|los|las|les))?\s*(.*?)\s*[:–—]\s*(.*)$")
        .expect("valid regex")
});

/// Session types that prefix a title without "Summary of".
static TYPE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^((?:high-level |thematic |interactive |country |ministerial |special |main |networking |policy )?(?:side event|workshop|knowledge caf[ée]|policy session|session|open forum|lightning talk|networking event|plenary|panel|hackathon|launch|award ceremony|town hall|dynamic coalition|open consultation|roundtable|round table|action line facilitation meeting|best practice forum|day 0 event|pre-event|ws|atelier|taller|table ronde|événement parallèle|evento paralelo|sesión|séance)(?:\s*#?\s*\d{1,4})?)\s*[:–—]\s*(.+)$")
        .expect("valid regex")
});

static DETAIL_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([\p{L}][\p{L} /&'-]{1,40}):\s+(\S.*)$").expect("valid regex"));

pub(crate) fn parse_header(lines: &[Line], diag: &mut Diagnostics) -> Header {
    let mut header = Header::default();
    let mut when_found = false;
    let mut title_open = false;
    let mut paragraph: Option<(usize, String)> = None;
    for line in lines {
        let text = strip_heading_markup(&line.text);
        if text.is_empty() {
            title_open = title_open && header.event.title.is_empty();
            flush(&mut paragraph, &mut header);
            continue;
        }
        if !when_found && let Some(when) = parse_when(&text) {
            when_found = true;
            title_open = false;
            for note in when.notes {
                diag.warn(line.number, note);
            }
            let event = &mut header.event;
            (
                event.date,
                event.end_date,
                event.start_time,
                event.end_time,
                event.timezone,
            ) = (
                when.date,
                when.end_date,
                when.start_time,
                when.end_time,
                when.timezone,
            );
            continue;
        }
        if header.title_line.is_none() {
            header.title_line = Some(line.number);
            let (kind, title) = split_title(&text);
            header.event.kind = kind;
            header.event.title = title;
            title_open = true;
            continue;
        }
        if fold(&text) == fold(&header.event.title) {
            diag.warn(line.number, "dropped the title, repeated");
            continue;
        }
        if title_open && !DETAIL_LABEL.is_match(&text) {
            // A title hard-wrapped over several lines, or given on the line
            // after "Summary of Side Event:".
            let title = &mut header.event.title;
            if !title.is_empty() {
                title.push(' ');
            }
            title.push_str(&text);
            continue;
        }
        title_open = false;
        if let Some(caps) = DETAIL_LABEL.captures(&text) {
            flush(&mut paragraph, &mut header);
            header.details.push(Section {
                heading: caps[1].trim().to_string(),
                paragraphs: vec![caps[2].trim().to_string()],
                items: Vec::new(),
            });
            continue;
        }
        match &mut paragraph {
            Some((_, body)) => {
                body.push(' ');
                body.push_str(&text);
            }
            None => paragraph = Some((line.number, text)),
        }
    }
    flush(&mut paragraph, &mut header);
    header
}

fn flush(paragraph: &mut Option<(usize, String)>, header: &mut Header) {
    if let Some(p) = paragraph.take() {
        header.paragraphs.push(p);
    }
}

fn strip_heading_markup(text: &str) -> String {
    let text = text.trim_start_matches('#').trim();
    let (plain, _) = crate::speaker::strip_bold(text);
    plain.trim().to_string()
}

/// Splits a title line into the event type and the title.
pub(crate) fn split_title(text: &str) -> (Option<String>, String) {
    if let Some(caps) = SUMMARY_OF.captures(text) {
        let kind = caps[1].trim();
        let kind = (!kind.is_empty()).then(|| capitalize(kind));
        return (kind, caps[2].trim().to_string());
    }
    if let Some(caps) = TYPE_PREFIX.captures(text) {
        return (Some(caps[1].trim().to_string()), caps[2].trim().to_string());
    }
    (None, text.to_string())
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
