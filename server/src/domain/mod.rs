//! Working-group rules, free of IO: what may happen, in which order, and how dates behave.
//!
//! # Layout
//! - [`fuzzy_date`]: due dates as people write them ("Q3 2026", "najaar 2022", "?").
//! - [`calendar`]: Dutch public holidays and working-day arithmetic.
//! - [`dutch_time`]: the Europe/Amsterdam zone: today's date, local hours, daylight saving.
//! - [`draft_status`]: the advice-draft status flow and which steps freeze a version.
//! - [`roles`]: what each membership role may do in its body.
//! - [`audit_chain`]: the hash chain that makes the audit log tamper-evident.
//! - [`validate`]: input rules with messages a person understands.
//! - [`bodies`]: body kinds and how a party takes part in a body.
//! - [`owner_role`]: a party's role on an action line or milestone.
//! - [`escalation`]: the escalation ladder, dispute statuses and deadlines.
//! - [`period`]: the periods the programme's lists are filtered by (`2025-Q3`, from/to).
//! - [`decision`]: decision requests, their outcomes and the decision register.
//! - [`relative_due`]: deadlines relative to a meeting series ("twee weken voor het BO").
//! - [`meeting`]: meetings: kinds, statuses, local times, the iCalendar sequence, agendas.
//! - [`monitor`]: the programme monitor's counts, lists, timeline and what each party owes.
//! - [`recurrence`]: recurring duties ("elk kwartaal") and the days they fall on.
//!
//! Every name that is stored (a status, role or kind) is an enum with `as_str` (the stored and
//! serialised name) and `parse` (its inverse); storage turns an unknown stored name into a
//! corrupt-row error.

/// Declares an enum of stored names: every variant with the exact string it is stored,
/// serialised and documented (OpenAPI) as, plus `ALL`, `NAMES`, `as_str` and `parse`.
///
/// The names are matched as `tt`, not `literal`: a `literal` fragment reaches the utoipa
/// derive wrapped in an invisible group, and it then documents the variant names instead.
macro_rules! stored_names {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:tt,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// Every stored name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text,)+];

            /// The stored (and serialised) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Parses a stored name.
            pub fn parse(raw: &str) -> Option<Self> {
                match raw {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use stored_names;

pub mod audit_chain;
pub mod bodies;
pub mod calendar;
pub mod consultation;
pub mod decision;
pub mod dispute;
pub mod draft_status;
pub mod dutch_time;
pub mod endorsement;
pub mod escalation;
pub mod events;
pub mod fuzzy_date;
pub mod meeting;
pub mod milestone_status;
pub mod monitor;
pub mod open_points;
pub mod owner_role;
pub mod period;
pub mod progress_report;
pub mod public_page;
pub mod recurrence;
pub mod relative_due;
pub mod reminders;
pub mod role_agreement;
pub mod roles;
pub mod validate;
