//! What the columns of a milestone table mean and which rows are headers; the headings
//! themselves are read in [`super::headings`].

use super::parties::{normalise_key, strip_tags};

/// The meaning of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The milestone text (Onderwerp, Mijlpaal, Actie, Wat).
    Title,
    /// The due date (Gereed, Deadline, Datum, Wanneer).
    Due,
    /// Responsible parties (Verantwoordelijke, Partijen, Wie).
    Parties,
    /// Lead parties only (Trekker, Lead).
    Lead,
    /// Status or progress.
    Status,
    /// Explanation or remarks (Toelichting, Opmerking).
    Note,
    /// The action line or theme of each row (Actielijn, Thema, Pijler).
    ActionLine,
    /// A row number (Nr); not imported.
    Number,
}

/// Known column names per role, as normalised keys (see the module documentation of
/// [`super::parties`]). A header cell matches when its key equals a name or starts with one
/// of at least five letters ("Verantwoordelijke partij(en)", "Datum gereed").
const NAMES: &[(Role, &[&str])] = &[
    (
        Role::Lead,
        &[
            "trekker",
            "trekkers",
            "lead",
            "leadpartij",
            "penvoerder",
            "eerstverantwoordelijke",
        ],
    ),
    (
        Role::Title,
        &[
            "onderwerp",
            "mijlpaal",
            "mijlpalen",
            "actie",
            "acties",
            "uitwerkpunt",
            "uitwerkpunten",
            "activiteit",
            "activiteiten",
            "taak",
            "omschrijving",
            "wat",
            "afspraak",
            "afspraken",
            "resultaat",
            "milestone",
            "subject",
            "title",
            "titel",
            "task",
        ],
    ),
    (
        Role::Due,
        &[
            "gereed",
            "deadline",
            "datum",
            "wanneer",
            "planning",
            "termijn",
            "einddatum",
            "streefdatum",
            "opleverdatum",
            "due",
            "date",
            "when",
        ],
    ),
    (
        Role::Parties,
        &[
            "verantwoordelijke",
            "verantwoordelijken",
            "verantwoordelijk",
            "partijen",
            "partij",
            "wie",
            "betrokkenen",
            "betrokken",
            "eigenaar",
            "responsible",
            "parties",
            "who",
            "owner",
        ],
    ),
    (
        Role::Status,
        &["status", "voortgang", "standvanzaken", "stand"],
    ),
    (
        Role::Note,
        &[
            "toelichting",
            "opmerking",
            "opmerkingen",
            "notitie",
            "notities",
            "bron",
            "note",
            "notes",
            "remarks",
            "comment",
            "comments",
        ],
    ),
    (
        Role::ActionLine,
        &[
            "actielijn",
            "actielijnen",
            "thema",
            "pijler",
            "spoor",
            "werkstroom",
            "onderdeel",
            "hoofdstuk",
            "adviesonderwerp",
        ],
    ),
    (Role::Number, &["nr", "nummer", "no", "num", "volgnummer"]),
];

/// The role a header cell names, if any.
pub fn role_of(cell: &str) -> Option<Role> {
    let key = normalise_key(&strip_tags(cell));
    if key.is_empty() {
        return None;
    }
    let exact = NAMES
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(role, _)| *role);
    exact.or_else(|| {
        NAMES
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.len() >= 5 && key.starts_with(n)))
            .map(|(role, _)| *role)
    })
}

/// The column layout of a table: the role of each column, by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    roles: Vec<Option<Role>>,
    names: Vec<String>,
}

impl Columns {
    /// The layout assumed before any header row: Onderwerp, Gereed, Verantwoordelijke,
    /// Status, Toelichting (the IZA annex order).
    pub fn assumed() -> Self {
        let names = [
            "Onderwerp",
            "Gereed",
            "Verantwoordelijke",
            "Status",
            "Toelichting",
        ];
        Self {
            roles: names.iter().map(|n| role_of(n)).collect(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        }
    }

    /// Reads a header row: at least two cells must name two different roles, one of them
    /// title, due date or parties, and named cells must be at least half of the filled ones.
    /// Without a title column the first unnamed column holds the title.
    pub fn from_header(cells: &[String]) -> Option<Self> {
        let mut roles: Vec<Option<Role>> = cells.iter().map(|c| role_of(c)).collect();
        let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
        let mut distinct: Vec<Role> = roles.iter().flatten().copied().collect();
        let named = distinct.len();
        distinct.sort_by_key(|r| *r as u8);
        distinct.dedup();
        let core = distinct
            .iter()
            .any(|r| matches!(r, Role::Title | Role::Due | Role::Parties));
        if distinct.len() < 2 || !core || named * 2 < filled {
            return None;
        }
        // Only the first column of a role counts; later duplicates become notes.
        let mut seen = Vec::new();
        for role in roles.iter_mut() {
            if let Some(r) = *role {
                if seen.contains(&r) && r != Role::Note {
                    *role = None;
                } else {
                    seen.push(r);
                }
            }
        }
        if !seen.contains(&Role::Title) {
            if let Some(free) = roles.iter().position(Option::is_none) {
                roles[free] = Some(Role::Title);
            }
        }
        let names = cells
            .iter()
            .map(|c| strip_tags(c).trim().to_owned())
            .collect();
        Some(Self { roles, names })
    }

    /// The index of the first column with `role`.
    pub fn index(&self, role: Role) -> Option<usize> {
        self.roles.iter().position(|r| *r == Some(role))
    }

    /// The role of column `index`, if it has one.
    pub fn role(&self, index: usize) -> Option<Role> {
        self.roles.get(index).copied().flatten()
    }

    /// The header text of column `index`, or "column N" (1-based) when unnamed.
    pub fn name(&self, index: usize) -> String {
        match self.names.get(index).filter(|n| !n.is_empty()) {
            Some(name) => name.clone(),
            None => format!("column {}", index + 1),
        }
    }

    /// Whether two layouts give the same roles (a header repeated after a page break).
    pub fn same_roles(&self, other: &Self) -> bool {
        self.roles == other.roles
    }

    /// A short description such as "Onderwerp → title, Gereed → due date".
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .roles
            .iter()
            .enumerate()
            .filter_map(|(i, role)| role.map(|r| format!("{} → {}", self.name(i), role_label(r))))
            .collect();
        parts.join(", ")
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Title => "title",
        Role::Due => "due date",
        Role::Parties => "parties",
        Role::Lead => "lead parties",
        Role::Status => "status",
        Role::Note => "note",
        Role::ActionLine => "action line",
        Role::Number => "number (not imported)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn header_rows_are_recognised() {
        let columns =
            Columns::from_header(&cells(&["Onderwerp", "Gereed", "Verantwoordelijke"])).unwrap();
        assert_eq!(columns.index(Role::Title), Some(0));
        assert_eq!(columns.index(Role::Due), Some(1));
        assert_eq!(columns.index(Role::Parties), Some(2));
        let columns = Columns::from_header(&cells(&[
            "Nr",
            "Wat",
            "Wanneer",
            "Wie",
            "Trekker",
            "Stand van zaken",
            "Toelichting",
        ]))
        .unwrap();
        assert_eq!(columns.index(Role::Number), Some(0));
        assert_eq!(columns.index(Role::Lead), Some(4));
        assert_eq!(columns.index(Role::Status), Some(5));
        let columns = Columns::from_header(&cells(&[
            "",
            "Datum gereed",
            "Verantwoordelijke partij(en)",
        ]))
        .unwrap();
        assert_eq!(columns.index(Role::Title), Some(0));
    }

    #[test]
    fn data_rows_are_not_headers() {
        assert!(
            Columns::from_header(&cells(&["Opstellen ROAZ-beelden", "1-7-2023", "ROAZ'en"]))
                .is_none()
        );
        assert!(Columns::from_header(&cells(&["Status", "", ""])).is_none());
        assert!(
            Columns::from_header(&cells(&["Toelichting", "Status", "iets", "anders", "nog"]))
                .is_none()
        );
    }
}
