//! `polder export archive --body NAME --out FILE.zip`: writes a body's complete record as a
//! zip with a manifest (see [`crate::archive`]). `polder export verify FILE.zip`: checks an
//! archive against its manifest and prints a summary.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{bail, Context};

use crate::archive::gather::{self, Settings};
use crate::archive::manifest::{self, Limits};

/// Writes the archive of the body named `body` to `out` (replaced only once complete).
///
/// # Errors
/// On an unknown body, when `out` cannot be written, or when storage fails.
pub async fn archive(
    database_url: &str,
    body: &str,
    out: &Path,
    max_render_bytes: usize,
) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    let found = storage
        .find_body_by_name(body)
        .await?
        .with_context(|| format!("no body named {body:?} (see the names in the app)"))?;
    // written next to the target and renamed at the end, so a failed export leaves no
    // half-written archive under the asked name
    let partial = out.with_extension("zip.partial");
    let file =
        File::create(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    let settings = Settings {
        max_render_bytes,
        max_archive_bytes: crate::archive::MAX_ARCHIVE_BYTES,
    };
    let written = gather::write_body(&storage, found.id, settings, BufWriter::new(file)).await;
    let (writer, manifest) = match written {
        Ok(done) => done,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error).context("cannot write the archive");
        }
    };
    writer
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, out).with_context(|| format!("cannot write {}", out.display()))?;
    let bytes: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    eprintln!(
        "wrote {}: {} files, {bytes} bytes uncompressed; audit chain {}",
        out.display(),
        manifest.files.len() + 1,
        if manifest.audit.verified {
            "verified"
        } else {
            "NOT verified"
        }
    );
    for skipped in &manifest.skipped {
        eprintln!("not rendered: {}: {}", skipped.name, skipped.reason);
    }
    Ok(())
}

/// Checks the archive at `path` and prints a summary.
///
/// # Errors
/// Naming the first problem: a file changed, missing or unlisted, an unsafe name, a limit.
pub fn verify(path: &Path) -> anyhow::Result<()> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    match manifest::verify(std::io::BufReader::new(file), &Limits::default()) {
        Ok(summary) => {
            println!("{summary}");
            Ok(())
        }
        Err(problem) => bail!("archive {} does not verify: {problem}", path.display()),
    }
}
