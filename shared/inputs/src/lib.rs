//! Finds the documents named on the command line.
//!
//! A user may name files, directories (walked recursively) and `.zip`
//! archives. [`discover`] turns those paths into one [`Input`] per document,
//! each with the output key its conversion is stored under, without reading
//! any document: archivists convert tens of thousands of files at once, so
//! contents are only read, one at a time and within [`Limits`], by
//! [`Input::read`]. Archives are never extracted to disk, and entries that
//! could be used to attack the service (paths leaving the archive,
//! decompression bombs, encrypted or nested archives) are reported as errors.

use rapporteur_codes::ErrorCode;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use walkdir::WalkDir;
use zip::ZipArchive;
use zip::read::ZipFile;
use zip::result::ZipError;

/// Extensions (lowercase, compared case-insensitively) of the files taken
/// when walking a directory or an archive. A file named directly on the
/// command line is taken whatever its extension.
pub const DOCUMENT_EXTENSIONS: &[&str] = &[
    "txt", "text", "md", "markdown", "docx", "html", "htm", "pdf",
];

/// Extension of the archives opened instead of being read as documents.
const ARCHIVE_EXTENSION: &str = "zip";

/// How much one document, and one archive, may make the service read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest document [`Input::read`] returns, in bytes.
    pub max_document_bytes: u64,
    /// Most entries (files and folders) an archive may have.
    pub max_archive_entries: usize,
    /// Largest total uncompressed size an archive may declare, in bytes.
    pub max_archive_total_bytes: u64,
    /// Largest declared uncompressed/compressed size ratio of an entry; plain
    /// text rarely deflates beyond 10:1, decompression bombs reach 1000:1.
    pub max_compression_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 4 * 1024 * 1024,
            max_archive_entries: 100_000,
            max_archive_total_bytes: 2 * 1024 * 1024 * 1024,
            max_compression_ratio: 200,
        }
    }
}

/// Where a document's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    /// Entry number `index` (in the archive's central directory) of `archive`.
    ZipEntry {
        archive: PathBuf,
        index: usize,
    },
}

/// One document found by [`discover`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// What the user sees in messages: "dir/sub/a.txt" or "archive.zip:2023/a.txt".
    pub name: String,
    /// The document's name relative to what was named, as the outputs
    /// record it (`source.name`): a file's own name ("a.txt") for a file
    /// named on the command line, its path inside the directory
    /// ("sub/a.txt") or the archive ("2023/a.txt") otherwise. It never
    /// depends on the directory a command was run from.
    pub source_name: String,
    /// Output key, without extension and '/'-separated ("2023/a"); it never
    /// has an empty, "." or ".." component.
    pub key: String,
    pub origin: Origin,
}

/// A path or archive entry that cannot be used, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{}: no such file or directory; check the path", path.display())]
    NotFound { path: PathBuf },
    #[error("cannot read {}: {source}; check that you are allowed to read it", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{} is neither a regular file nor a directory; name documents, folders or .zip archives", path.display())]
    NotAFile { path: PathBuf },
    #[error("the name of {} is not valid UTF-8, so no output name can be made from it; rename it", path.display())]
    NonUtf8Name { path: PathBuf },
    #[error("the name of {} starts with '.', which would make its output a hidden file; rename it", path.display())]
    HiddenName { path: PathBuf },
    #[error("{} is not a readable zip archive: {source}; check that the file is complete and really a .zip", archive.display())]
    BadArchive {
        archive: PathBuf,
        #[source]
        source: ZipError,
    },
    #[error("{} has {entries} entries, more than the {limit} allowed; split it into smaller archives", archive.display())]
    TooManyEntries {
        archive: PathBuf,
        entries: usize,
        limit: usize,
    },
    #[error("{} declares {total} bytes of uncompressed content, more than the {limit} allowed; split it into smaller archives", archive.display())]
    ArchiveTooLarge {
        archive: PathBuf,
        total: u64,
        limit: u64,
    },
    #[error("{}: entry {entry:?} has an absolute path or one containing \"..\" and was refused; re-create the archive with relative paths", archive.display())]
    UnsafeEntryName { archive: PathBuf, entry: String },
    #[error("{}: entry {entry:?} is encrypted; re-create the archive without a password", archive.display())]
    EncryptedEntry { archive: PathBuf, entry: String },
    #[error("{}: entry {entry:?} is itself a zip archive, which is not opened; extract it and name it directly", archive.display())]
    NestedArchive { archive: PathBuf, entry: String },
    #[error("{}: entry {entry:?} declares {size} bytes compressed into {compressed}, a ratio above the {limit}:1 allowed, as decompression bombs do; extract it and check it", archive.display())]
    CompressionRatio {
        archive: PathBuf,
        entry: String,
        size: u64,
        compressed: u64,
        limit: u64,
    },
    #[error("{}: cannot read entry {entry:?}: {source}; check that the archive is complete", archive.display())]
    EntryUnreadable {
        archive: PathBuf,
        entry: String,
        #[source]
        source: ZipError,
    },
    #[error("{}: entry {entry:?} is in the archive {copies} times, so which one is meant cannot be told and none is converted; re-create the archive with distinct names", archive.display())]
    DuplicateEntry {
        archive: PathBuf,
        entry: String,
        copies: usize,
    },
    #[error("{} changed since it was listed; run the conversion again", archive.display())]
    ArchiveChanged { archive: PathBuf },
    #[error("{name} is larger than the {limit} bytes allowed for one document; split it")]
    TooLarge { name: String, limit: u64 },
}

impl InputError {
    /// The stable code of the error, as reports and result events give it.
    pub fn code(&self) -> ErrorCode {
        match self {
            InputError::NotFound { .. } => ErrorCode::SourceNotFound,
            InputError::Unreadable { .. }
            | InputError::NotAFile { .. }
            | InputError::ArchiveChanged { .. } => ErrorCode::UnreadableInput,
            InputError::NonUtf8Name { .. } | InputError::HiddenName { .. } => ErrorCode::InvalidKey,
            InputError::BadArchive { .. }
            | InputError::UnsafeEntryName { .. }
            | InputError::EncryptedEntry { .. }
            | InputError::NestedArchive { .. }
            | InputError::EntryUnreadable { .. }
            | InputError::DuplicateEntry { .. } => ErrorCode::BadArchive,
            InputError::TooManyEntries { .. }
            | InputError::ArchiveTooLarge { .. }
            | InputError::CompressionRatio { .. }
            | InputError::TooLarge { .. } => ErrorCode::TooLarge,
        }
    }
}

impl Input {
    /// Reads the bytes, refusing more than limits.max_document_bytes (checked
    /// on the bytes actually read, not only on declared sizes, since zip
    /// headers can lie).
    ///
    /// Reading a zip entry leaves its archive open in the calling thread
    /// until that thread reads an entry of another archive, so that reading
    /// every entry of a large archive does not parse it again each time.
    pub fn read(&self, limits: &Limits) -> Result<Vec<u8>, InputError> {
        match &self.origin {
            Origin::File(path) => {
                let file = File::open(path).map_err(|e| unreadable(path, e))?;
                let size = file.metadata().map_or(0, |m| m.len());
                read_limited(file, size, &self.name, limits, |e| unreadable(path, e))
            }
            Origin::ZipEntry { archive, index } => with_archive(archive, |zip| {
                read_entry(zip, archive, *index, &self.name, limits)
            }),
        }
    }
}

/// Reads entry `index` of an open archive, `name` being what messages call
/// it, within the limits.
fn read_entry(
    zip: &mut Archive,
    archive: &Path,
    index: usize,
    name: &str,
    limits: &Limits,
) -> Result<Vec<u8>, InputError> {
    let changed = || InputError::ArchiveChanged {
        archive: archive.to_owned(),
    };
    // The archive may have been replaced since it was listed, so the entry
    // is checked again before anything is inflated.
    let entry = match zip.by_index_raw(index) {
        Ok(entry) => entry,
        Err(ZipError::FileNotFound) => return Err(changed()),
        Err(source) => {
            return Err(InputError::BadArchive {
                archive: archive.to_owned(),
                source,
            });
        }
    };
    classify_entry(archive, &entry, limits).ok_or_else(changed)??;
    let entry_name = entry.name().to_owned();
    drop(entry);
    let entry_error = |source| InputError::EntryUnreadable {
        archive: archive.to_owned(),
        entry: entry_name.clone(),
        source,
    };
    let entry = zip.by_index(index).map_err(entry_error)?;
    // The declared size may lie; it only sizes the buffer, within the limit.
    let size = entry.size();
    read_limited(entry, size, name, limits, |e| entry_error(e.into()))
}

/// A `.zip` archive opened once by a caller that lists and reads it itself
/// (the worker's archive jobs): its central directory (about 420 bytes an
/// entry) is parsed once and shared by every thread reading it. Unlike
/// [`Input::read`]'s one last archive per process, it belongs to its
/// caller, so two archives read at once in one process never make each
/// other parse again, and it is gone when the caller drops it.
#[derive(Clone)]
pub struct ZipDocuments {
    path: PathBuf,
    zip: Archive,
}

/// One document of a [`ZipDocuments`] listing: only what a caller keeps
/// for each of 100,000 documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipDocument {
    /// Entry number in the archive's central directory, for
    /// [`ZipDocuments::read`].
    pub index: usize,
    /// Its path inside the archive, '/'-separated (`source.name`).
    pub source_name: String,
    /// Its output key: the prefix, then its path inside without extension.
    pub key: String,
}

impl ZipDocuments {
    /// Opens the archive, reading only its central directory.
    pub fn open(path: &Path) -> Result<ZipDocuments, InputError> {
        Ok(ZipDocuments {
            path: path.to_owned(),
            zip: open_archive(path)?,
        })
    }

    /// Lists the documents, sorted like a directory walk so that reruns
    /// agree, with keys under `prefix` if it is given: one item per
    /// document, or the reason an entry cannot be one (an unsafe name, a
    /// decompression bomb, each copy of a name given twice …). `Err` is
    /// about the archive as a whole: too many entries, too large, unreadable.
    pub fn list(
        &self,
        prefix: Option<&str>,
        limits: &Limits,
    ) -> Result<Vec<Result<ZipDocument, InputError>>, InputError> {
        let archive = self.path.as_path();
        let mut zip = self.zip.clone();
        if zip.len() > limits.max_archive_entries {
            return Err(InputError::TooManyEntries {
                archive: archive.to_owned(),
                entries: zip.len(),
                limit: limits.max_archive_entries,
            });
        }
        let duplicates = duplicate_names(archive, &zip, limits)?;
        let mut total: u64 = 0;
        // (entry number, what to report for it); non-documents are left
        // out. The names to sort by stay in the parsed directory, not
        // copied here.
        let mut listed = Vec::new();
        for index in 0..zip.len() {
            let entry = zip
                .by_index_raw(index)
                .map_err(|source| InputError::BadArchive {
                    archive: archive.to_owned(),
                    source,
                })?;
            total = total.saturating_add(entry.size());
            let Some(classified) = classify_entry(archive, &entry, limits) else {
                continue;
            };
            let document = classified.map(|components| ZipDocument {
                index,
                source_name: entry_path(entry.name()).collect::<Vec<_>>().join("/"),
                key: prefix
                    .into_iter()
                    .chain(components.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join("/"),
            });
            match duplicates.get(entry.name_raw()) {
                // One refusal per copy, so that the tally counts every entry.
                Some(&copies) if document.is_ok() => {
                    for _ in 0..copies {
                        let error = InputError::DuplicateEntry {
                            archive: archive.to_owned(),
                            entry: entry.name().to_owned(),
                            copies,
                        };
                        listed.push((index, Err(error)));
                    }
                }
                _ => listed.push((index, document)),
            }
        }
        if total > limits.max_archive_total_bytes {
            return Err(InputError::ArchiveTooLarge {
                archive: archive.to_owned(),
                total,
                limit: limits.max_archive_total_bytes,
            });
        }
        // Central directory order is whatever the archiver chose; sort like
        // a directory walk (component by component).
        let name = |index: usize| entry_path(zip.name_for_index(index).unwrap_or_default());
        listed.sort_by(|(a, _), (b, _)| name(*a).cmp(name(*b)));
        Ok(listed.into_iter().map(|(_, document)| document).collect())
    }

    /// Reads the document at entry `index`, within the limits; `name` is
    /// what messages call it.
    pub fn read(&self, index: usize, name: &str, limits: &Limits) -> Result<Vec<u8>, InputError> {
        read_entry(&mut self.zip.clone(), &self.path, index, name, limits)
    }

    /// The name entry `index` has in the archive, as written there.
    pub fn entry_name(&self, index: usize) -> Option<&str> {
        self.zip.name_for_index(index)
    }
}

type Archive = ZipArchive<SharedFile>;

/// An archive kept open between reads of its entries.
struct OpenArchive {
    path: PathBuf,
    /// Size and modification time when opened, to notice a replaced file.
    stamp: (u64, Option<SystemTime>),
    zip: Archive,
}

/// The archive whose entries were read last, shared by every thread.
/// Opening an archive parses its whole central directory, so reopening it
/// for every entry would make reading an archive of n documents take O(n²)
/// time (about 30 minutes for 20,000 entries); `discover` lists the entries
/// of an archive together, so keeping the last one is enough. One copy for
/// all threads: a clone of a `ZipArchive` shares the parsed directory
/// (about 420 bytes an entry, 42 MB for 100,000) and, through
/// [`SharedFile`], the open file; a copy per thread used to double that.
static LAST_ARCHIVE: Mutex<Option<OpenArchive>> = Mutex::new(None);

fn with_archive<T>(
    path: &Path,
    use_archive: impl FnOnce(&mut Archive) -> Result<T, InputError>,
) -> Result<T, InputError> {
    let metadata = fs::metadata(path).map_err(|e| unreadable(path, e))?;
    let stamp = (metadata.len(), metadata.modified().ok());
    let mut zip = {
        let mut last = LAST_ARCHIVE.lock().unwrap_or_else(|e| e.into_inner());
        match &*last {
            Some(open) if open.path == path && open.stamp == stamp => open.zip.clone(),
            _ => {
                // The previous archive is closed before the next is opened.
                *last = None;
                let zip = open_archive(path)?;
                *last = Some(OpenArchive {
                    path: path.to_owned(),
                    stamp,
                    zip: zip.clone(),
                });
                zip
            }
        }
    };
    use_archive(&mut zip)
}

/// An open file read at explicit offsets (`pread`), so that clones share
/// one descriptor and each keeps its own position, with a small read-ahead
/// of its own (the zip reader asks for a few bytes at a time). std's
/// `BufReader` cannot be cloned, which sharing one parsed archive needs.
#[derive(Clone)]
struct SharedFile {
    file: Arc<File>,
    len: u64,
    position: u64,
    /// Bytes read ahead, and where in the file they start.
    ahead: Vec<u8>,
    ahead_at: u64,
}

/// How much [`SharedFile`] reads at a time.
const READ_AHEAD: usize = 16 * 1024;

impl SharedFile {
    fn open(path: &Path) -> io::Result<SharedFile> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(SharedFile {
            file: Arc::new(file),
            len,
            position: 0,
            ahead: Vec::new(),
            ahead_at: 0,
        })
    }
}

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let in_ahead = self.position >= self.ahead_at
            && self.position < self.ahead_at + self.ahead.len() as u64;
        if !in_ahead {
            if buf.len() >= READ_AHEAD {
                let n = self.file.read_at(buf, self.position)?;
                self.position += n as u64;
                return Ok(n);
            }
            self.ahead.resize(READ_AHEAD, 0);
            let n = self.file.read_at(&mut self.ahead, self.position)?;
            self.ahead.truncate(n);
            self.ahead_at = self.position;
            if n == 0 {
                return Ok(0);
            }
        }
        let start = (self.position - self.ahead_at) as usize;
        let n = buf.len().min(self.ahead.len() - start);
        buf[..n].copy_from_slice(&self.ahead[start..start + n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for SharedFile {
    fn seek(&mut self, to: std::io::SeekFrom) -> io::Result<u64> {
        let target = match to {
            std::io::SeekFrom::Start(at) => Some(at),
            std::io::SeekFrom::End(by) => self.len.checked_add_signed(by),
            std::io::SeekFrom::Current(by) => self.position.checked_add_signed(by),
        };
        self.position = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.position)
    }
}

/// Reads at most `limits.max_document_bytes` bytes, or says the document is
/// too large; `io_error` attaches the path to a read failure. `size` is how
/// long the document says it is (0 if unknown): the buffer is made that
/// large at once (within the limit), where growing it by doubling held up to
/// twice the document (16 MB for a 9.6 MB text).
fn read_limited(
    reader: impl Read,
    size: u64,
    name: &str,
    limits: &Limits,
    io_error: impl FnOnce(io::Error) -> InputError,
) -> Result<Vec<u8>, InputError> {
    let limit = limits.max_document_bytes;
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(limit)).unwrap_or(0) + 1);
    // One byte more than allowed tells "exactly at the limit" from "over it"
    // without ever holding more than limit + 1 bytes.
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            name: name.to_owned(),
            limit,
        });
    }
    Ok(bytes)
}

/// Expands the paths: one entry per document found, or an error for a
/// path/entry that cannot be used. Order is deterministic (sorted by path
/// within each argument, arguments in the order given).
pub fn discover(paths: &[PathBuf], limits: &Limits) -> Vec<Result<Input, InputError>> {
    let mut found = Vec::new();
    for path in paths {
        discover_path(path, limits, &mut found);
    }
    found
}

fn discover_path(path: &Path, limits: &Limits, found: &mut Vec<Result<Input, InputError>>) {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) => return found.push(Err(unreadable(path, e))),
    };
    if metadata.is_dir() {
        walk_directory(path, limits, found);
    } else if !metadata.is_file() {
        found.push(Err(InputError::NotAFile {
            path: path.to_owned(),
        }));
    } else if has_extension(path, &[ARCHIVE_EXTENSION]) {
        list_archive(path, None, limits, found);
    } else {
        found.push(direct_file(path));
    }
}

fn direct_file(path: &Path) -> Result<Input, InputError> {
    // Only directories and "/" have no stem, and those never get here.
    let stem = path.file_stem().unwrap_or_default();
    let key = stem.to_str().ok_or_else(|| InputError::NonUtf8Name {
        path: path.to_owned(),
    })?;
    if key.starts_with('.') {
        return Err(InputError::HiddenName {
            path: path.to_owned(),
        });
    }
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    Ok(Input {
        name: path.display().to_string(),
        source_name: file_name.into_owned(),
        key: key.to_owned(),
        origin: Origin::File(path.to_owned()),
    })
}

/// A path below a named directory as '/'-separated components.
fn relative_name(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk_directory(root: &Path, limits: &Limits, found: &mut Vec<Result<Input, InputError>>) {
    let walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        // The directory the user named is walked even if its own name is hidden.
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(root).to_owned();
                found.push(Err(unreadable(&path, e.into())));
                continue;
            }
        };
        // Symbolic links are skipped rather than followed: they could lead
        // out of the directory or round in a loop.
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let relative = path.strip_prefix(root).unwrap_or(path);
        if has_extension(path, &[ARCHIVE_EXTENSION]) {
            match relative_key(path, relative) {
                Ok(prefix) => list_archive(path, Some(&prefix), limits, found),
                Err(e) => found.push(Err(e)),
            }
        } else if has_extension(path, DOCUMENT_EXTENSIONS) {
            found.push(relative_key(path, relative).map(|key| Input {
                name: path.display().to_string(),
                source_name: relative_name(relative),
                key,
                origin: Origin::File(path.to_owned()),
            }));
        }
    }
}

/// The key of a file found at `relative` inside a walked directory: its
/// components joined by '/', without the extension.
fn relative_key(path: &Path, relative: &Path) -> Result<String, InputError> {
    let non_utf8 = || InputError::NonUtf8Name {
        path: path.to_owned(),
    };
    let mut components = Vec::new();
    for component in relative.parent().into_iter().flat_map(Path::iter) {
        components.push(component.to_str().ok_or_else(non_utf8)?);
    }
    // Hidden files are skipped by the walk, so the stem is never empty.
    let stem = relative.file_stem().unwrap_or_default();
    components.push(stem.to_str().ok_or_else(non_utf8)?);
    Ok(components.join("/"))
}

/// Opens an archive, reading only its central directory.
fn open_archive(archive: &Path) -> Result<Archive, InputError> {
    let file = SharedFile::open(archive).map_err(|e| unreadable(archive, e))?;
    ZipArchive::new(file).map_err(|source| InputError::BadArchive {
        archive: archive.to_owned(),
        source,
    })
}

/// Lists the documents of `archive`, with keys under `prefix` if it is given.
fn list_archive(
    archive: &Path,
    prefix: Option<&str>,
    limits: &Limits,
    found: &mut Vec<Result<Input, InputError>>,
) {
    match archive_entries(archive, prefix, limits) {
        Ok(entries) => found.extend(entries),
        Err(e) => found.push(Err(e)),
    }
}

fn archive_entries(
    archive: &Path,
    prefix: Option<&str>,
    limits: &Limits,
) -> Result<Vec<Result<Input, InputError>>, InputError> {
    let documents = ZipDocuments::open(archive)?;
    let listed = documents.list(prefix, limits)?;
    Ok(listed
        .into_iter()
        .map(|document| {
            document.map(|document| Input {
                name: format!(
                    "{}:{}",
                    archive.display(),
                    documents.entry_name(document.index).unwrap_or_default()
                ),
                source_name: document.source_name,
                key: document.key,
                origin: Origin::ZipEntry {
                    archive: archive.to_owned(),
                    index: document.index,
                },
            })
        })
        .collect())
}

/// The names that more than one entry of the central directory has, with
/// how many have each. The zip crate indexes entries by name and keeps only
/// the last of a name (its `len` counts names), so the copies can only be
/// seen by walking the central directory's headers here. The headers are
/// counted first without keeping their names (a copy of 100,000 names was
/// 6 MB of an archive job's peak), and their names are counted only when
/// the headers outnumber the names the zip crate kept.
fn duplicate_names(
    archive: &Path,
    zip: &Archive,
    limits: &Limits,
) -> Result<std::collections::HashMap<Vec<u8>, usize>, InputError> {
    // A header more than the limit allows is as far as anyone needs to look.
    let headers = central_headers(archive, zip, limits.max_archive_entries + 1, |_| ())?;
    // The zip crate's count is of distinct names; copies count too.
    if headers > limits.max_archive_entries {
        return Err(InputError::TooManyEntries {
            archive: archive.to_owned(),
            entries: headers,
            limit: limits.max_archive_entries,
        });
    }
    let mut counts = std::collections::HashMap::new();
    if headers > zip.len() {
        central_headers(archive, zip, headers, |name| {
            *counts.entry(name.to_vec()).or_insert(0) += 1;
        })?;
        counts.retain(|_, copies| *copies > 1);
    }
    Ok(counts)
}

/// Walks at most `most` headers of the central directory, each a fixed
/// 46-byte record (APPNOTE 4.3.12) followed by the name, extra field and
/// comment whose lengths it gives, showing `seen` each name; returns how
/// many it walked. Stops quietly where the headers end or break off.
fn central_headers(
    archive: &Path,
    zip: &Archive,
    most: usize,
    mut seen: impl FnMut(&[u8]),
) -> Result<usize, InputError> {
    use std::io::{Seek, SeekFrom};
    const CENTRAL_HEADER: u32 = 0x0201_4b50;
    let mut reader = BufReader::new(File::open(archive).map_err(|e| unreadable(archive, e))?);
    reader
        .seek(SeekFrom::Start(zip.central_directory_start()))
        .map_err(|e| unreadable(archive, e))?;
    let mut header = [0u8; 46];
    let mut name = Vec::new();
    let mut walked = 0;
    while walked < most {
        if reader.read_exact(&mut header).is_err()
            || u32::from_le_bytes([header[0], header[1], header[2], header[3]]) != CENTRAL_HEADER
        {
            break;
        }
        let length = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]) as usize;
        name.resize(length(28), 0);
        if reader.read_exact(&mut name).is_err() {
            break;
        }
        let skip = (length(30) + length(32)) as i64;
        if reader.seek_relative(skip).is_err() {
            break;
        }
        seen(&name);
        walked += 1;
    }
    Ok(walked)
}

/// An entry name as path components; zips written on Windows may use '\'.
fn entry_path(name: &str) -> impl Iterator<Item = &str> {
    name.split(['/', '\\'])
        .filter(|component| !component.is_empty() && *component != ".")
}

/// Decides what an archive entry is: `None` if it is not a document (folder,
/// link, hidden file, other extension), else its key components (extension
/// removed) or why it cannot be used.
fn classify_entry<R: Read>(
    archive: &Path,
    entry: &ZipFile<'_, R>,
    limits: &Limits,
) -> Option<Result<Vec<String>, InputError>> {
    if entry.is_dir() {
        return None;
    }
    let name = entry.name();
    let refuse = |make: fn(PathBuf, String) -> InputError| {
        Some(Err(make(archive.to_owned(), name.to_owned())))
    };
    // `enclosed_name` catches absolute paths and drive prefixes; ".." is
    // refused even where it would stay inside ("a/../b"), and '\' counts as
    // a separator because the key will use '/' for it.
    if entry.enclosed_name().is_none() || entry_path(name).any(|c| c == "..") {
        return refuse(|archive, entry| InputError::UnsafeEntryName { archive, entry });
    }
    let components: Vec<&str> = entry_path(name).collect();
    let (last, folders) = components.split_last()?;
    if components.iter().any(|c| c.starts_with('.')) || entry.is_symlink() {
        return None;
    }
    if has_extension(Path::new(last), &[ARCHIVE_EXTENSION]) {
        return refuse(|archive, entry| InputError::NestedArchive { archive, entry });
    }
    if !has_extension(Path::new(last), DOCUMENT_EXTENSIONS) {
        return None;
    }
    if entry.encrypted() {
        return refuse(|archive, entry| InputError::EncryptedEntry { archive, entry });
    }
    let (size, compressed) = (entry.size(), entry.compressed_size());
    if size > compressed.saturating_mul(limits.max_compression_ratio) {
        return Some(Err(InputError::CompressionRatio {
            archive: archive.to_owned(),
            entry: name.to_owned(),
            size,
            compressed,
            limit: limits.max_compression_ratio,
        }));
    }
    let stem = Path::new(last).file_stem()?.to_str()?;
    let mut key: Vec<String> = folders.iter().map(|c| c.to_string()).collect();
    key.push(stem.to_owned());
    Some(Ok(key))
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(OsStr::to_str)
        .is_some_and(|ext| extensions.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

fn unreadable(path: &Path, source: io::Error) -> InputError {
    if source.kind() == io::ErrorKind::NotFound {
        InputError::NotFound {
            path: path.to_owned(),
        }
    } else {
        InputError::Unreadable {
            path: path.to_owned(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_file_reads_as_the_file_does_in_any_pieces_and_clones_keep_their_place() {
        use std::io::{Seek, SeekFrom};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
        fs::write(&path, &bytes).unwrap();
        let mut file = SharedFile::open(&path).unwrap();
        let mut read = Vec::new();
        let mut piece = [0u8; 7];
        loop {
            let n = file.read(&mut piece).unwrap();
            if n == 0 {
                break;
            }
            read.extend_from_slice(&piece[..n]);
        }
        assert_eq!(read, bytes);
        file.seek(SeekFrom::Start(40_000)).unwrap();
        let mut clone = file.clone();
        let mut twenty = [0u8; 20];
        file.read_exact(&mut twenty).unwrap();
        assert_eq!(&twenty[..], &bytes[40_000..40_020]);
        // A clone goes on from where it was made, on its own.
        clone.read_exact(&mut twenty).unwrap();
        assert_eq!(&twenty[..], &bytes[40_000..40_020]);
        file.seek(SeekFrom::End(-10)).unwrap();
        let mut tail = Vec::new();
        file.read_to_end(&mut tail).unwrap();
        assert_eq!(tail, &bytes[49_990..]);
        file.seek(SeekFrom::Current(-40_000)).unwrap();
        let mut large = vec![0u8; 2 * READ_AHEAD];
        file.read_exact(&mut large).unwrap();
        assert_eq!(large, &bytes[10_000..10_000 + 2 * READ_AHEAD]);
        assert!(file.seek(SeekFrom::Current(-1_000_000)).is_err());
    }
    use std::io::Write;
    use zip::CompressionMethod;
    use zip::write::{SimpleFileOptions, ZipWriter};

    fn write(path: &Path, bytes: &[u8]) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut zip = ZipWriter::new(File::create(path).unwrap());
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (name, bytes) in entries {
            if name.ends_with('/') {
                zip.add_directory(*name, options).unwrap();
            } else {
                zip.start_file(*name, options).unwrap();
                zip.write_all(bytes).unwrap();
            }
        }
        zip.finish().unwrap();
    }

    /// Offsets of the local and central headers of a one-entry archive, for
    /// tests that forge what a hostile archiver would write.
    fn header_offsets(zip: &[u8]) -> (usize, usize) {
        let end = zip.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
        let central = u32::from_le_bytes(zip[end + 16..end + 20].try_into().unwrap());
        assert_eq!(&zip[..4], b"PK\x03\x04");
        (0, central as usize)
    }

    fn keys(found: &[Result<Input, InputError>]) -> Vec<&str> {
        found
            .iter()
            .map(|r| r.as_ref().map_or("<error>", |input| input.key.as_str()))
            .collect()
    }

    fn source_names(found: &[Result<Input, InputError>]) -> Vec<&str> {
        found
            .iter()
            .map(|r| {
                r.as_ref()
                    .map_or("<error>", |input| input.source_name.as_str())
            })
            .collect()
    }

    fn only_errors(found: &[Result<Input, InputError>]) -> Vec<&InputError> {
        found.iter().filter_map(|r| r.as_ref().err()).collect()
    }

    fn read_all(found: &[Result<Input, InputError>], limits: &Limits) -> Vec<String> {
        found
            .iter()
            .map(|r| {
                let bytes = r.as_ref().unwrap().read(limits).unwrap();
                String::from_utf8(bytes).unwrap()
            })
            .collect()
    }

    #[test]
    fn files_named_directly_are_taken_whatever_their_extension() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("b.docx");
        let a = dir.path().join("sub/a.txt");
        let plain = dir.path().join("NOTES");
        write(&b, b"bee");
        write(&a, b"ay");
        write(&plain, b"notes");

        let found = discover(&[b.clone(), a.clone(), plain.clone()], &Limits::default());
        assert_eq!(
            keys(&found),
            ["b", "a", "NOTES"],
            "arguments keep their order"
        );
        let first = found[0].as_ref().unwrap();
        assert_eq!(first.name, b.display().to_string());
        assert_eq!(first.origin, Origin::File(b));
        // The recorded name is the file's own, wherever the command ran.
        assert_eq!(source_names(&found), ["b.docx", "a.txt", "NOTES"]);
        assert_eq!(read_all(&found, &Limits::default()), ["bee", "ay", "notes"]);
    }

    #[test]
    fn hidden_file_named_directly_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let hidden = dir.path().join(".draft.txt");
        write(&hidden, b"x");
        let found = discover(std::slice::from_ref(&hidden), &Limits::default());
        let errors = only_errors(&found);
        assert!(matches!(errors[..], [InputError::HiddenName { .. }]));
        assert!(errors[0].to_string().contains(".draft.txt"));
    }

    #[test]
    fn directory_walk_takes_text_files_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("in");
        for name in [
            "b.txt",
            "a.md",
            "e.text",
            "sub/c.TXT",
            "sub/deeper/d.markdown",
            "sub.txt",
            ".hidden.txt",
            ".git/config.txt",
            "sub/.cache/x.md",
            "image.png",
            "README",
        ] {
            write(&root.join(name), name.as_bytes());
        }
        #[cfg(unix)]
        {
            let outside = dir.path().join("outside");
            write(&outside.join("secret.txt"), b"secret");
            std::os::unix::fs::symlink(&outside, root.join("linked-dir")).unwrap();
            std::os::unix::fs::symlink(outside.join("secret.txt"), root.join("link.txt")).unwrap();
        }

        let found = discover(std::slice::from_ref(&root), &Limits::default());
        assert_eq!(
            keys(&found),
            ["a", "b", "e", "sub/c", "sub/deeper/d", "sub"],
            "hidden, non-text and linked files are skipped"
        );
        let names: Vec<_> = found
            .iter()
            .map(|r| r.as_ref().unwrap().name.clone())
            .collect();
        assert_eq!(names[3], root.join("sub/c.TXT").display().to_string());
        assert_eq!(
            source_names(&found),
            [
                "a.md",
                "b.txt",
                "e.text",
                "sub/c.TXT",
                "sub/deeper/d.markdown",
                "sub.txt"
            ],
            "paths inside the directory named"
        );
        assert_eq!(
            read_all(&found, &Limits::default())[4],
            "sub/deeper/d.markdown"
        );
        let again = discover(&[root], &Limits::default());
        assert_eq!(keys(&again), keys(&found), "order is deterministic");
    }

    #[test]
    fn an_opened_archive_lists_like_discover_and_reads_from_any_thread_without_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("batch.zip");
        write_zip(
            &archive,
            &[
                ("b/x.txt", b"ex"),
                ("a-b/z.md", b"zed"),
                ("a.md", b"ay"),
                ("c\\y.txt", b"why"),
                ("notes.csv", b"not a document"),
            ],
        );
        let documents = ZipDocuments::open(&archive).unwrap();
        let listed: Vec<ZipDocument> = documents
            .list(Some("out"), &Limits::default())
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        // Sorted component by component, as a directory walk is ("a.md"
        // and "a-b/z.md" before "b/…"), keys under the prefix.
        let keys: Vec<&str> = listed.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["out/a-b/z", "out/a", "out/b/x", "out/c/y"]);
        let discovered = discover(std::slice::from_ref(&archive), &Limits::default());
        assert_eq!(
            listed
                .iter()
                .map(|d| d.source_name.as_str())
                .collect::<Vec<_>>(),
            source_names(&discovered),
            "the same listing as discover's"
        );
        // The listing holds the archive open: it is read, from two threads
        // at once, even once the file is gone.
        fs::remove_file(&archive).unwrap();
        let read = |document: &ZipDocument| {
            let bytes = documents
                .read(document.index, &document.source_name, &Limits::default())
                .unwrap();
            String::from_utf8(bytes).unwrap()
        };
        let (forwards, backwards) = std::thread::scope(|scope| {
            let forwards = scope.spawn(|| listed.iter().map(read).collect::<Vec<_>>());
            let backwards = scope.spawn(|| listed.iter().rev().map(read).collect::<Vec<_>>());
            (forwards.join().unwrap(), backwards.join().unwrap())
        });
        assert_eq!(forwards, ["zed", "ay", "ex", "why"]);
        assert_eq!(backwards, ["why", "ex", "ay", "zed"]);
        // Input::read opens the archive by its path, which is gone.
        assert!(matches!(
            discovered[0].as_ref().unwrap().read(&Limits::default()),
            Err(InputError::NotFound { .. })
        ));
    }

    #[test]
    fn zip_named_directly_lists_its_documents_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("sessions.zip");
        write_zip(
            &archive,
            &[
                ("readme.txt", b"readme"),
                ("2023/", b""),
                ("2023/wsis/b.TXT", b"bee"),
                ("2023/a.md", b"ay"),
                ("2023/photo.jpg", b"jpeg"),
                ("__MACOSX/2023/._a.md", b"resource fork"),
                ("windows\\style.txt", b"backslashes"),
            ],
        );

        let found = discover(std::slice::from_ref(&archive), &Limits::default());
        assert_eq!(
            keys(&found),
            ["2023/a", "2023/wsis/b", "readme", "windows/style"]
        );
        let first = found[0].as_ref().unwrap();
        assert_eq!(first.name, format!("{}:2023/a.md", archive.display()));
        assert_eq!(
            source_names(&found),
            [
                "2023/a.md",
                "2023/wsis/b.TXT",
                "readme.txt",
                "windows/style.txt"
            ],
            "paths inside the archive"
        );
        assert!(matches!(&first.origin, Origin::ZipEntry { archive: a, .. } if *a == archive));
        assert_eq!(
            read_all(&found, &Limits::default()),
            ["ay", "bee", "readme", "backslashes"]
        );
    }

    #[test]
    fn zips_found_in_a_directory_prefix_their_keys() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("in");
        write_zip(&root.join("x.zip"), &[("a/b.txt", b"inside x")]);
        write_zip(&root.join("sub/y.ZIP"), &[("c.md", b"inside y")]);
        write(&root.join("w.txt"), b"plain");

        let found = discover(std::slice::from_ref(&root), &Limits::default());
        assert_eq!(keys(&found), ["sub/y/c", "w", "x/a/b"]);
        assert_eq!(
            found[2].as_ref().unwrap().name,
            format!("{}:a/b.txt", root.join("x.zip").display())
        );
        assert_eq!(
            read_all(&found, &Limits::default()),
            ["inside y", "plain", "inside x"]
        );
    }

    #[test]
    fn unsafe_entry_names_are_refused_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("mixed.zip");
        write_zip(
            &archive,
            &[
                ("../evil.txt", b"escape"),
                ("/etc/evil.txt", b"absolute"),
                ("a/../../evil.txt", b"deep escape"),
                ("a/../inside.txt", b"dotdot"),
                ("..\\evil.txt", b"windows escape"),
                ("good.txt", b"fine"),
            ],
        );

        let found = discover(std::slice::from_ref(&archive), &Limits::default());
        let mut refused = Vec::new();
        for error in only_errors(&found) {
            let InputError::UnsafeEntryName { archive: a, entry } = error else {
                panic!("unexpected error {error:?}");
            };
            assert_eq!(*a, archive);
            let message = error.to_string();
            assert!(
                message.contains("mixed.zip") && message.contains(&format!("{entry:?}")),
                "{message}"
            );
            refused.push(entry.as_str());
        }
        refused.sort();
        assert_eq!(
            refused,
            [
                "../evil.txt",
                "..\\evil.txt",
                "/etc/evil.txt",
                "a/../../evil.txt",
                "a/../inside.txt"
            ]
        );
        let good: Vec<_> = found.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].key, "good");
        assert_eq!(good[0].read(&Limits::default()).unwrap(), b"fine");
    }

    #[test]
    fn nested_and_encrypted_entries_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("nested.zip");
        write_zip(&nested, &[("inner.zip", b"PK"), ("a.txt", b"a")]);
        let found = discover(std::slice::from_ref(&nested), &Limits::default());
        assert_eq!(keys(&found), ["a", "<error>"]);
        let error = found[1].as_ref().unwrap_err();
        assert!(matches!(error, InputError::NestedArchive { .. }));
        assert!(error.to_string().contains("inner.zip"));

        let encrypted = dir.path().join("encrypted.zip");
        write_zip(&encrypted, &[("secret.txt", b"secret")]);
        let mut bytes = fs::read(&encrypted).unwrap();
        let (local, central) = header_offsets(&bytes);
        // Bit 0 of the general purpose flags marks an encrypted entry.
        bytes[local + 6] |= 1;
        bytes[central + 8] |= 1;
        fs::write(&encrypted, bytes).unwrap();
        let found = discover(std::slice::from_ref(&encrypted), &Limits::default());
        let errors = only_errors(&found);
        assert!(
            matches!(errors[..], [InputError::EncryptedEntry { .. }]),
            "{found:?}"
        );
        assert!(errors[0].to_string().contains("secret.txt"));
    }

    #[test]
    fn zip_bombs_are_refused_without_inflating_them() {
        let dir = tempfile::tempdir().unwrap();
        let bomb = dir.path().join("bomb.zip");
        let zeros = vec![0u8; 50 * 1024 * 1024];
        write_zip(&bomb, &[("zeros.txt", &zeros), ("small.txt", b"small")]);
        drop(zeros);
        assert!(fs::metadata(&bomb).unwrap().len() < 1024 * 1024);

        let ratio = Limits {
            max_compression_ratio: 100,
            ..Limits::default()
        };
        let found = discover(std::slice::from_ref(&bomb), &ratio);
        assert_eq!(keys(&found), ["small", "<error>"]);
        let error = found[1].as_ref().unwrap_err();
        assert!(
            matches!(error, InputError::CompressionRatio { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("zeros.txt") && error.to_string().contains("bomb.zip"));

        let total = Limits {
            max_archive_total_bytes: 10 * 1024 * 1024,
            max_compression_ratio: u64::MAX,
            ..Limits::default()
        };
        let found = discover(std::slice::from_ref(&bomb), &total);
        assert!(
            matches!(
                only_errors(&found)[..],
                [InputError::ArchiveTooLarge { .. }]
            ),
            "the whole archive is refused: {found:?}"
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn lying_size_headers_do_not_get_past_the_document_limit() {
        let dir = tempfile::tempdir().unwrap();
        let liar = dir.path().join("liar.zip");
        write_zip(&liar, &[("zeros.txt", &vec![0u8; 8 * 1024 * 1024])]);
        let mut bytes = fs::read(&liar).unwrap();
        let (local, central) = header_offsets(&bytes);
        // Claim 1000 bytes: a ratio that passes and a size under every limit.
        bytes[local + 22..local + 26].copy_from_slice(&1000u32.to_le_bytes());
        bytes[central + 24..central + 28].copy_from_slice(&1000u32.to_le_bytes());
        fs::write(&liar, bytes).unwrap();

        let limits = Limits {
            max_document_bytes: 1024 * 1024,
            ..Limits::default()
        };
        let found = discover(std::slice::from_ref(&liar), &limits);
        let input = found[0].as_ref().unwrap();
        let error = input.read(&limits).unwrap_err();
        assert!(matches!(error, InputError::TooLarge { .. }), "{error:?}");
        assert!(error.to_string().contains("liar.zip:zeros.txt"), "{error}");
    }

    #[test]
    fn too_many_entries_refuses_the_archive() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("many.zip");
        write_zip(
            &archive,
            &[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")],
        );
        let limits = Limits {
            max_archive_entries: 2,
            ..Limits::default()
        };
        let found = discover(std::slice::from_ref(&archive), &limits);
        let errors = only_errors(&found);
        assert!(matches!(
            errors[..],
            [InputError::TooManyEntries {
                entries: 3,
                limit: 2,
                ..
            }]
        ));
        assert!(errors[0].to_string().contains("many.zip"));
    }

    /// A zip with "a.txt" twice: the second copy is written as "Q.txt" (the
    /// zip writer refuses a name twice) and renamed in both its headers.
    fn write_zip_with_a_name_twice(path: &Path) {
        write_zip(
            path,
            &[("a.txt", b"first"), ("Q.txt", b"second"), ("b.txt", b"b")],
        );
        let mut bytes = fs::read(path).unwrap();
        let at: Vec<usize> = (0..bytes.len() - 5)
            .filter(|&i| &bytes[i..i + 5] == b"Q.txt")
            .collect();
        assert_eq!(at.len(), 2, "local and central header");
        for i in at {
            bytes[i] = b'a';
        }
        fs::write(path, bytes).unwrap();
    }

    /// Issue 12, defect 8: the zip crate kept only the last "a.txt", so one
    /// of two documents was silently lost.
    #[test]
    fn entries_with_the_same_name_are_refused_every_copy() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("twice.zip");
        write_zip_with_a_name_twice(&archive);
        let found = discover(std::slice::from_ref(&archive), &Limits::default());
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(keys(&found), ["<error>", "<error>", "b"]);
        let errors = only_errors(&found);
        assert_eq!(errors.len(), 2);
        for error in errors {
            assert!(
                matches!(error, InputError::DuplicateEntry { entry, copies: 2, .. } if entry == "a.txt"),
                "{error:?}"
            );
            assert!(error.to_string().contains("twice.zip"), "{error}");
        }
        // Copies count against the entry limit, which counts names too.
        let limits = Limits {
            max_archive_entries: 2,
            ..Limits::default()
        };
        let found = discover(std::slice::from_ref(&archive), &limits);
        assert!(
            matches!(
                only_errors(&found)[..],
                [InputError::TooManyEntries { entries: 3, .. }]
            ),
            "{found:?}"
        );
    }

    #[test]
    fn read_refuses_oversize_documents() {
        let dir = tempfile::tempdir().unwrap();
        let at_limit = dir.path().join("at-limit.txt");
        let over = dir.path().join("over.txt");
        write(&at_limit, &[b'a'; 100]);
        write(&over, &[b'a'; 101]);
        let archive = dir.path().join("docs.zip");
        write_zip(
            &archive,
            &[("at-limit.txt", &[b'a'; 100]), ("over.txt", &[b'b'; 101])],
        );
        let limits = Limits {
            max_document_bytes: 100,
            ..Limits::default()
        };

        let found = discover(&[at_limit, over, archive], &limits);
        let results: Vec<_> = found
            .iter()
            .map(|r| r.as_ref().unwrap().read(&limits))
            .collect();
        assert_eq!(results[0].as_ref().unwrap().len(), 100);
        assert_eq!(results[2].as_ref().unwrap().len(), 100);
        for (result, name) in [
            (&results[1], "over.txt"),
            (&results[3], "docs.zip:over.txt"),
        ] {
            let error = result.as_ref().unwrap_err();
            assert!(matches!(error, InputError::TooLarge { limit: 100, .. }));
            assert!(error.to_string().contains(name), "{error}");
        }
    }

    #[test]
    fn replaced_archive_is_read_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("a.zip");
        write_zip(&archive, &[("a.txt", b"first")]);
        let found = discover(std::slice::from_ref(&archive), &Limits::default());
        let input = found[0].as_ref().unwrap();
        assert_eq!(input.read(&Limits::default()).unwrap(), b"first");

        write_zip(&archive, &[("a.txt", b"second, longer version")]);
        assert_eq!(
            input.read(&Limits::default()).unwrap(),
            b"second, longer version"
        );

        write_zip(&archive, &[("photo.png", b"not a document any more")]);
        let error = input.read(&Limits::default()).unwrap_err();
        assert!(
            matches!(error, InputError::ArchiveChanged { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn missing_paths_and_broken_archives_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir/summary.txt");
        let broken = dir.path().join("broken.zip");
        let fine = dir.path().join("fine.txt");
        write(&broken, b"this is not a zip archive");
        write(&fine, b"fine");

        let found = discover(&[missing.clone(), broken.clone(), fine], &Limits::default());
        assert_eq!(keys(&found), ["<error>", "<error>", "fine"]);
        let missing_error = found[0].as_ref().unwrap_err();
        assert!(matches!(missing_error, InputError::NotFound { .. }));
        assert!(
            missing_error
                .to_string()
                .contains(&missing.display().to_string())
        );
        let broken_error = found[1].as_ref().unwrap_err();
        assert!(matches!(broken_error, InputError::BadArchive { .. }));
        assert!(
            broken_error
                .to_string()
                .contains(&broken.display().to_string())
        );
    }
}
