//! `kumo destroy`: per stack (all of the app's, or the named ones and the stacks that depend on them; in
//! reverse dependency order: CloudFormation refuses to delete a stack whose exports are imported), find what
//! it left outside CloudFormation, show it with the stack, confirm, remove it in dependency order,
//! delete the stack, then look again and say what is left. The DNS stack (any stack kept on destroy)
//! stays unless `--include-dns`: the report lists it with its hosted zone, name servers and monthly cost.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use kumo_aws::services::{cloudformation, route53};
use kumo_deploy::destroy::{DestroyOutcome, DestroyRequest};
use kumo_teardown::SweepOptions;

use crate::app_target::{self, Selection, StackTarget};
use crate::aws_env::{self, AwsSession};
use crate::cli::DestroyArgs;
use crate::error::CliError;
use crate::output::{errln, outln};
use crate::project::ProjectOptions;
use crate::render_cost::stack_cost_column;
use crate::render_error::deploy_error;
use crate::render_progress::CliUi;
use crate::signals;
use crate::teardown::Leftovers;

pub fn run(config: &ProjectOptions, args: &DestroyArgs) -> Result<ExitCode, CliError> {
    // `--stack-name` names one stack, whatever made it; otherwise the project's (or the assembly's) stacks.
    let (stacks, region) = match &args.stack_name {
        Some(name) => {
            kumo_deploy::params::check_stack_name(name).map_err(deploy_error)?;
            let region = crate::project::load_config(config).ok().and_then(|c| c.stack.region);
            (vec![(name.clone(), None)], region)
        }
        None => {
            let app = app_target::resolve(config, args.assembly.as_deref(), Path::new(app_target::APP_OUT_DIR))?;
            let app = app_target::select(app, &args.stacks, Selection::WithDependents)?;
            let region = app.region.clone();
            (
                app.stacks
                    .into_iter()
                    .rev()
                    .map(|s| (s.stack_name.clone(), Some(s)))
                    .collect(),
                region,
            )
        }
    };
    let options = SweepOptions {
        delete_volumes: args.delete_volumes,
        limit: Duration::from_secs(args.sweep_timeout * 60),
        ..SweepOptions::default()
    };

    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, region.as_deref()).await?;
        let engine = aws_env::engine(&session, None);
        if !args.plan {
            aws_env::announce_identity(&session, "destroy", &stacks[0].0).await?;
        }
        let client = aws_env::aws_client(&session)?;
        // CloudFormation refuses to delete a stack whose export another stack imports: found before
        // anything is deleted, so a destroy is never left half done for it.
        let going: Vec<&StackTarget> = stacks
            .iter()
            .filter_map(|(_, target)| target.as_ref())
            .filter(|target| !target.keep_on_destroy || args.include_dns)
            .collect();
        let blocked = app_target::blocking_imports(&client, &going).await?;
        if let Some((stack, export, importers)) = blocked.first() {
            let more = if blocked.len() > 1 {
                format!(" (and {} more export(s) in use)", blocked.len() - 1)
            } else {
                String::new()
            };
            return Err(CliError::new(format!(
                "{stack} cannot be deleted: its export {export} is imported by {}{more}",
                importers.join(", ")
            ))
            .hint(format!(
                "destroy the importing stacks first (`kumo destroy {stack}` also destroys the app's stacks that depend \
                 on it), or deploy them without the reference; nothing was deleted"
            )));
        }
        // A first Ctrl-C / SIGTERM at the question or before the delete starts stops without deleting;
        // during the sweep, it stops between two deletes.
        let _graceful = signals::graceful();
        let mut kept = Vec::new();
        for (name, target) in &stacks {
            if let Some(target) = target
                && target.keep_on_destroy
                && !args.include_dns
            {
                kept.push(target);
                continue;
            }
            // A kept stack's zones, read before its delete, so they can be checked after it.
            let zones = match target {
                Some(target) if target.keep_on_destroy && !args.plan => hosted_zones(&client, name).await?,
                _ => Vec::new(),
            };
            // The zones this stack writes to without owning them (the DNS stack's, through a parameter),
            // so the records external-dns made for it are swept from the kept zone too.
            let used_zones = match target {
                Some(target) => app_target::stack_parameters(&client, target, &[])
                    .await?
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(key, _)| {
                        target.template.value()["Parameters"][key]["Type"] == "AWS::Route53::HostedZone::Id"
                    })
                    .map(|(_, zone)| zone)
                    .collect(),
                None => Vec::new(),
            };
            destroy_one(&session, &engine, &client, name, args, options.clone(), used_zones).await?;
            // The time-to-live's reaper stack goes after the stack it removes (its role could be the one
            // CloudFormation deletes with, were the reaper firing now).
            destroy_reaper(&engine, name, args).await?;
            for zone in zones {
                delete_left_zone(&client, &zone).await?;
            }
        }
        if args.plan {
            outln!("plan only (--plan): nothing was changed");
        }
        for target in kept {
            report_kept(&engine, &client, target, &session.region).await?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The reaper stack `<name>-ttl` of a stack with a time-to-live, if there is one.
async fn destroy_reaper(engine: &kumo_deploy::Engine, name: &str, args: &DestroyArgs) -> Result<(), CliError> {
    let Ok(reaper) = kumo_core::names::reaper_stack(name) else {
        // A name too long for a reaper stack never had one.
        return Ok(());
    };
    if crate::signals::stop_requested().is_some() {
        errln!(
            "stopped before looking for {reaper} (the time-to-live stack, if {name} had one): `kumo destroy` again removes it"
        );
        return Ok(());
    }
    let request = DestroyRequest {
        stack_name: reaper.clone(),
        // Asked once, for the stack it serves.
        assume_yes: true,
        adopt: false,
        retain: Vec::new(),
        plan_only: args.plan,
    };
    let mut ui = CliUi::new();
    let outcome = kumo_deploy::destroy::destroy(engine, &request, &mut ui)
        .await
        .map_err(deploy_error)?;
    drop(ui);
    if let DestroyOutcome::Deleted { .. } = outcome {
        outln!("{reaper}: deleted (the time-to-live of {name})");
    }
    Ok(())
}

/// One stack: what it left outside CloudFormation, then the stack, then a look for what remains.
async fn destroy_one(
    session: &AwsSession,
    engine: &kumo_deploy::Engine,
    client: &kumo_aws::Client,
    name: &str,
    args: &DestroyArgs,
    options: SweepOptions,
    used_zones: Vec<String>,
) -> Result<(), CliError> {
    let request = DestroyRequest {
        stack_name: name.to_owned(),
        assume_yes: args.yes,
        adopt: args.adopt,
        retain: args.retain.clone(),
        plan_only: args.plan,
    };
    let mut leftovers = Leftovers::new(session, client.clone(), name, options).with_zones(used_zones);
    let mut ui = CliUi::new();
    let outcome = kumo_deploy::destroy::destroy_with(engine, &request, &mut ui, &mut leftovers)
        .await
        .map_err(deploy_error)?;
    drop(ui);
    let retained = match outcome {
        DestroyOutcome::NotFound => {
            outln!("{name}: does not exist; nothing to destroy");
            return Ok(());
        }
        DestroyOutcome::Planned { .. } => return Ok(()),
        DestroyOutcome::OutsideOnly => Vec::new(),
        DestroyOutcome::Deleted { retained } => {
            outln!("{name}: deleted");
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
        return Ok(());
    }
    // Exit code 2 (`CliError::new`): something unexpected remains.
    Err(CliError::new(format!(
        "{name}: {} resource(s) made for it are still there",
        unexpected.len()
    ))
    .hint(format!(
        "`kumo destroy --stack-name {name} --plan` shows them; run `kumo destroy` again to retry, or delete them \
             by hand"
    )))
}

/// The hosted zone ids of a stack (empty when the stack does not exist).
async fn hosted_zones(client: &kumo_aws::Client, stack: &str) -> Result<Vec<String>, CliError> {
    let resources = cloudformation::stack_resources(client, stack)
        .await
        .map_err(|e| CliError::new(format!("cannot read the resources of {stack}: {e}")))?
        .unwrap_or_default();
    Ok(resources
        .into_iter()
        .filter(|r| r.resource_type == "AWS::Route53::HostedZone" && !r.physical_id.is_empty())
        .map(|r| r.physical_id)
        .collect())
}

/// After the DNS stack's delete, its zone must be gone: Route 53 is asked, and a zone CloudFormation
/// left (a retained resource, an emulator that does not delete zones) is deleted, so `--include-dns`
/// leaves no zone that bills every month.
async fn delete_left_zone(client: &kumo_aws::Client, zone_id: &str) -> Result<(), CliError> {
    let zone = route53::get_hosted_zone(client, zone_id)
        .await
        .map_err(|e| CliError::new(format!("cannot read hosted zone {zone_id}: {e}")))?;
    let Some(zone) = zone else {
        outln!("hosted zone {zone_id}: deleted");
        return Ok(());
    };
    match route53::delete_hosted_zone(client, zone_id).await {
        Ok(_) => {
            outln!(
                "hosted zone {} ({}): still there after the stack's delete; deleted",
                zone.id,
                zone.name
            );
            Ok(())
        }
        Err(error) if error.code() == Some("HostedZoneNotEmpty") => Err(CliError::new(format!(
            "hosted zone {} ({}) still holds records that are not its SOA and NS, so it was not deleted",
            zone.id, zone.name
        ))
        .hint("delete the records left in it (e.g. by external-dns), then run `kumo destroy --include-dns` again")),
        Err(error) => Err(CliError::new(format!("cannot delete hosted zone {}: {error}", zone.id))),
    }
}

/// What stays: the kept stack, its zone with name servers, and what it costs per month.
async fn report_kept(
    engine: &kumo_deploy::Engine,
    client: &kumo_aws::Client,
    target: &StackTarget,
    region: &str,
) -> Result<(), CliError> {
    let name = &target.stack_name;
    if engine
        .describe(name)
        .await
        .map_err(|e| CliError::new(e.to_string()))?
        .is_none()
    {
        return Ok(());
    }
    let cost = stack_cost_column(target.template.value(), region);
    outln!("kept: {name} ({cost}), so the next `kumo deploy` reuses it:");
    for zone_id in hosted_zones(client, name).await? {
        match route53::get_hosted_zone(client, &zone_id).await {
            Ok(Some(zone)) => outln!(
                "  hosted zone {} ({}), name servers {}",
                zone.id,
                zone.name,
                zone.name_servers.join(", ")
            ),
            _ => outln!("  hosted zone {zone_id}"),
        }
    }
    outln!("  `kumo destroy --include-dns` deletes it too (the domain's delegation then has to be changed again)");
    Ok(())
}
