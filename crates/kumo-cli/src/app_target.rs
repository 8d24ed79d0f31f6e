//! The stacks the deploy-family verbs act on together: the blueprint's (the DNS stack, then the main
//! stack), a user's app (run by `app_command`, which writes a cloud assembly), a cloud assembly directory
//! (`--assembly DIR`: `manifest.json` + templates, as `kumo synth` or a user's program writes it), or one
//! `--template` file; then the stacks named on the command line. Everything is read and checked here,
//! before any AWS request.

use std::collections::BTreeMap;
use std::path::Path;

use kumo_core::app::{ParameterSource, deploy_order};
use kumo_deploy::TemplateDoc;
use serde::Deserialize;

use crate::error::CliError;
use crate::project::{self, Project, ProjectOptions};
use crate::render_error::deploy_error;

/// One stack to deploy or destroy.
pub struct StackTarget {
    pub stack_name: String,
    /// Stacks of the app deployed before this one.
    pub depends_on: Vec<String>,
    pub template: TemplateDoc,
    pub parameters: BTreeMap<String, ParameterSource>,
    pub tags: Vec<(String, String)>,
    pub termination_protection: bool,
    pub keep_on_destroy: bool,
}

/// The stacks in deploy order, and what the project says about all of them.
pub struct AppTarget {
    pub stacks: Vec<StackTarget>,
    /// Region from kumo.toml or the manifest; `None` = the AWS chain decides.
    pub region: Option<String>,
    /// Reasons `kumo deploy` refuses before any AWS request (the project's).
    pub deploy_blockers: Vec<String>,
    pub from_project: bool,
    /// `[stack] ttl` of the project (for the main stack; `--ttl` wins).
    pub ttl: Option<String>,
    /// `[stack] ttl_notify` (`--ttl-notify` wins).
    pub ttl_notify: Option<String>,
    /// From a user's app or an assembly (not the blueprint, not `--template`): every stack is the user's,
    /// and commands act on all of them by default.
    pub from_app: bool,
}

impl AppTarget {
    /// The stack the others serve (deployed last).
    pub fn main(&self) -> &StackTarget {
        // `resolve*` never returns an empty app.
        &self.stacks[self.stacks.len() - 1]
    }

    pub fn main_mut(&mut self) -> &mut StackTarget {
        let last = self.stacks.len() - 1;
        &mut self.stacks[last]
    }
}

/// Where the app's assembly goes when a command other than `kumo synth --out` runs the app.
pub const APP_OUT_DIR: &str = "kumo.out";

/// What `deploy` / `diff` act on from their flags: `--template FILE --stack-name NAME` (one stack), else
/// the project or `--assembly DIR` (the blueprint's main stack `--stack-name` renames).
pub fn for_command(
    opts: &ProjectOptions,
    template: Option<&Path>,
    stack_name: Option<&str>,
    assembly: Option<&Path>,
    out: &Path,
) -> Result<AppTarget, CliError> {
    if let Some(path) = template {
        let name = stack_name
            .ok_or_else(|| CliError::new("--template needs --stack-name").hint("name the stack: --stack-name NAME"))?;
        return from_template(path, name);
    }
    let mut app = resolve(opts, assembly, out)?;
    if let Some(name) = stack_name {
        if app.from_app {
            return Err(
                CliError::new("--stack-name renames the blueprint's stack; an app names its own stacks")
                    .hint("name the stacks to act on as arguments: kumo <command> STACK..."),
            );
        }
        app.main_mut().stack_name = name.to_owned();
    }
    Ok(app)
}

/// `--assembly DIR`, else the user's app run into `out`, else the blueprint synthesized.
pub fn resolve(opts: &ProjectOptions, assembly: Option<&Path>, out: &Path) -> Result<AppTarget, CliError> {
    if let Some(dir) = assembly {
        return read_assembly(dir);
    }
    match project::project(opts)? {
        Project::Blueprint => from_project(opts),
        Project::App { command, origin } => {
            crate::app_command::run(&command, &origin, out, opts.env.as_deref())?;
            read_assembly(out)
        }
    }
}

/// How [`select`] completes the stacks named on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Exactly the named stacks (diff, status, outputs).
    Only,
    /// With the stacks they depend on, deployed first (deploy: a stack needs what it imports).
    WithDependencies,
    /// With the stacks that depend on them, destroyed first (destroy: CloudFormation refuses to delete a
    /// stack whose exports another imports).
    WithDependents,
}

/// Keeps the stacks named on the command line (all of them when none is named), in deploy order. An
/// unknown name is an error naming the stacks there are.
pub fn select(mut app: AppTarget, names: &[String], how: Selection) -> Result<AppTarget, CliError> {
    if names.is_empty() {
        return Ok(app);
    }
    for name in names {
        if !app.stacks.iter().any(|s| &s.stack_name == name) {
            let there: Vec<&str> = app.stacks.iter().map(|s| s.stack_name.as_str()).collect();
            return Err(CliError::new(format!(
                "no stack named {name} in the app; its stacks: {}",
                there.join(", ")
            ))
            .hint("`kumo ls` lists the app's stacks; nothing was sent to AWS"));
        }
    }
    let mut keep: Vec<String> = names.to_vec();
    loop {
        let before = keep.len();
        for stack in &app.stacks {
            let add = match how {
                Selection::Only => false,
                Selection::WithDependencies => app
                    .stacks
                    .iter()
                    .any(|s| keep.contains(&s.stack_name) && s.depends_on.contains(&stack.stack_name)),
                Selection::WithDependents => stack.depends_on.iter().any(|d| keep.contains(d)),
            };
            if add && !keep.contains(&stack.stack_name) {
                keep.push(stack.stack_name.clone());
            }
        }
        if keep.len() == before {
            break;
        }
    }
    app.stacks.retain(|s| keep.contains(&s.stack_name));
    Ok(app)
}

fn from_project(opts: &ProjectOptions) -> Result<AppTarget, CliError> {
    let synthesized = project::synthesize_app(opts)?;
    let settings = synthesized.deploy;
    let mut stacks = Vec::new();
    for s in synthesized.stacks {
        let template = TemplateDoc::from_minified_json(s.minified, &format!("{} (synthesized)", s.stack_name))
            .map_err(|e| deploy_error(e.into()))?;
        stacks.push(StackTarget {
            stack_name: s.stack_name,
            depends_on: s.depends_on,
            template,
            parameters: s.parameters,
            tags: s.tags.into_iter().collect(),
            termination_protection: s.termination_protection,
            keep_on_destroy: s.keep_on_destroy,
        });
    }
    if stacks.is_empty() {
        return Err(CliError::new("the project has no stack"));
    }
    Ok(AppTarget {
        stacks,
        region: settings.region,
        deploy_blockers: settings.deploy_blockers,
        from_project: true,
        ttl: settings.ttl,
        ttl_notify: settings.ttl_notify,
        from_app: false,
    })
}

/// `manifest.json` as kumo reads it: versions 1 and 2 (version 1 has one stack and none of the
/// deploy fields).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    version: u32,
    stacks: Vec<ManifestStack>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManifestStack {
    stack_name: String,
    template_file: String,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    depends_on: Vec<String>,
    #[serde(default)]
    parameters: BTreeMap<String, ParameterSource>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    termination_protection: bool,
    #[serde(default)]
    keep_on_destroy: bool,
}

/// Reads a cloud assembly directory: its manifest, then each template it names, in deploy order.
pub fn read_assembly(dir: &Path) -> Result<AppTarget, CliError> {
    let path = dir.join("manifest.json");
    let shown = path.display().to_string();
    let hint = "point --assembly at a directory `kumo synth --out DIR` (or your program) wrote";
    let text =
        std::fs::read_to_string(&path).map_err(|e| CliError::new(format!("cannot read {shown}: {e}")).hint(hint))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| CliError::new(format!("{shown}: not a kumo manifest: {e}")).hint(hint))?;
    if manifest.version == 0 || manifest.version > kumo_core::app::MANIFEST_VERSION {
        return Err(CliError::new(format!(
            "{shown}: manifest version {} is not one this kumo reads (1 to {})",
            manifest.version,
            kumo_core::app::MANIFEST_VERSION
        ))
        .hint("synthesize the assembly again with this kumo, or use the kumo that wrote it"));
    }
    if manifest.stacks.is_empty() {
        return Err(CliError::new(format!("{shown}: lists no stack")).hint(hint));
    }
    for (i, entry) in manifest.stacks.iter().enumerate() {
        if manifest.stacks[..i].iter().any(|s| s.stack_name == entry.stack_name) {
            return Err(
                CliError::new(format!("{shown}: two stacks are named {}", entry.stack_name))
                    .hint("stack names must be unique in an app (CloudFormation knows a stack by its name)"),
            );
        }
    }
    let edges: Vec<(&str, Vec<&str>)> = manifest
        .stacks
        .iter()
        .map(|s| (s.stack_name.as_str(), s.depends_on.iter().map(String::as_str).collect()))
        .collect();
    let order = deploy_order(&edges).map_err(|e| CliError::new(format!("{shown}: {e}")).hint(hint))?;
    let mut region: Option<String> = None;
    let mut stacks = Vec::new();
    for name in order {
        let Some(entry) = manifest.stacks.iter().find(|s| s.stack_name == name) else {
            continue;
        };
        kumo_deploy::params::check_stack_name(&entry.stack_name).map_err(deploy_error)?;
        for (key, source) in &entry.parameters {
            if let ParameterSource::ResourceRef { stack, .. } = source
                && !entry.depends_on.contains(stack)
            {
                return Err(CliError::new(format!(
                    "{shown}: stack {name}: parameter {key} comes from {stack}, which is not in its dependsOn"
                ))
                .hint("add the stack to dependsOn, so it is deployed first"));
            }
        }
        match (&region, &entry.region) {
            (Some(a), Some(b)) if a != b => {
                return Err(CliError::new(format!(
                    "{shown}: stacks in two regions ({a}, {b}); kumo deploys an assembly into one region"
                ))
                .hint("split the assembly by region"));
            }
            (None, Some(b)) => region = Some(b.clone()),
            _ => {}
        }
        let file = dir.join(&entry.template_file);
        let template = TemplateDoc::from_file(&file).map_err(|e| deploy_error(e.into()))?;
        stacks.push(StackTarget {
            stack_name: entry.stack_name.clone(),
            depends_on: entry.depends_on.clone(),
            template,
            parameters: entry.parameters.clone(),
            tags: entry.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            termination_protection: entry.termination_protection,
            keep_on_destroy: entry.keep_on_destroy,
        });
    }
    Ok(AppTarget {
        stacks,
        region,
        deploy_blockers: Vec::new(),
        from_project: false,
        ttl: None,
        ttl_notify: None,
        from_app: true,
    })
}

/// The values of the parameters a stack takes from stacks deployed before it: the physical id of the
/// named resource (its `Ref`), read from CloudFormation now. `given` (`--parameter`) wins. `Ok(Err(why))`:
/// a source stack or resource does not exist yet.
pub async fn stack_parameters(
    client: &kumo_aws::Client,
    stack: &StackTarget,
    given: &[(String, String)],
) -> Result<Result<Vec<(String, String)>, String>, CliError> {
    let mut values = Vec::new();
    for (key, source) in &stack.parameters {
        let ParameterSource::ResourceRef {
            stack: from,
            logical_id,
        } = source
        else {
            continue;
        };
        if given.iter().any(|(k, _)| k == key) {
            continue;
        }
        let value = kumo_aws::services::cloudformation::resource_physical_id(client, from, logical_id)
            .await
            .map_err(|e| CliError::new(format!("cannot read {logical_id} of {from} for {key}: {e}")))?;
        match value {
            Some(value) => values.push((key.clone(), value)),
            None => {
                return Ok(Err(format!(
                    "its parameter {key} comes from {logical_id} of stack {from}, which does not exist yet"
                )));
            }
        }
    }
    Ok(Ok(values))
}

/// One stack from `--template FILE --stack-name NAME`.
pub fn from_template(path: &Path, stack_name: &str) -> Result<AppTarget, CliError> {
    let template = TemplateDoc::from_file(path).map_err(|e| deploy_error(e.into()))?;
    Ok(AppTarget {
        stacks: vec![StackTarget {
            stack_name: stack_name.to_owned(),
            depends_on: Vec::new(),
            template,
            parameters: BTreeMap::new(),
            tags: Vec::new(),
            termination_protection: false,
            keep_on_destroy: false,
        }],
        region: None,
        deploy_blockers: Vec::new(),
        from_project: false,
        ttl: None,
        ttl_notify: None,
        from_app: false,
    })
}

/// The export names `template` imports: every `Fn::ImportValue` of a literal name.
pub fn imported_exports(template: &serde_json::Value) -> Vec<String> {
    fn walk(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if map.len() == 1
                    && let Some(serde_json::Value::String(name)) = map.get("Fn::ImportValue")
                {
                    if !found.contains(name) {
                        found.push(name.clone());
                    }
                    return;
                }
                map.values().for_each(|v| walk(v, found));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(template, &mut found);
    found
}

/// The export names `template` declares: every `Outputs.*.Export.Name` that is a literal.
pub fn declared_exports(template: &serde_json::Value) -> Vec<String> {
    template["Outputs"]
        .as_object()
        .map(|outputs| {
            outputs
                .values()
                .filter_map(|o| o["Export"]["Name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The exports `stack` imports that no stack of the region exports (yet): CloudFormation would refuse
/// its change set ("No export named ... found"). No request for a stack that imports nothing.
pub async fn missing_imports(client: &kumo_aws::Client, stack: &StackTarget) -> Result<Vec<String>, CliError> {
    let wanted = imported_exports(stack.template.value());
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let exports = kumo_aws::services::cloudformation::list_exports(client)
        .await
        .map_err(|e| {
            CliError::new(format!(
                "cannot list the region's exports for {}: {e}",
                stack.stack_name
            ))
        })?;
    Ok(wanted
        .into_iter()
        .filter(|name| !exports.iter().any(|e| &e.name == name))
        .collect())
}

/// Before a destroy: the exports of `stacks` (in destroy order) that a stack not destroyed before them
/// imports — CloudFormation refuses to delete such a stack. `(stack, export, importers)` for each.
pub async fn blocking_imports(
    client: &kumo_aws::Client,
    stacks: &[&StackTarget],
) -> Result<Vec<(String, String, Vec<String>)>, CliError> {
    let mut blocked = Vec::new();
    for (i, stack) in stacks.iter().enumerate() {
        let gone_before: Vec<&str> = stacks[..i].iter().map(|s| s.stack_name.as_str()).collect();
        for export in declared_exports(stack.template.value()) {
            let importers = kumo_aws::services::cloudformation::list_imports(client, &export)
                .await
                .map_err(|e| CliError::new(format!("cannot read who imports {export} of {}: {e}", stack.stack_name)))?;
            let left: Vec<String> = importers
                .into_iter()
                .filter(|s| !gone_before.contains(&s.as_str()))
                .collect();
            if !left.is_empty() {
                blocked.push((stack.stack_name.clone(), export, left));
            }
        }
    }
    Ok(blocked)
}
