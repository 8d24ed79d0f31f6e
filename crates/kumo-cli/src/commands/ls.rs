//! `kumo ls`: the stacks of the app (running it) or of the blueprint, in deploy order; with `--long`,
//! what each depends on, its region, resource count and whether `kumo destroy` keeps it. No AWS access.

use std::path::Path;
use std::process::ExitCode;

use crate::app_target;
use crate::cli::LsArgs;
use crate::error::CliError;
use crate::output::outln;
use crate::project::ProjectOptions;

pub fn run(config: &ProjectOptions, args: &LsArgs) -> Result<ExitCode, CliError> {
    let app = app_target::resolve(config, args.assembly.as_deref(), Path::new(app_target::APP_OUT_DIR))?;
    if !args.long {
        for stack in &app.stacks {
            outln!("{}", stack.stack_name);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let width = app.stacks.iter().map(|s| s.stack_name.len()).max().unwrap_or(0);
    for stack in &app.stacks {
        let resources = stack.template.resources().len();
        let after = if stack.depends_on.is_empty() {
            "no dependencies".to_owned()
        } else {
            format!("after {}", stack.depends_on.join(", "))
        };
        let region = app.region.as_deref().unwrap_or("region from the AWS settings");
        let kept = if stack.keep_on_destroy { ", kept on destroy" } else { "" };
        outln!(
            "{:<width$}  {resources} resources, {after}, {region}{kept}",
            stack.stack_name
        );
    }
    Ok(ExitCode::SUCCESS)
}
