//! The manifest of one output set, `<key>.manifest.json`: what was read
//! (source name, checksum, size, format), what was written (every output's
//! path, size, checksum and media type), by which version of Rapporteur,
//! with which options and metadata.
//!
//! The manifest is written last, as the set's commit marker, and removed
//! first when a set is replaced. The promise, tested here and in the
//! pipeline: **when a manifest is visible, every object it names is complete
//! and has that checksum**; a reader that lists outputs goes by manifests.
//! [`verify`] re-reads every manifest under a root and checks every object,
//! as BagIt-style fixity tools do (`rapporteur verify`).
//!
//! A manifest holds no clock time, so the same input converted twice gives
//! the same manifest, byte for byte, and a manifest can tell whether a set
//! is already current ([`Manifest::is_current_for`]).

use rapporteur_storage::{OutputKey, ReadError, Storage, StorageError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The version of the manifest's JSON contract.
pub const MANIFEST_VERSION: &str = "1";

/// What follows the key in a manifest's object name: `2023/a.manifest.json`.
pub const MANIFEST_EXTENSION: &str = "manifest.json";

/// A manifest larger than this is not a manifest Rapporteur wrote: 1 MiB
/// holds a DMS block at its bounds thirty times over.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// One output set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "OutputManifest")]
pub struct Manifest {
    /// Version of this contract ("1").
    pub manifest_version: String,
    /// The output key the set is stored under.
    pub key: String,
    /// The set's version: 1 for the first set written under the key, one
    /// more for each set that replaced another.
    #[serde(default = "first_version")]
    pub version: u32,
    /// The version this set replaced (kept under [`kept_folder`] while the
    /// storage keeps versions); `null` for a first set.
    #[serde(default)]
    pub replaces: Option<u32>,
    /// The job that wrote the set; `null` for `rapporteur convert`.
    pub job_id: Option<String>,
    pub source: ManifestSource,
    /// Every output of the set, by format name.
    pub outputs: Vec<ManifestOutput>,
    /// Version of the summary JSON contract the outputs follow.
    pub schema_version: String,
    /// Version of Rapporteur that wrote the set.
    pub rapporteur_version: String,
    /// The options the outputs were rendered with.
    pub options: RenderIdentity,
    /// The job's (or `--metadata` file's) metadata, `dms` block included.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

fn first_version() -> u32 {
    1
}

/// What was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestSource {
    pub name: String,
    /// Lower-case hex SHA-256 of the source's bytes.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    pub bytes: u64,
    /// "text", "markdown", "docx", "html" or "pdf".
    pub format: String,
}

/// One written object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestOutput {
    /// "json", "pdf" or "docx".
    pub format: String,
    /// The object's path below the storage root, '/'-separated.
    pub path: String,
    pub bytes: u64,
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    pub media_type: String,
}

/// Everything besides the source that decides the outputs' bytes: two
/// conversions with equal sources and equal identities give equal sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderIdentity {
    /// The formats written, in a fixed order.
    pub formats: Vec<String>,
    /// "a4" or "letter".
    pub page_size: String,
    /// The DMS filing the PDF and DOCX carry (the metadata's `dms` block as
    /// checked), `null` when none.
    pub dms: Option<serde_json::Value>,
}

impl Manifest {
    /// The manifest as stored: pretty JSON with a final newline, fields in
    /// declaration order, so equal manifests are equal bytes.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest always serializes");
        bytes.push(b'\n');
        bytes
    }

    /// Reads a stored manifest.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// Whether this set is what converting `source_sha256` with `options`
    /// and `metadata` by this version of Rapporteur would write again: then
    /// nothing needs writing (a redelivered job, a rerun after an
    /// interruption). The objects themselves are checked by
    /// [`Manifest::objects_intact`].
    pub fn is_current_for(
        &self,
        source_sha256: &str,
        options: &RenderIdentity,
        metadata: &serde_json::Map<String, serde_json::Value>,
        rapporteur_version: &str,
    ) -> bool {
        self.manifest_version == MANIFEST_VERSION
            && self.source.sha256 == source_sha256
            && &self.options == options
            && &self.metadata == metadata
            && self.rapporteur_version == rapporteur_version
    }

    /// Whether every object the manifest names has its size and checksum.
    pub fn objects_intact(&self, storage: &Storage) -> bool {
        self.outputs
            .iter()
            .all(|output| check_object(storage, output).is_ok())
    }
}

/// The published JSON Schema of the manifest.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Manifest);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serializes");
    text.push('\n');
    text
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// What is wrong with one object a manifest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The object is not there (or cannot be read: the message says why).
    Missing(String),
    /// It is there with another size or checksum.
    Changed { bytes: u64, sha256: String },
}

/// One finding of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The manifest, below the root.
    pub manifest: String,
    /// The object, below the root (the manifest itself when it is unreadable).
    pub object: String,
    pub problem: Problem,
}

/// The tally of [`verify`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    pub manifests: usize,
    pub objects: usize,
    pub intact: usize,
    /// Objects missing or changed, and manifests that cannot be read.
    pub findings: Vec<Finding>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Re-reads every manifest in `storage` (those whose name starts with
/// `prefix`, a '/'-separated folder or key prefix, when given; kept
/// versions included) and checks every object it names.
pub fn verify(storage: &Storage, prefix: Option<&str>) -> Result<Verification, StorageError> {
    let prefix = prefix.map(|p| p.trim_start_matches('/')).unwrap_or("");
    let suffix = format!(".{MANIFEST_EXTENSION}");
    let manifests: Vec<String> = storage
        .list(prefix)?
        .into_iter()
        .filter(|name| name.ends_with(&suffix))
        .collect();
    let mut tally = Verification::default();
    for relative in manifests {
        tally.manifests += 1;
        let manifest = match read(storage, &relative) {
            Ok(Some(manifest)) => manifest,
            Ok(None) => continue,
            Err(message) => {
                tally.findings.push(Finding {
                    manifest: relative.clone(),
                    object: relative.clone(),
                    problem: Problem::Missing(format!("unreadable manifest: {message}")),
                });
                continue;
            }
        };
        for output in &manifest.outputs {
            tally.objects += 1;
            match check_object(storage, output) {
                Ok(()) => tally.intact += 1,
                Err(problem) => tally.findings.push(Finding {
                    manifest: relative.clone(),
                    object: output.path.clone(),
                    problem,
                }),
            }
        }
    }
    Ok(tally)
}

/// Reads the manifest stored as `object`: `Ok(None)` when there is none,
/// `Err` with the reason when there is one that cannot be read or is not
/// a manifest.
pub fn read(storage: &Storage, object: &str) -> Result<Option<Manifest>, String> {
    match storage.read(object, MAX_MANIFEST_BYTES) {
        Ok(bytes) => Manifest::from_json(&bytes)
            .map(Some)
            .map_err(|e| e.to_string()),
        Err(ReadError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// The folder version `version` of `key` is kept in once a newer set
/// replaces it: `2023/.versions/a/3/` for key `2023/a`. Its name starts
/// with '.', which no key component may, so it never meets an output.
pub fn kept_folder(key: &OutputKey, version: u32) -> String {
    format!("{}{version}/", kept_versions_folder(key))
}

/// The folder every kept version of `key` is below: `2023/.versions/a/`.
pub fn kept_versions_folder(key: &OutputKey) -> String {
    match key.as_str().rsplit_once('/') {
        Some((folders, stem)) => format!("{folders}/.versions/{stem}/"),
        None => format!(".versions/{key}/"),
    }
}

fn check_object(storage: &Storage, output: &ManifestOutput) -> Result<(), Problem> {
    // A manifest is data: a name in it that would leave the storage is
    // treated as missing, never followed (the storage refuses it).
    let (bytes, sha256) = storage
        .sha256(&output.path)
        .map_err(|e| Problem::Missing(e.to_string()))?;
    if bytes == output.bytes && sha256 == output.sha256 {
        Ok(())
    } else {
        Err(Problem::Changed { bytes, sha256 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn open(root: &Path) -> Storage {
        Storage::open_dir(root).unwrap()
    }

    fn manifest(root: &Path, key: &str, content: &[u8]) -> Manifest {
        let path = format!("{key}.json");
        std::fs::create_dir_all(root.join(&path).parent().unwrap()).unwrap();
        std::fs::write(root.join(&path), content).unwrap();
        Manifest {
            manifest_version: MANIFEST_VERSION.into(),
            key: key.into(),
            version: 1,
            replaces: None,
            job_id: None,
            source: ManifestSource {
                name: "a.txt".into(),
                sha256: sha256_hex(b"source"),
                bytes: 6,
                format: "text".into(),
            },
            outputs: vec![ManifestOutput {
                format: "json".into(),
                path,
                bytes: content.len() as u64,
                sha256: sha256_hex(content),
                media_type: "application/json".into(),
            }],
            schema_version: "1.1".into(),
            rapporteur_version: "0.1.0".into(),
            options: RenderIdentity {
                formats: vec!["json".into()],
                page_size: "a4".into(),
                dms: None,
            },
            metadata: serde_json::Map::new(),
        }
    }

    fn store(root: &Path, manifest: &Manifest) {
        std::fs::write(
            root.join(format!("{}.{MANIFEST_EXTENSION}", manifest.key)),
            manifest.to_json(),
        )
        .unwrap();
    }

    #[test]
    fn an_intact_tree_verifies_and_each_kind_of_damage_is_named() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        for key in ["2023/a", "2023/b", "2024/c", "d"] {
            store(root, &manifest(root, key, key.as_bytes()));
        }
        // A writer's temporary file is no manifest.
        std::fs::write(root.join("2023/.tmp.manifest.json"), b"{").unwrap();
        let tally = verify(&open(root), None).unwrap();
        assert_eq!((tally.manifests, tally.objects, tally.intact), (4, 4, 4));
        assert!(tally.is_intact());

        std::fs::write(root.join("2023/a.json"), b"tampered").unwrap();
        std::fs::remove_file(root.join("2024/c.json")).unwrap();
        std::fs::write(root.join("d.manifest.json"), b"not json").unwrap();
        let tally = verify(&open(root), None).unwrap();
        assert_eq!((tally.manifests, tally.objects, tally.intact), (4, 3, 1));
        let found: Vec<(&str, bool)> = tally
            .findings
            .iter()
            .map(|f| {
                (
                    f.object.as_str(),
                    matches!(f.problem, Problem::Changed { .. }),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("2023/a.json", true),
                ("2024/c.json", false),
                ("d.manifest.json", false)
            ]
        );

        // A prefix narrows the check to one folder.
        let tally = verify(&open(root), Some("2023")).unwrap();
        assert_eq!((tally.manifests, tally.intact), (2, 1));
    }

    #[test]
    fn a_path_leaving_the_root_is_never_read() {
        let root = tempfile::tempdir().unwrap();
        let inner = root.path().join("store");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(root.path().join("secret.json"), b"x").unwrap();
        let mut escaping = manifest(&inner, "a", b"a");
        escaping.outputs[0].path = "../secret.json".into();
        escaping.outputs[0].sha256 = sha256_hex(b"x");
        escaping.outputs[0].bytes = 1;
        store(&inner, &escaping);
        let tally = verify(&open(&inner), None).unwrap();
        assert_eq!(tally.intact, 0);
        assert!(matches!(tally.findings[0].problem, Problem::Missing(_)));
    }

    #[test]
    fn currency_needs_the_same_source_options_metadata_and_version() {
        let root = tempfile::tempdir().unwrap();
        let m = manifest(root.path(), "a", b"a");
        let sha = sha256_hex(b"source");
        let metadata = serde_json::Map::new();
        assert!(m.is_current_for(&sha, &m.options, &metadata, "0.1.0"));
        assert!(!m.is_current_for(&sha256_hex(b"other"), &m.options, &metadata, "0.1.0"));
        let letter = RenderIdentity {
            page_size: "letter".into(),
            ..m.options.clone()
        };
        assert!(!m.is_current_for(&sha, &letter, &metadata, "0.1.0"));
        let mut filed = metadata.clone();
        filed.insert("dms".into(), serde_json::json!({"title": "T"}));
        assert!(!m.is_current_for(&sha, &m.options, &filed, "0.1.0"));
        assert!(!m.is_current_for(&sha, &m.options, &metadata, "0.2.0"));
        assert!(m.objects_intact(&open(root.path())));
    }

    #[test]
    fn manifests_match_their_schema_and_read_back_equal() {
        let root = tempfile::tempdir().unwrap();
        let m = manifest(root.path(), "a", b"a");
        let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&m.to_json()).unwrap();
        assert!(validator.is_valid(&value));
        assert_eq!(Manifest::from_json(&m.to_json()).unwrap(), m);
    }
}
