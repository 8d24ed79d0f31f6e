//! Elastic Load Balancing v2 (awsQuery): what the teardown finds and deletes — load balancers,
//! listeners, target groups — and their tags.

use crate::client::Client;
use crate::error::AwsError;
use crate::request::{Params, Request};
use crate::service::{Protocol, Scope, Service};
use crate::xml::XmlNode;

pub static SERVICE: Service = Service {
    id: "Elastic Load Balancing v2",
    endpoint_prefix: "elasticloadbalancing",
    signing_name: "elasticloadbalancing",
    protocol: Protocol::Query { version: "2015-12-01" },
    scope: Scope::Regional,
};

/// Every `member` of `list` in `<action>Result`, across pages (`Marker` / `NextMarker`).
async fn all_members(
    client: &Client,
    action: &'static str,
    params: Params,
    list: &str,
) -> Result<Vec<XmlNode>, AwsError> {
    let mut found = Vec::new();
    client
        .query_pages(&SERVICE, action, params, "Marker", |response, root| {
            let result = response.required(root, &[&format!("{action}Result")])?;
            found.extend(result.list(list, "member").cloned());
            Ok(result.text("NextMarker").map(str::to_owned))
        })
        .await?;
    Ok(found)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    /// `application`, `network` or `gateway`.
    pub lb_type: String,
    pub vpc_id: String,
    /// `provisioning`, `active`, `active_impaired`, `failed`.
    pub state: String,
    pub security_groups: Vec<String>,
}

/// Every load balancer of the region.
pub async fn describe_load_balancers(client: &Client) -> Result<Vec<LoadBalancer>, AwsError> {
    let items = all_members(
        client,
        "DescribeLoadBalancers",
        Params::new().set("PageSize", "400"),
        "LoadBalancers",
    )
    .await?;
    Ok(items
        .iter()
        .map(|lb| LoadBalancer {
            arn: lb.text_or_empty("LoadBalancerArn"),
            name: lb.text_or_empty("LoadBalancerName"),
            lb_type: lb
                .text("Type")
                .filter(|t| !t.is_empty())
                .unwrap_or("application")
                .to_owned(),
            vpc_id: lb.text_or_empty("VpcId"),
            state: lb.path(&["State", "Code"]).map(|c| c.text.clone()).unwrap_or_default(),
            security_groups: lb.list("SecurityGroups", "member").map(|m| m.text.clone()).collect(),
        })
        .collect())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub vpc_id: String,
    pub load_balancer_arns: Vec<String>,
}

/// Every target group of the region.
pub async fn describe_target_groups(client: &Client) -> Result<Vec<TargetGroup>, AwsError> {
    let items = all_members(
        client,
        "DescribeTargetGroups",
        Params::new().set("PageSize", "400"),
        "TargetGroups",
    )
    .await?;
    Ok(items
        .iter()
        .map(|tg| TargetGroup {
            arn: tg.text_or_empty("TargetGroupArn"),
            name: tg.text_or_empty("TargetGroupName"),
            vpc_id: tg.text_or_empty("VpcId"),
            load_balancer_arns: tg.list("LoadBalancerArns", "member").map(|m| m.text.clone()).collect(),
        })
        .collect())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    pub arn: String,
    pub load_balancer_arn: String,
    pub port: Option<u16>,
    pub protocol: String,
}

/// The listeners of a load balancer (none if it is already gone).
pub async fn describe_listeners(client: &Client, load_balancer_arn: &str) -> Result<Vec<Listener>, AwsError> {
    let params = Params::new().set("LoadBalancerArn", load_balancer_arn);
    let items = match all_members(client, "DescribeListeners", params, "Listeners").await {
        Ok(items) => items,
        Err(error) if error.code() == Some("LoadBalancerNotFound") => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    Ok(items
        .iter()
        .map(|l| Listener {
            arn: l.text_or_empty("ListenerArn"),
            load_balancer_arn: l.text_or_empty("LoadBalancerArn"),
            port: l.text("Port").and_then(|p| p.parse().ok()),
            protocol: l.text_or_empty("Protocol"),
        })
        .collect())
}

/// `(arn, tags)` of up to any number of load balancers / target groups (asked 20 at a time, the API's
/// limit). Resources that no longer exist are left out.
pub async fn describe_tags(client: &Client, arns: &[String]) -> Result<Vec<(String, Vec<(String, String)>)>, AwsError> {
    let mut found = Vec::new();
    for chunk in arns.chunks(20) {
        let params = Params::new().list("ResourceArns.member", chunk);
        let response = client
            .send(&SERVICE, Request::query(&SERVICE, "DescribeTags", params))
            .await;
        let response = match response {
            Ok(response) => response,
            // One gone resource fails the whole batch: ask one by one then.
            Err(error)
                if chunk.len() > 1
                    && matches!(
                        error.code(),
                        Some("LoadBalancerNotFound" | "TargetGroupNotFound" | "ListenerNotFound")
                    ) =>
            {
                for arn in chunk {
                    found.extend(Box::pin(describe_tags(client, std::slice::from_ref(arn))).await?);
                }
                continue;
            }
            Err(error)
                if matches!(
                    error.code(),
                    Some("LoadBalancerNotFound" | "TargetGroupNotFound" | "ListenerNotFound")
                ) =>
            {
                continue;
            }
            Err(error) => return Err(error),
        };
        let root = response.xml()?;
        let result = response.required(&root, &["DescribeTagsResult"])?;
        for description in result.list("TagDescriptions", "member") {
            let tags = description
                .list("Tags", "member")
                .map(|t| (t.text_or_empty("Key"), t.text_or_empty("Value")))
                .collect();
            found.push((description.text_or_empty("ResourceArn"), tags));
        }
    }
    Ok(found)
}

async fn delete(client: &Client, action: &'static str, key: &str, arn: &str) -> Result<(), AwsError> {
    let params = Params::new().set(key, arn);
    client.send(&SERVICE, Request::query(&SERVICE, action, params)).await?;
    Ok(())
}

/// Deletes a listener and its rules.
pub async fn delete_listener(client: &Client, arn: &str) -> Result<(), AwsError> {
    delete(client, "DeleteListener", "ListenerArn", arn).await
}

/// Deletes a load balancer (and any listeners left on it). It may take minutes to disappear from
/// `DescribeLoadBalancers`, and its network interfaces longer.
pub async fn delete_load_balancer(client: &Client, arn: &str) -> Result<(), AwsError> {
    delete(client, "DeleteLoadBalancer", "LoadBalancerArn", arn).await
}

/// Deletes a target group; `ResourceInUse` while a listener or rule still forwards to it.
pub async fn delete_target_group(client: &Client, arn: &str) -> Result<(), AwsError> {
    delete(client, "DeleteTargetGroup", "TargetGroupArn", arn).await
}

/// Whether the load balancer still exists (a deleted one disappears from the API after a while).
pub async fn load_balancer_exists(client: &Client, arn: &str) -> Result<bool, AwsError> {
    let params = Params::new().set("LoadBalancerArns.member.1", arn);
    match client
        .send(&SERVICE, Request::query(&SERVICE, "DescribeLoadBalancers", params))
        .await
    {
        Ok(response) => {
            let root = response.xml()?;
            let result = response.required(&root, &["DescribeLoadBalancersResult"])?;
            Ok(result.list("LoadBalancers", "member").next().is_some())
        }
        Err(error) if error.code() == Some("LoadBalancerNotFound") => Ok(false),
        Err(error) => Err(error),
    }
}
