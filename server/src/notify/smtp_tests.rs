//! End-to-end e-mail tests against a real SMTP server process: the aiosmtpd sink in
//! `tests/smtp/sink.py`, which records every message it receives. The sink decodes the
//! messages with Python's standard e-mail parser, so these tests also check that what lettre
//! writes is valid MIME.
//!
//! The sink needs Python 3 with aiosmtpd; `tests/smtp/setup.sh` installs it into
//! `tests/smtp/.venv`. Set `POLDER_SMTP_PYTHON` to use another interpreter.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use chrono::NaiveDate;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::*;

const INSTALL_HINT: &str = "the e-mail tests need Python 3 with aiosmtpd for their SMTP sink; \
     install it with `tests/smtp/setup.sh` (runs `python3 -m venv tests/smtp/.venv && \
     tests/smtp/.venv/bin/python -m pip install -r tests/smtp/requirements.txt`), or point \
     POLDER_SMTP_PYTHON at a python that has aiosmtpd";

fn smtp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/smtp")
}

/// The interpreter to run the sink with: `$POLDER_SMTP_PYTHON`, else the venv made by
/// `tests/smtp/setup.sh`, else `python3`.
fn sink_python() -> PathBuf {
    if let Some(python) = std::env::var_os("POLDER_SMTP_PYTHON") {
        return python.into();
    }
    let venv = smtp_dir().join(".venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

/// A running sink; the process is killed when this is dropped.
struct SmtpSink {
    port: u16,
    dir: tempfile::TempDir,
    _child: Child,
}

impl SmtpSink {
    async fn start() -> Self {
        let python = sink_python();
        let check = Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
        match check {
            Ok(status) if status.success() => {}
            Ok(_) => panic!("{} has no aiosmtpd: {INSTALL_HINT}", python.display()),
            Err(err) => panic!("cannot run {}: {err}; {INSTALL_HINT}", python.display()),
        }
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(&python)
            .arg(smtp_dir().join("sink.py"))
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the SMTP sink did not start within 30 s")
            .unwrap()
            .expect("the SMTP sink exited before listening (see its stderr above)");
        let port = line
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from the SMTP sink: {line:?}"));
        Self {
            port,
            dir,
            _child: child,
        }
    }

    fn settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".to_owned(),
            port: self.port,
            from: "Polder <polder@polder.test>".to_owned(),
            username: None,
            password: None,
            tls: TlsMode::None,
        }
    }

    /// The messages received so far, oldest first, as the sink recorded them.
    fn messages(&self) -> Vec<serde_json::Value> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|path| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
            .collect()
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn part<'a>(message: &'a serde_json::Value, content_type: &str) -> &'a serde_json::Value {
    message["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["content_type"] == content_type)
        .unwrap_or_else(|| panic!("no {content_type} part in {message:#}"))
}

fn assert_same_text(received: &serde_json::Value, sent: &str) {
    assert_eq!(received.as_str().unwrap().trim_end(), sent.trim_end());
}

#[tokio::test]
async fn smtp_sink_receives_a_dutch_reminder_and_a_digest() {
    let sink = SmtpSink::start().await;
    let mailer = SmtpMailer::new(&sink.settings()).unwrap();
    let context = EmailContext {
        language: Language::Nl,
        preferences_url: Some("https://polder.test/instellingen/meldingen".to_owned()),
    };

    let reminder = Notification {
        kind: NotificationKind::Reminder { days_before: 7 },
        title: "Eén advies over geïnformeerde keuzes".to_owned(),
        body: "Het advies moet over één week klaar zijn.\n\nAlle partijen zijn geïnformeerd \
               & <akkoord>."
            .to_owned(),
        link: Some("https://polder.test/mijlpalen/12".to_owned()),
        subject_ref: "milestone:12".to_owned(),
        due: Some(date(2025, 3, 12)),
    };
    let reminder_email = render(&reminder, &context);
    mailer
        .send("Piet Jansen <piet@zin.test>", &reminder_email)
        .await
        .unwrap();

    let overdue = Notification {
        kind: NotificationKind::Overdue { days_late: 3 },
        title: "Rolverdeling vastgesteld".to_owned(),
        body: "Nog niet afgerond.".to_owned(),
        link: None,
        subject_ref: "milestone:7".to_owned(),
        due: Some(date(2025, 2, 28)),
    };
    let digest = render_digest(date(2025, 3, 3), &[reminder.clone(), overdue], &context).unwrap();
    mailer.send("anna@vws.test", &digest).await.unwrap();

    // The sink writes each message before it acknowledges DATA, so both are there now.
    let messages = sink.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");

    let first = &messages[0];
    assert_eq!(first["mail_from"], "polder@polder.test");
    assert_eq!(first["rcpt_tos"], serde_json::json!(["piet@zin.test"]));
    assert_eq!(first["to"], "Piet Jansen <piet@zin.test>");
    assert_eq!(first["from"], "Polder <polder@polder.test>");
    assert_eq!(
        first["subject"],
        "Herinnering: Eén advies over geïnformeerde keuzes (nog 7 werkdagen)"
    );
    assert_eq!(first["content_type"], "multipart/alternative");
    assert_eq!(first["headers"]["auto-submitted"], "auto-generated");
    let message_id = first["headers"]["message-id"].as_str().unwrap();
    assert!(message_id.ends_with("@polder.test>"), "{message_id}");
    let text = part(first, "text/plain");
    assert_eq!(text["charset"], "utf-8");
    assert_same_text(&text["content"], &reminder_email.text);
    let text = text["content"].as_str().unwrap();
    assert!(
        text.contains("Alle partijen zijn geïnformeerd & <akkoord>."),
        "{text}"
    );
    assert!(text.contains("Uiterste datum: 12 maart 2025"), "{text}");
    assert!(text.contains("E-mailvoorkeuren wijzigen: https://polder.test/instellingen/meldingen"));
    let html = part(first, "text/html");
    assert_eq!(html["charset"], "utf-8");
    assert_same_text(&html["content"], &reminder_email.html);
    let html = html["content"].as_str().unwrap();
    assert!(
        html.contains("Alle partijen zijn geïnformeerd &amp; &lt;akkoord&gt;."),
        "{html}"
    );
    assert!(html.contains("<a href=\"https://polder.test/mijlpalen/12\">Bekijken in Polder</a>"));

    let second = &messages[1];
    assert_eq!(second["rcpt_tos"], serde_json::json!(["anna@vws.test"]));
    assert_eq!(
        second["subject"],
        "Polder: overzicht van 3 maart 2025 (2 meldingen)"
    );
    let text = part(second, "text/plain")["content"].as_str().unwrap();
    let late = text.find("Te laat: Rolverdeling vastgesteld (3 dagen over de termijn)");
    let soon = text.find("Herinnering: Eén advies over geïnformeerde keuzes");
    assert!(late.unwrap() < soon.unwrap(), "overdue comes first: {text}");
    let html = part(second, "text/html")["content"].as_str().unwrap();
    assert!(
        html.contains("<h2>Te laat</h2>") && html.contains("<h2>Binnenkort</h2>"),
        "{html}"
    );
}

#[tokio::test]
async fn an_unreachable_smtp_server_is_an_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mailer = SmtpMailer::new(&SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port,
        from: "polder@polder.test".to_owned(),
        username: None,
        password: None,
        tls: TlsMode::None,
    })
    .unwrap();
    let email = render(
        &Notification {
            kind: NotificationKind::Mention { by: String::new() },
            title: "T".to_owned(),
            body: String::new(),
            link: None,
            subject_ref: "comment:1".to_owned(),
            due: None,
        },
        &EmailContext::default(),
    );
    let result = mailer.send("piet@zin.test", &email).await;
    assert!(matches!(result, Err(NotifyError::Smtp(_))), "{result:?}");
}
