//! `kumo deploy --ttl`: the reaper stack `<stack>-ttl` (`kumo_teardown::reaper`), deployed after the
//! main stack succeeded. The main stack's template is never changed by a time-to-live.

use std::time::{SystemTime, UNIX_EPOCH};

use kumo_core::app::REAPER_FOR_TAG;
use kumo_deploy::TemplateDoc;
use kumo_deploy::deploy::{DeployOutcome, DeployRequest};
use kumo_deploy::stack::StackInfo;
use kumo_teardown::machine::MachineOptions;
use kumo_teardown::reaper;

use crate::aws_env::AwsSession;
use crate::error::CliError;
use crate::output::{errln, outln};
use crate::render_cost::CostContext;
use crate::render_error::deploy_error;
use crate::render_progress::CliUi;

/// What the reaper does besides the sweep.
#[derive(Clone, Debug, Default)]
pub struct Reaper {
    pub delete_volumes: bool,
    /// The address warned an hour before the expiry.
    pub notify: Option<String>,
}

/// A time-to-live asked for (`--ttl`, `[stack] ttl`), checked before any AWS request.
#[derive(Clone, Debug)]
pub struct Ttl {
    /// The expiry, `YYYY-MM-DDTHH:MM:SSZ`.
    pub expiry: String,
    pub reaper: Reaper,
}

/// Checks a time-to-live for the stack `stack_name` before any AWS request: the value (`from` names
/// where it came from, `--ttl` or `[stack] ttl`), the warning's address, the reaper stack's name, and
/// that kumo knows how to delete every type of `main` (the reaper's permissions come from them).
pub fn check(stack_name: &str, main: &TemplateDoc, ttl: &str, from: &str, reaper: Reaper) -> Result<Ttl, CliError> {
    let expiry = reaper::parse_ttl(ttl, now()).map_err(|e| {
        CliError::new(format!("{from}: {e}")).hint("kumo deploy --ttl 8h, or ttl = \"8h\" under [stack] in kumo.toml")
    })?;
    if let Some(address) = &reaper.notify {
        check_address(address)?;
    }
    reaper_stack_name(stack_name)?;
    reaper_template(stack_name, main, &reaper)?;
    Ok(Ttl { expiry, reaper })
}

/// Seconds since the Unix epoch: the clock a time-to-live is measured from (`kumo deploy`, `kumo ttl`).
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// `<stack>-ttl`, or an error naming the limit.
pub fn reaper_stack_name(stack_name: &str) -> Result<String, CliError> {
    kumo_core::names::reaper_stack(stack_name).map_err(|why| {
        CliError::new(format!("{stack_name}: {why}"))
            .hint("give the stack a shorter name (--stack-name, or [stack] name in kumo.toml)")
    })
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

fn reaper_template(stack_name: &str, main: &TemplateDoc, reaper: &Reaper) -> Result<TemplateDoc, CliError> {
    let options = MachineOptions {
        delete_volumes: reaper.delete_volumes,
        ..MachineOptions::default()
    };
    let value = reaper::template(main.value(), &options, reaper.notify.as_deref()).map_err(|e| {
        CliError::new(format!("cannot make the time-to-live reaper of {stack_name}: {e}"))
            .hint("deploy without --ttl (kumo destroy still removes everything)")
    })?;
    let body = serde_json::to_string(&value)
        .map_err(|e| CliError::new(format!("cannot write {stack_name}'s reaper template: {e}")))?;
    TemplateDoc::from_minified_json(body, &format!("{stack_name}'s time-to-live reaper"))
        .map_err(|e| deploy_error(e.into()))
}

/// After the main stack `main` is deployed (from `request`): deploys its reaper stack with `ttl`, or,
/// without one, updates an existing reaper stack for the new template while keeping its expiry and
/// warning (only `kumo ttl off` switches a time-to-live off). Nothing when there is neither.
pub async fn deploy_reaper(
    session: &AwsSession,
    engine: &kumo_deploy::Engine,
    main: &StackInfo,
    request: &DeployRequest,
    ttl: Option<&Ttl>,
) -> Result<(), CliError> {
    let reaper_name = reaper_stack_name(&main.name)?;
    if crate::signals::stop_requested().is_some() {
        if ttl.is_some() {
            errln!(
                "{}: stopped before its time-to-live stack {reaper_name} was deployed: run the deploy again",
                main.name
            );
        }
        return Ok(());
    }
    let cfn = aws_sdk_cloudformation::Client::new(&session.config);
    let existing = kumo_deploy::stack::describe(&cfn, &reaper_name)
        .await
        .map_err(|e| deploy_error(e.into()))?
        .filter(|s| s.status.as_str() != "DELETE_COMPLETE");
    let (reaper, mut parameters) = match (ttl, &existing) {
        (Some(ttl), _) => {
            let mut parameters = vec![(reaper::EXPIRY_PARAMETER.to_owned(), ttl.expiry.clone())];
            if let Some(address) = &ttl.reaper.notify {
                let at = reaper::notify_at(&ttl.expiry, now()).unwrap_or_default();
                outln!(
                    "{}: {address} is warned at {at}Z (confirm the subscription e-mail AWS sends)",
                    main.name
                );
                parameters.push((reaper::NOTIFY_PARAMETER.to_owned(), at));
            }
            (ttl.reaper.clone(), parameters)
        }
        (None, Some(existing)) => kept(&cfn, existing).await?,
        (None, None) => return Ok(()),
    };
    let template = reaper_template(&main.name, &request.template, &reaper)?;
    parameters.push((reaper::MAIN_STACK_NAME.to_owned(), main.name.clone()));
    parameters.push((reaper::MAIN_STACK_ID.to_owned(), main.id.clone()));
    let client = crate::aws_env::aws_client(session)?;
    for (parameter, logical_id) in reaper::vpc_parameters(request.template.value()) {
        let vpc = kumo_aws::services::cloudformation::resource_physical_id(&client, &main.id, &logical_id)
            .await
            .map_err(|e| CliError::new(format!("cannot read {}'s VPC {logical_id}: {e}", main.name)))?
            .ok_or_else(|| CliError::new(format!("{} has no VPC {logical_id} deployed", main.name)))?;
        parameters.push((parameter, vpc));
    }
    let mut tags = request.tags.clone();
    tags.push((REAPER_FOR_TAG.to_owned(), main.name.clone()));
    let reaper_request = DeployRequest {
        stack_name: reaper_name.clone(),
        template,
        parameters,
        tags,
        termination_protection: false,
        disable_rollback: false,
        timeout: request.timeout,
        assume_yes: true,
        adopt: false,
    };
    kumo_deploy::deploy::preflight(engine, &reaper_request).map_err(deploy_error)?;
    // Its cost line lists the reaper's parts as charged per use.
    let mut ui = CliUi::new().with_cost(CostContext {
        region: session.region.clone(),
        parameters: reaper_request.parameters.clone(),
    });
    let outcome = kumo_deploy::deploy::deploy(engine, &reaper_request, &mut ui)
        .await
        .map_err(|e| {
            deploy_error(e).hint(format!(
                "{} is deployed but has no working time-to-live; run the deploy again, or `kumo destroy` when done",
                main.name
            ))
        })?;
    drop(ui);
    match &outcome {
        DeployOutcome::NoChanges { .. } => outln!("{reaper_name}: no changes; the reaper is up to date"),
        DeployOutcome::Deployed { status, .. } => outln!("{reaper_name}: {status}"),
    }
    Ok(())
}

/// An existing reaper's settings and its expiry (and warning time), as they are deployed.
async fn kept(
    cfn: &aws_sdk_cloudformation::Client,
    existing: &StackInfo,
) -> Result<(Reaper, Vec<(String, String)>), CliError> {
    let deployed = cfn.get_template().stack_name(&existing.id).send().await.map_err(|e| {
        CliError::new(format!(
            "cannot read {}'s template to keep the time-to-live: {}",
            existing.name,
            aws_sdk_cloudformation::error::DisplayErrorContext(&e)
        ))
    })?;
    let body: serde_json::Value = deployed
        .template_body()
        .and_then(|body| serde_json::from_str(body).ok())
        .unwrap_or_default();
    let reaper = Reaper {
        delete_volumes: body.to_string().contains("deleteVolume"),
        notify: body["Resources"][reaper::SUBSCRIPTION]["Properties"]["Endpoint"]
            .as_str()
            .map(str::to_owned),
    };
    let parameters: Vec<(String, String)> = existing
        .parameters
        .iter()
        .filter(|(key, _)| key == reaper::EXPIRY_PARAMETER || key == reaper::NOTIFY_PARAMETER)
        .filter_map(|(key, value)| Some((key.clone(), value.clone()?)))
        .collect();
    let expiry = parameters
        .iter()
        .find(|(key, _)| key == reaper::EXPIRY_PARAMETER)
        .map_or("?", |(_, value)| value.as_str());
    outln!(
        "{}: keeps its time-to-live ({expiry}; kumo ttl off switches it off)",
        existing.name
    );
    Ok((reaper, parameters))
}
