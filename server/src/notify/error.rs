//! [`NotifyError`]: everything that can go wrong while delivering a notification.

/// Why a notification could not be delivered.
///
/// Messages never contain secrets, e-mail addresses or message contents.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// An e-mail address (sender or recipient) could not be parsed.
    #[error("invalid {role} e-mail address")]
    Address {
        /// Which address: `"sender"` or `"recipient"`.
        role: &'static str,
        /// The parse error.
        #[source]
        source: lettre::address::AddressError,
    },
    /// The e-mail message could not be assembled.
    #[error("could not build the e-mail message")]
    Message(#[from] lettre::error::Error),
    /// The SMTP server could not be reached or refused the message.
    #[error("SMTP delivery failed")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// A webhook payload could not be serialized as JSON.
    #[error("could not serialize the webhook payload")]
    Payload(#[from] serde_json::Error),
    /// A webhook URL is not an absolute `http` or `https` URL.
    #[error("invalid webhook URL")]
    WebhookUrl,
    /// The webhook receiver's address is refused by the outbound address policy.
    #[error("webhook receiver address not allowed")]
    WebhookRefused,
    /// The HTTP client for webhooks could not be created.
    #[error("could not set up the webhook HTTP client")]
    HttpClient(#[source] reqwest::Error),
    /// The webhook receiver answered with a status that retrying will not change.
    #[error("webhook rejected with HTTP status {status}")]
    WebhookRejected {
        /// The HTTP status code of the last attempt.
        status: u16,
    },
    /// Every attempt to deliver the webhook failed with a retryable error.
    #[error("webhook delivery gave up after {attempts} attempts")]
    WebhookGaveUp {
        /// How many attempts were made.
        attempts: u32,
    },
}
