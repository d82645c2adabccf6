//! [`TestApp`]: a Polder server in this process on a fresh database, and the
//! [`backend_tests!`] macro that runs a test on every configured backend.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use polder::app::App;
use polder::auth::{password, secret};
use polder::config::Config;
use polder::storage::{DocRole, SqlStorage};
use polder_shared::DocId;
use polder_tests::YClient;
use rand::Rng;
use secrecy::SecretString;
use tokio::sync::oneshot;

/// Runs each named `async fn name(backend: Backend)` as `sqlite::name` and `postgres::name`.
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(backend) = crate::helpers::Backend::postgres() else {
                        eprintln!("skipped: TEST_DATABASE_URL is not set");
                        return;
                    };
                    super::$name(backend).await
                }
            )*
        }
    };
}
pub(crate) use backend_tests;

/// Which database a test runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh schema in the PostgreSQL database at this URL.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL, if `TEST_DATABASE_URL` is set.
    pub fn postgres() -> Option<Self> {
        std::env::var("TEST_DATABASE_URL")
            .ok()
            .map(Backend::Postgres)
    }
}

/// A database made for one test and removed after it.
pub struct TestDatabase {
    /// URL the server should use.
    pub url: String,
    /// Keeps the SQLite directory alive.
    pub dir: tempfile::TempDir,
    schema: Option<(String, String)>,
}

impl TestDatabase {
    /// Creates an empty database on `backend`.
    pub async fn create(backend: &Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        match backend {
            Backend::Sqlite => Self {
                url: polder::storage::sql::sqlite_url_for(dir.path()),
                dir,
                schema: None,
            },
            Backend::Postgres(base) => {
                let schema = format!("polder_test_{:016x}", rand::thread_rng().gen::<u64>());
                let admin = sqlx::PgPool::connect(base)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                sqlx::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
                let separator = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
                Self {
                    url,
                    dir,
                    schema: Some((base.clone(), schema)),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((base, schema)) = self.schema.take() else {
            return;
        };
        // Drop runs outside any runtime guarantee, so clean up on a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(pool) = sqlx::PgPool::connect(&base).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .execute(&pool)
                        .await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

/// A running server with an admin token and direct access to its storage.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// A token with scope `admin`.
    pub admin_token: String,
    /// The same database the server uses.
    pub storage: Arc<SqlStorage>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// The database; dropped (and removed) after the server stops.
    pub database: TestDatabase,
    /// Wakes the server's live inbox sockets (for schedulers the tests run themselves).
    pub inbox: polder::scheduler::signal::InboxSignal,
}

impl TestApp {
    /// Asserts the server still answers `/healthz` (after an attack, say).
    pub async fn assert_alive(&self) {
        let status = reqwest::get(self.http("/healthz")).await.unwrap().status();
        assert_eq!(
            status,
            reqwest::StatusCode::OK,
            "the server still answers /healthz"
        );
    }

    /// A new API token with `scope` for the person with this e-mail address.
    pub async fn token_for(&self, email: &str, scope: &str) -> String {
        let user = self
            .storage
            .find_user_by_email(email)
            .await
            .unwrap()
            .unwrap();
        let token = secret::new_token();
        self.storage
            .create_token("test", scope, &secret::hash(&token), Some(user.id))
            .await
            .unwrap();
        token
    }

    /// Starts a server with default settings.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server after `configure` has changed its settings.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> Self {
        let database = TestDatabase::create(&backend).await;
        Self::spawn_on(database, configure).await
    }

    /// Starts a server on an existing database.
    pub async fn spawn_on(database: TestDatabase, configure: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: Some(database.url.clone()),
            data_dir: database.dir.path().to_path_buf(),
            ..Config::default()
        };
        configure(&mut config);
        let app = App::build(config).await.expect("server starts");
        let addr = app.local_addr().unwrap();
        let inbox = app.inbox_signal();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        let storage = Arc::new(SqlStorage::connect(&database.url).await.unwrap());
        let admin_token = secret::new_token();
        storage
            .create_token("test-admin", "admin", &secret::hash(&admin_token), None)
            .await
            .unwrap();
        Self {
            addr,
            admin_token,
            storage,
            stop: Some(stop),
            server: Some(server),
            database,
            inbox,
        }
    }

    /// URL of a document's sync endpoint, without credentials.
    pub fn ws_base(&self, doc: &str) -> String {
        format!("ws://{}/ws/{doc}", self.addr)
    }

    /// URL of a document's sync endpoint with the admin token.
    pub fn ws_url(&self, doc: &str) -> String {
        self.ws_url_with(doc, &self.admin_token)
    }

    /// URL of a document's sync endpoint with `token`.
    pub fn ws_url_with(&self, doc: &str, token: &str) -> String {
        format!("ws://{}/ws/{doc}?token={token}", self.addr)
    }

    /// An HTTP URL on this server.
    pub fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Connects an admin client and waits for its initial sync.
    pub async fn client(&self, doc: &str) -> YClient {
        let client = YClient::connect(&self.ws_url(doc)).await.unwrap();
        client.synced().await.unwrap();
        client
    }

    /// Creates a person and returns their id.
    pub async fn create_user(&self, email: &str, password: &str) -> i64 {
        let hash = password::hash_password(SecretString::from(password))
            .await
            .unwrap();
        self.storage
            .create_user(email, email, &hash, false)
            .await
            .unwrap()
    }

    /// Creates a person with a role on `doc` and returns a token with `scope` for them.
    pub async fn member_token(&self, doc: &str, role: DocRole, scope: &str) -> String {
        let email = format!("{:x}@example.org", rand::thread_rng().gen::<u64>());
        let user = self.create_user(&email, "correct horse battery").await;
        let doc_id = DocId::parse(doc).unwrap();
        self.storage.create_document(&doc_id, "test").await.unwrap();
        self.storage
            .grant_document(&doc_id, user, role)
            .await
            .unwrap();
        let token = secret::new_token();
        self.storage
            .create_token("member", scope, &secret::hash(&token), Some(user))
            .await
            .unwrap();
        token
    }

    /// Reads one metric's value from `/metrics` (with the admin token, which may read it).
    pub async fn metric(&self, name: &str) -> f64 {
        let body = reqwest::Client::new()
            .get(self.http("/metrics"))
            .bearer_auth(&self.admin_token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        body.lines()
            .find_map(|line| {
                let (key, value) = line.split_once(' ')?;
                (key == name || key == format!("{name}_total")).then(|| value.parse().ok())?
            })
            .unwrap_or_else(|| panic!("metric {name} not found"))
    }

    /// Stops the server gracefully and waits for it; returns the database for a restart.
    pub async fn stop(mut self) -> TestDatabase {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(20), server)
                .await
                .expect("server stops within 20 s")
                .unwrap()
                .unwrap();
        }
        self.storage.close().await;
        let placeholder = TestDatabase {
            url: String::new(),
            dir: tempfile::tempdir().unwrap(),
            schema: None,
        };
        std::mem::replace(&mut self.database, placeholder)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Polls `check` until it holds or `timeout` passes.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
