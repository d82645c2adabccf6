//! [`AuthSettings`]: the operator's settings for sign-in and the operations endpoints.

use secrecy::SecretString;

use crate::auth::proxy::IpNetwork;
use crate::auth::throttle::DEFAULT_MAX_FAILURES_PER_ADDRESS;

/// Settings of authentication (`polder serve` flags in parentheses).
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`,
    /// `POLDER_TRUSTED_PROXIES`). Default: none, so the header is ignored.
    pub trusted_proxies: Vec<IpNetwork>,
    /// Failed sign-ins allowed per client address in the throttle's window
    /// (`--sign-in-failures-per-address`). Default: 20.
    pub max_failures_per_address: i64,
    /// Bearer token that may read `/metrics` (`--metrics-token`, `POLDER_METRICS_TOKEN`).
    /// Default: none; then only `admin`-scoped API tokens may read it.
    pub metrics_token: Option<SecretString>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            max_failures_per_address: DEFAULT_MAX_FAILURES_PER_ADDRESS,
            metrics_token: None,
        }
    }
}
