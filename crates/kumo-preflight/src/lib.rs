//! Preflight: read-only checks that a template will deploy in this account and region, run by
//! `kumo deploy` before it creates a change set (and alone by `kumo preflight`). An EKS + Aurora create
//! takes 15–25 minutes and a late failure rolls all of it back; these checks find in seconds what
//! would fail late:
//!
//! * that the caller (given: the CLI asks STS once per run and prints it) will administer the EKS cluster
//!   (EKS makes the cluster's creator an admin; an access entry for the same identity then fails with
//!   `ResourceInUseException`);
//! * every IAM user and role named by an access entry exists (with the path its ARN needs);
//! * CodeBuild can reach the projects' GitHub / Bitbucket / GitLab sources (account credentials, or a
//!   CodeConnections connection that is `AVAILABLE`);
//! * EKS offers the Kubernetes version; the database engine version and instance class are orderable;
//! * the node instance types are offered in the zones the node groups use, and the region has the
//!   zones the template spreads over;
//! * the quotas the stack consumes have room (Elastic IPs, VPCs, internet gateways, NAT gateways per
//!   zone, interface endpoints per VPC), from Service Quotas and the current usage.
//!
//! What the template asks for is read from the template ([`analysis`]), so `--template` stacks get the
//! checks that apply to them. The checks run concurrently; a check whose API call is denied or not
//! implemented (a local emulator) is a ⚠, never a ✗.

pub mod analysis;
mod checks;
pub mod report;

use std::time::Instant;

use kumo_aws::Client;
use kumo_aws::services::{cloudformation, ec2};
use serde_json::Value;
use tokio::sync::OnceCell;

pub use analysis::{Needs, Resolver};
pub use report::{Checklist, Item, Status};

/// Who is deploying (`sts:GetCallerIdentity`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

impl CallerIdentity {
    /// The partition from the ARN (`arn:aws-cn:…` → `aws-cn`).
    pub fn partition(&self) -> &str {
        self.arn.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws")
    }
}

/// Whose settings a fix should name: the kumo project (`kumo.toml` keys) or a template's resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Project,
    Template,
}

impl Subject {
    /// "set `key` in kumo.toml" for the project, or "change `property` of `resource`" for a template.
    pub(crate) fn setting(self, key: &str, resource: &str, property: &str) -> String {
        match self {
            Subject::Project => format!("{key} in kumo.toml"),
            Subject::Template => format!("{property} of {resource}"),
        }
    }
}

/// What a preflight run is about.
pub struct Request<'a> {
    pub stack_name: &'a str,
    pub template: &'a Value,
    /// `--parameter` values.
    pub parameters: &'a [(String, String)],
    pub identity: &'a CallerIdentity,
    pub subject: Subject,
}

/// Shared by the checks of one run.
pub(crate) struct Ctx<'a> {
    pub client: &'a Client,
    pub identity: &'a CallerIdentity,
    pub subject: Subject,
    pub needs: &'a Needs,
    zones: OnceCell<Result<Vec<String>, kumo_aws::AwsError>>,
}

impl Ctx<'_> {
    pub fn region(&self) -> &str {
        self.client.region()
    }

    /// The region's zones in `Fn::GetAZs` order (available zones of type `availability-zone`, by
    /// name), asked once per run.
    pub async fn zones(&self) -> &Result<Vec<String>, kumo_aws::AwsError> {
        self.zones
            .get_or_init(|| async {
                let mut names: Vec<String> = ec2::describe_availability_zones(self.client)
                    .await?
                    .into_iter()
                    .filter(|z| z.zone_type == "availability-zone" && z.state == "available")
                    .map(|z| z.name)
                    .collect();
                names.sort();
                Ok(names)
            })
            .await
    }
}

/// Runs every check that applies to the template, concurrently, and returns the checklist in a fixed
/// order.
pub async fn run(client: &Client, request: &Request<'_>) -> Checklist {
    let started = Instant::now();
    let mut items = Vec::new();
    // Quotas count only what the stack does not have yet.
    let deployed = match cloudformation::list_stack_resources(client, request.stack_name).await {
        Ok(deployed) => deployed,
        Err(error) => {
            items.push(Item::not_checked("stack resources", &error));
            None
        }
    };
    let resolver = Resolver::new(
        request.template,
        request.parameters,
        &request.identity.account,
        client.region(),
        request.identity.partition(),
    );
    let needs = Needs::of(request.template, &resolver, deployed.as_deref());
    let ctx = Ctx {
        client,
        identity: request.identity,
        subject: request.subject,
        needs: &needs,
        zones: OnceCell::new(),
    };
    let (identity, region, sources, kubernetes, databases, capacity, quotas) = tokio::join!(
        checks::identity::check(&ctx),
        checks::region::check(&ctx),
        checks::sources::check(&ctx),
        checks::versions::kubernetes(&ctx),
        checks::versions::databases(&ctx),
        checks::capacity::check(&ctx),
        checks::quotas::check(&ctx),
    );
    let mut ordered: Vec<Item> = [identity, region, sources, kubernetes, databases, capacity, quotas]
        .into_iter()
        .flatten()
        .collect();
    ordered.append(&mut items);
    let checklist = Checklist {
        items: ordered,
        elapsed: started.elapsed(),
    };
    tracing::debug!(
        target: "kumo::preflight",
        checks = checklist.items.len(),
        failed = checklist.failures(),
        ms = checklist.elapsed.as_millis() as u64,
        "preflight finished"
    );
    checklist
}
