//! The `dms` block a job's `metadata` may carry: what a document management
//! system (Paperless-ngx, Alfresco, SharePoint …) files a document under,
//! given by the DMS itself. Where it gives a value it wins over the one
//! derived from the summary ([`crate::DocumentMetadata::filed`]). Every field
//! is bounded and checked here, once, before it reaches a document property,
//! an XMP packet or an event, so a client cannot make either writer produce a
//! property a reader would choke on.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Longest text value (title, correspondent …), in characters.
pub const MAX_TEXT: usize = 500;
/// Most tags, and longest tag.
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG: usize = 100;
/// Most custom fields, longest name and longest value.
pub const MAX_CUSTOM_FIELDS: usize = 50;
pub const MAX_FIELD_NAME: usize = 64;
pub const MAX_FIELD_VALUE: usize = 1000;

/// Names Rapporteur itself files documents under; a custom field may not
/// take one, or the DMS's value and ours would be indistinguishable.
pub const RESERVED_FIELD_NAMES: &[&str] = &[
    "schema_version",
    "source_sha256",
    "event_date",
    "session_code",
    "venue",
    "correspondent",
    "document_type",
    "external_id",
];

/// The DMS's own filing of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Dms")]
pub struct Dms {
    /// The document title; becomes the PDF and DOCX title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When the document was created: a date (`2024-05-30`) or a UTC
    /// date-time (`2024-05-30T14:00:00Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$"))]
    pub created: Option<String>,
    /// Tags; they join the keywords derived from the summary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Who the document is from, in the DMS's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correspondent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// The DMS's own id of the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Further named values (text, number or true/false), each written as a
    /// custom property and in the XMP packet's DMS namespace.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_fields: BTreeMap<String, FieldValue>,
}

/// A custom field's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FieldValue {
    Text(String),
    Flag(bool),
    Number(serde_json::Number),
}

impl FieldValue {
    /// The value as document properties store it: text.
    pub fn as_text(&self) -> String {
        match self {
            FieldValue::Text(text) => text.clone(),
            FieldValue::Flag(flag) => flag.to_string(),
            FieldValue::Number(number) => number.to_string(),
        }
    }
}

/// Why a `dms` block was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("metadata.dms.{field}: {problem}")]
pub struct DmsError {
    pub field: String,
    pub problem: String,
}

fn refuse(field: impl Into<String>, problem: impl Into<String>) -> DmsError {
    DmsError {
        field: field.into(),
        problem: problem.into(),
    }
}

impl Dms {
    /// The `dms` block of a job's (or `--metadata` file's) metadata object,
    /// checked; `None` when there is none.
    pub fn from_metadata(
        metadata: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Option<Dms>, DmsError> {
        let Some(block) = metadata.get("dms") else {
            return Ok(None);
        };
        let dms: Dms = serde_json::from_value(block.clone()).map_err(|error| {
            // serde's message names the field and never echoes a value, but
            // is bounded all the same.
            let message: String = error.to_string().chars().take(200).collect();
            refuse("", message)
        })?;
        dms.check()?;
        Ok(Some(dms))
    }

    /// Checks every bound and rule; [`Dms::from_metadata`] calls it.
    pub fn check(&self) -> Result<(), DmsError> {
        let texts = [
            ("title", &self.title),
            ("correspondent", &self.correspondent),
            ("document_type", &self.document_type),
            ("external_id", &self.external_id),
        ];
        for (field, value) in texts {
            if let Some(value) = value {
                check_text(field, value, MAX_TEXT)?;
            }
        }
        if let Some(created) = &self.created
            && !is_created(created)
        {
            return Err(refuse(
                "created",
                "not a date (YYYY-MM-DD) or UTC date-time (YYYY-MM-DDTHH:MM:SSZ)",
            ));
        }
        if self.tags.len() > MAX_TAGS {
            return Err(refuse("tags", format!("more than {MAX_TAGS} tags")));
        }
        for (i, tag) in self.tags.iter().enumerate() {
            check_text(&format!("tags[{i}]"), tag, MAX_TAG)?;
        }
        if self.custom_fields.len() > MAX_CUSTOM_FIELDS {
            return Err(refuse(
                "custom_fields",
                format!("more than {MAX_CUSTOM_FIELDS} fields"),
            ));
        }
        for (name, value) in &self.custom_fields {
            if !is_field_name(name) {
                return Err(refuse(
                    "custom_fields",
                    format!(
                        "a field name must be a letter or '_' followed by up to {} letters, digits, '_', '-' or '.'",
                        MAX_FIELD_NAME - 1
                    ),
                ));
            }
            if RESERVED_FIELD_NAMES.contains(&name.as_str()) {
                return Err(refuse(
                    format!("custom_fields.{name}"),
                    "the name is Rapporteur's own; choose another",
                ));
            }
            check_text(
                &format!("custom_fields.{name}"),
                &value.as_text(),
                MAX_FIELD_VALUE,
            )?;
        }
        Ok(())
    }

    /// The DMS's fields other than title, date and tags, named as they are
    /// filed (correspondent, document type, external id, then the custom
    /// fields by name).
    pub fn fields(&self) -> Vec<(String, String)> {
        let named = [
            ("correspondent", &self.correspondent),
            ("document_type", &self.document_type),
            ("external_id", &self.external_id),
        ];
        named
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.clone()?)))
            .chain(
                self.custom_fields
                    .iter()
                    .map(|(name, value)| (name.clone(), value.as_text())),
            )
            .collect()
    }
}

fn check_text(field: &str, value: &str, limit: usize) -> Result<(), DmsError> {
    if value.trim().is_empty() {
        return Err(refuse(field, "empty"));
    }
    if value.chars().count() > limit {
        return Err(refuse(field, format!("longer than {limit} characters")));
    }
    // Control characters have no place in XML 1.0 or a document property;
    // tabs and line breaks would split a property line in most DMS views.
    if value.chars().any(char::is_control) {
        return Err(refuse(field, "contains control characters"));
    }
    Ok(())
}

fn is_field_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && name.len() <= MAX_FIELD_NAME
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn is_created(value: &str) -> bool {
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let date = bytes.len() >= 10
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && (1..=12).contains(&value[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&value[8..10].parse::<u8>().unwrap_or(0));
    match bytes.len() {
        10 => date,
        20 => {
            date && bytes[10] == b'T'
                && digits(11..13)
                && bytes[13] == b':'
                && digits(14..16)
                && bytes[16] == b':'
                && digits(17..19)
                && bytes[19] == b'Z'
                && value[11..13].parse::<u8>().is_ok_and(|h| h < 24)
                && value[14..16].parse::<u8>().is_ok_and(|m| m < 60)
                && value[17..19].parse::<u8>().is_ok_and(|s| s < 61)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dms(value: serde_json::Value) -> Result<Option<Dms>, DmsError> {
        let metadata = json!({ "dms": value });
        Dms::from_metadata(metadata.as_object().unwrap())
    }

    #[test]
    fn a_full_block_is_read() {
        let read = dms(json!({
            "title": "WSIS 2024 Session 12",
            "created": "2024-05-30T14:00:00Z",
            "tags": ["wsis", "ai"],
            "correspondent": "ITU",
            "document_type": "Session summary",
            "external_id": "DOC-991",
            "custom_fields": {"archive_box": 7, "reviewed": true, "room": "C2"}
        }))
        .unwrap()
        .unwrap();
        assert_eq!(read.title.as_deref(), Some("WSIS 2024 Session 12"));
        assert_eq!(
            read.fields(),
            [
                ("correspondent", "ITU"),
                ("document_type", "Session summary"),
                ("external_id", "DOC-991"),
                ("archive_box", "7"),
                ("reviewed", "true"),
                ("room", "C2"),
            ]
            .map(|(n, v)| (n.to_string(), v.to_string()))
        );
    }

    #[test]
    fn no_block_is_none() {
        assert_eq!(
            Dms::from_metadata(json!({"other": 1}).as_object().unwrap()),
            Ok(None)
        );
    }

    #[test]
    fn every_wrong_value_names_its_field() {
        for (block, field) in [
            (json!({"titel": "typo"}), ""),
            (json!({"title": ""}), "title"),
            (json!({"title": "x".repeat(MAX_TEXT + 1)}), "title"),
            (json!({"title": "a\u{7}b"}), "title"),
            (json!({"created": "30/05/2024"}), "created"),
            (json!({"created": "2024-13-01"}), "created"),
            (json!({"created": "2024-05-30T25:00:00Z"}), "created"),
            (json!({"tags": vec!["t"; MAX_TAGS + 1]}), "tags"),
            (json!({"tags": ["ok", "a\nb"]}), "tags[1]"),
            (json!({"custom_fields": {"1st": "x"}}), "custom_fields"),
            (json!({"custom_fields": {"a b": "x"}}), "custom_fields"),
            (
                json!({"custom_fields": {"venue": "x"}}),
                "custom_fields.venue",
            ),
            (json!({"custom_fields": {"box": [1]}}), ""),
            (json!("not an object"), ""),
        ] {
            let error = dms(block.clone()).expect_err(&block.to_string());
            assert_eq!(error.field, field, "{block}: {error}");
            assert!(error.to_string().len() < 300, "{error}");
        }
    }

    #[test]
    fn dates_and_date_times_are_both_taken() {
        for created in ["2024-05-30", "2024-05-30T23:59:59Z"] {
            assert!(dms(json!({ "created": created })).is_ok(), "{created}");
        }
    }
}
