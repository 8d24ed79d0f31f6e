//! `kumo diff`: exit 0 when there are no changes, 1 when there are, 2 on error. Without `--template`,
//! every stack of the app (or of `--assembly DIR`), or the ones named, is diffed in deploy order.

use std::path::Path;
use std::process::ExitCode;

use kumo_core::app::ParameterSource;
use kumo_deploy::diff::DiffRequest;
use kumo_deploy::params::parse_pairs;

use crate::app_target::{self, Selection};
use crate::aws_env;
use crate::cli::DiffArgs;
use crate::error::{CliError, exit};
use crate::output::outln;
use crate::project::ProjectOptions;
use crate::render_cost::CostContext;
use crate::render_error::deploy_error;
use crate::render_progress::CliUi;
use crate::signals;

pub fn run(config: &ProjectOptions, args: &DiffArgs) -> Result<ExitCode, CliError> {
    let app = app_target::for_command(
        config,
        args.stack.template.as_deref(),
        args.stack.stack_name.as_deref(),
        args.assembly.as_deref(),
        Path::new(app_target::APP_OUT_DIR),
    )?;
    let app = app_target::select(app, &args.stacks, Selection::Only)?;
    let parameters = parse_pairs("--parameter", &args.stack.parameters).map_err(deploy_error)?;
    let extra_tags = parse_pairs("--tag", &args.stack.tags).map_err(deploy_error)?;
    let count = app.stacks.len();

    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, app.region.as_deref()).await?;
        let engine = aws_env::engine(&session, args.stack.staging_bucket.clone());
        // The diff creates a change set (and, for a new stack, a review stack) to delete again.
        aws_env::announce_identity(&session, "diff", &app.main().stack_name).await?;
        let client = aws_env::aws_client(&session)?;
        let _graceful = signals::graceful();
        let mut changes = false;
        for (i, stack) in app.stacks.iter().enumerate() {
            // `--parameter` is for the main stack; the others get theirs from the app.
            let mut given: Vec<(String, String)> = if i + 1 == count { parameters.clone() } else { Vec::new() };
            given.extend(stack.parameters.iter().filter_map(|(k, source)| match source {
                ParameterSource::Value(v) => Some((k.clone(), v.clone())),
                ParameterSource::ResourceRef { .. } => None,
            }));
            let missing = app_target::missing_imports(&client, stack).await?;
            if !missing.is_empty() {
                outln!(
                    "{}: not diffed: it imports {}, which no stack exports yet (kumo deploy creates it first)",
                    stack.stack_name,
                    missing.join(", ")
                );
                changes = true;
                continue;
            }
            match app_target::stack_parameters(&client, stack, &given).await? {
                Ok(values) => given.extend(values),
                Err(why) => {
                    outln!("{}: not diffed: {why} (kumo deploy creates it first)", stack.stack_name);
                    changes = true;
                    continue;
                }
            }
            let mut tags = stack.tags.clone();
            tags.extend(extra_tags.iter().cloned());
            let request = DiffRequest {
                stack_name: stack.stack_name.clone(),
                template: stack.template.clone(),
                parameters: given,
                tags,
            };
            let mut ui = CliUi::new().with_cost(CostContext {
                region: session.region.clone(),
                parameters: request.parameters.clone(),
            });
            let outcome = kumo_deploy::diff::diff(&engine, &request, &mut ui)
                .await
                .map_err(deploy_error)?;
            if outcome.has_changes {
                changes = true;
            } else {
                outln!("{}: no changes", request.stack_name);
            }
        }
        Ok(ExitCode::from(if changes { exit::CHANGES } else { exit::OK }))
    })
}
