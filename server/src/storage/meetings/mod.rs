//! Meeting series, meetings, their agendas and the packs sent for them, as inherent methods of
//! [`SqlStorage`](crate::storage::SqlStorage).
