//! One document's way through Rapporteur: read → model → render → storage.
//!
//! The CLI and the worker both convert documents through [`Converter`], so a
//! job's outputs are byte-identical to `rapporteur convert`'s, and every
//! failure carries a stable code and whether trying again could help.
//!
//! Every set of outputs is committed by its manifest (`rapporteur-manifest`):
//! the set being replaced is kept as a version (objects, then its manifest,
//! under `.versions/`), its manifest is removed, the outputs are written,
//! and the new manifest, one version up, is written last. A set whose
//! manifest says it is what this conversion would write again is left
//! alone. Storage is any backend of `rapporteur-storage` (a directory or
//! object storage); nothing here knows which.

pub use rapporteur_codes::ErrorCode;
use rapporteur_manifest::{
    MANIFEST_EXTENSION, MANIFEST_VERSION, MAX_MANIFEST_BYTES, Manifest, ManifestOutput,
    ManifestSource, RenderIdentity,
};
use rapporteur_model::EventSummary;
use rapporteur_parse::{ParseError, ParseOptions};
use rapporteur_render::{Format, RenderOptions};
use rapporteur_storage::{OutputKey, ReadError, Storage, StorageError, object_name};
use sha2::{Digest, Sha256};

/// Settings shared by every conversion of a process.
#[derive(Debug, Clone)]
pub struct Converter {
    pub parse: ParseOptions,
    pub render: RenderOptions,
    /// How many replaced versions of a key are kept (0: none).
    pub keep_versions: u32,
}

/// Replaced versions kept unless configured otherwise.
pub const DEFAULT_KEEP_VERSIONS: u32 = 3;

impl Default for Converter {
    fn default() -> Self {
        Converter {
            parse: ParseOptions::default(),
            render: RenderOptions::default(),
            keep_versions: DEFAULT_KEEP_VERSIONS,
        }
    }
}

/// An object a conversion wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenOutput {
    pub format: Format,
    /// Its name in storage ("2023/side-event.pdf"); see
    /// [`Storage::describe`] for a path or URL.
    pub object: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Who asked for a conversion, for the manifest: the job id (none for
/// `rapporteur convert`) and the request's metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct Provenance<'a> {
    pub job_id: Option<&'a str>,
    pub metadata: Option<&'a serde_json::Map<String, serde_json::Value>>,
    /// Write the set even when it is current (`convert --force`).
    pub force: bool,
}

/// What a conversion did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub outputs: Vec<WrittenOutput>,
    /// The set's manifest, by its name in storage.
    pub manifest: String,
    /// True when the set was already current (same source, options,
    /// metadata and Rapporteur version) and nothing was written.
    pub unchanged: bool,
    /// How many warnings the reader gave (not known for an unchanged set,
    /// which is not read again).
    pub warnings: Option<usize>,
    /// The set's version (1 for a key's first set).
    pub version: u32,
    /// The version it replaced, if any.
    pub replaces: Option<u32>,
}

/// Why a document could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError {
    /// Stable and machine-readable: the parser's reject codes, "render_failed",
    /// "invalid_key", "storage_unavailable".
    pub code: ErrorCode,
    /// For people: names the document and says what to do.
    pub message: String,
    /// Line of the source, for parse errors.
    pub line: Option<usize>,
    /// Whether the same document could succeed later (storage trouble), as
    /// opposed to never (the document itself is the problem).
    pub transient: bool,
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ParseError> for ConvertError {
    fn from(error: ParseError) -> Self {
        ConvertError {
            code: error.kind.code(),
            message: error.to_string(),
            line: error.line,
            transient: false,
        }
    }
}

impl Converter {
    /// Reads a document (text, or a Word file) into the model.
    pub fn read(&self, name: &str, bytes: &[u8]) -> Result<EventSummary, ConvertError> {
        Ok(rapporteur_read::read_summary(name, bytes, &self.parse)?)
    }

    /// Converts one document and writes `<key>.<format>` for every format,
    /// then `<key>.manifest.json`. Everything is rendered before anything is
    /// written, so a failure leaves no partial set of outputs behind.
    pub fn convert(
        &self,
        name: &str,
        bytes: &[u8],
        formats: &[Format],
        key: &OutputKey,
        storage: &Storage,
    ) -> Result<Vec<WrittenOutput>, ConvertError> {
        self.convert_for(name, bytes, formats, key, storage, Provenance::default())
            .map(|converted| converted.outputs)
    }

    /// The options part of a manifest for `formats`.
    fn identity(&self, formats: &[Format]) -> RenderIdentity {
        let mut names: Vec<String> = formats.iter().map(|f| f.extension().to_string()).collect();
        names.sort();
        names.dedup();
        RenderIdentity {
            formats: names,
            page_size: self.render.page_size.name().to_string(),
            dms: self
                .render
                .dms
                .as_ref()
                .and_then(|dms| serde_json::to_value(dms).ok()),
        }
    }

    /// [`Converter::convert`] for a job: the manifest names the job and
    /// keeps its metadata, and a set that is already current is not written
    /// again ([`Converted::unchanged`]). A set that replaces another gets
    /// the next version; the replaced set is kept under
    /// [`rapporteur_manifest::kept_folder`] (the newest
    /// [`Converter::keep_versions`] of them are).
    pub fn convert_for(
        &self,
        name: &str,
        bytes: &[u8],
        formats: &[Format],
        key: &OutputKey,
        storage: &Storage,
        provenance: Provenance<'_>,
    ) -> Result<Converted, ConvertError> {
        let empty = serde_json::Map::new();
        let metadata = provenance.metadata.unwrap_or(&empty);
        let identity = self.identity(formats);
        let source_sha256 = format!("{:x}", Sha256::digest(bytes));
        let manifest_object = object_name(key, MANIFEST_EXTENSION);
        let storage_error = |e: StorageError| ConvertError {
            code: e.code(),
            message: format!("{name}: {e}"),
            line: None,
            transient: e.is_transient(),
        };
        // No readable manifest (none, not one, or storage shaped so that
        // none can be there) is no current set; the write then says what
        // is wrong. Storage that does not answer is an outage.
        let current = match storage.read(&manifest_object, MAX_MANIFEST_BYTES) {
            Ok(bytes) => Manifest::from_json(&bytes).ok(),
            Err(ReadError::Unreadable {
                transient: true,
                message,
                ..
            }) => {
                return Err(ConvertError {
                    code: ErrorCode::StorageUnavailable,
                    message: format!(
                        "{name}: cannot read {}: {message}",
                        storage.describe(&manifest_object)
                    ),
                    line: None,
                    transient: true,
                });
            }
            Err(_) => None,
        };
        // The same source, options, metadata and Rapporteur version: the
        // set is current unless an object of it is damaged or `force` asks
        // for it again; then it is rewritten as the same version.
        let same = current
            .as_ref()
            .filter(|current| current.is_current_for(&source_sha256, &identity, metadata, VERSION));
        if let Some(current) = same
            && !provenance.force
            && current.objects_intact(storage)
        {
            let outputs = current
                .outputs
                .iter()
                .filter_map(|o| {
                    Some(WrittenOutput {
                        format: o.format.parse().ok()?,
                        object: o.path.clone(),
                        bytes: o.bytes,
                        sha256: o.sha256.clone(),
                    })
                })
                .collect();
            return Ok(Converted {
                outputs,
                manifest: manifest_object,
                unchanged: true,
                warnings: None,
                version: current.version,
                replaces: current.replaces,
            });
        }
        let summary = self.read(name, bytes)?;
        let rendered = formats
            .iter()
            .map(|&format| Ok((format, format.render(&summary, &self.render)?)))
            .collect::<Result<Vec<_>, rapporteur_render::RenderError>>()
            .map_err(|e| ConvertError {
                code: ErrorCode::RenderFailed,
                message: format!("{name}: {e}"),
                line: None,
                transient: false,
            })?;
        let outputs: Vec<(&str, &[u8])> = rendered
            .iter()
            .map(|(format, bytes)| (format.extension(), bytes.as_slice()))
            .collect();
        // The set being replaced: the current one, or, when a replacement
        // stopped between taking the old manifest away and writing the new
        // one (outputs there, no manifest), the newest kept version.
        let (version, replaces) = match (same, &current) {
            (Some(same), _) => (same.version, same.replaces),
            (None, Some(current)) => {
                if self.keep_versions > 0 {
                    keep(storage, key, current).map_err(storage_error)?;
                }
                (current.version.saturating_add(1), Some(current.version))
            }
            (None, None) => match self.interrupted_version(storage, key, formats)? {
                Some(replaced) => (replaced.saturating_add(1), Some(replaced)),
                None => (1, None),
            },
        };
        // The old manifest goes first: from here until the new one lands,
        // no manifest claims objects that are being replaced.
        storage
            .remove(key, MANIFEST_EXTENSION)
            .map_err(storage_error)?;
        let objects = storage
            .write_all_atomic(key, &outputs)
            .map_err(storage_error)?;
        let written: Vec<WrittenOutput> = rendered
            .into_iter()
            .zip(objects)
            .map(|((format, bytes), object)| WrittenOutput {
                format,
                object,
                bytes: bytes.len() as u64,
                sha256: format!("{:x}", Sha256::digest(&bytes)),
            })
            .collect();
        let manifest = Manifest {
            manifest_version: MANIFEST_VERSION.to_string(),
            key: key.as_str().to_string(),
            version,
            replaces,
            job_id: provenance.job_id.map(str::to_string),
            source: ManifestSource {
                name: summary.source.name.clone(),
                sha256: source_sha256,
                bytes: bytes.len() as u64,
                format: serde_json::to_value(summary.source.format)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            },
            outputs: written
                .iter()
                .map(|output| ManifestOutput {
                    format: output.format.extension().to_string(),
                    path: output.object.clone(),
                    bytes: output.bytes,
                    sha256: output.sha256.clone(),
                    media_type: output.format.media_type().to_string(),
                })
                .collect(),
            schema_version: rapporteur_model::SCHEMA_VERSION.to_string(),
            rapporteur_version: VERSION.to_string(),
            options: identity,
            metadata: metadata.clone(),
        };
        storage
            .write_atomic(key, MANIFEST_EXTENSION, &manifest.to_json())
            .map_err(storage_error)?;
        // Only the newest `keep_versions` replaced sets are kept: each new
        // version lets the one that falls out go (one probe, no listing,
        // so that reconverting a large archive stays linear).
        if replaces.is_some()
            && let Some(gone) = version.checked_sub(self.keep_versions.saturating_add(1))
            && gone > 0
        {
            drop_kept(storage, key, gone).map_err(storage_error)?;
        }
        Ok(Converted {
            outputs: written,
            manifest: manifest_object,
            unchanged: false,
            warnings: Some(summary.warnings.len()),
            version,
            replaces,
        })
    }

    /// Whether converting `bytes` to `formats` under `key` with `metadata`
    /// would find its set current and write nothing (as
    /// [`Converter::convert_for`] decides it): `submit --storage` publishes
    /// only the documents for which it would not. Any doubt (no manifest,
    /// storage that does not answer) is "not current".
    pub fn is_current(
        &self,
        bytes: &[u8],
        formats: &[Format],
        key: &OutputKey,
        storage: &Storage,
        metadata: &serde_json::Map<String, serde_json::Value>,
    ) -> bool {
        let source_sha256 = format!("{:x}", Sha256::digest(bytes));
        let manifest_object = object_name(key, MANIFEST_EXTENSION);
        storage
            .read(&manifest_object, MAX_MANIFEST_BYTES)
            .ok()
            .and_then(|bytes| Manifest::from_json(&bytes).ok())
            .is_some_and(|current| {
                current.is_current_for(&source_sha256, &self.identity(formats), metadata, VERSION)
                    && current.objects_intact(storage)
            })
    }

    /// The version a set interrupted mid-replacement replaced: `None`
    /// unless an output of the set is there without a manifest, then the
    /// newest kept version (the probe is one lookup, so a first conversion
    /// costs no listing).
    fn interrupted_version(
        &self,
        storage: &Storage,
        key: &OutputKey,
        formats: &[Format],
    ) -> Result<Option<u32>, ConvertError> {
        let unavailable = |e: StorageError| ConvertError {
            code: e.code(),
            message: format!("{key}: {e}"),
            line: None,
            transient: e.is_transient(),
        };
        let Some(first) = formats.first() else {
            return Ok(None);
        };
        if !storage
            .exists(&object_name(key, first.extension()))
            .map_err(unavailable)?
        {
            return Ok(None);
        }
        let folder = rapporteur_manifest::kept_versions_folder(key);
        let newest = storage
            .list(&folder)
            .map_err(unavailable)?
            .iter()
            .filter_map(|name| name.strip_prefix(&folder)?.split('/').next()?.parse().ok())
            .max();
        Ok(newest)
    }
}

/// Keeps a copy of the set `manifest` commits under its version's kept
/// folder: the objects first, then the manifest naming the copies, so a
/// kept version is committed as a current one is. A set whose objects are
/// gone is not kept (there is nothing whole to keep).
fn keep(storage: &Storage, key: &OutputKey, manifest: &Manifest) -> Result<(), StorageError> {
    let folder = rapporteur_manifest::kept_folder(key, manifest.version);
    let mut kept = manifest.clone();
    for output in &mut kept.outputs {
        let file = output.path.rsplit('/').next().unwrap_or(&output.path);
        let copy = format!("{folder}{file}");
        if !storage.copy(&output.path, &copy)? {
            return Ok(());
        }
        output.path = copy;
    }
    let stem = key.as_str().rsplit('/').next().unwrap_or(key.as_str());
    let manifest_copy = format!("{folder}{stem}.{MANIFEST_EXTENSION}");
    storage.write_objects(&[(&manifest_copy, &kept.to_json())])
}

/// Deletes kept version `version` of `key`, its manifest first.
fn drop_kept(storage: &Storage, key: &OutputKey, version: u32) -> Result<(), StorageError> {
    let folder = rapporteur_manifest::kept_folder(key, version);
    let stem = key.as_str().rsplit('/').next().unwrap_or(key.as_str());
    let manifest_object = format!("{folder}{stem}.{MANIFEST_EXTENSION}");
    if !storage.exists(&manifest_object)? {
        return Ok(());
    }
    storage.delete(&manifest_object)?;
    for object in storage.list(&folder)? {
        storage.delete(&object)?;
    }
    Ok(())
}

/// The version of Rapporteur recorded in manifests: a new version may
/// write other bytes, so its sets are never taken as current.
const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &[u8] = include_bytes!("../../../examples/wsis-cooperation-sdgs.txt");

    #[test]
    fn writes_every_format_and_reports_checksums() {
        let root = tempfile::tempdir().unwrap();
        let storage = Storage::open_dir(root.path()).unwrap();
        let key = OutputKey::new("2023/seed").unwrap();
        let written = Converter::default()
            .convert("seed.txt", SEED, &[Format::Json], &key, &storage)
            .unwrap();
        assert_eq!(written.len(), 1);
        let on_disk = std::fs::read(root.path().join("2023/seed.json")).unwrap();
        assert_eq!(written[0].bytes, on_disk.len() as u64);
        assert_eq!(written[0].sha256, format!("{:x}", Sha256::digest(&on_disk)));
    }

    fn modified(path: &std::path::Path) -> std::time::SystemTime {
        std::fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn the_manifest_commits_the_set_and_a_current_set_is_not_rewritten() {
        let root = tempfile::tempdir().unwrap();
        let storage = Storage::open_dir(root.path()).unwrap();
        let key = OutputKey::new("2023/seed").unwrap();
        let converter = Converter::default();
        let metadata: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"input": "seed.txt"}"#).unwrap();
        let job = Provenance {
            job_id: Some("job-1"),
            metadata: Some(&metadata),
            force: false,
        };
        let formats = [Format::Json, Format::Docx];
        let first = converter
            .convert_for("seed.txt", SEED, &formats, &key, &storage, job)
            .unwrap();
        assert!(!first.unchanged);
        assert_eq!(first.manifest, "2023/seed.manifest.json");
        let on_disk = |object: &str| root.path().join(object);
        let manifest =
            Manifest::from_json(&std::fs::read(on_disk(&first.manifest)).unwrap()).unwrap();
        assert_eq!((manifest.version, manifest.replaces), (1, None));
        assert_eq!(manifest.job_id.as_deref(), Some("job-1"));
        assert_eq!(
            manifest.source.sha256,
            format!("{:x}", Sha256::digest(SEED))
        );
        assert_eq!(manifest.source.format, "text");
        assert_eq!(manifest.metadata, metadata);
        let paths: Vec<&str> = manifest.outputs.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(paths, ["2023/seed.json", "2023/seed.docx"]);
        let tally = rapporteur_manifest::verify(&storage, None).unwrap();
        assert_eq!((tally.manifests, tally.intact), (1, 2));
        assert!(tally.is_intact());

        // The same source, options and metadata again (a redelivery): nothing
        // is written, the outputs are reported as they are.
        let stamps: Vec<_> = first
            .outputs
            .iter()
            .map(|o| modified(&on_disk(&o.object)))
            .collect();
        let manifest_stamp = modified(&on_disk(&first.manifest));
        std::thread::sleep(std::time::Duration::from_millis(20));
        let again = converter
            .convert_for("seed.txt", SEED, &formats, &key, &storage, job)
            .unwrap();
        assert!(again.unchanged);
        assert_eq!(again.outputs, first.outputs);
        let after: Vec<_> = again
            .outputs
            .iter()
            .map(|o| modified(&on_disk(&o.object)))
            .collect();
        assert_eq!(after, stamps);
        assert_eq!(modified(&on_disk(&again.manifest)), manifest_stamp);

        // A damaged output is not current: the set is written again, as
        // the same version (a repair is no new version, and the damaged
        // set is not kept).
        std::fs::write(root.path().join("2023/seed.json"), b"{}").unwrap();
        let repaired = converter
            .convert_for("seed.txt", SEED, &formats, &key, &storage, job)
            .unwrap();
        assert!(!repaired.unchanged);
        assert_eq!((repaired.version, repaired.replaces), (1, None));
        assert!(!root.path().join("2023/.versions").exists());
        assert!(
            rapporteur_manifest::verify(&storage, None)
                .unwrap()
                .is_intact()
        );

        // Other options (a DMS filing) make another set.
        let mut filed = converter.clone();
        filed.render.dms = Some(rapporteur_model::Dms {
            title: Some("Filed".into()),
            ..Default::default()
        });
        let refiled = filed
            .convert_for("seed.txt", SEED, &formats, &key, &storage, job)
            .unwrap();
        assert!(!refiled.unchanged);
        assert_ne!(refiled.outputs[1].sha256, first.outputs[1].sha256);
        assert_eq!((refiled.version, refiled.replaces), (2, Some(1)));
    }

    #[test]
    fn a_failed_replacement_leaves_no_manifest_claiming_the_old_set() {
        let root = tempfile::tempdir().unwrap();
        let storage = Storage::open_dir(root.path()).unwrap();
        let key = OutputKey::new("seed").unwrap();
        let converter = Converter::default();
        converter
            .convert("seed.txt", SEED, &[Format::Json], &key, &storage)
            .unwrap();
        assert!(root.path().join("seed.manifest.json").exists());
        // A folder where the new JSON goes: the replacement fails after the
        // old manifest is gone, and no manifest names objects that may have
        // changed.
        let changed = [SEED, b"\n".as_slice()].concat();
        std::fs::remove_file(root.path().join("seed.json")).unwrap();
        std::fs::create_dir(root.path().join("seed.json")).unwrap();
        std::fs::write(root.path().join("seed.json/x"), b"").unwrap();
        assert!(
            converter
                .convert("seed.txt", &changed, &[Format::Json], &key, &storage)
                .is_err()
        );
        assert!(!root.path().join("seed.manifest.json").exists());
        assert_eq!(
            rapporteur_manifest::verify(&storage, None)
                .unwrap()
                .manifests,
            0
        );
    }

    #[test]
    fn parse_rejections_and_blocked_outputs_are_permanent() {
        let root = tempfile::tempdir().unwrap();
        let storage = Storage::open_dir(root.path()).unwrap();
        let converter = Converter::default();
        let key = OutputKey::new("press").unwrap();
        let error = converter
            .convert(
                "press.txt",
                b"FOR IMMEDIATE RELEASE\n",
                &[Format::Json],
                &key,
                &storage,
            )
            .unwrap_err();
        assert_eq!(
            (error.code, error.line, error.transient),
            (ErrorCode::NotASummary, Some(1), false)
        );

        // A regular file where the key's directory should be: the disk, not
        // the document, is at fault, and waiting will not help (transient
        // storage errors are classed in rapporteur-storage's tests).
        std::fs::write(root.path().join("blocked"), b"").unwrap();
        let key = OutputKey::new("blocked/seed").unwrap();
        let error = converter
            .convert("seed.txt", SEED, &[Format::Json], &key, &storage)
            .unwrap_err();
        assert_eq!(
            (error.code, error.transient),
            (ErrorCode::OutputBlocked, false)
        );
        assert!(error.message.starts_with("seed.txt: "), "{}", error.message);
    }
}
