//! `kumo diff`: exit 0 when there are no changes, 1 when there are, 2 on error.

use std::path::Path;
use std::process::ExitCode;

use kumo_deploy::diff::DiffRequest;
use kumo_deploy::params::parse_pairs;

use crate::aws_env;
use crate::aws_target;
use crate::cli::DiffArgs;
use crate::error::{CliError, exit};
use crate::output::outln;
use crate::render_cost::CostContext;
use crate::render_error::deploy_error;
use crate::render_progress::CliUi;
use crate::signals;

pub fn run(config: Option<&Path>, args: &DiffArgs) -> Result<ExitCode, CliError> {
    let target = aws_target::resolve(config, &args.stack)?;
    let parameters = parse_pairs("--parameter", &args.stack.parameters).map_err(deploy_error)?;
    let mut tags = target.settings.tags.clone();
    tags.extend(parse_pairs("--tag", &args.stack.tags).map_err(deploy_error)?);
    let request = DiffRequest {
        stack_name: target.stack_name.clone(),
        template: target.template,
        parameters,
        tags,
    };

    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, target.settings.region.as_deref()).await?;
        let engine = aws_env::engine(&session, args.stack.staging_bucket.clone());
        // The diff creates a change set (and, for a new stack, a review stack) to delete again.
        aws_env::announce_identity(&session, "diff", &request.stack_name).await?;
        let _graceful = signals::graceful();
        let mut ui = CliUi::new().with_cost(CostContext {
            region: session.region.clone(),
            parameters: request.parameters.clone(),
        });
        let outcome = kumo_deploy::diff::diff(&engine, &request, &mut ui)
            .await
            .map_err(deploy_error)?;
        if outcome.has_changes {
            Ok(ExitCode::from(exit::CHANGES))
        } else {
            outln!("{}: no changes", request.stack_name);
            Ok(ExitCode::from(exit::OK))
        }
    })
}
