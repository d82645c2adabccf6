//! Decision requests and the decision register, as inherent methods of
//! [`SqlStorage`](crate::storage::SqlStorage).
