//! The network module (seed `network_test.go`): VPC, subnet tiers, routing, NAT gateways, endpoints.

mod common;

use common::*;
use kumo_blueprint::Config;
use kumo_core::assertions::Match;
use serde_json::json;

#[test]
fn vpc_has_the_seed_name_and_cidr() {
    let t = default_template();
    t.resource_count_is("AWS::EC2::VPC", 1);
    t.has_resource_properties(
        "AWS::EC2::VPC",
        json!({"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true, "Tags": [{"Key": "Name", "Value": "vpc-for-eks-cluster"}]}),
    );
    id_of(&t, "AWS::EC2::VPC", "VPC");
}

#[test]
fn three_tiers_of_24s_in_two_azs_without_lookups() {
    let t = default_template();
    t.resource_count_is("AWS::EC2::Subnet", 6);
    let expected = [
        ("10.0.0.0/24", 0, "subnet-for-eks-cluster-public-1"),
        ("10.0.1.0/24", 1, "subnet-for-eks-cluster-public-2"),
        ("10.0.2.0/24", 0, "subnet-for-eks-cluster-private-with-nat-1"),
        ("10.0.3.0/24", 1, "subnet-for-eks-cluster-private-with-nat-2"),
        ("10.0.4.0/24", 0, "subnet-for-eks-cluster-private-isolated-1"),
        ("10.0.5.0/24", 1, "subnet-for-eks-cluster-private-isolated-2"),
    ];
    for (cidr, az, name) in expected {
        t.has_resource_properties(
            "AWS::EC2::Subnet",
            json!({
                "CidrBlock": cidr,
                // Fn::GetAZs + Fn::Select: synthesis never looks AZs up.
                "AvailabilityZone": {"Fn::Select": [az, {"Fn::GetAZs": ""}]},
                "Tags": Match::array_with(json!([{"Key": "Name", "Value": name}]))
            }),
        );
    }
}

#[test]
fn subnets_are_tagged_for_load_balancer_discovery() {
    let t = default_template();
    let elb = t.find_resources(
        "AWS::EC2::Subnet",
        json!({"Properties": {"MapPublicIpOnLaunch": true, "Tags": Match::array_with(json!([{"Key": "kubernetes.io/role/elb", "Value": "1"}]))}}),
    );
    assert_eq!(elb.len(), 2, "public subnets");
    let internal = t.find_resources(
        "AWS::EC2::Subnet",
        json!({"Properties": {"Tags": Match::array_with(json!([{"Key": "kubernetes.io/role/internal-elb", "Value": "1"}]))}}),
    );
    assert_eq!(internal.len(), 2, "private-with-NAT subnets");
    assert!(
        internal.keys().all(|id| id.starts_with("VPCPrivateSubnet")),
        "{internal:?}"
    );
}

#[test]
fn public_routes_to_the_internet_gateway_and_private_to_one_nat_per_az() {
    let t = default_template();
    let igw = id_of(&t, "AWS::EC2::InternetGateway", "VPCIGW");
    let attachment = id_of(&t, "AWS::EC2::VPCGatewayAttachment", "VPCVPCGW");
    t.has_resource(
        "AWS::EC2::Route",
        json!({"Properties": {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": r#ref(&igw)}, "DependsOn": [attachment]}),
    );
    t.resource_count_is("AWS::EC2::NatGateway", 2);
    t.resource_count_is("AWS::EC2::EIP", 2);
    for n in 1..=2 {
        let nat = id_of(&t, "AWS::EC2::NatGateway", &format!("VPCNatGateway{n}"));
        let table = id_of(&t, "AWS::EC2::RouteTable", &format!("VPCPrivateRouteTable{n}"));
        let subnet = id_of(&t, "AWS::EC2::Subnet", &format!("VPCPrivateSubnet{n}"));
        let public = id_of(&t, "AWS::EC2::Subnet", &format!("VPCPublicSubnet{n}"));
        t.has_resource_properties("AWS::EC2::NatGateway", json!({"SubnetId": r#ref(&public)}));
        t.has_resource_properties(
            "AWS::EC2::Route",
            json!({"RouteTableId": r#ref(&table), "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": r#ref(&nat)}),
        );
        t.has_resource_properties(
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({"SubnetId": r#ref(&subnet), "RouteTableId": r#ref(&table)}),
        );
    }
}

#[test]
fn isolated_subnets_have_no_route_out() {
    let t = default_template();
    let table = id_of(&t, "AWS::EC2::RouteTable", "VPCIsolatedRouteTable");
    let routes = t.find_resources(
        "AWS::EC2::Route",
        json!({"Properties": {"RouteTableId": r#ref(&table)}}),
    );
    assert!(routes.is_empty(), "{routes:?}");
    for n in 1..=2 {
        let subnet = id_of(&t, "AWS::EC2::Subnet", &format!("VPCIsolatedSubnet{n}"));
        t.has_resource_properties(
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({"SubnetId": r#ref(&subnet), "RouteTableId": r#ref(&table)}),
        );
    }
}

#[test]
fn cheap_profile_has_one_nat_gateway_for_both_private_subnets() {
    let t = template(&Config::cheap());
    t.resource_count_is("AWS::EC2::NatGateway", 1);
    t.resource_count_is("AWS::EC2::EIP", 1);
    let table = id_of(&t, "AWS::EC2::RouteTable", "VPCPrivateRouteTable1");
    let associated = t.find_resources(
        "AWS::EC2::SubnetRouteTableAssociation",
        json!({"Properties": {"RouteTableId": r#ref(&table)}}),
    );
    assert_eq!(associated.len(), 2);
}

#[test]
fn s3_gateway_endpoint_on_the_private_route_tables() {
    let t = default_template();
    let tables: Vec<_> = (1..=2)
        .map(|n| r#ref(&id_of(&t, "AWS::EC2::RouteTable", &format!("VPCPrivateRouteTable{n}"))))
        .collect();
    t.has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        json!({"VpcEndpointType": "Gateway", "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"}, "RouteTableIds": tables}),
    );
    let mut config = Config::default();
    config.network.s3_gateway_endpoint = false;
    let without = template(&config);
    assert!(
        without
            .find_resources(
                "AWS::EC2::VPCEndpoint",
                json!({"Properties": {"VpcEndpointType": "Gateway"}})
            )
            .is_empty()
    );
}

#[test]
fn ecr_endpoint_in_the_private_subnets_with_its_own_security_group() {
    let t = default_template();
    let endpoint = id_of(&t, "AWS::EC2::VPCEndpoint", "VPCEndpoint3");
    let group = id_of(&t, "AWS::EC2::SecurityGroup", "VPCEndpointSecurityGroup");
    let private: Vec<_> = (1..=2)
        .map(|n| r#ref(&id_of(&t, "AWS::EC2::Subnet", &format!("VPCPrivateSubnet{n}"))))
        .collect();
    assert_eq!(
        resource(&t, &endpoint)["Properties"],
        json!({
            "PrivateDnsEnabled": true,
            "SecurityGroupIds": [get_att(&group, "GroupId")],
            "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.ecr.dkr"},
            "SubnetIds": private,
            "VpcEndpointType": "Interface",
            "VpcId": r#ref(&id_of(&t, "AWS::EC2::VPC", "VPC"))
        })
    );
    // Wiring: only the EKS cluster and the DB migrator may reach it, on 443 (checked in full in
    // eks_cluster.rs and db_migrator.rs).
    let rules = ingress_into(&t, &group);
    assert_eq!(rules.len(), 2);
    assert!(
        rules
            .iter()
            .all(|r| r["IpProtocol"] == "tcp" && r["FromPort"] == 443 && r["ToPort"] == 443),
        "{rules:?}"
    );
}

#[test]
fn more_azs_and_nat_gateways_from_the_configuration() {
    let mut config = Config::default();
    config.network.max_azs = 3;
    config.network.nat_gateways = 3;
    config.network.cidr = "10.20.0.0/20".parse().unwrap();
    config.network.subnet_prefix_length = 26;
    let t = template(&config);
    t.resource_count_is("AWS::EC2::Subnet", 9);
    t.resource_count_is("AWS::EC2::NatGateway", 3);
    t.has_resource_properties("AWS::EC2::VPC", json!({"CidrBlock": "10.20.0.0/20"}));
    t.has_resource_properties(
        "AWS::EC2::Subnet",
        json!({"CidrBlock": "10.20.2.0/26", "AvailabilityZone": {"Fn::Select": [2, {"Fn::GetAZs": ""}]}}),
    );
}

#[test]
fn vpc_id_is_an_output() {
    default_template().has_output(
        "VpcId",
        json!({"Value": {"Ref": Match::string_like_regexp("^VPCB9E5F0B4$")}}),
    );
}
