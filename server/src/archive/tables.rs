//! Record sets as CSV: one row per record, one column per top-level field (the first record's
//! fields in alphabetical order, then fields first seen in later records); strings, numbers and booleans as themselves, `null` as an empty cell, nested
//! lists and objects as compact JSON in their cell.

use serde::Serialize;
use serde_json::Value;

use super::ArchiveError;

/// Most columns a table gets; further fields stay in the JSON file only.
const MAX_COLUMNS: usize = 200;

/// The records as JSON values (each should be an object; anything else becomes one column
/// `value`).
///
/// # Errors
/// When a record cannot be serialised.
pub fn to_values<T: Serialize>(records: &[T]) -> Result<Vec<Value>, ArchiveError> {
    records
        .iter()
        .map(|r| serde_json::to_value(r).map_err(ArchiveError::from))
        .collect()
}

/// Writes `records` as CSV with a header row.
///
/// # Errors
/// When the CSV writer fails.
pub fn csv(records: &[Value]) -> Result<Vec<u8>, ArchiveError> {
    let mut columns: Vec<String> = Vec::new();
    for record in records {
        match record {
            Value::Object(map) => {
                for key in map.keys() {
                    if columns.len() < MAX_COLUMNS && !columns.iter().any(|c| c == key) {
                        columns.push(key.clone());
                    }
                }
            }
            _ => {
                if !columns.iter().any(|c| c == "value") {
                    columns.push("value".to_owned());
                }
            }
        }
    }
    if columns.is_empty() {
        // no records: an empty file (the csv crate would write `""` for an empty header)
        return Ok(Vec::new());
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&columns)?;
    for record in records {
        let row = columns.iter().map(|column| match record {
            Value::Object(map) => map.get(column).map(cell).unwrap_or_default(),
            other if column == "value" => cell(other),
            _ => String::new(),
        });
        writer.write_record(row)?;
    }
    writer
        .into_inner()
        .map_err(|e| ArchiveError::Encode(e.to_string()))
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        nested => nested.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_follow_the_fields_and_nested_values_stay_json() {
        let rows = vec![
            json!({"id": 1, "title": "Eerste, met komma", "done": true, "parties": [{"code": "ZN"}]}),
            json!({"id": 2, "title": null, "extra": "x"}),
        ];
        let text = String::from_utf8(csv(&rows).unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("done,id,parties,title,extra"));
        assert_eq!(
            lines.next(),
            Some(r#"true,1,"[{""code"":""ZN""}]","Eerste, met komma","#)
        );
        assert_eq!(lines.next(), Some(",2,,,x"));
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn an_empty_set_is_an_empty_file() {
        assert!(csv(&[]).unwrap().is_empty());
    }
}
