//! The `polder` command line: its arguments (clap) and a dispatch to the command bodies in
//! [`crate::commands`] — `serve`, `migrate`, `token create`, `user create`, `doc grant`,
//! `party create`, `body create`/`add-member`, `audit verify`, `demo`, `import milestones`,
//! `export archive`/`verify`.
//!
//! Every command takes the same database settings (`--database-url`, `--data-dir`, or
//! `POLDER_DATABASE_URL`, `POLDER_DATA_DIR`), so what `serve` uses, the others change.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::commands;
use crate::config::{Config, LogFormat};

mod export_args;
mod serve_auth;
mod webhook_args;
mod work_args;

/// Polder: realtime collaboration for policy working groups.
#[derive(Parser)]
#[command(name = "polder", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage people who can sign in.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage documents.
    #[command(subcommand)]
    Doc(DocCommand),
    /// Manage parties.
    #[command(subcommand)]
    Party(PartyCommand),
    /// Manage bodies (working groups, theme tables, …) and their members.
    #[command(subcommand)]
    Body(BodyCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Load the demo working group into an empty database.
    Demo(DatabaseArgs),
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export a body's archive, or verify one.
    #[command(subcommand)]
    Export(export_args::ExportCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a milestone table (CSV, TSV or XLSX): lists every flagged or unreadable row and
    /// ends with `rows: N, milestones: M, flagged: F, errors: E`.
    Milestones {
        /// The file.
        file: PathBuf,
        /// Only report what would be imported.
        #[arg(long)]
        dry_run: bool,
        /// The body to import into (default: the only working group).
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum PartyCommand {
    /// Create a party.
    Create {
        /// Short code, e.g. ZIN.
        #[arg(long)]
        code: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Colour as #rrggbb.
        #[arg(long)]
        colour: String,
        /// Other names for the party (repeatable).
        #[arg(long = "alias")]
        aliases: Vec<String>,
        /// Member party codes, which makes this a collective (repeatable).
        #[arg(long = "member")]
        members: Vec<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum BodyCommand {
    /// Create a body.
    Create {
        /// Name, e.g. "Werkgroep Beter pakketbeheer".
        #[arg(long)]
        name: String,
        /// working_group, sub_group, theme_table, directors_day, bo_iza or minister.
        #[arg(long)]
        kind: String,
        /// Name of the body it reports to.
        #[arg(long)]
        parent: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Give a person a role in a body.
    AddMember {
        /// Body name.
        #[arg(long)]
        body: String,
        /// E-mail address of the person.
        #[arg(long)]
        user: String,
        /// chair, secretariat, member or observer.
        #[arg(long)]
        role: String,
        /// The person holds their party's mandate.
        #[arg(long)]
        mandate: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain; exits non-zero naming the first bad entry.
    Verify(DatabaseArgs),
}

/// Where the database is.
#[derive(Args, Clone)]
struct DatabaseArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB. Default: SQLite in the data directory.
    #[arg(long, env = "POLDER_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Directory for the embedded database.
    #[arg(long, env = "POLDER_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
}

impl DatabaseArgs {
    fn url(&self) -> String {
        Config {
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
            ..Config::default()
        }
        .effective_database_url()
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "POLDER_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Redis for several processes on one PostgreSQL database: redis://[user:password@]host[:port][/db].
    /// Updates, presence, freezes and inbox wake-ups cross between processes over it; without
    /// it each process still sees the others' updates by polling the database.
    #[arg(long, env = "POLDER_REDIS_URL", hide_env_values = true)]
    redis_url: Option<String>,
    /// Tests only: drop this percentage of the document messages published to Redis, so that
    /// the paths that heal lost messages run.
    #[arg(long, env = "POLDER_TEST_DROP_PUBLISHES", default_value_t = 0, hide = true,
          value_parser = clap::value_parser!(u8).range(0..=100))]
    test_drop_publishes: u8,
    /// Directory of a built web client to serve at `/` instead of the one built into the
    /// binary (for development).
    #[arg(long, env = "POLDER_STATIC_DIR")]
    static_dir: Option<PathBuf>,
    /// Log format.
    #[arg(long, env = "POLDER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Most sync connections at once.
    #[arg(long, env = "POLDER_MAX_CONNECTIONS", default_value_t = 10_000)]
    max_connections: usize,
    /// Largest WebSocket message, in bytes.
    #[arg(long, env = "POLDER_MAX_MESSAGE_BYTES", default_value_t = 8 * 1024 * 1024)]
    max_message_bytes: usize,
    /// Largest document, in bytes of stored state.
    #[arg(long, env = "POLDER_MAX_DOCUMENT_BYTES", default_value_t = 64 * 1024 * 1024)]
    max_document_bytes: usize,
    /// Frames that may wait for one connection before it is closed as too slow.
    #[arg(long, env = "POLDER_OUTBOUND_QUEUE", default_value_t = 512)]
    outbound_queue: usize,
    /// Bytes that may wait for one sync connection before it is closed as too slow.
    #[arg(long, env = "POLDER_OUTBOUND_QUEUE_BYTES", default_value_t = 16 * 1024 * 1024)]
    outbound_queue_bytes: usize,
    /// Largest presence state of one connection, in bytes.
    #[arg(long, env = "POLDER_MAX_PRESENCE_BYTES", default_value_t = 16 * 1024)]
    max_presence_bytes: usize,
    /// Presence updates per second one connection may send (bursts of twice that).
    #[arg(long, env = "POLDER_PRESENCE_PER_SEC", default_value_t = 20)]
    presence_per_sec: u32,
    /// Live inbox sockets one person may hold open.
    #[arg(long, env = "POLDER_MAX_INBOX_PER_PERSON", default_value_t = 5)]
    max_inbox_per_person: usize,
    /// Live inbox sockets open at once.
    #[arg(long, env = "POLDER_MAX_INBOX_CONNECTIONS", default_value_t = 1_000)]
    max_inbox_connections: usize,
    /// Seconds an unused document stays in memory.
    #[arg(long, env = "POLDER_IDLE_UNLOAD_SECS", default_value_t = 60)]
    idle_unload_secs: u64,
    /// Compact a document's update log after this many updates.
    #[arg(long, env = "POLDER_COMPACT_AFTER_UPDATES", default_value_t = 1000)]
    compact_after_updates: usize,
    /// Deepest nesting of elements (shared types) an update may create; deeper updates are
    /// refused. At most 1000, the depth to which versions are rendered.
    #[arg(
        long,
        env = "POLDER_MAX_NESTING_DEPTH",
        default_value_t = crate::sync::nesting::DEFAULT_MAX_NESTING_DEPTH as u64,
        value_parser = clap::value_parser!(u64).range(1..=crate::versions::MAX_TREE_DEPTH as u64)
    )]
    max_nesting_depth: u64,
    /// Served over TLS: Secure cookies with the __Host- prefix and HSTS (also implied by an
    /// https:// --public-url).
    #[arg(long, env = "POLDER_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Load the demo working group when the database is empty.
    #[arg(long, env = "POLDER_DEMO")]
    demo: bool,
    #[command(flatten)]
    scheduler: SchedulerArgs,
    #[command(flatten)]
    work: work_args::WorkArgs,
    #[command(flatten)]
    auth: serve_auth::AuthArgs,
}

/// Reminders, escalation timeouts and e-mail.
#[derive(Args)]
struct SchedulerArgs {
    /// Run the scheduler (reminders, requests, escalation timeouts): on or off.
    #[arg(long = "scheduler", env = "POLDER_SCHEDULER", default_value = "on", value_parser = ["on", "off"])]
    enabled: String,
    /// Seconds between scheduler runs.
    #[arg(long, env = "POLDER_SCHEDULER_INTERVAL_SECS", default_value_t = 30)]
    scheduler_interval_secs: u64,
    /// SMTP server for e-mail; without it, notifications stay in the app.
    #[arg(long, env = "POLDER_SMTP_HOST")]
    smtp_host: Option<String>,
    /// SMTP port.
    #[arg(long, env = "POLDER_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,
    /// Sender address, e.g. "Polder <polder@example.org>".
    #[arg(
        long,
        env = "POLDER_SMTP_FROM",
        default_value = "Polder <polder@localhost>"
    )]
    smtp_from: String,
    /// SMTP user name.
    #[arg(long, env = "POLDER_SMTP_USERNAME")]
    smtp_username: Option<String>,
    /// SMTP password (prefer the environment variable; it never appears in logs).
    #[arg(long, env = "POLDER_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// Transport security: none, starttls or tls.
    #[arg(long, env = "POLDER_SMTP_TLS", default_value = "starttls", value_parser = ["none", "starttls", "tls"])]
    smtp_tls: String,
    /// Public base URL of the web app, for links in e-mails.
    #[arg(long, env = "POLDER_PUBLIC_URL")]
    public_url: Option<String>,
    /// Hour of the day, Dutch time (Europe/Amsterdam), at which date-based reminders,
    /// requests and timeouts fall due.
    #[arg(
        long,
        env = "POLDER_REMINDER_HOUR",
        default_value_t = crate::scheduler::DEFAULT_REMINDER_HOUR,
        value_parser = clap::value_parser!(u32).range(0..=23)
    )]
    reminder_hour: u32,
    /// Hour of the day, Dutch time, after which the daily digests go out.
    #[arg(
        long,
        env = "POLDER_DIGEST_HOUR",
        default_value_t = crate::scheduler::DEFAULT_DIGEST_HOUR,
        value_parser = clap::value_parser!(u32).range(0..=23)
    )]
    digest_hour: u32,
    #[command(flatten)]
    webhooks: webhook_args::WebhookArgs,
}

impl SchedulerArgs {
    fn apply(self, settings: &mut crate::scheduler::SchedulerSettings) {
        use crate::notify::email::{SmtpSettings, TlsMode};
        settings.enabled = self.enabled == "on";
        settings.interval = Duration::from_secs(self.scheduler_interval_secs.max(1));
        settings.public_url = self.public_url;
        settings.reminder_hour = self.reminder_hour;
        settings.digest_hour = self.digest_hour;
        self.webhooks.apply(settings);
        settings.smtp = self.smtp_host.map(|host| SmtpSettings {
            host,
            port: self.smtp_port,
            from: self.smtp_from,
            username: self.smtp_username,
            password: self.smtp_password.map(SecretString::from),
            tls: match self.smtp_tls.as_str() {
                "none" => TlsMode::None,
                "tls" => TlsMode::Tls,
                _ => TlsMode::StartTls,
            },
        });
    }
}

impl ServeArgs {
    fn into_config(self) -> Config {
        let mut config = Config {
            bind: self.bind,
            database_url: self.database.database_url,
            data_dir: self.database.data_dir,
            static_dir: self.static_dir,
            secure_cookies: self.secure_cookies,
            cluster: crate::config::ClusterConfig {
                redis_url: self.redis_url.map(SecretString::from),
                drop_publishes_percent: self.test_drop_publishes,
                ..crate::config::ClusterConfig::default()
            },
            ..Config::default()
        };
        config.limits.max_connections = self.max_connections;
        config.limits.max_message_bytes = self.max_message_bytes;
        config.limits.outbound_queue = self.outbound_queue.max(1);
        config.limits.sockets = crate::config::SocketLimits {
            outbound_queue_bytes: self.outbound_queue_bytes.max(1),
            max_presence_bytes: self.max_presence_bytes,
            presence_per_sec: self.presence_per_sec.max(1),
            presence_burst: self.presence_per_sec.max(1).saturating_mul(2),
            max_inbox_per_person: self.max_inbox_per_person,
            max_inbox_connections: self.max_inbox_connections,
        };
        config.hub.max_document_bytes = self.max_document_bytes;
        config.hub.idle_unload = Duration::from_secs(self.idle_unload_secs);
        config.hub.compact_after_updates = self.compact_after_updates.max(1);
        config.hub.max_nesting_depth =
            usize::try_from(self.max_nesting_depth).unwrap_or(crate::versions::MAX_TREE_DEPTH);
        self.scheduler.apply(&mut config.scheduler);
        self.work.apply(&mut config.work);
        self.auth.apply(&mut config.auth);
        config
    }
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it once.
    Create {
        /// A name that says what the token is for.
        #[arg(long)]
        name: String,
        /// Scopes, space-separated: `admin`, `write`, `read`.
        #[arg(long, default_value = "read")]
        scope: String,
        /// E-mail address of the person the token acts for (none for a service token).
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a person; the password is read from POLDER_PASSWORD or standard input.
    Create {
        /// Sign-in address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Make the person an administrator.
        #[arg(long)]
        admin: bool,
        /// Their party (code or alias).
        #[arg(long)]
        party: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Write everything Polder holds about a person as JSON to standard output (their
    /// account, every record that names them, the audit entries they made; no secrets).
    Export {
        /// Their sign-in address.
        #[arg(long)]
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Remove a person: erase their account and contact data; what they did stays on the
    /// record under a pseudonym ("voormalig lid, PARTY"). Asks for confirmation unless --yes.
    Remove {
        /// Their sign-in address.
        #[arg(long)]
        email: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum DocCommand {
    /// Give a person a role on a document, creating the document if needed.
    Grant {
        /// Document id.
        #[arg(long)]
        doc: String,
        /// E-mail address of the person.
        #[arg(long)]
        user: String,
        /// `reader` or `writer`.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_format = match &cli.command {
        Command::Serve(args) => args.log_format,
        _ => LogFormat::Text,
    };
    crate::telemetry::init(log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    use commands::{audit, body, demo, doc, import, migrate, party, serve, token, user};
    match command {
        Command::Serve(args) => serve::run(args.demo, (*args).into_config()).await,
        Command::Migrate(db) => migrate::run(&db.url()).await,
        Command::Token(TokenCommand::Create {
            name,
            scope,
            user,
            database: db,
        }) => token::create(&db.url(), &name, &scope, user.as_deref()).await,
        Command::User(UserCommand::Create {
            email,
            name,
            admin,
            party,
            database: db,
        }) => user::create(&db.url(), &email, &name, admin, party.as_deref()).await,
        Command::User(UserCommand::Export {
            email,
            database: db,
        }) => user::export(&db.url(), &email).await,
        Command::User(UserCommand::Remove {
            email,
            yes,
            database: db,
        }) => user::remove(&db.url(), &email, yes).await,
        Command::Party(PartyCommand::Create {
            code,
            name,
            colour,
            aliases,
            members,
            database: db,
        }) => party::create(&db.url(), &code, &name, &colour, aliases, &members).await,
        Command::Body(BodyCommand::Create {
            name,
            kind,
            parent,
            database: db,
        }) => body::create(&db.url(), &name, &kind, parent.as_deref()).await,
        Command::Body(BodyCommand::AddMember {
            body,
            user,
            role,
            mandate,
            database: db,
        }) => body::add_member(&db.url(), &body, &user, &role, mandate).await,
        Command::Audit(AuditCommand::Verify(db)) => audit::verify(&db.url()).await,
        Command::Import(ImportCommand::Milestones {
            file,
            dry_run,
            body,
            database: db,
        }) => import::run(&db.url(), &file, dry_run, body.as_deref()).await,
        Command::Demo(db) => demo::run(&db.url()).await,
        Command::Export(export) => export.run().await,
        Command::Doc(DocCommand::Grant {
            doc,
            user,
            role,
            database: db,
        }) => doc::grant(&db.url(), &doc, &user, &role).await,
    }
}

#[cfg(test)]
#[path = "cli_nesting_tests.rs"]
mod nesting_tests;

#[cfg(test)]
#[path = "cli_hour_tests.rs"]
mod hour_tests;
