//! The `polder serve` flags for upload, version and rendering bounds
//! ([`crate::config::WorkLimits`]).

use std::time::Duration;

use clap::Args;

use crate::config::{
    WorkLimits, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IMPORT_BYTES, DEFAULT_MAX_RENDER_BYTES,
    DEFAULT_MAX_VERSIONS_PER_HOUR, DEFAULT_RENDER_TIMEOUT_SECS,
};

/// Upload, version and rendering bounds.
#[derive(Args)]
pub(super) struct WorkArgs {
    /// Largest import upload (milestone table), in bytes.
    #[arg(long, env = "POLDER_MAX_IMPORT_BYTES", default_value_t = DEFAULT_MAX_IMPORT_BYTES)]
    max_import_bytes: usize,
    /// Largest body of every other API request, in bytes.
    #[arg(long, env = "POLDER_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Versions one draft may gain per hour; further snapshots get 429.
    #[arg(long, env = "POLDER_MAX_VERSIONS_PER_HOUR", default_value_t = DEFAULT_MAX_VERSIONS_PER_HOUR)]
    max_versions_per_hour: u32,
    /// Largest encoded document a render or comparison takes, in bytes.
    #[arg(long, env = "POLDER_MAX_RENDER_BYTES", default_value_t = DEFAULT_MAX_RENDER_BYTES)]
    max_render_bytes: usize,
    /// Renders (exports, comparisons, dossiers) at once [default: twice the CPU cores].
    #[arg(long, env = "POLDER_MAX_CONCURRENT_RENDERS")]
    max_concurrent_renders: Option<usize>,
    /// Seconds one render may take.
    #[arg(long, env = "POLDER_RENDER_TIMEOUT_SECS", default_value_t = DEFAULT_RENDER_TIMEOUT_SECS)]
    render_timeout_secs: u64,
}

impl WorkArgs {
    pub(super) fn apply(self, work: &mut WorkLimits) {
        work.max_import_bytes = self.max_import_bytes;
        work.max_body_bytes = self.max_body_bytes;
        work.max_versions_per_hour = self.max_versions_per_hour;
        work.max_render_bytes = self.max_render_bytes;
        if let Some(renders) = self.max_concurrent_renders {
            work.max_concurrent_renders = renders.max(1);
        }
        work.render_timeout = Duration::from_secs(self.render_timeout_secs.max(1));
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{Cli, Command};
    use crate::config::{default_concurrent_renders, WorkLimits};

    fn work_of(args: &[&str]) -> WorkLimits {
        let cli = Cli::try_parse_from([&["polder", "serve"], args].concat()).unwrap();
        let Command::Serve(serve) = cli.command else {
            panic!("not serve")
        };
        (*serve).into_config().work
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let work = work_of(&[]);
        assert_eq!(work.max_import_bytes, 5 * 1024 * 1024);
        assert_eq!(work.max_body_bytes, 1024 * 1024);
        assert_eq!(work.max_versions_per_hour, 20);
        assert_eq!(work.max_render_bytes, 2 * 1024 * 1024);
        assert_eq!(work.max_concurrent_renders, default_concurrent_renders());
        assert_eq!(work.render_timeout.as_secs(), 10);
    }

    #[test]
    fn every_bound_has_a_flag() {
        let work = work_of(&[
            "--max-import-bytes=1000",
            "--max-body-bytes=2000",
            "--max-versions-per-hour=3",
            "--max-render-bytes=4000",
            "--max-concurrent-renders=0",
            "--render-timeout-secs=0",
        ]);
        assert_eq!(work.max_import_bytes, 1000);
        assert_eq!(work.max_body_bytes, 2000);
        assert_eq!(work.max_versions_per_hour, 3);
        assert_eq!(work.max_render_bytes, 4000);
        assert_eq!(
            work.max_concurrent_renders, 1,
            "at least one render can run"
        );
        assert_eq!(work.render_timeout.as_secs(), 1, "at least one second");
    }
}
