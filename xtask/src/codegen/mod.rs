//! Generates `crates/kumo-cfn` from the pinned registry schemas.
//!
//! Output layout: one module (and one cargo feature) per service (`ec2`, `eks`, `alexa_ask`, ...); inside
//! it one module per resource type (`ec2::vpc`) holding the resource struct (`VPC`), its property types
//! (`Tag`, ...), its typed `Fn::GetAtt` accessors (`VPCAttributes`) and its static `SPEC` for synth-time
//! validation; the resource struct is re-exported at the service level (`ec2::VPC`).
//!
//! The output depends only on the files under `schemas/`: maps are walked in sorted order and nothing
//! reads the clock or the environment, so regenerating is byte-for-byte reproducible.

mod emit;
mod names;
mod resolve;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

pub use names::schema_file_name;

/// Everything the generator reads.
pub struct Input {
    pub cfn_lint_version: String,
    pub schema_date: String,
    /// Type name → schema, sorted.
    pub schemas: BTreeMap<String, Value>,
    /// Type name → (attribute name → JSON pointer), as cfn-lint accepts them.
    pub getatts: BTreeMap<String, BTreeMap<String, String>>,
}

fn load(root: &Path) -> Result<Input> {
    let pin: Value = serde_json::from_str(&fs::read_to_string(root.join("schemas/pin.json"))?)?;
    let getatts: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(&fs::read_to_string(root.join("schemas/getatts.json"))?)?;
    let mut schemas = BTreeMap::new();
    for entry in fs::read_dir(root.join("schemas/registry"))? {
        let path = entry?.path();
        let schema: Value =
            serde_json::from_str(&fs::read_to_string(&path)?).with_context(|| format!("parsing {}", path.display()))?;
        let type_name = schema["typeName"].as_str().context("schema has typeName")?.to_owned();
        schemas.insert(type_name, schema);
    }
    Ok(Input {
        cfn_lint_version: pin["cfnLintVersion"]
            .as_str()
            .context("pin.json cfnLintVersion")?
            .to_owned(),
        schema_date: pin["schemaDate"].as_str().context("pin.json schemaDate")?.to_owned(),
        schemas,
        getatts,
    })
}

/// The generated files, relative to the workspace root.
fn generate(root: &Path) -> Result<BTreeMap<PathBuf, String>> {
    let input = load(root)?;
    let mut files = emit::crate_files(&input)?;
    files.insert(PathBuf::from(DELETE_PERMISSIONS), delete_permissions(&input));
    Ok(files)
}

/// The time-to-live reaper's data: per type, the IAM actions its schema's delete handler needs (what
/// the role calling `DeleteStack` must be allowed for CloudFormation to delete a resource of the type).
const DELETE_PERMISSIONS: &str = "crates/kumo-teardown/delete_permissions.json";

fn delete_permissions(input: &Input) -> String {
    let mut out = String::from("{\n");
    let mut first = true;
    for (type_name, schema) in &input.schemas {
        let mut permissions: Vec<&str> = schema["handlers"]["delete"]["permissions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        permissions.sort_unstable();
        permissions.dedup();
        if !first {
            out.push_str(",\n");
        }
        first = false;
        let list = serde_json::to_string(&permissions).unwrap_or_default();
        out.push_str(&format!(
            "{}: {list}",
            serde_json::to_string(type_name).unwrap_or_default()
        ));
    }
    out.push_str("\n}\n");
    out
}

fn crate_dir() -> PathBuf {
    PathBuf::from("crates/kumo-cfn")
}

/// Regenerates kumo-cfn on disk: writes only the files whose content changed (an unchanged file keeps
/// its modification time, so cargo does not rebuild ~400 modules after a no-op run) and removes
/// generated files that no longer have a schema.
pub fn write(root: &Path) -> Result<String> {
    let files = generate(root)?;
    let mut written = 0;
    let mut bytes = 0;
    for (path, text) in &files {
        bytes += text.len();
        let full = root.join(path);
        if fs::read(&full).ok().as_deref() == Some(text.as_bytes()) {
            continue;
        }
        fs::create_dir_all(full.parent().context("generated files live in directories")?)?;
        fs::write(&full, text)?;
        written += 1;
    }
    let removed = stale_files(root, &files)?;
    for path in &removed {
        fs::remove_file(root.join(path))?;
    }
    Ok(format!(
        "generated {} files ({} MB) in {}: {written} written, {} unchanged, {} removed",
        files.len(),
        bytes / 1_000_000,
        crate_dir().display(),
        files.len() - written,
        removed.len()
    ))
}

/// Files under kumo-cfn's `src/` that the generator no longer produces.
fn stale_files(root: &Path, files: &BTreeMap<PathBuf, String>) -> Result<Vec<PathBuf>> {
    let src = root.join(crate_dir()).join("src");
    let mut stale = Vec::new();
    if !src.exists() {
        return Ok(stale);
    }
    for entry in fs::read_dir(&src)? {
        let relative = entry?.path().strip_prefix(root)?.to_path_buf();
        if !files.contains_key(&relative) {
            stale.push(relative);
        }
    }
    Ok(stale)
}

/// Paths whose content on disk differs from what `write` would produce.
pub fn check(root: &Path) -> Result<Vec<String>> {
    let files = generate(root)?;
    let mut stale = Vec::new();
    for (path, text) in &files {
        if fs::read_to_string(root.join(path)).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    for relative in stale_files(root, &files)? {
        stale.push(format!("{} (no longer generated)", relative.display()));
    }
    Ok(stale)
}
