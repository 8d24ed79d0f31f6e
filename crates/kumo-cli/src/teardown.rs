//! `kumo destroy`'s work outside the stack (kumo-teardown): the plan of what the stack left outside
//! CloudFormation, the sweep's progress lines, and the look after the delete; `kumo status` shows the
//! same list.

use std::time::Duration;

use kumo_cost::{Lookup, PriceTable, Sku};
use kumo_deploy::DeployError;
use kumo_deploy::destroy::{Outside, Retained};
use kumo_deploy::error::Interruption;
use kumo_deploy::stack::StackInfo;
use kumo_kube::drain::DrainEvent;
use kumo_teardown::{Detail, Kind, Leftover, Scope, Step, SweepError, SweepOptions, rule};

use crate::aws_env::AwsSession;
use crate::kube_side::{self, StackCluster};
use crate::output::{errln, outln};

/// What `kumo destroy` needs to find and remove what a stack left outside it.
pub struct Leftovers<'a> {
    session: &'a AwsSession,
    client: kumo_aws::Client,
    stack_name: String,
    region: String,
    options: SweepOptions,
    scope: Scope,
    found: Vec<Leftover>,
    /// The stack's cluster, from its outputs: emptied from the inside first.
    cluster: Option<StackCluster>,
    /// Hosted zones the stack writes to without owning them (the kept DNS stack's zone, received as a
    /// parameter): external-dns's records for this stack are looked for there too.
    zones: Vec<String>,
}

impl<'a> Leftovers<'a> {
    pub fn new(
        session: &'a AwsSession,
        client: kumo_aws::Client,
        stack_name: &str,
        options: SweepOptions,
    ) -> Leftovers<'a> {
        Leftovers {
            session,
            client,
            stack_name: stack_name.to_owned(),
            region: session.region.clone(),
            options,
            scope: Scope::by_name(stack_name),
            found: Vec::new(),
            cluster: None,
            zones: Vec::new(),
        }
    }

    /// Also sweeps this stack's external-dns records in these zones (zones of other stacks it uses).
    pub fn with_zones(mut self, zones: Vec<String>) -> Self {
        self.zones = zones;
        self
    }

    /// Kubernetes first: deleting Ingresses, LoadBalancer Services and Gateways makes the Load Balancer
    /// Controller delete its load balancers (waited for, bounded), then kumo's bundle goes. A cluster
    /// kumo cannot reach is a warning: the AWS sweep that follows removes the load balancers directly.
    async fn kubernetes_first(&self, cluster: &StackCluster) -> Result<(), DeployError> {
        let name = &cluster.access.cluster_name;
        let client = match kube_side::client(self.session, cluster) {
            Ok(client) => client,
            Err(error) => {
                errln!(
                    "warning: cluster {name}: {}; removing its load balancers through AWS instead",
                    error.message
                );
                return Ok(());
            }
        };
        errln!(
            "cluster {name}: deleting Ingresses, LoadBalancer Services and Gateways so the controller removes its load balancers"
        );
        let options = kumo_kube::drain::DrainOptions {
            limit: self.options.limit.min(kumo_kube::drain::DrainOptions::default().limit),
            ..kumo_kube::drain::DrainOptions::default()
        };
        let mut last_wait = Duration::ZERO;
        let result = kumo_kube::drain::drain(
            &client,
            &cluster.settings,
            &kumo_deploy::clock::SystemClock,
            &crate::signals::interrupt(),
            &options,
            &mut |event| match event {
                DrainEvent::Deleting(object) => errln!("  deleting {object}"),
                DrainEvent::Waiting { remaining, waited } => {
                    // A line every 30 s is enough to show it is alive.
                    if waited >= last_wait + Duration::from_secs(30) || last_wait.is_zero() {
                        last_wait = waited.max(Duration::from_secs(1));
                        let names: Vec<String> = remaining.iter().map(ToString::to_string).collect();
                        errln!(
                            "  waiting ({}) for the controller to release {}",
                            elapsed(waited),
                            names.join(", ")
                        );
                    }
                }
                DrainEvent::GaveUp { remaining } => {
                    let names: Vec<String> = remaining.iter().map(ToString::to_string).collect();
                    errln!(
                        "warning: still held after {} min: {}; removing their load balancers through AWS",
                        options.limit.as_secs() / 60,
                        names.join(", ")
                    );
                }
                DrainEvent::RemovingBundle => errln!("  removing kumo's in-cluster bundle (the controller)"),
            },
        )
        .await;
        match result {
            Ok(report) => {
                errln!(
                    "cluster {name}: {} object(s) deleted, {} bundle object(s) removed",
                    report.deleted.len(),
                    report.bundle_removed.len()
                );
                Ok(())
            }
            Err(kumo_kube::apply::ApplyError::Interrupted) => Err(DeployError::Interrupted(Interruption::Outside {
                stack: self.stack_name.clone(),
            })),
            Err(error) => {
                errln!(
                    "warning: cluster {name}: {}; removing its load balancers through AWS instead",
                    crate::error::chain(&error)
                );
                Ok(())
            }
        }
    }

    /// After the delete: looks again (tagging API and each service's look-up, with the scope read
    /// before the stack went) and prints what is left, or that nothing is. Returns what is still there
    /// that should not be (volumes kept without `--delete-volumes` are expected).
    pub async fn verify(&self, retained: &[Retained]) -> Result<Vec<Leftover>, DeployError> {
        let remaining = kumo_teardown::discover(&self.client, &self.scope)
            .await
            .map_err(|e| lookup_error(&self.stack_name, "looking again after the delete", e))?;
        let (kept, unexpected): (Vec<Leftover>, Vec<Leftover>) = remaining
            .into_iter()
            .partition(|l| rule(l.kind).keeps_data && !self.options.delete_volumes);
        if kept.is_empty() && unexpected.is_empty() && retained.is_empty() {
            outln!(
                "nothing left: {} and everything it made outside the stack are gone",
                self.stack_name
            );
        }
        for leftover in &kept {
            outln!(
                "kept: {} {} ({}){}: holds data; `kumo destroy --stack-name {} --delete-volumes` or `aws ec2 \
                 delete-volume --volume-id {}` removes it",
                rule(leftover.kind).noun,
                leftover.id,
                detail_text(leftover),
                monthly_text(leftover, &self.region),
                self.stack_name,
                leftover.id
            );
        }
        if !unexpected.is_empty() {
            outln!("still there (not expected):");
            for leftover in &unexpected {
                outln!(
                    "  {} {} ({}): found by {}",
                    rule(leftover.kind).noun,
                    leftover.name,
                    leftover.id,
                    leftover.found_by
                );
            }
        } else if !kept.is_empty() || !retained.is_empty() {
            outln!("nothing else left");
        }
        Ok(unexpected)
    }
}

impl Outside for Leftovers<'_> {
    async fn survey(&mut self, stack: Option<(&StackInfo, usize)>) -> Result<usize, DeployError> {
        let look = async {
            self.scope = match stack {
                Some(_) => Scope::of_stack(&self.client, &self.stack_name).await?,
                None => Scope::by_name(&self.stack_name),
            };
            for zone in &self.zones {
                if !self.scope.zones.contains(zone) {
                    self.scope.zones.push(zone.clone());
                }
            }
            kumo_teardown::discover(&self.client, &self.scope).await
        };
        self.found = look
            .await
            .map_err(|e| lookup_error(&self.stack_name, "looking for what it left outside the stack", e))?;
        self.cluster = match stack.map(|(info, _)| kube_side::stack_cluster(info, &self.region)) {
            Some(Ok(cluster)) => cluster,
            Some(Err(error)) => {
                errln!(
                    "warning: {}; its cluster cannot be emptied from the inside",
                    error.message
                );
                None
            }
            None => None,
        };
        match stack {
            Some((info, count)) => outln!(
                "{}: {} resource(s) in the stack ({})",
                self.stack_name,
                count,
                info.status.as_str()
            ),
            None => outln!("{}: the stack does not exist", self.stack_name),
        }
        print_table(
            &self.found,
            &self.region,
            self.options.delete_volumes,
            "outside the stack (removed first, in this order)",
        );
        if let Some(cluster) = &self.cluster {
            outln!(
                "before that, on cluster {}: every Ingress, LoadBalancer Service and Gateway is deleted (the \
                 controller removes its load balancers), then kumo's in-cluster bundle",
                cluster.access.cluster_name
            );
        }
        Ok(self.found.len())
    }

    async fn clear(&mut self) -> Result<(), DeployError> {
        let stack = self.stack_name.clone();
        if self.found.is_empty() && self.cluster.is_none() {
            return Ok(());
        }
        if let Some(cluster) = &self.cluster {
            self.kubernetes_first(cluster).await?;
            // What the controller removed is gone now, and it may have made more meanwhile: look again,
            // so the sweep acts on what is there.
            self.found = kumo_teardown::discover(&self.client, &self.scope)
                .await
                .map_err(|e| lookup_error(&stack, "looking again after emptying the cluster", e))?;
        }
        let result = kumo_teardown::sweep(&self.client, &self.found, &self.options, &mut |step| match step {
            Step::Deleting(l) => errln!("  deleting {} {}", rule(l.kind).noun, l.name),
            Step::Deleted(_) => {}
            Step::Waiting {
                leftover,
                reason,
                waited,
            } => errln!(
                "  waiting ({}): {} {}: {reason}",
                elapsed(waited),
                rule(leftover.kind).noun,
                leftover.name
            ),
            Step::Kept(l) => errln!("  keeping {} {}", rule(l.kind).noun, l.name),
        })
        .await;
        match result {
            Ok(report) => {
                errln!(
                    "outside the stack: {} deleted, {} kept",
                    report.deleted.len(),
                    report.kept.len()
                );
                Ok(())
            }
            Err(SweepError::Interrupted) => Err(DeployError::Interrupted(Interruption::Outside { stack })),
            Err(error) => {
                let message = format!("{stack} was not deleted: {}", crate::error::chain(&error));
                Err(DeployError::Outside {
                    message,
                    hint: format!(
                        "the stack is untouched (its delete would fail on what is left); remove or release the \
                         blocker named above, then run `kumo destroy --stack-name {stack}` again: it continues \
                         with what is left (`kumo destroy --plan` shows it)"
                    ),
                    source: None,
                })
            }
        }
    }
}

fn lookup_error(stack: &str, what: &str, error: kumo_aws::AwsError) -> DeployError {
    let hint = if error.is_access_denied() {
        "kumo needs read access to ELBv2 (DescribeLoadBalancers, DescribeTargetGroups, DescribeListeners, \
         DescribeTags), EC2 (DescribeSecurityGroups, DescribeNetworkInterfaces, DescribeVolumes), Route 53 \
         (ListResourceRecordSets) and tag:GetResources to find what the stack left outside it"
            .to_owned()
    } else {
        "nothing was deleted; run the command again (`-v` shows each request)".to_owned()
    };
    DeployError::Outside {
        message: format!("{stack}: {what}"),
        hint,
        source: Some(Box::new(error)),
    }
}

/// `kumo status`: the same list as the destroy plan, or why it could not be read.
pub async fn print_outside(client: &kumo_aws::Client, stack_name: &str, region: &str) {
    let look = async {
        let scope = Scope::of_stack(client, stack_name).await?;
        kumo_teardown::discover(client, &scope).await
    };
    match look.await {
        Ok(found) => print_table(
            &found,
            region,
            false,
            "outside the stack (`kumo destroy` removes these first)",
        ),
        Err(error) => outln!("outside:     not checked ({})", crate::error::chain(&error)),
    }
}

fn print_table(found: &[Leftover], region: &str, delete_volumes: bool, title: &str) {
    if found.is_empty() {
        outln!("{title}: nothing");
        return;
    }
    outln!("{title}:");
    let rows: Vec<[String; 7]> = found
        .iter()
        .map(|l| {
            let rule = rule(l.kind);
            let action = match l.kind {
                Kind::Other => "keep: kumo does not delete this type".to_owned(),
                _ if rule.keeps_data && !delete_volumes => "keep: holds data (--delete-volumes)".to_owned(),
                _ => "delete".to_owned(),
            };
            // The id goes last: ARNs are long, and the last column needs no padding.
            let id = if l.name == l.id || l.kind == Kind::SecurityGroupRule || l.kind == Kind::DnsRecord {
                String::new()
            } else {
                l.id.clone()
            };
            let what = match &l.detail {
                Detail::LoadBalancer { lb_type } => format!("{} ({lb_type})", rule.noun),
                Detail::Volume { .. } => format!("{} ({})", rule.noun, detail_text(l)),
                _ => rule.noun.to_owned(),
            };
            [
                what,
                l.name.clone(),
                rule.made_by.to_owned(),
                l.found_by.clone(),
                per_hour(l, region),
                action,
                id,
            ]
        })
        .collect();
    let header = ["TYPE", "NAME", "MADE BY", "FOUND BY", "PER HOUR", "ACTION", "ID"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 7]| {
        let mut text = String::from(" ");
        for (i, cell) in cells.iter().enumerate() {
            text.push(' ');
            text.push_str(cell);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(widths[i].saturating_sub(cell.chars().count()) + 1));
            }
        }
        text.trim_end().to_owned()
    };
    outln!("{}", line(header));
    for row in &rows {
        outln!(
            "{}",
            line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6]])
        );
    }
}

fn detail_text(leftover: &Leftover) -> String {
    match &leftover.detail {
        Detail::Volume {
            size_gib,
            volume_type,
            state,
        } => format!("{size_gib} GiB {volume_type}, {state}"),
        _ => String::new(),
    }
}

/// USD per GiB-month of a volume type in the region, from kumo-cost's dated table.
fn volume_price(volume_type: &str, region: &str) -> Option<f64> {
    match PriceTable::embedded().lookup(region, &Sku::EbsVolume(volume_type.to_owned())) {
        Lookup::Price { usd, .. } => Some(usd),
        Lookup::Unknown { .. } | Lookup::NoRegion => None,
    }
}

/// The hourly charge where kumo's price table knows it: `$0` for kinds without a charge of their own,
/// volumes from the EBS price, `unknown` otherwise (load balancers are not in the table).
fn per_hour(leftover: &Leftover, region: &str) -> String {
    if rule(leftover.kind).free {
        return "$0".to_owned();
    }
    match &leftover.detail {
        Detail::Volume {
            size_gib, volume_type, ..
        } => match volume_price(volume_type, region) {
            Some(per_gib_month) => format!("${:.4}", per_gib_month * *size_gib as f64 / 730.0),
            None => "unknown".to_owned(),
        },
        _ => "unknown".to_owned(),
    }
}

fn monthly_text(leftover: &Leftover, region: &str) -> String {
    match &leftover.detail {
        Detail::Volume {
            size_gib, volume_type, ..
        } => volume_price(volume_type, region)
            .map(|p| format!(", ${:.2}/month", p * *size_gib as f64))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn elapsed(duration: Duration) -> String {
    let seconds = duration.as_secs();
    format!("{}:{:02}", seconds / 60, seconds % 60)
}
