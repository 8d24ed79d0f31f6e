//! Template values as text for the security section: literals as they are, intrinsics in a compact
//! `${Resource.Attribute}` form.

use serde_json::Value;

pub(super) use kumo_core::security::is_intrinsic_object as is_intrinsic;

/// A value as a list of display strings (a single value is a list of one).
pub fn render_list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(render).collect(),
        other => vec![render(other)],
    }
}

/// A template value for display: literals as they are, intrinsics as `${Name}` / `${Name.Attr}` or a
/// short function form, anything else as compact JSON.
pub fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Object(map) if is_intrinsic(map) => {
            let (name, arg) = map.iter().next().expect("one key");
            match (name.as_str(), arg) {
                ("Ref", Value::String(target)) => format!("${{{target}}}"),
                ("Fn::GetAtt", Value::Array(parts)) => {
                    format!("${{{}}}", parts.iter().map(render).collect::<Vec<_>>().join("."))
                }
                ("Fn::GetAtt", Value::String(path)) => format!("${{{path}}}"),
                ("Fn::Sub", Value::String(text)) => text.clone(),
                ("Fn::Sub", Value::Array(parts)) if !parts.is_empty() => render(&parts[0]),
                ("Fn::Join", Value::Array(parts)) if parts.len() == 2 => {
                    let separator = render(&parts[0]);
                    render_list(&parts[1]).join(&separator)
                }
                ("Fn::ImportValue", inner) => format!("${{Import:{}}}", render(inner)),
                ("Fn::If", Value::Array(parts)) if parts.len() == 3 => {
                    format!(
                        "${{If {} ? {} : {}}}",
                        render(&parts[0]),
                        render(&parts[1]),
                        render(&parts[2])
                    )
                }
                _ => format!(
                    "${{{}:{}}}",
                    name.trim_start_matches("Fn::"),
                    serde_json::to_string(arg).unwrap_or_default()
                ),
            }
        }
        Value::Object(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}
