//! `kumo destroy`: find what the stack left outside CloudFormation, show it with the stack, confirm,
//! remove it in dependency order, delete the stack, then look again and say what is left.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use kumo_deploy::destroy::{DestroyOutcome, DestroyRequest};
use kumo_teardown::SweepOptions;

use crate::aws_env;
use crate::aws_target;
use crate::cli::DestroyArgs;
use crate::error::CliError;
use crate::output::outln;
use crate::render_error::deploy_error;
use crate::render_progress::CliUi;
use crate::signals;
use crate::teardown::Leftovers;

pub fn run(config: Option<&Path>, args: &DestroyArgs) -> Result<ExitCode, CliError> {
    let (stack_name, settings) = aws_target::stack_only(config, args.stack_name.as_deref())?;
    kumo_deploy::params::check_stack_name(&stack_name).map_err(deploy_error)?;
    let request = DestroyRequest {
        stack_name,
        assume_yes: args.yes,
        adopt: args.adopt,
        retain: args.retain.clone(),
        plan_only: args.plan,
    };
    let options = SweepOptions {
        delete_volumes: args.delete_volumes,
        limit: Duration::from_secs(args.sweep_timeout * 60),
        ..SweepOptions::default()
    };

    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, settings.region.as_deref()).await?;
        let engine = aws_env::engine(&session, None);
        if !request.plan_only {
            aws_env::announce_identity(&session, "destroy", &request.stack_name).await?;
        }
        let mut leftovers = Leftovers::new(&session, aws_env::aws_client(&session)?, &request.stack_name, options);
        // A first Ctrl-C / SIGTERM at the question or before the delete starts stops without deleting;
        // during the sweep, it stops between two deletes.
        let _graceful = signals::graceful();
        let mut ui = CliUi::new();
        let outcome = kumo_deploy::destroy::destroy_with(&engine, &request, &mut ui, &mut leftovers)
            .await
            .map_err(deploy_error)?;
        drop(ui);
        let retained = match outcome {
            DestroyOutcome::NotFound => {
                outln!("{}: does not exist; nothing to destroy", request.stack_name);
                return Ok(ExitCode::SUCCESS);
            }
            DestroyOutcome::Planned { .. } => {
                outln!("plan only (--plan): nothing was changed");
                return Ok(ExitCode::SUCCESS);
            }
            DestroyOutcome::OutsideOnly => Vec::new(),
            DestroyOutcome::Deleted { retained } => {
                outln!("{}: deleted", request.stack_name);
                if !retained.is_empty() {
                    outln!("kept (not deleted with the stack):");
                    for r in &retained {
                        let physical = r.physical_id.as_deref().map(|p| format!(" {p}")).unwrap_or_default();
                        outln!("  {} ({}){physical}: {}", r.logical_id, r.resource_type, r.why);
                    }
                }
                retained
            }
        };
        let unexpected = leftovers.verify(&retained).await.map_err(deploy_error)?;
        if unexpected.is_empty() {
            Ok(ExitCode::SUCCESS)
        } else {
            // Exit code 2 (`CliError::new`): something unexpected remains.
            Err(CliError::new(format!(
                "{}: {} resource(s) made for it are still there",
                request.stack_name,
                unexpected.len()
            ))
            .hint(format!(
                "`kumo destroy --stack-name {} --plan` shows them; run `kumo destroy` again to retry, or delete them \
                 by hand",
                request.stack_name
            )))
        }
    })
}
