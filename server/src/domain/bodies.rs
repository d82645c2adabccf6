//! Body kinds (the rungs of the escalation ladder) and how a party takes part in a body.

stored_names! {
    /// What kind of forum a body is, in ladder order.
    pub enum BodyKind {
        /// A working group (werkgroep).
        WorkingGroup = "working_group",
        /// A sub-group of a working group.
        SubGroup = "sub_group",
        /// A theme table (thematafel).
        ThemeTable = "theme_table",
        /// The directors' day (directeurendag).
        DirectorsDay = "directors_day",
        /// The administrative consultation BO-IZA.
        BoIza = "bo_iza",
        /// The minister.
        Minister = "minister",
    }
}

impl BodyKind {
    /// The ladder level a body of this kind has unless it is given another one: its place in
    /// the ladder order (0 for a working group, 5 for the minister).
    pub fn default_level(self) -> i64 {
        match self {
            BodyKind::WorkingGroup => 0,
            BodyKind::SubGroup => 1,
            BodyKind::ThemeTable => 2,
            BodyKind::DirectorsDay => 3,
            BodyKind::BoIza => 4,
            BodyKind::Minister => 5,
        }
    }
}

stored_names! {
    /// How a party takes part in a body.
    pub enum Participation {
        /// A full member.
        Member = "member",
        /// Kept informed.
        Informed = "informed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in BodyKind::ALL {
            assert_eq!(BodyKind::parse(kind.as_str()), Some(*kind));
        }
        for participation in Participation::ALL {
            assert_eq!(
                Participation::parse(participation.as_str()),
                Some(*participation)
            );
        }
        for (level, kind) in (0..).zip(BodyKind::ALL) {
            assert_eq!(kind.default_level(), level);
        }
        assert_eq!(BodyKind::parse("werkgroep"), None);
        assert_eq!(Participation::parse("observer"), None);
        assert_eq!(
            serde_json::to_string(&BodyKind::BoIza).unwrap(),
            "\"bo_iza\""
        );
    }
}
