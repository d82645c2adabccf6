//! The [`PartyDirectory`] (codes and aliases, built by the caller) and reading a
//! "responsible" cell such as `<u>VWS, NZa</u>, LHV, FMS` or `VWS (trekker); ZN`.
//!
//! Lead markers, in order of strength: a separate lead column (see [`super::columns`]),
//! `<u>…</u>` underlining (HTML export, or whole-cell underline in XLSX), and a `(trekker)`,
//! `(lead)` or `(penvoerder)` suffix. Names are split on `,`, `;`, `/`, `+`, line breaks and the
//! words `en`, `&`, `and`.

use std::collections::HashMap;

use super::ImportError;

/// Party codes with their aliases, matched case-insensitively and ignoring spaces,
/// punctuation and accents ("ZINL", "Zorginstituut Nederland" → `ZIN`).
#[derive(Debug, Clone, Default)]
pub struct PartyDirectory {
    by_key: HashMap<String, String>,
}

impl PartyDirectory {
    /// Builds the directory from `(code, aliases)` pairs; each code is also its own alias.
    /// Collectives ("IZA-partijen") are ordinary entries: the caller decides what counts.
    ///
    /// # Errors
    /// [`ImportError::AmbiguousAlias`] when one alias (after normalising) names two codes.
    pub fn new<I, C, A, S>(parties: I) -> Result<Self, ImportError>
    where
        I: IntoIterator<Item = (C, A)>,
        C: Into<String>,
        A: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut by_key: HashMap<String, String> = HashMap::new();
        for (code, aliases) in parties {
            let code = code.into();
            let mut names: Vec<String> =
                aliases.into_iter().map(|a| a.as_ref().to_owned()).collect();
            names.push(code.clone());
            for alias in names {
                let key = normalise_key(&alias);
                if key.is_empty() {
                    continue;
                }
                match by_key.get(&key) {
                    Some(first) if *first != code => {
                        return Err(ImportError::AmbiguousAlias {
                            alias,
                            first: first.clone(),
                            second: code,
                        });
                    }
                    Some(_) => {}
                    None => {
                        by_key.insert(key, code.clone());
                    }
                }
            }
        }
        Ok(Self { by_key })
    }

    /// The party code for a name or alias, if known.
    pub fn lookup(&self, name: &str) -> Option<&str> {
        self.by_key.get(&normalise_key(name)).map(String::as_str)
    }
}

/// The parties named in one row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowParties {
    /// Codes marked as lead (trekker).
    pub lead: Vec<String>,
    /// Codes listed without a lead marker.
    pub contributors: Vec<String>,
    /// Names not in the directory, as written.
    pub unknown: Vec<String>,
    /// Whether any lead marker was present (even on an unknown name).
    pub lead_marked: bool,
}

impl RowParties {
    /// Whether no party at all was named.
    pub fn is_empty(&self) -> bool {
        self.lead.is_empty() && self.contributors.is_empty() && self.unknown.is_empty()
    }

    /// Adds the names of one cell; `all_lead` marks every name as lead (a lead column).
    pub fn add_cell(&mut self, cell: &str, all_lead: bool, directory: &PartyDirectory) {
        for mention in mentions(cell) {
            let lead = all_lead || mention.lead;
            self.lead_marked |= lead;
            match resolve(&mention.name, directory) {
                Some(codes) => {
                    for code in codes {
                        self.add_code(code, lead);
                    }
                }
                None => {
                    if !self.unknown.contains(&mention.name) {
                        self.unknown.push(mention.name);
                    }
                }
            }
        }
    }

    fn add_code(&mut self, code: String, lead: bool) {
        if lead {
            self.contributors.retain(|c| *c != code);
            if !self.lead.contains(&code) {
                self.lead.push(code);
            }
        } else if !self.lead.contains(&code) && !self.contributors.contains(&code) {
            self.contributors.push(code);
        }
    }
}

/// One name in a cell and whether it carried a lead marker.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mention {
    name: String,
    lead: bool,
}

const LEAD_SUFFIXES: &[&str] = &[
    "(trekker)",
    "(lead)",
    "(penvoerder)",
    "(eerstverantwoordelijke)",
];

/// Splits a cell into names, keeping `<u>…</u>` and `(trekker)` as lead markers.
fn mentions(cell: &str) -> Vec<Mention> {
    let text = cell.replace("&amp;", "&").replace("&nbsp;", " ");
    let mut out = Vec::new();
    for (segment, underlined) in underline_segments(&text) {
        let segment = strip_tags(&segment);
        for name in split_names(&segment) {
            let mut name = name;
            let mut lead = underlined;
            let lower = name.to_lowercase();
            for suffix in LEAD_SUFFIXES {
                if let Some(stripped) = lower.strip_suffix(suffix) {
                    name = name[..stripped.len()].trim().to_owned();
                    lead = true;
                }
            }
            if !name.is_empty() {
                out.push(Mention { name, lead });
            }
        }
    }
    out
}

/// Cuts text into (segment, underlined) pieces at `<u>` and `</u>` (any case).
fn underline_segments(text: &str) -> Vec<(String, bool)> {
    let lower = text.to_ascii_lowercase();
    let mut segments = Vec::new();
    let mut rest = 0;
    let mut underlined = false;
    while rest < text.len() {
        let tag = if underlined { "</u>" } else { "<u>" };
        match lower[rest..].find(tag) {
            Some(found) => {
                segments.push((text[rest..rest + found].to_owned(), underlined));
                rest += found + tag.len();
                underlined = !underlined;
            }
            None => {
                segments.push((text[rest..].to_owned(), underlined));
                break;
            }
        }
    }
    segments
}

/// Removes any remaining markup tags (`<b>`, `<span …>`).
pub(crate) fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn split_names(text: &str) -> Vec<String> {
    let mut spaced = format!(" {text} ");
    for word in [" en ", " En ", " EN ", " & ", " and ", " e.a. "] {
        spaced = spaced.replace(word, ",");
    }
    spaced
        .split([',', ';', '/', '+', '\n', '\r'])
        .map(|name| {
            name.trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '-' | '*' | '•'))
                .to_owned()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Codes for a name: the whole name, the name without a parenthesis ("FMS (NOV)"), or every
/// word a known party ("Actiz ZorgThuisNL").
fn resolve(name: &str, directory: &PartyDirectory) -> Option<Vec<String>> {
    if let Some(code) = directory.lookup(name) {
        return Some(vec![code.to_owned()]);
    }
    if let Some((before, _)) = name.split_once('(') {
        if let Some(code) = directory.lookup(before) {
            return Some(vec![code.to_owned()]);
        }
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() > 1 {
        let codes: Option<Vec<String>> = words
            .iter()
            .map(|w| directory.lookup(w).map(str::to_owned))
            .collect();
        return codes;
    }
    None
}

/// Lower case, accents folded, only letters and digits: the matching key for names.
pub(crate) fn normalise_key(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(fold_accent)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Lower case, accents folded, runs of letters and digits joined with `-`.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in strip_tags(text)
        .chars()
        .flat_map(char::to_lowercase)
        .map(fold_accent)
    {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The base letter of common Dutch and Western accented letters (é → e, ü → u, …); other
/// characters as they are.
pub(crate) fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ý' | 'ÿ' => 'y',
        c => c,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The directory the import tests use (the parties of docs/DOMAIN.md §1).
    pub(crate) fn directory() -> PartyDirectory {
        PartyDirectory::new([
            ("VWS", vec!["WVS", "Ministerie van VWS"]),
            (
                "ZIN",
                vec![
                    "ZINL",
                    "ZINl",
                    "ZINI",
                    "Zorginstituut",
                    "Zorginstituut Nederland",
                ],
            ),
            ("NZa", vec!["Nederlandse Zorgautoriteit"]),
            ("ZN", vec!["Zorgverzekeraars Nederland"]),
            ("LHV", vec![]),
            ("FMS", vec!["Federatie Medisch Specialisten"]),
            ("NVZ", vec![]),
            (
                "PFN",
                vec!["PF", "Patiëntenfederatie", "Patiëntenfederatie Nederland"],
            ),
            ("ActiZ", vec![]),
            ("ZorgThuisNL", vec![]),
            ("V&VN", vec![]),
            ("IZA-partijen", vec!["IZA partijen"]),
        ])
        .unwrap()
    }

    fn read(cell: &str) -> RowParties {
        let mut parties = RowParties::default();
        parties.add_cell(cell, false, &directory());
        parties
    }

    #[test]
    fn aliases_match_ignoring_case_spaces_punctuation_and_accents() {
        let dir = directory();
        for name in [
            "ZINL",
            "zinl",
            "Zorginstituut",
            " Zorginstituut  Nederland ",
            "ZIN.",
        ] {
            assert_eq!(dir.lookup(name), Some("ZIN"), "{name}");
        }
        assert_eq!(dir.lookup("Patientenfederatie"), Some("PFN"));
        assert_eq!(dir.lookup("IZA partijen"), Some("IZA-partijen"));
        assert_eq!(dir.lookup("Zorgverzekeraars Nederland BV"), None);
    }

    #[test]
    fn a_shared_alias_is_rejected() {
        let err = PartyDirectory::new([("ZIN", vec!["ZI"]), ("ZN", vec!["Z.I."])]).unwrap_err();
        assert!(matches!(err, ImportError::AmbiguousAlias { .. }));
    }

    #[test]
    fn underlined_names_lead_and_the_rest_contribute() {
        let got = read("<u>VWS, NZa</u>, LHV, FMS");
        assert_eq!(got.lead, vec!["VWS", "NZa"]);
        assert_eq!(got.contributors, vec!["LHV", "FMS"]);
        assert!(got.lead_marked);
    }

    #[test]
    fn trekker_suffix_separators_and_words() {
        let got = read("VWS (trekker); ZN en ZINL/NZa + V&VN");
        assert_eq!(got.lead, vec!["VWS"]);
        assert_eq!(got.contributors, vec!["ZN", "ZIN", "NZa", "V&VN"]);
    }

    #[test]
    fn no_marker_means_no_lead_and_unknown_names_are_kept() {
        let got = read("IZA-partijen, Zorgverzekeraars Nederland BV, XYZ");
        assert!(!got.lead_marked);
        assert!(got.lead.is_empty());
        assert_eq!(got.contributors, vec!["IZA-partijen"]);
        assert_eq!(got.unknown, vec!["Zorgverzekeraars Nederland BV", "XYZ"]);
    }

    #[test]
    fn space_joined_parties_and_parentheses() {
        let got = read("Actiz ZorgThuisNL, FMS (NOV)");
        assert_eq!(got.contributors, vec!["ActiZ", "ZorgThuisNL", "FMS"]);
    }

    #[test]
    fn slugs_are_stable() {
        assert_eq!(
            slug("Actielijn 2: Gedeelde visie!"),
            "actielijn-2-gedeelde-visie"
        );
        assert_eq!(slug("  Überprüfung  Ëén "), "uberprufung-een");
    }
}
