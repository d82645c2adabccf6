//! File names inside an archive. Every name is built here from ids, fixed words and slugs
//! of titles ([`slug`]), so no user text reaches a name unescaped; [`check`] is the rule
//! every name written or read must pass.

/// Longest name accepted, in bytes.
pub const MAX_NAME_BYTES: usize = 240;

/// Longest slug, in characters.
const MAX_SLUG: usize = 40;

/// A slug of `text`: lower-case ASCII letters and digits, other runs turned into one `-`,
/// accents dropped to their base letter where that is simple, at most 40 characters;
/// `untitled` when nothing is left.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = crate::import::parties::fold_accent(c);
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
            if out.len() >= MAX_SLUG {
                break;
            }
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        "untitled".to_owned()
    } else {
        out
    }
}

/// Why a name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadName {
    /// Empty, or longer than [`MAX_NAME_BYTES`].
    #[error("the name is empty or longer than {MAX_NAME_BYTES} bytes")]
    Length,
    /// Starts with `/` or `\`, or names a drive (`C:`).
    #[error("the name is an absolute path")]
    Absolute,
    /// Has a `..` or `.` component, or an empty one (`a//b`, a trailing `/`).
    #[error("the name has a `..`, `.` or empty component")]
    Component,
    /// Holds a character outside `a-z A-Z 0-9 . _ - /`.
    #[error("the name holds a character outside a-z, 0-9, '.', '_', '-' and '/'")]
    Character,
}

/// Checks that `name` is a relative path of safe components: `[A-Za-z0-9._-]` separated
/// by `/`, none of them `.` or `..`, no empty component, not absolute.
///
/// # Errors
/// [`BadName`] says what is wrong.
pub fn check(name: &str) -> Result<(), BadName> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(BadName::Length);
    }
    let bytes = name.as_bytes();
    if bytes[0] == b'/' || bytes[0] == b'\\' || (bytes.len() > 1 && bytes[1] == b':') {
        return Err(BadName::Absolute);
    }
    for part in name.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Err(BadName::Component);
        }
        if !part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(BadName::Character);
        }
    }
    Ok(())
}

/// The folder of draft `id` titled `title`: `drafts/ID-SLUG`.
pub fn draft_dir(id: i64, title: &str) -> String {
    format!("drafts/{id}-{}", slug(title))
}

/// A version's file with extension `ext`: `drafts/ID-SLUG/versions/VID.EXT`.
pub fn version_file(draft_dir: &str, version_id: i64, ext: &str) -> String {
    format!("{draft_dir}/versions/{version_id}.{ext}")
}

/// The comparison of two versions: `drafts/ID-SLUG/comparisons/FROM-to-TO.EXT`.
pub fn comparison_file(draft_dir: &str, from: i64, to: i64, ext: &str) -> String {
    format!("{draft_dir}/comparisons/{from}-to-{to}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_safe_and_never_empty() {
        assert_eq!(
            slug("Advies Beter pakketbeheer"),
            "advies-beter-pakketbeheer"
        );
        assert_eq!(slug("  Één   ../../etc/passwd  "), "een-etc-passwd");
        assert_eq!(slug("///"), "untitled");
        assert_eq!(slug(""), "untitled");
        assert!(slug(&"x".repeat(500)).len() <= 40);
        assert!(check(&draft_dir(7, "../../..")).is_ok());
        assert_eq!(draft_dir(7, "../../.."), "drafts/7-untitled");
    }

    #[test]
    fn unsafe_names_are_refused() {
        assert_eq!(check("../evil"), Err(BadName::Component));
        assert_eq!(check("a/../../evil"), Err(BadName::Component));
        assert_eq!(check("a//b"), Err(BadName::Component));
        assert_eq!(check("a/"), Err(BadName::Component));
        assert_eq!(check("./a"), Err(BadName::Component));
        assert_eq!(check("/etc/passwd"), Err(BadName::Absolute));
        assert_eq!(check("\\windows"), Err(BadName::Absolute));
        assert_eq!(check("C:/x"), Err(BadName::Absolute));
        assert_eq!(check("a\\..\\b"), Err(BadName::Character));
        assert_eq!(check("naïve.txt"), Err(BadName::Character));
        assert_eq!(check(""), Err(BadName::Length));
        assert_eq!(check(&"a".repeat(MAX_NAME_BYTES + 1)), Err(BadName::Length));
        assert_eq!(check("drafts/3-advies/versions/12.pdf"), Ok(()));
        assert_eq!(check("manifest.json"), Ok(()));
    }
}
