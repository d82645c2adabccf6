//! Notification delivery channels: e-mail (SMTP), iCalendar feeds and signed webhooks.
//!
//! The scheduler decides *what* to send and to whom; this module owns *how* it is delivered.
//! Every channel with IO sits behind a small trait so the scheduler can be tested with fakes.
//!
//! # Layout
//! - [`message`]: [`Notification`], its [`NotificationKind`] and the recipient's [`Language`].
//! - [`mod@render`]: notifications to e-mail ([`RenderedEmail`]), one at a time or as a daily
//!   digest; texts per language live in `texts.rs`.
//! - [`email`]: the [`Mailer`] trait, [`SmtpMailer`] (lettre, async, pooled) and
//!   [`RecordingMailer`] for tests.
//! - [`guest_link`]: the e-mail carrying a guest's consultation sign-in link, sent at once.
//! - [`ical`]: RFC 5545 feeds of all-day events ([`ical::feed`]).
//! - [`webhook`]: the signature scheme, [`webhook::verify`] for receivers, and
//!   [`WebhookSender`] with retries through the [`WebhookTransport`] trait.
//! - [`error`]: the error type, [`NotifyError`].

pub mod email;
pub mod error;
pub mod guest_link;
pub mod ical;
pub mod message;
pub mod render;
mod texts;
pub mod webhook;

#[cfg(test)]
mod smtp_tests;

pub use email::{Mailer, RecordingMailer, SmtpMailer, SmtpSettings, TlsMode};
pub use error::NotifyError;
pub use ical::CalendarItem;
pub use message::{Language, Notification, NotificationKind, NotificationType};
pub use render::{render, render_digest, EmailAttachment, EmailContext, RenderedEmail};
pub use webhook::{
    DeliveryAttempt, DeliveryOutcome, DeliveryReport, RetryPolicy, WebhookEndpoint, WebhookSender,
    WebhookTransport,
};
