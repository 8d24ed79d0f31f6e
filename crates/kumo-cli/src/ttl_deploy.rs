//! `kumo deploy --ttl`: the reaper (`kumo_teardown::reaper`) added to the main stack's template before
//! anything is sent, and the expiry it starts with.

use std::time::{SystemTime, UNIX_EPOCH};

use kumo_deploy::TemplateDoc;
use kumo_teardown::machine::MachineOptions;
use kumo_teardown::reaper;

use kumo_deploy::deploy::DeployRequest;

use crate::app_target::StackTarget;
use crate::aws_env::AwsSession;
use crate::error::CliError;
use crate::output::outln;
use crate::render_error::deploy_error;

/// What the reaper does besides the sweep.
#[derive(Clone, Debug, Default)]
pub struct Reaper {
    pub delete_volumes: bool,
    /// The address warned an hour before the expiry.
    pub notify: Option<String>,
}

/// Adds the reaper to `stack`'s template; returns the parameters it takes (`KumoExpiry`, and
/// `KumoNotifyAt` with a warning). `from` names where the value came from (`--ttl`, `[stack] ttl`),
/// for its error.
pub fn attach(
    stack: &mut StackTarget,
    ttl: &str,
    from: &str,
    reaper: &Reaper,
) -> Result<Vec<(String, String)>, CliError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let expiry = reaper::parse_ttl(ttl, now).map_err(|e| {
        CliError::new(format!("{from}: {e}")).hint("kumo deploy --ttl 8h, or ttl = \"8h\" under [stack] in kumo.toml")
    })?;
    if let Some(address) = &reaper.notify {
        check_address(address)?;
    }
    stack.template = with_reaper(&stack.template, &stack.stack_name, reaper)?;
    outln!(
        "{}: time-to-live {ttl}: removes itself at {expiry} (kumo ttl extend / kumo ttl off change it)",
        stack.stack_name
    );
    let mut parameters = vec![(reaper::EXPIRY_PARAMETER.to_owned(), expiry.clone())];
    if let Some(address) = &reaper.notify {
        let at = reaper::notify_at(&expiry, now).unwrap_or_default();
        outln!(
            "{}: {address} is warned at {at}Z (confirm the subscription e-mail AWS sends)",
            stack.stack_name
        );
        parameters.push((reaper::NOTIFY_PARAMETER.to_owned(), at));
    }
    Ok(parameters)
}

/// An e-mail address SNS can take: something@domain, no spaces.
fn check_address(address: &str) -> Result<(), CliError> {
    let ok = address.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty() && domain.contains('.') && !address.contains(char::is_whitespace)
    });
    if ok {
        Ok(())
    } else {
        Err(
            CliError::new(format!("ttl_notify: {address:?} is not an e-mail address"))
                .hint("--ttl-notify you@example.com, or ttl_notify = \"you@example.com\" under [stack] in kumo.toml"),
        )
    }
}

fn with_reaper(template: &TemplateDoc, stack_name: &str, reaper: &Reaper) -> Result<TemplateDoc, CliError> {
    let mut value = template.value().clone();
    let options = MachineOptions {
        delete_volumes: reaper.delete_volumes,
        ..MachineOptions::default()
    };
    reaper::attach(&mut value, &options, reaper.notify.as_deref()).map_err(|e| {
        CliError::new(format!("cannot add the time-to-live reaper to {stack_name}: {e}"))
            .hint("deploy without --ttl, or rename the template's conflicting entry")
    })?;
    let body = serde_json::to_string(&value)
        .map_err(|e| CliError::new(format!("cannot write {stack_name}'s template with the reaper: {e}")))?;
    TemplateDoc::from_minified_json(body, &format!("{stack_name} (with the time-to-live reaper)"))
        .map_err(|e| deploy_error(e.into()))
}

/// A deploy without `--ttl` of a stack that has a reaper keeps it: the reaper is added again (deleting
/// volumes if the deployed one does) and `KumoExpiry` keeps its value (a parameter not given keeps its
/// current value on an update). Only `kumo ttl off` switches a time-to-live off. `true` when it added
/// the reaper.
pub async fn keep_existing(session: &AwsSession, request: &mut DeployRequest) -> Result<bool, CliError> {
    let cfn = aws_sdk_cloudformation::Client::new(&session.config);
    let Ok(described) = cfn.describe_stacks().stack_name(&request.stack_name).send().await else {
        // No stack (or no answer): the deploy's own DescribeStacks decides what happens.
        return Ok(false);
    };
    let Some(stack) = described.stacks().first() else {
        return Ok(false);
    };
    let Some(expiry) = stack
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some(reaper::EXPIRY_PARAMETER))
        .and_then(|p| p.parameter_value())
    else {
        return Ok(false);
    };
    if request.template.value()["Resources"]
        .get(reaper::STATE_MACHINE)
        .is_some()
    {
        return Ok(false);
    }
    let deployed = cfn
        .get_template()
        .stack_name(&request.stack_name)
        .send()
        .await
        .map_err(|e| {
            CliError::new(format!(
                "cannot read {}'s template to keep its time-to-live: {}",
                request.stack_name,
                aws_sdk_cloudformation::error::DisplayErrorContext(&e)
            ))
        })?;
    let body: serde_json::Value = deployed
        .template_body()
        .and_then(|body| serde_json::from_str(body).ok())
        .unwrap_or_default();
    let kept = Reaper {
        delete_volumes: body.to_string().contains("deleteVolume"),
        notify: body["Resources"][reaper::SUBSCRIPTION]["Properties"]["Endpoint"]
            .as_str()
            .map(str::to_owned),
    };
    request.template = with_reaper(&request.template, &request.stack_name, &kept)?;
    outln!(
        "{}: keeps its time-to-live ({expiry}; kumo ttl off switches it off)",
        request.stack_name
    );
    Ok(true)
}
