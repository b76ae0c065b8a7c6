//! Elements to the model's sections, by meaning: what is under a background
//! heading is background, under a key-issues heading key issues, and so on;
//! a speaker's statement is a key issue wherever it stands (an unheaded
//! narrative, a "Summary", an IGF session report), a paragraph that carries
//! it on ("He added …") too, and the paragraphs under a speaker's name are
//! theirs. Nested list items join their parent. What has no field of its own
//! is kept in `other_sections`, and the people a document lists fill the
//! line-up.

use rapporteur_model::{Event, KeyIssue, Lineup, Section, Speaker};

use crate::Diagnostics;
use crate::elements::{Element, Kind, Text};
use crate::lexicon::{Meaning, People};
use crate::lineup;
use crate::speaker::{self, Casing};

/// Where an element went, for `explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub line: usize,
    /// What the block is ("heading", "paragraph", "furniture", …).
    pub element: String,
    /// Where it went ("key issue 3", "background", "dropped").
    pub destination: String,
    /// The evidence and the speaker split.
    pub note: String,
    /// The block's text.
    pub text: String,
}

/// The model's parts as read from the elements.
#[derive(Debug, Default)]
pub(crate) struct Assembled {
    pub event: Event,
    pub background: Vec<String>,
    pub key_issues: Vec<KeyIssue>,
    pub recommendations: Vec<String>,
    pub other_sections: Vec<Section>,
    pub lineup: Lineup,
    pub placements: Vec<Placement>,
    /// The section headings found, by meaning, with their lines.
    pub headings: Vec<(usize, Meaning)>,
    pub title_line: Option<usize>,
}

/// Where the next paragraph goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Unheaded,
    In(Meaning),
    /// An other-section, by its index, and the people it lists.
    Other(usize, People),
}

/// What the last text went to, for nested items and continuations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    None,
    Background,
    KeyIssue,
    Recommendation,
    Other(usize),
}

pub(crate) fn assemble(elements: &[Element], language: &str, diag: &mut Diagnostics) -> Assembled {
    let casing = Casing::of_language(language);
    let mut out = Assembled::default();
    let mut context = Context::Unheaded;
    // The speaker whose name heads the paragraphs that follow.
    let mut named: Option<Speaker> = None;
    let mut last = Last::None;
    // Entries of each other-section: (is a list item, text).
    let mut entries: Vec<Vec<(bool, String)>> = Vec::new();
    let mut people_of_sections: Vec<People> = Vec::new();
    for element in elements {
        let (name, destination, note) = match &element.kind {
            Kind::Chrome => {
                if !element.why.starts_with("the label of a field")
                    && !element.why.contains("second line")
                {
                    diag.warn(
                        element.line,
                        format!(
                            "dropped {}: '{}'",
                            element.why,
                            crate::excerpt(&element.source)
                        ),
                    );
                }
                ("furniture", "dropped".to_string(), element.why.clone())
            }
            Kind::Title(title) => {
                if !title.title.is_empty() && out.event.title.is_empty() {
                    out.event.title = title.title.clone();
                    out.title_line = Some(element.line);
                }
                if title.kind.is_some() && out.event.kind.is_none() {
                    out.event.kind = title.kind.clone();
                }
                if title.code.is_some() && out.event.session_code.is_none() {
                    out.event.session_code = title.code.clone();
                }
                ("title", "event".into(), element.why.clone())
            }
            Kind::TypeLabel(kind) => {
                out.event.kind = Some(kind.clone());
                ("session type", "event.type".into(), element.why.clone())
            }
            Kind::When(when) => {
                for note in &when.notes {
                    diag.warn(element.line, note.clone());
                }
                let event = &mut out.event;
                event.date = when.date.clone();
                event.end_date = when.end_date.clone();
                event.start_time = when.start_time.clone();
                event.end_time = when.end_time.clone();
                event.timezone = when.timezone.clone();
                (
                    "date line",
                    "event's date and time".into(),
                    element.why.clone(),
                )
            }
            Kind::Venue(venue) => {
                if out.event.venue.is_none() {
                    out.event.venue = Some(venue.clone());
                }
                ("venue", "event.venue".into(), element.why.clone())
            }
            Kind::Heading(meaning, label) | Kind::Field { label, meaning, .. } => {
                named = None;
                last = Last::None;
                out.headings.push((element.line, *meaning));
                context = match meaning {
                    Meaning::Other(people) => {
                        out.other_sections.push(Section {
                            heading: label.clone(),
                            paragraphs: Vec::new(),
                            items: Vec::new(),
                        });
                        entries.push(Vec::new());
                        people_of_sections.push(*people);
                        Context::Other(out.other_sections.len() - 1, *people)
                    }
                    meaning => Context::In(*meaning),
                };
                let name = if matches!(element.kind, Kind::Field { .. }) {
                    "field"
                } else {
                    "heading"
                };
                out.placements.push(Placement {
                    line: element.line,
                    element: name.into(),
                    destination: describe(context),
                    note: element.why.clone(),
                    text: element.source.clone(),
                });
                if let Kind::Field {
                    value: Some(value), ..
                } = &element.kind
                {
                    let (destination, note) = route(
                        value,
                        false,
                        context,
                        casing,
                        &mut named,
                        &mut last,
                        &mut out,
                        &mut entries,
                    );
                    out.placements.push(Placement {
                        line: element.line,
                        element: "field value".into(),
                        destination,
                        note,
                        text: value.text.clone(),
                    });
                }
                continue;
            }
            Kind::Speaker(speaker) => {
                named = Some(speaker.clone());
                (
                    "speaker's name",
                    "the speaker of the paragraphs below".into(),
                    element.why.clone(),
                )
            }
            Kind::Item(text) | Kind::Paragraph(text) => {
                let item = matches!(element.kind, Kind::Item(_));
                let (destination, note) = route(
                    text,
                    item,
                    context,
                    casing,
                    &mut named,
                    &mut last,
                    &mut out,
                    &mut entries,
                );
                let name = if item { "list item" } else { "paragraph" };
                let note = match (note.is_empty(), element.why.is_empty()) {
                    (true, _) => element.why.clone(),
                    (false, true) => note,
                    (false, false) => format!("{note}; {}", element.why),
                };
                (name, destination, note)
            }
        };
        out.placements.push(Placement {
            line: element.line,
            element: name.to_string(),
            destination,
            note,
            text: element.source.clone(),
        });
    }
    for (section, list) in out.other_sections.iter_mut().zip(entries) {
        let single = list.len() == 1 && !list[0].0;
        for (_, text) in list {
            if single {
                section.paragraphs.push(text);
            } else {
                section.items.push(text);
            }
        }
    }
    out.lineup = lineup::lineup(&out.other_sections, &people_of_sections);
    out
}

fn describe(context: Context) -> String {
    match context {
        Context::Unheaded => "the unheaded body".into(),
        Context::In(Meaning::Background) => "opens background".into(),
        Context::In(Meaning::KeyIssues) => "opens key issues".into(),
        Context::In(Meaning::Recommendations) => "opens recommendations".into(),
        Context::In(Meaning::Narrative) => "opens a report's narrative".into(),
        Context::In(Meaning::Chrome) => "opens furniture (dropped)".into(),
        Context::In(Meaning::Other(_)) | Context::Other(..) => "opens an other-section".into(),
    }
}

/// Sends one paragraph or item where it belongs; returns where it went and
/// how its speaker was read.
#[allow(clippy::too_many_arguments)]
fn route(
    text: &Text,
    item: bool,
    context: Context,
    casing: Casing,
    named: &mut Option<Speaker>,
    last: &mut Last,
    out: &mut Assembled,
    entries: &mut [Vec<(bool, String)>],
) -> (String, String) {
    let plain = text.text.trim();
    if plain.is_empty() {
        return ("dropped".into(), "empty".into());
    }
    // A nested item belongs to the item above it.
    if item && text.level > 0 {
        let parent = match *last {
            Last::KeyIssue => out.key_issues.last_mut().map(|k| &mut k.text),
            Last::Recommendation => out.recommendations.last_mut(),
            Last::Background => out.background.last_mut(),
            Last::Other(index) => entries[index].last_mut().map(|(_, t)| t),
            Last::None => None,
        };
        if let Some(parent) = parent {
            parent.push(' ');
            parent.push_str(plain);
            return ("the item above".into(), "a nested item".into());
        }
    }
    let previous = (*last == Last::KeyIssue)
        .then(|| out.key_issues.last().and_then(|k| k.speaker.clone()))
        .flatten();
    let statement = || -> Option<(KeyIssue, String)> {
        let (speaker, statement) = speaker::split_attribution(plain, &text.bold, casing);
        if let Some(speaker) = speaker {
            let note = format!("speaker {}", speaker_note(&speaker));
            return Some((
                KeyIssue {
                    speaker: Some(speaker),
                    text: statement,
                },
                note,
            ));
        }
        if let Some(speaker) = named.clone() {
            let note = format!("said by {} (the name above)", speaker.name);
            return Some((
                KeyIssue {
                    speaker: Some(speaker),
                    text: plain.to_string(),
                },
                note,
            ));
        }
        if let Some(speaker) = previous.clone().filter(|p| speaker::continues(plain, p)) {
            let note = format!("carries on what {} said", speaker.name);
            return Some((
                KeyIssue {
                    speaker: Some(speaker),
                    text: plain.to_string(),
                },
                note,
            ));
        }
        None
    };
    match context {
        Context::In(Meaning::Chrome) => ("dropped".into(), "under a furniture heading".into()),
        Context::In(Meaning::KeyIssues) => {
            let (issue, note) = statement().unwrap_or_else(|| {
                (
                    KeyIssue {
                        speaker: None,
                        text: plain.to_string(),
                    },
                    "no speaker named".into(),
                )
            });
            out.key_issues.push(issue);
            *last = Last::KeyIssue;
            (format!("key issue {}", out.key_issues.len()), note)
        }
        Context::In(Meaning::Recommendations) => {
            out.recommendations.push(plain.to_string());
            *last = Last::Recommendation;
            (
                format!("recommendation {}", out.recommendations.len()),
                String::new(),
            )
        }
        Context::Unheaded
        | Context::In(Meaning::Background | Meaning::Narrative | Meaning::Other(_)) => {
            match statement() {
                Some((issue, note)) => {
                    out.key_issues.push(issue);
                    *last = Last::KeyIssue;
                    (format!("key issue {}", out.key_issues.len()), note)
                }
                None => {
                    out.background.push(plain.to_string());
                    *last = Last::Background;
                    ("background".into(), "no speaker's statement".into())
                }
            }
        }
        Context::Other(index, people) => {
            if people == People::None
                && let Some((issue, note)) = statement()
            {
                out.key_issues.push(issue);
                *last = Last::KeyIssue;
                return (format!("key issue {}", out.key_issues.len()), note);
            }
            entries[index].push((item, plain.to_string()));
            *last = Last::Other(index);
            (
                format!("other section '{}'", out.other_sections[index].heading),
                String::new(),
            )
        }
    }
}

fn speaker_note(speaker: &Speaker) -> String {
    format!(
        "[{}] {} | role: {} | organisation: {}",
        speaker.honorific.as_deref().unwrap_or("-"),
        speaker.name,
        speaker.role.as_deref().unwrap_or("-"),
        speaker.organization.as_deref().unwrap_or("-"),
    )
}
