//! [`DocId`]: the one syntax a document identifier may have.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest document id accepted, in bytes.
pub const MAX_DOC_ID_LEN: usize = 128;

/// A document identifier: 1 to 128 characters of ASCII letters, digits, `.`, `_` and `-`,
/// starting with a letter or digit.
///
/// The syntax keeps ids safe to put in URLs, file names and log lines as they are.
///
/// ```
/// use polder_shared::DocId;
/// assert!(DocId::parse("advies-2026.v1").is_ok());
/// assert!(DocId::parse("../etc/passwd").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocId(String);

/// Why a string is not a valid [`DocId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocIdError {
    /// The id was empty.
    #[error("a document id may not be empty")]
    Empty,
    /// The id was longer than [`MAX_DOC_ID_LEN`].
    #[error("a document id may be at most {MAX_DOC_ID_LEN} characters long")]
    TooLong,
    /// The id held a character outside the allowed set.
    #[error("a document id may hold only letters, digits, '.', '_' and '-', and must start with a letter or digit")]
    InvalidCharacter,
}

impl DocId {
    /// Parses and validates a document id.
    ///
    /// # Errors
    /// Returns a [`DocIdError`] naming the first rule the input breaks.
    pub fn parse(raw: &str) -> Result<Self, DocIdError> {
        if raw.is_empty() {
            return Err(DocIdError::Empty);
        }
        if raw.len() > MAX_DOC_ID_LEN {
            return Err(DocIdError::TooLong);
        }
        let mut chars = raw.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !(first_ok && rest_ok) {
            return Err(DocIdError::InvalidCharacter);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DocId {
    type Error = DocIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DocId> for String {
    fn from(id: DocId) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_syntax() {
        for ok in [
            "a",
            "A1",
            "werkgroep-bpb.advies_2",
            &"x".repeat(MAX_DOC_ID_LEN),
        ] {
            assert!(DocId::parse(ok).is_ok(), "{ok} should be valid");
        }
    }

    #[test]
    fn rejects_everything_else_with_a_reason() {
        assert_eq!(DocId::parse(""), Err(DocIdError::Empty));
        assert_eq!(
            DocId::parse(&"x".repeat(MAX_DOC_ID_LEN + 1)),
            Err(DocIdError::TooLong)
        );
        for bad in ["-a", ".a", "a/b", "a b", "ä", "a%2F", "a?b"] {
            assert_eq!(
                DocId::parse(bad),
                Err(DocIdError::InvalidCharacter),
                "{bad}"
            );
        }
    }

    #[test]
    fn serde_validates() {
        let parsed: Result<DocId, _> = serde_json::from_str("\"../x\"");
        assert!(parsed.is_err());
        let ok: DocId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(ok.as_str(), "abc");
    }
}
