//! `kumo destroy`: delete the stack; report what was retained or what blocked deletion.

use std::path::Path;
use std::process::ExitCode;

use kumo_deploy::destroy::{DestroyOutcome, DestroyRequest};

use crate::aws_env;
use crate::aws_target;
use crate::cli::DestroyArgs;
use crate::error::CliError;
use crate::output::outln;
use crate::render_error::deploy_error;
use crate::render_progress::CliUi;
use crate::signals;

pub fn run(config: Option<&Path>, args: &DestroyArgs) -> Result<ExitCode, CliError> {
    let (stack_name, settings) = aws_target::stack_only(config, args.stack_name.as_deref())?;
    kumo_deploy::params::check_stack_name(&stack_name).map_err(deploy_error)?;
    let request = DestroyRequest {
        stack_name,
        assume_yes: args.yes,
        adopt: args.adopt,
        retain: args.retain.clone(),
    };

    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, settings.region.as_deref()).await?;
        let engine = aws_env::engine(&session, None);
        aws_env::announce_identity(&session, "destroy", &request.stack_name).await?;
        // A first Ctrl-C / SIGTERM at the question or before the delete starts stops without deleting.
        let _graceful = signals::graceful();
        let mut ui = CliUi::new();
        let outcome = kumo_deploy::destroy::destroy(&engine, &request, &mut ui)
            .await
            .map_err(deploy_error)?;
        drop(ui);
        match outcome {
            DestroyOutcome::NotFound => outln!("{}: does not exist; nothing to destroy", request.stack_name),
            DestroyOutcome::Deleted { retained } => {
                outln!("{}: deleted", request.stack_name);
                if !retained.is_empty() {
                    outln!("kept (not deleted with the stack):");
                    for r in retained {
                        let physical = r.physical_id.map(|p| format!(" {p}")).unwrap_or_default();
                        outln!("  {} ({}){physical}: {}", r.logical_id, r.resource_type, r.why);
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
