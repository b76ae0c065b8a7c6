//! Start-up sweep of the temporary files a killed worker left in storage.
//!
//! Outputs are written as hidden `.tmpXXXXXX` files beside their final name
//! and renamed into place (tempfile's default prefix, `rapporteur-storage`);
//! a worker killed with SIGKILL between the two leaves its temp files behind
//! and nothing else removes them. Other workers share the storage root and
//! may be writing temp files right now, so only files older than
//! [`STALE_AFTER`] are removed: a write takes milliseconds to seconds.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// Age after which a temp file can belong to no running write.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Removes stale temp files under `root`; returns how many were removed.
/// Symlinks are not followed and nothing outside `root` is touched.
pub(crate) fn sweep_temp_files(root: &Path, now: SystemTime) -> usize {
    let mut removed = 0;
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
    {
        let stale_temp = entry.file_type().is_file()
            && entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(".tmp"))
            && entry
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age > STALE_AFTER);
        if stale_temp && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stale_hidden_temp_files_are_removed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("2023");
        std::fs::create_dir_all(&dir).unwrap();
        let old = SystemTime::now() - Duration::from_secs(2 * 3600);
        let write = |name: &str, modified: SystemTime| {
            let path = dir.join(name);
            std::fs::write(&path, b"x").unwrap();
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(modified)
                .unwrap();
            path
        };
        let stale = write(".tmpAbC123", old);
        let fresh = write(".tmpXyZ789", SystemTime::now());
        let output = write("side-event.json", old);
        let hidden_other = write(".keep", old);
        assert_eq!(sweep_temp_files(root.path(), SystemTime::now()), 1);
        assert!(!stale.exists());
        assert!(fresh.exists(), "another worker may be writing it");
        assert!(output.exists() && hidden_other.exists());
    }
}
