//! The `polder serve` flags of sign-in and the operations endpoints.

use clap::Args;
use secrecy::SecretString;

use crate::auth::proxy::IpNetwork;
use crate::auth::settings::AuthSettings;
use crate::auth::throttle::DEFAULT_MAX_FAILURES_PER_ADDRESS;

/// Sign-in, proxies and `/metrics`.
#[derive(Args, Debug)]
pub(super) struct AuthArgs {
    /// A reverse proxy whose X-Forwarded-For names the client: an address or network
    /// (repeatable; comma-separated in the environment variable). Default: none, the header
    /// is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "POLDER_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpNetwork>,
    /// Failed sign-ins allowed per client address within 15 minutes.
    #[arg(
        long,
        env = "POLDER_SIGN_IN_FAILURES_PER_ADDRESS",
        default_value_t = DEFAULT_MAX_FAILURES_PER_ADDRESS,
        value_parser = clap::value_parser!(i64).range(1..)
    )]
    sign_in_failures_per_address: i64,
    /// Bearer token that may read /metrics (admin-scoped API tokens always may). Default:
    /// none.
    #[arg(long, env = "POLDER_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
}

impl AuthArgs {
    /// Applies the flags.
    pub(super) fn apply(self, settings: &mut AuthSettings) {
        settings.trusted_proxies = self.trusted_proxies;
        settings.max_failures_per_address = self.sign_in_failures_per_address;
        settings.metrics_token = self
            .metrics_token
            .filter(|token| !token.trim().is_empty())
            .map(SecretString::from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use secrecy::ExposeSecret;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        auth: AuthArgs,
    }

    #[test]
    fn flags_fill_the_settings() {
        let args = Wrapper::try_parse_from([
            "serve",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--trusted-proxy",
            "192.0.2.1",
            "--metrics-token",
            "s3cret",
        ])
        .unwrap();
        let mut settings = AuthSettings::default();
        args.auth.apply(&mut settings);
        assert_eq!(settings.trusted_proxies.len(), 2);
        assert_eq!(
            settings.max_failures_per_address,
            DEFAULT_MAX_FAILURES_PER_ADDRESS
        );
        assert_eq!(
            settings.metrics_token.as_ref().map(|t| t.expose_secret()),
            Some("s3cret")
        );
        assert!(Wrapper::try_parse_from(["serve", "--trusted-proxy", "not-an-ip"]).is_err());
        assert!(Wrapper::try_parse_from(["serve", "--sign-in-failures-per-address", "0"]).is_err());
    }
}
