//! A party's role on an action line or a milestone.

stored_names! {
    /// A party's role on an action line or a milestone.
    pub enum OwnerRole {
        /// Leads the work.
        Lead = "lead",
        /// Contributes.
        Contributor = "contributor",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in OwnerRole::ALL {
            assert_eq!(OwnerRole::parse(role.as_str()), Some(*role));
        }
        assert_eq!(OwnerRole::parse("trekker"), None);
        assert_eq!(
            serde_json::to_string(&OwnerRole::Contributor).unwrap(),
            "\"contributor\""
        );
    }
}
