//! The synthesized template: plain data, serialized deterministically to JSON or YAML.

use indexmap::IndexMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::expr::Expr;
use crate::resource::Props;

/// The only template format version CloudFormation knows.
pub const FORMAT_VERSION: &str = "2010-09-09";

/// A CloudFormation template. Produced by [`crate::Stack::synth`]; field order follows the CloudFormation
/// documentation, and maps keep insertion order, so the same stack always gives the same bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Template {
    #[serde(rename = "AWSTemplateFormatVersion")]
    pub format_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Expr>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Parameter>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub mappings: IndexMap<String, IndexMap<String, IndexMap<String, Expr>>>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub conditions: IndexMap<String, Expr>,
    pub resources: IndexMap<String, TemplateResource>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Output>,
}

/// One entry under `Resources`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TemplateResource {
    #[serde(rename = "Type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "Props::is_empty")]
    pub properties: Props,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<DeletionPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_replace_policy: Option<DeletionPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Expr>,
}

/// What CloudFormation does with a resource's physical resource when the resource leaves the stack
/// (`DeletionPolicy`) or is replaced (`UpdateReplacePolicy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DeletionPolicy {
    Delete,
    Retain,
    RetainExceptOnCreate,
    /// Only for types that support snapshots (RDS, EBS volumes, ElastiCache, Neptune, Redshift).
    Snapshot,
}

/// A template parameter. Build with [`Parameter::string`], [`Parameter::number`] or [`Parameter::of_type`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    #[serde(rename = "Type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_values: Vec<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_echo: bool,
}

impl Parameter {
    /// A parameter of any CloudFormation parameter type (`AWS::EC2::VPC::Id`, `List<Number>`, ...).
    pub fn of_type(type_name: impl Into<String>) -> Self {
        Parameter {
            type_name: type_name.into(),
            description: None,
            default: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            constraint_description: None,
            min_length: None,
            max_length: None,
            min_value: None,
            max_value: None,
            no_echo: false,
        }
    }
    /// A `String` parameter.
    pub fn string() -> Self {
        Self::of_type("String")
    }
    /// A `Number` parameter.
    pub fn number() -> Self {
        Self::of_type("Number")
    }
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    pub fn default(mut self, value: impl Into<Expr>) -> Self {
        self.default = Some(value.into());
        self
    }
    pub fn allowed_values<V: Into<Expr>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }
    pub fn allowed_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.allowed_pattern = Some(pattern.into());
        self
    }
    pub fn constraint_description(mut self, text: impl Into<String>) -> Self {
        self.constraint_description = Some(text.into());
        self
    }
    pub fn length(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.min_length = min;
        self.max_length = max;
        self
    }
    pub fn range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.min_value = min;
        self.max_value = max;
        self
    }
    /// Masks the value in the console and API responses. Still not a secret store: prefer Secrets
    /// Manager dynamic references for credentials.
    pub fn no_echo(mut self) -> Self {
        self.no_echo = true;
        self
    }
}

/// A template output.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub value: Expr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<Export>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// `Export: {Name: ..}` of an output.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Export {
    pub name: Expr,
}

impl Output {
    pub fn new(value: impl Into<Expr>) -> Self {
        Output {
            description: None,
            value: value.into(),
            export: None,
            condition: None,
        }
    }
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// Exports the value under `name` for `Fn::ImportValue` in other stacks.
    pub fn export_name(mut self, name: impl Into<Expr>) -> Self {
        self.export = Some(Export { name: name.into() });
        self
    }
    pub fn condition(mut self, condition: &crate::fns::Condition) -> Self {
        self.condition = Some(condition.name().to_owned());
        self
    }
}

/// Output format of a synthesized template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Yaml,
}

impl Template {
    /// Runs the security rules ([`crate::security`]) on this template, honouring its waivers.
    pub fn security_report(&self) -> crate::security::Report {
        crate::security::check(&self.to_value())
    }

    /// Pretty JSON, two-space indent, trailing newline: the form written to `kumo.out/`.
    #[allow(
        clippy::expect_used,
        reason = "serde_json fails only on non-string map keys or a failing Serialize impl; this data has neither"
    )]
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a template always serializes");
        text.push('\n');
        text
    }

    /// Minified JSON: the form sent to CloudFormation (`TemplateBody` is limited to 51,200 bytes).
    #[allow(
        clippy::expect_used,
        reason = "serde_json fails only on non-string map keys or a failing Serialize impl; this data has neither"
    )]
    pub fn to_json_minified(&self) -> String {
        serde_json::to_string(self).expect("a template always serializes")
    }

    /// YAML with long-form intrinsics (`Fn::Sub:` keys), which every YAML template reader accepts, and
    /// strings quoted wherever a YAML 1.1 reader (CloudFormation's) could mistake them (see [`crate::yaml`]).
    pub fn to_yaml(&self) -> String {
        crate::yaml::render(&self.to_value())
    }

    /// The template in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json(),
            Format::Yaml => self.to_yaml(),
        }
    }

    /// The template as a JSON value (for assertions and tooling).
    #[allow(
        clippy::expect_used,
        reason = "serde_json fails only on non-string map keys or a failing Serialize impl; this data has neither"
    )]
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a template always serializes")
    }

    /// SHA-256 of the minified JSON, hex: identifies a template's content in the manifest.
    pub fn content_hash(&self) -> String {
        sha256_hex(self.to_json_minified().as_bytes())
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
