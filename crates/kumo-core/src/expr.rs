//! The untyped value tree of a template: JSON literals plus every CloudFormation intrinsic function.
//!
//! [`Expr`] is what properties, outputs, conditions and metadata are made of. The typed wrappers in
//! [`crate::value`] ([`Str`](crate::Str), [`Int`](crate::Int), [`List`](crate::List), ...) wrap an `Expr`
//! so that generated L1 setters can say which kind of value they accept, while the template itself stays
//! one simple tree.
//!
//! Serialization writes the long (JSON) form of every intrinsic, which is valid in both JSON and YAML
//! templates. [`Expr::from_json`] reads it back, so `Expr -> JSON -> Expr` is the identity.

use indexmap::IndexMap;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// A template value: a JSON literal or an intrinsic function.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    List(Vec<Expr>),
    /// A literal object. Keys keep insertion order (policy documents read `Version`, `Statement`, ...).
    Object(IndexMap<String, Expr>),
    /// `{"Ref": name}`: a resource, a parameter or a pseudo parameter.
    Ref(String),
    /// `{"Fn::GetAtt": [logical_id, attribute]}`.
    GetAtt {
        logical_id: String,
        attribute: String,
    },
    /// `{"Fn::Sub": template}` or, with variables, `{"Fn::Sub": [template, {variables}]}`.
    Sub {
        template: String,
        variables: IndexMap<String, Expr>,
    },
    /// `{"Fn::Join": [delimiter, values]}`; `values` is a list literal or a list-valued intrinsic.
    Join {
        delimiter: String,
        values: Box<Expr>,
    },
    /// `{"Fn::Select": [index, list]}`.
    Select {
        index: Box<Expr>,
        list: Box<Expr>,
    },
    /// `{"Fn::Split": [delimiter, source]}`.
    Split {
        delimiter: String,
        source: Box<Expr>,
    },
    /// `{"Fn::GetAZs": region}`; an empty string means the stack's region.
    GetAzs(Box<Expr>),
    /// `{"Fn::If": [condition, then, otherwise]}`.
    If {
        condition: String,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `{"Fn::Equals": [a, b]}`.
    Equals(Box<Expr>, Box<Expr>),
    /// `{"Fn::And": [..]}`.
    And(Vec<Expr>),
    /// `{"Fn::Or": [..]}`.
    Or(Vec<Expr>),
    /// `{"Fn::Not": [c]}`.
    Not(Box<Expr>),
    /// `{"Condition": name}`: reference to a named condition inside a condition expression.
    Condition(String),
    /// `{"Fn::ImportValue": name}`.
    ImportValue(Box<Expr>),
    /// `{"Fn::Base64": value}`.
    Base64(Box<Expr>),
    /// `{"Fn::Cidr": [ip_block, count, cidr_bits]}`.
    Cidr {
        ip_block: Box<Expr>,
        count: Box<Expr>,
        cidr_bits: Box<Expr>,
    },
    /// `{"Fn::FindInMap": [map, top_level_key, second_level_key]}`.
    FindInMap {
        map: Box<Expr>,
        top_key: Box<Expr>,
        second_key: Box<Expr>,
    },
}

/// See [`Expr::rewrite_references`]: the `Fn::Sub` placeholders that carry a handle's owner mark.
fn rewrite_marked_placeholders(
    template: &str,
    variables: &mut IndexMap<String, Expr>,
    replace: &mut dyn FnMut(&str, Option<&str>) -> Option<Expr>,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        rest = &after[end + 1..];
        if !inner.contains(crate::resource::OWNER_MARK) {
            out.push_str("${");
            out.push_str(inner);
            out.push('}');
            continue;
        }
        let (name, attribute) = match inner.split_once('.') {
            Some((name, attribute)) => (name, Some(attribute)),
            None => (inner, None),
        };
        let placeholder = match replace(name, attribute) {
            Some(Expr::Ref(id)) => id,
            Some(Expr::GetAtt { logical_id, attribute }) => format!("{logical_id}.{attribute}"),
            Some(other) => {
                let (id, _) = crate::resource::split_owner(name);
                let mut variable = id.to_owned();
                variable.extend(
                    attribute
                        .unwrap_or_default()
                        .chars()
                        .filter(char::is_ascii_alphanumeric),
                );
                variable.push_str("Imported");
                variables.insert(variable.clone(), other);
                variable
            }
            None => inner.to_owned(),
        };
        out.push_str("${");
        out.push_str(&placeholder);
        out.push('}');
    }
    out.push_str(rest);
    out
}

/// The intrinsic function names kumo models, as they appear as the single key of a JSON object.
pub const INTRINSIC_KEYS: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::GetAZs",
    "Fn::If",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Condition",
    "Fn::ImportValue",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::FindInMap",
];

/// A reference found inside an expression (see [`Expr::visit_references`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference<'a> {
    /// `Ref` or `${Name}` in `Fn::Sub`.
    Ref(&'a str),
    /// `Fn::GetAtt` or `${Name.Attr}` in `Fn::Sub`.
    GetAtt(&'a str, &'a str),
    /// `Fn::If` or `{"Condition": ..}`.
    Condition(&'a str),
    /// `Fn::FindInMap` with a literal map name.
    Mapping(&'a str),
}

impl Expr {
    /// `true` for every intrinsic function (anything whose value is only known to CloudFormation).
    pub fn is_intrinsic(&self) -> bool {
        !matches!(
            self,
            Expr::Null | Expr::Bool(_) | Expr::Number(_) | Expr::String(_) | Expr::List(_) | Expr::Object(_)
        )
    }

    /// `true` when this value, or anything inside it, is an intrinsic function.
    pub fn contains_intrinsic(&self) -> bool {
        match self {
            Expr::List(items) => items.iter().any(Expr::contains_intrinsic),
            Expr::Object(map) => map.values().any(Expr::contains_intrinsic),
            other => other.is_intrinsic(),
        }
    }

    /// A short name of the value's kind, for error messages ("string", "Fn::Sub", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Expr::Null => "null",
            Expr::Bool(_) => "boolean",
            Expr::Number(_) => "number",
            Expr::String(_) => "string",
            Expr::List(_) => "array",
            Expr::Object(_) => "object",
            Expr::Ref(_) => "Ref",
            Expr::GetAtt { .. } => "Fn::GetAtt",
            Expr::Sub { .. } => "Fn::Sub",
            Expr::Join { .. } => "Fn::Join",
            Expr::Select { .. } => "Fn::Select",
            Expr::Split { .. } => "Fn::Split",
            Expr::GetAzs(_) => "Fn::GetAZs",
            Expr::If { .. } => "Fn::If",
            Expr::Equals(..) => "Fn::Equals",
            Expr::And(_) => "Fn::And",
            Expr::Or(_) => "Fn::Or",
            Expr::Not(_) => "Fn::Not",
            Expr::Condition(_) => "Condition",
            Expr::ImportValue(_) => "Fn::ImportValue",
            Expr::Base64(_) => "Fn::Base64",
            Expr::Cidr { .. } => "Fn::Cidr",
            Expr::FindInMap { .. } => "Fn::FindInMap",
        }
    }

    /// Calls `visit` for every reference to a resource, parameter, condition or mapping inside this value,
    /// including the `${Name}` / `${Name.Attribute}` placeholders of `Fn::Sub` (minus its own variables).
    pub fn visit_references<'a>(&'a self, visit: &mut dyn FnMut(Reference<'a>)) {
        match self {
            Expr::Null | Expr::Bool(_) | Expr::Number(_) | Expr::String(_) => {}
            Expr::List(items) | Expr::And(items) | Expr::Or(items) => {
                items.iter().for_each(|item| item.visit_references(visit))
            }
            Expr::Object(map) => map.values().for_each(|item| item.visit_references(visit)),
            Expr::Ref(name) => visit(Reference::Ref(name)),
            Expr::GetAtt { logical_id, attribute } => visit(Reference::GetAtt(logical_id, attribute)),
            Expr::Sub { template, variables } => {
                for placeholder in sub_placeholders(template) {
                    let (name, attribute) = match placeholder.split_once('.') {
                        Some((name, attribute)) => (name, Some(attribute)),
                        None => (placeholder, None),
                    };
                    if variables.contains_key(placeholder) || variables.contains_key(name) {
                        continue;
                    }
                    match attribute {
                        Some(attribute) => visit(Reference::GetAtt(name, attribute)),
                        None => visit(Reference::Ref(name)),
                    }
                }
                variables.values().for_each(|value| value.visit_references(visit));
            }
            Expr::Join { values, .. } => values.visit_references(visit),
            Expr::Select { index, list } => {
                index.visit_references(visit);
                list.visit_references(visit);
            }
            Expr::Split { source, .. } => source.visit_references(visit),
            Expr::GetAzs(region) => region.visit_references(visit),
            Expr::If {
                condition,
                then,
                otherwise,
            } => {
                visit(Reference::Condition(condition));
                then.visit_references(visit);
                otherwise.visit_references(visit);
            }
            Expr::Equals(a, b) => {
                a.visit_references(visit);
                b.visit_references(visit);
            }
            Expr::Not(inner) | Expr::ImportValue(inner) | Expr::Base64(inner) => inner.visit_references(visit),
            Expr::Condition(name) => visit(Reference::Condition(name)),
            Expr::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => {
                ip_block.visit_references(visit);
                count.visit_references(visit);
                cidr_bits.visit_references(visit);
            }
            Expr::FindInMap {
                map,
                top_key,
                second_key,
            } => {
                match map.as_ref() {
                    Expr::String(name) => visit(Reference::Mapping(name)),
                    other => other.visit_references(visit),
                }
                top_key.visit_references(visit);
                second_key.visit_references(visit);
            }
        }
    }

    /// Replaces every `Ref` / `Fn::GetAtt` (name, attribute) for which `replace` returns a value, anywhere
    /// inside this value (`Fn::Sub` variables included; its template string is left as written).
    pub fn rewrite_references(&mut self, replace: &mut dyn FnMut(&str, Option<&str>) -> Option<Expr>) {
        let new = match self {
            Expr::Null | Expr::Bool(_) | Expr::Number(_) | Expr::String(_) | Expr::Condition(_) => None,
            Expr::Ref(name) => replace(name, None),
            Expr::GetAtt { logical_id, attribute } => replace(logical_id, Some(attribute)),
            Expr::List(items) | Expr::And(items) | Expr::Or(items) => {
                items.iter_mut().for_each(|item| item.rewrite_references(replace));
                None
            }
            Expr::Object(map) => {
                map.values_mut().for_each(|item| item.rewrite_references(replace));
                None
            }
            Expr::Sub { template, variables } => {
                variables.values_mut().for_each(|item| item.rewrite_references(replace));
                // `${Name}` / `${Name.Attribute}` placeholders written from a handle's expression carry
                // its owner mark: a replacement that is not a plain reference becomes a variable.
                if template.contains(crate::resource::OWNER_MARK) {
                    *template = rewrite_marked_placeholders(template, variables, replace);
                }
                None
            }
            Expr::Join { values: inner, .. }
            | Expr::Split { source: inner, .. }
            | Expr::GetAzs(inner)
            | Expr::Not(inner)
            | Expr::ImportValue(inner)
            | Expr::Base64(inner) => {
                inner.rewrite_references(replace);
                None
            }
            Expr::Select { index: a, list: b }
            | Expr::Equals(a, b)
            | Expr::If {
                then: a, otherwise: b, ..
            } => {
                a.rewrite_references(replace);
                b.rewrite_references(replace);
                None
            }
            Expr::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => {
                ip_block.rewrite_references(replace);
                count.rewrite_references(replace);
                cidr_bits.rewrite_references(replace);
                None
            }
            Expr::FindInMap {
                map,
                top_key,
                second_key,
            } => {
                map.rewrite_references(replace);
                top_key.rewrite_references(replace);
                second_key.rewrite_references(replace);
                None
            }
        };
        if let Some(new) = new {
            *self = new;
        }
    }

    /// Reads a JSON value, turning every single-key object whose key is an intrinsic function name into
    /// that intrinsic. Malformed intrinsics (wrong arity, wrong argument kinds) are kept as plain objects,
    /// so the function never fails; [`Expr::from_json`] then `to_json` gives back the same JSON.
    pub fn from_json(value: &serde_json::Value) -> Expr {
        use serde_json::Value as J;
        match value {
            J::Null => Expr::Null,
            J::Bool(b) => Expr::Bool(*b),
            J::Number(n) => Expr::Number(n.clone()),
            J::String(s) => Expr::String(s.clone()),
            J::Array(items) => Expr::List(items.iter().map(Expr::from_json).collect()),
            J::Object(map) => {
                if map.len() == 1
                    && let Some((key, argument)) = map.iter().next()
                    && let Some(expr) = parse_intrinsic(key, argument)
                {
                    return expr;
                }
                Expr::Object(map.iter().map(|(k, v)| (k.clone(), Expr::from_json(v))).collect())
            }
        }
    }

    /// The JSON form of this value (long-form intrinsics).
    #[allow(
        clippy::expect_used,
        reason = "serde_json fails only on non-string map keys or a failing Serialize impl; this data has neither"
    )]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("an Expr always serializes")
    }
}

/// The placeholders of an `Fn::Sub` template: `${Name}` and `${Name.Attr}`; `${!Literal}` is skipped.
pub fn sub_placeholders(template: &str) -> impl Iterator<Item = &str> {
    let mut rest = template;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("${")?;
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            let inner = &after[..end];
            rest = &after[end + 1..];
            if inner.starts_with('!') {
                continue;
            }
            return Some(inner.trim());
        }
    })
}

fn parse_intrinsic(key: &str, argument: &serde_json::Value) -> Option<Expr> {
    use serde_json::Value as J;
    let boxed = |v: &J| Box::new(Expr::from_json(v));
    let args = |n: usize| argument.as_array().filter(|a| a.len() == n);
    let string = |v: &J| v.as_str().map(str::to_owned);
    Some(match key {
        "Ref" => Expr::Ref(string(argument)?),
        "Fn::GetAtt" => match argument {
            J::Array(parts) if parts.len() == 2 => Expr::GetAtt {
                logical_id: string(&parts[0])?,
                attribute: string(&parts[1])?,
            },
            // The short `"Logical.Attr"` string form is accepted on input.
            J::String(dotted) => {
                let (logical_id, attribute) = dotted.split_once('.')?;
                Expr::GetAtt {
                    logical_id: logical_id.to_owned(),
                    attribute: attribute.to_owned(),
                }
            }
            _ => return None,
        },
        "Fn::Sub" => match argument {
            J::String(template) => Expr::Sub {
                template: template.clone(),
                variables: IndexMap::new(),
            },
            J::Array(parts) if parts.len() == 2 => {
                let variables = parts[1].as_object()?;
                if variables.is_empty() {
                    // `[template, {}]` would not round-trip to the same JSON; keep it literal.
                    return None;
                }
                Expr::Sub {
                    template: string(&parts[0])?,
                    variables: variables.iter().map(|(k, v)| (k.clone(), Expr::from_json(v))).collect(),
                }
            }
            _ => return None,
        },
        "Fn::Join" => {
            let parts = args(2)?;
            Expr::Join {
                delimiter: string(&parts[0])?,
                values: boxed(&parts[1]),
            }
        }
        "Fn::Select" => {
            let parts = args(2)?;
            Expr::Select {
                index: boxed(&parts[0]),
                list: boxed(&parts[1]),
            }
        }
        "Fn::Split" => {
            let parts = args(2)?;
            Expr::Split {
                delimiter: string(&parts[0])?,
                source: boxed(&parts[1]),
            }
        }
        "Fn::GetAZs" => Expr::GetAzs(boxed(argument)),
        "Fn::If" => {
            let parts = args(3)?;
            Expr::If {
                condition: string(&parts[0])?,
                then: boxed(&parts[1]),
                otherwise: boxed(&parts[2]),
            }
        }
        "Fn::Equals" => {
            let parts = args(2)?;
            Expr::Equals(boxed(&parts[0]), boxed(&parts[1]))
        }
        "Fn::And" => Expr::And(argument.as_array()?.iter().map(Expr::from_json).collect()),
        "Fn::Or" => Expr::Or(argument.as_array()?.iter().map(Expr::from_json).collect()),
        "Fn::Not" => Expr::Not(boxed(&args(1)?[0])),
        "Condition" => Expr::Condition(string(argument)?),
        "Fn::ImportValue" => Expr::ImportValue(boxed(argument)),
        "Fn::Base64" => Expr::Base64(boxed(argument)),
        "Fn::Cidr" => {
            let parts = args(3)?;
            Expr::Cidr {
                ip_block: boxed(&parts[0]),
                count: boxed(&parts[1]),
                cidr_bits: boxed(&parts[2]),
            }
        }
        "Fn::FindInMap" => {
            let parts = args(3)?;
            Expr::FindInMap {
                map: boxed(&parts[0]),
                top_key: boxed(&parts[1]),
                second_key: boxed(&parts[2]),
            }
        }
        _ => return None,
    })
}

/// Serializes `{key: argument}`.
fn single<S: Serializer, T: Serialize + ?Sized>(serializer: S, key: &str, argument: &T) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(key, argument)?;
    map.end()
}

/// One argument of an intrinsic's argument list: a plain string or a nested value.
enum Arg<'a> {
    S(&'a str),
    E(&'a Expr),
    M(&'a IndexMap<String, Expr>),
}

impl Serialize for Arg<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Arg::S(s) => serializer.serialize_str(s),
            Arg::E(e) => e.serialize(serializer),
            Arg::M(m) => m.serialize(serializer),
        }
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Expr::Null => serializer.serialize_unit(),
            Expr::Bool(b) => serializer.serialize_bool(*b),
            Expr::Number(n) => n.serialize(serializer),
            // A handle's id formatted into a literal (not the way to reference it, but possible) is
            // written without its owner mark.
            Expr::String(s) => serializer.serialize_str(&crate::resource::strip_owner_marks(s)),
            Expr::List(items) => items.serialize(serializer),
            Expr::Object(map) => map.serialize(serializer),
            // A handle's owner mark (see `resource::owned_id`) is never written out.
            Expr::Ref(name) => single(serializer, "Ref", crate::resource::split_owner(name).0),
            Expr::GetAtt { logical_id, attribute } => single(
                serializer,
                "Fn::GetAtt",
                &[Arg::S(crate::resource::split_owner(logical_id).0), Arg::S(attribute)],
            ),
            Expr::Sub { template, variables } if variables.is_empty() => {
                single(serializer, "Fn::Sub", &crate::resource::strip_owner_marks(template))
            }
            Expr::Sub { template, variables } => single(
                serializer,
                "Fn::Sub",
                &[Arg::S(&crate::resource::strip_owner_marks(template)), Arg::M(variables)],
            ),
            Expr::Join { delimiter, values } => single(serializer, "Fn::Join", &[Arg::S(delimiter), Arg::E(values)]),
            Expr::Select { index, list } => single(serializer, "Fn::Select", &[Arg::E(index), Arg::E(list)]),
            Expr::Split { delimiter, source } => single(serializer, "Fn::Split", &[Arg::S(delimiter), Arg::E(source)]),
            Expr::GetAzs(region) => single(serializer, "Fn::GetAZs", region),
            Expr::If {
                condition,
                then,
                otherwise,
            } => single(
                serializer,
                "Fn::If",
                &[Arg::S(condition), Arg::E(then), Arg::E(otherwise)],
            ),
            Expr::Equals(a, b) => single(serializer, "Fn::Equals", &[Arg::E(a), Arg::E(b)]),
            Expr::And(items) => single(serializer, "Fn::And", items),
            Expr::Or(items) => single(serializer, "Fn::Or", items),
            Expr::Not(inner) => single(serializer, "Fn::Not", &[Arg::E(inner)]),
            Expr::Condition(name) => single(serializer, "Condition", name),
            Expr::ImportValue(inner) => single(serializer, "Fn::ImportValue", inner),
            Expr::Base64(inner) => single(serializer, "Fn::Base64", inner),
            Expr::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => single(
                serializer,
                "Fn::Cidr",
                &[Arg::E(ip_block), Arg::E(count), Arg::E(cidr_bits)],
            ),
            Expr::FindInMap {
                map,
                top_key,
                second_key,
            } => single(
                serializer,
                "Fn::FindInMap",
                &[Arg::E(map), Arg::E(top_key), Arg::E(second_key)],
            ),
        }
    }
}

// Literal conversions. Typed wrappers (`Str`, `Int`, ...) convert into `Expr` in `value.rs`.
impl From<&str> for Expr {
    fn from(value: &str) -> Self {
        Expr::String(value.to_owned())
    }
}
impl From<String> for Expr {
    fn from(value: String) -> Self {
        Expr::String(value)
    }
}
impl From<&String> for Expr {
    fn from(value: &String) -> Self {
        Expr::String(value.clone())
    }
}
impl From<bool> for Expr {
    fn from(value: bool) -> Self {
        Expr::Bool(value)
    }
}
macro_rules! expr_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Expr {
            fn from(value: $t) -> Self {
                Expr::Number(value.into())
            }
        }
    )*};
}
expr_from_int!(i8, i16, i32, i64, u8, u16, u32, u64, usize);
impl From<f64> for Expr {
    /// Non-finite numbers have no JSON form and become `null` (which validation then reports).
    fn from(value: f64) -> Self {
        serde_json::Number::from_f64(value).map_or(Expr::Null, Expr::Number)
    }
}
impl From<serde_json::Value> for Expr {
    fn from(value: serde_json::Value) -> Self {
        Expr::from_json(&value)
    }
}
impl From<&serde_json::Value> for Expr {
    fn from(value: &serde_json::Value) -> Self {
        Expr::from_json(value)
    }
}
impl<T: Into<Expr>> From<Vec<T>> for Expr {
    fn from(values: Vec<T>) -> Self {
        Expr::List(values.into_iter().map(Into::into).collect())
    }
}
impl<K: Into<String>, V: Into<Expr>> FromIterator<(K, V)> for Expr {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Expr::Object(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}
