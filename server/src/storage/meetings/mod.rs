//! Meeting series, meetings, their agendas and the packs sent for them, as inherent methods of
//! [`SqlStorage`](crate::storage::SqlStorage).
//!
//! # Layout
//! - [`series`]: the recurring meetings of a body with their aliases.
//! - [`planning`]: meetings (the jaarplanning and the calendar), their changes and
//!   cancellation, each raising the iCalendar sequence where a calendar must show it; the
//!   minutes draft.
//! - [`agenda`]: agenda items, free or linked to a version, milestone, dispute or request.
//! - [`packs`]: the packs (PDF and DOCX) as sent, and what goes into one.
//! - [`demo`]: the meetings of the demo's 2024 planning and the coming year.
//!
//! Every change of a meeting with a series calls
//! [`relative_due::series_changed`](crate::storage::governance::relative_due::series_changed)
//! in its transaction, before its audit entry, so milestones due relative to the series follow.

pub mod agenda;
pub mod demo;
pub mod packs;
pub mod planning;
pub mod series;

pub use agenda::{AgendaItem, AgendaLink, NewAgendaItem};
pub use packs::{MeetingPack, PackFile};
pub use planning::{Meeting, MeetingDetail, MeetingFields, NewMeeting};
pub use series::MeetingSeries;
