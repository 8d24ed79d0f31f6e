//! `kumo deploy`: see `kumo_deploy::deploy`. Deploys every stack of the app (the blueprint's: the DNS
//! stack, then the main stack; a user's app; `--assembly DIR`), or the named ones with their
//! dependencies, in dependency order (independent ones side by side with `--concurrency`), filling each stack's parameters from the stacks before
//! it; prints the outputs and writes `<out>/<Stack>.outputs.json` per stack,
//! then, after the main stack, installs or upgrades the in-cluster bundle when it has a cluster (unless
//! `--no-bundle`).

use std::process::ExitCode;
use std::time::Duration;

use kumo_core::app::ParameterSource;
use kumo_deploy::deploy::{DeployOutcome, DeployRequest};
use kumo_deploy::outputs::write_outputs_file;
use kumo_deploy::params::parse_pairs;

use crate::app_target::{self, AppTarget, Selection, StackTarget};
use crate::aws_env::{self, AwsSession};
use crate::aws_target;
use crate::cli::DeployArgs;
use crate::commands::preflight;
use crate::dns_watch;
use crate::error::CliError;
use crate::output::{errln, outln};
use crate::project::{self, ProjectOptions};
use crate::render_cost::CostContext;
use crate::render_error::deploy_error;
use crate::render_progress::CliUi;
use crate::render_report::print_outputs;
use crate::signals;

pub fn run(config: &ProjectOptions, args: &DeployArgs) -> Result<ExitCode, CliError> {
    // Everything that can be checked locally is checked before the first AWS request.
    if args.concurrency > 1 && !args.yes {
        return Err(CliError::new(format!(
            "--concurrency {} needs --yes: kumo cannot ask about two stacks' changes at the same time",
            args.concurrency
        ))
        .hint("add --yes (review first with `kumo diff`), or deploy one stack at a time without --concurrency"));
    }
    let app = app_target::for_command(
        config,
        args.stack.template.as_deref(),
        args.stack.stack_name.as_deref(),
        args.assembly.as_deref(),
        &args.out,
    )?;
    let app = app_target::select(app, &args.stacks, Selection::WithDependencies)?;
    refuse_blocked(&app, "deploy")?;
    let parameters = parse_pairs("--parameter", &args.stack.parameters).map_err(deploy_error)?;
    // --ttl, else kumo.toml's [stack] ttl.
    let ttl = args
        .ttl
        .clone()
        .map(|t| (t, "--ttl"))
        .or_else(|| app.ttl.clone().map(|t| (t, "[stack] ttl")));
    let notify = args.ttl_notify.clone().or_else(|| app.ttl_notify.clone());
    if ttl.is_none() && (args.ttl_notify.is_some() || args.ttl_delete_volumes) {
        return Err(
            CliError::new("--ttl-notify and --ttl-delete-volumes need a time-to-live")
                .hint("add --ttl 8h (or ttl = \"8h\" under [stack] in kumo.toml)"),
        );
    }
    // Checked here, before any AWS request; the reaper stack is deployed after the main stack.
    let ttl = match &ttl {
        Some((ttl, from)) => {
            let reaper = crate::ttl_deploy::Reaper {
                delete_volumes: args.ttl_delete_volumes,
                notify: notify.clone(),
            };
            let main = app.main();
            let checked = crate::ttl_deploy::check(&main.stack_name, &main.template, ttl, from, reaper)?;
            outln!(
                "{}: time-to-live {ttl}: removes itself at {} (kumo ttl extend / kumo ttl off change it)",
                main.stack_name,
                checked.expiry
            );
            Some(checked)
        }
        None => None,
    };
    let extra_tags = parse_pairs("--tag", &args.stack.tags).map_err(deploy_error)?;
    project::prepare_out_dir(&args.out)?;
    let subject = if app.from_project {
        kumo_preflight::Subject::Project
    } else {
        kumo_preflight::Subject::Template
    };
    let count = app.stacks.len();
    let requests: Vec<DeployRequest> = app
        .stacks
        .iter()
        .enumerate()
        .map(|(i, stack)| {
            // `--parameter` is for the main stack; the others get theirs from the app.
            let given = if i + 1 == count { parameters.clone() } else { Vec::new() };
            request(stack, given, &extra_tags, args)
        })
        .collect();

    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, app.region.as_deref()).await?;
        let engine = aws_env::engine(&session, args.stack.staging_bucket.clone());
        for request in &requests {
            kumo_deploy::deploy::preflight(&engine, request).map_err(deploy_error)?;
        }
        let main = &requests[count - 1];
        let identity = aws_env::announce_identity(&session, "deploy", &main.stack_name).await?;
        let client = aws_env::aws_client(&session)?;
        if args.skip_preflight {
            errln!("preflight skipped (--skip-preflight): the account was not checked");
        } else {
            // The blueprint's checks are about its main stack; a user's app gets every stack checked.
            let checked = if app.from_app { &requests[..] } else { &requests[count - 1..] };
            for request in checked {
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
        }
        // From here a first Ctrl-C / SIGTERM stops at the next safe point, deleting an unexecuted change set.
        let _graceful = signals::graceful();
        // In dependency order; with --concurrency N, up to N stacks whose dependencies are done at once.
        // A failure stops the run after the stacks already under way finish; the next run continues
        // from CloudFormation's state.
        let mut done: Vec<String> = Vec::new();
        let mut deployed = None;
        while done.len() < app.stacks.len() {
            let ready: Vec<usize> = (0..app.stacks.len())
                .filter(|&i| {
                    let stack = &app.stacks[i];
                    !done.contains(&stack.stack_name)
                        && stack
                            .depends_on
                            .iter()
                            .all(|d| done.contains(d) || !app.stacks.iter().any(|s| &s.stack_name == d))
                })
                .take(usize::from(args.concurrency))
                .collect();
            if ready.is_empty() {
                return Err(CliError::new(
                    "the app's dependencies form a cycle; nothing more can be deployed",
                ));
            }
            let side_by_side = ready.len() > 1;
            let wave = ready.iter().map(|&i| {
                let (stack, request) = (&app.stacks[i], requests[i].clone());
                let (session, engine, client) = (&session, &engine, &client);
                async move {
                    let mut request = request;
                    let missing = app_target::missing_imports(client, stack).await?;
                    if !missing.is_empty() {
                        return Err(CliError::new(format!(
                            "{} not deployed: it imports {}, which no stack of the region exports",
                            stack.stack_name,
                            missing.join(", ")
                        ))
                        .hint(format!(
                            "deploy the stack that exports it first (`kumo deploy {}` deploys the app's stacks it depends \
                             on first); an export is an output's Export.Name",
                            stack.stack_name
                        )));
                    }
                    fill_parameters(client, stack, &mut request).await?;
                    let watch = dns_watch::before_deploy(client, &request, args.yes).await?;
                    deploy_one(session, engine, &request, args, watch, side_by_side).await
                }
            });
            let results = futures_util::future::join_all(wave).await;
            for (i, result) in ready.into_iter().zip(results) {
                let info = result?;
                done.push(app.stacks[i].stack_name.clone());
                if i + 1 == app.stacks.len() {
                    deployed = Some(info);
                }
            }
        }
        // The time-to-live's reaper stack, once the main stack is there (a deploy without --ttl keeps
        // an existing one, updated for the new template).
        if let Some(main) = &deployed {
            crate::ttl_deploy::deploy_reaper(&session, &engine, main, &requests[count - 1], ttl.as_ref()).await?;
        }
        // The Kubernetes side, once the AWS side is complete (only for a main stack with a cluster). A
        // failure here leaves the stacks as they are: they are deployed, and `kumo bundle` retries this step.
        if let Some(main) = &deployed
            && !args.no_bundle
        {
            crate::kube_side::apply_bundle(&session, main, true).await?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn request(
    stack: &StackTarget,
    parameters: Vec<(String, String)>,
    extra_tags: &[(String, String)],
    args: &DeployArgs,
) -> DeployRequest {
    let mut tags = stack.tags.clone();
    tags.extend(extra_tags.iter().cloned());
    let mut all_parameters: Vec<(String, String)> = stack
        .parameters
        .iter()
        .filter_map(|(key, source)| match source {
            ParameterSource::Value(value) => Some((key.clone(), value.clone())),
            ParameterSource::ResourceRef { .. } => None,
        })
        .collect();
    all_parameters.extend(parameters);
    DeployRequest {
        stack_name: stack.stack_name.clone(),
        template: stack.template.clone(),
        parameters: all_parameters,
        tags,
        termination_protection: args.termination_protection || stack.termination_protection,
        disable_rollback: args.no_rollback,
        // clap bounds --timeout to MAX_TIMEOUT_MINUTES, so this cannot overflow.
        timeout: args
            .timeout
            .map(|minutes| Duration::from_secs(minutes.saturating_mul(60))),
        assume_yes: args.yes,
        adopt: args.adopt,
    }
}

/// Fills the parameters that come from stacks deployed before this one (see
/// [`app_target::stack_parameters`]).
async fn fill_parameters(
    client: &kumo_aws::Client,
    stack: &StackTarget,
    request: &mut DeployRequest,
) -> Result<(), CliError> {
    match app_target::stack_parameters(client, stack, &request.parameters).await? {
        Ok(values) => {
            request.parameters.extend(values);
            Ok(())
        }
        Err(why) => Err(CliError::new(format!("{} not deployed: {why}", stack.stack_name))
            .hint("deploy the app as a whole (kumo deploy deploys its stacks in order)")),
    }
}

async fn deploy_one(
    session: &AwsSession,
    engine: &kumo_deploy::Engine,
    request: &DeployRequest,
    args: &DeployArgs,
    watch: Option<dns_watch::Watch>,
    side_by_side: bool,
) -> Result<kumo_deploy::stack::StackInfo, CliError> {
    let mut ui = CliUi::new().with_cost(CostContext {
        region: session.region.clone(),
        parameters: request.parameters.clone(),
    });
    if side_by_side {
        ui = ui.side_by_side(&request.stack_name);
    }
    let deploying = kumo_deploy::deploy::deploy(engine, request, &mut ui);
    let outcome = match watch {
        // While the stack deploys, the certificate's wait is explained (the watch never ends by itself).
        Some(watch) => {
            tokio::select! {
                outcome = deploying => outcome,
                never = watch.run() => match never {},
            }
        }
        None => deploying.await,
    }
    .map_err(deploy_error)?;
    drop(ui);
    let stack = outcome.stack();
    match &outcome {
        DeployOutcome::NoChanges { .. } => outln!("{}: no changes; the stack is up to date", stack.name),
        DeployOutcome::Deployed { status, .. } => outln!("{}: {status}", stack.name),
    }
    print_outputs(&stack.outputs);
    let path = write_outputs_file(&args.out, &stack.name, &stack.outputs).map_err(|e| {
        CliError::new(format!("cannot write the outputs file in {}: {e}", args.out.display()))
            .hint("the deploy itself succeeded; `kumo outputs --json` prints the same content once the disk is fixed")
    })?;
    outln!("outputs written to {}", path.display());
    Ok(outcome.stack().clone())
}

fn refuse_blocked(app: &AppTarget, command: &str) -> Result<(), CliError> {
    aws_target::refuse_blockers(app.from_project, &app.deploy_blockers, &app.main().stack_name, command)
}
