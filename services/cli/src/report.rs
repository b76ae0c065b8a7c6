//! `--report FILE`: one row per input (`rapporteur_batch::Row`), as CSV or
//! JSON by the file's extension. Rows are sorted by input, so the same run
//! gives the same report, and the file is written whole (temporary file,
//! rename).

use std::path::Path;

use anyhow::Context;
use rapporteur_batch::{Encoding, Row};

/// Writes the rows to `path`: JSON (an array) for `.json`, else CSV.
pub(crate) fn write(path: &Path, mut rows: Vec<Row>) -> anyhow::Result<()> {
    rows.sort_by(|a, b| (&a.input, &a.key).cmp(&(&b.input, &b.key)));
    let encoding = Encoding::for_file(&path.to_string_lossy());
    let bytes = rapporteur_batch::encode(&rows, encoding);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write the report in {}", dir.display()))?;
    std::io::Write::write_all(&mut temp, &bytes)?;
    temp.persist(path)
        .with_context(|| format!("cannot write the report {}", path.display()))?;
    Ok(())
}
