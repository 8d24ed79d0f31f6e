//! Rust names for CloudFormation names.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// `AWS::EC2::VPC` → `aws-ec2-vpc.json` (the file name under `schemas/registry/`).
pub fn schema_file_name(type_name: &str) -> String {
    format!("{}.json", type_name.to_lowercase().replace("::", "-"))
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Makes `name` usable as an identifier: raw identifier for keywords, `_` suffix for the few that
/// cannot be raw.
pub fn ident(name: &str) -> String {
    match name {
        "self" | "Self" | "super" | "crate" | "_" => format!("{name}_"),
        _ if KEYWORDS.contains(&name) => format!("r#{name}"),
        _ if name.starts_with(|c: char| c.is_ascii_digit()) => format!("_{name}"),
        _ => name.to_owned(),
    }
}

/// The service module (and cargo feature) of a type: `AWS::EC2::VPC` → `ec2`; other vendors keep their
/// prefix: `Alexa::ASK::Skill` → `alexa_ask`.
pub fn service_module(type_name: &str) -> String {
    let mut parts = type_name.split("::");
    let vendor = parts.next().unwrap_or_default();
    let service = parts.next().unwrap_or_default();
    let base = if vendor == "AWS" {
        service.to_lowercase()
    } else {
        format!("{vendor}_{service}").to_lowercase()
    };
    base.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The resource part of a type name: `AWS::EC2::VPC` → `VPC`.
pub fn resource_name(type_name: &str) -> &str {
    type_name.rsplit("::").next().unwrap_or(type_name)
}

/// The resource module: `VPCGatewayAttachment` → `vpc_gateway_attachment`.
pub fn snake(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    cleaned.to_snake_case()
}

/// A type name for a struct: keeps the CloudFormation spelling when it is already a valid identifier
/// (`VPC`, `DBCluster`), so users find what the CloudFormation docs call it.
pub fn type_ident(name: &str) -> String {
    let valid = name.chars().all(|c| c.is_ascii_alphanumeric()) && name.starts_with(|c: char| c.is_ascii_uppercase());
    if valid {
        name.to_owned()
    } else {
        name.to_upper_camel_case()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect()
    }
}

/// Method names that would shadow or clash with what every generated struct already has.
const RESERVED_METHODS: &[&str] = &[
    "new",
    "set_raw",
    "props",
    "clone",
    "clone_from",
    "fmt",
    "eq",
    "ne",
    "default",
    "into",
    "from",
    "type_name",
    "spec",
    "into_props",
    "from_logical_id",
    "logical_id",
];

/// A setter name for a property: `CidrBlock` → `cidr_block`.
pub fn method(name: &str) -> String {
    let snake = snake(name);
    if RESERVED_METHODS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        ident(&snake)
    }
}
