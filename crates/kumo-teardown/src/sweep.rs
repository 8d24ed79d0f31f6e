//! Removing leftovers: kind by kind in [`RULES`] order, each delete retried with back-off while the
//! answer says something still depends on it, up to one deadline for the whole sweep; then the
//! resource that is still blocked is reported with what blocks it. Nothing is deleted that
//! [`crate::discover`] did not find, and volumes only when asked.

use std::time::Duration;

use kumo_aws::services::{ec2, elbv2, route53};
use kumo_aws::{AwsError, Client, ErrorKind};
use tokio::time::Instant;

use crate::discover::{Detail, Leftover};
use crate::rules::{Kind, RULES, Rule, rule};

#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// Delete EBS volumes too (they hold data; kept by default).
    pub delete_volumes: bool,
    /// How long the whole sweep may wait for blocked deletes and slow load balancers.
    pub limit: Duration,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// How often a deleted load balancer is looked up until it is gone.
    pub poll: Duration,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            delete_volumes: false,
            // eksctl waits 10 minutes for the controller's load balancers; the sweep also covers the
            // group deletes that follow them.
            limit: Duration::from_secs(15 * 60),
            first_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(30),
            poll: Duration::from_secs(5),
        }
    }
}

/// What the sweep is doing, for progress lines.
#[derive(Debug)]
pub enum Step<'a> {
    Deleting(&'a Leftover),
    Deleted(&'a Leftover),
    /// Not yet: `reason` is the answer (`DependencyViolation: ...`) or "still deleting".
    Waiting {
        leftover: &'a Leftover,
        reason: String,
        waited: Duration,
    },
    /// Left in place on purpose (volumes without `--delete-volumes`, types kumo does not delete).
    Kept(&'a Leftover),
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Still blocked when the deadline came.
    #[error("{noun} {name} ({id}) could not be removed within {minutes} min: {reason}{blockers}",
        noun = rule(leftover.kind).noun, name = leftover.name, id = leftover.id,
        minutes = waited.as_secs().div_ceil(60),
        blockers = if blockers.is_empty() { String::new() } else { format!("; blocked by {}", blockers.join(", ")) })]
    Blocked {
        leftover: Box<Leftover>,
        reason: String,
        /// What is known to hold it (the interfaces still using a group).
        blockers: Vec<String>,
        waited: Duration,
    },
    /// A delete failed for a reason waiting does not cure (access denied, a bad request).
    #[error("deleting {noun} {name} ({id})", noun = rule(leftover.kind).noun, name = leftover.name, id = leftover.id)]
    Failed {
        leftover: Box<Leftover>,
        #[source]
        error: AwsError,
    },
    /// A look-up the sweep needed failed.
    #[error("looking up {what}")]
    Lookup {
        what: String,
        #[source]
        error: AwsError,
    },
    /// Ctrl-C: the sweep stopped between calls. What is deleted is gone; the rest is found again by
    /// the next run.
    #[error("interrupted")]
    Interrupted,
}

/// What the sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub deleted: Vec<Leftover>,
    pub kept: Vec<Leftover>,
}

/// Deletes `leftovers` (as [`crate::discover::discover`] found them) in rule order.
pub async fn sweep(
    client: &Client,
    leftovers: &[Leftover],
    options: &SweepOptions,
    on_step: &mut dyn FnMut(Step<'_>),
) -> Result<SweepReport, SweepError> {
    let started = Instant::now();
    let deadline = started + options.limit;
    let mut report = SweepReport::default();
    for rule in RULES {
        for leftover in leftovers.iter().filter(|l| l.kind == rule.kind) {
            let keep = rule.kind == Kind::Other || (rule.keeps_data && !options.delete_volumes);
            if keep {
                on_step(Step::Kept(leftover));
                report.kept.push(leftover.clone());
                continue;
            }
            if client.stop().is_stopped() {
                return Err(SweepError::Interrupted);
            }
            on_step(Step::Deleting(leftover));
            delete_with_retries(client, rule, leftover, options, started, deadline, on_step).await?;
            if rule.wait_until_gone {
                wait_until_gone(client, leftover, options, started, deadline, on_step).await?;
            }
            on_step(Step::Deleted(leftover));
            report.deleted.push(leftover.clone());
        }
    }
    Ok(report)
}

async fn delete_with_retries(
    client: &Client,
    rule: &Rule,
    leftover: &Leftover,
    options: &SweepOptions,
    started: Instant,
    deadline: Instant,
    on_step: &mut dyn FnMut(Step<'_>),
) -> Result<(), SweepError> {
    let mut backoff = options.first_backoff;
    loop {
        let error = match delete_once(client, leftover).await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        if error.kind == ErrorKind::Interrupted {
            return Err(SweepError::Interrupted);
        }
        let code = error.code().unwrap_or_default();
        if rule.gone_on.contains(&code) {
            return Ok(());
        }
        if !rule.retry_on.contains(&code) {
            return Err(SweepError::Failed {
                leftover: Box::new(leftover.clone()),
                error,
            });
        }
        let reason = match error.message() {
            Some(message) if !message.is_empty() => format!("{code}: {message}"),
            _ => code.to_owned(),
        };
        if Instant::now() + backoff > deadline {
            let blockers = blockers(client, leftover).await;
            return Err(SweepError::Blocked {
                leftover: Box::new(leftover.clone()),
                reason,
                blockers,
                waited: started.elapsed(),
            });
        }
        on_step(Step::Waiting {
            leftover,
            reason,
            waited: started.elapsed(),
        });
        pause(client, backoff).await?;
        backoff = (backoff * 2).min(options.max_backoff);
    }
}

/// Polls until a deleted load balancer is gone from the API (it can take minutes).
async fn wait_until_gone(
    client: &Client,
    leftover: &Leftover,
    options: &SweepOptions,
    started: Instant,
    deadline: Instant,
    on_step: &mut dyn FnMut(Step<'_>),
) -> Result<(), SweepError> {
    loop {
        let exists = match leftover.kind {
            Kind::LoadBalancer => elbv2::load_balancer_exists(client, &leftover.id).await,
            _ => Ok(false),
        };
        let exists = exists.map_err(|error| lookup_error(leftover, error))?;
        if !exists {
            return Ok(());
        }
        if Instant::now() + options.poll > deadline {
            return Err(SweepError::Blocked {
                leftover: Box::new(leftover.clone()),
                reason: "deleted, but still not gone".to_owned(),
                blockers: Vec::new(),
                waited: started.elapsed(),
            });
        }
        on_step(Step::Waiting {
            leftover,
            reason: "still deleting".to_owned(),
            waited: started.elapsed(),
        });
        pause(client, options.poll).await?;
    }
}

fn lookup_error(leftover: &Leftover, error: AwsError) -> SweepError {
    if error.kind == ErrorKind::Interrupted {
        return SweepError::Interrupted;
    }
    SweepError::Lookup {
        what: format!("{} {}", rule(leftover.kind).noun, leftover.id),
        error,
    }
}

/// Sleeps, unless Ctrl-C comes first.
async fn pause(client: &Client, duration: Duration) -> Result<(), SweepError> {
    tokio::select! {
        biased;
        () = client.stop().stopped() => Err(SweepError::Interrupted),
        () = tokio::time::sleep(duration) => Ok(()),
    }
}

async fn delete_once(client: &Client, leftover: &Leftover) -> Result<(), AwsError> {
    let id = leftover.id.as_str();
    match (&leftover.kind, &leftover.detail) {
        (Kind::Listener, _) => elbv2::delete_listener(client, id).await,
        (Kind::LoadBalancer, _) => elbv2::delete_load_balancer(client, id).await,
        (Kind::TargetGroup, _) => elbv2::delete_target_group(client, id).await,
        (Kind::NetworkInterface, _) => ec2::delete_network_interface(client, id).await,
        (
            Kind::SecurityGroupRule,
            Detail::Rule {
                group_id,
                direction,
                permission,
                referenced_group,
            },
        ) => ec2::revoke_group_reference(client, group_id, *direction, permission, referenced_group).await,
        (Kind::SecurityGroup, _) => ec2::delete_security_group(client, id).await,
        (Kind::DnsRecord, Detail::Records { zone_id, sets }) => {
            route53::delete_record_sets(client, zone_id, sets).await
        }
        (Kind::Volume, _) => ec2::delete_volume(client, id).await,
        // A rule or record without its detail cannot be deleted: discovery always fills it, and the
        // `Other` kind is kept before this point. Nothing is sent.
        (Kind::SecurityGroupRule | Kind::DnsRecord | Kind::Other, _) => Ok(()),
    }
}

/// What still holds a resource, named for the report: the interfaces using a security group.
async fn blockers(client: &Client, leftover: &Leftover) -> Vec<String> {
    if leftover.kind != Kind::SecurityGroup {
        return Vec::new();
    }
    let filters = [("group-id", vec![leftover.id.clone()])];
    match ec2::describe_network_interfaces(client, &filters).await {
        Ok(interfaces) => interfaces
            .into_iter()
            .map(|eni| {
                if eni.description.is_empty() {
                    format!("{} ({})", eni.id, eni.status)
                } else {
                    format!("{} ({}, {})", eni.id, eni.description, eni.status)
                }
            })
            .collect(),
        // The report still names the group and the answer; the look-up is a courtesy.
        Err(_) => Vec::new(),
    }
}
