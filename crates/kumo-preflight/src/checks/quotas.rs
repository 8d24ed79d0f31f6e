//! Quotas the stack consumes: Elastic IPs, VPCs and internet gateways per region, NAT gateways per
//! zone, interface endpoints per VPC. The limit comes from Service Quotas (the account's applied value,
//! else AWS's default, else the documented default); the usage from the EC2 API; only resources the
//! stack does not have yet count.

use std::collections::BTreeMap;

use kumo_aws::AwsError;
use kumo_aws::services::{ec2, service_quotas};

use crate::analysis::{EndpointVpc, Zone};
use crate::report::Item;
use crate::{Ctx, Subject};

struct Quota {
    title: &'static str,
    /// Service Quotas' service code and quota code.
    service: &'static str,
    code: &'static str,
    /// The documented default, used when Service Quotas cannot be asked.
    default: f64,
    /// Where to ask for more, in the console.
    console: &'static str,
}

const ELASTIC_IPS: Quota = Quota {
    title: "Elastic IP addresses",
    service: "ec2",
    code: "L-0263D0A3",
    default: 5.0,
    console: "Amazon EC2 → EC2-VPC Elastic IPs",
};
const VPCS: Quota = Quota {
    title: "VPCs",
    service: "vpc",
    code: "L-F678F1CE",
    default: 5.0,
    console: "Amazon VPC → VPCs per Region",
};
const INTERNET_GATEWAYS: Quota = Quota {
    title: "internet gateways",
    service: "vpc",
    code: "L-A4707A72",
    default: 5.0,
    console: "Amazon VPC → Internet gateways per Region",
};
const NAT_GATEWAYS: Quota = Quota {
    title: "NAT gateways",
    service: "vpc",
    code: "L-FE5A380F",
    default: 5.0,
    console: "Amazon VPC → NAT gateways per Availability Zone",
};
const INTERFACE_ENDPOINTS: Quota = Quota {
    title: "interface endpoints",
    service: "vpc",
    code: "L-29B6F2EB",
    default: 50.0,
    console: "Amazon VPC → Interface VPC endpoints per VPC",
};

/// The limit, and where it came from.
struct Limit {
    value: usize,
    source: String,
}

async fn limit(ctx: &Ctx<'_>, quota: &Quota) -> Limit {
    let documented = |why: String| Limit {
        value: quota.default as usize,
        source: format!("documented default: {why}"),
    };
    let failed = |error: &AwsError| {
        tracing::debug!(target: "kumo::preflight", "quota {} of {}: {error}", quota.code, quota.service);
        let reason = match (error.code(), error.status()) {
            (Some(code), _) => code.to_owned(),
            (None, Some(status)) => format!("HTTP {status}"),
            (None, None) => "no answer".to_owned(),
        };
        format!("Service Quotas {} failed ({reason})", error.operation)
    };
    match service_quotas::get_service_quota(ctx.client, quota.service, quota.code).await {
        Ok(Some(value)) => Limit {
            value: value as usize,
            source: "quota".to_owned(),
        },
        Err(error) => documented(failed(&error)),
        Ok(None) => match service_quotas::get_aws_default_service_quota(ctx.client, quota.service, quota.code).await {
            Ok(Some(value)) => Limit {
                value: value as usize,
                source: "AWS default quota".to_owned(),
            },
            Ok(None) => documented("Service Quotas has no value for it".to_owned()),
            Err(error) => documented(failed(&error)),
        },
    }
}

fn more(ctx: &Ctx<'_>, quota: &Quota, also: &str) -> String {
    format!(
        "{also}request more in Service Quotas ({}, {}; region {})",
        quota.console,
        quota.code,
        ctx.region()
    )
}

pub(crate) async fn check(ctx: &Ctx<'_>) -> Vec<Item> {
    let needs = ctx.needs;
    let (eips, vpcs, gateways, nats, endpoints) = tokio::join!(
        per_region(ctx, &ELASTIC_IPS, needs.new_elastic_ips.len()),
        per_region(ctx, &VPCS, needs.new_vpcs.len()),
        per_region(ctx, &INTERNET_GATEWAYS, needs.new_internet_gateways.len()),
        nat_gateways(ctx),
        interface_endpoints(ctx),
    );
    [eips, vpcs, gateways, nats, endpoints].into_iter().flatten().collect()
}

async fn per_region(ctx: &Ctx<'_>, quota: &'static Quota, new: usize) -> Vec<Item> {
    if new == 0 {
        return Vec::new();
    }
    let usage = async {
        match quota.code {
            "L-0263D0A3" => ec2::describe_addresses(ctx.client).await.map(|a| a.len()),
            "L-F678F1CE" => ec2::vpc_ids(ctx.client).await.map(|v| v.len()),
            _ => ec2::internet_gateway_ids(ctx.client).await.map(|g| g.len()),
        }
    };
    let (used, limit) = tokio::join!(usage, limit(ctx, quota));
    let used = match used {
        Ok(used) => used,
        Err(error) => return vec![Item::not_checked(quota.title, &error)],
    };
    let total = used + new;
    let summary = format!(
        "{used} in use + {new} new = {total} of {} ({}, {})",
        limit.value, limit.source, quota.code
    );
    if total <= limit.value {
        return vec![Item::pass(quota.title, summary)];
    }
    let (release, also) = match quota.code {
        "L-0263D0A3" => (
            format!(
                "release addresses you no longer use (`aws ec2 describe-addresses --region {}`; an idle address is \
                 billed anyway), ",
                ctx.region()
            ),
            match ctx.subject {
                Subject::Project => "set network.nat_gateways = 1 in kumo.toml (one NAT gateway, one address), or ",
                Subject::Template => "",
            },
        ),
        "L-F678F1CE" => (
            format!(
                "delete VPCs you no longer use (`aws ec2 describe-vpcs --region {}`), ",
                ctx.region()
            ),
            "",
        ),
        _ => (
            format!(
                "delete internet gateways you no longer use (`aws ec2 describe-internet-gateways --region {}`), ",
                ctx.region()
            ),
            "",
        ),
    };
    vec![Item::fail(
        quota.title,
        format!(
            "{summary}: the stack would fail when it creates the {}",
            ordinal(used, limit.value)
        ),
        more(ctx, quota, &format!("{release}{also}")),
    )]
}

/// "first" ... which new resource hits the limit, said plainly.
fn ordinal(used: usize, limit: usize) -> String {
    match limit.saturating_sub(used) {
        0 => "first one".to_owned(),
        room => format!(
            "{} one (only {room} fit{})",
            nth(room + 1),
            if room == 1 { "s" } else { "" }
        ),
    }
}

fn nth(n: usize) -> String {
    match n {
        1 => "first".to_owned(),
        2 => "second".to_owned(),
        3 => "third".to_owned(),
        _ => format!("{n}th"),
    }
}

async fn nat_gateways(ctx: &Ctx<'_>) -> Vec<Item> {
    let new = &ctx.needs.new_nat_gateways;
    if new.is_empty() {
        return Vec::new();
    }
    let title = NAT_GATEWAYS.title;
    let (existing, zones, limit) = tokio::join!(
        ec2::live_nat_gateways(ctx.client),
        ctx.zones(),
        limit(ctx, &NAT_GATEWAYS)
    );
    let existing = match existing {
        Ok(existing) => existing,
        Err(error) => return vec![Item::not_checked(title, &error)],
    };
    let zones = match zones {
        Ok(zones) => zones,
        Err(error) => return vec![Item::not_checked(title, error)],
    };
    let subnets: Vec<String> = existing.iter().map(|n| n.subnet_id.clone()).collect();
    let located = match ec2::subnet_zones(ctx.client, &subnets).await {
        Ok(located) => located,
        Err(error) => return vec![Item::not_checked(title, &error)],
    };
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for nat in &existing {
        if let Some((_, zone)) = located.iter().find(|(subnet, _)| *subnet == nat.subnet_id) {
            *used.entry(zone.clone()).or_default() += 1;
        }
    }
    // New gateways by zone; one whose zone is unknown is counted in the busiest zone.
    let busiest = zones
        .iter()
        .max_by_key(|z| used.get(*z).copied().unwrap_or(0))
        .cloned()
        .unwrap_or_default();
    let mut added: BTreeMap<String, usize> = BTreeMap::new();
    for (_, zone) in new {
        let name = match zone {
            Zone::Index(i) => zones.get(*i).cloned().unwrap_or_else(|| busiest.clone()),
            Zone::Name(name) => name.clone(),
            Zone::Unknown => busiest.clone(),
        };
        *added.entry(name).or_default() += 1;
    }
    let mut over = Vec::new();
    let mut lines = Vec::new();
    for (zone, count) in &added {
        let in_use = used.get(zone).copied().unwrap_or(0);
        lines.push(format!("{zone}: {in_use} in use + {count} new"));
        if in_use + count > limit.value {
            over.push(format!("{zone} ({in_use} in use + {count} new)"));
        }
    }
    let summary = format!(
        "{} (limit {} per zone, {}, {})",
        lines.join("; "),
        limit.value,
        limit.source,
        NAT_GATEWAYS.code
    );
    if over.is_empty() {
        return vec![Item::pass(title, summary)];
    }
    let also = match ctx.subject {
        Subject::Project => "lower network.nat_gateways in kumo.toml, or ",
        Subject::Template => "",
    };
    vec![Item::fail(
        title,
        format!("over the limit in {}: {summary}", over.join(", ")),
        more(
            ctx,
            &NAT_GATEWAYS,
            &format!(
                "delete NAT gateways you no longer use (billed by the hour: `aws ec2 describe-nat-gateways --region {}`), {also}",
                ctx.region()
            ),
        ),
    )]
}

async fn interface_endpoints(ctx: &Ctx<'_>) -> Vec<Item> {
    let new = &ctx.needs.new_interface_endpoints;
    if new.is_empty() {
        return Vec::new();
    }
    let title = INTERFACE_ENDPOINTS.title;
    let mut per_vpc: BTreeMap<String, (Option<String>, usize)> = BTreeMap::new();
    for (_, vpc) in new {
        let (key, existing) = match vpc {
            EndpointVpc::InTemplate(id) => (format!("the new VPC {id}"), None),
            EndpointVpc::Existing(id) => (id.clone(), Some(id.clone())),
            EndpointVpc::Unknown => ("a VPC kumo cannot tell before deploying".to_owned(), None),
        };
        per_vpc.entry(key).or_insert((existing, 0)).1 += 1;
    }
    let limit = limit(ctx, &INTERFACE_ENDPOINTS).await;
    let mut lines = Vec::new();
    let mut over = false;
    for (vpc, (existing, count)) in &per_vpc {
        let in_use = match existing {
            Some(id) => match ec2::interface_endpoint_count(ctx.client, id).await {
                Ok(n) => n,
                Err(error) => return vec![Item::not_checked(title, &error)],
            },
            None => 0,
        };
        over |= in_use + count > limit.value;
        lines.push(format!("{vpc}: {in_use} in use + {count} new"));
    }
    let summary = format!(
        "{} (limit {} per VPC, {}, {})",
        lines.join("; "),
        limit.value,
        limit.source,
        INTERFACE_ENDPOINTS.code
    );
    if over {
        vec![Item::fail(
            title,
            format!("over the limit: {summary}"),
            more(ctx, &INTERFACE_ENDPOINTS, ""),
        )]
    } else {
        vec![Item::pass(title, summary)]
    }
}
