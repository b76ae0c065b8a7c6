//! `rapporteur verify STORAGE [PREFIX]`: fixity, as archivists expect from
//! BagIt-style tools. Every manifest below the storage root is re-read and
//! every object it names checked for its size and checksum; what is missing
//! or changed is listed, then a tally. Exit 1 when anything is.

use std::path::Path;

use anyhow::Context;
use rapporteur_manifest::Problem;
use rapporteur_storage::Storage;

/// Prints the findings and the tally; `Ok(true)` when everything is intact.
pub(crate) fn run(location: &str, prefix: Option<&str>) -> anyhow::Result<bool> {
    // Opening a directory creates it; verifying one that is not there is
    // a mistyped path, not an empty archive.
    if !location.contains("://") && !Path::new(location).is_dir() {
        anyhow::bail!("{}: no such directory", shown(location));
    }
    let storage = Storage::open(location).context("cannot use the storage")?;
    let tally = rapporteur_manifest::verify(&storage, prefix)?;
    for finding in &tally.findings {
        let object = shown(&finding.object);
        let manifest = shown(&finding.manifest);
        match &finding.problem {
            Problem::Missing(reason) => {
                println!("missing  {object} (in {manifest}): {}", shown(reason))
            }
            Problem::Changed { bytes, sha256 } => {
                println!("changed  {object} (in {manifest}): now {bytes} bytes, sha256 {sha256}")
            }
        }
    }
    println!(
        "verified {} manifest{}: {} of {} object{} intact, {} problem{}",
        tally.manifests,
        plural(tally.manifests),
        tally.intact,
        tally.objects,
        plural(tally.objects),
        tally.findings.len(),
        plural(tally.findings.len()),
    );
    Ok(tally.is_intact())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A name from storage as the terminal may show it: control characters
/// escaped, so a tampered file name cannot drive the terminal.
fn shown(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}
