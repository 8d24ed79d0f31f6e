//! Static descriptions of resource types, generated from the CloudFormation registry schemas.
//!
//! The generated L1 crate (`kumo-cfn`) emits one [`ResourceSpec`] per resource type. Synth-time
//! validation walks a resource's literal properties against it: unknown properties, missing required ones,
//! wrong types, enum / pattern / length / range / item-count violations, and `Fn::GetAtt` attributes that
//! the type does not have. Everything is `'static` data: no parsing at run time.

/// What a resource type looks like to validation and tagging.
#[derive(Debug)]
pub struct ResourceSpec {
    /// `AWS::Service::Resource`.
    pub type_name: &'static str,
    /// The top-level properties (`Properties` of the resource).
    pub properties: &'static ObjectSpec,
    /// Attributes available to `Fn::GetAtt` (the schema's read-only properties, nested ones dotted:
    /// `Endpoint.Address`).
    pub attributes: &'static [&'static str],
    /// How the type carries tags, if kumo can add stack-wide / scope tags to it.
    pub tags: TagFormat,
}

impl ResourceSpec {
    /// `true` when `Fn::GetAtt` may ask for `attribute`.
    pub fn has_attribute(&self, attribute: &str) -> bool {
        self.attributes.contains(&attribute)
    }
}

/// How a taggable resource type stores tags in its `Tags` property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagFormat {
    /// Not taggable by kumo (no `Tags` property, or an unusual format).
    None,
    /// `Tags: [{"Key": k, "Value": v}, ...]`.
    List,
    /// `Tags: {k: v, ...}`.
    Map,
}

/// An object: a resource's properties or a property type's fields.
#[derive(Debug)]
pub struct ObjectSpec {
    /// Name of the property type (`Tag`, `LaunchTemplateData`, ...) or the resource type name.
    pub name: &'static str,
    pub properties: &'static [PropSpec],
    /// Properties that must be present.
    pub required: &'static [&'static str],
    /// `false` when the schema says `additionalProperties: false` (unknown properties are errors).
    pub additional_properties: bool,
}

impl ObjectSpec {
    /// The property named `name`.
    pub fn property(&self, name: &str) -> Option<&'static PropSpec> {
        self.properties.iter().find(|p| p.name == name)
    }
}

/// One property of an object.
#[derive(Debug)]
pub struct PropSpec {
    pub name: &'static str,
    pub shape: Shape,
}

/// The expected shape of a value. `Any` is used where the schema is too loose or too branchy
/// (`oneOf` of different types) to check; validation then accepts everything.
#[derive(Debug)]
pub enum Shape {
    Any,
    String(StringRules),
    Integer(NumberRules),
    Number(NumberRules),
    Boolean,
    Array(&'static ArraySpec),
    Object(&'static ObjectSpec),
    /// An object with arbitrary keys whose values all have one shape (`patternProperties`).
    Map(&'static Shape),
    /// A JSON object of free form (policy documents, ...); any object is accepted (a JSON string too,
    /// as CloudFormation accepts serialized JSON for these).
    Json,
}

/// Constraints on a string value.
#[derive(Debug)]
pub struct StringRules {
    pub enum_values: &'static [&'static str],
    /// An ECMAScript regular expression; searched, not anchored (JSON Schema semantics). Patterns the
    /// Rust `regex` engine cannot compile (look-around, back-references) are not checked.
    pub pattern: Option<&'static str>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
}

impl StringRules {
    /// No constraint.
    pub const NONE: StringRules = StringRules {
        enum_values: &[],
        pattern: None,
        min_length: None,
        max_length: None,
    };
}

/// Constraints on a number.
#[derive(Debug)]
pub struct NumberRules {
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
}

impl NumberRules {
    /// No constraint.
    pub const NONE: NumberRules = NumberRules {
        minimum: None,
        maximum: None,
    };
}

/// An array and its items.
#[derive(Debug)]
pub struct ArraySpec {
    pub items: Shape,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
}
