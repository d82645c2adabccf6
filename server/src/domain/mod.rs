//! Working-group rules, free of IO: what may happen, in which order, and how dates behave.
//!
//! # Layout
//! - [`fuzzy_date`]: due dates as people write them ("Q3 2026", "najaar 2022", "?").
//! - [`calendar`]: Dutch public holidays and working-day arithmetic.
//! - [`draft_status`]: the advice-draft status flow and which steps freeze a version.
//! - [`roles`]: what each membership role may do in its body.
//! - [`audit_chain`]: the hash chain that makes the audit log tamper-evident.
//! - [`validate`]: input rules with messages a person understands.

pub mod audit_chain;
pub mod calendar;
pub mod draft_status;
pub mod escalation;
pub mod fuzzy_date;
pub mod milestone_status;
pub mod reminders;
pub mod role_agreement;
pub mod roles;
pub mod validate;
