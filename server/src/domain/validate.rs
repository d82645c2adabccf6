//! Input rules shared by the API, with messages a person understands.

/// A rule an input broke, phrased for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    /// The field, as named in the API.
    pub field: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Trims `value` and checks it is between `min` and `max` characters long.
///
/// # Errors
/// [`Invalid`] naming the field and the allowed length.
pub fn text(field: &'static str, value: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(Invalid {
            field,
            message: if min == 1 {
                "may not be empty".to_owned()
            } else {
                format!("must be at least {min} characters long")
            },
        });
    }
    if len > max {
        return Err(Invalid {
            field,
            message: format!("may be at most {max} characters long (it has {len})"),
        });
    }
    Ok(trimmed.to_owned())
}

/// Checks an e-mail address loosely: one `@`, something on both sides, a dot in the domain.
///
/// # Errors
/// [`Invalid`] with an example of a valid address.
pub fn email(field: &'static str, value: &str) -> Result<String, Invalid> {
    let value = text(field, value, 3, 254)?.to_lowercase();
    let valid = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    });
    if valid {
        Ok(value)
    } else {
        Err(Invalid {
            field,
            message: "is not an e-mail address (expected something like naam@organisatie.nl)"
                .to_owned(),
        })
    }
}

/// Checks a colour written as `#RRGGBB`.
///
/// # Errors
/// [`Invalid`] with the expected form.
pub fn colour(field: &'static str, value: &str) -> Result<String, Invalid> {
    let value = value.trim();
    let valid = value.len() == 7
        && value.starts_with('#')
        && value[1..].chars().all(|c| c.is_ascii_hexdigit());
    if valid {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(Invalid {
            field,
            message: "must be a colour written as #RRGGBB, for example #1f6feb".to_owned(),
        })
    }
}

/// Checks a party code: 2 to 16 letters, digits, `-` or `&`, stored in upper case.
///
/// # Errors
/// [`Invalid`] with the expected form.
pub fn party_code(field: &'static str, value: &str) -> Result<String, Invalid> {
    let value = text(field, value, 2, 16)?;
    if value
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '&'))
    {
        Ok(value.to_uppercase())
    } else {
        Err(Invalid {
            field,
            message: "may hold only letters, digits, '-' and '&' (for example ZIN or V&VN)"
                .to_owned(),
        })
    }
}

/// Normalises a party alias for matching: lower case, letters and digits only.
pub fn alias_key(alias: &str) -> String {
    alias
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(text("title", "  Advies  ", 1, 10), Ok("Advies".into()));
        assert!(text("title", "   ", 1, 10)
            .unwrap_err()
            .message
            .contains("empty"));
        assert!(text("title", "abcdefghijk", 1, 10)
            .unwrap_err()
            .message
            .contains("at most 10"));
    }

    #[test]
    fn emails_colours_and_codes() {
        assert_eq!(email("email", "Anna@VWS.nl"), Ok("anna@vws.nl".into()));
        assert!(email("email", "anna").is_err());
        assert!(email("email", "anna@vws").is_err());
        assert_eq!(colour("colour", "#1F6FEB"), Ok("#1f6feb".into()));
        assert!(colour("colour", "blue").is_err());
        assert_eq!(party_code("code", "v&vn"), Ok("V&VN".into()));
        assert!(party_code("code", "a b").is_err());
        assert_eq!(
            alias_key("Zorginstituut Nederland"),
            "zorginstituutnederland"
        );
        assert_eq!(alias_key("ZIN-L"), "zinl");
    }
}
