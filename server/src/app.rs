//! [`App`]: builds the server from a [`Config`] and runs it until a shutdown signal.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::cluster::RedisBus;
use crate::config::Config;
use crate::hub::heads::HeadCheck;
use crate::hub::{Bus, Hub, NoBus};
use crate::metrics::Metrics;
use crate::scheduler::signal::{InboxSignal, OutboxSignal};
use crate::state::AppState;
use crate::storage::{Backend, DocStore, Persister, SqlStorage};

/// A server that is bound and ready to run.
pub struct App {
    listener: TcpListener,
    router: Router,
    storage: SqlStorage,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    config: Config,
    inbox: InboxSignal,
}

impl App {
    /// Connects to storage (applying migrations), binds the listener and builds the router.
    ///
    /// # Errors
    /// Fails when the database cannot be opened or the address cannot be bound; the message
    /// says which.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let url = config.effective_database_url();
        let storage = SqlStorage::connect(&url).await.context(
            "cannot open the database (check --database-url / POLDER_DATABASE_URL and --data-dir)",
        )?;
        tracing::info!(backend = ?storage.backend(), "storage ready");
        let listener = TcpListener::bind(config.bind).await.with_context(|| {
            format!(
                "cannot listen on {} (is another server running there?)",
                config.bind
            )
        })?;
        let shutdown = CancellationToken::new();
        let tracker = TaskTracker::new();
        let metrics = Arc::new(Metrics::new());
        let documents: Arc<dyn DocStore> = Arc::new(storage.clone());
        let persister = Persister::spawn(documents.clone(), metrics.clone());
        let redis = match &config.cluster.redis_url {
            Some(url) => {
                anyhow::ensure!(
                    storage.backend() == Backend::Postgres,
                    "--redis-url needs PostgreSQL (--database-url postgres://…): SQLite serves one process"
                );
                Some(RedisBus::start(
                    secrecy::ExposeSecret::expose_secret(url),
                    config.cluster.drop_publishes_percent,
                    metrics.clone(),
                    shutdown.clone(),
                    &tracker,
                )?)
            }
            None => None,
        };
        let bus: Arc<dyn Bus> = match &redis {
            Some((bus, _)) => Arc::new(bus.clone()),
            None => Arc::new(NoBus),
        };
        let hub = Hub::new(
            documents,
            persister,
            bus,
            metrics.clone(),
            config.hub.clone(),
            shutdown.clone(),
            tracker.clone(),
        );
        // This server's own wake-up of its live inbox sockets: servers in one process (tests)
        // never wake each other's; with Redis, wake-ups also reach the other processes.
        let inbox = match &redis {
            Some((bus, _)) => InboxSignal::default().with_relay(Arc::new(bus.clone())),
            None => InboxSignal::default(),
        };
        let redis = redis.map(|(bus, inbound)| {
            let wake = inbox.clone();
            tracker.spawn(bus.clone().route(
                inbound,
                hub.clone(),
                move |person| wake.notify_local(person),
                shutdown.clone(),
            ));
            bus
        });
        if storage.backend() == Backend::Postgres {
            // Other processes may write the same documents: the head check heals whatever the
            // bus lost, and without a bus it is how their updates arrive.
            let check = match redis {
                Some(_) => config.cluster.head_check,
                None => HeadCheck {
                    every: config.cluster.head_check.degraded,
                    ..config.cluster.head_check
                },
            };
            tracker.spawn(crate::hub::heads::run(hub.clone(), check, shutdown.clone()));
        }
        let outbox = OutboxSignal::default();
        let state = AppState {
            db: storage.clone(),
            hub,
            metrics,
            limits: config.limits.clone(),
            work: config.work.clone(),
            render_permits: Arc::new(Semaphore::new(config.work.max_concurrent_renders.max(1))),
            connection_permits: Arc::new(Semaphore::new(config.limits.max_connections)),
            shutdown: shutdown.clone(),
            tracker: tracker.clone(),
            webhook_policy: config.scheduler.webhook.address_policy(),
            secure_cookies: config.serves_https(),
            auth: Arc::new(config.auth.clone()),
            sockets: Arc::default(),
            inbox: inbox.clone(),
            outbox: outbox.clone(),
            inbox_permits: Arc::new(Semaphore::new(config.limits.sockets.max_inbox_connections)),
            redis,
            direct_mail: crate::state::DirectMail::from_settings(&config.scheduler),
        };
        crate::ws::access::spawn_watcher(state.clone(), shutdown.clone(), &tracker);
        crate::scheduler::spawn(
            storage.clone(),
            inbox.clone(),
            outbox,
            config.scheduler.clone(),
            shutdown.clone(),
            tracker.clone(),
        );
        let router = crate::http::api(&state, crate::ws::inbox::router())
            .merge(crate::ws::router())
            .merge(crate::http::public::router());
        let router = crate::http::with_static_files(router, config.static_dir.as_deref());
        let router = crate::http::finish(router, state);
        Ok(Self {
            listener,
            router,
            storage,
            shutdown,
            tracker,
            config,
            inbox,
        })
    }

    /// The wake-up of this server's live inbox sockets, for a scheduler running outside it
    /// (see [`crate::scheduler::Scheduler::with_inbox_signal`]).
    pub fn inbox_signal(&self) -> InboxSignal {
        self.inbox.clone()
    }

    /// The address the server listens on (useful with port 0).
    ///
    /// # Errors
    /// Only if the socket has no local address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `signal` completes, then shuts down gracefully: stops accepting, closes
    /// every sync connection with "going away", stores and compacts every loaded document,
    /// and closes the database.
    ///
    /// # Errors
    /// Fails when the listener fails.
    pub async fn run_until_stopped(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let shutdown = self.shutdown.clone();
        tokio::spawn({
            let shutdown = shutdown.clone();
            async move {
                tokio::select! {
                    () = signal => tracing::info!("shutdown requested"),
                    () = shutdown.cancelled() => {}
                }
                shutdown.cancel();
            }
        });
        let addr = self.listener.local_addr()?;
        tracing::info!(%addr, "listening");
        // Small y-websocket frames must not wait for Nagle's algorithm.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
        });
        let served = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown.clone().cancelled_owned())
        .await;
        shutdown.cancel();
        self.tracker.close();
        if tokio::time::timeout(self.config.shutdown_grace, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!("shutdown grace period ended with work still running");
        }
        self.storage.close().await;
        tracing::info!("stopped");
        served.context("the HTTP server failed")
    }
}
