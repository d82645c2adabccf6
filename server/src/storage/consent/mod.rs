//! Consent and consultation in storage: endorsement rounds and the consent records of the
//! gate ([`rounds`]), consultation rounds with their invitees, guest accounts and responses
//! ([`consultations`]), and the open points of drafts ([`open_points`]).

pub mod consultations;
pub mod demo;
pub mod open_points;
pub mod rounds;
