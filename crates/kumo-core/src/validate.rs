//! Synth-time validation: everything CloudFormation (or cfn-lint) would reject that kumo can know without
//! calling AWS. Each [`Diagnostic`] names the logical id and the property path.
//!
//! Checked: template limits, logical id rules, dangling `Ref` / `Fn::GetAtt` / `Fn::Sub` references,
//! unknown conditions and mappings, dependency cycles, `Fn::GetAtt` attributes the type does not have,
//! and, for types with a schema-derived [`ResourceSpec`]: unknown properties, missing required properties,
//! wrong types, enum / pattern / length / range / item-count violations. Values computed by intrinsic
//! functions are skipped (only CloudFormation knows them).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use indexmap::{IndexMap, IndexSet};
use regex::Regex;

use crate::expr::{Expr, Reference};
use crate::fns::pseudo;
use crate::logical_id;
use crate::spec::{NumberRules, ObjectSpec, ResourceSpec, Shape, StringRules};
use crate::template::Template;

/// CloudFormation's quotas that a template can break on its own.
pub mod limits {
    /// Resources per template.
    pub const MAX_RESOURCES: usize = 500;
    /// Outputs per template.
    pub const MAX_OUTPUTS: usize = 200;
    /// Parameters per template.
    pub const MAX_PARAMETERS: usize = 200;
    /// Mappings per template.
    pub const MAX_MAPPINGS: usize = 200;
    /// Template body size when uploaded through S3 (`TemplateURL`), in bytes.
    pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;
    /// Template body size when sent inline (`TemplateBody`), in bytes. Not an error: above it, the
    /// deploy engine stages the template in S3.
    pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;
}

/// What kind of problem a diagnostic reports (stable, for matching in tests and tooling).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagnosticKind {
    DuplicateLogicalId,
    InvalidLogicalId,
    DanglingReference,
    DependencyCycle,
    UnknownAttribute,
    UnknownCondition,
    UnknownMapping,
    InvalidConditionReference,
    UnknownProperty,
    MissingRequiredProperty,
    WrongType,
    NotInEnum,
    PatternMismatch,
    LengthOutOfRange,
    ValueOutOfRange,
    ItemCountOutOfRange,
    LimitExceeded,
    /// An L2 construct was given props it cannot honour ([`Diagnostic::invalid_props`]).
    InvalidProps,
    /// A security waiver without a reason, or one that cannot be attached to its resource.
    InvalidWaiver,
    /// A handle of another stack used in this one, outside an [`App`](crate::app::App) that wires it.
    CrossStackReference,
}

/// One problem found at synth time.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    /// The resource (or output, parameter, condition) the problem is in; for
    /// [`DiagnosticKind::InvalidProps`], the construct's path (`Network/VPC`).
    pub logical_id: Option<String>,
    /// Where inside it, e.g. `Properties.LaunchTemplateData.MetadataOptions.HttpTokens`; for
    /// [`DiagnosticKind::InvalidProps`], the prop (`max_azs`).
    pub path: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(kind: DiagnosticKind, logical_id: Option<&str>, path: Option<String>, message: &str) -> Self {
        Diagnostic {
            kind,
            logical_id: logical_id.map(str::to_owned),
            path,
            message: message.to_owned(),
        }
    }

    /// A construct at `construct` (its path, `Network/VPC`) was given a `prop` it cannot honour.
    pub fn invalid_props(construct: impl Into<String>, prop: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            kind: DiagnosticKind::InvalidProps,
            logical_id: Some(construct.into()),
            path: Some(prop.into()).filter(|p: &String| !p.is_empty()),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = &self.logical_id {
            write!(f, "{id}: ")?;
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Synthesis failed; every problem found is listed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("stack {stack} has {count} problem{s}:\n{list}", count = diagnostics.len(), s = if diagnostics.len() == 1 { "" } else { "s" }, list = render(diagnostics))]
pub struct SynthError {
    pub stack: String,
    pub diagnostics: Vec<Diagnostic>,
}

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("  - {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Validates a synthesized template. `spec_of` gives the spec of a resource by logical id, if known.
pub(crate) fn validate(
    template: &Template,
    spec_of: &dyn Fn(&str) -> Option<&'static ResourceSpec>,
) -> Vec<Diagnostic> {
    let mut v = Validator {
        template,
        diagnostics: Vec::new(),
        path: Vec::new(),
    };
    v.limits();
    v.names();
    let graph = v.references(spec_of);
    v.cycles(&graph);
    for (id, resource) in &template.resources {
        if let Some(spec) = spec_of(id) {
            v.path.clear();
            v.path.push(Seg::Key("Properties"));
            let entries: Vec<(&str, &Expr)> = resource.properties.iter().collect();
            v.check_object(id, &entries, spec.properties, spec.type_name);
        }
    }
    v.diagnostics
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

struct Validator<'t> {
    template: &'t Template,
    diagnostics: Vec<Diagnostic>,
    path: Vec<Seg<'t>>,
}

/// An edge of the dependency graph: `from` needs `to`, because of what is at `via`.
type Graph<'t> = IndexMap<&'t str, Vec<(&'t str, String)>>;

impl<'t> Validator<'t> {
    fn path_string(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    fn report(&mut self, kind: DiagnosticKind, id: &str, message: String) {
        let path = (!self.path.is_empty()).then(|| self.path_string());
        self.diagnostics.push(Diagnostic {
            kind,
            logical_id: Some(id.to_owned()),
            path,
            message,
        });
    }

    fn limits(&mut self) {
        let t = self.template;
        let checks = [
            ("resources", t.resources.len(), limits::MAX_RESOURCES),
            ("outputs", t.outputs.len(), limits::MAX_OUTPUTS),
            ("parameters", t.parameters.len(), limits::MAX_PARAMETERS),
            ("mappings", t.mappings.len(), limits::MAX_MAPPINGS),
        ];
        for (what, count, max) in checks {
            if count > max {
                self.diagnostics.push(Diagnostic::new(
                    DiagnosticKind::LimitExceeded,
                    None,
                    None,
                    &format!("the template has {count} {what}; CloudFormation allows at most {max} (split the stack)"),
                ));
            }
        }
        let bytes = serialized_len(t);
        if bytes > limits::MAX_TEMPLATE_BYTES {
            self.diagnostics.push(Diagnostic::new(
                DiagnosticKind::LimitExceeded,
                None,
                None,
                &format!(
                    "the template is {bytes} bytes minified; CloudFormation accepts at most {} (split the stack)",
                    limits::MAX_TEMPLATE_BYTES
                ),
            ));
        }
    }

    /// Names of outputs, parameters, conditions and mappings follow the logical id rules too.
    /// (Resource ids are checked when they are added.)
    fn names(&mut self) {
        let t = self.template;
        let names = t
            .outputs
            .keys()
            .chain(t.parameters.keys())
            .chain(t.conditions.keys())
            .chain(t.mappings.keys());
        for name in names {
            if let Err(problem) = logical_id::check(name) {
                self.diagnostics.push(Diagnostic::new(
                    DiagnosticKind::InvalidLogicalId,
                    Some(name),
                    None,
                    &problem,
                ));
            }
        }
    }

    /// Checks every reference and returns the dependency graph between resources.
    fn references(&mut self, spec_of: &dyn Fn(&str) -> Option<&'static ResourceSpec>) -> Graph<'t> {
        let t = self.template;
        let mut graph: Graph<'t> = IndexMap::new();
        for (id, resource) in &t.resources {
            let mut edges = Vec::new();
            for (name, value) in resource.properties.iter() {
                self.path.clear();
                self.path.push(Seg::Key("Properties"));
                self.path.push(Seg::Key(name));
                self.walk_references(id, value, spec_of, Context::Resource, &mut edges);
            }
            for dependency in &resource.depends_on {
                self.path.clear();
                self.path.push(Seg::Key("DependsOn"));
                if let Some((target, _)) = t.resources.get_key_value(dependency) {
                    edges.push((target.as_str(), self.path_string()));
                } else {
                    self.report(
                        DiagnosticKind::DanglingReference,
                        id,
                        format!("depends on {dependency:?}, which is not a resource of this stack"),
                    );
                }
            }
            self.path.clear();
            if let Some(condition) = &resource.condition {
                self.check_condition_exists(id, condition, "Condition");
            }
            if let Some(metadata) = &resource.metadata {
                self.path.push(Seg::Key("Metadata"));
                self.walk_references(id, metadata, spec_of, Context::Resource, &mut Vec::new());
            }
            graph.insert(id.as_str(), edges);
        }
        for (name, output) in &t.outputs {
            self.path.clear();
            self.path.push(Seg::Key("Value"));
            self.walk_references(name, &output.value, spec_of, Context::Output, &mut Vec::new());
            if let Some(export) = &output.export {
                self.path.clear();
                self.path.extend([Seg::Key("Export"), Seg::Key("Name")]);
                self.walk_references(name, &export.name, spec_of, Context::Output, &mut Vec::new());
            }
            self.path.clear();
            if let Some(condition) = &output.condition {
                self.check_condition_exists(name, condition, "Condition");
            }
        }
        for (name, condition) in &t.conditions {
            self.path.clear();
            self.walk_references(name, condition, spec_of, Context::Condition, &mut Vec::new());
        }
        self.path.clear();
        graph
    }

    fn check_condition_exists(&mut self, id: &str, condition: &str, field: &'t str) {
        if !self.template.conditions.contains_key(condition) {
            self.path.push(Seg::Key(field));
            self.report(
                DiagnosticKind::UnknownCondition,
                id,
                format!("condition {condition:?} is not declared (add it with Stack::add_condition)"),
            );
            self.path.pop();
        }
    }

    fn walk_references(
        &mut self,
        id: &str,
        value: &'t Expr,
        spec_of: &dyn Fn(&str) -> Option<&'static ResourceSpec>,
        context: Context,
        edges: &mut Vec<(&'t str, String)>,
    ) {
        match value {
            Expr::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    self.walk_references(id, item, spec_of, context, edges);
                    self.path.pop();
                }
                return;
            }
            Expr::Object(map) => {
                for (key, item) in map {
                    self.path.push(Seg::Key(key));
                    self.walk_references(id, item, spec_of, context, edges);
                    self.path.pop();
                }
                return;
            }
            Expr::And(items) | Expr::Or(items) if !(2..=10).contains(&items.len()) => {
                self.report(
                    DiagnosticKind::WrongType,
                    id,
                    format!("{} takes 2 to 10 conditions, found {}", value.kind(), items.len()),
                );
            }
            _ => {}
        }
        let mut found: Vec<Reference<'t>> = Vec::new();
        value.visit_references(&mut |r| found.push(r));
        for reference in found {
            self.check_reference(id, reference, spec_of, context, edges);
        }
    }

    fn check_reference(
        &mut self,
        id: &str,
        reference: Reference<'t>,
        spec_of: &dyn Fn(&str) -> Option<&'static ResourceSpec>,
        context: Context,
        edges: &mut Vec<(&'t str, String)>,
    ) {
        let t = self.template;
        match reference {
            Reference::Ref(name) => {
                if let Some((key, _)) = t.resources.get_key_value(name) {
                    if context == Context::Condition {
                        self.report(
                            DiagnosticKind::InvalidConditionReference,
                            id,
                            format!("conditions can refer only to parameters, mappings and pseudo parameters, not to resource {name:?}"),
                        );
                    }
                    edges.push((key.as_str(), self.path_string()));
                } else if !t.parameters.contains_key(name) && !pseudo::ALL.contains(&name) {
                    self.report(
                        DiagnosticKind::DanglingReference,
                        id,
                        format!(
                            "Ref to {name:?}, which is not a resource, parameter or pseudo parameter of this stack"
                        ),
                    );
                }
            }
            Reference::GetAtt(target, attribute) => {
                let Some((key, _)) = t.resources.get_key_value(target) else {
                    self.report(
                        DiagnosticKind::DanglingReference,
                        id,
                        format!("Fn::GetAtt of {target:?}, which is not a resource of this stack"),
                    );
                    return;
                };
                if context == Context::Condition {
                    self.report(
                        DiagnosticKind::InvalidConditionReference,
                        id,
                        format!("conditions cannot use Fn::GetAtt (of {target:?})"),
                    );
                }
                edges.push((key.as_str(), self.path_string()));
                if let Some(spec) = spec_of(target)
                    && !spec.has_attribute(attribute)
                {
                    let available = if spec.attributes.is_empty() {
                        "it has no attributes".to_owned()
                    } else {
                        format!("available: {}", spec.attributes.join(", "))
                    };
                    self.report(
                        DiagnosticKind::UnknownAttribute,
                        id,
                        format!(
                            "Fn::GetAtt {target}.{attribute}: {} has no attribute {attribute:?}; {available}",
                            spec.type_name
                        ),
                    );
                }
            }
            Reference::Condition(name) => {
                if !t.conditions.contains_key(name) {
                    self.report(
                        DiagnosticKind::UnknownCondition,
                        id,
                        format!("condition {name:?} is not declared (add it with Stack::add_condition)"),
                    );
                }
            }
            Reference::Mapping(name) => {
                if !t.mappings.contains_key(name) {
                    self.report(
                        DiagnosticKind::UnknownMapping,
                        id,
                        format!("Fn::FindInMap in {name:?}, which is not a mapping of this stack"),
                    );
                }
            }
        }
    }

    /// Reports each dependency cycle once, as `A -(Properties.X)-> B -(DependsOn)-> A`.
    fn cycles(&mut self, graph: &Graph<'t>) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath,
            Done,
        }
        let mut marks: HashMap<&str, Mark> = graph.keys().map(|k| (*k, Mark::New)).collect();
        let mut reported: IndexSet<Vec<&str>> = IndexSet::new();
        for &root in graph.keys() {
            if marks[root] != Mark::New {
                continue;
            }
            // Iterative DFS: (node, next edge index).
            let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
            marks.insert(root, Mark::OnPath);
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let edges = &graph[node];
                if *next >= edges.len() {
                    marks.insert(node, Mark::Done);
                    stack.pop();
                    continue;
                }
                let (target, _) = &edges[*next];
                *next += 1;
                match marks[target] {
                    Mark::New => {
                        marks.insert(target, Mark::OnPath);
                        stack.push((target, 0));
                    }
                    Mark::OnPath => {
                        // A node marked on-path is on the stack.
                        let start = stack.iter().position(|(n, _)| n == target).unwrap_or(0);
                        let cycle: Vec<&str> = stack[start..].iter().map(|(n, _)| *n).collect();
                        let mut key = cycle.clone();
                        key.sort_unstable();
                        if reported.insert(key) {
                            self.report_cycle(graph, &cycle);
                        }
                    }
                    Mark::Done => {}
                }
            }
        }
    }

    fn report_cycle(&mut self, graph: &Graph<'t>, cycle: &[&str]) {
        let mut text = String::from(cycle[0]);
        for (i, from) in cycle.iter().enumerate() {
            let to = cycle[(i + 1) % cycle.len()];
            let via = graph[from]
                .iter()
                .find(|(t, _)| *t == to)
                .map(|(_, via)| via.as_str())
                .unwrap_or("?");
            text.push_str(&format!(" -({via})-> {to}"));
        }
        let first_via = graph[cycle[0]]
            .iter()
            .find(|(t, _)| *t == cycle[1 % cycle.len()])
            .map(|(_, via)| via.clone());
        self.diagnostics.push(Diagnostic {
            kind: DiagnosticKind::DependencyCycle,
            logical_id: Some(cycle[0].to_owned()),
            path: first_via,
            message: format!("dependency cycle: {text}; CloudFormation cannot order these resources"),
        });
    }

    /// `entries` are an object's (key, value) pairs; objects are small, so a slice beats a hash map here.
    fn check_object(&mut self, id: &str, entries: &[(&'t str, &'t Expr)], spec: &'static ObjectSpec, owner: &str) {
        for &(key, value) in entries {
            match spec.property(key) {
                Some(prop) => {
                    self.path.push(Seg::Key(key));
                    self.check_value(id, value, &prop.shape);
                    self.path.pop();
                }
                None if !spec.additional_properties => {
                    let suggestion = spec
                        .properties
                        .iter()
                        .map(|p| {
                            (
                                strsim::jaro_winkler(&p.name.to_lowercase(), &key.to_lowercase()),
                                p.name,
                            )
                        })
                        .filter(|(score, _)| *score > 0.8)
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, name)| format!(" (did you mean {name:?}?)"))
                        .unwrap_or_default();
                    self.path.push(Seg::Key(key));
                    self.report(
                        DiagnosticKind::UnknownProperty,
                        id,
                        format!("{owner} has no property {key:?}{suggestion}"),
                    );
                    self.path.pop();
                }
                None => {}
            }
        }
        for required in spec.required {
            if !entries.iter().any(|(key, _)| key == required) {
                self.report(
                    DiagnosticKind::MissingRequiredProperty,
                    id,
                    format!("{owner} requires property {required:?}, which is not set"),
                );
            }
        }
    }

    fn check_value(&mut self, id: &str, value: &'t Expr, shape: &'static Shape) {
        if value.is_intrinsic() {
            return;
        }
        match shape {
            Shape::Any => {}
            Shape::String(rules) => match value {
                Expr::String(s) => self.check_string(id, s, rules),
                Expr::Number(n) => self.check_string(id, &n.to_string(), rules),
                Expr::Bool(b) => self.check_string(id, if *b { "true" } else { "false" }, rules),
                other => self.wrong_type(id, "string", other),
            },
            Shape::Integer(rules) => match value {
                Expr::Number(n) if n.is_i64() || n.is_u64() => self.check_range(id, n.as_f64().unwrap_or(0.0), rules),
                Expr::String(s) if s.trim().parse::<i64>().is_ok() => {
                    self.check_range(id, s.trim().parse::<f64>().unwrap_or(0.0), rules)
                }
                other => self.wrong_type(id, "integer", other),
            },
            Shape::Number(rules) => match value {
                Expr::Number(n) => self.check_range(id, n.as_f64().unwrap_or(0.0), rules),
                Expr::String(s) if s.trim().parse::<f64>().is_ok() => {
                    self.check_range(id, s.trim().parse::<f64>().unwrap_or(0.0), rules)
                }
                other => self.wrong_type(id, "number", other),
            },
            Shape::Boolean => match value {
                Expr::Bool(_) => {}
                Expr::String(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {}
                other => self.wrong_type(id, "boolean", other),
            },
            Shape::Array(array) => match value {
                Expr::List(items) => {
                    let count = items.len() as u64;
                    let countable = !items.iter().any(Expr::is_intrinsic);
                    if countable
                        && (array.min_items.is_some_and(|m| count < m) || array.max_items.is_some_and(|m| count > m))
                    {
                        self.report(
                            DiagnosticKind::ItemCountOutOfRange,
                            id,
                            format!(
                                "has {count} items; allowed: {}",
                                bounds(array.min_items, array.max_items)
                            ),
                        );
                    }
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Seg::Index(i));
                        self.check_value(id, item, &array.items);
                        self.path.pop();
                    }
                }
                other => self.wrong_type(id, "array", other),
            },
            Shape::Object(object) => match value {
                Expr::Object(map) => {
                    let entries: Vec<(&str, &Expr)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
                    self.check_object(id, &entries, object, object.name);
                }
                other => self.wrong_type(id, "object", other),
            },
            Shape::Map(values) => match value {
                Expr::Object(map) => {
                    for (key, item) in map {
                        self.path.push(Seg::Key(key));
                        self.check_value(id, item, values);
                        self.path.pop();
                    }
                }
                other => self.wrong_type(id, "object", other),
            },
            Shape::Json => match value {
                Expr::Object(_) | Expr::String(_) => {}
                other => self.wrong_type(id, "JSON object", other),
            },
        }
    }

    fn wrong_type(&mut self, id: &str, expected: &str, found: &Expr) {
        let shown = serde_json::to_string(found).unwrap_or_default();
        let shown = if shown.len() > 60 {
            format!("{}...", &shown[..shown.floor_char_boundary(57)])
        } else {
            shown
        };
        self.report(
            DiagnosticKind::WrongType,
            id,
            format!("expected {expected}, found {} {shown}", found.kind()),
        );
    }

    fn check_string(&mut self, id: &str, s: &str, rules: &StringRules) {
        if !rules.enum_values.is_empty() && !rules.enum_values.contains(&s) {
            let allowed = rules
                .enum_values
                .iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            self.report(
                DiagnosticKind::NotInEnum,
                id,
                format!("{s:?} is not allowed; expected one of {allowed}"),
            );
            return;
        }
        let length = s.chars().count() as u64;
        if rules.min_length.is_some_and(|m| length < m) || rules.max_length.is_some_and(|m| length > m) {
            self.report(
                DiagnosticKind::LengthOutOfRange,
                id,
                format!(
                    "{s:?} is {length} characters long; allowed: {}",
                    bounds(rules.min_length, rules.max_length)
                ),
            );
        }
        if let Some(pattern) = rules.pattern
            && let Some(regex) = compiled(pattern)
            && !regex.is_match(s)
        {
            self.report(
                DiagnosticKind::PatternMismatch,
                id,
                format!("{s:?} does not match the pattern {pattern}"),
            );
        }
    }

    fn check_range(&mut self, id: &str, n: f64, rules: &NumberRules) {
        if rules.minimum.is_some_and(|m| n < m) || rules.maximum.is_some_and(|m| n > m) {
            let fmt = |v: Option<f64>| v.map(|v| v.to_string());
            self.report(
                DiagnosticKind::ValueOutOfRange,
                id,
                format!(
                    "{n} is out of range; allowed: {}",
                    bounds_str(fmt(rules.minimum), fmt(rules.maximum))
                ),
            );
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Context {
    Resource,
    Output,
    Condition,
}

/// Why the literal `s` breaks the length or pattern of `rules`, if it does: the judgement `synth` makes on
/// literal properties, for values checked before a stack is built (names derived from configuration).
pub fn string_problem(s: &str, rules: &StringRules) -> Option<String> {
    let length = s.chars().count() as u64;
    if rules.min_length.is_some_and(|m| length < m) || rules.max_length.is_some_and(|m| length > m) {
        return Some(format!(
            "{s:?} would be {length} characters long; allowed: {}",
            bounds(rules.min_length, rules.max_length)
        ));
    }
    match rules.pattern {
        Some(pattern) if compiled(pattern).is_some_and(|regex| !regex.is_match(s)) => {
            Some(format!("{s:?} would not match the pattern {pattern}"))
        }
        _ => None,
    }
}

fn bounds(min: Option<u64>, max: Option<u64>) -> String {
    bounds_str(min.map(|v| v.to_string()), max.map(|v| v.to_string()))
}

fn bounds_str(min: Option<String>, max: Option<String>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "any".to_owned(),
    }
}

/// A compiled schema pattern.
enum Pattern {
    /// `regex-lite`: compiles in microseconds and, like ECMAScript (the schemas' dialect), reads `\w`,
    /// `\d`, `\s` as ASCII classes. Used whenever it accepts the pattern.
    Lite(regex_lite::Regex),
    /// `regex`, for the patterns `regex-lite` rejects (Unicode classes such as `\p{L}`): slower to compile
    /// (close to a millisecond for a Unicode class), so only a fallback.
    Full(Regex),
}

impl Pattern {
    fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Lite(r) => r.is_match(text),
            Pattern::Full(r) => r.is_match(text),
        }
    }
}

/// Compiled patterns by source text, kept for the process's lifetime (a bounded set: the patterns of the
/// generated specs). `None` marks a pattern neither engine can compile (ECMAScript look-around,
/// back-references): it is skipped rather than guessed at.
type PatternCache = HashMap<&'static str, Option<&'static Pattern>>;

/// Schema patterns are compiled once per process, on first use, and shared by reference (a cloned
/// matcher would start with a cold cache). Keyed by text, because every schema repeats the same tag
/// patterns at different addresses.
fn compiled(pattern: &'static str) -> Option<&'static Pattern> {
    static CACHE: OnceLock<Mutex<PatternCache>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    *cache.entry(pattern).or_insert_with(|| {
        let compiled = match regex_lite::Regex::new(pattern) {
            Ok(lite) => Pattern::Lite(lite),
            Err(_) => Pattern::Full(Regex::new(pattern).ok()?),
        };
        Some(&*Box::leak(Box::new(compiled)))
    })
}

/// Size of the minified JSON without building the string.
fn serialized_len(template: &Template) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Counting never fails, and serializing a template cannot (see `Template::to_json`): on the
    // impossible error the count so far stands.
    let _ = serde_json::to_writer(&mut counter, template);
    counter.0
}

/// The literal tag keys of a resource's `Tags` (a list of `{Key, Value}` or a map); intrinsics that
/// compute keys are skipped, since they cannot be checked before deploy.
pub fn literal_tag_keys(properties: &crate::Props) -> Vec<&str> {
    match properties.get("Tags") {
        Some(Expr::List(items)) => list_tag_keys(items),
        Some(Expr::Object(map)) => map.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The literal `Key`s of a `[{Key, Value}]` tag list.
pub(crate) fn list_tag_keys(items: &[Expr]) -> Vec<&str> {
    items
        .iter()
        .filter_map(|item| match item {
            Expr::Object(tag) => match tag.get("Key") {
                Some(Expr::String(key)) => Some(key.as_str()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Tags as AWS will judge them, after the stack's scoped tags were merged in: no key with a reserved
/// prefix in any letter case (the registry schemas only refuse lowercase `aws:`), at most 50 per
/// resource. The stack tags added at deploy time are counted by the deploy engine.
pub(crate) fn resource_tags(template: &Template) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (id, resource) in &template.resources {
        let keys = literal_tag_keys(&resource.properties);
        for key in &keys {
            if let Some(prefix) = crate::names::reserved_tag_prefix(key) {
                diagnostics.push(Diagnostic::new(
                    DiagnosticKind::PatternMismatch,
                    Some(id),
                    Some("Properties.Tags".to_owned()),
                    &format!(
                        "tag key {key:?} starts with the reserved prefix {prefix:?} (AWS refuses it in any letter case)"
                    ),
                ));
            }
        }
        if let Err(reason) = crate::names::tags_after_propagation(keys.iter().copied(), []) {
            diagnostics.push(Diagnostic::new(
                DiagnosticKind::ItemCountOutOfRange,
                Some(id),
                Some("Properties.Tags".to_owned()),
                &reason,
            ));
        }
    }
    diagnostics
}
