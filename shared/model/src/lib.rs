//! The one document model of Rapporteur.
//!
//! Every reader (text, Markdown, Word) produces an [`EventSummary`],
//! and every writer (JSON, PDF, DOCX) reads only an [`EventSummary`]. Its JSON
//! form is a public contract that document-management integrators code against:
//! fields may be added, never renamed or removed. The JSON Schema of that form is
//! published at `schema/event-summary.schema.json` and kept equal to this code by
//! a test.

mod dms;
mod metadata;

pub use dms::{Dms, DmsError, FieldValue};
pub use metadata::{DEFAULT_AUTHOR, DocumentMetadata};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The version of the JSON contract written into every summary.
pub const SCHEMA_VERSION: &str = "1.1";

/// A session summary: what happened at one event of a forum.
///
/// Every field is always present in the JSON (`null` when unknown), so that
/// integrators can rely on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "EventSummary")]
pub struct EventSummary {
    /// Version of this JSON contract ("1.1"; 1.1 added `event.session_code`,
    /// `event.venue` and `lineup`).
    pub schema_version: String,
    pub event: Event,
    /// ISO 639-1 code of the summary's language where one exists ("en", "fr",
    /// "es", "ar", "zh", "ru"), else ISO 639-3; "und" when it cannot be told.
    pub language: String,
    /// Background paragraphs, in document order.
    pub background: Vec<String>,
    pub key_issues: Vec<KeyIssue>,
    pub recommendations: Vec<String>,
    /// Sections that are neither background, key issues nor recommendations,
    /// in document order, so that nothing the author wrote is dropped.
    pub other_sections: Vec<Section>,
    /// Who organised, moderated, reported on and spoke at the session, as
    /// the document lists them (also kept, as written, in `other_sections`).
    pub lineup: Lineup,
    pub source: Source,
    /// Everything the reader repaired or guessed, by line of the source.
    pub warnings: Vec<Warning>,
}

/// The session itself: what it was and when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The kind of session as written ("Side Event", "Knowledge Café"), if any.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub title: String,
    /// ISO date of the (first) day.
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}$"))]
    pub date: Option<String>,
    /// ISO date of the last day, only for sessions spanning several days.
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}$"))]
    pub end_date: Option<String>,
    /// 24-hour "HH:MM".
    #[schemars(pattern(r"^([01]\d|2[0-3]):[0-5]\d$"))]
    pub start_time: Option<String>,
    /// 24-hour "HH:MM".
    #[schemars(pattern(r"^([01]\d|2[0-3]):[0-5]\d$"))]
    pub end_time: Option<String>,
    /// The time zone as written ("CET", "UTC+2").
    pub timezone: Option<String>,
    /// The forum's code for the session ("IGF 2022 WS #341", "Open Forum
    /// #19"), which the title leaves out.
    pub session_code: Option<String>,
    /// Where the session took place, as written ("Room C2, ITU Tower").
    pub venue: Option<String>,
}

/// The people and organisations behind a session, from the fields and lists
/// a document gives them in ("Organizer(s):", "Moderator", "Speakers/Panellists").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lineup {
    /// The organising bodies, each as written.
    pub organizers: Vec<String>,
    /// Moderators and chairs.
    pub moderators: Vec<Speaker>,
    /// Rapporteurs and note-takers.
    pub rapporteurs: Vec<Speaker>,
    /// The listed speakers and panellists, in the order listed.
    pub speakers: Vec<Speaker>,
}

/// One key issue: a statement, attributed to a speaker where the text names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyIssue {
    pub speaker: Option<Speaker>,
    /// The statement after the speaker attribution, or the whole item when no
    /// speaker is named.
    pub text: String,
}

/// Who said it, split the way the author wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Speaker {
    /// "Mr.", "Dr", "H.E. Ms." as written.
    pub honorific: Option<String>,
    pub name: String,
    pub role: Option<String>,
    pub organization: Option<String>,
}

/// A section the model has no dedicated field for ("Moderator", "Main outcomes").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub items: Vec<String>,
}

/// The input this summary was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The input's name as the user gave it (file name, or archive and entry).
    pub name: String,
    /// Lower-case hex SHA-256 of the input's bytes.
    #[schemars(pattern(r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    pub bytes: u64,
    pub format: SourceFormat,
}

/// The kind of input a summary was read from: "text" (plain text),
/// "markdown", "docx" (a Word document, whose warnings' line numbers are
/// paragraph numbers), "html" (a saved web page) or "pdf".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Text,
    Markdown,
    Docx,
    Html,
    Pdf,
}

/// Something the reader repaired or could not fully understand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// 1-based line of the source the warning is about; for a Word document,
    /// the 1-based paragraph number (every paragraph of the body counts, empty
    /// ones and those in tables too).
    pub line: usize,
    pub message: String,
}

impl EventSummary {
    /// The canonical JSON of this summary: pretty-printed, fields in contract
    /// order, ending in a newline. Equal summaries give identical bytes.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self)
            .expect("an EventSummary has only string keys and always serializes");
        bytes.push(b'\n');
        bytes
    }
}

/// The JSON Schema of [`EventSummary`]'s JSON form, as published in the repo.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(EventSummary).to_value();
    require_every_property(&mut schema);
    let mut text = serde_json::to_string_pretty(&schema)
        .expect("a JSON Schema is plain JSON and always serializes");
    text.push('\n');
    text
}

/// Marks every property of every object as required. The model never skips a
/// field when serializing (unknown values are `null`), and integrators should
/// be able to rely on that; schemars, following serde, would leave `Option`
/// fields optional.
fn require_every_property(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                let names = properties
                    .keys()
                    .cloned()
                    .map(serde_json::Value::String)
                    .collect();
                map.insert("required".to_string(), serde_json::Value::Array(names));
            }
            map.values_mut().for_each(require_every_property);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(require_every_property),
        _ => {}
    }
}
