//! Node instance types: offered in every zone the node groups use. A zone without any of the types
//! makes the node group fail to launch there; a type missing in one zone just narrows the choice.

use std::collections::{BTreeMap, BTreeSet};

use kumo_aws::services::ec2;

use super::and_list;
use crate::Ctx;
use crate::analysis::{Nodegroup, Zone};
use crate::report::Item;

pub(crate) async fn check(ctx: &Ctx<'_>) -> Vec<Item> {
    let groups: Vec<&Nodegroup> = ctx
        .needs
        .nodegroups
        .iter()
        .filter(|g| !g.instance_types.is_empty())
        .collect();
    if groups.is_empty() {
        return Vec::new();
    }
    let zones = match ctx.zones().await {
        Ok(zones) => zones,
        Err(error) => return vec![Item::not_checked("node instance types", error)],
    };
    let mut items = Vec::new();
    for group in groups {
        items.push(nodegroup(ctx, group, zones).await);
    }
    items
}

async fn nodegroup(ctx: &Ctx<'_>, group: &Nodegroup, zones: &[String]) -> Item {
    let title = format!("instance types of {}", group.id);
    // The zones of its subnets; an unknown one stands for every zone the template uses.
    let mut used: BTreeSet<String> = BTreeSet::new();
    for zone in &group.zones {
        match zone {
            Zone::Index(i) => used.extend(zones.get(*i).cloned()),
            Zone::Name(name) => {
                used.insert(name.clone());
            }
            Zone::Unknown => used.extend(ctx.needs.zone_indexes.iter().filter_map(|i| zones.get(*i).cloned())),
        }
    }
    if used.is_empty() {
        return Item::warn(
            title,
            "not checked: the node group's zones are not known before deploying",
            None,
        );
    }
    let used: Vec<String> = used.into_iter().collect();
    let offered = match ec2::instance_type_offerings(ctx.client, &used, &group.instance_types).await {
        Ok(offered) => offered,
        Err(error) => return Item::not_checked(title, &error),
    };
    let mut by_zone: BTreeMap<&str, BTreeSet<&str>> = used.iter().map(|z| (z.as_str(), BTreeSet::new())).collect();
    for (instance_type, zone) in &offered {
        if let Some(types) = by_zone.get_mut(zone.as_str()) {
            types.insert(instance_type.as_str());
        }
    }
    let setting = ctx
        .subject
        .setting("eks.node_group.instance_types", &group.id, "InstanceTypes");
    let empty: Vec<String> = by_zone
        .iter()
        .filter(|(_, types)| types.is_empty())
        .map(|(zone, _)| (*zone).to_owned())
        .collect();
    if !empty.is_empty() {
        return Item::fail(
            title,
            format!(
                "none of {} is offered in {}: nodes could not launch there",
                group.instance_types.join(", "),
                and_list(&empty)
            ),
            format!(
                "choose types offered in every zone (`aws ec2 describe-instance-type-offerings --location-type \
                 availability-zone --region {}`): {setting}",
                ctx.region()
            ),
        );
    }
    let gaps: Vec<String> = by_zone
        .iter()
        .flat_map(|(zone, types)| {
            group
                .instance_types
                .iter()
                .filter(|t| !types.contains(t.as_str()))
                .map(move |t| format!("{t} in {zone}"))
        })
        .collect();
    if gaps.is_empty() {
        Item::pass(
            title,
            format!("{} offered in {}", group.instance_types.join(", "), and_list(&used)),
        )
    } else {
        Item::warn(
            title,
            format!(
                "not offered: {}; the node group uses the other types there",
                and_list(&gaps)
            ),
            Some(format!("to use every type everywhere, drop those: {setting}")),
        )
    }
}
