//! Assertions for tests of stacks, modelled on the AWS CDK's `assertions` module.
//!
//! ```
//! use kumo_core::{Stack, RawResource};
//! use kumo_core::assertions::{Match, Template};
//! use serde_json::json;
//!
//! let mut stack = Stack::new("Demo");
//! stack.add("Logs", RawResource::new("AWS::Logs::LogGroup").set("RetentionInDays", 7).set("LogGroupName", "app"));
//!
//! let template = Template::from_stack(&stack);
//! template.resource_count_is("AWS::Logs::LogGroup", 1);
//! template.has_resource_properties("AWS::Logs::LogGroup", json!({ "RetentionInDays": 7 }));
//! template.has_resource_properties("AWS::Logs::LogGroup", json!({ "LogGroupName": Match::string_like_regexp("^ap") }));
//! ```
//!
//! Patterns are JSON (`serde_json::json!`). Objects match partially and recursively (the target may
//! have more keys); arrays match element by element unless wrapped in [`Match::array_with`]. Matchers
//! ([`Match::any_value`], [`Match::absent`], ...) can be placed anywhere inside a pattern.
//!
//! A failed assertion panics with the closest candidate, each mismatch with its path, and a diff.

#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "an assertion fails by panicking, as `assert!` does: that is how a test reports it"
)]

use indexmap::IndexMap;
use regex::Regex;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::stack::Stack;

/// The key under which a matcher hides inside a JSON pattern.
const MATCHER_KEY: &str = "$kumo::match";

/// Matchers for patterns. Each serializes to a marker object, so it can sit inside `json!({...})`.
#[derive(Clone, Debug, PartialEq)]
pub enum Match {
    /// The target is a superset of the pattern object (deep, partial).
    ObjectLike(Value),
    /// The target equals the pattern object exactly (no extra keys), nested objects exact too.
    ObjectEquals(Value),
    /// The target array contains the pattern's elements, in order, possibly with others between.
    ArrayWith(Vec<Value>),
    /// The target equals the pattern exactly.
    Exact(Value),
    /// Any value, but the key must be present.
    AnyValue,
    /// The key must be absent.
    Absent,
    /// A string matching the regular expression.
    StringLikeRegexp(String),
    /// A string holding JSON that matches the pattern.
    SerializedJson(Value),
    /// The target does not match the pattern.
    Not(Value),
}

impl Match {
    pub fn object_like(pattern: impl Serialize) -> Value {
        Match::ObjectLike(to_value(pattern)).to_pattern()
    }
    pub fn object_equals(pattern: impl Serialize) -> Value {
        Match::ObjectEquals(to_value(pattern)).to_pattern()
    }
    pub fn array_with(pattern: impl Serialize) -> Value {
        let items = match to_value(pattern) {
            Value::Array(items) => items,
            single => vec![single],
        };
        Match::ArrayWith(items).to_pattern()
    }
    pub fn exact(pattern: impl Serialize) -> Value {
        Match::Exact(to_value(pattern)).to_pattern()
    }
    pub fn any_value() -> Value {
        Match::AnyValue.to_pattern()
    }
    pub fn absent() -> Value {
        Match::Absent.to_pattern()
    }
    pub fn string_like_regexp(regex: &str) -> Value {
        Match::StringLikeRegexp(regex.to_owned()).to_pattern()
    }
    pub fn serialized_json(pattern: impl Serialize) -> Value {
        Match::SerializedJson(to_value(pattern)).to_pattern()
    }
    pub fn not(pattern: impl Serialize) -> Value {
        Match::Not(to_value(pattern)).to_pattern()
    }

    fn to_pattern(&self) -> Value {
        let (kind, argument) = match self {
            Match::ObjectLike(v) => ("objectLike", v.clone()),
            Match::ObjectEquals(v) => ("objectEquals", v.clone()),
            Match::ArrayWith(items) => ("arrayWith", Value::Array(items.clone())),
            Match::Exact(v) => ("exact", v.clone()),
            Match::AnyValue => ("anyValue", Value::Null),
            Match::Absent => ("absent", Value::Null),
            Match::StringLikeRegexp(r) => ("stringLikeRegexp", Value::String(r.clone())),
            Match::SerializedJson(v) => ("serializedJson", v.clone()),
            Match::Not(v) => ("not", v.clone()),
        };
        let mut inner = Map::new();
        inner.insert(kind.to_owned(), argument);
        let mut outer = Map::new();
        outer.insert(MATCHER_KEY.to_owned(), Value::Object(inner));
        Value::Object(outer)
    }

    fn from_pattern(value: &Value) -> Option<Match> {
        let inner = value
            .as_object()
            .filter(|o| o.len() == 1)?
            .get(MATCHER_KEY)?
            .as_object()?;
        let (kind, argument) = inner.iter().next()?;
        Some(match kind.as_str() {
            "objectLike" => Match::ObjectLike(argument.clone()),
            "objectEquals" => Match::ObjectEquals(argument.clone()),
            "arrayWith" => Match::ArrayWith(argument.as_array()?.clone()),
            "exact" => Match::Exact(argument.clone()),
            "anyValue" => Match::AnyValue,
            "absent" => Match::Absent,
            "stringLikeRegexp" => Match::StringLikeRegexp(argument.as_str()?.to_owned()),
            "serializedJson" => Match::SerializedJson(argument.clone()),
            "not" => Match::Not(argument.clone()),
            _ => return None,
        })
    }
}

impl Serialize for Match {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_pattern().serialize(serializer)
    }
}

fn to_value(pattern: impl Serialize) -> Value {
    serde_json::to_value(pattern).expect("a pattern is JSON")
}

/// One reason a target did not match.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// JSON-pointer-like path inside the target (`/Properties/Tags/0/Key`).
    pub path: String,
    pub message: String,
}

/// Matches `target` (None = absent) against `pattern`, collecting every mismatch.
pub fn match_value(pattern: &Value, target: Option<&Value>) -> Vec<Mismatch> {
    let mut out = Vec::new();
    matches(pattern, target, "", Mode::Partial, &mut out);
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Objects may have extra keys.
    Partial,
    /// Objects must have exactly the pattern's keys.
    Exact,
}

fn mismatch(out: &mut Vec<Mismatch>, path: &str, message: String) {
    out.push(Mismatch {
        path: if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        },
        message,
    });
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 80 {
        format!("{}...", &text[..text.floor_char_boundary(77)])
    } else {
        text
    }
}

fn matches(pattern: &Value, target: Option<&Value>, path: &str, mode: Mode, out: &mut Vec<Mismatch>) {
    if let Some(matcher) = Match::from_pattern(pattern) {
        return match_special(&matcher, target, path, out);
    }
    let Some(target) = target else {
        return mismatch(out, path, format!("missing key; expected {}", short(pattern)));
    };
    match (pattern, target) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, sub_pattern) in expected {
                let sub_path = format!("{path}/{key}");
                matches(sub_pattern, actual.get(key), &sub_path, mode, out);
            }
            if mode == Mode::Exact {
                for key in actual.keys().filter(|k| !expected.contains_key(*k)) {
                    mismatch(out, &format!("{path}/{key}"), "unexpected key".to_owned());
                }
            }
        }
        (Value::Array(expected), Value::Array(actual)) => {
            if expected.len() != actual.len() {
                return mismatch(
                    out,
                    path,
                    format!(
                        "expected an array of {} items, found {} items (use Match::array_with for a subset)",
                        expected.len(),
                        actual.len()
                    ),
                );
            }
            for (i, (p, t)) in expected.iter().zip(actual).enumerate() {
                matches(p, Some(t), &format!("{path}/{i}"), mode, out);
            }
        }
        (expected, actual) if expected == actual => {}
        (expected, actual) => mismatch(
            out,
            path,
            format!("expected {} but found {}", short(expected), short(actual)),
        ),
    }
}

fn match_special(matcher: &Match, target: Option<&Value>, path: &str, out: &mut Vec<Mismatch>) {
    match matcher {
        Match::Absent => {
            if let Some(found) = target {
                mismatch(
                    out,
                    path,
                    format!("expected the key to be absent, found {}", short(found)),
                );
            }
        }
        Match::AnyValue => {
            if target.is_none() {
                mismatch(out, path, "missing key; expected any value".to_owned());
            }
        }
        Match::ObjectLike(p) => matches(p, target, path, Mode::Partial, out),
        Match::ObjectEquals(p) | Match::Exact(p) => matches(p, target, path, Mode::Exact, out),
        Match::ArrayWith(items) => {
            let Some(Value::Array(actual)) = target else {
                return mismatch(
                    out,
                    path,
                    format!("expected an array, found {}", target.map_or("nothing".into(), short)),
                );
            };
            // In-order subsequence: each pattern item must match a later target item than the previous.
            let mut next = 0;
            for (i, item) in items.iter().enumerate() {
                match (next..actual.len()).find(|&j| match_value(item, Some(&actual[j])).is_empty()) {
                    Some(j) => next = j + 1,
                    None => {
                        return mismatch(
                            out,
                            path,
                            format!(
                                "array has no element matching pattern item {i} {} (in order)",
                                short(item)
                            ),
                        );
                    }
                }
            }
        }
        Match::StringLikeRegexp(regex) => match (target, Regex::new(regex)) {
            (_, Err(e)) => mismatch(out, path, format!("invalid regular expression {regex:?}: {e}")),
            (Some(Value::String(s)), Ok(re)) if re.is_match(s) => {}
            (found, Ok(_)) => mismatch(
                out,
                path,
                format!(
                    "expected a string matching /{regex}/, found {}",
                    found.map_or("nothing".into(), short)
                ),
            ),
        },
        Match::SerializedJson(p) => match target {
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(parsed) => matches(p, Some(&parsed), path, Mode::Partial, out),
                Err(e) => mismatch(
                    out,
                    path,
                    format!("expected serialized JSON, but the string does not parse: {e}"),
                ),
            },
            found => mismatch(
                out,
                path,
                format!(
                    "expected a JSON string, found {}",
                    found.map_or("nothing".into(), short)
                ),
            ),
        },
        Match::Not(p) => {
            if match_value(p, target).is_empty() {
                mismatch(out, path, format!("expected not to match {}, but it does", short(p)));
            }
        }
    }
}

/// A synthesized template under test.
#[derive(Clone, Debug)]
pub struct Template {
    json: Value,
}

/// A failed assertion (the `try_*` methods return it; the others panic with it).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct AssertionError(pub String);

impl Template {
    /// Synthesizes `stack`. Panics with the synth errors if the stack does not synthesize.
    pub fn from_stack(stack: &Stack) -> Self {
        match stack.synth() {
            Ok(template) => Template {
                json: template.to_value(),
            },
            Err(error) => panic!("{error}"),
        }
    }

    /// A template from its JSON.
    pub fn from_json(json: Value) -> Self {
        Template { json }
    }

    /// The whole template.
    pub fn to_json(&self) -> &Value {
        &self.json
    }

    fn section(&self, name: &str) -> impl Iterator<Item = (&String, &Value)> {
        self.json
            .get(name)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.iter())
    }

    fn of_type<'a>(&'a self, type_name: &'a str) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
        self.section("Resources")
            .filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(type_name))
    }

    /// Resources of `type_name` whose whole definition (`Type`, `Properties`, `DeletionPolicy`, ...)
    /// matches `pattern`.
    pub fn find_resources(&self, type_name: &str, pattern: impl Serialize) -> IndexMap<String, Value> {
        let pattern = to_value(pattern);
        self.of_type(type_name)
            .filter(|(_, r)| match_value(&pattern, Some(r)).is_empty())
            .map(|(id, r)| (id.clone(), r.clone()))
            .collect()
    }

    /// Outputs whose definition matches `pattern`.
    pub fn find_outputs(&self, pattern: impl Serialize) -> IndexMap<String, Value> {
        let pattern = to_value(pattern);
        self.section("Outputs")
            .filter(|(_, o)| match_value(&pattern, Some(o)).is_empty())
            .map(|(id, o)| (id.clone(), o.clone()))
            .collect()
    }

    pub fn try_resource_count_is(&self, type_name: &str, count: usize) -> Result<(), AssertionError> {
        let found: Vec<&String> = self.of_type(type_name).map(|(id, _)| id).collect();
        if found.len() == count {
            Ok(())
        } else {
            Err(AssertionError(format!(
                "expected {count} resources of type {type_name}, found {}: {found:?}",
                found.len()
            )))
        }
    }

    /// Asserts the number of resources of `type_name`.
    pub fn resource_count_is(&self, type_name: &str, count: usize) {
        self.try_resource_count_is(type_name, count)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn try_has_resource(&self, type_name: &str, pattern: impl Serialize) -> Result<(), AssertionError> {
        let pattern = to_value(pattern);
        let candidates: Vec<(&String, &Value)> = self.of_type(type_name).collect();
        closest(&format!("resources of type {type_name}"), &pattern, candidates)
    }

    /// Asserts that some resource of `type_name` matches `pattern` as a whole (use for
    /// `DeletionPolicy`, `DependsOn`, ...).
    pub fn has_resource(&self, type_name: &str, pattern: impl Serialize) {
        self.try_has_resource(type_name, pattern)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn try_has_resource_properties(&self, type_name: &str, pattern: impl Serialize) -> Result<(), AssertionError> {
        let pattern = to_value(pattern);
        let empty = Value::Object(Map::new());
        let candidates: Vec<(&String, &Value)> = self
            .of_type(type_name)
            .map(|(id, r)| (id, r.get("Properties").unwrap_or(&empty)))
            .collect();
        closest(&format!("resources of type {type_name}"), &pattern, candidates)
    }

    /// Asserts that some resource of `type_name` has properties matching `pattern`.
    pub fn has_resource_properties(&self, type_name: &str, pattern: impl Serialize) {
        self.try_has_resource_properties(type_name, pattern)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn try_has_output(&self, name: &str, pattern: impl Serialize) -> Result<(), AssertionError> {
        let pattern = to_value(pattern);
        let candidates: Vec<(&String, &Value)> = self
            .section("Outputs")
            .filter(|(id, _)| name == "*" || *id == name)
            .collect();
        if candidates.is_empty() {
            let names: Vec<&String> = self.section("Outputs").map(|(id, _)| id).collect();
            return Err(AssertionError(format!("no output named {name:?}; outputs: {names:?}")));
        }
        closest(&format!("outputs named {name}"), &pattern, candidates)
    }

    /// Asserts that the output `name` (or any output, with `"*"`) matches `pattern`.
    pub fn has_output(&self, name: &str, pattern: impl Serialize) {
        self.try_has_output(name, pattern).unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn try_has_parameter(&self, name: &str, pattern: impl Serialize) -> Result<(), AssertionError> {
        let pattern = to_value(pattern);
        let candidates: Vec<(&String, &Value)> = self.section("Parameters").filter(|(id, _)| *id == name).collect();
        closest(&format!("parameters named {name}"), &pattern, candidates)
    }

    /// Asserts that the parameter `name` matches `pattern`.
    pub fn has_parameter(&self, name: &str, pattern: impl Serialize) {
        self.try_has_parameter(name, pattern).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Succeeds if any candidate matches; otherwise explains the closest one (fewest mismatches).
fn closest(what: &str, pattern: &Value, candidates: Vec<(&String, &Value)>) -> Result<(), AssertionError> {
    if candidates.is_empty() {
        return Err(AssertionError(format!("the template has no {what}")));
    }
    let mut best: Option<(&String, &Value, Vec<Mismatch>)> = None;
    for (id, value) in &candidates {
        let problems = match_value(pattern, Some(value));
        if problems.is_empty() {
            return Ok(());
        }
        if best.as_ref().is_none_or(|(_, _, b)| problems.len() < b.len()) {
            best = Some((id, value, problems));
        }
    }
    let (id, value, problems) = best.expect("at least one candidate");
    let mut text = format!(
        "none of the {} {what} matches the pattern.\nclosest candidate: {id} ({} mismatch{}):\n",
        candidates.len(),
        problems.len(),
        if problems.len() == 1 { "" } else { "es" }
    );
    for problem in &problems {
        text.push_str(&format!("  at {}: {}\n", problem.path, problem.message));
    }
    let expected = serde_json::to_string_pretty(&render_pattern(pattern)).unwrap_or_default();
    let actual = serde_json::to_string_pretty(&project(value, pattern)).unwrap_or_default();
    text.push_str("diff (- pattern, + closest candidate, keys outside the pattern left out):\n");
    for change in similar::TextDiff::from_lines(&expected, &actual).iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        text.push_str(&format!("{sign} {change}"));
        if change.missing_newline() {
            text.push('\n');
        }
    }
    Err(AssertionError(text))
}

/// The pattern with matchers shown as readable placeholders (`<any value>`).
fn render_pattern(pattern: &Value) -> Value {
    if let Some(matcher) = Match::from_pattern(pattern) {
        return match matcher {
            Match::ObjectLike(p) | Match::ObjectEquals(p) | Match::Exact(p) => render_pattern(&p),
            Match::ArrayWith(items) => Value::Array(items.iter().map(render_pattern).collect()),
            Match::AnyValue => Value::String("<any value>".into()),
            Match::Absent => Value::String("<absent>".into()),
            Match::StringLikeRegexp(r) => Value::String(format!("<matching /{r}/>")),
            Match::SerializedJson(p) => Value::String(format!("<JSON string like {}>", render_pattern(&p))),
            Match::Not(p) => Value::String(format!("<not {}>", render_pattern(&p))),
        };
    }
    match pattern {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), render_pattern(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(render_pattern).collect()),
        other => other.clone(),
    }
}

/// The target restricted to the keys the pattern mentions, so the diff shows only what matters.
fn project(target: &Value, pattern: &Value) -> Value {
    let pattern = match Match::from_pattern(pattern) {
        Some(Match::ObjectLike(p) | Match::ObjectEquals(p) | Match::Exact(p)) => p,
        Some(_) => return target.clone(),
        None => pattern.clone(),
    };
    match (target, &pattern) {
        (Value::Object(t), Value::Object(p)) => Value::Object(
            p.iter()
                .filter_map(|(k, sub)| t.get(k).map(|v| (k.clone(), project(v, sub))))
                .collect(),
        ),
        (Value::Array(t), Value::Array(p)) if t.len() == p.len() => {
            Value::Array(t.iter().zip(p).map(|(v, sub)| project(v, sub)).collect())
        }
        _ => target.clone(),
    }
}
