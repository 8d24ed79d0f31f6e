//! `kumo.toml`: the blueprint's configuration.
//!
//! The embedded default ([`DEFAULT_CONFIG_TOML`], `kumo.default.toml` beside `Cargo.toml`) is complete and
//! is the documentation users get from `kumo init`. A user's file is layered over it: every key is
//! optional, `profile = "cheap"` first swaps in the cheap values, and what the file says explicitly wins.
//!
//! Loading checks everything before any AWS call and reports *all* problems at once, each with the file,
//! line and column, the key path, the bad value and what is allowed ([`ConfigError`]). Doubtful but legal
//! choices (no cluster admin, a version in paid extended support, ...) come back as warnings in
//! [`Loaded::warnings`].

mod names;
mod reader;
mod rules;
mod template;
mod values;
mod versions;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use ipnet::Ipv4Net;
pub use kumo_constructs::ecr::RepositoryRemoval;
pub use kumo_constructs::eks::{CapacityType, ControlPlaneLog};
pub use kumo_constructs::logs::RetentionDays;
pub use kumo_constructs::rds::DataRemoval;
use serde::{Deserialize, Serialize};

pub use template::init_template;
pub use values::{AmiType, AuroraPostgresVersion, DbInstanceClass, InstanceType, InvalidValue, KubernetesVersion};
pub use versions::{
    AURORA_POSTGRES_INSTANCE_CLASSES, AURORA_POSTGRES_VERSIONS, Date, EC2_INSTANCE_TYPES, EKS_VERSIONS, EksVersion,
    KubernetesSupport, VERSIONS_CHECKED,
};

/// The complete default configuration, with comments: what `kumo init` writes and what `kumo synth`
/// uses when there is no `kumo.toml`.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../kumo.default.toml");

/// Defines a closed set of values spelled as strings in `kumo.toml`. One list drives parsing, printing
/// and the "allowed: ..." part of error messages, so they cannot drift apart. (Serde goes through
/// `#[serde(with = "choice")]` on the fields, as for the constructs' enums the configuration shares.)
macro_rules! config_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The spelling in `kumo.toml`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text).ok_or_else(|| {
                    format!("{text:?} is not allowed; allowed: {}", $crate::config::quoted_list(Self::ALL.iter().map(|v| v.as_str())))
                })
            }
        }
    };
}
pub(crate) use config_enum;

/// The dotted `kumo.toml` path of a configuration field, checked by the compiler:
/// `key!(eks.node_group.min_size)` is `"eks.node_group.min_size"`, and a path that is not a field of
/// [`Config`] does not compile. Rules name the keys they judge through it, so a finding can never name a
/// key the reader does not know (it would then blame "(built-in default)" for a value the user wrote).
/// The `Config` field names are the `kumo.toml` keys (no serde renames), which is what makes this sound.
macro_rules! key {
    ($first:ident $(. $rest:ident)*) => {{
        // Never called: it makes a path that is not a `Config` field a compile error.
        let _ = |config: &$crate::Config| {
            let _ = &config.$first$(.$rest)*;
        };
        concat!(stringify!($first) $(, ".", stringify!($rest))*)
    }};
}
pub(crate) use key;

config_enum! {
    /// Cost profile: which values the keys a file leaves out take.
    pub enum Profile {
        /// The values of `kumo.default.toml`.
        Standard => "standard",
        /// Cheap to create and destroy: see [`Config::cheap`].
        Cheap => "cheap",
    }
}

config_enum! {
    /// How pods get AWS credentials.
    pub enum PodIdentityMode {
        /// EKS Pod Identity: associations plus the `eks-pod-identity-agent` add-on.
        PodIdentity => "pod-identity",
        /// IAM roles for service accounts through a native `AWS::IAM::OIDCProvider`.
        Irsa => "irsa",
    }
}

/// The blueprint's configuration. Field names are the `kumo.toml` keys; `kumo.default.toml` documents
/// each one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(with = "reader::choice")]
    pub profile: Profile,
    pub stack: StackConfig,
    pub network: NetworkConfig,
    pub eks: EksConfig,
    pub pod_identity: PodIdentityConfig,
    pub database: DatabaseConfig,
    pub image_builder: ImageBuilderConfig,
    pub db_migrator: DbMigratorConfig,
    pub dns: DnsConfig,
}

/// `[stack]`: the CloudFormation stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackConfig {
    pub name: String,
    /// `None`: the AWS configuration chain decides at deploy time. Synthesis never needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `None`: the seed's names. `Some(env)`: a separate copy whose physical names derive from `env`
    /// (see [`crate::environment`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    pub termination_protection: bool,
    pub tags: BTreeMap<String, String>,
    /// Time-to-live of every `kumo deploy` (`30m`, `8h`, `2d` or an RFC 3339 time; `--ttl` wins);
    /// checked by the deploy, which knows the time. `None`: no time-to-live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    /// With a time-to-live: the e-mail address warned an hour before the expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_notify: Option<String>,
}

/// `[network]`: the VPC (seed `network.go`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    pub vpc_name: String,
    pub cidr: Ipv4Net,
    pub max_azs: u8,
    pub subnet_prefix_length: u8,
    pub nat_gateways: u8,
    pub s3_gateway_endpoint: bool,
}

/// `[eks]`: the cluster (seed `eks_cluster.go`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EksConfig {
    pub cluster_name: String,
    pub kubernetes_version: KubernetesVersion,
    pub endpoint_public_access: bool,
    pub endpoint_private_access: bool,
    #[serde(with = "reader::choice_list")]
    pub control_plane_logs: Vec<ControlPlaneLog>,
    #[serde(with = "reader::retention")]
    pub log_retention_days: RetentionDays,
    pub admin_users: Vec<String>,
    pub admin_roles: Vec<String>,
    pub node_group: NodeGroupConfig,
}

/// `[eks.node_group]`: the managed node group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeGroupConfig {
    pub name: String,
    #[serde(with = "reader::choice")]
    pub capacity_type: CapacityType,
    pub instance_types: Vec<InstanceType>,
    pub desired_size: u32,
    pub min_size: u32,
    pub max_size: u32,
    #[serde(with = "reader::choice")]
    pub ami_type: AmiType,
    pub disk_size_gib: u32,
    pub labels: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
}

/// `[pod_identity]`: IAM roles for pods (seed `irsa.go`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodIdentityConfig {
    #[serde(with = "reader::choice")]
    pub mode: PodIdentityMode,
    pub external_secrets_service_account: ServiceAccount,
    pub external_dns_service_account: ServiceAccount,
    pub load_balancer_controller_service_account: ServiceAccount,
}

/// A Kubernetes service account, written `"namespace/name"` in `kumo.toml`. Constructing one through
/// [`FromStr`] (or deserializing) checks both parts against Kubernetes' naming rules.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ServiceAccount {
    pub namespace: String,
    pub name: String,
}

impl FromStr for ServiceAccount {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let Some((namespace, name)) = text.split_once('/') else {
            return Err(format!("{text:?} is not \"namespace/name\" (no \"/\")"));
        };
        if name.contains('/') {
            return Err(format!("{text:?} is not \"namespace/name\" (more than one \"/\")"));
        }
        names::dns_label(namespace)
            .map_err(|e| format!("namespace {namespace:?} {e}; allowed: {}", names::DNS_LABEL_RULE))?;
        names::dns_subdomain(name).map_err(|e| {
            format!(
                "service account name {name:?} {e}; allowed: {}",
                names::DNS_SUBDOMAIN_RULE
            )
        })?;
        Ok(ServiceAccount {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl TryFrom<String> for ServiceAccount {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl From<ServiceAccount> for String {
    fn from(account: ServiceAccount) -> String {
        account.to_string()
    }
}

impl fmt::Display for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// `[database]`: Aurora PostgreSQL (seed `database_cluster.go`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub cluster_identifier: String,
    pub instance_identifier_base: String,
    pub engine_version: AuroraPostgresVersion,
    pub instance_class: DbInstanceClass,
    pub instances: u8,
    pub port: u16,
    pub database_name: String,
    pub master_username: String,
    pub secret_name: String,
    pub backup_retention_days: u32,
    /// Enhanced Monitoring every this many seconds (1, 5, 10, 15, 30, 60); 0 is off.
    pub monitoring_interval_seconds: u8,
    /// `"snapshot"`: a final snapshot, then the cluster is deleted; `"delete"`: no snapshot (the seed's
    /// `RemovalPolicy_DESTROY`); `"retain"`: the cluster stays in the account.
    #[serde(with = "reader::choice")]
    pub on_delete: DataRemoval,
    pub deletion_protection: bool,
}

/// `[image_builder]`: ECR repositories and the CodeBuild project that fills them (seed `image_builder.go`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageBuilderConfig {
    pub project_name: String,
    pub github_owner: String,
    pub github_repo: String,
    pub branch: String,
    pub buildspec: String,
    pub repositories: Vec<String>,
    #[serde(with = "reader::choice")]
    pub on_delete: RepositoryRemoval,
    #[serde(with = "reader::retention")]
    pub log_retention_days: RetentionDays,
}

/// `[db_migrator]`: the CodeBuild project that runs migrations in the VPC (seed `db_migrator.go`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbMigratorConfig {
    pub project_name: String,
    pub repository: String,
    pub image_tag: String,
    #[serde(with = "reader::retention")]
    pub log_retention_days: RetentionDays,
}

/// `[dns]`: the public hosted zone and certificate (seed `hosted_zone.go`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {
    pub domain: String,
    pub comment: String,
}

/// A configuration that loaded, with the warnings worth showing the user.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub config: Config,
    /// One readable line each, located like errors (`kumo.toml:12:3: eks.admin_users = [] ...`).
    pub warnings: Vec<String>,
}

/// Stack-level settings the deploy engine needs from the configuration.
#[derive(Clone, Debug, Default)]
pub struct DeploySettings {
    /// Region from kumo.toml; `None` = the AWS configuration chain decides.
    pub region: Option<String>,
    /// Enable termination protection on the stack.
    pub termination_protection: bool,
    /// `[stack] ttl`: the time-to-live `kumo deploy` gives the stack when `--ttl` is not given.
    pub ttl: Option<String>,
    /// `[stack] ttl_notify`: who is warned an hour before the expiry.
    pub ttl_notify: Option<String>,
    /// Stack-level tags (CloudFormation propagates them to supported resources).
    pub tags: Vec<(String, String)>,
    /// Reasons `kumo deploy` must refuse before any AWS call (e.g. the domain is still under
    /// example.com). Empty when deploying is fine. `synth` and `diff` ignore them.
    pub deploy_blockers: Vec<String>,
}

/// The configuration is unusable: every problem found, in file order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_problems(.origin, .problems))]
pub struct ConfigError {
    /// The file name (or "built-in default configuration") the problems are in.
    pub origin: String,
    pub problems: Vec<Problem>,
}

/// What kind of mistake a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not valid TOML.
    Syntax,
    /// A key or table kumo does not know.
    UnknownKey,
    /// A value of the wrong TOML type (a string where a number belongs, ...).
    WrongType,
    /// A value of the right type that breaks a rule.
    InvalidValue,
}

/// Where the value a [`Problem`] is about came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueSource {
    /// Written in the file, at this 1-based line and column.
    File { line: usize, column: usize },
    /// Not in the file: the built-in default.
    BuiltInDefault,
    /// Not in the file: set by `profile = "cheap"`.
    CheapProfile,
    /// A [`Config`] built in Rust and checked with [`Config::validate`].
    Program,
}

/// One thing wrong with the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Dotted key path (`eks.node_group.min_size`, `eks.node_group.instance_types[1]`); empty for syntax errors.
    pub key: String,
    /// The bad value as TOML (`8`, `"1.22"`), when there is one.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What is allowed and what to do.
    pub help: String,
    pub source: ValueSource,
}

impl Problem {
    /// `origin:line:col: key = value: message; help`, the line the CLI prints.
    pub fn render(&self, origin: &str) -> String {
        let mut text = match self.source {
            ValueSource::File { line, column } => format!("{origin}:{line}:{column}: "),
            _ => format!("{origin}: "),
        };
        if !self.key.is_empty() {
            text.push_str(&self.key);
            if let Some(value) = &self.value {
                text.push_str(" = ");
                text.push_str(value);
            }
            match self.source {
                ValueSource::BuiltInDefault => text.push_str(" (built-in default)"),
                ValueSource::CheapProfile => text.push_str(" (set by profile = \"cheap\")"),
                ValueSource::File { .. } | ValueSource::Program => {}
            }
            text.push_str(": ");
        }
        text.push_str(&self.message);
        if !self.help.is_empty() {
            text.push_str("; ");
            text.push_str(&self.help);
        }
        text
    }
}

fn render_problems(origin: &str, problems: &[Problem]) -> String {
    match problems {
        [only] => only.render(origin),
        _ => {
            let mut text = format!("{origin}: {} problems in the configuration:", problems.len());
            for problem in problems {
                text.push_str("\n  ");
                text.push_str(&problem.render(origin));
            }
            text
        }
    }
}

/// `"a", "b", "c"`: a list of allowed values for a message.
pub(crate) fn quoted_list<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    values
        .into_iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The embedded default, parsed once. Strict: every field must be present in the file (serde fails on
/// a missing one), so "the default is complete" is checked, not hoped for.
#[allow(
    clippy::panic,
    reason = "the text is compiled into kumo and every test loads it: it cannot differ at run time"
)]
static DEFAULT: LazyLock<Config> = LazyLock::new(|| {
    toml::from_str(DEFAULT_CONFIG_TOML).unwrap_or_else(|e| {
        panic!("the embedded kumo.default.toml does not parse (a kumo bug, caught by its tests): {e}")
    })
});

impl Default for Config {
    /// The embedded default ([`DEFAULT_CONFIG_TOML`]).
    fn default() -> Self {
        DEFAULT.clone()
    }
}

impl Config {
    /// The default with `profile = "cheap"` applied: cheap to create and destroy, which is the seed
    /// author's whole point. Differences from [`Config::default`]: one NAT gateway; node group of
    /// t3.medium/t3a.medium spot nodes, desired 1, min 1, max 2; one `db.t4g.medium` DB instance, 1 day of
    /// backups, no Enhanced Monitoring, no final snapshot on destroy; log groups keep 1 day.
    pub fn cheap() -> Config {
        let mut config = Config {
            profile: Profile::Cheap,
            ..Config::default()
        };
        config.network.nat_gateways = 1;
        let nodes = &mut config.eks.node_group;
        // t3.medium (2 vCPU, 4 GiB, 17 pods) is the smallest type that holds the system pods the blueprint
        // runs (CoreDNS, VPC CNI, kube-proxy, pod identity agent, LB controller) with room for an app;
        // t3a.medium is the same size on AMD and gives spot a second pool to draw from.
        nodes.instance_types = vec![InstanceType::known("t3.medium"), InstanceType::known("t3a.medium")];
        nodes.desired_size = 1;
        nodes.min_size = 1;
        nodes.max_size = 2;
        config.eks.log_retention_days = RetentionDays::ONE_DAY;
        // Graviton burstable: the cheapest class Aurora PostgreSQL offers for provisioned instances.
        config.database.instance_class = DbInstanceClass::known("db.t4g.medium");
        config.database.instances = 1;
        config.database.backup_retention_days = 1;
        config.database.monitoring_interval_seconds = 0;
        config.database.on_delete = DataRemoval::Delete;
        config.image_builder.log_retention_days = RetentionDays::ONE_DAY;
        config.db_migrator.log_retention_days = RetentionDays::ONE_DAY;
        config
    }

    /// [`Config::default`] or [`Config::cheap`].
    pub fn for_profile(profile: Profile) -> Config {
        match profile {
            Profile::Standard => Config::default(),
            Profile::Cheap => Config::cheap(),
        }
    }

    /// Loads a `kumo.toml` (its text, and its name for messages): the file layered over the default
    /// (over [`Config::cheap`] when it says `profile = "cheap"`), then validated. Never panics on input.
    pub fn from_toml(text: &str, origin: &str) -> Result<Loaded, ConfigError> {
        let read = reader::read(text);
        let mut problems = read.problems;
        let mut warnings = Vec::new();
        if let Some(config) = &read.config {
            let mut profile_keys = None;
            for finding in rules::check(config) {
                if finding
                    .keys
                    .iter()
                    .any(|(key, _)| read.broken.iter().any(|b| paths_overlap(key, b)))
                {
                    // The value this rule looked at is a default standing in for one that did not parse;
                    // the parse error already says what to fix.
                    continue;
                }
                let keys = profile_keys.get_or_insert_with(|| cheap_profile_keys(config.profile));
                let problem = finding.locate(
                    |key| read.spans.get(key).map(|&offset| reader::line_column(text, offset)),
                    |key| {
                        if keys.iter().any(|k| paths_overlap(key, k)) {
                            ValueSource::CheapProfile
                        } else {
                            ValueSource::BuiltInDefault
                        }
                    },
                );
                match finding.severity {
                    rules::Severity::Error => problems.push(problem),
                    rules::Severity::Warning => warnings.push(problem.render(origin)),
                }
            }
        }
        if let (Some(config), true) = (read.config, problems.is_empty()) {
            return Ok(Loaded { config, warnings });
        }
        problems.sort_by_key(|p| match p.source {
            ValueSource::File { line, column } => (0, line, column),
            _ => (1, 0, 0),
        });
        Err(ConfigError {
            origin: origin.to_owned(),
            problems,
        })
    }

    /// Checks a configuration built in Rust with the same rules as [`Config::from_toml`]; returns the
    /// warnings.
    pub fn validate(&self) -> Result<Vec<String>, ConfigError> {
        const ORIGIN: &str = "configuration";
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        for finding in rules::check(self) {
            let problem = finding.locate(|_| None, |_| ValueSource::Program);
            match finding.severity {
                rules::Severity::Error => problems.push(problem),
                rules::Severity::Warning => warnings.push(problem.render(ORIGIN)),
            }
        }
        if problems.is_empty() {
            Ok(warnings)
        } else {
            Err(ConfigError {
                origin: ORIGIN.to_owned(),
                problems,
            })
        }
    }

    /// Stack-level settings for the deploy engine, with the reasons (if any) `kumo deploy` must refuse.
    pub fn deploy_settings(&self) -> DeploySettings {
        DeploySettings {
            region: self.stack.region.clone(),
            termination_protection: self.stack.termination_protection,
            ttl: self.stack.ttl.clone(),
            ttl_notify: self.stack.ttl_notify.clone(),
            tags: self.stack.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            deploy_blockers: rules::deploy_blockers(self),
        }
    }
}

/// Defaults per section, so code building a stack piece by piece gets the documented values.
macro_rules! section_default {
    ($($section:ty => $($field:ident).+;)+) => {
        $(impl Default for $section {
            /// This section of [`Config::default`].
            fn default() -> Self {
                DEFAULT.$($field).+.clone()
            }
        })+
    };
}

section_default! {
    StackConfig => stack;
    NetworkConfig => network;
    EksConfig => eks;
    NodeGroupConfig => eks.node_group;
    PodIdentityConfig => pod_identity;
    DatabaseConfig => database;
    ImageBuilderConfig => image_builder;
    DbMigratorConfig => db_migrator;
    DnsConfig => dns;
}

/// True when one key path is the other or contains it (`a.b` and `a.b[2]`, `a.b` and `a.b.c`).
fn paths_overlap(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long == short || (long.starts_with(short) && long[short.len()..].starts_with(['.', '[']))
}

/// Leaf key paths whose value `profile` changes compared with the standard default (empty for standard).
fn cheap_profile_keys(profile: Profile) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    if profile == Profile::Cheap {
        let standard = toml::Table::try_from(Config::default()).unwrap_or_default();
        let cheap = toml::Table::try_from(Config::cheap()).unwrap_or_default();
        diff_paths("", &standard, &cheap, &mut keys);
    }
    keys
}

fn diff_paths(prefix: &str, a: &toml::Table, b: &toml::Table, out: &mut BTreeSet<String>) {
    for (key, value) in b {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (a.get(key), value) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => diff_paths(&path, a, b, out),
            (Some(a), b) if a == b => {}
            _ => {
                out.insert(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_overlap_only_on_key_boundaries() {
        assert!(paths_overlap(
            "eks.node_group.instance_types",
            "eks.node_group.instance_types[1]"
        ));
        assert!(paths_overlap("stack.tags", "stack.tags.Owner"));
        assert!(paths_overlap("network.cidr", "network.cidr"));
        assert!(!paths_overlap("eks.node_group.tags", "eks.node_group.tagsx"));
        assert!(!paths_overlap("network.max_azs", "network.nat_gateways"));
    }

    /// The string literals of Rust source text, outside its `#[cfg(test)]` part (tests spell wrong
    /// keys on purpose). Escapes are kept as written; raw strings are not used in these files.
    fn string_literals(source: &str) -> Vec<String> {
        let code = source.split("#[cfg(test)]").next().unwrap_or(source);
        let mut literals = Vec::new();
        let mut chars = code.chars().peekable();
        let mut previous = ' ';
        while let Some(c) = chars.next() {
            // Skip comments and char literals ('"'), which are not messages.
            if c == '/' && chars.peek() == Some(&'/') {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            } else if c == '\'' && previous != '&' && !previous.is_alphanumeric() {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\'' && !escaped {
                        break;
                    }
                    escaped = c == '\\' && !escaped;
                }
            } else if c == '"' {
                let mut literal = String::new();
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '"' && !escaped {
                        break;
                    }
                    escaped = c == '\\' && !escaped;
                    literal.push(c);
                }
                literals.push(literal);
            }
            previous = c;
        }
        literals
    }

    /// Item 2 of the configuration's design: a key named in a rule or in a message is a real key. Rules
    /// name the keys they judge through `key!`, which the compiler checks; this catches the keys written
    /// inside message text ("raise eks.node_group.max_size ...").
    #[test]
    fn every_key_named_in_a_message_is_a_real_key() {
        let known: BTreeSet<String> = reader::all_key_paths().into_iter().collect();
        let tables: Vec<&str> = known.iter().filter(|k| !k.contains('.')).map(String::as_str).collect();
        let sources = [
            ("config.rs", include_str!("config.rs")),
            ("config/reader.rs", include_str!("config/reader.rs")),
            ("config/rules.rs", include_str!("config/rules.rs")),
            ("config/values.rs", include_str!("config/values.rs")),
            ("config/names.rs", include_str!("config/names.rs")),
            ("stack.rs", include_str!("stack.rs")),
        ];
        let mut checked = 0;
        for (file, source) in sources {
            for literal in string_literals(source) {
                let bytes = literal.as_bytes();
                for table in &tables {
                    let needle = format!("{table}.");
                    for (at, _) in literal.match_indices(&needle) {
                        let starts_word = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
                        if !starts_word {
                            continue;
                        }
                        let path: String = literal[at..]
                            .chars()
                            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '.')
                            .collect();
                        let path = path.trim_end_matches('.');
                        assert!(
                            known.contains(path),
                            "{file}: {path:?} in {literal:?} is not a kumo.toml key; keys: {known:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(
            checked >= 15,
            "only {checked} keys found in messages: the scan is broken"
        );
        // And the scan does catch a typo.
        let typo = string_literals("fn f() { h(\"raise eks.node_group.max_sizes\") }");
        assert_eq!(typo, ["raise eks.node_group.max_sizes"]);
        assert!(!known.contains("eks.node_group.max_sizes"));
    }

    /// The profiles' values written with `known` (no parse) do parse: serialized and read back through
    /// serde (which parses every typed value), each profile is unchanged.
    #[test]
    fn the_profiles_values_parse() {
        for config in [Config::default(), Config::cheap()] {
            let text = toml::to_string(&config).unwrap();
            let back: Config = toml::from_str(&text).unwrap();
            assert_eq!(back, config);
        }
    }

    #[test]
    fn cheap_profile_keys_are_the_differences() {
        let keys = cheap_profile_keys(Profile::Cheap);
        assert!(keys.contains("network.nat_gateways"));
        assert!(keys.contains("eks.node_group.instance_types"));
        assert!(keys.contains("database.on_delete"));
        assert!(!keys.contains("network.cidr"));
        assert!(cheap_profile_keys(Profile::Standard).is_empty());
    }
}
