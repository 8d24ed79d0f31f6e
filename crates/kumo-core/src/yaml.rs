//! YAML rendering of a template.
//!
//! CloudFormation (and cfn-lint) read YAML with YAML 1.1 rules, where `OFF`, `yes`, `n` are booleans and
//! `017` is octal. General-purpose YAML serializers follow YAML 1.2 and leave such strings unquoted, which
//! silently turns `FlexibleTimeWindow.Mode: OFF` into `false`. A template is only JSON data (maps, lists,
//! strings, numbers, booleans, null), so kumo renders it itself with one rule: a string is written plain
//! only when no YAML 1.1 reader could take it for anything but that string; otherwise it is quoted.

use serde_json::Value;

/// Renders a JSON value as block-style YAML (two-space indent, trailing newline).
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_list(&mut out, items, 0),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, level: usize) {
    out.extend(std::iter::repeat_n(' ', level));
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, level: usize) {
    let mut first = true;
    for (key, value) in map {
        // The first key of a map inside a list item continues the `- ` line.
        if !first || !out.ends_with("- ") {
            indent(out, level);
        }
        first = false;
        out.push_str(&string_text(key));
        out.push(':');
        write_value_after_key(out, value, level);
    }
}

fn write_value_after_key(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, level + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_list(out, items, level + 2);
        }
        Value::String(s) if block_literal_ok(s) => write_block(out, s, level + 2),
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn write_list(out: &mut String, items: &[Value], level: usize) {
    for item in items {
        indent(out, level);
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_map(out, map, level + 2),
            Value::Array(inner) if !inner.is_empty() => {
                out.truncate(out.len() - 1); // "-" then the nested list on the next lines
                out.push('\n');
                write_list(out, inner, level + 2);
            }
            Value::String(s) if block_literal_ok(s) => {
                out.truncate(out.len() - 1);
                write_block(out, s, level + 2);
            }
            scalar => {
                out.push_str(&scalar_text(scalar));
                out.push('\n');
            }
        }
    }
}

/// Multi-line text (user data, inline buildspecs) reads best as a literal block.
fn block_literal_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && s.lines().all(|line| !line.ends_with([' ', '\t']))
        && s.chars().all(|c| c == '\n' || !c.is_control())
}

fn write_block(out: &mut String, s: &str, level: usize) {
    // `|-` strips the final newline, `|` keeps one, `|+` keeps them all.
    let chomp = if !s.ends_with('\n') {
        "-"
    } else if s.ends_with("\n\n") {
        "+"
    } else {
        ""
    };
    out.push_str(&format!(" |{chomp}\n"));
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !line.is_empty() {
            indent(out, level);
            out.push_str(line);
        }
        out.push('\n');
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_text(s),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

/// Words YAML 1.1 reads as booleans or null, in any case.
const RESERVED: &[&str] = &["y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"];

fn string_text(s: &str) -> String {
    if plain_ok(s) {
        return s.to_owned();
    }
    if s.chars().any(|c| c.is_control()) {
        // A JSON string literal is a valid YAML double-quoted scalar (and serializing a string cannot fail).
        return serde_json::Value::String(s.to_owned()).to_string();
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) {
        return false;
    }
    // Anything starting like a number, date or time could be read as one (YAML 1.1 has octal `017`,
    // sexagesimal `1:20`, `.inf`, timestamps): quote it.
    if first.is_ascii_digit() || ((first == '-' || first == '+' || first == '.') && s.len() > 1) {
        return false;
    }
    // Indicators that start YAML syntax, and characters that end or comment a plain scalar.
    if "-?:,[]{}#&*!|>'\"%@`= \t".contains(first) {
        return false;
    }
    if s.ends_with([':', ' ', '\t']) || s.contains(": ") || s.contains(" #") || s.contains('\t') {
        return false;
    }
    !s.chars().any(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_lookalikes_are_quoted() {
        for s in [
            "OFF",
            "on",
            "Yes",
            "n",
            "NULL",
            "~",
            "017",
            "0x1F",
            "1:20",
            "2010-09-09",
            ".inf",
            "-1",
            "*",
            "!Ref x",
            "a: b",
            "x #y",
            "",
        ] {
            let text = string_text(s);
            assert!(text.starts_with('\''), "{s:?} -> {text}");
        }
        for s in [
            "FLEXIBLE",
            "AWS::EC2::VPC",
            "${AWS::StackName}-logs",
            "arn:aws:iam::aws:policy/X",
            "eks-cluster",
        ] {
            assert_eq!(string_text(s), s);
        }
        assert_eq!(string_text("it's"), "it's");
        assert_eq!(string_text("'quoted'"), "'''quoted'''");
        assert_eq!(string_text("a\u{1}b"), "\"a\\u0001b\"");
    }

    #[test]
    fn renders_nested_structures_in_block_style() {
        let value = json!({
            "A": {"B": [1, {"C": "OFF", "D": []}, ["x", "y"]], "E": {}},
            "Script": "#!/bin/sh\necho hi\n",
            "Empty": ""
        });
        let expected = "A:\n  B:\n    - 1\n    - C: 'OFF'\n      D: []\n    -\n      - x\n      - 'y'\n  E: {}\nScript: |\n  #!/bin/sh\n  echo hi\nEmpty: ''\n";
        assert_eq!(render(&value), expected);
    }
}
