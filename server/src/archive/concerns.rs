//! Which audit entries concern a body: an entry does when its subject names the body
//! (`"body": ID`) or one of the body's records by the key the log uses for it (`"draft"`,
//! `"meeting"`, `"dispute"`, …). Entries about people, parties or tokens alone do not.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The ids of a body's records, by the subject key the audit log names them with.
#[derive(Debug, Clone, Default)]
pub struct BodyIds {
    ids: BTreeMap<&'static str, BTreeSet<i64>>,
}

/// The subject keys that name a record of a body.
pub const KEYS: [&str; 14] = [
    "body",
    "draft",
    "version",
    "meeting",
    "series",
    "dispute",
    "milestone",
    "role_agreement",
    "action_line",
    "decision_request",
    "decision",
    "consultation",
    "consultation_id",
    "round",
];

impl BodyIds {
    /// The ids of body `body_id` alone.
    pub fn new(body_id: i64) -> Self {
        let mut ids = Self::default();
        ids.add("body", body_id);
        ids
    }

    /// Records that `id` under `key` is one of the body's (keys outside [`KEYS`] are ignored).
    pub fn add(&mut self, key: &'static str, id: i64) {
        if KEYS.contains(&key) {
            self.ids.entry(key).or_default().insert(id);
        }
    }

    /// Whether an entry with `subject` concerns the body.
    pub fn concerns(&self, subject: &Value) -> bool {
        let Value::Object(map) = subject else {
            return false;
        };
        self.ids.iter().any(|(key, ids)| {
            map.get(*key)
                .and_then(Value::as_i64)
                .is_some_and(|id| ids.contains(&id))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_naming_the_body_or_its_records_concern_it() {
        let mut ids = BodyIds::new(1);
        ids.add("draft", 10);
        ids.add("meeting", 20);
        ids.add("person", 5);
        assert!(ids.concerns(&json!({"body": 1, "name": "x"})));
        assert!(ids.concerns(&json!({"draft": 10, "version": 3})));
        assert!(ids.concerns(&json!({"meeting": 20})));
        assert!(!ids.concerns(&json!({"body": 2, "draft": 11})));
        assert!(!ids.concerns(&json!({"person": 5})));
        assert!(!ids.concerns(&json!({"draft": "10"})));
        assert!(!ids.concerns(&json!([1, 10])));
        assert!(!ids.concerns(&Value::Null));
    }
}
