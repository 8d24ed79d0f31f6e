//! Finding a stack's leftovers: the tagging API first (anything tagged `kumo:stack=<stack>`), then
//! each service's own look-up for what the tagging API cannot filter by (controller marks inside the
//! stack's VPCs, external-dns ownership records in its zones) and for the details a delete needs.

use std::collections::{BTreeMap, BTreeSet};

use kumo_aws::services::ec2::{self, Direction, Permission};
use kumo_aws::services::route53::{self, RecordSet};
use kumo_aws::services::{elbv2, tagging};
use kumo_aws::{AwsError, Client};

use crate::rules::{CNI_CLUSTER_TAG, K8S_CLUSTER_TAG_PREFIX, Kind, LBC_CLUSTER_TAG, STACK_TAG};
use crate::scope::Scope;

/// Something outside the stack that belongs to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leftover {
    pub kind: Kind,
    /// What the delete names: an ARN, `sg-…`, `eni-…`, `vol-…`; for records, `<zone>/<name> <type>`.
    pub id: String,
    /// A readable name (load balancer / group name, record name), or the id.
    pub name: String,
    /// The mark that makes it this stack's (`tag kumo:stack=demo`, `TXT owner demo`).
    pub found_by: String,
    pub detail: Detail,
}

/// What a kind's delete (or the plan) needs beyond the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    None,
    LoadBalancer {
        lb_type: String,
    },
    /// A rule of `group_id` naming the leftover group `referenced_group`.
    Rule {
        group_id: String,
        direction: Direction,
        permission: Permission,
        referenced_group: String,
    },
    /// The owned record set(s) and their TXT ownership record(s), deleted in one batch.
    Records {
        zone_id: String,
        sets: Vec<RecordSet>,
    },
    Volume {
        size_gib: u64,
        volume_type: String,
        state: String,
    },
}

/// Every leftover of the stack, in [`crate::rules::RULES`] order (then by id).
pub async fn discover(client: &Client, scope: &Scope) -> Result<Vec<Leftover>, AwsError> {
    let stack = vec![scope.stack_name.clone()];
    let tagged = tagging::get_resources(client, STACK_TAG, &stack).await?;
    // The tagging API's filter is trusted only as far as the tags it returns (an emulator may return
    // untagged resources): the tags decide.
    let tagged: BTreeMap<String, Vec<(String, String)>> = tagged
        .into_iter()
        .filter(|r| r.tag(STACK_TAG) == Some(scope.stack_name.as_str()))
        .map(|r| (r.arn, r.tags))
        .collect();
    let mut found = Vec::new();
    let mut covered: BTreeSet<String> = BTreeSet::new();

    load_balancing(client, scope, &tagged, &mut found).await?;
    let groups = security_groups(client, scope, &mut found).await?;
    group_rules(client, scope, &groups, &mut found).await?;
    network_interfaces(client, scope, &mut found).await?;
    volumes(client, scope, &mut found).await?;
    records(client, scope, &mut found).await?;

    for leftover in &found {
        covered.insert(leftover.id.clone());
        covered.insert(arn_resource_id(&leftover.id).to_owned());
    }
    for (arn, tags) in &tagged {
        let id = arn_resource_id(arn);
        let already = covered.contains(arn) || covered.contains(id);
        // Attached interfaces and listener rules go with their owner (an instance, a load balancer,
        // a listener): not something to delete or report on their own.
        let goes_with_owner = arn.contains(":network-interface/") || arn.contains(":listener-rule/");
        if already || goes_with_owner || scope.claim(arn, tags, None).is_none() || scope.own.contains(id) {
            continue;
        }
        found.push(Leftover {
            kind: Kind::Other,
            id: arn.clone(),
            name: arn.clone(),
            found_by: format!("tag {STACK_TAG}={}", scope.stack_name),
            detail: Detail::None,
        });
    }
    found.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    found.dedup_by(|a, b| a.kind == b.kind && a.id == b.id);
    Ok(found)
}

/// `sg-1` from `arn:aws:ec2:r:a:security-group/sg-1`; an id that is not an ARN as it is.
fn arn_resource_id(arn: &str) -> &str {
    if !arn.starts_with("arn:") {
        return arn;
    }
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    if resource.starts_with("loadbalancer/")
        || resource.starts_with("targetgroup/")
        || resource.starts_with("listener/")
    {
        // ELBv2 resources are known by their full ARN.
        return arn;
    }
    resource.rsplit('/').next().unwrap_or(resource)
}

async fn load_balancing(
    client: &Client,
    scope: &Scope,
    tagged: &BTreeMap<String, Vec<(String, String)>>,
    found: &mut Vec<Leftover>,
) -> Result<(), AwsError> {
    let relevant = |arn: &str, vpc: &str| tagged.contains_key(arn) || scope.vpcs.iter().any(|v| v == vpc);
    let balancers: Vec<elbv2::LoadBalancer> = elbv2::describe_load_balancers(client)
        .await?
        .into_iter()
        .filter(|lb| relevant(&lb.arn, &lb.vpc_id))
        .collect();
    let groups: Vec<elbv2::TargetGroup> = elbv2::describe_target_groups(client)
        .await?
        .into_iter()
        .filter(|tg| relevant(&tg.arn, &tg.vpc_id))
        .collect();
    let arns: Vec<String> = balancers
        .iter()
        .map(|lb| lb.arn.clone())
        .chain(groups.iter().map(|tg| tg.arn.clone()))
        .collect();
    let tags: BTreeMap<String, Vec<(String, String)>> = if arns.is_empty() {
        BTreeMap::new()
    } else {
        elbv2::describe_tags(client, &arns).await?.into_iter().collect()
    };
    let no_tags = Vec::new();
    for lb in &balancers {
        let Some(why) = scope.claim(&lb.arn, tags.get(&lb.arn).unwrap_or(&no_tags), Some(&lb.vpc_id)) else {
            continue;
        };
        for listener in elbv2::describe_listeners(client, &lb.arn).await? {
            let port = listener.port.map(|p| format!(":{p}")).unwrap_or_default();
            found.push(Leftover {
                kind: Kind::Listener,
                name: format!("{} {}{port}", lb.name, listener.protocol),
                id: listener.arn,
                found_by: why.clone(),
                detail: Detail::None,
            });
        }
        found.push(Leftover {
            kind: Kind::LoadBalancer,
            id: lb.arn.clone(),
            name: lb.name.clone(),
            found_by: why,
            detail: Detail::LoadBalancer {
                lb_type: lb.lb_type.clone(),
            },
        });
    }
    for tg in &groups {
        let Some(why) = scope.claim(&tg.arn, tags.get(&tg.arn).unwrap_or(&no_tags), Some(&tg.vpc_id)) else {
            continue;
        };
        found.push(Leftover {
            kind: Kind::TargetGroup,
            id: tg.arn.clone(),
            name: tg.name.clone(),
            found_by: why,
            detail: Detail::None,
        });
    }
    Ok(())
}

/// The leftover security groups (also returned, for the rules that name them).
async fn security_groups(
    client: &Client,
    scope: &Scope,
    found: &mut Vec<Leftover>,
) -> Result<Vec<ec2::SecurityGroup>, AwsError> {
    let mut candidates =
        ec2::describe_security_groups(client, &[(&format!("tag:{STACK_TAG}"), vec![scope.stack_name.clone()])]).await?;
    if !scope.vpcs.is_empty() && !scope.clusters.is_empty() {
        candidates.extend(
            ec2::describe_security_groups(
                client,
                &[
                    ("vpc-id", scope.vpcs.clone()),
                    (&format!("tag:{LBC_CLUSTER_TAG}"), scope.clusters.clone()),
                ],
            )
            .await?,
        );
    }
    let mut leftovers: Vec<ec2::SecurityGroup> = Vec::new();
    for group in candidates {
        if leftovers.iter().any(|g| g.id == group.id) {
            continue;
        }
        if let Some(why) = scope.claim(&group.id, &group.tags, Some(&group.vpc_id)) {
            found.push(Leftover {
                kind: Kind::SecurityGroup,
                id: group.id.clone(),
                name: group.name.clone(),
                found_by: why,
                detail: Detail::None,
            });
            leftovers.push(group);
        }
    }
    Ok(leftovers)
}

/// Rules on any group of the leftover groups' VPCs that name a leftover group: they block its delete.
/// Rules on a group of another stack or cluster are not touched (the group's delete then reports it).
async fn group_rules(
    client: &Client,
    scope: &Scope,
    leftovers: &[ec2::SecurityGroup],
    found: &mut Vec<Leftover>,
) -> Result<(), AwsError> {
    if leftovers.is_empty() {
        return Ok(());
    }
    let ids: BTreeSet<&str> = leftovers.iter().map(|g| g.id.as_str()).collect();
    let vpcs: BTreeSet<String> = leftovers.iter().map(|g| g.vpc_id.clone()).collect();
    let groups = ec2::describe_security_groups(client, &[("vpc-id", vpcs.into_iter().collect())]).await?;
    for group in groups {
        if scope.is_foreign(&group.id, &group.tags) {
            continue;
        }
        let sides = [(Direction::Ingress, &group.ingress), (Direction::Egress, &group.egress)];
        for (direction, permissions) in sides {
            for permission in permissions {
                for referenced in permission.group_ids.iter().filter(|g| ids.contains(g.as_str())) {
                    let ports = match (permission.from_port, permission.to_port) {
                        (Some(from), Some(to)) if from == to => format!(" port {from}"),
                        (Some(from), Some(to)) => format!(" ports {from}-{to}"),
                        _ => String::new(),
                    };
                    let way = match direction {
                        Direction::Ingress => "from",
                        Direction::Egress => "to",
                    };
                    let protocol = if permission.protocol == "-1" {
                        "all"
                    } else {
                        &permission.protocol
                    };
                    found.push(Leftover {
                        kind: Kind::SecurityGroupRule,
                        id: format!("{}/{:?}/{protocol}{ports}/{referenced}", group.id, direction).to_lowercase(),
                        name: format!("{} {protocol}{ports} {way} {referenced}", group.id),
                        found_by: format!("names leftover group {referenced}"),
                        detail: Detail::Rule {
                            group_id: group.id.clone(),
                            direction,
                            permission: permission.clone(),
                            referenced_group: referenced.clone(),
                        },
                    });
                }
            }
        }
    }
    Ok(())
}

async fn network_interfaces(client: &Client, scope: &Scope, found: &mut Vec<Leftover>) -> Result<(), AwsError> {
    let available = ("status", vec!["available".to_owned()]);
    let mut candidates = ec2::describe_network_interfaces(
        client,
        &[
            available.clone(),
            (&format!("tag:{STACK_TAG}"), vec![scope.stack_name.clone()]),
        ],
    )
    .await?;
    if !scope.vpcs.is_empty() && !scope.clusters.is_empty() {
        candidates.extend(
            ec2::describe_network_interfaces(
                client,
                &[
                    available,
                    ("vpc-id", scope.vpcs.clone()),
                    (&format!("tag:{CNI_CLUSTER_TAG}"), scope.clusters.clone()),
                ],
            )
            .await?,
        );
    }
    for eni in candidates {
        // An attached interface goes with its instance or load balancer; only `available` ones linger.
        if eni.status != "available" || found.iter().any(|f| f.id == eni.id) {
            continue;
        }
        if let Some(why) = scope.claim(&eni.id, &eni.tags, Some(&eni.vpc_id)) {
            found.push(Leftover {
                kind: Kind::NetworkInterface,
                name: if eni.description.is_empty() {
                    eni.id.clone()
                } else {
                    eni.description.clone()
                },
                id: eni.id,
                found_by: why,
                detail: Detail::None,
            });
        }
    }
    Ok(())
}

async fn volumes(client: &Client, scope: &Scope, found: &mut Vec<Leftover>) -> Result<(), AwsError> {
    let mut candidates =
        ec2::describe_volumes(client, &[(&format!("tag:{STACK_TAG}"), vec![scope.stack_name.clone()])]).await?;
    for cluster in &scope.clusters {
        candidates.extend(
            ec2::describe_volumes(
                client,
                &[(
                    &format!("tag:{K8S_CLUSTER_TAG_PREFIX}{cluster}"),
                    vec!["owned".to_owned()],
                )],
            )
            .await?,
        );
    }
    for volume in candidates {
        if found.iter().any(|f| f.id == volume.id) {
            continue;
        }
        if let Some(why) = scope.claim(&volume.id, &volume.tags, None) {
            let name = volume
                .tags
                .iter()
                .find(|(k, _)| k == "kubernetes.io/created-for/pvc/name" || k == "Name")
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| volume.id.clone());
            found.push(Leftover {
                kind: Kind::Volume,
                id: volume.id,
                name,
                found_by: why,
                detail: Detail::Volume {
                    size_gib: volume.size_gib,
                    volume_type: volume.volume_type,
                    state: volume.state,
                },
            });
        }
    }
    Ok(())
}

/// The fields of an external-dns TXT value (`"heritage=external-dns,external-dns/owner=demo,..."`).
fn ownership(value: &str) -> Option<BTreeMap<&str, &str>> {
    let fields: BTreeMap<&str, &str> = value
        .trim_matches('"')
        .split(',')
        .filter_map(|field| field.split_once('='))
        .collect();
    (fields.get("heritage") == Some(&"external-dns")).then_some(fields)
}

/// Record types external-dns manages (the new TXT format prefixes the name with the type).
const MANAGED_TYPES: &[&str] = &["A", "AAAA", "CNAME", "NS", "MX", "SRV", "TXT", "PTR", "CAA", "NAPTR"];

/// The records a TXT ownership record stands for: in the new format `a-www.example.com.` owns the A
/// record `www.example.com.` (the type prefixes the first label, after any `--txt-prefix`); in the old
/// format the TXT has the record's own name and owns every other type there.
fn owned_by<'a>(txt: &RecordSet, all: &'a [RecordSet]) -> Vec<&'a RecordSet> {
    let mut owned = Vec::new();
    for record_type in MANAGED_TYPES {
        let prefix = format!("{}-", record_type.to_ascii_lowercase());
        if let Some(name) = txt.name.strip_prefix(&prefix) {
            owned.extend(all.iter().filter(|r| r.name == name && r.record_type == *record_type));
        }
    }
    if owned.is_empty() {
        owned.extend(
            all.iter()
                .filter(|r| r.name == txt.name && !matches!(r.record_type.as_str(), "TXT" | "SOA" | "NS")),
        );
    }
    owned
}

async fn records(client: &Client, scope: &Scope, found: &mut Vec<Leftover>) -> Result<(), AwsError> {
    for zone in &scope.zones {
        let zone_id = route53::bare_zone_id(zone).to_owned();
        let all = match route53::list_record_sets(client, &zone_id).await {
            Ok(all) => all,
            // Looking again after the stack went: its zone went with it.
            Err(error) if error.code() == Some("NoSuchHostedZone") => continue,
            Err(error) => return Err(error),
        };
        let mut taken: BTreeSet<(String, String, Option<String>)> = BTreeSet::new();
        for txt in all.iter().filter(|r| r.record_type == "TXT") {
            let ours = txt
                .values
                .iter()
                .filter_map(|v| ownership(v))
                .any(|fields| fields.get("external-dns/owner") == Some(&scope.stack_name.as_str()));
            if !ours {
                continue;
            }
            let mut sets: Vec<RecordSet> = owned_by(txt, &all).into_iter().cloned().collect();
            sets.push(txt.clone());
            sets.retain(|s| taken.insert((s.name.clone(), s.record_type.clone(), s.set_identifier.clone())));
            if sets.is_empty() {
                continue;
            }
            let name = sets
                .iter()
                .map(|s| format!("{} {}", s.name, s.record_type))
                .collect::<Vec<_>>()
                .join(", ");
            found.push(Leftover {
                kind: Kind::DnsRecord,
                id: format!("{zone_id}/{} {}", txt.name, txt.record_type),
                name,
                found_by: format!("TXT owner {}", scope.stack_name),
                detail: Detail::Records {
                    zone_id: zone_id.clone(),
                    sets,
                },
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kumo_aws::XmlNode;

    fn set(name: &str, record_type: &str, values: &[&str]) -> RecordSet {
        RecordSet {
            name: name.into(),
            record_type: record_type.into(),
            set_identifier: None,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            raw: XmlNode::default(),
        }
    }

    #[test]
    fn txt_records_own_their_record_in_both_formats() {
        let all = vec![
            set("www.example.com.", "A", &["192.0.2.1"]),
            set(
                "a-www.example.com.",
                "TXT",
                &["\"heritage=external-dns,external-dns/owner=demo\""],
            ),
            set("api.example.com.", "CNAME", &["lb.example.net"]),
            set(
                "api.example.com.",
                "TXT",
                &["\"heritage=external-dns,external-dns/owner=demo\""],
            ),
        ];
        let new_format: Vec<&str> = owned_by(&all[1], &all).iter().map(|r| r.name.as_str()).collect();
        assert_eq!(new_format, ["www.example.com."]);
        let old_format: Vec<&str> = owned_by(&all[3], &all).iter().map(|r| r.record_type.as_str()).collect();
        assert_eq!(old_format, ["CNAME"]);
    }

    #[test]
    fn ownership_reads_external_dns_txt_values_only() {
        let fields =
            ownership("\"heritage=external-dns,external-dns/owner=demo,external-dns/resource=ingress/default/web\"")
                .unwrap();
        assert_eq!(fields["external-dns/owner"], "demo");
        assert_eq!(ownership("\"v=spf1 -all\""), None);
    }

    #[test]
    fn arn_ids() {
        assert_eq!(arn_resource_id("arn:aws:ec2:us-east-1:123:security-group/sg-1"), "sg-1");
        let lb = "arn:aws:elasticloadbalancing:us-east-1:123:loadbalancer/app/web/abc";
        assert_eq!(arn_resource_id(lb), lb);
        assert_eq!(arn_resource_id("sg-2"), "sg-2");
    }
}
