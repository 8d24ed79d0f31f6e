//! What in-cluster controllers leave outside a stack, made with boto3 against the moto server: the
//! world the teardown tests start from. The stack (`STACK_TEMPLATE`: a VPC, two subnets, a security
//! group, a hosted zone) is deployed by the test; [`plant`] then adds, for one owner, what the Load
//! Balancer Controller, external-dns, the EBS CSI driver and the VPC CNI would have made.

use serde_json::{Value, json};

use crate::moto::MotoServer;

/// A stack of moto-supported types: VPC, two subnets, a security group, a public hosted zone.
pub const STACK_TEMPLATE: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "teardown test: a VPC with two subnets, a node security group and a zone",
  "Resources": {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.40.0.0/16"}},
    "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.40.0.0/24", "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}},
    "SubnetC": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.40.1.0/24", "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}}},
    "NodeGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "nodes", "VpcId": {"Ref": "Vpc"}}},
    "Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "teardown.example.org"}}
  }
}"#;

/// Where the leftovers go.
#[derive(Clone, Debug)]
pub struct Placement {
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    /// The group that gets an ingress rule naming the controller's group (the stack's node group).
    pub node_group_id: String,
    /// The zone external-dns writes into.
    pub zone_id: String,
    pub zone_name: String,
}

impl Placement {
    /// From the resources of a stack of [`STACK_TEMPLATE`] (`list_stack_resources` through boto3).
    pub fn of_stack(moto: &MotoServer, stack_name: &str) -> Placement {
        let resources = moto.service_call(
            "cloudformation",
            "list_stack_resources",
            json!({"StackName": stack_name}),
        );
        let physical = |logical: &str| -> String {
            resources["StackResourceSummaries"]
                .as_array()
                .and_then(|list| list.iter().find(|r| r["LogicalResourceId"] == logical))
                .and_then(|r| r["PhysicalResourceId"].as_str())
                .unwrap_or_else(|| panic!("{stack_name} has no resource {logical}: {resources}"))
                .to_owned()
        };
        let zone_id = physical("Zone");
        let zone = moto.service_call("route53", "get_hosted_zone", json!({"Id": zone_id}));
        Placement {
            vpc_id: physical("Vpc"),
            subnet_ids: vec![physical("SubnetA"), physical("SubnetC")],
            node_group_id: physical("NodeGroup"),
            zone_name: zone["HostedZone"]["Name"].as_str().unwrap_or_default().to_owned(),
            zone_id,
        }
    }
}

/// What [`plant`] made, to check through the service APIs afterwards.
#[derive(Clone, Debug)]
pub struct Planted {
    pub owner: String,
    pub load_balancer_arn: String,
    pub listener_arn: String,
    pub target_group_arn: String,
    pub security_group_id: String,
    pub interface_id: String,
    pub volume_id: String,
    /// The A record and its TXT ownership record (names with the trailing dot).
    pub record_name: String,
    pub txt_name: String,
}

fn tags(owner: &str) -> Value {
    json!([{"Key": "kumo:stack", "Value": owner}, {"Key": "elbv2.k8s.aws/cluster", "Value": format!("{owner}-cluster")}])
}

fn ec2_tags(resource_type: &str, owner: &str) -> Value {
    json!([{"ResourceType": resource_type, "Tags": [{"Key": "kumo:stack", "Value": owner}]}])
}

/// Makes, tagged `kumo:stack=<owner>`: an ALB in the subnets with a listener forwarding to a target
/// group and its own security group, an ingress rule on the node group naming that group, an
/// `available` network interface, a 10 GiB volume, and an A record with its external-dns TXT owner
/// record (`a-<name>`) in the zone.
pub fn plant(moto: &MotoServer, owner: &str, at: &Placement) -> Planted {
    let group = moto.service_call(
        "ec2",
        "create_security_group",
        json!({
            "GroupName": format!("k8s-{owner}-web"),
            "Description": "[k8s] Managed SecurityGroup for LoadBalancer",
            "VpcId": at.vpc_id,
            "TagSpecifications": [{"ResourceType": "security-group", "Tags": tags(owner)}],
        }),
    );
    let group_id = group["GroupId"].as_str().unwrap_or_default().to_owned();
    moto.service_call(
        "ec2",
        "authorize_security_group_ingress",
        json!({
            "GroupId": at.node_group_id,
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                               "UserIdGroupPairs": [{"GroupId": group_id}]}],
        }),
    );
    let lb = moto.service_call(
        "elbv2",
        "create_load_balancer",
        json!({
            "Name": format!("k8s-{owner}-web"),
            "Subnets": at.subnet_ids,
            "SecurityGroups": [group_id],
            "Scheme": "internet-facing",
            "Type": "application",
            "Tags": tags(owner),
        }),
    );
    let lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let tg = moto.service_call(
        "elbv2",
        "create_target_group",
        json!({
            "Name": format!("k8s-{owner}-tg"),
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": at.vpc_id,
            "TargetType": "ip",
            "Tags": tags(owner),
        }),
    );
    let tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let listener = moto.service_call(
        "elbv2",
        "create_listener",
        json!({
            "LoadBalancerArn": lb_arn,
            "Protocol": "HTTP",
            "Port": 80,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn}],
        }),
    );
    let listener_arn = listener["Listeners"][0]["ListenerArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let eni = moto.service_call(
        "ec2",
        "create_network_interface",
        json!({
            "SubnetId": at.subnet_ids[0],
            "Description": format!("aws-K8S-{owner}"),
            "TagSpecifications": ec2_tags("network-interface", owner),
        }),
    );
    let volume = moto.service_call(
        "ec2",
        "create_volume",
        json!({
            "AvailabilityZone": "ap-northeast-1a",
            "Size": 10,
            "VolumeType": "gp3",
            "TagSpecifications": ec2_tags("volume", owner),
        }),
    );
    let zone = at.zone_name.trim_end_matches('.');
    let record_name = format!("{owner}-web.{zone}.");
    let txt_name = format!("a-{owner}-web.{zone}.");
    moto.service_call(
        "route53",
        "change_resource_record_sets",
        json!({
            "HostedZoneId": at.zone_id,
            "ChangeBatch": {"Changes": [
                {"Action": "CREATE", "ResourceRecordSet": {"Name": record_name, "Type": "A", "TTL": 300,
                    "ResourceRecords": [{"Value": "192.0.2.10"}]}},
                {"Action": "CREATE", "ResourceRecordSet": {"Name": txt_name, "Type": "TXT", "TTL": 300,
                    "ResourceRecords": [{"Value": format!(
                        "\"heritage=external-dns,external-dns/owner={owner},external-dns/resource=ingress/default/web\"")}]}},
            ]},
        }),
    );
    Planted {
        owner: owner.to_owned(),
        load_balancer_arn: lb_arn,
        listener_arn,
        target_group_arn: tg_arn,
        security_group_id: group_id,
        interface_id: eni["NetworkInterface"]["NetworkInterfaceId"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        volume_id: volume["VolumeId"].as_str().unwrap_or_default().to_owned(),
        record_name,
        txt_name,
    }
}

/// What [`still_there`] reports while everything [`plant`] made exists, by kind: per service the load
/// balancer, interface, A and TXT records, group, target group and volume; through the tagging API the
/// five tagged ones (load balancer, target group, group, interface, volume).
pub const EVERYTHING: [&str; 12] = [
    "load balancer",
    "network interface",
    "record",
    "record",
    "security group",
    "tagged",
    "tagged",
    "tagged",
    "tagged",
    "tagged",
    "target group",
    "volume",
];

/// The kinds of what [`still_there`] found (compare with [`EVERYTHING`]).
pub fn kinds(found: &[(&'static str, String)]) -> Vec<&'static str> {
    found.iter().map(|(what, _)| *what).collect()
}

/// What of `planted` still exists, asked of each service (ELBv2, EC2, Route 53) and of the tagging
/// API, never of kumo: `(what, id)` pairs.
pub fn still_there(moto: &MotoServer, planted: &Planted, zone_id: &str) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    let lbs = moto.service_call("elbv2", "describe_load_balancers", json!({}));
    if lbs["LoadBalancers"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|lb| lb["LoadBalancerArn"] == planted.load_balancer_arn.as_str())
    {
        found.push(("load balancer", planted.load_balancer_arn.clone()));
    }
    let tgs = moto.service_call("elbv2", "describe_target_groups", json!({}));
    if tgs["TargetGroups"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|tg| tg["TargetGroupArn"] == planted.target_group_arn.as_str())
    {
        found.push(("target group", planted.target_group_arn.clone()));
    }
    let groups = moto.service_call("ec2", "describe_security_groups", json!({}));
    if groups["SecurityGroups"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|g| g["GroupId"] == planted.security_group_id.as_str())
    {
        found.push(("security group", planted.security_group_id.clone()));
    }
    let enis = moto.service_call("ec2", "describe_network_interfaces", json!({}));
    if enis["NetworkInterfaces"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e["NetworkInterfaceId"] == planted.interface_id.as_str())
    {
        found.push(("network interface", planted.interface_id.clone()));
    }
    let volumes = moto.service_call("ec2", "describe_volumes", json!({}));
    if volumes["Volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|v| v["VolumeId"] == planted.volume_id.as_str())
    {
        found.push(("volume", planted.volume_id.clone()));
    }
    let zones = moto.service_call("route53", "list_hosted_zones", json!({}));
    let zone_exists = zones["HostedZones"].as_array().into_iter().flatten().any(|z| {
        z["Id"]
            .as_str()
            .is_some_and(|id| id.trim_start_matches("/hostedzone/") == zone_id.trim_start_matches("/hostedzone/"))
    });
    if zone_exists {
        let records = moto.service_call("route53", "list_resource_record_sets", json!({"HostedZoneId": zone_id}));
        for record in records["ResourceRecordSets"].as_array().into_iter().flatten() {
            if record["Name"] == planted.record_name.as_str() || record["Name"] == planted.txt_name.as_str() {
                found.push(("record", format!("{} {}", record["Name"], record["Type"])));
            }
        }
    }
    let tagged = moto.service_call(
        "resourcegroupstaggingapi",
        "get_resources",
        json!({"TagFilters": [{"Key": "kumo:stack", "Values": [planted.owner]}]}),
    );
    for mapping in tagged["ResourceTagMappingList"].as_array().into_iter().flatten() {
        let tagged_for_owner = mapping["Tags"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["Key"] == "kumo:stack" && t["Value"] == planted.owner.as_str());
        if tagged_for_owner {
            found.push(("tagged", mapping["ResourceARN"].as_str().unwrap_or_default().to_owned()));
        }
    }
    found.sort();
    found.dedup();
    found
}
