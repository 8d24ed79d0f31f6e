//! Turns a registry schema into a small type model: the resource's properties, the property-type structs
//! they use, and the rules validation needs.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::names;

/// The shape of a property value.
#[derive(Clone, Debug)]
pub enum Ty {
    Str(StrRules),
    Int(NumRules),
    Num(NumRules),
    Bool,
    List {
        item: Box<Ty>,
        min: Option<u64>,
        max: Option<u64>,
    },
    Map(Box<Ty>),
    /// Index into `Resolved::structs`.
    Struct(usize),
    /// A free-form JSON object (policy documents, ...), or a string of JSON.
    Json,
    /// Too branchy to describe (`oneOf` of different types): accepts any value.
    Any,
}

#[derive(Clone, Debug, Default)]
pub struct StrRules {
    pub enum_values: Vec<String>,
    pub pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
}

#[derive(Clone, Debug, Default)]
pub struct NumRules {
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Prop {
    pub name: String,
    pub ty: Ty,
    pub description: Option<String>,
    pub required: bool,
    /// Changing it replaces the resource (`createOnlyProperties`).
    pub create_only: bool,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub rust_name: String,
    pub cfn_name: String,
    pub description: Option<String>,
    pub props: Vec<Prop>,
    pub additional_properties: bool,
}

/// A resolved resource type.
pub struct Resolved {
    pub description: Option<String>,
    pub top: Object,
    pub structs: Vec<Object>,
    /// (attribute name, its type, description)
    pub attributes: Vec<(String, Ty, Option<String>)>,
    pub tags: &'static str,
}

struct Resolver<'s> {
    root: &'s Value,
    structs: Vec<Option<Object>>,
    by_pointer: HashMap<String, usize>,
    used_names: BTreeSet<String>,
}

/// Names every resource module defines besides its property types.
pub const MODULE_RESERVED: &[&str] = &[
    "SPEC", "OBJ", "Expr", "Props", "Str", "Int", "Num", "Bool", "List", "Map",
];

pub fn resolve(
    type_name: &str,
    schema: &Value,
    getatts: Option<&std::collections::BTreeMap<String, String>>,
) -> Resolved {
    let resource = names::type_ident(names::resource_name(type_name));
    let mut used_names: BTreeSet<String> = MODULE_RESERVED.iter().map(|s| s.to_string()).collect();
    used_names.insert(resource.clone());
    used_names.insert(format!("{resource}Attributes"));
    let mut r = Resolver {
        root: schema,
        structs: Vec::new(),
        by_pointer: HashMap::new(),
        used_names,
    };

    let read_only: BTreeSet<String> = pointers(schema, "readOnlyProperties");
    let create_only: BTreeSet<String> = pointers(schema, "createOnlyProperties");
    let required: BTreeSet<String> = strings(&schema["required"]);
    let mut props = Vec::new();
    for (name, node) in sorted(&schema["properties"]) {
        let pointer = format!("/properties/{name}");
        if read_only.contains(&pointer) {
            continue;
        }
        let ty = r.resolve(node, &pointer, name);
        props.push(Prop {
            name: name.clone(),
            ty,
            description: description(node, schema),
            required: required.contains(name),
            create_only: create_only.contains(&pointer),
        });
    }
    let top = Object {
        rust_name: resource,
        cfn_name: type_name.to_owned(),
        description: schema["description"].as_str().map(str::to_owned),
        props,
        additional_properties: schema["additionalProperties"] != Value::Bool(false),
    };
    // Attribute types are resolved like properties, but property types found only there (read-only
    // nested objects) are not emitted: accessors return them as plain expressions.
    let struct_count = r.structs.len();
    let attributes = getatts
        .map(|atts| {
            atts.iter()
                .map(|(name, pointer)| {
                    let node = property_at(schema, pointer);
                    let ty = node.map(|n| r.resolve(n, pointer, name)).unwrap_or(Ty::Any);
                    (name.clone(), ty, node.and_then(|n| description(n, schema)))
                })
                .collect()
        })
        .unwrap_or_default();
    r.structs.truncate(struct_count);
    let tags = tag_format(schema, &top, &r);
    Resolved {
        description: schema["description"].as_str().map(str::to_owned),
        top,
        structs: r
            .structs
            .into_iter()
            .map(|s| s.expect("every struct is filled in"))
            .collect(),
        attributes,
        tags,
    }
}

/// The schema node of a property path like `/properties/Endpoint/Address`, following `$ref`s.
fn property_at<'s>(root: &'s Value, pointer: &str) -> Option<&'s Value> {
    let mut node = root;
    for segment in pointer.trim_start_matches("/properties/").split('/') {
        node = follow(root, node);
        node = node.get("properties")?.get(segment)?;
    }
    Some(node)
}

fn follow<'s>(root: &'s Value, node: &'s Value) -> &'s Value {
    let mut node = node;
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => match root.pointer(r.trim_start_matches('#')) {
                Some(target) => node = target,
                None => break,
            },
            None => break,
        }
    }
    node
}

fn description(node: &Value, root: &Value) -> Option<String> {
    node.get("description")
        .or_else(|| follow(root, node).get("description"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
}

fn pointers(schema: &Value, key: &str) -> BTreeSet<String> {
    strings(&schema[key])
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn sorted(value: &Value) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = value.as_object().into_iter().flatten().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn u64_of(node: &Value, key: &str) -> Option<u64> {
    node.get(key)
        .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)))
}

impl Resolver<'_> {
    fn resolve(&mut self, node: &Value, pointer: &str, hint: &str) -> Ty {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let target_pointer = reference.trim_start_matches('#').to_owned();
            if let Some(&index) = self.by_pointer.get(&target_pointer) {
                return Ty::Struct(index);
            }
            let Some(target) = self.root.pointer(&target_pointer) else {
                return Ty::Any;
            };
            let name = target_pointer.rsplit('/').next().unwrap_or(hint).to_owned();
            return self.resolve(target, &target_pointer, &name);
        }
        let types: Vec<&str> = match node.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        match types.as_slice() {
            ["string"] => Ty::Str(self.str_rules(node)),
            ["integer"] => Ty::Int(num_rules(node)),
            ["number"] => Ty::Num(num_rules(node)),
            ["boolean"] => Ty::Bool,
            ["array"] => self.array(node, pointer, hint),
            ["object"] => self.object(node, pointer, hint),
            [] if node.get("properties").is_some() => self.object(node, pointer, hint),
            [] if node.get("items").is_some() => self.array(node, pointer, hint),
            [] if node.get("enum").is_some() => Ty::Str(self.str_rules(node)),
            [] => Ty::Any,
            // CloudFormation accepts strings for numbers and booleans; these unions say so explicitly.
            many if many.contains(&"object") => Ty::Json,
            many if many.iter().all(|t| ["integer", "string"].contains(t)) => Ty::Int(num_rules(node)),
            many if many.iter().all(|t| ["number", "integer", "string"].contains(t)) => Ty::Num(num_rules(node)),
            many if many.iter().all(|t| ["boolean", "string"].contains(t)) => Ty::Bool,
            _ => Ty::Any,
        }
    }

    fn str_rules(&self, node: &Value) -> StrRules {
        let case_insensitive = node
            .get("enumCaseInsensitive")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        StrRules {
            // Case-insensitive enums would need their own comparison; their values stay in the docs.
            enum_values: if case_insensitive {
                Vec::new()
            } else {
                node.get("enum")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect()
            },
            pattern: node.get("pattern").and_then(Value::as_str).map(str::to_owned),
            min_length: u64_of(node, "minLength"),
            max_length: u64_of(node, "maxLength"),
        }
    }

    fn array(&mut self, node: &Value, pointer: &str, hint: &str) -> Ty {
        let item = match node.get("items") {
            Some(items @ Value::Object(_)) => self.resolve(items, &format!("{pointer}/items"), hint),
            _ => Ty::Any,
        };
        Ty::List {
            item: Box::new(item),
            min: u64_of(node, "minItems"),
            max: u64_of(node, "maxItems"),
        }
    }

    fn object(&mut self, node: &Value, pointer: &str, hint: &str) -> Ty {
        let has_props = node
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        if !has_props {
            if let Some(patterns) = node.get("patternProperties").and_then(Value::as_object)
                && let Some((_, value_schema)) = patterns.iter().next()
            {
                let value = self.resolve(value_schema, &format!("{pointer}/patternProperties"), hint);
                return Ty::Map(Box::new(value));
            }
            if let Some(additional @ Value::Object(_)) = node.get("additionalProperties") {
                let value = self.resolve(additional, &format!("{pointer}/additionalProperties"), hint);
                return Ty::Map(Box::new(value));
            }
            return Ty::Json;
        }
        // Register before descending: property types can be recursive (WAFv2 statements, ...).
        let index = self.structs.len();
        self.structs.push(None);
        self.by_pointer.insert(pointer.to_owned(), index);
        let rust_name = self.unique_name(hint);
        let required = strings(&node["required"]);
        let mut props = Vec::new();
        for (name, sub) in sorted(&node["properties"]) {
            let ty = self.resolve(sub, &format!("{pointer}/properties/{name}"), name);
            props.push(Prop {
                name: name.clone(),
                ty,
                description: description(sub, self.root),
                required: required.contains(name),
                create_only: false,
            });
        }
        self.structs[index] = Some(Object {
            rust_name,
            cfn_name: hint.to_owned(),
            description: node.get("description").and_then(Value::as_str).map(str::to_owned),
            props,
            additional_properties: node.get("additionalProperties") != Some(&Value::Bool(false)),
        });
        Ty::Struct(index)
    }

    fn unique_name(&mut self, hint: &str) -> String {
        let base = names::type_ident(hint);
        let base = if base.is_empty() { "Property".to_owned() } else { base };
        let mut candidate = base.clone();
        let mut n = 1;
        while self.used_names.contains(&candidate) {
            candidate = if n == 1 {
                format!("{base}Property")
            } else {
                format!("{base}Property{n}")
            };
            n += 1;
        }
        self.used_names.insert(candidate.clone());
        candidate
    }
}

fn num_rules(node: &Value) -> NumRules {
    NumRules {
        minimum: node.get("minimum").and_then(Value::as_f64),
        maximum: node.get("maximum").and_then(Value::as_f64),
    }
}

/// How kumo can add tags to this type: only the common `Tags` property, as a list of `{Key, Value}` or
/// as a string map.
fn tag_format(schema: &Value, top: &Object, r: &Resolver<'_>) -> &'static str {
    let tagging = &schema["tagging"];
    let taggable = tagging["taggable"]
        .as_bool()
        .or_else(|| schema["taggable"].as_bool())
        .unwrap_or(false);
    let property = tagging["tagProperty"].as_str().unwrap_or("/properties/Tags");
    if !taggable || property != "/properties/Tags" {
        return "None";
    }
    let Some(tags) = top.props.iter().find(|p| p.name == "Tags") else {
        return "None";
    };
    match &tags.ty {
        Ty::List { item, .. } => match item.as_ref() {
            Ty::Struct(i) => {
                let object = r.structs[*i].as_ref().expect("filled");
                let has = |n: &str| object.props.iter().any(|p| p.name == n && matches!(p.ty, Ty::Str(_)));
                if has("Key") && has("Value") { "List" } else { "None" }
            }
            _ => "None",
        },
        Ty::Map(value) if matches!(value.as_ref(), Ty::Str(_)) => "Map",
        _ => "None",
    }
}
