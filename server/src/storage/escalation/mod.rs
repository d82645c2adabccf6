//! Disputes and their escalation ladders, notifications (inbox, e-mail state, calendar feeds,
//! webhooks) and the scheduler's durable jobs, as inherent methods of [`SqlStorage`].
//!
//! # Layout
//! - [`disputes`] — raising ([`SqlStorage::raise_dispute`]), positions, options, comments,
//!   escalation, decision, withdrawal.
//! - [`ladder`] — the escalation ladder per working group and the overdue margin.
//! - [`dossier`] — a dispute's whole record for export.
//! - [`jobs`] — the scheduler's durable jobs and what it plans them from.
//! - [`notifications`] — events with unique keys, the inbox, e-mail state and preferences.
//! - [`feeds`] — calendar feeds at secret URLs.
//! - [`webhooks`] — webhooks per body with their delivery log.
//! - [`demo`] — one open dispute for the demo working group.
//!
//! [`SqlStorage`]: crate::storage::SqlStorage

pub mod demo;
pub mod disputes;
pub mod dossier;
pub mod feeds;
pub mod jobs;
pub mod ladder;
pub mod notifications;
pub mod read_marks;
pub mod webhooks;
