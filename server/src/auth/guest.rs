//! Guest accounts: what they may reach. A guest is an invited contact of an outside
//! organisation; its account reaches only the consultations it was invited to, so every path
//! is refused to it except the few listed here (deny by default, see docs/SECURITY.md).
//! Whether the guest was invited to the consultation a path names is checked by the route.

/// The refusal every other path answers a guest with.
pub const REFUSAL: &str = "a guest account reaches only the consultation it was invited to";

/// Whether a guest may call the API path `path` at all.
pub fn may_reach(path: &str) -> bool {
    const EXACT: [&str; 5] = [
        "/api/session",
        "/api/me",
        "/api/me/password",
        "/api/me/data",
        "/api/notifications",
    ];
    const BELOW: [&str; 4] = [
        "/api/notifications/",
        "/api/guest/",
        "/api/consultations/",
        "/api/consultation-responses/",
    ];
    if path
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return false;
    }
    EXACT.contains(&path) || BELOW.iter().any(|prefix| path.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guest_reaches_its_session_notifications_and_consultations_only() {
        for path in [
            "/api/session",
            "/api/me",
            "/api/me/password",
            "/api/me/data",
            "/api/notifications",
            "/api/notifications/3/read",
            "/api/guest/session",
            "/api/consultations/4",
            "/api/consultations/4/version",
            "/api/consultation-responses/9/attachment",
        ] {
            assert!(may_reach(path), "{path}");
        }
        for path in [
            "/api/people",
            "/api/bodies",
            "/api/bodies/1",
            "/api/drafts/1",
            "/api/drafts/1/versions",
            "/api/drafts/1/consultations",
            "/api/tokens",
            "/api/consultations",
            "/api/me/feeds",
            "/api/consultations/../drafts/1",
            "/api/sessionx",
            "/ws/advies",
        ] {
            assert!(!may_reach(path), "{path}");
        }
    }
}
