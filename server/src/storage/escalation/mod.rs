//! Disputes, escalation, scheduled jobs and notifications (being written).

pub mod disputes;
