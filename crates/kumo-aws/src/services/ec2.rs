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
    client
        .query_pages(&SERVICE, action, params, "NextToken", |_, root| {
            if let Some(list) = root.child(set) {
                items.extend(list.children_named("item").cloned());
            }
            Ok(root.text("nextToken").map(str::to_owned))
        })
        .await?;
    Ok(items)
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
        .list("regionInfo", "item")
        .find(|item| item.text("regionName") == Some(name))
        .map(|item| RegionInfo {
            name: item.text_or_empty("regionName"),
            opt_in_status: item
                .text("optInStatus")
                .filter(|s| !s.is_empty())
                .unwrap_or("opt-in-not-required")
                .to_owned(),
        }))
}

/// The regions the account can use (enabled: opt-in not required, or opted in), sorted.
pub async fn enabled_regions(client: &Client) -> Result<Vec<String>, AwsError> {
    let response = client
        .send(&SERVICE, Request::query(&SERVICE, "DescribeRegions", Params::new()))
        .await?;
    let root = response.xml()?;
    let mut regions: Vec<String> = root
        .list("regionInfo", "item")
        .map(|item| item.text_or_empty("regionName"))
        .filter(|name| !name.is_empty())
        .collect();
    regions.sort();
    Ok(regions)
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
            name: item.text_or_empty("zoneName"),
            id: item.text_or_empty("zoneId"),
            zone_type: item
                .text("zoneType")
                .filter(|s| !s.is_empty())
                .unwrap_or("availability-zone")
                .to_owned(),
            state: item.text_or_empty("zoneState"),
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
        .map(|item| (item.text_or_empty("instanceType"), item.text_or_empty("location")))
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
            public_ip: item.text_or_empty("publicIp"),
            allocation_id: item.text_or_empty("allocationId"),
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
    Ok(items.iter().map(|item| item.text_or_empty("vpcId")).collect())
}

/// The ids of the internet gateways in the region.
pub async fn internet_gateway_ids(client: &Client) -> Result<Vec<String>, AwsError> {
    let params = Params::new().set("MaxResults", "1000");
    let items = all_items(client, "DescribeInternetGateways", params, "internetGatewaySet").await?;
    Ok(items
        .iter()
        .map(|item| item.text_or_empty("internetGatewayId"))
        .collect())
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
            id: item.text_or_empty("natGatewayId"),
            subnet_id: item.text_or_empty("subnetId"),
            state: item.text_or_empty("state"),
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
        .map(|item| (item.text_or_empty("subnetId"), item.text_or_empty("availabilityZone")))
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

// ---- The teardown's look-ups and deletes: security groups, network interfaces, volumes ----

/// `(key, value)` tags of an EC2 item (`tagSet`).
fn tags(item: &XmlNode) -> Vec<(String, String)> {
    item.list("tagSet", "item")
        .map(|tag| (tag.text_or_empty("key"), tag.text_or_empty("value")))
        .collect()
}

/// One permission of a security group, as far as the teardown needs it: the port range and the
/// other groups it names (`userIdGroupPairs`). CIDR ranges are not read: they never block a delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    /// `tcp`, `udp`, `icmp`, `-1` (all) or a protocol number.
    pub protocol: String,
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    pub group_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: String,
    pub description: String,
    pub tags: Vec<(String, String)>,
    pub ingress: Vec<Permission>,
    pub egress: Vec<Permission>,
}

fn permissions(item: &XmlNode, set: &str) -> Vec<Permission> {
    item.list(set, "item")
        .map(|p| Permission {
            protocol: p.text_or_empty("ipProtocol"),
            from_port: p.text("fromPort").and_then(|v| v.parse().ok()),
            to_port: p.text("toPort").and_then(|v| v.parse().ok()),
            group_ids: p
                .list("groups", "item")
                .map(|pair| pair.text_or_empty("groupId"))
                .filter(|id| !id.is_empty())
                .collect(),
        })
        .collect()
}

/// Security groups matching every filter (`("tag:kumo:stack", ["demo"])`, `("vpc-id", [..])`).
pub async fn describe_security_groups(
    client: &Client,
    filters: &[(&str, Vec<String>)],
) -> Result<Vec<SecurityGroup>, AwsError> {
    let params = Params::new().set("MaxResults", "1000").ec2_filters(filters);
    let items = all_items(client, "DescribeSecurityGroups", params, "securityGroupInfo").await?;
    Ok(items
        .iter()
        .map(|item| SecurityGroup {
            id: item.text_or_empty("groupId"),
            name: item.text_or_empty("groupName"),
            vpc_id: item.text_or_empty("vpcId"),
            description: item.text_or_empty("groupDescription"),
            tags: tags(item),
            ingress: permissions(item, "ipPermissions"),
            egress: permissions(item, "ipPermissionsEgress"),
        })
        .collect())
}

/// Which way a rule points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

/// Revokes the rule of `group_id` that lets `referenced_group` in (or out) on `permission`'s ports.
/// Only that group pair goes; the permission's other sources stay.
pub async fn revoke_group_reference(
    client: &Client,
    group_id: &str,
    direction: Direction,
    permission: &Permission,
    referenced_group: &str,
) -> Result<(), AwsError> {
    let action = match direction {
        Direction::Ingress => "RevokeSecurityGroupIngress",
        Direction::Egress => "RevokeSecurityGroupEgress",
    };
    let mut params = Params::new()
        .set("GroupId", group_id)
        .set("IpPermissions.1.IpProtocol", &permission.protocol);
    if let Some(from) = permission.from_port {
        params = params.set("IpPermissions.1.FromPort", from.to_string());
    }
    if let Some(to) = permission.to_port {
        params = params.set("IpPermissions.1.ToPort", to.to_string());
    }
    params = params.set("IpPermissions.1.Groups.1.GroupId", referenced_group);
    client.send(&SERVICE, Request::query(&SERVICE, action, params)).await?;
    Ok(())
}

pub async fn delete_security_group(client: &Client, group_id: &str) -> Result<(), AwsError> {
    let params = Params::new().set("GroupId", group_id);
    client
        .send(&SERVICE, Request::query(&SERVICE, "DeleteSecurityGroup", params))
        .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkInterface {
    pub id: String,
    /// `available`, `in-use`, ...
    pub status: String,
    pub vpc_id: String,
    pub description: String,
    /// `interface`, `network_load_balancer`, `branch`, ...
    pub interface_type: String,
    pub tags: Vec<(String, String)>,
    pub group_ids: Vec<String>,
}

/// Network interfaces matching every filter.
pub async fn describe_network_interfaces(
    client: &Client,
    filters: &[(&str, Vec<String>)],
) -> Result<Vec<NetworkInterface>, AwsError> {
    let params = Params::new().set("MaxResults", "1000").ec2_filters(filters);
    let items = all_items(client, "DescribeNetworkInterfaces", params, "networkInterfaceSet").await?;
    Ok(items
        .iter()
        .map(|item| NetworkInterface {
            id: item.text_or_empty("networkInterfaceId"),
            status: item.text_or_empty("status"),
            vpc_id: item.text_or_empty("vpcId"),
            description: item.text_or_empty("description"),
            interface_type: item.text_or_empty("interfaceType"),
            tags: tags(item),
            group_ids: item
                .list("groupSet", "item")
                .map(|g| g.text_or_empty("groupId"))
                .collect(),
        })
        .collect())
}

pub async fn delete_network_interface(client: &Client, interface_id: &str) -> Result<(), AwsError> {
    let params = Params::new().set("NetworkInterfaceId", interface_id);
    client
        .send(&SERVICE, Request::query(&SERVICE, "DeleteNetworkInterface", params))
        .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    pub id: String,
    pub size_gib: u64,
    /// `gp3`, `gp2`, `io2`, ...
    pub volume_type: String,
    /// `available`, `in-use`, ...
    pub state: String,
    pub tags: Vec<(String, String)>,
}

/// EBS volumes matching every filter.
pub async fn describe_volumes(client: &Client, filters: &[(&str, Vec<String>)]) -> Result<Vec<Volume>, AwsError> {
    let params = Params::new().set("MaxResults", "500").ec2_filters(filters);
    let items = all_items(client, "DescribeVolumes", params, "volumeSet").await?;
    Ok(items
        .iter()
        .map(|item| Volume {
            id: item.text_or_empty("volumeId"),
            size_gib: item.text("size").and_then(|s| s.parse().ok()).unwrap_or(0),
            volume_type: item.text_or_empty("volumeType"),
            state: item.text_or_empty("status"),
            tags: tags(item),
        })
        .collect())
}

pub async fn delete_volume(client: &Client, volume_id: &str) -> Result<(), AwsError> {
    let params = Params::new().set("VolumeId", volume_id);
    client
        .send(&SERVICE, Request::query(&SERVICE, "DeleteVolume", params))
        .await?;
    Ok(())
}
