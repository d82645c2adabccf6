//! The durable job scheduler: milestone reminders, sign-off and position requests, escalation
//! timeouts, and the delivery of what they produce (inbox and e-mail here; webhooks through
//! the separate [`webhooks::WebhookWorker`]).
//!
//! Every run ([`Scheduler::run_due`]) does, as of the moment it is given:
//! 1. **plan** ([`plan`]): derive the jobs the current state calls for (reminders 14, 7 and 1
//!    working days before a milestone's `due_latest`, on the day, weekly when overdue; sign-off
//!    request rounds; position requests; escalation notices and timeouts; the overdue-milestone
//!    dispute) and insert them under unique keys into `scheduler_jobs`. Planning is idempotent.
//! 2. **execute** ([`execute`]): claim the jobs that are due (a lease, `FOR UPDATE SKIP
//!    LOCKED` on PostgreSQL) and run them. A job checks its subject again first (still open,
//!    same due date or version or level) and is cancelled otherwise; of several jobs of one
//!    series that are due at once (after downtime) only the latest runs. Notifications are
//!    stored under unique keys (`reminder:milestone:12:due-2026-05-26:d-7:party:3`), so a
//!    second process or a retried job never sends anything twice.
//! 3. **events** ([`events`]): the outbox of state changes (mentions, status changes, role
//!    agreements, disputes), each stored as one notification under `event:AUDIT_ID`.
//! 4. **deliver** ([`email`]): immediate e-mails and the daily digests (after
//!    `digest_hour`, at most one per person and day).
//!
//! Days and hours are Dutch ([`crate::domain::dutch_time`]): "today" is the date in
//! Amsterdam, and date-based jobs fall due at `reminder_hour` local time, whichever side of a
//! daylight-saving change the day is on.
//!
//! Besides its interval, the task is woken through the server's [`signal::OutboxSignal`] after
//! every successful state-changing request; it then delivers the outbox and the e-mails that
//! produced ([`Scheduler::run_events`]), so mentions and status changes arrive promptly.
//!
//! Webhooks are not delivered here: storing a notification records one delivery row per
//! active webhook of its body, and the [`webhooks::WebhookWorker`], a task of its own, posts
//! them concurrently with short timeouts and durable retries, so a slow receiver never holds
//! up reminders, escalations or e-mail.
//!
//! Jobs live in the database, so a restart catches up on whatever fell due while the server
//! was down. Time comes from a [`Clock`], so tests drive it without sleeping.
//!
//! "Acted" (a party's reminders stop): a milestone reminder stops for a party once a person of
//! that party changed the milestone's status after the series' first reminder; a sign-off
//! request once the party has a valid sign-off on the current version; a position request
//! once the party stated a position at the dispute's current level.

pub mod clock;
pub mod consultation;
pub mod email;
pub mod endorsement;
pub mod events;
pub mod execute;
pub mod open_points;
pub mod plan;
pub mod signal;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use clock::{at_hour, timestamp, Clock, FakeClock, SystemClock, Timestamp};
pub use webhooks::{WebhookReport, WebhookSettings, WebhookWorker};

use crate::domain::calendar::HolidayRules;
use crate::domain::reminders::DEFAULT_DAYS_BEFORE;
use crate::notify::{Mailer, RetryPolicy, SmtpMailer, SmtpSettings};
use crate::storage::SqlStorage;

/// Default of [`SchedulerSettings::reminder_hour`]: 08:00 Dutch time.
pub const DEFAULT_REMINDER_HOUR: u32 = 8;
/// Default of [`SchedulerSettings::digest_hour`]: 08:00 Dutch time.
pub const DEFAULT_DIGEST_HOUR: u32 = 8;

/// Scheduler settings (part of the server configuration).
#[derive(Debug, Clone)]
pub struct SchedulerSettings {
    /// Whether the background task runs (`POLDER_SCHEDULER=off` disables it; tests usually
    /// call [`Scheduler::run_due`] themselves).
    pub enabled: bool,
    /// Time between runs.
    pub interval: Duration,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// SMTP server for e-mail; without it, notifications stay in the app.
    pub smtp: Option<SmtpSettings>,
    /// Public base URL of the web app, for links in messages (e.g. `https://polder.example`).
    pub public_url: Option<String>,
    /// Hour of the day, Dutch time (Europe/Amsterdam), at which date-based reminders, requests
    /// and timeouts fall due. Default 8 (08:00: 07:00 UTC in winter, 06:00 UTC in summer;
    /// `--reminder-hour`, `POLDER_REMINDER_HOUR`).
    pub reminder_hour: u32,
    /// Hour of the day, Dutch time, after which the daily digests go out. Default 8
    /// (`--digest-hour`, `POLDER_DIGEST_HOUR`).
    pub digest_hour: u32,
    /// Working days before a due date that reminders go out.
    pub reminder_days: Vec<i64>,
    /// Working days between sign-off request rounds.
    pub sign_off_every_days: i64,
    /// Working days after which sign-off requests go to the party's mandate holder.
    pub mandate_after_days: i64,
    /// Days off besides weekends.
    pub holidays: HolidayRules,
    /// Retrying webhook deliveries (attempts, backoff, the timeout of one attempt).
    pub webhook_retry: RetryPolicy,
    /// The webhook delivery worker: address policy and concurrency.
    pub webhook: WebhookSettings,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            interval: Duration::from_secs(30),
            clock: Arc::new(SystemClock),
            smtp: None,
            public_url: None,
            reminder_hour: DEFAULT_REMINDER_HOUR,
            digest_hour: DEFAULT_DIGEST_HOUR,
            reminder_days: DEFAULT_DAYS_BEFORE.to_vec(),
            sign_off_every_days: 5,
            mandate_after_days: 10,
            holidays: HolidayRules::default(),
            webhook_retry: RetryPolicy::default(),
            webhook: WebhookSettings::default(),
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Jobs newly planned.
    pub planned: usize,
    /// Jobs run.
    pub jobs_run: usize,
    /// Jobs skipped because a later one of their series was due too.
    pub superseded: usize,
    /// Jobs cancelled because their subject changed.
    pub cancelled: usize,
    /// Notifications stored (each once, under its unique key).
    pub notifications: usize,
    /// Keys of the notifications stored.
    pub keys: Vec<String>,
    /// Disputes escalated on timeout.
    pub escalations: usize,
    /// Disputes opened for overdue milestones.
    pub disputes_opened: usize,
    /// Immediate e-mails sent.
    pub emails_sent: usize,
    /// Digests sent.
    pub digests_sent: usize,
    /// E-mails that failed (retried later).
    pub email_failures: usize,
    /// Errors met (logged; the run goes on).
    pub errors: usize,
}

/// Plans, runs and delivers; see the module documentation.
#[derive(Clone)]
pub struct Scheduler {
    db: SqlStorage,
    settings: SchedulerSettings,
    mailer: Option<Arc<dyn Mailer>>,
    /// Wakes the live inbox sockets of the server this scheduler runs in.
    inbox: Option<signal::InboxSignal>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// How long a claimed job, e-mail or delivery stays leased to one process.
const LEASE_MS: i64 = 5 * 60 * 1000;
/// Most items claimed per phase and run.
const BATCH: i64 = 200;

impl Scheduler {
    /// A scheduler over `db`. An SMTP configuration that cannot be used is logged and e-mail
    /// stays off.
    pub fn new(db: SqlStorage, settings: SchedulerSettings) -> Self {
        let mailer: Option<Arc<dyn Mailer>> = match &settings.smtp {
            Some(smtp) => match SmtpMailer::new(smtp) {
                Ok(mailer) => Some(Arc::new(mailer)),
                Err(error) => {
                    tracing::error!(%error, "SMTP settings are not usable; e-mail is off");
                    None
                }
            },
            None => None,
        };
        Self {
            db,
            settings,
            mailer,
            inbox: None,
        }
    }

    /// Wakes the live inbox sockets of a server (through its [`signal::InboxSignal`]) whenever
    /// this scheduler stores notifications, so they arrive without waiting for a poll.
    #[must_use]
    pub fn with_inbox_signal(mut self, signal: signal::InboxSignal) -> Self {
        self.inbox = Some(signal);
        self
    }

    /// The settings in use.
    pub fn settings(&self) -> &SchedulerSettings {
        &self.settings
    }

    /// The current time of the configured clock.
    pub fn now(&self) -> Timestamp {
        self.settings.clock.now()
    }

    /// Plans and runs everything due at `now`, then delivers.
    pub async fn run_due(&self, now: Timestamp) -> Report {
        let mut report = Report::default();
        if let Err(error) = plan::plan(self, now, &mut report).await {
            tracing::error!(%error, "planning scheduler jobs failed");
            report.errors += 1;
        }
        execute::run_jobs(self, now, &mut report).await;
        events::deliver(self, now, &mut report).await;
        email::deliver(self, now, &mut report).await;
        if report.jobs_run + report.notifications + report.emails_sent > 0 {
            tracing::info!(
                jobs = report.jobs_run,
                notifications = report.notifications,
                emails = report.emails_sent,
                escalations = report.escalations,
                disputes_opened = report.disputes_opened,
                errors = report.errors,
                "scheduler run"
            );
            tracing::debug!(keys = ?report.keys, "scheduler run: delivery keys");
        }
        report
    }
}

impl Scheduler {
    /// Delivers the outbox's events and the e-mails due, without planning or running jobs:
    /// what a wake-up after a request does.
    pub async fn run_events(&self, now: Timestamp) -> Report {
        let mut report = Report::default();
        events::deliver(self, now, &mut report).await;
        if report.notifications > 0 {
            email::deliver(self, now, &mut report).await;
        }
        report
    }
}

/// Starts the scheduler's background task on `tracker`, over `db`, waking the live inbox
/// sockets behind `inbox` and running early whenever `outbox` is woken; it stops when
/// `shutdown` fires. The first run happens at once, catching up on whatever fell due while the
/// server was down.
pub fn spawn(
    db: SqlStorage,
    inbox: signal::InboxSignal,
    outbox: signal::OutboxSignal,
    settings: SchedulerSettings,
    shutdown: CancellationToken,
    tracker: TaskTracker,
) {
    if !settings.enabled {
        tracing::info!("scheduler disabled");
        return;
    }
    if settings.smtp.is_none() {
        tracing::warn!(
            "no SMTP server configured (POLDER_SMTP_HOST): notifications go to the inbox only"
        );
    }
    let interval = settings.interval.max(Duration::from_secs(1));
    match WebhookWorker::new(
        db.clone(),
        settings.webhook.clone(),
        settings.webhook_retry.clone(),
    ) {
        Ok(worker) => webhooks::spawn(worker, settings.clock.clone(), shutdown.clone(), &tracker),
        Err(error) => {
            tracing::error!(%error, "cannot build the webhook client; webhooks are off");
        }
    }
    let scheduler = Scheduler::new(db, settings).with_inbox_signal(inbox);
    tracker.spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let full = tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticker.tick() => true,
                () = outbox.woken() => false,
            };
            let now = scheduler.now();
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = async {
                    if full {
                        scheduler.run_due(now).await;
                    } else {
                        scheduler.run_events(now).await;
                    }
                } => {}
            }
        }
        tracing::debug!("scheduler stopped");
    });
}
