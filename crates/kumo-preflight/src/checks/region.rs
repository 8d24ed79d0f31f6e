//! The region: known to EC2, enabled for the account, and with as many zones as the template spreads
//! its subnets over (`Fn::Select [i, Fn::GetAZs]` past the last zone fails late, at the subnet).

use kumo_aws::services::ec2;

use crate::report::Item;
use crate::{Ctx, Subject};

pub(crate) async fn check(ctx: &Ctx<'_>) -> Vec<Item> {
    let region = ctx.region();
    let (described, zones) = tokio::join!(ec2::describe_region(ctx.client, region), ctx.zones());
    let title = "region";
    let mut items = Vec::new();
    match described {
        Err(error) => items.push(Item::not_checked(title, &error)),
        Ok(None) => {
            items.push(Item::fail(
                title,
                format!("EC2 does not know a region {region:?}"),
                "check --region, AWS_REGION, your profile's region (and [stack] region in kumo.toml)",
            ));
            return items;
        }
        Ok(Some(info)) if info.opt_in_status == "not-opted-in" => {
            items.push(Item::fail(
                title,
                format!(
                    "{region} is an opt-in region that account {} has not enabled",
                    ctx.identity.account
                ),
                "enable it (AWS console: Account → AWS Regions), or deploy to another region",
            ));
            return items;
        }
        Ok(Some(_)) => {}
    }
    let needed = ctx.needs.zones_needed();
    match zones {
        Err(error) if needed > 0 => items.push(Item::not_checked("availability zones", error)),
        Err(_) => items.push(Item::pass(title, region.to_owned())),
        Ok(zones) if needed > zones.len() => items.push(Item::fail(
            "availability zones",
            format!(
                "the template places subnets in {needed} zones, but {region} has {}: {}",
                zones.len(),
                zones.join(", ")
            ),
            match ctx.subject {
                Subject::Project => format!("set network.max_azs to at most {} in kumo.toml", zones.len()),
                Subject::Template => {
                    "select fewer zones (Fn::Select over Fn::GetAZs), or use another region".to_owned()
                }
            },
        )),
        Ok(zones) if needed > 0 => items.push(Item::pass(
            title,
            format!("{region}; the stack uses zones {}", zones[..needed].join(", ")),
        )),
        Ok(_) => items.push(Item::pass(title, region.to_owned())),
    }
    items
}
