//! `polder export`: the archive of a body, and its verification.

use std::path::PathBuf;

use clap::Subcommand;

use super::DatabaseArgs;
use crate::commands;
use crate::config::DEFAULT_MAX_RENDER_BYTES;

#[derive(Subcommand)]
pub(super) enum ExportCommand {
    /// Write a body's complete record (drafts with every version as PDF, DOCX and JSON, the
    /// comparisons, decisions, agreements, milestones, action lines, disputes, meetings and
    /// the body's audit entries) as a zip with a manifest of sizes and SHA-256 hashes.
    Archive {
        /// The body's name.
        #[arg(long)]
        body: String,
        /// The zip file to write.
        #[arg(long)]
        out: PathBuf,
        /// Largest encoded version rendered as PDF/DOCX, in bytes; larger ones are archived
        /// as JSON and listed as skipped in the manifest.
        #[arg(long, env = "POLDER_MAX_RENDER_BYTES", default_value_t = DEFAULT_MAX_RENDER_BYTES)]
        max_render_bytes: usize,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Check an archive against its manifest; exits non-zero naming the first problem.
    Verify {
        /// The zip file.
        file: PathBuf,
    },
}

impl ExportCommand {
    pub(super) async fn run(self) -> anyhow::Result<()> {
        match self {
            ExportCommand::Archive {
                body,
                out,
                max_render_bytes,
                database,
            } => commands::export::archive(&database.url(), &body, &out, max_render_bytes).await,
            ExportCommand::Verify { file } => commands::export::verify(&file),
        }
    }
}
