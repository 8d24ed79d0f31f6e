//! Validation rules over a whole [`Config`]: the limits and naming rules of each AWS service the
//! blueprint uses, and the rules that tie keys together (subnets fit the VPC, min ≤ desired ≤ max, the
//! migrator's repository exists, ...). Pure: a function of the configuration, so the same rules serve
//! files ([`Config::from_toml`]) and configurations built in code ([`Config::validate`]).

use kumo_constructs::logs::RETENTION_DAYS;
use kumo_constructs::rds::MONITORING_INTERVALS;

use super::names::{self, Arch};
use super::reader::{element_path, entry_path, suggest};
use super::values::allowed_kubernetes_versions;
use super::versions::{self, AURORA_POSTGRES_INSTANCE_CLASSES, KubernetesSupport};
use super::{CapacityType, Config, ControlPlaneLog, DataRemoval, Problem, ProblemKind, ValueSource, key, quoted_list};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Severity {
    Error,
    Warning,
}

/// A rule's verdict, before it is placed in a file.
#[derive(Clone, Debug)]
pub(super) struct Finding {
    pub severity: Severity,
    /// The keys involved with their values as TOML; the problem is reported at the first one the user
    /// wrote (so a cross-key error points at what the user changed), else at the first.
    pub keys: Vec<(String, String)>,
    pub message: String,
    pub help: String,
}

impl Finding {
    /// The finding as a [`Problem`]: `location` gives a key's line and column if the file sets it;
    /// `unset` says where an unset key's value came from.
    pub fn locate(
        &self,
        location: impl Fn(&str) -> Option<(usize, usize)>,
        unset: impl Fn(&str) -> ValueSource,
    ) -> Problem {
        let written = self.keys.iter().find_map(|(key, value)| {
            location(key).map(|(line, column)| (key, value, ValueSource::File { line, column }))
        });
        let (key, value, source) = written.unwrap_or_else(|| {
            let (key, value) = &self.keys[0];
            (key, value, unset(key))
        });
        // Reported at another key than the one the message is about (the file wrote that one): name
        // the subject and where its value came from, or the line reads as if the reported key were
        // "not one of" itself.
        let mut message = self.message.clone();
        if let Some((subject, subject_value)) = self.keys.first()
            && subject != key
        {
            let origin = match location(subject) {
                Some(_) => "",
                None => match unset(subject) {
                    ValueSource::BuiltInDefault => " (built-in default)",
                    ValueSource::CheapProfile => " (set by profile = \"cheap\")",
                    ValueSource::File { .. } | ValueSource::Program => "",
                },
            };
            let shown = if subject_value.is_empty() {
                subject.clone()
            } else {
                format!("{subject} = {subject_value}")
            };
            message = format!("{shown}{origin}: {message}");
        }
        Problem {
            kind: ProblemKind::InvalidValue,
            key: key.clone(),
            value: Some(value.clone()).filter(|v| !v.is_empty()),
            message,
            help: self.help.clone(),
            source,
        }
    }
}

/// EKS publishes no Amazon Linux 2 AMIs from this Kubernetes minor version on.
const FIRST_MINOR_WITHOUT_AL2: u32 = 33;

/// Subnet tiers per availability zone: public, private with NAT, isolated.
const SUBNET_TIERS: u32 = 3;

/// Domains reserved for documentation and testing (RFC 2606, RFC 6761): nobody can delegate them, so
/// the certificate's DNS validation would never finish.
const RESERVED_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];
const RESERVED_TLDS: &[&str] = &["example", "test", "invalid", "localhost"];

/// The seed project's GitHub repository (its author's account): the default of `[image_builder]`, which
/// nobody else can give CodeBuild a webhook on.
const SEED_GITHUB_OWNER: &str = "k-akari";

/// A string as TOML.
fn q(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// A list of strings as TOML.
fn q_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|i| q(i)).collect::<Vec<_>>().join(", "))
}

#[derive(Default)]
struct Checker {
    findings: Vec<Finding>,
}

impl Checker {
    fn push(&mut self, severity: Severity, keys: &[(&str, String)], message: String, help: String) {
        let keys = keys.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        self.findings.push(Finding {
            severity,
            keys,
            message,
            help,
        });
    }

    fn error(&mut self, key: &str, value: String, message: impl Into<String>, help: impl Into<String>) {
        self.push(Severity::Error, &[(key, value)], message.into(), help.into());
    }

    fn warn(&mut self, key: &str, value: String, message: impl Into<String>, help: impl Into<String>) {
        self.push(Severity::Warning, &[(key, value)], message.into(), help.into());
    }

    /// A naming rule: the check's reason is the message, the rule is what is allowed.
    fn name(&mut self, key: &str, value: &str, check: Result<(), String>, rule: &str) {
        if let Err(reason) = check {
            self.error(key, q(value), reason, format!("allowed: {rule}"));
        }
    }

    fn range<T: PartialOrd + std::fmt::Display + Copy>(&mut self, key: &str, value: T, min: T, max: T, why: &str) {
        if value < min || value > max {
            self.error(
                key,
                value.to_string(),
                "out of range",
                format!("allowed: {min} to {max} ({why})"),
            );
        }
    }

    fn duplicates<T: PartialEq + std::fmt::Display>(&mut self, key: &str, items: &[T]) {
        for (i, item) in items.iter().enumerate() {
            if items[..i].contains(item) {
                self.error(
                    &element_path(key, i),
                    q(&item.to_string()),
                    "listed twice",
                    "remove the repetition",
                );
            }
        }
    }

    /// `inherited`: tag keys CloudFormation adds to the same resources (the stack's tags, including
    /// kumo's own `kumo:managed-by`), which count against the same limit of 50.
    fn tags(&mut self, key: &str, tags: &std::collections::BTreeMap<String, String>, inherited: &[&str]) {
        if let Err(reason) =
            kumo_core::names::tags_after_propagation(tags.keys().map(String::as_str), inherited.iter().copied())
        {
            self.error(
                key,
                String::new(),
                format!("{} tags here: the resources {reason}", tags.len()),
                format!(
                    "keep at most {} keys in {key} together with the stack's tags (kumo's own tag {MANAGED_BY_TAG} counts)",
                    kumo_core::names::MAX_TAGS
                ),
            );
        }
        for (k, v) in tags {
            let path = entry_path(key, k);
            if let Err(reason) = names::tag_key(k) {
                self.error(
                    &path,
                    q(v),
                    format!("tag key {k:?} {reason}"),
                    format!("allowed: {}", names::TAG_RULE),
                );
            } else if let Err(reason) = names::tag_value(v) {
                self.error(
                    &path,
                    q(v),
                    format!("tag value {reason}"),
                    format!("allowed: {}", names::TAG_RULE),
                );
            }
        }
    }
}

/// Every rule, over the whole configuration.
pub(super) fn check(config: &Config) -> Vec<Finding> {
    let mut c = Checker::default();
    stack(&mut c, config);
    network(&mut c, config);
    eks(&mut c, config);
    node_group(&mut c, config);
    pod_identity(&mut c, config);
    database(&mut c, config);
    image_builder(&mut c, config);
    db_migrator(&mut c, config);
    dns(&mut c, config);
    c.findings
}

fn stack(c: &mut Checker, config: &Config) {
    let s = &config.stack;
    c.name(
        key!(stack.name),
        &s.name,
        names::stack_name(&s.name),
        names::STACK_NAME_RULE,
    );
    if let Some(region) = &s.region {
        c.name(key!(stack.region), region, names::region(region), names::REGION_RULE);
    }
    if s.tags.contains_key(MANAGED_BY_TAG) {
        c.error(
            &entry_path(key!(stack.tags), MANAGED_BY_TAG),
            q(&s.tags[MANAGED_BY_TAG]),
            "kumo sets this tag itself to mark the stacks it manages",
            "remove it from stack.tags",
        );
    }
    c.tags(key!(stack.tags), &s.tags, &[MANAGED_BY_TAG]);
}

/// The stack tag kumo adds to every stack it deploys (see kumo-deploy's ownership rules).
const MANAGED_BY_TAG: &str = "kumo:managed-by";

fn network(c: &mut Checker, config: &Config) {
    let n = &config.network;
    let cidr = n.cidr;
    c.name(
        key!(network.vpc_name),
        &n.vpc_name,
        names::tag_value(&n.vpc_name),
        "a Name tag value: at most 256 characters",
    );
    if n.vpc_name.is_empty() {
        c.error(
            key!(network.vpc_name),
            q(""),
            "is empty",
            "allowed: a Name tag value of 1-256 characters",
        );
    }

    let cidr_ok = if cidr.addr() != cidr.network() {
        c.error(
            key!(network.cidr),
            q(&cidr.to_string()),
            "has host bits set",
            format!("write the network address: \"{}\"", cidr.trunc()),
        );
        false
    } else if !(16..=28).contains(&cidr.prefix_len()) {
        c.error(
            key!(network.cidr),
            q(&cidr.to_string()),
            format!("a /{} block is not a size a VPC can have", cidr.prefix_len()),
            "allowed: an IPv4 block from /16 (65,536 addresses) to /28 (16), such as \"10.0.0.0/16\"",
        );
        false
    } else if let Some((range, what)) = RANGES_AWS_REFUSES.iter().find(|(range, _)| range_overlaps(range, cidr)) {
        c.error(
            key!(network.cidr),
            q(&cidr.to_string()),
            format!("overlaps {range} ({what}), which AWS does not allow in a VPC"),
            "allowed: a private range (RFC 1918), such as \"10.0.0.0/16\", \"172.16.0.0/16\" or \"192.168.0.0/16\"",
        );
        false
    } else {
        if !PRIVATE_RANGES.iter().any(|range| range_contains(range, cidr)) {
            c.warn(
                key!(network.cidr),
                q(&cidr.to_string()),
                "is not a private (RFC 1918 or 100.64.0.0/10) range",
                "AWS accepts it, but hosts on the internet with those addresses become unreachable from the VPC; \
                 prefer 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
            );
        }
        true
    };

    let azs_ok = (MAX_AZS.0..=MAX_AZS.1).contains(&n.max_azs);
    if !azs_ok {
        c.error(
            key!(network.max_azs),
            n.max_azs.to_string(),
            "out of range",
            "allowed: 2 to 6 (EKS needs subnets in at least two availability zones; no region has more than 6)",
        );
    } else if n.max_azs > 3 {
        c.warn(
            key!(network.max_azs),
            n.max_azs.to_string(),
            "most regions have 3 availability zones",
            "the deploy fails in a region with fewer zones than max_azs (us-east-1 has 6, us-west-2 and \
             ap-northeast-2 have 4)",
        );
    }

    let prefix = n.subnet_prefix_length;
    let prefix_ok = (SUBNET_PREFIX.0..=SUBNET_PREFIX.1).contains(&prefix);
    if !prefix_ok {
        c.error(
            key!(network.subnet_prefix_length),
            prefix.to_string(),
            "out of range",
            "allowed: 16 to 28 (AWS subnets are /16 to /28; /24 = 256 addresses, 251 usable)",
        );
    }
    if cidr_ok && azs_ok && prefix_ok {
        subnets_fit(c, cidr, n.max_azs, prefix);
    }

    if azs_ok && !(1..=n.max_azs).contains(&n.nat_gateways) {
        c.push(
            Severity::Error,
            &[
                (key!(network.nat_gateways), n.nat_gateways.to_string()),
                (key!(network.max_azs), n.max_azs.to_string()),
            ],
            format!("{} NAT gateways with network.max_azs = {}", n.nat_gateways, n.max_azs),
            format!(
                "allowed: 1 to {} (one per AZ at most; the private-with-NAT subnets need at least one); 1 is cheapest, \
                 one per AZ survives an AZ outage",
                n.max_azs
            ),
        );
    }
}

/// Three tiers × `max_azs` subnets of `/prefix` must fit in the VPC block.
/// Allowed ranges of the integer keys, stated once: the rules check them, and the reader quotes them
/// when a value does not even fit the field's type (so `max_azs = 300` says "2 to 6", not "0 to 255").
const MAX_AZS: (u8, u8) = (2, 6);
const SUBNET_PREFIX: (u8, u8) = (16, 28);
const DISK_SIZE_GIB: (u32, u32) = (20, 16_384);
const DB_INSTANCES: (u8, u8) = (1, 16);
const DB_PORT: (u16, u16) = (1150, 65_535);
const BACKUP_RETENTION_DAYS: (u32, u32) = (1, 35);

/// What the rules allow for an integer key, as help text ("2 to 6 (...)"); `None` for other keys.
pub(super) fn integer_range(key: &str) -> Option<String> {
    let is = |keys: &[&str]| keys.contains(&key);
    Some(if is(&[key!(network.max_azs)]) {
        format!("{} to {} (availability zones)", MAX_AZS.0, MAX_AZS.1)
    } else if is(&[key!(network.subnet_prefix_length)]) {
        format!("{} to {} (AWS subnet sizes)", SUBNET_PREFIX.0, SUBNET_PREFIX.1)
    } else if is(&[key!(network.nat_gateways)]) {
        format!("1 to network.max_azs (at most {})", MAX_AZS.1)
    } else if is(&[key!(eks.node_group.disk_size_gib)]) {
        format!("{} to {} (GiB)", DISK_SIZE_GIB.0, DISK_SIZE_GIB.1)
    } else if is(&[key!(eks.node_group.min_size), key!(eks.node_group.desired_size)]) {
        "0 or more, with min_size ≤ desired_size ≤ max_size".to_owned()
    } else if is(&[key!(eks.node_group.max_size)]) {
        "1 or more, with min_size ≤ desired_size ≤ max_size".to_owned()
    } else if is(&[key!(database.instances)]) {
        format!(
            "{} to {} (one writer plus up to 15 replicas)",
            DB_INSTANCES.0, DB_INSTANCES.1
        )
    } else if is(&[key!(database.port)]) {
        format!("{} to {} (Aurora's allowed port range)", DB_PORT.0, DB_PORT.1)
    } else if is(&[key!(database.backup_retention_days)]) {
        format!("{} to {} (days)", BACKUP_RETENTION_DAYS.0, BACKUP_RETENTION_DAYS.1)
    } else if is(&[key!(database.monitoring_interval_seconds)]) {
        MONITORING_ALLOWED.to_owned()
    } else if is(&[
        key!(eks.log_retention_days),
        key!(image_builder.log_retention_days),
        key!(db_migrator.log_retention_days),
    ]) {
        let days: Vec<String> = RETENTION_DAYS.iter().map(u32::to_string).collect();
        format!("one of {} (days CloudWatch Logs offers)", days.join(", "))
    } else {
        return None;
    })
}

/// The Enhanced Monitoring intervals, as help text.
const MONITORING_ALLOWED: &str = "0 (off), 1, 5, 10, 15, 30, 60 (seconds)";

/// IPv4 ranges AWS refuses as VPC CIDR blocks (VPC user guide, "VPC CIDR blocks").
const RANGES_AWS_REFUSES: &[(&str, &str)] = &[
    ("0.0.0.0/8", "\"this network\""),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved, including broadcast"),
];
/// Ranges meant for private networks (RFC 1918, and RFC 6598 shared address space, which AWS supports).
const PRIVATE_RANGES: &[&str] = &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

fn range_overlaps(range: &str, cidr: ipnet::Ipv4Net) -> bool {
    range
        .parse::<ipnet::Ipv4Net>()
        .is_ok_and(|r| r.contains(&cidr.network()) || cidr.contains(&r.network()))
}

fn range_contains(range: &str, cidr: ipnet::Ipv4Net) -> bool {
    range.parse::<ipnet::Ipv4Net>().is_ok_and(|r| r.contains(&cidr))
}

fn subnets_fit(c: &mut Checker, cidr: ipnet::Ipv4Net, max_azs: u8, prefix: u8) {
    let vpc = cidr.prefix_len();
    let needed = SUBNET_TIERS * u32::from(max_azs);
    let keys = [
        (key!(network.cidr), q(&cidr.to_string())),
        (key!(network.subnet_prefix_length), prefix.to_string()),
        (key!(network.max_azs), max_azs.to_string()),
    ];
    if prefix < vpc {
        c.push(
            Severity::Error,
            &keys,
            format!("subnets of /{prefix} are larger than the VPC block {cidr}"),
            format!("allowed: network.subnet_prefix_length from {vpc} to 28 for this VPC"),
        );
        return;
    }
    let fits = 1u32 << (prefix - vpc);
    if needed > fits {
        let bits = u8::try_from(needed.next_power_of_two().trailing_zeros()).unwrap_or(u8::MAX);
        let mut fixes = Vec::new();
        // A concrete block that holds them: the enclosing /wider network of the current address (a
        // VPC cannot be larger than /16).
        if let Some(wider) = prefix.checked_sub(bits).filter(|p| *p >= 16)
            && let Ok(block) = ipnet::Ipv4Net::new(cidr.network(), wider)
        {
            fixes.push(format!("network.cidr = \"{}\"", block.trunc()));
        }
        if vpc + bits <= 28 {
            fixes.push(format!("network.subnet_prefix_length = {} or more", vpc + bits));
        }
        if fits / SUBNET_TIERS >= 2 {
            fixes.push(format!("network.max_azs = {} or fewer", fits / SUBNET_TIERS));
        }
        c.push(
            Severity::Error,
            &keys,
            format!(
                "{SUBNET_TIERS} tiers × {max_azs} AZs = {needed} subnets of /{prefix} do not fit in {cidr}, which holds {fits}"
            ),
            format!("use {}", fixes.join(", or ")),
        );
    }
}

fn eks(c: &mut Checker, config: &Config) {
    let e = &config.eks;
    c.name(
        key!(eks.cluster_name),
        &e.cluster_name,
        names::eks_name(&e.cluster_name, 100),
        names::EKS_CLUSTER_NAME_RULE,
    );
    kubernetes_version(c, e.kubernetes_version);

    if !e.endpoint_public_access && !e.endpoint_private_access {
        c.push(
            Severity::Error,
            &[
                (key!(eks.endpoint_public_access), "false".to_owned()),
                (key!(eks.endpoint_private_access), "false".to_owned()),
            ],
            "the cluster endpoint would be reachable from nowhere".to_owned(),
            "allowed: at least one of eks.endpoint_public_access and eks.endpoint_private_access = true".to_owned(),
        );
    }

    let logs: Vec<&str> = e
        .control_plane_logs
        .iter()
        .map(|log| ControlPlaneLog::as_str(*log))
        .collect();
    c.duplicates(key!(eks.control_plane_logs), &logs);

    for (key, list) in [
        (key!(eks.admin_users), &e.admin_users),
        (key!(eks.admin_roles), &e.admin_roles),
    ] {
        for (i, principal) in list.iter().enumerate() {
            c.name(
                &element_path(key, i),
                principal,
                names::iam_name(principal),
                names::IAM_NAME_RULE,
            );
        }
        c.duplicates(key, list);
    }
}

fn kubernetes_version(c: &mut Checker, version: super::KubernetesVersion) {
    let key = key!(eks.kubernetes_version);
    let newest = versions::EKS_VERSIONS.first().map_or("1.36", |v| v.version);
    let v = version.eks();
    let version = version.as_str();
    match v.support() {
        KubernetesSupport::Retired => c.error(
            key,
            q(version),
            format!(
                "EKS extended support for {version} ends {}: EKS no longer creates such clusters",
                v.end_of_extended_support
            ),
            allowed_kubernetes_versions(),
        ),
        KubernetesSupport::Extended => c.warn(
            key,
            q(version),
            format!(
                "in EKS extended support until {}: the control plane costs $0.60 per hour instead of $0.10",
                v.end_of_extended_support
            ),
            format!("{newest:?} is the newest version in standard support"),
        ),
        KubernetesSupport::Standard if v.standard_support_ending_soon() => c.warn(
            key,
            q(version),
            format!(
                "standard support ends {}; after that the control plane costs $0.60 per hour instead of $0.10",
                v.end_of_standard_support
            ),
            format!("{newest:?} is the newest version in standard support"),
        ),
        KubernetesSupport::Standard => {}
    }
}

fn node_group(c: &mut Checker, config: &Config) {
    let g = &config.eks.node_group;
    c.name(
        key!(eks.node_group.name),
        &g.name,
        names::eks_name(&g.name, 63),
        names::EKS_NODEGROUP_NAME_RULE,
    );

    if g.ami_type.is_al2()
        && config
            .eks
            .kubernetes_version
            .minor()
            .is_some_and(|m| m >= FIRST_MINOR_WITHOUT_AL2)
    {
        c.push(
            Severity::Error,
            &[
                (key!(eks.node_group.ami_type), q(g.ami_type.as_str())),
                (key!(eks.kubernetes_version), q(config.eks.kubernetes_version.as_str())),
            ],
            format!(
                "EKS publishes no Amazon Linux 2 AMIs for Kubernetes {} (AL2 ends with 1.32)",
                config.eks.kubernetes_version
            ),
            format!(
                "use its Amazon Linux 2023 successor {:?}",
                g.ami_type.al2023_successor().as_str()
            ),
        );
    }

    if g.instance_types.is_empty() {
        c.error(
            key!(eks.node_group.instance_types),
            "[]".to_owned(),
            "the node group needs at least one instance type",
            "such as [\"m5.large\"]",
        );
    }
    let ami_arch = g.ami_type.arch();
    for (i, instance_type) in g.instance_types.iter().enumerate() {
        let key = element_path(key!(eks.node_group.instance_types), i);
        let arch = instance_type.arch();
        if arch != ami_arch {
            c.push(
                Severity::Error,
                &[
                    (&key, q(instance_type.as_str())),
                    (key!(eks.node_group.ami_type), q(g.ami_type.as_str())),
                ],
                format!(
                    "{:?} is an {} type but ami_type {:?} is built for {}; a node group runs one architecture",
                    instance_type.as_str(),
                    arch.name(),
                    g.ami_type.as_str(),
                    ami_arch.name()
                ),
                match arch {
                    Arch::Arm64 => "use x86_64 types, or an ARM_64 ami_type with Graviton types only",
                    Arch::X86_64 => "use Graviton types (m7g, t4g, ...), or an x86_64 ami_type",
                }
                .to_owned(),
            );
        }
    }
    c.duplicates(key!(eks.node_group.instance_types), &g.instance_types);
    if g.capacity_type == CapacityType::Spot && g.instance_types.len() == 1 {
        let types: Vec<String> = g.instance_types.iter().map(ToString::to_string).collect();
        c.warn(
            key!(eks.node_group.instance_types),
            q_list(&types),
            "spot capacity from a single instance type is often unavailable",
            "list several types of the same size (the default lists six) so EKS can pick the deepest spot pool",
        );
    }

    let sizes = [
        (key!(eks.node_group.desired_size), g.desired_size.to_string()),
        (key!(eks.node_group.min_size), g.min_size.to_string()),
        (key!(eks.node_group.max_size), g.max_size.to_string()),
    ];
    if g.max_size == 0 {
        c.error(
            key!(eks.node_group.max_size),
            "0".to_owned(),
            "a node group needs max_size of at least 1",
            "allowed: 1 or more",
        );
    } else if g.min_size > g.max_size {
        c.push(
            Severity::Error,
            &[sizes[1].clone(), sizes[2].clone()],
            format!("min_size ({}) is greater than max_size ({})", g.min_size, g.max_size),
            "allowed: min_size ≤ desired_size ≤ max_size; raise eks.node_group.max_size or lower min_size".to_owned(),
        );
    } else if !(g.min_size..=g.max_size).contains(&g.desired_size) {
        c.push(
            Severity::Error,
            &sizes,
            format!(
                "desired_size ({}) is outside [min_size, max_size] = [{}, {}]",
                g.desired_size, g.min_size, g.max_size
            ),
            format!("allowed: desired_size from {} to {}", g.min_size, g.max_size),
        );
    }

    c.range(
        key!(eks.node_group.disk_size_gib),
        g.disk_size_gib,
        DISK_SIZE_GIB.0,
        DISK_SIZE_GIB.1,
        "the EKS AMIs' root snapshots are 20 GiB; gp3 volumes end at 16 TiB",
    );

    for (key, value) in &g.labels {
        let path = entry_path(key!(eks.node_group.labels), key);
        if let Err(reason) = names::label_key(key) {
            c.error(
                &path,
                q(value),
                format!("label key {key:?}: {reason}"),
                format!("allowed: {}", names::LABEL_RULE),
            );
        } else if let Err(reason) = names::label_value(value) {
            c.error(
                &path,
                q(value),
                format!("label value {reason}"),
                format!("allowed: {}", names::LABEL_RULE),
            );
        }
    }
    let mut inherited: Vec<&str> = config.stack.tags.keys().map(String::as_str).collect();
    inherited.push(MANAGED_BY_TAG);
    c.tags(key!(eks.node_group.tags), &g.tags, &inherited);
}

fn pod_identity(c: &mut Checker, config: &Config) {
    let p = &config.pod_identity;
    let accounts = [
        (
            key!(pod_identity.external_secrets_service_account),
            &p.external_secrets_service_account,
        ),
        (
            key!(pod_identity.external_dns_service_account),
            &p.external_dns_service_account,
        ),
        (
            key!(pod_identity.load_balancer_controller_service_account),
            &p.load_balancer_controller_service_account,
        ),
    ];
    if p.external_dns_service_account.name != "external-dns" {
        c.error(
            "pod_identity.external_dns_service_account",
            q(&p.external_dns_service_account.to_string()),
            "the EKS add-on external-dns always names its service account \"external-dns\"".to_owned(),
            "allowed: \"<namespace>/external-dns\", such as \"external-dns/external-dns\"",
        );
    }
    for (i, (key, account)) in accounts.iter().enumerate() {
        if let Some((other, _)) = accounts[..i].iter().find(|(_, a)| a == account) {
            c.error(
                key,
                q(&account.to_string()),
                format!("the same service account as {other}"),
                "each pod role needs its own service account",
            );
        }
    }
}

fn database(c: &mut Checker, config: &Config) {
    let d = &config.database;
    c.name(
        key!(database.cluster_identifier),
        &d.cluster_identifier,
        names::rds_identifier(&d.cluster_identifier, 63),
        &format!("{} (1-63 characters)", names::RDS_IDENTIFIER_RULE),
    );
    c.name(
        key!(database.instance_identifier_base),
        &d.instance_identifier_base,
        names::rds_identifier(&d.instance_identifier_base, 60),
        &format!(
            "{} (1-60 characters, leaving room for the instance number)",
            names::RDS_IDENTIFIER_RULE
        ),
    );

    if !d.instance_class.is_known() {
        let families: std::collections::BTreeSet<&str> = AURORA_POSTGRES_INSTANCE_CLASSES
            .iter()
            .filter_map(|c| c.split('.').nth(1))
            .filter(|f| *f != "serverless")
            .collect();
        c.warn(
            key!(database.instance_class),
            q(d.instance_class.as_str()),
            "not an Aurora PostgreSQL class in cfn-lint 1.58.0's data; the deploy fails if Aurora does not offer it",
            format!(
                "known families: {}",
                families.into_iter().collect::<Vec<_>>().join(", ")
            ),
        );
    }

    if d.monitoring_interval_seconds != 0 && !MONITORING_INTERVALS.contains(&d.monitoring_interval_seconds) {
        c.error(
            key!(database.monitoring_interval_seconds),
            d.monitoring_interval_seconds.to_string(),
            "not an Enhanced Monitoring interval",
            format!("allowed: {MONITORING_ALLOWED}"),
        );
    }
    if d.on_delete == DataRemoval::Retain {
        c.error(
            key!(database.on_delete),
            q(d.on_delete.name()),
            "a retained cluster keeps database.cluster_identifier, so the stack could not be created again",
            "allowed: \"snapshot\" (a final snapshot is kept) or \"delete\"",
        );
    }

    c.range(
        key!(database.instances),
        d.instances,
        DB_INSTANCES.0,
        DB_INSTANCES.1,
        "one writer plus up to 15 Aurora replicas",
    );
    c.range(
        key!(database.port),
        d.port,
        DB_PORT.0,
        DB_PORT.1,
        "Aurora's allowed port range",
    );
    c.range(
        key!(database.backup_retention_days),
        d.backup_retention_days,
        BACKUP_RETENTION_DAYS.0,
        BACKUP_RETENTION_DAYS.1,
        "Aurora keeps automated backups 1 to 35 days",
    );

    c.name(
        key!(database.database_name),
        &d.database_name,
        names::pg_identifier(&d.database_name),
        names::PG_IDENTIFIER_RULE,
    );
    if ["template0", "template1", "rdsadmin"].contains(&d.database_name.to_ascii_lowercase().as_str()) {
        c.error(
            key!(database.database_name),
            q(&d.database_name),
            "is a database PostgreSQL or RDS reserves",
            "choose another name",
        );
    }
    c.name(
        key!(database.master_username),
        &d.master_username,
        names::pg_identifier(&d.master_username),
        names::PG_IDENTIFIER_RULE,
    );
    let user = d.master_username.to_ascii_lowercase();
    if user.starts_with("rds") || user.starts_with("pg_") {
        c.error(
            key!(database.master_username),
            q(&d.master_username),
            "uses a prefix reserved for RDS (rds...) or PostgreSQL (pg_...) roles",
            "choose another name, such as \"postgres\"",
        );
    }
    c.name(
        key!(database.secret_name),
        &d.secret_name,
        names::secret_name(&d.secret_name),
        names::SECRET_NAME_RULE,
    );
    if names::looks_like_secret_suffix(&d.secret_name) {
        c.warn(
            key!(database.secret_name),
            q(&d.secret_name),
            "ends in a hyphen and six characters, like the random suffix Secrets Manager appends to ARNs",
            "lookups by partial ARN may pick the wrong secret; AWS advises against such names",
        );
    }
}

fn image_builder(c: &mut Checker, config: &Config) {
    let b = &config.image_builder;
    c.name(
        key!(image_builder.project_name),
        &b.project_name,
        names::codebuild_project(&b.project_name),
        names::CODEBUILD_PROJECT_RULE,
    );
    c.name(
        key!(image_builder.github_owner),
        &b.github_owner,
        names::github_owner(&b.github_owner),
        names::GITHUB_OWNER_RULE,
    );
    c.name(
        key!(image_builder.github_repo),
        &b.github_repo,
        names::github_repo(&b.github_repo),
        names::GITHUB_REPO_RULE,
    );
    c.name(
        key!(image_builder.branch),
        &b.branch,
        names::branch(&b.branch),
        names::BRANCH_RULE,
    );
    c.name(
        key!(image_builder.buildspec),
        &b.buildspec,
        names::buildspec(&b.buildspec),
        names::BUILDSPEC_RULE,
    );
    if b.repositories.is_empty() {
        c.error(
            key!(image_builder.repositories),
            "[]".to_owned(),
            "the image builder needs at least one ECR repository to push to",
            "list one or more repository names, including db_migrator.repository",
        );
    }
    for (i, repo) in b.repositories.iter().enumerate() {
        c.name(
            &element_path(key!(image_builder.repositories), i),
            repo,
            names::ecr_repository(repo),
            names::ECR_REPOSITORY_RULE,
        );
    }
    c.duplicates(key!(image_builder.repositories), &b.repositories);
}

fn db_migrator(c: &mut Checker, config: &Config) {
    let m = &config.db_migrator;
    let repositories = &config.image_builder.repositories;
    c.name(
        key!(db_migrator.project_name),
        &m.project_name,
        names::codebuild_project(&m.project_name),
        names::CODEBUILD_PROJECT_RULE,
    );
    if m.project_name == config.image_builder.project_name {
        c.push(
            Severity::Error,
            &[
                (key!(db_migrator.project_name), q(&m.project_name)),
                (key!(image_builder.project_name), q(&config.image_builder.project_name)),
            ],
            "the same CodeBuild project name as image_builder.project_name".to_owned(),
            "CodeBuild project names are unique per account and region; choose two different names".to_owned(),
        );
    }
    if !repositories.contains(&m.repository) {
        let hint = suggest(&m.repository, repositories.iter().map(String::as_str))
            .map(|s| format!("did you mean {s:?}? "))
            .unwrap_or_default();
        c.push(
            Severity::Error,
            &[(key!(db_migrator.repository), q(&m.repository)), (key!(image_builder.repositories), q_list(repositories))],
            "not one of the repositories in image_builder.repositories: the migrator pulls its image from a repository the blueprint creates".to_owned(),
            format!("{hint}allowed: {} (or add it to image_builder.repositories)", quoted_list(repositories.iter().map(String::as_str))),
        );
    }
    c.name(
        key!(db_migrator.image_tag),
        &m.image_tag,
        names::image_tag(&m.image_tag),
        names::IMAGE_TAG_RULE,
    );
}

fn dns(c: &mut Checker, config: &Config) {
    let d = &config.dns;
    if let Err(reason) = names::domain(&d.domain) {
        let fix = d.domain.trim_end_matches('.').to_ascii_lowercase();
        let help = if fix != d.domain && names::domain(&fix).is_ok() {
            format!("write {fix:?}; allowed: {}", names::DOMAIN_RULE)
        } else {
            format!("allowed: {}", names::DOMAIN_RULE)
        };
        c.error(key!(dns.domain), q(&d.domain), reason, help);
    }
    if d.comment.chars().count() > 256 {
        c.error(
            key!(dns.comment),
            q(&d.comment),
            "longer than 256 characters",
            "Route 53 zone comments hold at most 256 characters",
        );
    }
}

/// Why `kumo deploy` must refuse this configuration (synthesis is fine).
pub(super) fn deploy_blockers(config: &Config) -> Vec<String> {
    let domain = config.dns.domain.trim_end_matches('.').to_ascii_lowercase();
    let reserved = RESERVED_DOMAINS
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
        || RESERVED_TLDS
            .iter()
            .any(|tld| domain == *tld || domain.ends_with(&format!(".{tld}")));
    let mut blockers = Vec::new();
    if reserved {
        blockers.push(format!(
            "dns.domain = {} is a reserved example domain nobody can delegate, so the certificate's DNS validation \
             would wait forever: set dns.domain in kumo.toml to a domain you own; once the hosted zone exists, \
             point the domain's NS records at the hosted zone's name servers (in the Route 53 console as soon as the \
             zone exists, while the deploy waits on the certificate)",
            q(&config.dns.domain)
        ));
    }
    let builder = &config.image_builder;
    if builder.github_owner.eq_ignore_ascii_case(SEED_GITHUB_OWNER) {
        blockers.push(format!(
            "image_builder.github_owner = {} (with image_builder.github_repo = {}) is the seed author's GitHub \
             repository: the image builder's webhook needs admin rights on it, so creating the CodeBuild project \
             would fail late in the deploy: set both to a repository of yours (CodeBuild also needs GitHub \
             credentials or a connection in the account; `kumo preflight` checks that)",
            q(&builder.github_owner),
            q(&builder.github_repo)
        ));
    }
    blockers
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A property's enum in the pinned CloudFormation registry schema (`schemas/registry`).
    fn schema_enum(file: &str, pointer: &str) -> Vec<serde_json::Value> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../schemas/registry")
            .join(file);
        let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        schema
            .pointer(pointer)
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("{pointer} in {file}"))
            .clone()
    }

    #[test]
    fn log_retention_values_are_the_schemas() {
        let allowed = schema_enum("aws-logs-loggroup.json", "/properties/RetentionInDays/enum");
        let allowed: Vec<u32> = allowed
            .iter()
            .map(|v| u32::try_from(v.as_u64().unwrap()).unwrap())
            .collect();
        assert_eq!(kumo_constructs::logs::RETENTION_DAYS, allowed.as_slice());
    }

    #[test]
    fn control_plane_log_types_are_the_schemas() {
        let allowed = schema_enum(
            "aws-eks-cluster.json",
            "/definitions/LoggingTypeConfig/properties/Type/enum",
        );
        let allowed: Vec<&str> = allowed.iter().map(|v| v.as_str().unwrap()).collect();
        let ours: Vec<&str> = ControlPlaneLog::ALL.iter().map(|log| log.as_str()).collect();
        assert_eq!(ours, allowed);
    }

    #[test]
    fn ami_types_are_the_schemas_minus_custom_and_windows() {
        let schema = schema_enum("aws-eks-nodegroup.json", "/properties/AmiType/enum");
        let mut expected: Vec<&str> = schema
            .iter()
            .map(|v| v.as_str().unwrap())
            .filter(|t| *t != "CUSTOM" && !t.starts_with("WINDOWS_"))
            .collect();
        let mut ours: Vec<&str> = crate::AmiType::ALL.iter().map(|ami| ami.as_str()).collect();
        expected.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, expected);
    }

    #[test]
    fn every_default_and_cheap_value_passes_every_rule() {
        for config in [Config::default(), Config::cheap()] {
            let findings = check(&config);
            assert!(findings.is_empty(), "{findings:#?}");
        }
    }
}
