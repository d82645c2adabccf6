//! Delivering one webhook: [`WebhookSender`] signs, posts and retries through a
//! [`WebhookTransport`]; [`ReqwestTransport`] is the real HTTP implementation.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::address::{literal_ip, AddressPolicy};
use super::resolve::{is_refusal, CheckedResolver, SystemLookup};
use super::retry::{classify, RetryPolicy, Verdict};
use super::{signature, DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::notify::error::NotifyError;

/// Where webhooks go. `Debug` never shows the secret.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    /// Absolute `http(s)` URL. May hold a token, so it is never logged.
    pub url: String,
    /// Shared secret the receiver verifies signatures with.
    pub secret: SecretString,
}

/// One signed HTTP request, as handed to a [`WebhookTransport`].
#[derive(Debug, Clone)]
pub struct WebhookRequest {
    /// Target URL.
    pub url: String,
    /// Headers besides `Content-Type: application/json`.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Vec<u8>,
    /// Time limit of this attempt.
    pub timeout: Duration,
}

/// Why an attempt got no HTTP status. All of these but [`TransportError::Refused`] are
/// retried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The receiver's address is refused by the address policy; nothing was sent.
    #[error("address not allowed")]
    Refused,
    /// No response within the attempt timeout.
    #[error("timed out")]
    Timeout,
    /// The connection could not be made.
    #[error("connection failed: {0}")]
    Connect(String),
    /// Anything else that went wrong on the wire.
    #[error("request failed: {0}")]
    Other(String),
}

/// Posts a signed request and reports the response status. Implemented by
/// [`ReqwestTransport`]; tests substitute fakes.
#[async_trait]
pub trait WebhookTransport: Send + Sync {
    /// Sends `request` as a JSON `POST` and returns the HTTP status of the response.
    ///
    /// # Errors
    /// [`TransportError`] when no response arrived.
    async fn post(&self, request: &WebhookRequest) -> Result<u16, TransportError>;
}

/// [`WebhookTransport`] over `reqwest` with rustls. Redirects are not followed, proxies from
/// the environment are not used, and names are resolved through a [`CheckedResolver`], so
/// a connection only ever goes to an address the [`AddressPolicy`] permits; a URL whose host
/// is a refused IP literal fails before any connection. The response body is never read.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    policy: AddressPolicy,
}

impl ReqwestTransport {
    /// Builds the HTTP client; `connect_timeout` bounds setting up a connection.
    ///
    /// # Errors
    /// [`NotifyError::HttpClient`] when the TLS backend cannot be initialised.
    pub fn new(policy: AddressPolicy, connect_timeout: Duration) -> Result<Self, NotifyError> {
        let resolver = CheckedResolver::new(Arc::new(SystemLookup), policy);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .connect_timeout(connect_timeout)
            .pool_max_idle_per_host(1)
            .user_agent(concat!("Polder-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(NotifyError::HttpClient)?;
        Ok(Self { client, policy })
    }
}

#[async_trait]
impl WebhookTransport for ReqwestTransport {
    async fn post(&self, request: &WebhookRequest) -> Result<u16, TransportError> {
        // The resolver is not asked about IP literals, so they are checked here.
        let url = reqwest::Url::parse(&request.url)
            .map_err(|_| TransportError::Other("invalid URL".to_owned()))?;
        if let Some(ip) = url.host_str().and_then(literal_ip) {
            if !self.policy.permits(ip) {
                return Err(TransportError::Refused);
            }
        }
        let mut builder = self
            .client
            .post(url)
            .timeout(request.timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        match builder.send().await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(err) if is_refusal(&err) => Err(TransportError::Refused),
            // `without_url`: the URL may carry a token and ends up in delivery logs.
            Err(err) if err.is_timeout() => Err(TransportError::Timeout),
            Err(err) if err.is_connect() => {
                Err(TransportError::Connect(error_chain(&err.without_url())))
            }
            Err(err) => Err(TransportError::Other(error_chain(&err.without_url()))),
        }
    }
}

/// `error: cause: cause`, so that "connection refused" survives reqwest's wrapping.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// One attempt to deliver a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// HTTP status of the response, if one arrived.
    pub status: Option<u16>,
    /// Why no response arrived, if none did.
    pub error: Option<String>,
    /// When the attempt was made.
    pub at: DateTime<Utc>,
}

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// The receiver answered `2xx`.
    Delivered {
        /// The status.
        status: u16,
    },
    /// The receiver answered with a status that is not retried.
    Rejected {
        /// The status.
        status: u16,
    },
    /// Every attempt failed with a retryable error.
    GaveUp,
    /// The receiver's address is not allowed; nothing was sent.
    Refused,
}

/// The full record of one delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// The `X-Polder-Delivery` id used on every attempt.
    pub delivery_id: String,
    /// Every attempt, in order.
    pub attempts: Vec<DeliveryAttempt>,
    /// How it ended.
    pub outcome: DeliveryOutcome,
}

impl DeliveryReport {
    /// `Ok` when delivered.
    ///
    /// # Errors
    /// [`NotifyError::WebhookRejected`], [`NotifyError::WebhookRefused`] or
    /// [`NotifyError::WebhookGaveUp`].
    pub fn result(&self) -> Result<(), NotifyError> {
        match self.outcome {
            DeliveryOutcome::Delivered { .. } => Ok(()),
            DeliveryOutcome::Rejected { status } => Err(NotifyError::WebhookRejected { status }),
            DeliveryOutcome::Refused => Err(NotifyError::WebhookRefused),
            DeliveryOutcome::GaveUp => Err(NotifyError::WebhookGaveUp {
                attempts: u32::try_from(self.attempts.len()).unwrap_or(u32::MAX),
            }),
        }
    }
}

/// A fresh random delivery id: `dlv_` and 32 hex digits. Callers that must not send twice
/// derive the id from their outbox row instead and pass it to [`WebhookSender::send`].
pub fn new_delivery_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("dlv_{}", hex::encode(bytes))
}

/// Signs and delivers webhooks with retries, as described in [`super`].
#[derive(Clone)]
pub struct WebhookSender {
    transport: Arc<dyn WebhookTransport>,
    policy: RetryPolicy,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSender")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// What one attempt means for its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptVerdict {
    /// The receiver answered `2xx`.
    Delivered,
    /// Worth another attempt later (`408`, `429`, `5xx`, timeouts, connection errors).
    Retry,
    /// The receiver answered with a status retrying will not change.
    Rejected,
    /// The receiver's address is not allowed; nothing was sent.
    Refused,
}

impl WebhookSender {
    /// A sender over real HTTP ([`ReqwestTransport`]) under the address `address` policy; the
    /// policy's attempt timeout also bounds connecting.
    ///
    /// # Errors
    /// [`NotifyError::HttpClient`] when the HTTP client cannot be built.
    pub fn new(policy: RetryPolicy, address: AddressPolicy) -> Result<Self, NotifyError> {
        let transport = ReqwestTransport::new(address, policy.attempt_timeout)?;
        Ok(Self::with_transport(Arc::new(transport), policy))
    }

    /// A sender over any transport, e.g. a fake in tests.
    pub fn with_transport(transport: Arc<dyn WebhookTransport>, policy: RetryPolicy) -> Self {
        Self { transport, policy }
    }

    /// The retry policy in use.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Makes attempt number `number` to post `body` (JSON) to `endpoint` under `delivery_id`,
    /// signed afresh; no retry. Callers that keep retries durable use this and
    /// [`RetryPolicy::backoff`].
    ///
    /// # Errors
    /// [`NotifyError::WebhookUrl`] before any attempt when the URL is not `http(s)`.
    pub async fn attempt(
        &self,
        endpoint: &WebhookEndpoint,
        delivery_id: &str,
        body: &[u8],
        number: u32,
    ) -> Result<(DeliveryAttempt, AttemptVerdict), NotifyError> {
        check_url(&endpoint.url)?;
        let secret = endpoint.secret.expose_secret().as_bytes();
        let at = Utc::now();
        let timestamp = at.timestamp();
        let request = WebhookRequest {
            url: endpoint.url.clone(),
            headers: vec![
                (DELIVERY_HEADER, delivery_id.to_owned()),
                (TIMESTAMP_HEADER, timestamp.to_string()),
                (SIGNATURE_HEADER, signature(secret, timestamp, body)),
            ],
            body: body.to_vec(),
            timeout: self.policy.attempt_timeout,
        };
        let result = self.transport.post(&request).await;
        let verdict = match &result {
            Ok(status) => match classify(*status) {
                Verdict::Success => AttemptVerdict::Delivered,
                Verdict::Retry => AttemptVerdict::Retry,
                Verdict::Permanent => AttemptVerdict::Rejected,
            },
            Err(TransportError::Refused) => AttemptVerdict::Refused,
            Err(_) => AttemptVerdict::Retry,
        };
        let attempt = DeliveryAttempt {
            attempt: number,
            status: result.as_ref().ok().copied(),
            error: result.as_ref().err().map(ToString::to_string),
            at,
        };
        tracing::debug!(attempt = number, status = ?attempt.status, error = ?attempt.error, "webhook attempt");
        Ok((attempt, verdict))
    }

    /// Delivers `payload` as JSON to `endpoint` under `delivery_id`, retrying as the policy
    /// allows. `on_attempt` sees every attempt as it completes (to persist a delivery log).
    /// Dropping the future stops further attempts.
    ///
    /// # Errors
    /// [`NotifyError::WebhookUrl`] or [`NotifyError::Payload`] before any attempt. A failed
    /// delivery is not an error here: see [`DeliveryReport::outcome`] and
    /// [`DeliveryReport::result`].
    #[tracing::instrument(name = "webhook_send", skip_all, fields(delivery_id = %delivery_id))]
    pub async fn send<T, F>(
        &self,
        endpoint: &WebhookEndpoint,
        delivery_id: &str,
        payload: &T,
        mut on_attempt: F,
    ) -> Result<DeliveryReport, NotifyError>
    where
        T: Serialize + ?Sized,
        F: FnMut(&DeliveryAttempt) + Send,
    {
        check_url(&endpoint.url)?;
        let body = serde_json::to_vec(payload)?;
        let mut attempts = Vec::new();
        let max = self.policy.attempts();
        let mut number = 1;
        let outcome = loop {
            let (attempt, verdict) = self.attempt(endpoint, delivery_id, &body, number).await?;
            on_attempt(&attempt);
            let status = attempt.status.unwrap_or_default();
            attempts.push(attempt);
            match verdict {
                AttemptVerdict::Delivered => break DeliveryOutcome::Delivered { status },
                AttemptVerdict::Rejected => break DeliveryOutcome::Rejected { status },
                AttemptVerdict::Refused => break DeliveryOutcome::Refused,
                AttemptVerdict::Retry => {}
            }
            if number >= max {
                break DeliveryOutcome::GaveUp;
            }
            tokio::time::sleep(self.policy.backoff(number)).await;
            number += 1;
        };
        match outcome {
            DeliveryOutcome::Delivered { .. } => tracing::debug!("webhook delivered"),
            _ => tracing::warn!(outcome = ?outcome, attempts = number, "webhook not delivered"),
        }
        Ok(DeliveryReport {
            delivery_id: delivery_id.to_owned(),
            attempts,
            outcome,
        })
    }
}

fn check_url(url: &str) -> Result<(), NotifyError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| NotifyError::WebhookUrl)?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(()),
        _ => Err(NotifyError::WebhookUrl),
    }
}
