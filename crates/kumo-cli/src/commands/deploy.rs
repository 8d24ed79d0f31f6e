//! `kumo deploy`: see `kumo_deploy::deploy`. Prints the outputs and writes `<out>/<Stack>.outputs.json`,
//! then installs or upgrades the in-cluster bundle when the stack has a cluster (unless `--no-bundle`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use kumo_deploy::deploy::{DeployOutcome, DeployRequest};
use kumo_deploy::outputs::write_outputs_file;
use kumo_deploy::params::parse_pairs;

use crate::aws_env;
use crate::aws_target;
use crate::cli::DeployArgs;
use crate::commands::preflight;
use crate::error::CliError;
use crate::output::{errln, outln};
use crate::project;
use crate::render_cost::CostContext;
use crate::render_error::deploy_error;
use crate::render_progress::CliUi;
use crate::render_report::print_outputs;
use crate::signals;

pub fn run(config: Option<&Path>, args: &DeployArgs) -> Result<ExitCode, CliError> {
    // Everything that can be checked locally is checked before the first AWS request.
    let target = aws_target::resolve(config, &args.stack)?;
    aws_target::refuse_blocked(&target, "deploy")?;
    let parameters = parse_pairs("--parameter", &args.stack.parameters).map_err(deploy_error)?;
    let mut tags = target.settings.tags.clone();
    tags.extend(parse_pairs("--tag", &args.stack.tags).map_err(deploy_error)?);
    project::prepare_out_dir(&args.out)?;
    let subject = if target.from_project {
        kumo_preflight::Subject::Project
    } else {
        kumo_preflight::Subject::Template
    };
    let request = DeployRequest {
        stack_name: target.stack_name.clone(),
        template: target.template,
        parameters,
        tags,
        termination_protection: args.termination_protection || target.settings.termination_protection,
        disable_rollback: args.no_rollback,
        // clap bounds --timeout to MAX_TIMEOUT_MINUTES, so this cannot overflow.
        timeout: args
            .timeout
            .map(|minutes| Duration::from_secs(minutes.saturating_mul(60))),
        assume_yes: args.yes,
        adopt: args.adopt,
    };

    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, target.settings.region.as_deref()).await?;
        let engine = aws_env::engine(&session, args.stack.staging_bucket.clone());
        kumo_deploy::deploy::preflight(&engine, &request).map_err(deploy_error)?;
        let identity = aws_env::announce_identity(&session, "deploy", &request.stack_name).await?;
        if args.skip_preflight {
            errln!("preflight skipped (--skip-preflight): the account was not checked");
        } else {
            let client = aws_env::aws_client(&session)?;
            let checklist = preflight::check(
                &client,
                &identity,
                &request.stack_name,
                request.template.value(),
                &request.parameters,
                subject,
            )
            .await?;
            if !checklist.passed() {
                return Err(preflight::failed(&checklist, "deploy"));
            }
        }
        // From here a first Ctrl-C / SIGTERM stops at the next safe point, deleting an unexecuted change set.
        let _graceful = signals::graceful();
        let mut ui = CliUi::new().with_cost(CostContext {
            region: session.region.clone(),
            parameters: request.parameters.clone(),
        });
        let outcome = kumo_deploy::deploy::deploy(&engine, &request, &mut ui)
            .await
            .map_err(deploy_error)?;
        drop(ui);
        let stack = outcome.stack();
        match &outcome {
            DeployOutcome::NoChanges { .. } => outln!("{}: no changes; the stack is up to date", stack.name),
            DeployOutcome::Deployed { status, .. } => outln!("{}: {status}", stack.name),
        }
        print_outputs(&stack.outputs);
        let path = write_outputs_file(&args.out, &stack.name, &stack.outputs).map_err(|e| {
            CliError::new(format!("cannot write the outputs file in {}: {e}", args.out.display())).hint(
                "the deploy itself succeeded; `kumo outputs --json` prints the same content once the disk is fixed",
            )
        })?;
        outln!("outputs written to {}", path.display());
        // The Kubernetes side, once the AWS side is complete (only for stacks with a cluster). A failure
        // here leaves the stack as it is: it is deployed, and `kumo bundle` retries this step.
        if !args.no_bundle {
            crate::kube_side::apply_bundle(&session, stack, true).await?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
