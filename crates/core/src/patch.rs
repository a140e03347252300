//! Changing a record with a JSON merge patch (RFC 7396): the fields given replace the stored
//! ones, `null` clears a field, fields not mentioned stay as they are.

use rapport_model::{Body, Kind};
use serde_json::{Map, Value};

use crate::ApiError;

/// Fields set by Rapport itself, never by a patch.
const MANAGED: &[&str] = &["id", "kind", "created_at", "updated_at", "deleted_at"];

/// The fields a record of this kind has.
pub(crate) fn field_names(kind: Kind) -> Vec<String> {
    match serde_json::to_value(Body::empty(kind)) {
        Ok(Value::Object(m)) => m.keys().filter(|k| *k != "kind").cloned().collect(),
        _ => Vec::new(),
    }
}

/// Refuses anything that is not an object of known, changeable fields.
pub(crate) fn check_fields(kind: Kind, patch: &Value) -> Result<(), ApiError> {
    let Value::Object(fields) = patch else {
        return Err(ApiError::validation(
            "fields",
            "expected a JSON object of field names to values",
        ));
    };
    let known = field_names(kind);
    for key in fields.keys() {
        if MANAGED.contains(&key.as_str()) {
            return Err(ApiError::validation(
                key,
                "is set by Rapport and cannot be changed",
            ));
        }
        if !known.iter().any(|k| k == key) {
            return Err(ApiError::validation(
                key,
                format!(
                    "a {} has no such field (fields: {})",
                    kind.label(),
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Reads a body of `kind` from JSON fields, naming the field that does not fit.
pub(crate) fn body_from_fields(kind: Kind, fields: Map<String, Value>) -> Result<Body, ApiError> {
    fn read<T: serde::de::DeserializeOwned>(fields: Map<String, Value>) -> Result<T, ApiError> {
        serde_path_to_error::deserialize::<_, T>(Value::Object(fields)).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." || path.is_empty() {
                "fields".to_string()
            } else {
                path
            };
            ApiError::validation(&field, friendly(&e.into_inner().to_string()))
        })
    }
    Ok(match kind {
        Kind::Person => Body::Person(read(fields)?),
        Kind::Organization => Body::Organization(read(fields)?),
        Kind::Goal => Body::Goal(read(fields)?),
        Kind::Meeting => Body::Meeting(read(fields)?),
        Kind::Outreach => Body::Outreach(read(fields)?),
        Kind::Task => Body::Task(read(fields)?),
        Kind::Question => Body::Question(read(fields)?),
        Kind::Template => Body::Template(read(fields)?),
        Kind::Profile => Body::Profile(read(fields)?),
        Kind::Device => Body::Device(read(fields)?),
    })
}

/// serde's messages, in the user's terms.
fn friendly(msg: &str) -> String {
    msg.replace("invalid type: ", "expected a different type: got ")
        .replace("u8", "a whole number")
        .replace("u16", "a whole number")
}

/// Applies `patch` to the JSON of `current`, returning the patched fields.
pub(crate) fn apply(current: &Body, patch: &Value) -> Result<Map<String, Value>, ApiError> {
    if !patch.is_object() {
        return Err(ApiError::validation(
            "patch",
            "expected a JSON object of field names to values",
        ));
    }
    check_fields(current.kind(), patch)?;
    let Ok(Value::Object(mut fields)) = serde_json::to_value(current) else {
        return Err(ApiError::new(
            crate::ErrorCode::Internal,
            "a record did not turn into JSON",
        ));
    };
    fields.remove("kind");
    if let Value::Object(p) = patch {
        for (k, v) in p {
            if v.is_null() {
                // Removing the key lets the field take its default (none, empty, false).
                fields.remove(k);
            } else {
                fields.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(fields)
}
