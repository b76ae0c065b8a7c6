//! What a document written from a summary is filed under: the one mapping
//! of the model to document metadata (title, author, subject, keywords,
//! language, creation date and named extra properties) that the PDF and DOCX
//! writers both use, so their document properties cannot drift apart. A
//! DMS's own filing ([`Dms`]) is laid over it here too, once.

use crate::{Dms, EventSummary, SCHEMA_VERSION};

/// The author of a document when the summary names no organiser: the tool
/// that wrote it on the forum's behalf.
pub const DEFAULT_AUTHOR: &str = "Rapporteur";

/// The metadata of a document written from one summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMetadata {
    pub title: String,
    /// The organisers ("UNESCO; ITU") when the summary names them, else
    /// [`DEFAULT_AUTHOR`].
    pub author: String,
    /// The session type and date ("Side Event, 2023-01-31").
    pub subject: String,
    /// The organisations that spoke or were listed, each once, in order.
    pub keywords: Vec<String>,
    /// ISO 639 code, when the language could be told.
    pub language: Option<String>,
    /// ISO date of the session (or the DMS's date or UTC date-time):
    /// documents are dated by the event, never by the clock, so the same
    /// summary always gives the same file.
    pub created: Option<String>,
    /// Further named properties (schema version, source checksum, session
    /// date, code and venue), in a fixed order.
    pub custom: Vec<(String, String)>,
    /// The DMS's own fields (correspondent, document type, external id and
    /// its custom fields), kept apart from Rapporteur's: the PDF's XMP packet
    /// gives them their own namespace.
    pub dms_fields: Vec<(String, String)>,
}

impl DocumentMetadata {
    /// The metadata of a document written from `summary` and filed by a
    /// DMS: where the DMS gives a value it wins (title, date), its tags join
    /// the keywords, and its other fields are kept as [`Self::dms_fields`].
    pub fn filed(summary: &EventSummary, dms: Option<&Dms>) -> DocumentMetadata {
        let mut metadata = DocumentMetadata::of(summary);
        let Some(dms) = dms else {
            return metadata;
        };
        if let Some(title) = &dms.title {
            metadata.title = title.clone();
        }
        if let Some(created) = &dms.created {
            metadata.created = Some(created.clone());
        }
        for tag in &dms.tags {
            if !metadata.keywords.contains(tag) {
                metadata.keywords.push(tag.clone());
            }
        }
        metadata.dms_fields = dms.fields();
        metadata
    }

    /// The metadata of a document written from `summary` alone.
    pub fn of(summary: &EventSummary) -> DocumentMetadata {
        let event = &summary.event;
        let subject = [event.kind.as_deref(), event.date.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let organizers = &summary.lineup.organizers;
        let author = if organizers.is_empty() {
            DEFAULT_AUTHOR.to_string()
        } else {
            organizers.join("; ")
        };
        let mut keywords: Vec<String> = Vec::new();
        let organisations = summary
            .key_issues
            .iter()
            .filter_map(|issue| issue.speaker.as_ref())
            .chain(&summary.lineup.speakers)
            .filter_map(|speaker| speaker.organization.as_deref())
            .filter(|o| !o.trim().is_empty());
        for organisation in organisations {
            if !keywords.iter().any(|k| k == organisation) {
                keywords.push(organisation.to_string());
            }
        }
        let mut custom = vec![
            ("schema_version".to_string(), SCHEMA_VERSION.to_string()),
            ("source_sha256".to_string(), summary.source.sha256.clone()),
        ];
        let named = [
            ("event_date", &event.date),
            ("session_code", &event.session_code),
            ("venue", &event.venue),
        ];
        custom.extend(
            named
                .into_iter()
                .filter_map(|(name, value)| Some((name.to_string(), value.clone()?))),
        );
        DocumentMetadata {
            title: event.title.clone(),
            author,
            subject,
            keywords,
            // "und" (undetermined) says nothing a reader could use.
            language: Some(summary.language.clone()).filter(|l| !l.is_empty() && l != "und"),
            created: event.date.clone(),
            custom,
            dms_fields: Vec::new(),
        }
    }

    /// The keywords as one line, the way both formats store them.
    pub fn keyword_line(&self) -> String {
        self.keywords.join("; ")
    }
}
