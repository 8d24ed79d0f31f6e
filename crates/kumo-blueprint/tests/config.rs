//! `kumo.toml`: loading, layering, the cheap profile, every validation rule's message, deploy blockers
//! and the file `kumo init` writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kumo_blueprint::{
    AURORA_POSTGRES_VERSIONS, AmiType, CapacityType, Config, ConfigError, ControlPlaneLog, DEFAULT_CONFIG_TOML,
    DataRemoval, EC2_INSTANCE_TYPES, EKS_VERSIONS, KubernetesSupport, Loaded, PodIdentityMode, Problem, ProblemKind,
    Profile, RepositoryRemoval, RetentionDays, ServiceAccount, ValueSource, init_template,
};

fn load(text: &str) -> Loaded {
    Config::from_toml(text, "kumo.toml")
        .unwrap_or_else(|e| panic!("expected the file to load, got:\n{e}\nfile:\n{text}"))
}

fn errors(text: &str) -> ConfigError {
    match Config::from_toml(text, "kumo.toml") {
        Ok(_) => panic!("expected configuration errors for:\n{text}"),
        Err(e) => e,
    }
}

/// The single problem of `text`, rendered as the CLI prints it.
fn only_error(text: &str) -> (Problem, String) {
    let error = errors(text);
    assert_eq!(error.problems.len(), 1, "expected exactly one problem, got:\n{error}");
    let rendered = error.to_string();
    (error.problems.into_iter().next().unwrap(), rendered)
}

#[track_caller]
fn assert_mentions(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
    }
}

// ---------------------------------------------------------------------------------------------------
// Defaults, layering, profiles

#[test]
fn the_embedded_default_is_complete_and_loads_to_the_default() {
    let config = Config::default();
    assert_eq!(config.stack.name, "MyEKSStack");
    assert_eq!(config.profile, Profile::Standard);
    let loaded = load(DEFAULT_CONFIG_TOML);
    assert_eq!(loaded.config, config);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    // An empty file is the default too: every key is optional.
    assert_eq!(load("").config, config);
    assert_eq!(config.validate(), Ok(vec![]));
}

#[test]
fn the_default_keeps_the_seed_values() {
    let c = Config::default();
    assert_eq!(c.network.vpc_name, "vpc-for-eks-cluster");
    assert_eq!(c.network.cidr.to_string(), "10.0.0.0/16");
    assert_eq!(
        (
            c.network.max_azs,
            c.network.subnet_prefix_length,
            c.network.nat_gateways
        ),
        (2, 24, 2)
    );
    assert_eq!(c.eks.cluster_name, "eks-cluster");
    assert_eq!(
        c.eks.kubernetes_version, EKS_VERSIONS[0].version,
        "the newest version in standard support"
    );
    // The seed's admins were its author's identities; the deploying identity is admin as the creator.
    assert!(c.eks.admin_users.is_empty() && c.eks.admin_roles.is_empty());
    let g = &c.eks.node_group;
    assert_eq!(
        (g.capacity_type, g.desired_size, g.min_size, g.max_size),
        (CapacityType::Spot, 2, 2, 6)
    );
    assert_eq!(
        g.instance_types,
        [
            "m5a.large",
            "m5.large",
            "m5ad.large",
            "m5d.large",
            "m5n.large",
            "m5dn.large"
        ]
    );
    assert_eq!(g.capacity_type.as_str(), "SPOT");
    assert_eq!(c.pod_identity.mode, PodIdentityMode::PodIdentity);
    assert_eq!(
        c.pod_identity.external_dns_service_account,
        ServiceAccount {
            namespace: "external-dns".into(),
            name: "external-dns".into()
        }
    );
    assert_eq!(c.database.instance_class, "db.t3.medium");
    assert_eq!((c.database.instances, c.database.port), (1, 5432));
    assert_eq!(c.database.on_delete, DataRemoval::Snapshot);
    assert_eq!(c.image_builder.repositories, ["eks-app", "eks-migration", "eks-web"]);
    assert_eq!(c.image_builder.on_delete, RepositoryRemoval::Destroy);
    assert_eq!(c.db_migrator.repository, "eks-migration");
    assert_eq!(c.dns.domain, "example.com");
    // Section defaults are the sections of the default.
    assert_eq!(kumo_blueprint::NodeGroupConfig::default(), c.eks.node_group);
}

#[test]
fn the_cheap_profile_is_one_line() {
    let cheap = Config::cheap();
    assert_eq!(cheap.profile, Profile::Cheap);
    assert_eq!(cheap.network.nat_gateways, 1);
    let g = &cheap.eks.node_group;
    assert_eq!(g.instance_types, ["t3.medium", "t3a.medium"]);
    assert_eq!((g.desired_size, g.min_size, g.max_size), (1, 1, 2));
    assert_eq!(g.capacity_type, CapacityType::Spot, "still spot");
    assert_eq!(cheap.database.instance_class, "db.t4g.medium");
    assert_eq!((cheap.database.instances, cheap.database.backup_retention_days), (1, 1));
    assert_eq!(cheap.database.on_delete, DataRemoval::Delete);
    assert_eq!(
        (
            cheap.eks.log_retention_days.days(),
            cheap.image_builder.log_retention_days.days(),
            cheap.db_migrator.log_retention_days.days()
        ),
        (1, 1, 1)
    );
    // Everything else is the standard default.
    let mut back = cheap.clone();
    back.profile = Profile::Standard;
    back.network.nat_gateways = 2;
    back.eks.node_group = Config::default().eks.node_group;
    back.eks.log_retention_days = RetentionDays::ONE_MONTH;
    back.database = Config::default().database;
    back.image_builder.log_retention_days = RetentionDays::TWO_WEEKS;
    back.db_migrator.log_retention_days = RetentionDays::TWO_WEEKS;
    assert_eq!(back, Config::default());

    let loaded = load("profile = \"cheap\"\n");
    assert_eq!(loaded.config, cheap);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(Config::for_profile(Profile::Cheap), cheap);
}

#[test]
fn explicit_values_win_over_the_profile() {
    let text = "profile = \"cheap\"\n\
                [network]\nnat_gateways = 2\n\
                [eks.node_group]\ninstance_types = [\"m5.large\", \"m5a.large\"]\nmax_size = 3\n\
                [database]\non_delete = \"snapshot\"\n";
    let config = load(text).config;
    let mut expected = Config::cheap();
    expected.network.nat_gateways = 2;
    expected.eks.node_group.instance_types = vec!["m5.large".parse().unwrap(), "m5a.large".parse().unwrap()];
    expected.eks.node_group.max_size = 3;
    expected.database.on_delete = DataRemoval::Snapshot;
    assert_eq!(config, expected);
}

#[test]
fn a_file_overrides_only_what_it_says_and_tables_replace_whole() {
    let text = "[stack]\nname = \"Dev\"\ntags = { Team = \"platform\" }\n[eks]\nadmin_roles = [\"Ops\"]\n";
    let config = load(text).config;
    let mut expected = Config::default();
    expected.stack.name = "Dev".into();
    expected.stack.tags = BTreeMap::from([("Team".to_owned(), "platform".to_owned())]);
    expected.eks.admin_roles = vec!["Ops".into()];
    assert_eq!(config, expected);
}

/// A configuration in which every value differs from the default: serialized and loaded back, it must
/// come back whole. This is what keeps the reader's key list and the `Config` structs in step.
fn every_value_changed() -> Config {
    let mut c = Config {
        profile: Profile::Cheap,
        ..Config::default()
    };
    c.stack.name = "OtherStack".into();
    c.stack.region = Some("eu-west-1".into());
    c.stack.env = Some("dev".into());
    c.stack.termination_protection = true;
    c.stack.tags = BTreeMap::from([("Team".to_owned(), "platform".to_owned())]);
    let n = &mut c.network;
    n.vpc_name = "other-vpc".into();
    n.cidr = "10.1.0.0/20".parse().unwrap();
    n.max_azs = 3;
    n.subnet_prefix_length = 26;
    n.nat_gateways = 3;
    n.s3_gateway_endpoint = false;
    let e = &mut c.eks;
    e.cluster_name = "other-cluster".into();
    e.kubernetes_version = "1.35".parse().unwrap();
    e.endpoint_public_access = false;
    e.control_plane_logs = vec![ControlPlaneLog::Audit];
    e.log_retention_days = RetentionDays::try_from(60).unwrap();
    e.admin_users = vec!["alice".into()];
    e.admin_roles = vec!["Ops".into()];
    let g = &mut e.node_group;
    g.name = "other-nodes".into();
    g.capacity_type = CapacityType::OnDemand;
    g.instance_types = vec!["m7g.large".parse().unwrap(), "m6g.large".parse().unwrap()];
    g.desired_size = 3;
    g.min_size = 1;
    g.max_size = 4;
    g.ami_type = AmiType::Al2023Arm64Standard;
    g.disk_size_gib = 40;
    g.labels = BTreeMap::from([("tier".to_owned(), "web".to_owned())]);
    g.tags = BTreeMap::from([("Owner".to_owned(), "me".to_owned())]);
    let p = &mut c.pod_identity;
    p.mode = PodIdentityMode::Irsa;
    p.external_secrets_service_account = "es/es".parse().unwrap();
    p.external_dns_service_account = "dns/external-dns".parse().unwrap();
    p.load_balancer_controller_service_account = "lb/lb".parse().unwrap();
    let d = &mut c.database;
    d.cluster_identifier = "other-cluster-id".into();
    d.instance_identifier_base = "other-db".into();
    d.engine_version = "16.8".parse().unwrap();
    d.instance_class = "db.r7g.large".parse().unwrap();
    d.instances = 2;
    d.port = 5433;
    d.database_name = "app".into();
    d.master_username = "appadmin".into();
    d.secret_name = "other-secrets".into();
    d.backup_retention_days = 14;
    d.monitoring_interval_seconds = 30;
    d.on_delete = DataRemoval::Delete;
    d.deletion_protection = true;
    let b = &mut c.image_builder;
    b.project_name = "OtherImageBuild".into();
    b.github_owner = "someone".into();
    b.github_repo = "other-repo".into();
    b.branch = "release".into();
    b.buildspec = "ci/buildspec.yml".into();
    b.repositories = vec!["app".into(), "migrate".into()];
    b.on_delete = RepositoryRemoval::Retain;
    b.log_retention_days = RetentionDays::ONE_WEEK;
    let m = &mut c.db_migrator;
    m.project_name = "OtherMigrator".into();
    m.repository = "migrate".into();
    m.image_tag = "v1".into();
    m.log_retention_days = RetentionDays::ONE_MONTH;
    c.dns.domain = "dev.mycompany.net".into();
    c.dns.comment = "team zone".into();
    c
}

fn leaves(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, toml::Value>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) if !matches!(key.as_str(), "tags" | "labels") => leaves(&path, inner, out),
            _ => {
                out.insert(path, value.clone());
            }
        }
    }
}

#[test]
fn every_key_is_read_from_the_file() {
    let changed = every_value_changed();
    let (mut defaults, mut mine) = (BTreeMap::new(), BTreeMap::new());
    leaves("", &toml::Table::try_from(Config::default()).unwrap(), &mut defaults);
    leaves("", &toml::Table::try_from(&changed).unwrap(), &mut mine);
    assert!(mine.contains_key("stack.region") && mine.contains_key("stack.env"));
    for (key, value) in defaults.iter().filter(|(key, _)| *key != "eks.endpoint_private_access") {
        assert_ne!(
            mine.get(key),
            Some(value),
            "every_value_changed() leaves {key} at its default"
        );
    }
    // The one value every_value_changed() cannot flip (an endpoint must stay reachable), read on its own.
    assert!(
        !load("[eks]\nendpoint_private_access = false\n")
            .config
            .eks
            .endpoint_private_access
    );
    let text = toml::to_string(&changed).unwrap();
    let loaded = load(&text);
    assert_eq!(loaded.config, changed, "file:\n{text}");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

// ---------------------------------------------------------------------------------------------------
// Structural errors: syntax, unknown keys, wrong types

#[test]
fn syntax_errors_name_the_line() {
    let (problem, text) = only_error("[stack]\nname = MyStack\n");
    assert_eq!(problem.kind, ProblemKind::Syntax);
    assert_eq!(problem.source, ValueSource::File { line: 2, column: 8 });
    assert_mentions(&text, &["kumo.toml:2:8:", "not valid TOML", "double quotes"]);
}

#[test]
fn unknown_keys_suggest_the_intended_one() {
    let error = errors("[network]\nmax_az = 3\n[netwrk]\ncidr = \"10.0.0.0/16\"\n[eks]\nvpc_name = \"x\"\n");
    let text = error.to_string();
    assert_eq!(error.problems.len(), 3, "{text}");
    assert!(error.problems.iter().all(|p| p.kind == ProblemKind::UnknownKey));
    assert_mentions(
        &text,
        &[
            "kumo.toml: 3 problems in the configuration:",
            "kumo.toml:2:1: network.max_az: unknown key; did you mean network.max_azs? keys in [network]: vpc_name, cidr",
            "kumo.toml:3:2: netwrk: unknown table; did you mean network?",
            // A key of another table: the suggestion names where it belongs.
            "kumo.toml:6:1: eks.vpc_name: unknown key; did you mean network.vpc_name?",
        ],
    );
    let (_, text) = only_error("[eks.node_group]\nspot = true\n");
    assert_mentions(
        &text,
        &["eks.node_group.spot: unknown key; keys in [eks.node_group]: name, capacity_type"],
    );
}

#[test]
fn wrong_types_say_what_was_expected() {
    let (problem, text) = only_error("[network]\nmax_azs = \"3\"\n");
    assert_eq!(problem.kind, ProblemKind::WrongType);
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:11: network.max_azs = \"3\": wrong type: expected an integer",
            "found a string; remove the quotes: 3",
        ],
    );
    // TOML reads 1.36 as a float: the fix is quotes.
    let (_, text) = only_error("[eks]\nkubernetes_version = 1.36\n");
    assert_mentions(
        &text,
        &[
            "eks.kubernetes_version = 1.36: wrong type: expected a string, found a float",
            "\"1.36\"",
        ],
    );
    let (_, text) = only_error("[stack]\ntags = \"team\"\n");
    assert_mentions(
        &text,
        &["stack.tags = \"team\": wrong type: expected a table of strings"],
    );
    let (_, text) = only_error("network = 5\n");
    assert_mentions(
        &text,
        &["network = 5: wrong type: expected a table ([network]), found an integer"],
    );
    let (_, text) = only_error("[stack]\ntermination_protection = \"yes\"\n");
    assert_mentions(
        &text,
        &["stack.termination_protection = \"yes\": wrong type: expected true or false"],
    );
    let (_, text) = only_error("[network]\nmax_azs = 300\n");
    assert_mentions(
        &text,
        // The key's real range, not the u8's.
        &["network.max_azs = 300: out of range; allowed: 2 to 6 (availability zones)"],
    );
    let (_, text) = only_error("[eks.node_group]\nmin_size = -1\n");
    assert_mentions(&text, &["eks.node_group.min_size = -1: out of range"]);
    let (_, text) = only_error("profile = \"Cheap\"\n");
    assert_mentions(
        &text,
        &["profile = \"Cheap\": not an allowed value; did you mean \"cheap\"? allowed: \"standard\", \"cheap\""],
    );
}

#[test]
fn a_wrong_type_in_a_list_is_reported_with_its_index_and_the_rest_is_still_checked() {
    let error = errors("[eks.node_group]\ninstance_types = [\"m5.large\", 3, \"M5.large\"]\n");
    let text = error.to_string();
    assert_eq!(error.problems.len(), 2, "{text}");
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:31: eks.node_group.instance_types[1] = 3: wrong type: expected a string, found an integer",
            "kumo.toml:2:34: eks.node_group.instance_types[2] = \"M5.large\": contains uppercase letters",
        ],
    );
}

#[test]
fn a_value_that_did_not_parse_does_not_cause_follow_on_errors() {
    // min_size is unusable; the default 2 must not then be compared with max_size = 1.
    let (problem, _) = only_error("[eks.node_group]\nmin_size = \"eight\"\nmax_size = 1\ndesired_size = 1\n");
    assert_eq!(problem.key, "eks.node_group.min_size");
}

#[test]
fn all_problems_are_reported_in_file_order() {
    let text = "[eks]\nkubernetes_version = \"1.22\"\n[network]\ncidr = \"10.0.0/16\"\n[stack]\nname = \"my_stack\"\n";
    let error = errors(text);
    let keys: Vec<&str> = error.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["eks.kubernetes_version", "network.cidr", "stack.name"]);
}

// ---------------------------------------------------------------------------------------------------
// Network

#[test]
fn cidr_must_parse_as_an_ipv4_block() {
    let (problem, text) = only_error("[network]\ncidr = \"10.0.0/16\"\n");
    assert_eq!(problem.kind, ProblemKind::InvalidValue);
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:8: network.cidr = \"10.0.0/16\": is not a CIDR block",
            "such as \"10.0.0.0/16\"",
        ],
    );
    let (_, text) = only_error("[network]\ncidr = \"10.0.0.0\"\n");
    assert_mentions(
        &text,
        &["is an address without a prefix length; write a block, such as \"10.0.0.0/16\""],
    );
    let (_, text) = only_error("[network]\ncidr = \"fd00::/48\"\n");
    assert_mentions(&text, &["IPv6 is not supported"]);
    let (_, text) = only_error("[network]\ncidr = \"10.0.3.0/16\"\n");
    assert_mentions(
        &text,
        &["network.cidr = \"10.0.3.0/16\": has host bits set; write the network address: \"10.0.0.0/16\""],
    );
    let (_, text) = only_error("[network]\ncidr = \"10.0.0.0/8\"\n");
    assert_mentions(
        &text,
        &["a /8 block is not a size a VPC can have; allowed: an IPv4 block from /16"],
    );
}

#[test]
fn subnets_must_fit_in_the_vpc() {
    let (problem, text) = only_error("[network]\ncidr = \"10.0.0.0/22\"\nmax_azs = 3\n");
    // Reported at the first key the file sets among those involved.
    assert_eq!(problem.key, "network.cidr");
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:8: network.cidr = \"10.0.0.0/22\":",
            "3 tiers × 3 AZs = 9 subnets of /24 do not fit in 10.0.0.0/22, which holds 4",
            "use network.cidr = \"10.0.0.0/20\", or network.subnet_prefix_length = 26 or more",
        ],
    );
    let (problem, text) = only_error("[network]\nsubnet_prefix_length = 16\n");
    assert_eq!(problem.key, "network.subnet_prefix_length");
    assert_mentions(&text, &["6 subnets of /16 do not fit in 10.0.0.0/16, which holds 1"]);
    let (_, text) = only_error("[network]\ncidr = \"10.0.0.0/20\"\nsubnet_prefix_length = 18\n");
    assert_mentions(&text, &["subnets of /18 are larger than the VPC block 10.0.0.0/20"]);
    let (_, text) = only_error("[network]\nsubnet_prefix_length = 29\n");
    assert_mentions(
        &text,
        &["network.subnet_prefix_length = 29: out of range; allowed: 16 to 28"],
    );
    assert_eq!(
        load("[network]\ncidr = \"10.0.0.0/20\"\nmax_azs = 3\nnat_gateways = 3\n")
            .config
            .network
            .max_azs,
        3
    );
}

#[test]
fn nat_gateways_between_one_and_max_azs() {
    let (problem, text) = only_error("[network]\nnat_gateways = 3\n");
    assert_eq!(problem.key, "network.nat_gateways");
    assert_mentions(
        &text,
        &["network.nat_gateways = 3: 3 NAT gateways with network.max_azs = 2; allowed: 1 to 2"],
    );
    let (_, text) = only_error("[network]\nnat_gateways = 0\n");
    assert_mentions(&text, &["network.nat_gateways = 0:", "allowed: 1 to 2"]);
    let (_, text) = only_error("[network]\nmax_azs = 1\n");
    assert_mentions(
        &text,
        &[
            "network.max_azs = 1: out of range; allowed: 2 to 6",
            "at least two availability zones",
        ],
    );
    let warned = load("[network]\nmax_azs = 4\ncidr = \"10.0.0.0/19\"\n");
    assert_mentions(
        &warned.warnings.join("\n"),
        &["kumo.toml:2:11: network.max_azs = 4: most regions have 3 availability zones"],
    );
}

// ---------------------------------------------------------------------------------------------------
// EKS

#[test]
fn node_group_sizes_must_be_ordered() {
    let (problem, text) = only_error("[eks.node_group]\nmin_size = 8\n");
    assert_eq!(problem.key, "eks.node_group.min_size");
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:12: eks.node_group.min_size = 8: min_size (8) is greater than max_size (6)",
            "min_size ≤ desired_size ≤ max_size",
        ],
    );
    let (problem, text) = only_error("[eks.node_group]\ndesired_size = 7\n");
    assert_eq!(problem.key, "eks.node_group.desired_size");
    assert_mentions(
        &text,
        &["desired_size (7) is outside [min_size, max_size] = [2, 6]; allowed: desired_size from 2 to 6"],
    );
    // Under the cheap profile max_size is 2: the file's desired_size is what to point at.
    let (problem, text) = only_error("profile = \"cheap\"\n[eks.node_group]\ndesired_size = 3\n");
    assert_eq!(problem.key, "eks.node_group.desired_size");
    assert_mentions(&text, &["= [1, 2]"]);
    let (_, text) = only_error("[eks.node_group]\nmax_size = 0\nmin_size = 0\ndesired_size = 0\n");
    assert_mentions(
        &text,
        &["eks.node_group.max_size = 0: a node group needs max_size of at least 1"],
    );
}

#[test]
fn kubernetes_version_must_be_offered_by_eks() {
    let (problem, text) = only_error("[eks]\nkubernetes_version = \"1.22\"\n");
    assert_eq!(problem.key, "eks.kubernetes_version");
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:22: eks.kubernetes_version = \"1.22\": not a Kubernetes version EKS can create clusters with",
            "allowed: \"1.36\", \"1.35\", \"1.34\" (standard support); \"1.33\", \"1.32\" (extended support",
        ],
    );
    let (_, text) = only_error("[eks]\nkubernetes_version = \"1.31\"\n");
    assert_mentions(
        &text,
        &["EKS extended support for 1.31 ends 2026-11-26", "allowed: \"1.36\""],
    );
    let (_, text) = only_error("[eks]\nkubernetes_version = \"v1.36\"\n");
    assert_mentions(&text, &["not a Kubernetes minor version like \"1.36\""]);
    let (_, text) = only_error("[eks]\nkubernetes_version = \"1.37\"\n");
    assert_mentions(
        &text,
        &["\"1.37\": not a Kubernetes version EKS can create clusters with"],
    );

    let extended = load("[eks]\nkubernetes_version = \"1.33\"\n");
    assert_mentions(
        &extended.warnings.join("\n"),
        &[
            "kumo.toml:2:22: eks.kubernetes_version = \"1.33\": in EKS extended support until 2027-07-29",
            "$0.60 per hour",
        ],
    );
    let ending = load("[eks]\nkubernetes_version = \"1.34\"\n");
    assert_mentions(&ending.warnings.join("\n"), &["standard support ends 2026-12-02"]);
    assert!(load("[eks]\nkubernetes_version = \"1.35\"\n").warnings.is_empty());
}

#[test]
fn the_documented_version_list_matches_the_code() {
    for v in EKS_VERSIONS
        .iter()
        .filter(|v| v.support() != KubernetesSupport::Retired)
    {
        assert!(
            DEFAULT_CONFIG_TOML.contains(v.version),
            "kumo.default.toml does not list {}",
            v.version
        );
    }
}

#[test]
fn instance_types_must_be_family_dot_size() {
    let (problem, text) = only_error("[eks.node_group]\ninstance_types = [\"m5.large\", \"m5large\"]\n");
    assert_eq!(problem.key, "eks.node_group.instance_types[1]");
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:31: eks.node_group.instance_types[1] = \"m5large\": has no \".\" between family and size",
            "allowed: an EC2 instance type \"family.size\"",
        ],
    );
    let (_, text) =
        only_error("[eks.node_group]\ninstance_types = [\"db.t3.medium\"]\ncapacity_type = \"ON_DEMAND\"\n");
    assert_mentions(&text, &["is an RDS/ElastiCache class, not an EC2 instance type"]);
    let (_, text) = only_error("[eks.node_group]\ninstance_types = [\"m5.huge\"]\ncapacity_type = \"ON_DEMAND\"\n");
    assert_mentions(&text, &["size \"huge\" is not a size like"]);
    let (_, text) = only_error("[eks.node_group]\ninstance_types = []\n");
    assert_mentions(
        &text,
        &["eks.node_group.instance_types = []: the node group needs at least one instance type"],
    );
    let (_, text) = only_error("[eks.node_group]\ninstance_types = [\"m5.large\", \"m5.large\"]\n");
    assert_mentions(
        &text,
        &["eks.node_group.instance_types[1] = \"m5.large\": listed twice"],
    );
    let single = load("[eks.node_group]\ninstance_types = [\"m5.large\"]\n");
    assert_mentions(
        &single.warnings.join("\n"),
        &["spot capacity from a single instance type is often unavailable"],
    );
}

#[test]
fn instance_types_must_match_the_ami_architecture() {
    let (problem, text) =
        only_error("[eks.node_group]\ninstance_types = [\"m7g.large\"]\ncapacity_type = \"ON_DEMAND\"\n");
    assert_eq!(problem.key, "eks.node_group.instance_types[0]");
    assert_mentions(
        &text,
        &["\"m7g.large\" is an arm64 type but ami_type \"AL2023_x86_64_STANDARD\" is built for x86_64"],
    );
    let arm =
        "[eks.node_group]\ninstance_types = [\"m7g.large\", \"m6g.large\"]\nami_type = \"AL2023_ARM_64_STANDARD\"\n";
    assert!(load(arm).warnings.is_empty());
}

#[test]
fn ami_type_must_suit_the_blueprint_and_the_kubernetes_version() {
    let (_, text) = only_error("[eks.node_group]\nami_type = \"AL2_x86_64\"\n");
    assert_mentions(
        &text,
        &[
            "eks.node_group.ami_type = \"AL2_x86_64\": EKS publishes no Amazon Linux 2 AMIs for Kubernetes 1.36",
            "\"AL2023_x86_64_STANDARD\"",
        ],
    );
    let (_, text) = only_error("[eks.node_group]\nami_type = \"WINDOWS_CORE_2022_x86_64\"\n");
    assert_mentions(&text, &["Windows nodes cannot run CoreDNS"]);
    let (_, text) = only_error("[eks.node_group]\nami_type = \"AL2023_X86_64_STANDARD\"\n");
    assert_mentions(&text, &["did you mean \"AL2023_x86_64_STANDARD\"?"]);
    // AL2 is still fine where EKS still publishes it (with the extended-support warning for 1.32).
    assert_eq!(
        load("[eks]\nkubernetes_version = \"1.32\"\n[eks.node_group]\nami_type = \"AL2_x86_64\"\n")
            .warnings
            .len(),
        1
    );
}

#[test]
fn log_retention_must_be_a_cloudwatch_value() {
    for key in ["eks", "image_builder", "db_migrator"] {
        let (problem, text) = only_error(&format!("[{key}]\nlog_retention_days = 10\n"));
        assert_eq!(problem.key, format!("{key}.log_retention_days"));
        assert_mentions(
            &text,
            &[
                &format!("{key}.log_retention_days = 10: not a retention CloudWatch Logs offers"),
                "allowed (days): 1, 3, 5, 7, 14, 30",
                "the nearest are 7 and 14",
            ],
        );
    }
}

#[test]
fn eks_settings_follow_the_service_rules() {
    let (_, text) = only_error("[eks]\ncluster_name = \"eks cluster\"\n");
    assert_mentions(
        &text,
        &["eks.cluster_name = \"eks cluster\": contains ' '; allowed: an EKS cluster name"],
    );
    let (_, text) = only_error("[eks]\nendpoint_public_access = false\nendpoint_private_access = false\n");
    assert_mentions(
        &text,
        &["kumo.toml:2:26: eks.endpoint_public_access = false: the cluster endpoint would be reachable from nowhere"],
    );
    let (_, text) = only_error("[eks]\ncontrol_plane_logs = [\"audit\", \"controller_manager\"]\n");
    assert_mentions(
        &text,
        &[
            "eks.control_plane_logs[1] = \"controller_manager\": not an EKS control-plane log type; did you mean \"controllerManager\"?",
        ],
    );
    let (_, text) = only_error("[eks]\nadmin_roles = [\"arn:aws:iam::123456789012:role/Admin\"]\n");
    assert_mentions(
        &text,
        &["eks.admin_roles[0] = \"arn:aws:iam::123456789012:role/Admin\": is an ARN; give only the name"],
    );
    let (_, text) = only_error("[eks.node_group]\nlabels = { \"-bad\" = \"x\" }\n");
    assert_mentions(
        &text,
        &[
            "eks.node_group.labels.-bad = \"x\": label key \"-bad\": name \"-bad\" must start and end with a letter or digit",
        ],
    );
    let (_, text) = only_error("[eks.node_group]\ndisk_size_gib = 8\n");
    assert_mentions(
        &text,
        &["eks.node_group.disk_size_gib = 8: out of range; allowed: 20 to 16384"],
    );
}

#[test]
fn cluster_admins_are_empty_by_default_without_a_warning() {
    // Nobody but the deploying identity (admin as the cluster's creator): the documented default.
    let loaded = load("");
    assert!(loaded.config.eks.admin_users.is_empty() && loaded.config.eks.admin_roles.is_empty());
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let loaded = load("[eks]\nadmin_users = [\"alice\"]\nadmin_roles = [\"Ops\"]\n");
    assert_eq!(loaded.config.eks.admin_users, ["alice"]);
    assert_eq!(loaded.config.eks.admin_roles, ["Ops"]);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

// ---------------------------------------------------------------------------------------------------
// Pod identity, database, image builder, migrator, DNS, stack

#[test]
fn service_accounts_are_namespace_slash_name() {
    let (problem, text) = only_error("[pod_identity]\nexternal_dns_service_account = \"external-dns\"\n");
    assert_eq!(problem.kind, ProblemKind::InvalidValue);
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:32: pod_identity.external_dns_service_account = \"external-dns\": \"external-dns\" is not \"namespace/name\"",
            "such as \"kube-system/external-dns\"",
        ],
    );
    let (_, text) = only_error("[pod_identity]\nexternal_dns_service_account = \"Kube-System/external-dns\"\n");
    assert_mentions(&text, &["namespace \"Kube-System\" contains 'K'"]);
    let (_, text) = only_error("[pod_identity]\nexternal_secrets_service_account = \"external-dns/external-dns\"\n");
    assert_mentions(
        &text,
        &["the same service account as pod_identity.external_secrets_service_account"],
    );
    // The external-dns add-on names its service account itself.
    let (_, text) = only_error("[pod_identity]\nexternal_dns_service_account = \"kube-system/dns\"\n");
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:32: pod_identity.external_dns_service_account = \"kube-system/dns\": the EKS add-on external-dns always names its service account \"external-dns\"",
            "allowed: \"<namespace>/external-dns\"",
        ],
    );
    let (_, text) = only_error("[pod_identity]\nmode = \"IRSA\"\n");
    assert_mentions(&text, &["did you mean \"irsa\"? allowed: \"pod-identity\", \"irsa\""]);
}

#[test]
fn aurora_version_must_be_a_current_one() {
    let (problem, text) = only_error("[database]\nengine_version = \"13.6\"\n");
    assert_eq!(problem.key, "database.engine_version");
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:18: database.engine_version = \"13.6\": Aurora PostgreSQL 13 is past end of standard support",
            "allowed (cfn-lint 1.58.0 data): \"14.6\"",
            "\"17.6\"",
            "\"18.6\"",
        ],
    );
    let (_, text) = only_error("[database]\nengine_version = \"16.6-limitless\"\n");
    assert_mentions(&text, &["not an Aurora PostgreSQL version kumo accepts"]);
    let (_, text) = only_error("[database]\nengine_version = \"16.1\"\n");
    assert_mentions(&text, &["unknown or deprecated minor"]);
    let (_, text) = only_error("[database]\nengine_version = 17.6\n");
    assert_mentions(
        &text,
        &["wrong type: expected a string, found a float; put the value in double quotes: \"17.6\""],
    );
    assert_eq!(
        load("[database]\nengine_version = \"18\"\n")
            .config
            .database
            .engine_version,
        "18"
    );
}

#[test]
fn db_instance_class_must_be_db_family_size() {
    let (_, text) = only_error("[database]\ninstance_class = \"t3.medium\"\n");
    assert_mentions(
        &text,
        &[
            "database.instance_class = \"t3.medium\": does not start with \"db.\"",
            "\"db.family.size\"",
        ],
    );
    let (_, text) = only_error("[database]\ninstance_class = \"db.t3\"\n");
    assert_mentions(&text, &["has no \".\" between family and size"]);
    let (_, text) = only_error("[database]\ninstance_class = \"db.serverless\"\n");
    assert_mentions(
        &text,
        &["Aurora Serverless v2 needs a capacity range the blueprint does not set"],
    );
    let unknown = load("[database]\ninstance_class = \"db.m5.large\"\n");
    assert_mentions(
        &unknown.warnings.join("\n"),
        &["not an Aurora PostgreSQL class in cfn-lint 1.58.0's data", "t4g"],
    );
}

#[test]
fn database_settings_follow_the_rds_rules() {
    let (_, text) = only_error("[database]\ncluster_identifier = \"my--cluster\"\n");
    assert_mentions(
        &text,
        &["database.cluster_identifier = \"my--cluster\": contains two hyphens in a row; allowed: an RDS identifier"],
    );
    let (_, text) = only_error("[database]\ninstances = 0\n");
    assert_mentions(&text, &["database.instances = 0: out of range; allowed: 1 to 16"]);
    let (_, text) = only_error("[database]\nport = 80\n");
    assert_mentions(&text, &["database.port = 80: out of range; allowed: 1150 to 65535"]);
    let (_, text) = only_error("[database]\nbackup_retention_days = 0\n");
    assert_mentions(&text, &["allowed: 1 to 35"]);
    let (_, text) = only_error("[database]\nmaster_username = \"rdsadmin\"\n");
    assert_mentions(&text, &["uses a prefix reserved for RDS"]);
    let (_, text) = only_error("[database]\ndatabase_name = \"1db\"\n");
    assert_mentions(
        &text,
        &["starts with '1' instead of a letter; allowed: a PostgreSQL identifier"],
    );
    let warned = load("[database]\nsecret_name = \"db-secret\"\n");
    assert_mentions(
        &warned.warnings.join("\n"),
        &["database.secret_name = \"db-secret\": ends in a hyphen and six characters"],
    );
    let (_, text) = only_error("[database]\nmonitoring_interval_seconds = 20\n");
    assert_mentions(
        &text,
        &[
            "database.monitoring_interval_seconds = 20: not an Enhanced Monitoring interval; allowed: 0 (off), 1, 5, 10, 15, 30, 60",
        ],
    );
    let (_, text) = only_error("[database]\non_delete = \"retain\"\n");
    assert_mentions(
        &text,
        &["database.on_delete = \"retain\": not an allowed value; allowed: \"snapshot\", \"delete\""],
    );
}

#[test]
fn the_migrator_repository_must_be_built_by_the_image_builder() {
    let (problem, text) = only_error("[db_migrator]\nrepository = \"eks-migrate\"\n");
    assert_eq!(problem.key, "db_migrator.repository");
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:14: db_migrator.repository = \"eks-migrate\": not one of the repositories in image_builder.repositories",
            "did you mean \"eks-migration\"? allowed: \"eks-app\", \"eks-migration\", \"eks-web\"",
        ],
    );
    // Removing the repository from the list is the same mistake, reported where the file changed it,
    // naming the key the message is about and where its value came from (not "the list is not one of
    // itself").
    let (problem, text) = only_error("[image_builder]\nrepositories = [\"eks-app\"]\n");
    assert_eq!(problem.key, "image_builder.repositories");
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:16: image_builder.repositories = [\"eks-app\"]: db_migrator.repository = \"eks-migration\" \
           (built-in default): not one of the repositories in image_builder.repositories",
        ],
    );
    // An invalid name in the list is its own problem, besides the migrator's repository missing.
    let text = errors("[image_builder]\nrepositories = [\"eks-app\", \"EKS-migration\"]\n").to_string();
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:16: image_builder.repositories = [\"eks-app\", \"EKS-migration\"]: db_migrator.repository = \"eks-migration\" (built-in default): not one of the repositories",
            "kumo.toml:2:28: image_builder.repositories[1] = \"EKS-migration\": contains 'E'; allowed: an ECR repository name",
        ],
    );
    let (_, text) = only_error("[db_migrator]\nproject_name = \"EKSImageBuildProject\"\n");
    assert_mentions(
        &text,
        &["the same CodeBuild project name as image_builder.project_name"],
    );
}

#[test]
fn image_builder_source_settings_follow_github_and_git_rules() {
    let (_, text) = only_error("[image_builder]\ngithub_owner = \"-me\"\n");
    assert_mentions(
        &text,
        &["image_builder.github_owner = \"-me\": has a leading, trailing or double hyphen"],
    );
    let (_, text) = only_error("[image_builder]\nbranch = \"feature..x\"\n");
    assert_mentions(&text, &["image_builder.branch = \"feature..x\": contains \"..\""]);
    let (_, text) = only_error("[image_builder]\nproject_name = \"x\"\n");
    assert_mentions(
        &text,
        &["is 1 characters long (minimum 2); allowed: a CodeBuild project name"],
    );
    let (_, text) = only_error("[db_migrator]\nimage_tag = \"-latest\"\n");
    assert_mentions(&text, &["db_migrator.image_tag = \"-latest\": starts with '-'"]);
}

#[test]
fn stack_and_dns_names_follow_the_aws_rules() {
    let (problem, text) = only_error("[stack]\nname = \"my_stack\"\n");
    assert_eq!(problem.source, ValueSource::File { line: 2, column: 8 });
    assert_mentions(
        &text,
        &[
            "kumo.toml:2:8: stack.name = \"my_stack\": contains '_'; allowed: a CloudFormation stack name: 1-128 characters",
        ],
    );
    let (_, text) = only_error("[stack]\nregion = \"tokyo\"\n");
    assert_mentions(
        &text,
        &["stack.region = \"tokyo\": is not a region code; allowed: an AWS region code"],
    );
    let (_, text) = only_error("[stack]\ntags = { \"aws:owner\" = \"me\" }\n");
    assert_mentions(
        &text,
        &["stack.tags.\"aws:owner\" = \"me\": tag key \"aws:owner\" starts with the reserved prefix \"aws:\""],
    );
    let (_, text) = only_error("[dns]\ndomain = \"Dev.MyCompany.com.\"\n");
    assert_mentions(
        &text,
        &["dns.domain = \"Dev.MyCompany.com.\": ends with a dot; write \"dev.mycompany.com\""],
    );
    let (_, text) = only_error("[dns]\ndomain = \"localhost\"\n");
    assert_mentions(&text, &["has a single label"]);
}

/// Every damaged variant of the default file either loads — and then builds and synthesizes without a
/// panic — or is refused with problems that say where (a line in the file) and what; a value swapped
/// for one of the wrong type is refused *at that key*.
#[test]
fn damaged_files_give_errors_never_panics() {
    let lines: Vec<&str> = DEFAULT_CONFIG_TOML.lines().collect();
    // (text, the key whose value was swapped, if any)
    let mut variants: Vec<(String, Option<String>)> = Vec::new();
    let mut table = String::new();
    for i in 0..lines.len() {
        // Cut off mid-line, drop a line, and swap each value for one of the wrong type.
        let half: String = lines[i].chars().take(lines[i].chars().count() / 2).collect();
        variants.push((lines[..i].join("\n") + "\n" + &half, None));
        variants.push(([&lines[..i], &lines[i + 1..]].concat().join("\n"), None));
        let trimmed = lines[i].trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            table = name.to_owned();
        }
        if let Some((key, _)) = lines[i].split_once(" = ")
            && !key.starts_with('#')
        {
            let path = if table.is_empty() {
                key.trim().to_owned()
            } else {
                format!("{table}.{}", key.trim())
            };
            for wrong in ["[1, \"x\"]", "{ a = 1 }", "-7", "\"\"", "true", "1979-05-27"] {
                let mut damaged = lines.clone();
                let line = format!("{key} = {wrong}");
                damaged[i] = &line;
                variants.push((damaged.join("\n"), Some(path.clone())));
            }
        }
    }
    let (mut refused, mut loaded) = (0, 0);
    for (text, swapped) in &variants {
        match Config::from_toml(text, "kumo.toml") {
            Err(error) => {
                refused += 1;
                assert!(!error.problems.is_empty());
                let line_count = text.lines().count() + 1;
                for problem in &error.problems {
                    assert!(!problem.message.is_empty(), "{error}");
                    match problem.source {
                        ValueSource::File { line, column } => {
                            assert!(line >= 1 && line <= line_count && column >= 1, "{error}")
                        }
                        ValueSource::BuiltInDefault | ValueSource::CheapProfile => {}
                        ValueSource::Program => panic!("a file's problem said Program: {error}"),
                    }
                    if problem.kind != ProblemKind::Syntax {
                        assert!(!problem.key.is_empty(), "{error}");
                    }
                }
                if let Some(path) = swapped {
                    assert!(
                        error.problems.iter().any(|p| p.key == *path
                            || p.key.starts_with(&format!("{path}["))
                            || p.key.starts_with(&format!("{path}."))
                            || p.message.contains(path.as_str())),
                        "{path} was damaged, but no problem names it:\n{error}"
                    );
                }
            }
            Ok(good) => {
                loaded += 1;
                // A value of the right type: the configuration builds, and synth reports (never panics).
                if let Err(error) = kumo_blueprint::build(&good.config).synth() {
                    assert!(!error.diagnostics.is_empty());
                }
            }
        }
    }
    assert!(refused > 300 && loaded > 100, "{refused} refused, {loaded} loaded");
}

// ---------------------------------------------------------------------------------------------------
// Rendering, programmatic validation, deploy settings

#[test]
fn problems_say_where_a_value_came_from() {
    let problem = Problem {
        kind: ProblemKind::InvalidValue,
        key: "network.nat_gateways".into(),
        value: Some("1".into()),
        message: "example".into(),
        help: "do this".into(),
        source: ValueSource::CheapProfile,
    };
    assert_eq!(
        problem.render("kumo.toml"),
        "kumo.toml: network.nat_gateways = 1 (set by profile = \"cheap\"): example; do this"
    );
    let problem = Problem {
        source: ValueSource::BuiltInDefault,
        ..problem
    };
    assert_eq!(
        problem.render("kumo.toml"),
        "kumo.toml: network.nat_gateways = 1 (built-in default): example; do this"
    );
}

#[test]
fn configurations_built_in_code_are_checked_with_the_same_rules() {
    let mut config = Config::cheap();
    config.eks.node_group.min_size = 5;
    let error = config.validate().unwrap_err();
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(error.problems[0].source, ValueSource::Program);
    assert_mentions(
        &error.to_string(),
        &["eks.node_group.min_size = 5: min_size (5) is greater than max_size (2)"],
    );
    assert_eq!(Config::cheap().validate(), Ok(vec![]));
    assert_eq!(every_value_changed().validate(), Ok(vec![]));
}

#[test]
fn deploy_settings_come_from_the_stack_table() {
    let config = load("[stack]\nregion = \"ap-northeast-1\"\ntermination_protection = true\ntags = { Team = \"a\", Env = \"dev\" }\n[dns]\ndomain = \"dev.mycompany.net\"\n[image_builder]\ngithub_owner = \"mycompany\"\n").config;
    let settings = config.deploy_settings();
    assert_eq!(settings.region.as_deref(), Some("ap-northeast-1"));
    assert!(settings.termination_protection);
    assert_eq!(
        settings.tags,
        [
            ("Env".to_owned(), "dev".to_owned()),
            ("Team".to_owned(), "a".to_owned())
        ]
    );
    assert!(settings.deploy_blockers.is_empty(), "{:?}", settings.deploy_blockers);
}

#[test]
fn deploy_refuses_the_example_domains() {
    let domain_blockers = |config: &Config| -> Vec<String> {
        config
            .deploy_settings()
            .deploy_blockers
            .into_iter()
            .filter(|b| b.starts_with("dns.domain"))
            .collect()
    };
    let blockers = domain_blockers(&Config::default());
    assert_eq!(blockers.len(), 1);
    assert_mentions(
        &blockers[0],
        &[
            "dns.domain = \"example.com\"",
            "set dns.domain in kumo.toml to a domain you own",
            "NS records",
            "name servers",
        ],
    );
    for domain in [
        "dev.example.com",
        "example.org",
        "shop.example.net",
        "app.test",
        "x.invalid",
    ] {
        let config = load(&format!("[dns]\ndomain = \"{domain}\"\n")).config;
        assert_eq!(domain_blockers(&config).len(), 1, "{domain}");
    }
    for domain in ["myexample.com", "example.com.mycompany.net", "examples.org"] {
        let config = load(&format!("[dns]\ndomain = \"{domain}\"\n")).config;
        assert!(domain_blockers(&config).is_empty(), "{domain}");
    }
}

#[test]
fn deploy_refuses_the_seed_authors_repository_named_with_both_keys() {
    // The default with only the domain changed: the one borrowed value left is the repository.
    let config = load("[dns]\ndomain = \"dev.mycompany.net\"\n").config;
    let blockers = config.deploy_settings().deploy_blockers;
    assert_eq!(blockers.len(), 1, "{blockers:?}");
    assert_mentions(
        &blockers[0],
        &[
            "image_builder.github_owner = \"k-akari\"",
            "image_builder.github_repo = \"ent-example\"",
            "seed author's GitHub repository",
            "set both to a repository of yours",
            "kumo preflight",
        ],
    );
    // The untouched default names every borrowed value at once.
    assert_eq!(Config::default().deploy_settings().deploy_blockers.len(), 2);
    let blocked = |owner: &str| {
        let config = load(&format!(
            "[dns]\ndomain = \"a.mycompany.net\"\n[image_builder]\ngithub_owner = \"{owner}\"\n"
        ))
        .config;
        !config.deploy_settings().deploy_blockers.is_empty()
    };
    assert!(blocked("K-Akari"));
    assert!(!blocked("mycompany"));
    // A fork keeps the repository's name: only the owner is borrowed.
    let fork = load(
        "[dns]\ndomain = \"a.mycompany.net\"\n[image_builder]\ngithub_owner = \"me\"\ngithub_repo = \"ent-example\"\n",
    )
    .config;
    assert!(fork.deploy_settings().deploy_blockers.is_empty());
}

// ---------------------------------------------------------------------------------------------------
// `kumo init`'s file

/// Uncomments every commented-out setting (`# key = value`), except the region, environment and
/// time-to-live examples (unset by default).
fn uncomment_settings(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest)
                if rest.split_once(" = ").is_some_and(|(key, _)| {
                    !key.is_empty()
                        && key != "region"
                        && key != "env"
                        && key != "ttl"
                        && key != "ttl_notify"
                        && key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                }) =>
            {
                rest.to_owned()
            }
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_init_file_loads_to_its_profile_with_or_without_its_settings_uncommented() {
    for profile in [Profile::Standard, Profile::Cheap] {
        let text = init_template(profile);
        let expected = Config::for_profile(profile);
        let loaded = load(&text);
        assert_eq!(loaded.config, expected, "{profile}");
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let uncommented = uncomment_settings(&text);
        assert!(
            uncommented
                .lines()
                .filter(|l| l.contains(" = ") && !l.starts_with('#'))
                .count()
                >= 55
        );
        assert_eq!(
            load(&uncommented).config,
            expected,
            "{profile}, uncommented:\n{uncommented}"
        );
    }
}

#[test]
fn the_init_file_shows_the_other_profile_where_it_differs() {
    let standard = init_template(Profile::Standard);
    assert_mentions(
        &standard,
        &[
            "profile = \"standard\"\n",
            "# nat_gateways = 2  # cheap: 1\n",
            "# max_size = 6  # cheap: 2\n",
        ],
    );
    assert!(
        standard.contains("# cidr = \"10.0.0.0/16\"\n"),
        "values both profiles share carry no note"
    );
    let cheap = init_template(Profile::Cheap);
    assert_mentions(
        &cheap,
        &[
            "profile = \"cheap\"\n",
            "# nat_gateways = 1  # standard: 2\n",
            "# instance_class = \"db.t4g.medium\"  # standard: \"db.t3.medium\"\n",
        ],
    );
    // Flipping the one line switches the whole file to the other profile.
    let flipped = standard.replace("profile = \"standard\"", "profile = \"cheap\"");
    assert_eq!(load(&flipped).config, Config::cheap());
}

// ---------------------------------------------------------------------------------------------------
// The built-in lists stay in step with the pinned data they come from

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// cfn-lint's package directory inside the venv `scripts/test` installs (`$KUMO_CFN_LINT` may point at
/// another venv's `bin/cfn-lint`).
fn cfn_lint_package() -> PathBuf {
    let venv = std::env::var_os("KUMO_CFN_LINT")
        // <venv>/bin/cfn-lint → <venv>; `join("../..")` would not do: the kernel refuses `..` after a file.
        .and_then(|exe| PathBuf::from(exe).parent()?.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| workspace_root().join(".venv"));
    let lib = venv.join("lib");
    let found = std::fs::read_dir(&lib)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .find_map(|entry| {
            let package = entry.path().join("site-packages/cfnlint");
            package.is_dir().then_some(package)
        });
    found.unwrap_or_else(|| {
        panic!(
            "cfn-lint is not installed under {}: run the test suite with ./scripts/test (it installs the pinned \
             cfn-lint into ./.venv), or set KUMO_CFN_LINT to a cfn-lint 1.58.0 executable in a venv",
            lib.display()
        )
    })
}

fn aurora_postgres_enum(file: &Path, when: &str) -> Vec<String> {
    let data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let branch = data["allOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["if"]["properties"]["Engine"]["const"] == "aurora-postgresql")
        .unwrap_or_else(|| panic!("no aurora-postgresql branch in {}", file.display()));
    let list = if when == "then" {
        &branch["then"]["properties"]["EngineVersion"]["enum"]
    } else {
        &branch["if"]["properties"]["EngineVersion"]["enum"]
    };
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn aurora_versions_are_cfn_lints_current_ones() {
    let extensions = cfn_lint_package().join("data/schemas/extensions/aws_rds_dbcluster");
    let all = aurora_postgres_enum(&extensions.join("engine_version.json"), "then");
    let deprecated = aurora_postgres_enum(&extensions.join("engine_version_deprecated.json"), "if");
    let major = |v: &str| v.split(['.', '-']).next().unwrap().parse::<u32>().unwrap();
    let mut expected: Vec<String> = all
        .into_iter()
        .filter(|v| (14..=18).contains(&major(v)) && !v.contains("limitless") && !deprecated.contains(v))
        .collect();
    expected.sort_by_key(|v| v.split('.').map(|p| p.parse::<u32>().unwrap()).collect::<Vec<_>>());
    assert_eq!(AURORA_POSTGRES_VERSIONS, expected.as_slice());
}

/// The README's key table documents every key of every table (the table follows from the `Config`
/// structs: a key added there and not to the README fails here).
#[test]
fn the_readme_documents_every_key() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let mut keys = BTreeMap::new();
    leaves("", &toml::Table::try_from(Config::default()).unwrap(), &mut keys);
    let mut missing = Vec::new();
    for key in keys.keys().map(String::as_str).chain(["stack.region", "stack.env"]) {
        let (table, leaf) = key.rsplit_once('.').unwrap_or(("(top)", key));
        let header = if table == "(top)" {
            "| (top) |".to_owned()
        } else {
            format!("| `[{table}]` |")
        };
        let Some(row) = readme.lines().find(|line| line.starts_with(&header)) else {
            missing.push(format!("{key} (no row {header})"));
            continue;
        };
        if !row.contains(&format!("`{leaf}`")) {
            missing.push(key.to_owned());
        }
    }
    assert!(missing.is_empty(), "README.md's key table lacks: {missing:?}");
}

#[test]
fn ec2_instance_types_are_cfn_lints() {
    let file = cfn_lint_package().join("data/schemas/extensions/aws_ec2_instance/instancetype_enum.json");
    let data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut expected: Vec<&str> = data
        .as_object()
        .unwrap()
        .values()
        .filter_map(|region| region["enum"].as_array())
        .flatten()
        .map(|t| t.as_str().unwrap())
        .collect();
    expected.sort_unstable();
    expected.dedup();
    let listed: Vec<&str> = EC2_INSTANCE_TYPES.lines().collect();
    assert_eq!(
        listed, expected,
        "regenerate crates/kumo-blueprint/src/config/ec2_instance_types.txt"
    );
}

#[test]
fn instance_types_that_do_not_exist_are_refused_with_real_ones_offered() {
    let loaded = Config::from_toml(
        "[eks.node_group]\ninstance_types = [\"t3.metal\", \"m5.large\", \"q9.large\"]\n",
        "kumo.toml",
    );
    let error = loaded.unwrap_err().to_string();
    assert!(error.contains("\"t3.metal\": is not an EC2 instance type"), "{error}");
    assert!(error.contains("t3.medium"), "{error}");
    assert!(error.contains("\"q9.large\": is not an EC2 instance type"), "{error}");
    assert!(!error.contains("\"m5.large\": is not"), "{error}");
}

#[test]
fn vpc_ranges_aws_refuses_are_errors_and_public_ranges_warnings() {
    for (cidr, what) in [
        ("127.0.0.0/16", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("224.0.0.0/16", "multicast"),
        ("0.0.0.0/16", "this network"),
    ] {
        let (_, text) = only_error(&format!("[network]\ncidr = \"{cidr}\"\n"));
        assert_mentions(&text, &["overlaps", what, "which AWS does not allow in a VPC"]);
    }
    let loaded = Config::from_toml("[network]\ncidr = \"8.8.0.0/16\"\n", "kumo.toml").unwrap();
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.to_string().contains("is not a private")),
        "{:?}",
        loaded.warnings.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    // Private ranges, including the shared address space AWS supports, are fine.
    for cidr in ["10.1.0.0/16", "172.31.0.0/16", "192.168.0.0/16", "100.64.0.0/16"] {
        let loaded = Config::from_toml(&format!("[network]\ncidr = \"{cidr}\"\n"), "kumo.toml").unwrap();
        assert!(
            loaded.warnings.iter().all(|w| !w.to_string().contains("network.cidr")),
            "{cidr}"
        );
    }
}

#[test]
fn subnet_advice_fits_when_followed() {
    // Each suggested fix, applied alone, gives a configuration without the error.
    let base = "[network]\ncidr = \"10.0.0.0/22\"\nmax_azs = 3\n";
    let (_, text) = only_error(base);
    assert!(
        Config::from_toml("[network]\ncidr = \"10.0.0.0/20\"\nmax_azs = 3\n", "kumo.toml").is_ok(),
        "{text}"
    );
    assert!(
        Config::from_toml(
            "[network]\ncidr = \"10.0.0.0/22\"\nmax_azs = 3\nsubnet_prefix_length = 26\n",
            "kumo.toml"
        )
        .is_ok(),
        "{text}"
    );
}

#[test]
fn every_integer_key_states_its_real_range_even_when_the_value_overflows_its_type() {
    for key in [
        "network.max_azs",
        "network.subnet_prefix_length",
        "network.nat_gateways",
        "eks.log_retention_days",
        "eks.node_group.desired_size",
        "eks.node_group.min_size",
        "eks.node_group.max_size",
        "eks.node_group.disk_size_gib",
        "database.instances",
        "database.port",
        "database.backup_retention_days",
        "database.monitoring_interval_seconds",
        "image_builder.log_retention_days",
        "db_migrator.log_retention_days",
    ] {
        let (table, name) = key.rsplit_once('.').unwrap();
        for value in ["99999999999", "-1", "1.5"] {
            let (_, text) = only_error(&format!("[{table}]\n{name} = {value}\n"));
            assert!(
                !text.contains("an integer from 0 to"),
                "{key} = {value}: the type's range leaks out: {text}"
            );
            assert!(text.contains(key), "{text}");
        }
    }
}
