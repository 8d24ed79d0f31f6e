//! `kumo ttl`: the stack's time-to-live (the `KumoExpiry` parameter of its reaper stack `<stack>-ttl`,
//! see `kumo_teardown::reaper`): shown, extended or switched off by an update of the reaper stack that
//! keeps its previous template and every other parameter, so nothing but the schedules changes and the
//! main stack is not touched. `off` keeps the reaper stack with its schedules disabled (they cost
//! nothing), so `extend` can switch it back on; `kumo destroy` removes it.

use std::process::ExitCode;
use std::time::Duration;

use aws_sdk_cloudformation::types::{Capability, Parameter};
use kumo_teardown::reaper::{self, EXPIRY_PARAMETER, OFF};

use crate::aws_env;
use crate::aws_target;
use crate::cli::{TtlAction, TtlArgs};
use crate::error::CliError;
use crate::output::outln;
use crate::project::ProjectOptions;
use crate::render_error::deploy_error;
use crate::ttl_deploy::now;

pub fn run(config: &ProjectOptions, args: &TtlArgs) -> Result<ExitCode, CliError> {
    let (stack_name, settings) = aws_target::stack_only(config, args.stack_name.as_deref())?;
    kumo_deploy::params::check_stack_name(&stack_name).map_err(deploy_error)?;
    let now = now();
    // The new value is checked before any AWS request.
    let new_value = match &args.action {
        None | Some(TtlAction::Show) => None,
        Some(TtlAction::Extend { to }) => {
            Some(reaper::parse_ttl(to, now).map_err(|e| CliError::new(e).hint("kumo ttl extend 4h, or kumo ttl off"))?)
        }
        Some(TtlAction::Off) => Some(OFF.to_owned()),
    };
    let reaper_stack = crate::ttl_deploy::reaper_stack_name(&stack_name)?;
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, settings.region.as_deref()).await?;
        let cfn = aws_sdk_cloudformation::Client::new(&session.config);
        let Some(current) = expiry(&cfn, &reaper_stack).await? else {
            return Err(CliError::new(format!("{stack_name} has no time-to-live"))
                .hint("deploy it with `kumo deploy --ttl 8h` to give it one"));
        };
        let Some(value) = new_value else {
            outln!("{stack_name}: {}", describe(&current, now));
            return Ok(ExitCode::SUCCESS);
        };
        if value == current {
            outln!("{stack_name}: no change; {}", describe(&current, now));
            return Ok(ExitCode::SUCCESS);
        }
        update_expiry(&cfn, &reaper_stack, &value).await?;
        outln!("{stack_name}: {}", describe(&value, now));
        Ok(ExitCode::SUCCESS)
    })
}

/// `expires at 2026-12-01T18:00:00Z (in 7 h 59 min)`, `time-to-live off`.
pub fn describe(value: &str, now: i64) -> String {
    if value == OFF {
        return "time-to-live off (kumo ttl extend 8h switches it on)".to_owned();
    }
    match reaper::parse_instant(value) {
        Some(at) if at > now => {
            let left = at - now;
            format!("expires at {value} (in {} h {} min)", left / 3600, left % 3600 / 60)
        }
        Some(_) => format!("expired at {value}: the reaper removes it (every 15 minutes until it is gone)"),
        None => format!("expiry {value:?} (not a time kumo reads)"),
    }
}

/// The stack as `DescribeStacks` gives it; a missing stack is an error.
async fn describe_one(
    cfn: &aws_sdk_cloudformation::Client,
    stack_name: &str,
) -> Result<aws_sdk_cloudformation::types::Stack, CliError> {
    let described = cfn.describe_stacks().stack_name(stack_name).send().await.map_err(|e| {
        CliError::new(format!(
            "cannot read {stack_name}: {}",
            aws_sdk_cloudformation::error::DisplayErrorContext(&e)
        ))
    })?;
    described
        .stacks()
        .first()
        .cloned()
        .ok_or_else(|| CliError::new(format!("{stack_name} does not exist")))
}

/// The reaper stack's `KumoExpiry`, or `None` when there is no reaper stack.
async fn expiry(cfn: &aws_sdk_cloudformation::Client, reaper_stack: &str) -> Result<Option<String>, CliError> {
    let stack = kumo_deploy::stack::describe(cfn, reaper_stack)
        .await
        .map_err(|e| deploy_error(e.into()))?;
    Ok(stack
        .filter(|s| s.status.as_str() != "DELETE_COMPLETE")
        .and_then(|s| s.parameters.into_iter().find(|(key, _)| key == EXPIRY_PARAMETER))
        .and_then(|(_, value)| value))
}

/// `UpdateStack` of the reaper stack with the previous template, every other parameter as it is and
/// `KumoExpiry` = `value`, followed to its end.
async fn update_expiry(cfn: &aws_sdk_cloudformation::Client, stack_name: &str, value: &str) -> Result<(), CliError> {
    let stack = describe_one(cfn, stack_name).await?;
    let status = stack.stack_status().map(|s| s.as_str().to_owned()).unwrap_or_default();
    if status.ends_with("_IN_PROGRESS") {
        return Err(CliError::new(format!("{stack_name} is {status}"))
            .hint("wait until it is done (kumo status), then run this again"));
    }
    let parameters: Vec<Parameter> = stack
        .parameters()
        .iter()
        .filter_map(|p| p.parameter_key())
        .map(|key| {
            let parameter = Parameter::builder().parameter_key(key);
            // The warning moves with the expiry; `off` disables it with the schedule.
            let notify_at = (key == reaper::NOTIFY_PARAMETER && value != OFF)
                .then(|| reaper::notify_at(value, now()))
                .flatten();
            match (key == EXPIRY_PARAMETER, notify_at) {
                (true, _) => parameter.parameter_value(value).build(),
                (false, Some(at)) => parameter.parameter_value(at).build(),
                (false, None) => parameter.use_previous_value(true).build(),
            }
        })
        .collect();
    cfn.update_stack()
        .stack_name(stack_name)
        .use_previous_template(true)
        .set_parameters(Some(parameters))
        .capabilities(Capability::CapabilityIam)
        .send()
        .await
        .map_err(|e| {
            CliError::new(format!(
                "cannot update {stack_name}'s time-to-live: {}",
                aws_sdk_cloudformation::error::DisplayErrorContext(&e)
            ))
        })?;
    // A parameter-only update touches the schedules alone: minutes at most.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30 * 60);
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        if tokio::time::Instant::now() > deadline {
            return Err(CliError::new(format!(
                "{stack_name}'s time-to-live update is still running after 30 minutes"
            ))
            .hint("kumo status shows where it is"));
        }
        let status = describe_one(cfn, stack_name)
            .await?
            .stack_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        match status.as_str() {
            "UPDATE_COMPLETE" => return Ok(()),
            s if s.ends_with("_IN_PROGRESS") => continue,
            other => {
                return Err(
                    CliError::new(format!("{stack_name}'s time-to-live update ended {other}"))
                        .hint("kumo status shows the events and what to do next"),
                );
            }
        }
    }
}

/// `kumo status`'s time-to-live lines for the stack `stack`: the expiry (from its reaper stack), and
/// the reaper's last execution with its error.
pub async fn print_status(session: &crate::aws_env::AwsSession, client: &kumo_aws::Client, stack: &str) {
    let Ok(reaper_stack) = kumo_core::names::reaper_stack(stack) else {
        return;
    };
    let cfn = aws_sdk_cloudformation::Client::new(&session.config);
    let value = match expiry(&cfn, &reaper_stack).await {
        Ok(Some(value)) => value,
        Ok(None) => return,
        Err(e) => {
            outln!("ttl:         cannot read {reaper_stack}: {e}");
            return;
        }
    };
    outln!("ttl:         {} (reaper stack {reaper_stack})", describe(&value, now()));
    let machine =
        kumo_aws::services::cloudformation::resource_physical_id(client, &reaper_stack, reaper::STATE_MACHINE).await;
    let last = match machine {
        Ok(Some(arn)) => kumo_aws::services::stepfunctions::last_execution(client, &arn).await,
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    };
    match last {
        Ok(None) => outln!("reaper:      not run yet"),
        Ok(Some(execution)) => {
            let when = execution
                .stopped
                .or(execution.started)
                .map(|t| format!(" at {}", reaper::format_instant(t as i64)))
                .unwrap_or_default();
            outln!("reaper:      last run {}{when}", execution.status);
            if let Some(error) = &execution.error {
                let cause = execution.cause.as_deref().unwrap_or_default();
                outln!("             {error}: {cause}");
                outln!("             (the next firing, at most 15 minutes later, tries again)");
            }
        }
        Err(e) => outln!("reaper:      cannot read its last run: {e}"),
    }
}
