//! E-mail delivery: the [`Mailer`] trait, the SMTP implementation [`SmtpMailer`], and
//! [`RecordingMailer`], which keeps messages in memory for tests and demos.
//!
//! Messages are `multipart/alternative` with a plain-text and an HTML part (see
//! [`mod@super::render`]), carry a `Message-ID` in the sender's domain, and carry
//! `Auto-Submitted: auto-generated` (RFC 3834) so that out-of-office replies are not sent back.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::error::NotifyError;
use super::render::RenderedEmail;

/// How long one SMTP command may take before the delivery fails.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends rendered e-mails. Implemented by [`SmtpMailer`] and, for tests, [`RecordingMailer`].
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `email` to `to`, an address like `a@example.org` or `Naam <a@example.org>`.
    ///
    /// # Errors
    /// [`NotifyError::Address`] for an invalid recipient; [`NotifyError::Smtp`] when the
    /// server cannot be reached or refuses the message.
    async fn send(&self, to: &str, email: &RenderedEmail) -> Result<(), NotifyError>;
}

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text. Only for a local relay or a test sink.
    None,
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// Connection settings of the SMTP server. `Debug` never shows the password.
#[derive(Debug, Clone, Deserialize)]
pub struct SmtpSettings {
    /// Host name of the SMTP server; also the name its TLS certificate must carry.
    pub host: String,
    /// Port, usually 587 (STARTTLS), 465 (TLS) or 25.
    pub port: u16,
    /// Sender, e.g. `Polder <polder@example.org>`.
    pub from: String,
    /// User name for SMTP AUTH; authentication is used only when a password is set too.
    pub username: Option<String>,
    /// Password for SMTP AUTH.
    pub password: Option<SecretString>,
    /// Transport security.
    #[serde(default)]
    pub tls: TlsMode,
}

/// Sends e-mail through an SMTP server with a pooled async connection.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Builds the mailer. No connection is made until the first message is sent.
    ///
    /// # Errors
    /// [`NotifyError::Address`] for an invalid `from`; [`NotifyError::Smtp`] when the TLS
    /// settings cannot be built for `host`.
    pub fn new(settings: &SmtpSettings) -> Result<Self, NotifyError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|source| NotifyError::Address {
                role: "sender",
                source,
            })?;
        let builder = match settings.tls {
            TlsMode::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
            TlsMode::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)?
            }
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)?,
        };
        let mut builder = builder.port(settings.port).timeout(Some(SMTP_TIMEOUT));
        if let (Some(username), Some(password)) = (&settings.username, &settings.password) {
            if settings.tls == TlsMode::None {
                tracing::warn!(
                    host = %settings.host,
                    "SMTP credentials are sent without TLS. Only use this with a local relay!"
                );
            }
            builder = builder.credentials(Credentials::new(
                username.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    #[tracing::instrument(name = "smtp_send", skip_all)]
    async fn send(&self, to: &str, email: &RenderedEmail) -> Result<(), NotifyError> {
        let message = build_message(self.from.clone(), to, email)?;
        self.transport.send(message).await?;
        tracing::debug!("e-mail handed to the SMTP server");
        Ok(())
    }
}

/// Assembles the `multipart/alternative` message.
fn build_message(from: Mailbox, to: &str, email: &RenderedEmail) -> Result<Message, NotifyError> {
    let to: Mailbox = to.parse().map_err(|source| NotifyError::Address {
        role: "recipient",
        source,
    })?;
    let message_id = format!("<{}@{}>", random_hex(), from.email.domain());
    let message = Message::builder()
        .message_id(Some(message_id))
        .from(from)
        .to(to)
        .subject(email.subject.as_str())
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ));
    let body = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
    if email.attachments.is_empty() {
        return Ok(message.multipart(body)?);
    }
    let mut mixed = MultiPart::mixed().multipart(body);
    for file in &email.attachments {
        // the types are Polder's own; one that does not parse is left out
        let Ok(content_type) = ContentType::parse(&file.content_type) else {
            continue;
        };
        mixed = mixed.singlepart(
            Attachment::new(file.filename.clone()).body(file.bytes.clone(), content_type),
        );
    }
    Ok(message.multipart(mixed)?)
}

/// 16 random bytes as hex, for `Message-ID`s.
fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    hex::encode(bytes)
}

/// A [`Mailer`] that keeps every message in memory instead of sending it; for tests and
/// demos. Unbounded, so never use it in production.
#[derive(Debug, Default)]
pub struct RecordingMailer {
    sent: Mutex<Vec<(String, RenderedEmail)>>,
}

impl RecordingMailer {
    /// The `(recipient, email)` pairs sent so far, oldest first.
    pub fn sent(&self) -> Vec<(String, RenderedEmail)> {
        match self.sent.lock() {
            Ok(sent) => sent.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, to: &str, email: &RenderedEmail) -> Result<(), NotifyError> {
        to.parse::<Mailbox>()
            .map_err(|source| NotifyError::Address {
                role: "recipient",
                source,
            })?;
        let entry = (to.to_owned(), email.clone());
        match self.sent.lock() {
            Ok(mut sent) => sent.push(entry),
            Err(poisoned) => poisoned.into_inner().push(entry),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> RenderedEmail {
        RenderedEmail {
            subject: "Herinnering: één ding".to_owned(),
            text: "Tekst".to_owned(),
            html: "<p>Tekst</p>".to_owned(),
            attachments: Vec::new(),
        }
    }

    fn settings(tls: TlsMode) -> SmtpSettings {
        SmtpSettings {
            host: "smtp.example.org".to_owned(),
            port: 587,
            from: "Polder <polder@example.org>".to_owned(),
            username: Some("polder".to_owned()),
            password: Some(SecretString::from("geheim-wachtwoord")),
            tls,
        }
    }

    #[test]
    fn settings_debug_hides_the_password() {
        let debug = format!("{:?}", settings(TlsMode::StartTls));
        assert!(!debug.contains("geheim-wachtwoord"), "{debug}");
    }

    #[tokio::test]
    async fn mailer_builds_for_every_tls_mode() {
        for tls in [TlsMode::None, TlsMode::StartTls, TlsMode::Tls] {
            SmtpMailer::new(&settings(tls)).unwrap();
        }
        let mut bad = settings(TlsMode::None);
        bad.from = "geen adres".to_owned();
        assert!(matches!(
            SmtpMailer::new(&bad),
            Err(NotifyError::Address { role: "sender", .. })
        ));
    }

    #[test]
    fn tls_mode_reads_from_config_names() {
        let mode: TlsMode = serde_json::from_str("\"starttls\"").unwrap();
        assert_eq!(mode, TlsMode::StartTls);
    }

    #[test]
    fn message_is_multipart_alternative_with_auto_submitted() {
        let from: Mailbox = "Polder <polder@example.org>".parse().unwrap();
        let message = build_message(from, "Piet <piet@example.org>", &email()).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("To: Piet <piet@example.org>"), "{raw}");
        assert!(
            raw.contains("@example.org>\r\n"),
            "Message-ID in our domain: {raw}"
        );
    }

    #[test]
    fn an_attachment_makes_the_message_multipart_mixed() {
        let from: Mailbox = "Polder <polder@example.org>".parse().unwrap();
        let mut email = email();
        email.attachments.push(crate::notify::EmailAttachment {
            filename: "stukken.pdf".to_owned(),
            content_type: "application/pdf".to_owned(),
            bytes: b"%PDF-1.4 test".to_vec(),
        });
        let message = build_message(from, "piet@example.org", &email).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("multipart/mixed"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("application/pdf"), "{raw}");
        assert!(raw.contains("filename=\"stukken.pdf\""), "{raw}");
    }

    #[tokio::test]
    async fn recording_mailer_rejects_bad_recipients() {
        let mailer = RecordingMailer::default();
        mailer.send("a@example.org", &email()).await.unwrap();
        assert!(mailer.send("geen adres", &email()).await.is_err());
        assert_eq!(mailer.sent().len(), 1);
    }
}
