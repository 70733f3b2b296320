//! Checks JSON answers against the served OpenAPI document: the subset of JSON Schema
//! the document uses (`$ref`, `type`, `required`, `properties`,
//! `additionalProperties: false`, `enum`, `items`, `nullable`).

use serde_json::Value;

/// The schema of the answer `status` to `method path` (a path as the document writes
/// it, `/v1/conversations/{key}`), resolved through `$ref`s.
pub fn response_schema<'a>(doc: &'a Value, path: &str, method: &str, status: u16) -> &'a Value {
    let operation = &doc["paths"][path][method];
    assert!(operation.is_object(), "the document has no {method} {path}");
    let mut response = &operation["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{method} {path} does not document {status}"
    );
    if let Some(reference) = response["$ref"].as_str() {
        response = resolve(doc, reference);
    }
    let content = response["content"].as_object().expect("content");
    let (_, media) = content.iter().next().expect("a media type");
    &media["schema"]
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference.strip_prefix('#').expect("a local $ref");
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("{reference} is not in the document"))
}

/// The places where `value` breaks `schema`, as JSON pointers with reasons.
pub fn violations(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(doc, schema, value, "", &mut found);
    found
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        return check(doc, resolve(doc, reference), value, at, found);
    }
    if value.is_null() && schema["nullable"] == Value::Bool(true) {
        return;
    }
    if let Some(ty) = schema["type"].as_str() {
        let fits = match ty {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            other => panic!("the validator does not know type {other}"),
        };
        if !fits {
            found.push(format!("{at}: {value} is not of type {ty}"));
            return;
        }
    }
    if let Some(options) = schema["enum"].as_array() {
        if !options.contains(value) {
            found.push(format!("{at}: {value} is not one of {options:?}"));
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            if !object.contains_key(name) {
                found.push(format!("{at}: `{name}` is missing"));
            }
        }
        let properties = schema["properties"].as_object();
        for (name, item) in object {
            match properties.and_then(|it| it.get(name)) {
                Some(property) => check(doc, property, item, &format!("{at}/{name}"), found),
                None if schema["additionalProperties"] == Value::Bool(false) => {
                    found.push(format!("{at}: `{name}` is not in the schema"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (idx, item) in array.iter().enumerate() {
            check(doc, items, item, &format!("{at}/{idx}"), found);
        }
    }
}
