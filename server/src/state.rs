//! [`AppState`]: what every HTTP and WebSocket handler shares.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Limits;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::storage::SqlStorage;

/// Shared handler state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database: the one handle to durable storage (the hub reaches it as a
    /// [`crate::storage::DocStore`]).
    pub db: SqlStorage,
    /// Loaded documents.
    pub hub: Hub,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Input limits.
    pub limits: Limits,
    /// Upload, version and rendering bounds.
    pub work: crate::config::WorkLimits,
    /// One permit per running render (see [`crate::http::render`]).
    pub render_permits: Arc<Semaphore>,
    /// One permit per open sync connection.
    pub connection_permits: Arc<Semaphore>,
    /// Fires when the server starts shutting down.
    pub shutdown: CancellationToken,
    /// Tracks upgraded WebSocket tasks, which axum's graceful shutdown does not wait for.
    pub tracker: TaskTracker,
    /// Whether the server is served over HTTPS: `Secure`, `__Host-` cookies and HSTS.
    pub secure_cookies: bool,
    /// Where webhooks may point.
    pub webhook_policy: crate::notify::webhook::AddressPolicy,
    /// Trusted proxies, sign-in limits, the metrics token.
    pub auth: Arc<crate::auth::settings::AuthSettings>,
    /// Open sync and inbox sockets, re-authorised when access changes.
    pub sockets: Arc<crate::ws::access::SocketRegistry>,
    /// Wakes live inbox sockets when their person has new items.
    pub inbox: crate::scheduler::signal::InboxSignal,
    /// Wakes the scheduler when a committed change left events in the outbox.
    pub outbox: crate::scheduler::signal::OutboxSignal,
    /// One permit per open live inbox socket.
    pub inbox_permits: Arc<Semaphore>,
    /// The Redis bus between processes, when `--redis-url` is set (for readiness).
    pub redis: Option<crate::cluster::RedisBus>,
    /// E-mail sent straight from a request (a guest's sign-in link), through the SMTP
    /// server the scheduler uses; `None` when SMTP or the public URL is not configured.
    pub direct_mail: Option<DirectMail>,
}

/// The mailer and public URL for e-mail sent straight from a request.
#[derive(Clone)]
pub struct DirectMail {
    /// The configured SMTP server.
    pub mailer: Arc<dyn crate::notify::Mailer>,
    /// Public base URL of the web app, without a trailing slash.
    pub public_url: String,
}

impl DirectMail {
    /// The mailer of `settings` (its SMTP server and public URL), when both are configured
    /// and usable; a configuration that cannot be used is logged.
    pub fn from_settings(settings: &crate::scheduler::SchedulerSettings) -> Option<Self> {
        let smtp = settings.smtp.as_ref()?;
        let public_url = settings
            .public_url
            .as_deref()
            .map(|url| url.trim().trim_end_matches('/'))
            .filter(|url| !url.is_empty())?;
        match crate::notify::SmtpMailer::new(smtp) {
            Ok(mailer) => Some(Self {
                mailer: Arc::new(mailer),
                public_url: public_url.to_owned(),
            }),
            Err(error) => {
                tracing::warn!(%error, "SMTP settings are not usable; sign-in links are not e-mailed");
                None
            }
        }
    }
}
