//! An app: several stacks deployed together, in order, some using others' resources — and the cloud
//! assembly that carries it to the CLI. [`App::synth`] (or [`App::run`] from a program's `main`) writes
//! `manifest.json` (version 2) beside the templates; every kumo verb reads that contract, whoever made it
//! (the built-in blueprint, a user's program).
//!
//! Two ways for a stack to receive another's value:
//!
//! * **A handle of stack A used in stack B** (`vpc.reference()`, `vpc.attr_cidr_block()`): the app
//!   exports the value from A (an output with a deterministic export name, [`export_name`]), replaces the
//!   use in B with `Fn::ImportValue`, and makes B depend on A. CloudFormation then refuses to delete A,
//!   or to change that export's value, while B imports it: `kumo destroy` removes B first, and a change of
//!   an imported value needs B to stop using it first (two deploys).
//! * **A parameter filled at deploy time** from a stack's resource (`ParameterSource::ResourceRef`: its
//!   physical id, its `Ref` for most types), for a stack that must outlive the stacks that use it (the
//!   blueprint's kept DNS zone): no export ties the two together in CloudFormation.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::security::Report;
use crate::template::sha256_hex;
use crate::validate::SynthError;
use crate::{Expr, Format, Output, Stack, Template};

/// Version of the `manifest.json` format written by this crate. Version 1 (one stack, no dependencies)
/// is still read.
pub const MANIFEST_VERSION: u32 = 2;

/// Tag on every stack of an app with an environment: `kumo list` groups by it.
pub const ENV_TAG: &str = "kumo:env";
/// Tag on a stack kept on destroy, naming the stack it serves (`kumo list`: "DNS zone kept").
pub const KEPT_FOR_TAG: &str = "kumo:kept-for";
/// Tag on a time-to-live's reaper stack (`<stack>-ttl`), naming the stack it removes (`kumo list`
/// shows its expiry on that stack's line, not a line of its own).
pub const REAPER_FOR_TAG: &str = "kumo:ttl-for";

/// Where a parameter's value comes from at deploy time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParameterSource {
    /// The physical id of a resource of a stack deployed before this one.
    ResourceRef {
        #[serde(rename = "fromStack")]
        stack: String,
        #[serde(rename = "resource")]
        logical_id: String,
    },
    /// A literal value.
    Value(String),
}

/// One stack of an app and how it is deployed.
#[derive(Debug)]
pub struct AppStack {
    pub stack: Stack,
    /// Stacks (by name) deployed before this one and destroyed after it.
    pub depends_on: Vec<String>,
    pub parameters: BTreeMap<String, ParameterSource>,
    /// Stack tags (CloudFormation propagates them to the resources that support tags).
    pub tags: BTreeMap<String, String>,
    pub termination_protection: bool,
    /// `kumo destroy` keeps this stack unless asked (`--include-dns`): what must survive a rebuild.
    pub keep_on_destroy: bool,
    /// The stack's region; `None`: the region kumo deploys to (flag, profile, environment).
    pub region: Option<String>,
}

impl AppStack {
    pub fn new(stack: Stack) -> AppStack {
        AppStack {
            stack,
            depends_on: Vec::new(),
            parameters: BTreeMap::new(),
            tags: BTreeMap::new(),
            termination_protection: false,
            keep_on_destroy: false,
            region: None,
        }
    }

    /// Deploys this stack after `other` and destroys it before (for a dependency no handle shows).
    pub fn add_dependency(&mut self, other: &str) -> &mut Self {
        if !self.depends_on.iter().any(|d| d == other) {
            self.depends_on.push(other.to_owned());
        }
        self
    }
}

/// Several stacks deployed together.
///
/// ```
/// use kumo_core::{RawResource, Stack, app::App};
///
/// let mut network = Stack::new("Network");
/// let vpc = network.add("Vpc", RawResource::new("AWS::EC2::VPC").set("CidrBlock", "10.0.0.0/16"));
/// let mut service = Stack::new("Service");
/// // A handle of Network used in Service: exported there, imported here, Service deployed after Network.
/// service.add("Group", RawResource::new("AWS::EC2::SecurityGroup")
///     .set("GroupDescription", "service").set("VpcId", vpc.reference()));
/// let mut app = App::new();
/// app.add(network);
/// app.add(service);
/// let stacks = app.synth().unwrap();
/// assert_eq!(stacks[1].depends_on, ["Network"]);
/// assert!(stacks[1].template.to_json().contains(r#""Fn::ImportValue": "Network:Vpc""#));
/// ```
#[derive(Debug, Default)]
pub struct App {
    /// In the order added; [`App::synth`] returns them in deploy order.
    pub stacks: Vec<AppStack>,
}

/// A stack of an app, synthesized: what `manifest.json` lists for it, and its template.
#[derive(Debug)]
pub struct SynthesizedStack {
    pub stack_name: String,
    pub template: Template,
    pub depends_on: Vec<String>,
    pub parameters: BTreeMap<String, ParameterSource>,
    pub tags: BTreeMap<String, String>,
    pub termination_protection: bool,
    pub keep_on_destroy: bool,
    pub region: Option<String>,
    /// The body sent to CloudFormation (and hashed in the manifest).
    pub minified: String,
    /// The security rules' verdict, waivers applied.
    pub security: Report,
}

/// Why an app does not synthesize. Every stack's diagnostics are reported at once.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the app has no stack; add one with App::add")]
    Empty,
    #[error("two stacks are named {0}; stack names must be unique in an app")]
    DuplicateStack(String),
    #[error("stack {stack} depends on {missing}, which is not in the app")]
    MissingDependency { stack: String, missing: String },
    #[error(
        "stacks {first} and {second} depend on each other ({path}); CloudFormation can deploy neither first: \
         move the shared resources into one of them, or into a third stack both use"
    )]
    Cycle {
        first: String,
        second: String,
        path: String,
    },
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Synth(Vec<SynthError>),
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl App {
    pub fn new() -> App {
        App::default()
    }

    /// Adds a stack; the returned entry sets its dependencies, parameters, tags, region, ...
    pub fn add(&mut self, stack: Stack) -> &mut AppStack {
        self.add_stack(AppStack::new(stack))
    }

    /// Adds a stack with its deploy settings.
    pub fn add_stack(&mut self, stack: AppStack) -> &mut AppStack {
        self.stacks.push(stack);
        let last = self.stacks.len() - 1;
        &mut self.stacks[last]
    }

    /// The stack named `name`.
    pub fn stack_mut(&mut self, name: &str) -> Option<&mut AppStack> {
        self.stacks.iter_mut().find(|s| s.stack.name() == name)
    }

    /// The stack the app is named after: the last one deployed (the one the others serve).
    pub fn main(&self) -> Option<&AppStack> {
        self.stacks.last()
    }

    /// Wires handles used across stacks (export, `Fn::ImportValue`, dependency), checks names and
    /// dependencies (a cycle names its stacks), and synthesizes every stack, in deploy order.
    pub fn synth(&mut self) -> Result<Vec<SynthesizedStack>, AppError> {
        if self.stacks.is_empty() {
            return Err(AppError::Empty);
        }
        let mut seen = BTreeSet::new();
        for s in &self.stacks {
            if !seen.insert(s.stack.name()) {
                return Err(AppError::DuplicateStack(s.stack.name().to_owned()));
            }
        }
        self.wire_cross_stack_references();
        let order = self.order()?;
        let mut synthesized = Vec::with_capacity(order.len());
        let mut errors = Vec::new();
        for index in order {
            let part = &self.stacks[index];
            match part.stack.synth() {
                Ok(template) => synthesized.push(SynthesizedStack {
                    stack_name: part.stack.name().to_owned(),
                    minified: template.to_json_minified(),
                    security: template.security_report(),
                    template,
                    depends_on: part.depends_on.clone(),
                    parameters: part.parameters.clone(),
                    tags: part.tags.clone(),
                    termination_protection: part.termination_protection,
                    keep_on_destroy: part.keep_on_destroy,
                    region: part.region.clone(),
                }),
                Err(error) => errors.push(error),
            }
        }
        if errors.is_empty() {
            Ok(synthesized)
        } else {
            Err(AppError::Synth(errors))
        }
    }

    /// [`App::synth`], then writes the cloud assembly into `dir` (created if missing): one template per
    /// stack and `manifest.json`.
    pub fn synth_to(&mut self, dir: &Path) -> Result<Vec<SynthesizedStack>, AppError> {
        let stacks = self.synth()?;
        std::fs::create_dir_all(dir).map_err(|source| AppError::Write {
            path: dir.to_owned(),
            source,
        })?;
        write_assembly(dir, &stacks, Format::Json, &[])?;
        Ok(stacks)
    }

    /// For a program's `main`: synthesizes into `$KUMO_OUT_DIR` (set by the kumo CLI; `kumo.out` when the
    /// program runs by itself) and returns the exit status: 0, or 2 with the errors on stderr.
    pub fn run(mut self) -> std::process::ExitCode {
        let from_kumo = std::env::var_os(OUT_DIR_ENV);
        let dir = from_kumo
            .clone()
            .map_or_else(|| PathBuf::from("kumo.out"), PathBuf::from);
        match self.synth_to(&dir) {
            Ok(stacks) => {
                // Under kumo, kumo reports the stacks itself.
                if from_kumo.is_none() {
                    let names: Vec<&str> = stacks.iter().map(|s| s.stack_name.as_str()).collect();
                    eprintln!("synthesized {} into {}", names.join(", "), dir.display());
                }
                std::process::ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                std::process::ExitCode::from(2)
            }
        }
    }

    /// Every handle of stack A used in stack B becomes `Fn::ImportValue` of an export added to A, and B
    /// depends on A. Handles of stacks outside the app are left for `Stack::synth` to report.
    fn wire_cross_stack_references(&mut self) {
        let owners: Vec<(u64, String)> = self
            .stacks
            .iter()
            .map(|s| (s.stack.uid, s.stack.name().to_owned()))
            .collect();
        let mut exports: Vec<(usize, String, Option<String>)> = Vec::new();
        for part in &mut self.stacks {
            let own = part.stack.uid;
            let mut used: Vec<usize> = Vec::new();
            part.stack.rewrite_references(&mut |name, attribute| {
                let (id, owner) = crate::resource::split_owner(name);
                let owner = owner.filter(|o| *o != own && *o != 0)?;
                let index = owners.iter().position(|(uid, _)| *uid == owner)?;
                let export = (index, id.to_owned(), attribute.map(str::to_owned));
                if !exports.contains(&export) {
                    exports.push(export);
                }
                if !used.contains(&index) {
                    used.push(index);
                }
                Some(Expr::ImportValue(Box::new(Expr::String(export_name(
                    &owners[index].1,
                    id,
                    attribute,
                )))))
            });
            for index in used {
                part.add_dependency(&owners[index].1);
            }
        }
        for (index, id, attribute) in exports {
            let owner = &mut self.stacks[index].stack;
            let output_id = export_output_id(&id, attribute.as_deref());
            if owner.has_output(&output_id) {
                continue;
            }
            let value = match &attribute {
                None => Expr::Ref(id.clone()),
                Some(attribute) => Expr::GetAtt {
                    logical_id: id.clone(),
                    attribute: attribute.clone(),
                },
            };
            let name = export_name(owner.name(), &id, attribute.as_deref());
            owner.add_output(
                output_id,
                Output::new(value)
                    .description(format!("imported by another stack of the app ({name})"))
                    .export_name(name),
            );
        }
    }

    /// Indexes of the stacks in deploy order (each after its dependencies, otherwise as added).
    fn order(&self) -> Result<Vec<usize>, AppError> {
        let names: Vec<&str> = self.stacks.iter().map(|s| s.stack.name()).collect();
        for s in &self.stacks {
            if let Some(missing) = s.depends_on.iter().find(|d| !names.contains(&d.as_str())) {
                return Err(AppError::MissingDependency {
                    stack: s.stack.name().to_owned(),
                    missing: missing.clone(),
                });
            }
        }
        let edges: Vec<(&str, Vec<&str>)> = self
            .stacks
            .iter()
            .map(|s| (s.stack.name(), s.depends_on.iter().map(String::as_str).collect()))
            .collect();
        match deploy_order(&edges) {
            Ok(order) => Ok(order
                .into_iter()
                .filter_map(|name| names.iter().position(|n| *n == name))
                .collect()),
            Err(_) => {
                let cycle = find_cycle(&edges).unwrap_or_default();
                Err(AppError::Cycle {
                    first: cycle.first().map(|s| s.to_string()).unwrap_or_default(),
                    second: cycle.get(1).map(|s| s.to_string()).unwrap_or_default(),
                    path: cycle.join(" -> "),
                })
            }
        }
    }
}

/// The environment variable the kumo CLI sets to the directory an app writes its assembly into.
pub const OUT_DIR_ENV: &str = "KUMO_OUT_DIR";
/// The environment variable the kumo CLI sets to `--env` (unset without one).
pub const ENV_ENV: &str = "KUMO_ENV";

/// The environment the app is synthesized for (`kumo --env NAME`), if any: name stacks after it
/// (`format!("Service-{env}")`) to keep environments apart.
pub fn environment() -> Option<String> {
    std::env::var(ENV_ENV).ok().filter(|e| !e.is_empty())
}

/// Longest export name CloudFormation accepts.
pub const MAX_EXPORT_NAME: usize = 255;

/// The export name of `logical_id` (or its `attribute`) of stack `stack`: `Stack:LogicalId` or
/// `Stack:LogicalId:Attribute` (`.` in attribute names becomes `-`). Deterministic, unique per region
/// because stack names are, and within CloudFormation's limit (longer names keep their start and end
/// with a hash of the whole).
pub fn export_name(stack: &str, logical_id: &str, attribute: Option<&str>) -> String {
    let mut name = format!("{stack}:{logical_id}");
    if let Some(attribute) = attribute {
        name.push(':');
        name.push_str(&attribute.replace('.', "-"));
    }
    shorten(name, MAX_EXPORT_NAME)
}

/// The output that carries an export: `Export` + logical id + attribute, alphanumeric.
fn export_output_id(logical_id: &str, attribute: Option<&str>) -> String {
    let mut id = format!("Export{logical_id}");
    if let Some(attribute) = attribute {
        id.extend(attribute.chars().filter(char::is_ascii_alphanumeric));
    }
    shorten(id, 255).replace('-', "")
}

fn shorten(name: String, limit: usize) -> String {
    if name.len() <= limit {
        return name;
    }
    use md5::Digest;
    let hash = md5::Md5::digest(name.as_bytes());
    let hex: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let keep = limit - hex.len() - 1;
    format!("{}-{hex}", &name[..keep])
}

/// One dependency cycle among `stacks`, as the names along it (the first repeated at the end).
fn find_cycle<'a>(stacks: &[(&'a str, Vec<&'a str>)]) -> Option<Vec<&'a str>> {
    fn walk<'a>(
        at: &'a str,
        stacks: &[(&'a str, Vec<&'a str>)],
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(start) = path.iter().position(|p| *p == at) {
            let mut cycle = path[start..].to_vec();
            cycle.push(at);
            return Some(cycle);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at);
        let deps = stacks
            .iter()
            .find(|(n, _)| *n == at)
            .map(|(_, d)| d.clone())
            .unwrap_or_default();
        for dep in deps {
            if let Some(cycle) = walk(dep, stacks, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(at);
        None
    }
    let mut done = BTreeSet::new();
    stacks
        .iter()
        .find_map(|(name, _)| walk(name, stacks, &mut Vec::new(), &mut done))
}

/// Writes a cloud assembly: each stack's template (`<Stack>.template.json` / `.yaml`) and
/// `manifest.json` listing the stacks in deploy order (version [`MANIFEST_VERSION`]; the README's "Cloud
/// assembly" section documents every field). `extra` adds top-level fields (the CLI's schema date).
/// Files are written through a temporary file and a rename. Returns the templates' paths.
pub fn write_assembly(
    dir: &Path,
    stacks: &[SynthesizedStack],
    format: Format,
    extra: &[(&str, serde_json::Value)],
) -> Result<Vec<PathBuf>, AppError> {
    let mut paths = Vec::new();
    let mut entries = Vec::new();
    for s in stacks {
        let (extension, body) = match format {
            Format::Json => ("json", s.template.to_json()),
            Format::Yaml => ("yaml", s.template.to_yaml()),
        };
        let file_name = format!("{}.template.{extension}", s.stack_name);
        let path = dir.join(&file_name);
        write_atomically(&path, body.as_bytes())?;
        paths.push(path);
        entries.push(serde_json::json!({
            "stackName": s.stack_name,
            "templateFile": file_name,
            "format": extension,
            "templateSha256": sha256_hex(s.minified.as_bytes()),
            "resourceCount": s.template.resources.len(),
            "outputCount": s.template.outputs.len(),
            "minifiedBytes": s.minified.len(),
            "region": s.region,
            "dependsOn": s.depends_on,
            "parameters": s.parameters,
            "tags": s.tags,
            "terminationProtection": s.termination_protection,
            "keepOnDestroy": s.keep_on_destroy,
            "security": s.security.manifest_entry(),
        }));
    }
    let mut manifest = serde_json::Map::new();
    manifest.insert("version".into(), MANIFEST_VERSION.into());
    manifest.insert("kumo".into(), env!("CARGO_PKG_VERSION").into());
    for (key, value) in extra {
        manifest.insert((*key).to_owned(), value.clone());
    }
    manifest.insert("stacks".into(), entries.into());
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    write_atomically(&dir.join("manifest.json"), text.as_bytes())?;
    Ok(paths)
}

/// Writes through a temporary file and a rename, so an interrupted run never leaves a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let temporary = path.with_extension("tmp");
    // No fsync: these files are regenerated by the next synth, so the rename's atomicity (never a
    // half-written file) is what matters.
    let result = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    result.map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        AppError::Write {
            path: path.to_owned(),
            source,
        }
    })
}

/// Orders stacks so each comes after its dependencies; `Err` names a dependency that is not in the list
/// or a cycle.
pub fn deploy_order<'a>(stacks: &[(&'a str, Vec<&'a str>)]) -> Result<Vec<&'a str>, String> {
    let mut done: Vec<&str> = Vec::new();
    while done.len() < stacks.len() {
        let before = done.len();
        for (name, deps) in stacks {
            if done.contains(name) {
                continue;
            }
            if let Some(missing) = deps.iter().find(|d| !stacks.iter().any(|(n, _)| n == *d)) {
                return Err(format!("stack {name} depends on {missing}, which is not in the app"));
            }
            if deps.iter().all(|d| done.contains(d)) {
                done.push(name);
            }
        }
        if done.len() == before {
            let stuck: Vec<&str> = stacks.iter().map(|(n, _)| *n).filter(|n| !done.contains(n)).collect();
            return Err(format!("the dependencies of {} form a cycle", stuck.join(", ")));
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RawResource;

    fn vpc_and_group() -> (Stack, Stack) {
        let mut network = Stack::new("Network");
        let vpc = network.add("Vpc", RawResource::new("AWS::EC2::VPC").set("CidrBlock", "10.0.0.0/16"));
        let mut service = Stack::new("Service");
        // Same logical id in both stacks: the handle, not the name, decides which one is meant.
        service.add("Vpc", RawResource::new("AWS::EC2::VPC").set("CidrBlock", "10.1.0.0/16"));
        service.add(
            "Group",
            RawResource::new("AWS::EC2::SecurityGroup")
                .set("GroupDescription", "g")
                .set("VpcId", vpc.reference())
                .set(
                    "Tags",
                    Expr::List(vec![Expr::Object(
                        [
                            ("Key".to_owned(), Expr::String("Cidr".into())),
                            ("Value".to_owned(), vpc.get_att::<crate::Str>("CidrBlock").into()),
                        ]
                        .into_iter()
                        .collect(),
                    )]),
                ),
        );
        (network, service)
    }

    #[test]
    fn a_handle_of_another_stack_becomes_an_export_an_import_and_a_dependency() {
        let (network, service) = vpc_and_group();
        let mut app = App::new();
        // Added in the "wrong" order: synth returns deploy order.
        app.add(service);
        app.add(network);
        let stacks = app.synth().unwrap();
        assert_eq!(stacks[0].stack_name, "Network");
        assert_eq!(stacks[1].stack_name, "Service");
        assert_eq!(stacks[1].depends_on, ["Network"]);
        let service = stacks[1].template.to_value();
        assert_eq!(
            service["Resources"]["Group"]["Properties"]["VpcId"],
            serde_json::json!({"Fn::ImportValue": "Network:Vpc"})
        );
        assert_eq!(
            service["Resources"]["Group"]["Properties"]["Tags"][0]["Value"],
            serde_json::json!({"Fn::ImportValue": "Network:Vpc:CidrBlock"})
        );
        let network = stacks[0].template.to_value();
        assert_eq!(
            network["Outputs"]["ExportVpc"]["Export"]["Name"],
            serde_json::json!("Network:Vpc")
        );
        assert_eq!(
            network["Outputs"]["ExportVpc"]["Value"],
            serde_json::json!({"Ref": "Vpc"})
        );
        assert_eq!(
            network["Outputs"]["ExportVpcCidrBlock"]["Value"],
            serde_json::json!({"Fn::GetAtt": ["Vpc", "CidrBlock"]})
        );
        // Synthesizing again changes nothing (the exports are not added twice).
        let again = app.synth().unwrap();
        assert_eq!(again[0].template.to_json(), stacks[0].template.to_json());
        assert_eq!(again[1].template.to_json(), stacks[1].template.to_json());
    }

    #[test]
    fn outside_an_app_a_foreign_handle_is_a_diagnostic_naming_the_fix() {
        let (_network, service) = vpc_and_group();
        let error = service.synth().unwrap_err();
        let cross: Vec<_> = error
            .diagnostics
            .iter()
            .filter(|d| d.kind == crate::DiagnosticKind::CrossStackReference)
            .collect();
        assert_eq!(cross.len(), 1, "{error}");
        assert!(cross[0].message.contains("kumo_core::app::App"), "{}", cross[0].message);
    }

    #[test]
    fn cycles_name_both_stacks_and_duplicates_are_refused() {
        let mut a = Stack::new("A");
        let mut b = Stack::new("B");
        let in_a = a.add("X", RawResource::new("AWS::SQS::Queue"));
        let in_b = b.add("Y", RawResource::new("AWS::SQS::Queue"));
        a.add(
            "UsesB",
            RawResource::new("AWS::SNS::Topic").set("TopicName", in_b.get_att::<crate::Str>("QueueName")),
        );
        b.add(
            "UsesA",
            RawResource::new("AWS::SNS::Topic").set("TopicName", in_a.get_att::<crate::Str>("QueueName")),
        );
        let mut app = App::new();
        app.add(a);
        app.add(b);
        let error = app.synth().unwrap_err().to_string();
        assert!(
            error.starts_with("stacks A and B depend on each other (A -> B -> A)"),
            "{error}"
        );

        let mut twice = App::new();
        twice.add(Stack::new("Same"));
        twice.add(Stack::new("Same"));
        assert_eq!(
            twice.synth().unwrap_err().to_string(),
            "two stacks are named Same; stack names must be unique in an app"
        );
        assert!(matches!(App::new().synth(), Err(AppError::Empty)));
    }

    #[test]
    fn export_names_are_deterministic_and_within_the_limit() {
        assert_eq!(
            export_name("S", "Db", Some("Endpoint.Address")),
            "S:Db:Endpoint-Address"
        );
        let long = export_name(&"S".repeat(128), &"L".repeat(255), None);
        assert_eq!(long.len(), MAX_EXPORT_NAME);
        assert_eq!(long, export_name(&"S".repeat(128), &"L".repeat(255), None));
        assert_ne!(long, export_name(&"S".repeat(128), &"L".repeat(254), None));
    }

    #[test]
    fn synth_to_writes_the_assembly_the_cli_reads() {
        let (network, service) = vpc_and_group();
        let mut app = App::new();
        app.add(network);
        app.add(service).tags.insert("team".into(), "a".into());
        let dir = std::env::temp_dir().join(format!("kumo-core-assembly-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        app.synth_to(&dir).unwrap();
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["version"], MANIFEST_VERSION);
        assert_eq!(manifest["stacks"][1]["stackName"], "Service");
        assert_eq!(manifest["stacks"][1]["dependsOn"], serde_json::json!(["Network"]));
        assert_eq!(manifest["stacks"][1]["tags"], serde_json::json!({"team": "a"}));
        assert!(dir.join("Service.template.json").is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dependencies_come_first_and_cycles_are_named() {
        let order = deploy_order(&[("main", vec!["dns"]), ("dns", vec![])]).unwrap();
        assert_eq!(order, ["dns", "main"]);
        let cycle = deploy_order(&[("a", vec!["b"]), ("b", vec!["a"])]).unwrap_err();
        assert_eq!(cycle, "the dependencies of a, b form a cycle");
        let missing = deploy_order(&[("a", vec!["x"])]).unwrap_err();
        assert_eq!(missing, "stack a depends on x, which is not in the app");
    }

    #[test]
    fn parameter_sources_read_and_write_as_the_manifest_spells_them() {
        let by_ref: ParameterSource = serde_json::from_str(r#"{"fromStack":"S-dns","resource":"Zone"}"#).unwrap();
        assert_eq!(
            by_ref,
            ParameterSource::ResourceRef {
                stack: "S-dns".into(),
                logical_id: "Zone".into()
            }
        );
        let value: ParameterSource = serde_json::from_str(r#""x""#).unwrap();
        assert_eq!(value, ParameterSource::Value("x".into()));
    }
}
