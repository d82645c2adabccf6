//! Role agreements, action lines and milestones (being written).
