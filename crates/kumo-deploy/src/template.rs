//! A CloudFormation template as the engine sees it: the exact body to send, plus a parsed JSON view
//! for local checks (parameters, `Transform`, resources) and for the template-level diff.
//!
//! Any template works, not only kumo's: JSON, or YAML with CloudFormation's short-form tags (`!Ref`,
//! `!Sub`, `!GetAtt a.b`, ...). The body sent is *never* re-serialized from the parsed value, because
//! re-serializing changes literals CloudFormation treats as text (`Version: 1.30` would become `1.3`):
//! JSON is minified lexically (whitespace outside strings dropped), YAML is sent as written.

use std::path::Path;

use serde_json::{Map, Value};

/// Where a template came from, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Yaml,
}

/// A parsed template plus the body CloudFormation receives.
#[derive(Clone, Debug)]
pub struct TemplateDoc {
    origin: String,
    syntax: Syntax,
    body: String,
    value: Value,
}

/// Why a template cannot be used. Every variant names the file; parse errors carry line and column.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read template {origin}")]
    Read {
        origin: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}:{line}:{column}: invalid JSON: {message}")]
    Json {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{origin}:{line}:{column}: invalid YAML: {message}")]
    Yaml {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{origin}{at}: unknown YAML tag {tag}", at = location_suffix(*.line, *.column))]
    UnknownTag {
        origin: String,
        tag: String,
        line: Option<usize>,
        column: Option<usize>,
    },
    #[error("{origin}: {message}")]
    Shape { origin: String, message: String },
}

fn location_suffix(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        _ => String::new(),
    }
}

impl TemplateError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            TemplateError::Read { .. } => "pass the path of an existing CloudFormation template with --template",
            TemplateError::Json { .. } | TemplateError::Yaml { .. } => {
                "fix the template at that line and column; nothing was sent to AWS"
            }
            TemplateError::UnknownTag { .. } => {
                "CloudFormation's YAML tags are !Ref, !Condition and !<Fn name> (e.g. !Sub, !GetAtt, !If); \
                 fix the tag; nothing was sent to AWS"
            }
            TemplateError::Shape { .. } => {
                "a CloudFormation template is a mapping with a non-empty Resources section; nothing was sent to AWS"
            }
        }
    }
}

/// The intrinsic functions with a `!Name` short form (`!Ref` and `!Condition` map to keys without `Fn::`).
const FN_TAGS: &[&str] = &[
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "ForEach",
    "GetAZs",
    "GetAtt",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
];

impl TemplateDoc {
    /// Reads and parses a template file. `.json` is JSON, `.yaml`/`.yml`/`.template` and anything else is
    /// decided by content: a body starting with `{` is JSON (so JSON errors get JSON positions).
    pub fn from_file(path: &Path) -> Result<TemplateDoc, TemplateError> {
        let origin = path.display().to_string();
        let read_error = |source| TemplateError::Read {
            origin: origin.clone(),
            source,
        };
        let metadata = std::fs::metadata(path).map_err(read_error)?;
        if metadata.is_dir() {
            return Err(TemplateError::Shape {
                origin,
                message: "is a directory, not a template file".to_owned(),
            });
        }
        // Far over anything CloudFormation accepts even after minifying: refuse without reading it.
        if metadata.len() > MAX_FILE_BYTES {
            return Err(TemplateError::Shape {
                origin,
                message: format!(
                    "is {} bytes; CloudFormation accepts templates of at most {} bytes",
                    metadata.len(),
                    kumo_core::validate::limits::MAX_TEMPLATE_BYTES
                ),
            });
        }
        let bytes = std::fs::read(path).map_err(read_error)?;
        let text = kumo_core::text::decode_utf8(&bytes).map_err(|message| TemplateError::Shape {
            origin: origin.clone(),
            message: format!("{message}: CloudFormation templates are UTF-8"),
        })?;
        let is_json_name = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let syntax = if is_json_name || text.trim_start().starts_with('{') {
            Syntax::Json
        } else {
            Syntax::Yaml
        };
        Self::parse(text, &origin, syntax)
    }

    /// Parses template text of a known syntax.
    pub fn parse(text: &str, origin: &str, syntax: Syntax) -> Result<TemplateDoc, TemplateError> {
        let (value, body) = match syntax {
            Syntax::Json => {
                // Duplicate keys are refused (as in YAML): serde_json alone keeps the last one silently,
                // and CloudFormation would then deploy something other than what the file seems to say.
                let value = serde_json::from_str::<StrictJson>(text)
                    .map_err(|e| TemplateError::Json {
                        origin: origin.to_owned(),
                        line: e.line(),
                        column: e.column(),
                        message: strip_serde_position(&e.to_string()),
                    })?
                    .0;
                (value, minify_json(text))
            }
            Syntax::Yaml => {
                if let Some((line, column)) = too_deep_flow(text) {
                    return Err(TemplateError::Yaml {
                        origin: origin.to_owned(),
                        line,
                        column,
                        message: format!("nested more than {MAX_NESTING} levels deep"),
                    });
                }
                let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| {
                    let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
                    TemplateError::Yaml {
                        origin: origin.to_owned(),
                        line,
                        column,
                        message: strip_serde_position(&e.to_string()),
                    }
                })?;
                let value = yaml_to_json(yaml).map_err(|tag| {
                    let (line, column) = find_tag(text, &tag).unzip();
                    TemplateError::UnknownTag {
                        origin: origin.to_owned(),
                        tag,
                        line,
                        column,
                    }
                })?;
                (value, text.to_owned())
            }
        };
        let doc = TemplateDoc {
            origin: origin.to_owned(),
            syntax,
            body,
            value,
        };
        doc.check_shape()?;
        Ok(doc)
    }

    /// A template body that is already minified JSON (kumo's own synthesized stacks).
    pub fn from_minified_json(body: String, origin: &str) -> Result<TemplateDoc, TemplateError> {
        let value: Value = serde_json::from_str(&body).map_err(|e| TemplateError::Json {
            origin: origin.to_owned(),
            line: e.line(),
            column: e.column(),
            message: strip_serde_position(&e.to_string()),
        })?;
        let doc = TemplateDoc {
            origin: origin.to_owned(),
            syntax: Syntax::Json,
            body,
            value,
        };
        doc.check_shape()?;
        Ok(doc)
    }

    /// Parses a body read back from CloudFormation (`GetTemplate`), JSON or YAML.
    pub fn from_deployed(body: &str, stack: &str) -> Result<TemplateDoc, TemplateError> {
        let origin = format!("deployed template of {stack}");
        let syntax = if body.trim_start().starts_with('{') {
            Syntax::Json
        } else {
            Syntax::Yaml
        };
        Self::parse(body, &origin, syntax)
    }

    fn check_shape(&self) -> Result<(), TemplateError> {
        let shape = |message: &str| TemplateError::Shape {
            origin: self.origin.clone(),
            message: message.to_owned(),
        };
        let Some(root) = self.value.as_object() else {
            return Err(shape("the template is not a mapping"));
        };
        match root.get("Resources") {
            Some(Value::Object(resources)) if !resources.is_empty() => {}
            Some(Value::Object(_)) => return Err(shape("the Resources section is empty")),
            Some(_) => return Err(shape("Resources is not a mapping")),
            None => return Err(shape("the template has no Resources section")),
        }
        if let Some(parameters) = root.get("Parameters")
            && !parameters.is_object()
        {
            return Err(shape("Parameters is not a mapping"));
        }
        // CloudFormation's own limits, which it would only report after the upload.
        use kumo_core::validate::limits;
        if self.body.len() > limits::MAX_TEMPLATE_BYTES {
            return Err(shape(&format!(
                "the template is {} bytes as sent; CloudFormation accepts at most {} (split the stack, e.g. into \
                 nested stacks)",
                self.body.len(),
                limits::MAX_TEMPLATE_BYTES
            )));
        }
        for (section, max) in [
            ("Resources", limits::MAX_RESOURCES),
            ("Outputs", limits::MAX_OUTPUTS),
            ("Parameters", limits::MAX_PARAMETERS),
            ("Mappings", limits::MAX_MAPPINGS),
        ] {
            let count = root.get(section).and_then(Value::as_object).map_or(0, Map::len);
            if count > max {
                return Err(shape(&format!(
                    "{section} has {count} entries; CloudFormation allows at most {max} (split the stack, e.g. \
                     into nested stacks)"
                )));
            }
        }
        Ok(())
    }

    /// Each resource's literal tag keys (`Tags` as a list of `{Key, Value}` or as a map), for the
    /// per-resource tag limit.
    pub fn resource_tag_keys(&self) -> Vec<(String, Vec<String>)> {
        self.resources()
            .iter()
            .filter_map(|(id, resource)| {
                let keys: Vec<String> = match resource.get("Properties").and_then(|p| p.get("Tags")) {
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(|tag| tag.get("Key").and_then(Value::as_str).map(str::to_owned))
                        .collect(),
                    Some(Value::Object(map)) => map.keys().cloned().collect(),
                    _ => return None,
                };
                Some((id.clone(), keys))
            })
            .collect()
    }

    /// The file (or description) this template came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn syntax(&self) -> Syntax {
        self.syntax
    }

    /// The exact text sent as `TemplateBody` (or uploaded for `TemplateURL`).
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The parsed template, intrinsics in their long (`Fn::`) form.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// `Resources`, by logical id.
    pub fn resources(&self) -> &Map<String, Value> {
        self.value
            .get("Resources")
            .and_then(Value::as_object)
            .expect("checked when parsed")
    }

    /// Declared parameters, in template order.
    pub fn parameters(&self) -> Vec<ParameterDecl> {
        let Some(parameters) = self.value.get("Parameters").and_then(Value::as_object) else {
            return Vec::new();
        };
        parameters
            .iter()
            .map(|(name, decl)| ParameterDecl {
                name: name.clone(),
                has_default: decl.get("Default").is_some(),
                no_echo: decl
                    .get("NoEcho")
                    .is_some_and(|v| v == &Value::Bool(true) || v == "true"),
            })
            .collect()
    }

    /// Whether CloudFormation must run macros (`Transform` at the top, or `Fn::Transform` anywhere), which
    /// is what `CAPABILITY_AUTO_EXPAND` acknowledges.
    pub fn needs_auto_expand(&self) -> bool {
        fn has_fn_transform(value: &Value) -> bool {
            match value {
                Value::Object(map) => map.iter().any(|(k, v)| k == "Fn::Transform" || has_fn_transform(v)),
                Value::Array(items) => items.iter().any(has_fn_transform),
                _ => false,
            }
        }
        self.value.get("Transform").is_some() || has_fn_transform(&self.value)
    }
}

/// A template parameter as far as the engine cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParameterDecl {
    pub name: String,
    pub has_default: bool,
    pub no_echo: bool,
}

/// Template files larger than this are refused unread (16 times CloudFormation's 1 MiB limit, room for
/// any amount of indentation that minifying removes).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Deepest nesting accepted, as in the JSON and YAML parsers' own recursion limits (real templates nest
/// a dozen levels).
const MAX_NESTING: usize = 128;

/// Where YAML flow collections (`[`, `{`) first nest deeper than [`MAX_NESTING`], if they do. The YAML
/// parser's time grows with the square of that depth (100,000 brackets take minutes), so this linear
/// scan refuses such a file before it reaches the parser. Quoted strings and comments are skipped; a
/// block scalar holding brackets can only make it stricter, never let a deep file through.
fn too_deep_flow(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut in_comment = false;
    let mut previous = '\n';
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
            in_comment = false;
            previous = c;
            continue;
        }
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if in_comment => {}
            None => match c {
                '#' if previous.is_whitespace() => in_comment = true,
                '"' | '\'' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some((line, column));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        previous = c;
    }
    None
}

/// A JSON value parsed with duplicate object keys refused (with serde_json's line and column).
struct StrictJson(Value);

impl<'de> serde::Deserialize<'de> for StrictJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictJson)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!("duplicate key {key:?}")));
            }
            let StrictJson(value) = access.next_value()?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// serde's messages end in " at line L column C"; the position is reported separately.
fn strip_serde_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// Drops whitespace outside strings. Exact for valid JSON (which the caller has already checked): every
/// literal keeps its original spelling.
pub fn minify_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// Converts YAML to the JSON form of the template, expanding short-form tags. Returns the offending tag
/// on an unknown one.
fn yaml_to_json(yaml: serde_yaml_ng::Value) -> Result<Value, String> {
    use serde_yaml_ng::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(n.to_string()))
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Y::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_owned(),
                    other => serde_yaml_ng::to_string(&other).unwrap_or_default().trim().to_owned(),
                };
                map.insert(key, yaml_to_json(value)?);
            }
            Value::Object(map)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = yaml_to_json(tagged.value)?;
            let key = match name {
                "Ref" => "Ref".to_owned(),
                "Condition" => "Condition".to_owned(),
                _ if FN_TAGS.contains(&name) => format!("Fn::{name}"),
                _ => return Err(tag),
            };
            let inner = match (name, inner) {
                // `!GetAtt Resource.Attribute` is the scalar form of `[Resource, Attribute]`; attributes
                // may themselves contain dots (`Endpoint.Address`), the resource id never does.
                ("GetAtt", Value::String(path)) => match path.split_once('.') {
                    Some((resource, attribute)) => Value::Array(vec![resource.into(), attribute.into()]),
                    None => Value::String(path),
                },
                (_, inner) => inner,
            };
            let mut map = Map::new();
            map.insert(key, inner);
            Value::Object(map)
        }
    })
}

/// Line and column (1-based) of the first occurrence of `tag` in the text, for unknown-tag errors (the
/// YAML parser does not keep positions on values).
fn find_tag(text: &str, tag: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(index, line)| {
        line.match_indices(tag)
            .find(|(at, _)| {
                let end = at + tag.len();
                line[end..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_whitespace() || c == '[' || c == '{')
            })
            .map(|(at, _)| (index + 1, line[..at].chars().count() + 1))
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn deep_yaml_flow_nesting_is_refused_before_parsing() {
        let deep = format!("Resources: {}{}\n", "[".repeat(200), "]".repeat(200));
        let error = TemplateDoc::parse(&deep, "t.yaml", Syntax::Yaml)
            .unwrap_err()
            .to_string();
        assert_eq!(error, "t.yaml:1:140: invalid YAML: nested more than 128 levels deep");
        // Brackets in strings and comments do not count.
        let fine = format!(
            "Description: \"{}\" # {}\nResources:\n  L:\n    Type: AWS::Logs::LogGroup\n",
            "[".repeat(200),
            "{".repeat(200)
        );
        assert!(TemplateDoc::parse(&fine, "t.yaml", Syntax::Yaml).is_ok());
    }

    use super::*;

    const YAML: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env:
    Type: String
  Secret:
    Type: String
    NoEcho: true
    Default: x
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Sub '10.${Env}.0.0/16'
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      VpcId: !Ref Vpc
      GroupDescription: !Join [' ', [a, !GetAtt Vpc.CidrBlock]]
      Nested: !GetAtt Db.Endpoint.Address
Outputs:
  Id:
    Value: !If [IsProd, !Ref Vpc, !Ref AWS::NoValue]
";

    #[test]
    fn yaml_short_forms_become_long_forms_and_the_body_is_sent_as_written() {
        let doc = TemplateDoc::parse(YAML, "t.yaml", Syntax::Yaml).unwrap();
        assert_eq!(doc.body(), YAML);
        let sg = &doc.resources()["Sg"]["Properties"];
        assert_eq!(sg["VpcId"], serde_json::json!({"Ref": "Vpc"}));
        assert_eq!(
            sg["GroupDescription"],
            serde_json::json!({"Fn::Join": [" ", ["a", {"Fn::GetAtt": ["Vpc", "CidrBlock"]}]]})
        );
        assert_eq!(
            sg["Nested"],
            serde_json::json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]})
        );
        assert_eq!(
            doc.value()["Outputs"]["Id"]["Value"],
            serde_json::json!({"Fn::If": ["IsProd", {"Ref": "Vpc"}, {"Ref": "AWS::NoValue"}]})
        );
        let parameters = doc.parameters();
        assert_eq!(parameters.len(), 2);
        assert!(!parameters[0].has_default && !parameters[0].no_echo);
        assert!(parameters[1].has_default && parameters[1].no_echo);
        assert!(!doc.needs_auto_expand());
    }

    #[test]
    fn invalid_yaml_reports_line_and_column() {
        let text = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n   Properties: [\n";
        let error = TemplateDoc::parse(text, "bad.yaml", Syntax::Yaml).unwrap_err();
        let TemplateError::Yaml { line, column, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!((*line, *column), (4, 4), "{error}");
        assert!(error.to_string().starts_with("bad.yaml:4:4: invalid YAML: "), "{error}");
    }

    #[test]
    fn invalid_json_reports_line_and_column() {
        let text = "{\n  \"Resources\": {\n    \"Vpc\": {\"Type\": \"AWS::EC2::VPC\",}\n  }\n}\n";
        let error = TemplateDoc::parse(text, "bad.json", Syntax::Json).unwrap_err();
        assert_eq!(error.to_string(), "bad.json:3:37: invalid JSON: trailing comma");
    }

    #[test]
    fn unknown_tags_are_reported_with_their_position() {
        let text = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Bogus x\n";
        let error = TemplateDoc::parse(text, "t.yaml", Syntax::Yaml).unwrap_err();
        assert_eq!(error.to_string(), "t.yaml:5:18: unknown YAML tag !Bogus");
    }

    #[test]
    fn shape_errors_name_the_problem() {
        let cases = [
            ("[1, 2]", "the template is not a mapping"),
            ("{\"Resources\": {}}", "the Resources section is empty"),
            ("{\"Outputs\": {}}", "the template has no Resources section"),
            (
                "{\"Resources\": {\"A\": {}}, \"Parameters\": []}",
                "Parameters is not a mapping",
            ),
        ];
        for (text, expected) in cases {
            let error = TemplateDoc::parse(text, "t.json", Syntax::Json).unwrap_err();
            assert_eq!(error.to_string(), format!("t.json: {expected}"));
        }
    }

    #[test]
    fn json_is_minified_without_touching_literals() {
        let text = "{ \"Resources\" : {\n \"A\": { \"Type\": \"X\", \"Properties\": {\"Version\": 1.30, \"S\": \"a  \\\" b\", \"E\": 1e3 } } } }";
        let doc = TemplateDoc::parse(text, "t.json", Syntax::Json).unwrap();
        assert_eq!(
            doc.body(),
            r#"{"Resources":{"A":{"Type":"X","Properties":{"Version":1.30,"S":"a  \" b","E":1e3}}}}"#
        );
    }

    #[test]
    fn transforms_need_auto_expand() {
        let top = r#"{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"A": {"Type": "X"}}}"#;
        let inline = r#"{"Resources": {"A": {"Type": "X", "Properties": {"Fn::Transform": {"Name": "M"}}}}}"#;
        for text in [top, inline] {
            assert!(TemplateDoc::parse(text, "t", Syntax::Json).unwrap().needs_auto_expand());
        }
    }

    #[test]
    fn files_are_read_by_content_and_missing_files_are_named() {
        let dir = std::env::temp_dir().join(format!("kumo-template-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.template");
        std::fs::write(&path, "  {\"Resources\": {\"A\": {\"Type\": \"X\"}}}").unwrap();
        assert_eq!(TemplateDoc::from_file(&path).unwrap().syntax(), Syntax::Json);
        std::fs::write(&path, "Resources:\n  A:\n    Type: X\n").unwrap();
        assert_eq!(TemplateDoc::from_file(&path).unwrap().syntax(), Syntax::Yaml);
        let missing = TemplateDoc::from_file(&dir.join("nope.yaml")).unwrap_err();
        assert!(missing.to_string().contains("nope.yaml"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
