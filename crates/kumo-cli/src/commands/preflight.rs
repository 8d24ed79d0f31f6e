//! `kumo preflight`: the account checks `kumo deploy` runs before it creates a change set, alone and
//! read-only (see `kumo_preflight`). Exit code 0 when nothing failed (warnings allowed), 2 otherwise.

use std::process::ExitCode;

use kumo_deploy::params::parse_pairs;
use kumo_preflight::{CallerIdentity, Checklist, Status, Subject};
use serde_json::Value;

use crate::aws_env;
use crate::aws_target;
use crate::cli::PreflightArgs;
use crate::error::CliError;
use crate::project::ProjectOptions;
use crate::render_error::deploy_error;
use crate::render_preflight::print_checklist;

pub fn run(config: &ProjectOptions, args: &PreflightArgs) -> Result<ExitCode, CliError> {
    if args.template.is_none() && crate::project::project(config)? != crate::project::Project::Blueprint {
        return run_app(config, args);
    }
    let target = aws_target::resolve_parts(config, args.template.as_deref(), args.stack_name.as_deref())?;
    aws_target::refuse_blocked(&target, "preflight")?;
    kumo_deploy::params::check_stack_name(&target.stack_name).map_err(deploy_error)?;
    let parameters = parse_pairs("--parameter", &args.parameters).map_err(deploy_error)?;
    kumo_deploy::params::check_parameter_names(&target.template, &parameters).map_err(deploy_error)?;
    let subject = if target.from_project {
        Subject::Project
    } else {
        Subject::Template
    };
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, target.settings.region.as_deref()).await?;
        let identity = aws_env::announce_identity(&session, "preflight", &target.stack_name).await?;
        let client = aws_env::aws_client(&session)?;
        let checklist = check(
            &client,
            &identity,
            &target.stack_name,
            target.template.value(),
            &parameters,
            subject,
        )
        .await?;
        if checklist.passed() {
            Ok(ExitCode::SUCCESS)
        } else {
            Err(failed(&checklist, "preflight"))
        }
    })
}

/// A user's app: every stack checked (or the one `--stack-name` names), one checklist each.
fn run_app(config: &ProjectOptions, args: &PreflightArgs) -> Result<ExitCode, CliError> {
    let app = crate::app_target::resolve(config, None, std::path::Path::new(crate::app_target::APP_OUT_DIR))?;
    let names: Vec<String> = args.stack_name.iter().cloned().collect();
    let app = crate::app_target::select(app, &names, crate::app_target::Selection::Only)?;
    let parameters = parse_pairs("--parameter", &args.parameters).map_err(deploy_error)?;
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, app.region.as_deref()).await?;
        let identity = aws_env::announce_identity(&session, "preflight", &app.main().stack_name).await?;
        let client = aws_env::aws_client(&session)?;
        let mut failures = None;
        for stack in &app.stacks {
            let checklist = check(
                &client,
                &identity,
                &stack.stack_name,
                stack.template.value(),
                &parameters,
                Subject::Template,
            )
            .await?;
            if !checklist.passed() && failures.is_none() {
                failures = Some(checklist);
            }
        }
        match failures {
            Some(checklist) => Err(failed(&checklist, "preflight")),
            None => Ok(ExitCode::SUCCESS),
        }
    })
}

/// Runs the checks for `stack_name` as `identity` (the one `announce_identity` printed) and prints the
/// checklist. Ctrl-C stops it before its next request.
pub async fn check(
    client: &kumo_aws::Client,
    identity: &CallerIdentity,
    stack_name: &str,
    template: &Value,
    parameters: &[(String, String)],
    subject: Subject,
) -> Result<Checklist, CliError> {
    let checklist = kumo_preflight::run(
        client,
        &kumo_preflight::Request {
            stack_name,
            template,
            parameters,
            identity,
            subject,
        },
    )
    .await;
    if checklist.interrupted() {
        let mut error = CliError::new(format!(
            "interrupted: the preflight of {stack_name} stopped; nothing was changed"
        ));
        error.code = crate::render_error::INTERRUPTED;
        return Err(error.hint("run the command again when you are ready"));
    }
    print_checklist(stack_name, client.region(), &checklist);
    Ok(checklist)
}

/// The error for a checklist with failures: nothing was changed, and what to do.
pub fn failed(checklist: &Checklist, command: &str) -> CliError {
    let count = checklist.count(Status::Fail);
    let what = if count == 1 { "check" } else { "checks" };
    let hint = match command {
        "deploy" => {
            "fix each ✗ as its fix line says and run `kumo deploy` again (`kumo preflight` re-checks \
                     without deploying); --skip-preflight deploys anyway"
        }
        _ => "fix each ✗ as its fix line says, then run `kumo preflight` again",
    };
    CliError::new(format!("preflight: {count} {what} failed; nothing was changed")).hint(hint)
}
