//! Delivery tests: against a real local HTTP receiver (axum on 127.0.0.1:0) that verifies
//! signatures the way a third party would, and against a fake transport for backoff timing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use secrecy::SecretString;
use serde_json::json;

use super::*;
use crate::notify::error::NotifyError;

const SECRET: &str = "webhook-geheim";

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        attempt_timeout: Duration::from_secs(2),
    }
}

#[derive(Debug, Clone)]
struct Received {
    delivery_id: String,
    content_type: String,
    verified: Result<(), VerifyError>,
    body: serde_json::Value,
}

#[derive(Clone, Default)]
struct Receiver {
    /// Status to answer per call, in order; `204` once the script runs out.
    script: Arc<Vec<u16>>,
    calls: Arc<Mutex<Vec<Received>>>,
}

async fn hook(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let verified = verify(
        SECRET.as_bytes(),
        &header(TIMESTAMP_HEADER),
        &body,
        &header(SIGNATURE_HEADER),
        chrono::Utc::now().timestamp(),
        Duration::from_secs(300),
    );
    let mut calls = receiver.calls.lock().unwrap();
    calls.push(Received {
        delivery_id: header(DELIVERY_HEADER),
        content_type: header("content-type"),
        verified,
        body: serde_json::from_slice(&body).unwrap_or_default(),
    });
    if verified.is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    let status = receiver.script.get(calls.len() - 1).copied().unwrap_or(204);
    StatusCode::from_u16(status).unwrap()
}

async fn slow() -> StatusCode {
    tokio::time::sleep(Duration::from_secs(5)).await;
    StatusCode::NO_CONTENT
}

/// Starts the receiver on an ephemeral port; returns the hook URL and the call log.
async fn start_receiver(script: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let receiver = Receiver {
        script: Arc::new(script),
        calls: Arc::default(),
    };
    let calls = receiver.calls.clone();
    let app = Router::new()
        .route("/hook", post(hook))
        .route("/slow", post(slow))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), calls)
}

fn endpoint(url: &str) -> WebhookEndpoint {
    WebhookEndpoint {
        url: url.to_owned(),
        secret: SecretString::from(SECRET),
    }
}

fn statuses(report: &DeliveryReport) -> Vec<Option<u16>> {
    report.attempts.iter().map(|a| a.status).collect()
}

#[tokio::test]
async fn retries_after_a_server_error_and_the_receiver_verifies_the_signature() {
    let (url, calls) = start_receiver(vec![500]).await;
    let sender = WebhookSender::new(policy(), AddressPolicy::ALLOW_INTERNAL).unwrap();
    let payload = json!({"type": "reminder", "subject_ref": "milestone:12", "title": "één"});
    let mut seen = Vec::new();
    let report = sender
        .send(&endpoint(&url), "dlv_test_1", &payload, |a| {
            seen.push(a.clone())
        })
        .await
        .unwrap();

    assert_eq!(report.outcome, DeliveryOutcome::Delivered { status: 204 });
    assert_eq!(statuses(&report), vec![Some(500), Some(204)]);
    assert_eq!(seen, report.attempts, "the callback saw every attempt");
    assert_eq!(
        report
            .attempts
            .iter()
            .map(|a| a.attempt)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    report.result().unwrap();

    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 2);
    for call in calls.iter() {
        assert_eq!(call.verified, Ok(()));
        assert_eq!(call.delivery_id, "dlv_test_1", "same id on every retry");
        assert_eq!(call.body, payload);
        assert_eq!(call.content_type, "application/json");
    }
}

#[tokio::test]
async fn internal_receivers_are_refused_by_default_without_a_request() {
    let (url, calls) = start_receiver(vec![]).await;
    let sender = WebhookSender::new(policy(), AddressPolicy::default()).unwrap();
    let port = url.trim_start_matches("http://127.0.0.1:");
    for target in [
        url.clone(),
        format!("http://localhost:{port}"),
        format!("http://[::ffff:127.0.0.1]:{port}"),
    ] {
        let report = sender
            .send(&endpoint(&target), "dlv_r", &json!({}), |_| {})
            .await
            .unwrap();
        assert_eq!(report.outcome, DeliveryOutcome::Refused, "{target}");
        assert_eq!(report.attempts.len(), 1, "a refusal is not retried");
        assert_eq!(report.attempts[0].status, None);
        assert!(matches!(report.result(), Err(NotifyError::WebhookRefused)));
    }
    assert!(calls.lock().unwrap().is_empty(), "the receiver saw nothing");
}

#[tokio::test]
async fn client_errors_are_permanent() {
    let (url, calls) = start_receiver(vec![400]).await;
    let sender = WebhookSender::new(policy(), AddressPolicy::ALLOW_INTERNAL).unwrap();
    let report = sender
        .send(&endpoint(&url), &new_delivery_id(), &json!({}), |_| {})
        .await
        .unwrap();
    assert_eq!(report.outcome, DeliveryOutcome::Rejected { status: 400 });
    assert_eq!(statuses(&report), vec![Some(400)]);
    assert!(matches!(
        report.result(),
        Err(NotifyError::WebhookRejected { status: 400 })
    ));
    assert_eq!(calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn rate_limits_and_unavailability_are_retried() {
    let (url, _calls) = start_receiver(vec![429, 408, 503]).await;
    let sender = WebhookSender::new(policy(), AddressPolicy::ALLOW_INTERNAL).unwrap();
    let report = sender
        .send(&endpoint(&url), &new_delivery_id(), &json!({}), |_| {})
        .await
        .unwrap();
    assert_eq!(
        statuses(&report),
        vec![Some(429), Some(408), Some(503), Some(204)]
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_receiver() {
    let (url, calls) = start_receiver(vec![]).await;
    let sender = WebhookSender::new(policy(), AddressPolicy::ALLOW_INTERNAL).unwrap();
    let wrong = WebhookEndpoint {
        url,
        secret: SecretString::from("ander-geheim"),
    };
    let report = sender
        .send(&wrong, "dlv_x", &json!({}), |_| {})
        .await
        .unwrap();
    assert_eq!(report.outcome, DeliveryOutcome::Rejected { status: 401 });
    assert_eq!(
        calls.lock().unwrap()[0].verified,
        Err(VerifyError::Mismatch)
    );
}

#[tokio::test]
async fn connection_errors_are_retried_until_the_policy_gives_up() {
    // A port that was just free: nothing listens there any more.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let sender = WebhookSender::new(
        RetryPolicy {
            max_attempts: 3,
            ..policy()
        },
        AddressPolicy::ALLOW_INTERNAL,
    )
    .unwrap();
    let report = sender
        .send(
            &endpoint(&format!("http://{addr}/hook")),
            "dlv_y",
            &json!({}),
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, DeliveryOutcome::GaveUp);
    assert_eq!(report.attempts.len(), 3);
    for attempt in &report.attempts {
        assert_eq!(attempt.status, None);
        let error = attempt.error.as_deref().unwrap();
        assert!(error.starts_with("connection failed"), "{error}");
        assert!(!error.contains("/hook"), "no URL in the log: {error}");
    }
    assert!(matches!(
        report.result(),
        Err(NotifyError::WebhookGaveUp { attempts: 3 })
    ));
}

#[tokio::test]
async fn slow_receivers_time_out_and_are_retried() {
    let (url, calls) = start_receiver(vec![]).await;
    let sender = WebhookSender::new(
        RetryPolicy {
            max_attempts: 2,
            attempt_timeout: Duration::from_millis(100),
            ..policy()
        },
        AddressPolicy::ALLOW_INTERNAL,
    )
    .unwrap();
    let url = url.replace("/hook", "/slow");
    let report = sender
        .send(&endpoint(&url), "dlv_z", &json!({}), |_| {})
        .await
        .unwrap();
    assert_eq!(report.outcome, DeliveryOutcome::GaveUp);
    let errors: Vec<_> = report.attempts.iter().map(|a| a.error.clone()).collect();
    assert_eq!(errors, vec![Some("timed out".to_owned()); 2]);
    assert!(calls.lock().unwrap().is_empty());
}

/// Fails every attempt and records when it was called.
#[derive(Default)]
struct FailingTransport {
    calls: Mutex<Vec<std::time::Instant>>,
}

#[async_trait]
impl WebhookTransport for FailingTransport {
    async fn post(&self, _request: &WebhookRequest) -> Result<u16, TransportError> {
        self.calls.lock().unwrap().push(std::time::Instant::now());
        Err(TransportError::Connect("refused".to_owned()))
    }
}

#[tokio::test]
async fn backoff_grows_exponentially_with_jitter_and_is_capped() {
    let transport = Arc::new(FailingTransport::default());
    let sender = WebhookSender::with_transport(
        transport.clone(),
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(80),
            attempt_timeout: Duration::from_secs(1),
        },
    );
    let report = sender
        .send(
            &endpoint("https://hooks.example/x"),
            "dlv_b",
            &json!({}),
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, DeliveryOutcome::GaveUp);
    let calls = transport.calls.lock().unwrap();
    assert_eq!(calls.len(), 5);
    // Real time on a shared machine: the lower bound is exact, the upper one gets slack.
    let full = [20u64, 40, 80, 80];
    for (gap, full) in calls.windows(2).map(|w| w[1] - w[0]).zip(full) {
        let full = Duration::from_millis(full);
        assert!(gap >= full / 2, "{gap:?} shorter than half of {full:?}");
        assert!(
            gap < full + Duration::from_secs(2),
            "{gap:?} far beyond {full:?}"
        );
    }
}

#[tokio::test]
async fn invalid_urls_fail_before_any_attempt() {
    let transport = Arc::new(FailingTransport::default());
    let sender = WebhookSender::with_transport(transport.clone(), policy());
    for url in ["ftp://hooks.example/x", "geen url", "/relatief/pad"] {
        let result = sender
            .send(&endpoint(url), "dlv_u", &json!({}), |_| {})
            .await;
        assert!(matches!(result, Err(NotifyError::WebhookUrl)), "{url}");
    }
    assert!(transport.calls.lock().unwrap().is_empty());
}

#[test]
fn delivery_ids_are_unique() {
    let a = new_delivery_id();
    assert!(a.starts_with("dlv_") && a.len() == 36, "{a}");
    assert_ne!(a, new_delivery_id());
}
