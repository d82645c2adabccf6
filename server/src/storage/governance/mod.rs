//! Role agreements, action lines and milestones, as inherent methods of
//! [`SqlStorage`](crate::storage::SqlStorage).
//!
//! # Layout
//! - [`role_agreements`]: agreements, their party × role matrix and the sign-offs bound to the
//!   version hash (carried or re-opened on change).
//! - [`sign_offs`]: the sign-offs, with the dispute a `niet_akkoord` opens.
//! - [`action_lines`]: action lines with owner parties.
//! - [`milestones`]: milestones with fuzzy due dates, owners and status changes.
//! - [`milestone_log`]: status history, progress notes and links.
//! - [`due_changes`]: corrections, reschedulings and other status steps inside a transaction.
//! - [`links`]: start dates and "volgt na": derived due dates moved along with the predecessor.
//! - [`linked`]: creating and changing a milestone with its links in one transaction.
//! - [`recurrences`]: recurring duties and their occurrences.
//! - [`monitor`]: the reschedulings and completions the programme monitor shows.
//! - [`reports`]: frozen progress reports and what they are built from.
//! - [`public_pages`]: a body's public page setting and the items marked public.
//! - [`import`]: storing an import plan (natural-key upsert).
//! - [`demo`]: the governance part of the demo working group.

pub mod action_lines;
pub mod demo;
pub mod due_changes;
pub mod import;
pub mod linked;
pub mod links;
pub mod milestone_log;
pub mod milestones;
pub mod monitor;
pub mod public_pages;
pub mod recurrences;
pub mod relative_due;
pub mod reports;
pub mod role_agreements;
pub mod sign_offs;
