//! A party's role on an action line or a milestone.

stored_names! {
    /// A party's role on an action line or a milestone.
    pub enum PartyRole {
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
        for role in PartyRole::ALL {
            assert_eq!(PartyRole::parse(role.as_str()), Some(*role));
        }
        assert_eq!(PartyRole::parse("trekker"), None);
        assert_eq!(
            serde_json::to_string(&PartyRole::Contributor).unwrap(),
            "\"contributor\""
        );
    }
}
