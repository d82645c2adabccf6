//! Notification delivery channels (being written).
