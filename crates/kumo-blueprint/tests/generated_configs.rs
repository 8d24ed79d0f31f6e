//! Property tests: `kumo_blueprint::build` never panics. Valid configurations — generated across every
//! key's allowed range — build and synthesize with no diagnostic; arbitrary ones (values outside every
//! rule) build, and synthesis reports what is wrong instead of panicking.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;
use kumo_blueprint::{
    AURORA_POSTGRES_INSTANCE_CLASSES, AURORA_POSTGRES_VERSIONS, AmiType, CapacityType, Config, ControlPlaneLog,
    DataRemoval, EKS_VERSIONS, KubernetesSupport, PodIdentityMode, Profile, RepositoryRemoval, RetentionDays, build,
};
use kumo_constructs::logs::RETENTION_DAYS;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const X86_TYPES: &[&str] = &[
    "m5.large",
    "m5a.large",
    "m6i.xlarge",
    "c6i.large",
    "t3.medium",
    "t3a.medium",
    "r6i.large",
    "m7i-flex.large",
];
const ARM_TYPES: &[&str] = &["m6g.large", "m7g.large", "c7g.xlarge", "t4g.medium", "r7g.large"];
const X86_AMIS: &[AmiType] = &[
    AmiType::Al2023X86_64Standard,
    AmiType::BottlerocketX86_64,
    AmiType::Al2023X86_64Nvidia,
];
const ARM_AMIS: &[AmiType] = &[AmiType::Al2023Arm64Standard, AmiType::BottlerocketArm64];

fn retention() -> impl Strategy<Value = RetentionDays> {
    select(RETENTION_DAYS).prop_map(|days| RetentionDays::try_from(days).expect("from the list"))
}

fn name(pattern: &'static str) -> impl Strategy<Value = String> {
    proptest::string::string_regex(pattern).expect("a valid pattern")
}

/// The network: a /16–/20 block with room for three tiers of subnets in every AZ.
fn network() -> impl Strategy<Value = (Ipv4Net, u8, u8, u8)> {
    (1u8..=250, 16u8..=20, 2u8..=3).prop_flat_map(|(second, prefix, azs)| {
        let cidr = Ipv4Net::new(std::net::Ipv4Addr::new(10, second, 0, 0), prefix).expect("valid prefix");
        let subnets = (prefix + 4)..=28;
        (Just(cidr.trunc()), Just(azs), subnets, 1u8..=azs)
    })
}

/// Node group: an architecture, its AMI and instance types, and ordered sizes.
fn node_group() -> impl Strategy<Value = (AmiType, Vec<String>, u32, u32, u32, CapacityType)> {
    let sizes = (0u32..=5, 1u32..=10).prop_flat_map(|(min, extra)| {
        let max = min + extra;
        (Just(min), min..=max, Just(max))
    });
    (any::<bool>(), sizes, select(CapacityType::ALL)).prop_flat_map(|(arm, (min, desired, max), capacity)| {
        let (amis, types) = if arm {
            (ARM_AMIS, ARM_TYPES)
        } else {
            (X86_AMIS, X86_TYPES)
        };
        (
            select(amis),
            subsequence(types, 1..=types.len().min(4)).prop_map(|t| t.iter().map(|s| (*s).to_owned()).collect()),
            Just(desired),
            Just(min),
            Just(max),
            Just(capacity),
        )
    })
}

prop_compose! {
    fn valid_config()(
        profile in select(Profile::ALL),
        (cidr, max_azs, subnet_prefix_length, nat_gateways) in network(),
        s3 in any::<bool>(),
        stack_name in name("[A-Za-z][A-Za-z0-9-]{0,30}"),
        cluster_name in name("[a-z][a-z0-9-]{0,30}[a-z0-9]"),
        version in select(
            EKS_VERSIONS.iter().filter(|v| v.support() != KubernetesSupport::Retired).map(|v| v.version).collect::<Vec<_>>()
        ),
        (public, private) in prop_oneof![Just((true, true)), Just((true, false)), Just((false, true))],
        logs in subsequence(ControlPlaneLog::ALL, 0..=ControlPlaneLog::ALL.len()),
        eks_retention in retention(),
        admin_users in proptest::collection::vec(name("[a-z][a-z0-9._-]{0,15}"), 0..3),
        admin_roles in proptest::collection::vec(name("[A-Z][A-Za-z0-9]{0,15}"), 0..3),
        (ami, instance_types, desired, min, max, capacity) in node_group(),
        disk in 20u32..=200,
        labels in proptest::collection::btree_map(name("[a-z][a-z0-9]{0,8}"), name("[a-z0-9]{1,8}"), 0..3),
        mode in select(PodIdentityMode::ALL),
        engine in select(AURORA_POSTGRES_VERSIONS),
        // Serverless v2 needs a capacity range the blueprint does not set (refused when parsed).
        class in select(AURORA_POSTGRES_INSTANCE_CLASSES.iter().copied().filter(|c| *c != "db.serverless").collect::<Vec<_>>()),
        instances in 1u8..=3,
        port in prop_oneof![Just(5432u16), 1150u16..=65_535],
        backups in 1u32..=35,
        on_delete in select(&[DataRemoval::Snapshot, DataRemoval::Delete][..]),
        deletion_protection in any::<bool>(),
        repositories in subsequence(&["app", "api", "web", "migrate", "worker/jobs"][..], 1..=5),
        migrator_pick in any::<proptest::sample::Index>(),
        repo_removal in select(RepositoryRemoval::ALL),
        builder_retention in retention(),
        migrator_retention in retention(),
        domain in name("[a-z][a-z0-9]{1,12}\\.(com|net|dev|io)"),
    ) -> Config {
        let mut c = Config::for_profile(profile);
        c.stack.name = stack_name;
        let n = &mut c.network;
        (n.cidr, n.max_azs, n.subnet_prefix_length, n.nat_gateways, n.s3_gateway_endpoint) =
            (cidr, max_azs, subnet_prefix_length, nat_gateways, s3);
        let e = &mut c.eks;
        e.cluster_name = cluster_name;
        e.kubernetes_version = version.parse().expect("from the list");
        (e.endpoint_public_access, e.endpoint_private_access) = (public, private);
        e.control_plane_logs = logs;
        e.log_retention_days = eks_retention;
        e.admin_users = admin_users;
        e.admin_roles = admin_roles;
        // Unique names (duplicates are a rule of their own, not what this test explores).
        e.admin_users.dedup();
        e.admin_roles.dedup();
        let g = &mut e.node_group;
        g.ami_type = ami;
        g.instance_types = instance_types.iter().map(|t| t.parse().expect("well-formed")).collect();
        (g.desired_size, g.min_size, g.max_size, g.capacity_type) = (desired, min, max, capacity);
        g.disk_size_gib = disk;
        g.labels = labels;
        c.pod_identity.mode = mode;
        let d = &mut c.database;
        d.engine_version = engine.parse().expect("from the list");
        d.instance_class = class.parse().expect("from the list");
        d.instances = instances;
        d.port = port;
        d.backup_retention_days = backups;
        d.on_delete = on_delete;
        d.deletion_protection = deletion_protection;
        let b = &mut c.image_builder;
        b.repositories = repositories.iter().map(|r| (*r).to_owned()).collect();
        b.on_delete = repo_removal;
        b.log_retention_days = builder_retention;
        c.db_migrator.repository = migrator_pick.get(&b.repositories).clone();
        c.db_migrator.log_retention_days = migrator_retention;
        c.dns.domain = domain;
        c
    }
}

prop_compose! {
    /// Anything the types allow, most of it outside the rules: empty names, zero and huge sizes, AZ and
    /// NAT counts that cannot work, a migrator repository the builder does not make.
    fn arbitrary_config()(
        base in valid_config(),
        max_azs in any::<u8>(),
        nat_gateways in any::<u8>(),
        subnet_prefix_length in any::<u8>(),
        prefix in 0u8..=32,
        sizes in (any::<u32>(), any::<u32>(), any::<u32>()),
        instances in any::<u8>(),
        backups in any::<u32>(),
        port in any::<u16>(),
        names in proptest::collection::vec(".{0,70}", 6),
        repositories in proptest::collection::vec("[a-z]{0,3}", 0..3),
        instance_types in proptest::collection::vec(select(X86_TYPES.iter().chain(ARM_TYPES).copied().collect::<Vec<_>>()), 0..3),
        on_delete in select(DataRemoval::ALL),
        tags in proptest::collection::btree_map(".{0,5}", ".{0,5}", 0..3),
    ) -> Config {
        let mut c = base;
        c.network.max_azs = max_azs;
        c.network.nat_gateways = nat_gateways;
        c.network.subnet_prefix_length = subnet_prefix_length;
        c.network.cidr = Ipv4Net::new(c.network.cidr.addr(), prefix).expect("prefix ≤ 32");
        let g = &mut c.eks.node_group;
        (g.desired_size, g.min_size, g.max_size) = sizes;
        g.instance_types = instance_types.iter().map(|t| t.parse().expect("well-formed")).collect();
        g.tags = tags.into_iter().collect::<BTreeMap<_, _>>();
        c.database.instances = instances;
        c.database.backup_retention_days = backups;
        c.database.port = port;
        c.database.on_delete = on_delete;
        c.stack.name = names[0].clone();
        c.eks.cluster_name = names[1].clone();
        c.database.cluster_identifier = names[2].clone();
        c.image_builder.project_name = names[3].clone();
        c.db_migrator.repository = names[4].clone();
        c.dns.domain = names[5].clone();
        c.image_builder.repositories = repositories;
        c
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn valid_configurations_build_and_synthesize(config in valid_config()) {
        // The generator stays inside every rule (warnings are fine)...
        prop_assert!(config.validate().is_ok(), "{:?}", config.validate());
        // ... and then the whole blueprint synthesizes, every construct and every schema check satisfied.
        let stack = build(&config);
        let template = stack.synth();
        prop_assert!(template.is_ok(), "{}", template.err().map(|e| e.to_string()).unwrap_or_default());
    }

    #[test]
    fn any_configuration_builds_and_synth_reports_instead_of_panicking(config in arbitrary_config()) {
        let stack = build(&config);
        match stack.synth() {
            Ok(_) => {}
            Err(error) => prop_assert!(!error.diagnostics.is_empty()),
        }
    }
}
