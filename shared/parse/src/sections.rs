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

/// The state of the assembly as elements go by.
struct Assembler {
    casing: Casing,
    out: Assembled,
    context: Context,
    /// The speaker whose name heads the paragraphs that follow.
    named: Option<Speaker>,
    last: Last,
    /// Entries of each other-section: (is a list item, text).
    entries: Vec<Vec<(bool, String)>>,
    /// The people each other-section lists.
    people: Vec<People>,
    /// Whether to keep the placements, which only `explain` shows: they
    /// copy every block's text and more (68 MB of a 170 MB reading of
    /// 100,000 bullets, issue 12).
    explaining: bool,
}

/// Sends the elements to the model's sections; with `explaining`, keeps
/// where each went ([`Assembled::placements`]).
pub(crate) fn assemble(
    elements: &[Element],
    language: &str,
    diag: &mut Diagnostics,
    explaining: bool,
) -> Assembled {
    let mut a = Assembler {
        explaining,
        casing: Casing::of_language(language),
        out: Assembled::default(),
        context: Context::Unheaded,
        named: None,
        last: Last::None,
        entries: Vec::new(),
        people: Vec::new(),
    };
    for element in elements {
        a.element(element, diag);
    }
    a.finish()
}

impl Assembler {
    fn element(&mut self, element: &Element, diag: &mut Diagnostics) {
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
                let event = &mut self.out.event;
                // A "Title:" field names the session more surely than the
                // first line does.
                let field = element.why.starts_with("a field describing the session");
                if !title.title.is_empty() && (event.title.is_empty() || field) {
                    event.title = title.title.clone();
                    self.out.title_line = Some(element.line);
                }
                if title.kind.is_some() && event.kind.is_none() {
                    event.kind = title.kind.clone();
                }
                if title.code.is_some() && event.session_code.is_none() {
                    event.session_code = title.code.clone();
                }
                ("title", "event".into(), element.why.clone())
            }
            Kind::TypeLabel(kind) => {
                self.out.event.kind = Some(kind.clone());
                ("session type", "event.type".into(), element.why.clone())
            }
            Kind::When(when) => {
                for note in &when.notes {
                    diag.warn(element.line, note.clone());
                }
                // A second date line completes the first: each part is
                // taken from the first line that gives it.
                let event = &mut self.out.event;
                if event.date.is_none() && event.end_date.is_none() {
                    event.date = when.date.clone();
                    event.end_date = when.end_date.clone();
                }
                if event.start_time.is_none() {
                    event.start_time = when.start_time.clone();
                    event.end_time = when.end_time.clone();
                }
                if event.timezone.is_none() {
                    event.timezone = when.timezone.clone();
                }
                (
                    "date line",
                    "event's date and time".into(),
                    element.why.clone(),
                )
            }
            Kind::Venue(venue) => {
                if self.out.event.venue.is_none() {
                    self.out.event.venue = Some(venue.clone());
                }
                ("venue", "event.venue".into(), element.why.clone())
            }
            Kind::Heading(meaning, label) | Kind::Field { label, meaning, .. } => {
                self.heading(element, *meaning, label);
                return;
            }
            Kind::SubHeading(_) => {
                self.named = None;
                self.last = Last::None;
                (
                    "sub-heading",
                    "stays in the section above".into(),
                    element.why.clone(),
                )
            }
            Kind::Speaker(speaker) => {
                self.named = Some(speaker.clone());
                (
                    "speaker's name",
                    "the speaker of the paragraphs below".into(),
                    element.why.clone(),
                )
            }
            Kind::Item(text) | Kind::Paragraph(text) => {
                let item = matches!(element.kind, Kind::Item(_));
                let (destination, note) = self.route(text, item);
                let name = if item { "list item" } else { "paragraph" };
                let note = match (note.is_empty(), element.why.is_empty()) {
                    (true, _) => element.why.clone(),
                    (false, true) => note,
                    (false, false) => format!("{note}; {}", element.why),
                };
                (name, destination, note)
            }
        };
        self.place(element.line, name, destination, note, &element.source);
    }

    fn place(&mut self, line: usize, element: &str, destination: String, note: String, text: &str) {
        if !self.explaining {
            return;
        }
        self.out.placements.push(Placement {
            line,
            element: element.to_string(),
            destination,
            note,
            text: text.to_string(),
        });
    }

    /// A heading or field opens a section of its meaning.
    fn heading(&mut self, element: &Element, meaning: Meaning, label: &str) {
        self.named = None;
        self.last = Last::None;
        self.out.headings.push((element.line, meaning));
        self.context = match meaning {
            Meaning::Other(people) => Context::Other(self.new_section(label, people), people),
            meaning => Context::In(meaning),
        };
        let name = if matches!(element.kind, Kind::Field { .. }) {
            "field"
        } else {
            "heading"
        };
        self.place(
            element.line,
            name,
            describe(self.context),
            element.why.clone(),
            &element.source,
        );
        if let Kind::Field {
            value: Some(value), ..
        } = &element.kind
        {
            let (destination, note) = self.route(value, false);
            self.place(element.line, "field value", destination, note, &value.text);
        }
    }

    fn new_section(&mut self, heading: &str, people: People) -> usize {
        self.out.other_sections.push(Section {
            heading: heading.to_string(),
            paragraphs: Vec::new(),
            items: Vec::new(),
        });
        self.entries.push(Vec::new());
        self.people.push(people);
        self.out.other_sections.len() - 1
    }

    fn finish(mut self) -> Assembled {
        for (section, list) in self.out.other_sections.iter_mut().zip(self.entries) {
            let single = list.len() == 1 && !list[0].0;
            for (_, text) in list {
                if single {
                    section.paragraphs.push(text);
                } else {
                    section.items.push(text);
                }
            }
        }
        self.out.lineup = lineup::lineup(&self.out.other_sections, &self.people);
        self.out
    }

    /// The key issue a paragraph makes, if it reports what someone said: an
    /// attribution at its start, the speaker's name above it, or a
    /// continuation of the key issue just before.
    fn statement(&self, plain: &str, bold: &[(usize, usize)]) -> Option<(KeyIssue, String)> {
        let (speaker, statement) = speaker::split_attribution(plain, bold, self.casing);
        if let Some(speaker) = speaker {
            let note = format!("speaker {}", speaker_note(&speaker));
            let issue = KeyIssue {
                speaker: Some(speaker),
                text: statement,
            };
            return Some((issue, note));
        }
        if let Some(speaker) = self.named.clone() {
            let note = format!("said by {} (the name above)", speaker.name);
            let issue = KeyIssue {
                speaker: Some(speaker),
                text: plain.to_string(),
            };
            return Some((issue, note));
        }
        let previous = (self.last == Last::KeyIssue)
            .then(|| self.out.key_issues.last().and_then(|k| k.speaker.clone()))
            .flatten()
            .filter(|p| speaker::continues(plain, p))?;
        let note = format!("carries on what {} said", previous.name);
        let issue = KeyIssue {
            speaker: Some(previous),
            text: plain.to_string(),
        };
        Some((issue, note))
    }

    fn key_issue(&mut self, issue: KeyIssue, note: String) -> (String, String) {
        self.out.key_issues.push(issue);
        self.last = Last::KeyIssue;
        (format!("key issue {}", self.out.key_issues.len()), note)
    }

    /// Sends one paragraph or item where it belongs; returns where it went
    /// and how its speaker was read.
    fn route(&mut self, text: &Text, item: bool) -> (String, String) {
        let plain = text.text.trim();
        if plain.is_empty() {
            return ("dropped".into(), "empty".into());
        }
        // A nested item belongs to the item above it.
        if item && text.level > 0 {
            let out = &mut self.out;
            let parent = match self.last {
                Last::KeyIssue => out.key_issues.last_mut().map(|k| &mut k.text),
                Last::Recommendation => out.recommendations.last_mut(),
                Last::Background => out.background.last_mut(),
                Last::Other(index) => self.entries[index].last_mut().map(|(_, t)| t),
                Last::None => None,
            };
            if let Some(parent) = parent {
                parent.push(' ');
                parent.push_str(plain);
                return ("the item above".into(), "a nested item".into());
            }
        }
        match self.context {
            Context::In(Meaning::Chrome) => ("dropped".into(), "under a furniture heading".into()),
            Context::In(Meaning::KeyIssues) => {
                let (issue, note) = self.statement(plain, &text.bold).unwrap_or_else(|| {
                    let issue = KeyIssue {
                        speaker: None,
                        text: plain.to_string(),
                    };
                    (issue, "no speaker named".into())
                });
                self.key_issue(issue, note)
            }
            Context::In(Meaning::Recommendations) => {
                self.out.recommendations.push(plain.to_string());
                self.last = Last::Recommendation;
                let index = self.out.recommendations.len();
                (format!("recommendation {index}"), String::new())
            }
            Context::Unheaded
            | Context::In(Meaning::Background | Meaning::Narrative | Meaning::Other(_)) => {
                // A programme's times and items with no heading of their own
                // are a "Programme" section, not background.
                if crate::elements::AGENDA_LINE.is_match(plain) {
                    let index = match self.last {
                        Last::Other(index)
                            if self.out.other_sections[index].heading == PROGRAMME =>
                        {
                            index
                        }
                        _ => self.new_section(PROGRAMME, People::None),
                    };
                    self.entries[index].push((true, plain.to_string()));
                    self.last = Last::Other(index);
                    return (
                        "other section 'Programme'".into(),
                        "a programme's time and item, under no heading".into(),
                    );
                }
                match self.statement(plain, &text.bold) {
                    Some((issue, note)) => self.key_issue(issue, note),
                    None => {
                        self.out.background.push(plain.to_string());
                        self.last = Last::Background;
                        ("background".into(), "no speaker's statement".into())
                    }
                }
            }
            Context::Other(index, people) => {
                if people == People::None
                    && let Some((issue, note)) = self.statement(plain, &text.bold)
                {
                    return self.key_issue(issue, note);
                }
                self.entries[index].push((item, plain.to_string()));
                self.last = Last::Other(index);
                (
                    format!("other section '{}'", self.out.other_sections[index].heading),
                    String::new(),
                )
            }
        }
    }
}

/// The heading given to a programme that has none.
const PROGRAMME: &str = "Programme";

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

fn speaker_note(speaker: &Speaker) -> String {
    format!(
        "[{}] {} | role: {} | organisation: {}",
        speaker.honorific.as_deref().unwrap_or("-"),
        speaker.name,
        speaker.role.as_deref().unwrap_or("-"),
        speaker.organization.as_deref().unwrap_or("-"),
    )
}
