//! Constructs report, never panic: every construct given props it cannot honour records a diagnostic
//! (kind `InvalidProps`, the construct path, the prop) and carries on, and `synth` returns all of them
//! together with every other problem.

use kumo_constructs::codebuild::{BuildSpec, Project, ProjectProps, Source};
use kumo_constructs::ec2::{
    InterfaceEndpoint, InterfaceEndpointProps, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration,
    SubnetType, Vpc, VpcProps, allow,
};
use kumo_constructs::eks::{Cluster, ClusterProps, Nodegroup, NodegroupProps};
use kumo_constructs::iam::{ManagedPolicy, ManagedPolicyProps, Principal, Role, RoleProps};
use kumo_constructs::rds::{AuroraPostgresCluster, AuroraPostgresClusterProps};
use kumo_core::{DiagnosticKind, Stack, Str};

/// The `InvalidProps` diagnostics of a failed synth, as `(construct path, prop, message)`.
fn reported(stack: &Stack) -> Vec<(String, String, String)> {
    let error = stack
        .synth()
        .expect_err("synth must fail on props a construct cannot honour");
    error
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::InvalidProps)
        .map(|d| {
            (
                d.logical_id.clone().unwrap_or_default(),
                d.path.clone().unwrap_or_default(),
                d.message.clone(),
            )
        })
        .collect()
}

fn assert_reported(stack: &Stack, construct: &str, prop: &str, fragment: &str) {
    let all = reported(stack);
    assert!(
        all.iter()
            .any(|(c, p, m)| c == construct && p == prop && m.contains(fragment)),
        "no diagnostic {construct}: {prop}: …{fragment}…; got {all:#?}"
    );
}

fn two_subnets() -> Vec<Str> {
    vec![Str::from("subnet-a"), Str::from("subnet-b")]
}

#[test]
fn eks_cluster_with_one_subnet() {
    let mut stack = Stack::new("T");
    Cluster::new(
        &mut stack,
        "Cluster",
        ClusterProps::new("1.36", vec![Str::from("subnet-a")]),
    );
    assert_reported(&stack, "Cluster", "subnet_ids", "at least two AZs, got 1");
}

#[test]
fn node_group_with_inconsistent_sizes_and_no_subnet() {
    let mut stack = Stack::new("T");
    let cluster = Cluster::new(&mut stack, "Cluster", ClusterProps::new("1.36", two_subnets()));
    Nodegroup::new(
        &mut stack.scope("Compute"),
        "Nodes",
        &cluster,
        NodegroupProps::new(vec![]).scaling(1, 2, 3),
    );
    assert_reported(&stack, "Compute/Nodes", "scaling", "min <= desired <= max");
    assert_reported(&stack, "Compute/Nodes", "subnet_ids", "at least one subnet");
}

#[test]
fn aurora_with_one_subnet_and_no_instance() {
    let mut stack = Stack::new("T");
    AuroraPostgresCluster::new(
        &mut stack,
        "Db",
        "vpc-1",
        vec![Str::from("subnet-a")],
        AuroraPostgresClusterProps::new("17.6").instances(0),
    );
    assert_reported(&stack, "Db", "subnet_ids", "two AZs, got 1");
    assert_reported(&stack, "Db", "instances", "at least one instance");
}

#[test]
fn interface_endpoint_in_a_vpc_without_such_subnets() {
    let mut stack = Stack::new("T");
    let vpc = Vpc::new(
        &mut stack,
        "VPC",
        VpcProps::default().subnet_configuration(vec![SubnetConfiguration::new("pub", SubnetType::Public, 24)]),
    );
    InterfaceEndpoint::new(&mut stack, "Ecr", &vpc, InterfaceEndpointProps::new("ecr.dkr"));
    assert_reported(&stack, "Ecr", "subnets", "no subnet of type PrivateWithEgress");
}

#[test]
fn empty_managed_policy() {
    let mut stack = Stack::new("T");
    ManagedPolicy::new(&mut stack, "Empty", ManagedPolicyProps::default());
    assert_reported(&stack, "Empty", "document", "no statement");
}

#[test]
fn codebuild_without_source_or_inline_build_spec_and_a_connection_to_it() {
    let mut stack = Stack::new("T");
    let mut role = Role::new(
        &mut stack,
        "Role",
        RoleProps::assumed_by(Principal::service("codebuild.amazonaws.com")),
    );
    let project = Project::new(
        &mut stack,
        "Build",
        &mut role,
        ProjectProps::new(Source::None).build_spec(BuildSpec::FromSourceFilename("buildspec.yml".into())),
    );
    let db = SecurityGroup::new(&mut stack, "Db", "vpc-1", SecurityGroupProps::default());
    // The project is not in a VPC: it has no security group a rule could name.
    allow(&mut stack, &project, &db, Port::Tcp(5432), "build to db");
    assert_reported(&stack, "Build", "build_spec", "inline one");
    assert_reported(&stack, "Build", "", "has no security group");
}

#[test]
fn a_handle_from_another_stack() {
    let mut other = Stack::new("Other");
    let mut group = SecurityGroup::new(&mut other, "Web", "vpc-1", SecurityGroupProps::default());
    let mut stack = Stack::new("T");
    group.add_ingress_rule(
        &mut stack,
        kumo_constructs::ec2::Peer::ipv4("10.0.0.0/16"),
        Port::Tcp(443),
        "from the VPC",
    );
    assert_reported(&stack, "Web", "", "not a resource of stack T");
}

#[test]
fn every_problem_is_reported_at_once_and_building_carries_on() {
    let mut stack = Stack::new("T");
    Vpc::new(&mut stack, "VPC", VpcProps::default().max_azs(0).nat_gateways(0));
    Cluster::new(&mut stack, "Cluster", ClusterProps::new("1.36", vec![]));
    ManagedPolicy::new(&mut stack, "Empty", ManagedPolicyProps::default());
    let all = reported(&stack);
    let props: Vec<(&str, &str)> = all.iter().map(|(c, p, _)| (c.as_str(), p.as_str())).collect();
    assert_eq!(
        props,
        [
            ("VPC", "max_azs"),
            ("VPC", "nat_gateways"),
            ("Cluster", "subnet_ids"),
            ("Empty", "document")
        ]
    );
}
