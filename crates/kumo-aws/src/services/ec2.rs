//! Amazon EC2 (the EC2 query protocol).

use crate::client::Client;
use crate::error::AwsError;
use crate::request::{Params, Request};
use crate::service::{Protocol, Scope, Service};
use crate::xml::XmlNode;

pub static SERVICE: Service = Service {
    id: "EC2",
    endpoint_prefix: "ec2",
    signing_name: "ec2",
    protocol: Protocol::Ec2 { version: "2016-11-15" },
    scope: Scope::Regional,
};

/// Every `item` of the list `set`, across all pages (`NextToken`) for the calls that page.
async fn all_items(client: &Client, action: &'static str, params: Params, set: &str) -> Result<Vec<XmlNode>, AwsError> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut page = params.clone();
        if let Some(token) = &token {
            page = page.set("NextToken", token);
        }
        let response = client.send(&SERVICE, Request::query(&SERVICE, action, page)).await?;
        let root = response.xml()?;
        if let Some(list) = root.child(set) {
            items.extend(list.children_named("item").cloned());
        }
        token = root.text("nextToken").filter(|t| !t.is_empty()).map(str::to_owned);
        if token.is_none() {
            return Ok(items);
        }
    }
}

fn text(node: &XmlNode, name: &str) -> String {
    node.text(name).unwrap_or_default().to_owned()
}

/// A region as `DescribeRegions` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionInfo {
    pub name: String,
    /// `opt-in-not-required`, `opted-in` or `not-opted-in`.
    pub opt_in_status: String,
}

/// The region `name`, whether or not the account has enabled it; `None` if EC2 does not know it.
pub async fn describe_region(client: &Client, name: &str) -> Result<Option<RegionInfo>, AwsError> {
    let params = Params::new().set("RegionName.1", name).set("AllRegions", "true");
    let response = client
        .send(&SERVICE, Request::query(&SERVICE, "DescribeRegions", params))
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) if error.code() == Some("InvalidParameterValue") => return Ok(None),
        Err(error) => return Err(error),
    };
    let root = response.xml()?;
    Ok(root
        .child("regionInfo")
        .into_iter()
        .flat_map(|list| list.children_named("item"))
        .find(|item| item.text("regionName") == Some(name))
        .map(|item| RegionInfo {
            name: text(item, "regionName"),
            opt_in_status: item
                .text("optInStatus")
                .filter(|s| !s.is_empty())
                .unwrap_or("opt-in-not-required")
                .to_owned(),
        }))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityZone {
    pub name: String,
    pub id: String,
    /// `availability-zone`, `local-zone` or `wavelength-zone`.
    pub zone_type: String,
    pub state: String,
}

/// The zones of the client's region that the account can use.
pub async fn describe_availability_zones(client: &Client) -> Result<Vec<AvailabilityZone>, AwsError> {
    let items = all_items(
        client,
        "DescribeAvailabilityZones",
        Params::new(),
        "availabilityZoneInfo",
    )
    .await?;
    Ok(items
        .iter()
        .map(|item| AvailabilityZone {
            name: text(item, "zoneName"),
            id: text(item, "zoneId"),
            zone_type: item
                .text("zoneType")
                .filter(|s| !s.is_empty())
                .unwrap_or("availability-zone")
                .to_owned(),
            state: text(item, "zoneState"),
        })
        .collect())
}

/// `(instance type, availability zone)` for each of `types` offered in each of `zones`.
pub async fn instance_type_offerings(
    client: &Client,
    zones: &[String],
    types: &[String],
) -> Result<Vec<(String, String)>, AwsError> {
    let params = Params::new()
        .set("LocationType", "availability-zone")
        .ec2_filters(&[("location", zones.to_vec()), ("instance-type", types.to_vec())]);
    let items = all_items(
        client,
        "DescribeInstanceTypeOfferings",
        params,
        "instanceTypeOfferingSet",
    )
    .await?;
    Ok(items
        .iter()
        .map(|item| (text(item, "instanceType"), text(item, "location")))
        .collect())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub public_ip: String,
    pub allocation_id: String,
    /// `vpc` (every address of a current account) or `standard` (EC2-Classic).
    pub domain: String,
}

/// The Elastic IP addresses allocated in the region.
pub async fn describe_addresses(client: &Client) -> Result<Vec<Address>, AwsError> {
    let items = all_items(client, "DescribeAddresses", Params::new(), "addressesSet").await?;
    Ok(items
        .iter()
        .map(|item| Address {
            public_ip: text(item, "publicIp"),
            allocation_id: text(item, "allocationId"),
            domain: item
                .text("domain")
                .filter(|d| !d.is_empty())
                .unwrap_or("vpc")
                .to_owned(),
        })
        .collect())
}

/// The ids of the VPCs in the region.
pub async fn vpc_ids(client: &Client) -> Result<Vec<String>, AwsError> {
    let items = all_items(
        client,
        "DescribeVpcs",
        Params::new().set("MaxResults", "1000"),
        "vpcSet",
    )
    .await?;
    Ok(items.iter().map(|item| text(item, "vpcId")).collect())
}

/// The ids of the internet gateways in the region.
pub async fn internet_gateway_ids(client: &Client) -> Result<Vec<String>, AwsError> {
    let params = Params::new().set("MaxResults", "1000");
    let items = all_items(client, "DescribeInternetGateways", params, "internetGatewaySet").await?;
    Ok(items.iter().map(|item| text(item, "internetGatewayId")).collect())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatGateway {
    pub id: String,
    pub subnet_id: String,
    pub state: String,
}

/// NAT gateways that count against the quota: `pending` and `available` ones.
pub async fn live_nat_gateways(client: &Client) -> Result<Vec<NatGateway>, AwsError> {
    let params = Params::new()
        .set("MaxResults", "1000")
        .ec2_filters(&[("state", vec!["pending".to_owned(), "available".to_owned()])]);
    let items = all_items(client, "DescribeNatGateways", params, "natGatewaySet").await?;
    Ok(items
        .iter()
        .map(|item| NatGateway {
            id: text(item, "natGatewayId"),
            subnet_id: text(item, "subnetId"),
            state: text(item, "state"),
        })
        .collect())
}

/// `(subnet id, availability zone)` of the given subnets.
pub async fn subnet_zones(client: &Client, subnet_ids: &[String]) -> Result<Vec<(String, String)>, AwsError> {
    if subnet_ids.is_empty() {
        return Ok(Vec::new());
    }
    let params = Params::new().list("SubnetId", subnet_ids);
    let items = all_items(client, "DescribeSubnets", params, "subnetSet").await?;
    Ok(items
        .iter()
        .map(|item| (text(item, "subnetId"), text(item, "availabilityZone")))
        .collect())
}

/// The number of interface endpoints in `vpc_id`.
pub async fn interface_endpoint_count(client: &Client, vpc_id: &str) -> Result<usize, AwsError> {
    let params = Params::new().set("MaxResults", "1000").ec2_filters(&[
        ("vpc-id", vec![vpc_id.to_owned()]),
        ("vpc-endpoint-type", vec!["Interface".to_owned()]),
    ]);
    Ok(all_items(client, "DescribeVpcEndpoints", params, "vpcEndpointSet")
        .await?
        .len())
}
