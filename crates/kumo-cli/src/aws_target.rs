//! What a deploy-family command acts on: a template file given with `--template` (any CloudFormation
//! template; the kumo project is not read at all), or the kumo project synthesized from `kumo.toml`.

use std::path::Path;

use kumo_blueprint::DeploySettings;
use kumo_deploy::TemplateDoc;

use crate::error::CliError;
use crate::project::{self, ProjectOptions};
use crate::render_error::deploy_error;

pub struct Target {
    pub stack_name: String,
    pub template: TemplateDoc,
    /// The project's region, tags, termination protection and deploy blockers (defaults for `--template`).
    pub settings: DeploySettings,
    pub from_project: bool,
}

/// The target chosen by `--template` and `--stack-name`. Parse errors (with line and column) happen here,
/// before any AWS access.
pub fn resolve_parts(
    config: &ProjectOptions,
    template: Option<&Path>,
    stack_name: Option<&str>,
) -> Result<Target, CliError> {
    let stack_name = stack_name.map(str::to_owned);
    match template {
        Some(path) => {
            let template = TemplateDoc::from_file(path).map_err(|e| deploy_error(e.into()))?;
            let stack_name = stack_name.ok_or_else(|| {
                CliError::new("--template needs --stack-name").hint("name the stack: --stack-name NAME")
            })?;
            Ok(Target {
                stack_name,
                template,
                settings: DeploySettings::default(),
                from_project: false,
            })
        }
        None => {
            let (main, settings) = project::synthesize(config)?;
            let template =
                TemplateDoc::from_minified_json(main.minified, &format!("{} (synthesized)", main.stack_name))
                    .map_err(|e| deploy_error(e.into()))?;
            Ok(Target {
                stack_name: stack_name.unwrap_or(main.stack_name),
                template,
                settings,
                from_project: true,
            })
        }
    }
}

/// Refuses a project whose configuration still names what is not the user's (the reserved example
/// domain, the seed's GitHub repository): every such setting at once, before any AWS request.
pub fn refuse_blocked(target: &Target, command: &str) -> Result<(), CliError> {
    refuse_blockers(
        target.from_project,
        &target.settings.deploy_blockers,
        &target.stack_name,
        command,
    )
}

/// [`refuse_blocked`] from its parts (also for the multi-stack deploy).
pub fn refuse_blockers(from_project: bool, blockers: &[String], stack: &str, command: &str) -> Result<(), CliError> {
    if !from_project || blockers.is_empty() {
        return Ok(());
    }
    let list: String = blockers.iter().map(|b| format!("\n  - {b}")).collect();
    Err(CliError::new(format!(
        "{stack} is not ready to deploy: kumo.toml still has values that are not yours:{list}"
    ))
    .hint(format!(
        "set them in kumo.toml (`kumo init` writes one to edit; `kumo synth` works meanwhile); `kumo {command}` sent \
         nothing to AWS"
    )))
}

/// The stack a command without a template acts on: `--stack-name`, else the project's stack (whose
/// configuration also supplies the region).
/// For an app, its main stack: the last in deploy order (the one the others serve).
pub fn stack_only(config: &ProjectOptions, stack_name: Option<&str>) -> Result<(String, DeploySettings), CliError> {
    match stack_name {
        Some(name) => Ok((name.to_owned(), DeploySettings::default())),
        None if project::project(config)? != project::Project::Blueprint => {
            let app = crate::app_target::resolve(config, None, Path::new(crate::app_target::APP_OUT_DIR))?;
            Ok((
                app.main().stack_name.clone(),
                DeploySettings {
                    region: app.region.clone(),
                    ..DeploySettings::default()
                },
            ))
        }
        None => {
            let (main, deploy) = project::synthesize(config)?;
            Ok((main.stack_name, deploy))
        }
    }
}

/// The stacks `status` / `outputs` read, and their region: `--stack-name`; else the named stacks of the
/// app or blueprint; else all of an app's stacks, or the blueprint's main stack.
pub fn stacks_to_read(
    config: &ProjectOptions,
    stack_name: Option<&str>,
    names: &[String],
) -> Result<(Vec<String>, Option<String>), CliError> {
    let blueprint = project::project(config)? == project::Project::Blueprint;
    if stack_name.is_some() || (blueprint && names.is_empty()) {
        let (name, settings) = stack_only(config, stack_name)?;
        return Ok((vec![name], settings.region));
    }
    let app = crate::app_target::resolve(config, None, Path::new(crate::app_target::APP_OUT_DIR))?;
    let app = crate::app_target::select(app, names, crate::app_target::Selection::Only)?;
    Ok((app.stacks.into_iter().map(|s| s.stack_name).collect(), app.region))
}

/// The existing stack `stack_name` with its outputs; a missing one is an error saying what to check.
pub async fn existing_stack(
    engine: &kumo_deploy::Engine,
    stack_name: &str,
) -> Result<kumo_deploy::stack::StackInfo, CliError> {
    kumo_deploy::outputs::outputs(engine, stack_name)
        .await
        .map_err(deploy_error)?
        .ok_or_else(|| {
            CliError::new(format!("stack {stack_name} does not exist"))
                .hint("check --stack-name and --region, or deploy it first")
        })
}
