//! Typed configuration values. Each is parsed (and so validated) once, where it enters — the reader of
//! `kumo.toml`, or `FromStr` for code — so the blueprint never re-parses a string and cannot be handed a
//! value it cannot build ("parse, don't validate"). Closed sets are enums ([`AmiType`] here; capacity
//! type, control-plane log types, retention days and delete behaviours are the constructs' own types,
//! shared rather than mirrored).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::names::{self, Arch};
use super::versions::{
    self, AURORA_POSTGRES_INSTANCE_CLASSES, AURORA_POSTGRES_VERSIONS, EksVersion, KubernetesSupport,
};
use super::{config_enum, quoted_list};

/// Why a value was refused: what is wrong, and what is allowed / what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidValue {
    pub message: String,
    pub help: String,
}

impl InvalidValue {
    fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        InvalidValue {
            message: message.into(),
            help: help.into(),
        }
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; {}", self.message, self.help)
    }
}

impl std::error::Error for InvalidValue {}

/// Implements the string conversions serde and the reader use for a `FromStr<Err = InvalidValue>` type
/// whose text is `as_str()`.
macro_rules! text_value {
    ($($name:ident),+) => {$(
        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(text: String) -> Result<Self, InvalidValue> {
                text.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        // By hand rather than derived: serde would tie the `&'static` data some of these hold to the
        // input's lifetime.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
            }
        }
    )+};
}

text_value!(KubernetesVersion, AuroraPostgresVersion, DbInstanceClass, InstanceType);

/// A Kubernetes minor version Amazon EKS offers (one of [`versions::EKS_VERSIONS`]), with its support
/// window. A version past extended support is still a `KubernetesVersion` (the rules refuse it with the
/// date it ended); one EKS never offered is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KubernetesVersion(&'static EksVersion);

impl KubernetesVersion {
    pub fn as_str(&self) -> &'static str {
        self.0.version
    }

    /// The version's EKS support window.
    pub fn eks(&self) -> &'static EksVersion {
        self.0
    }

    pub fn support(&self) -> KubernetesSupport {
        self.0.support()
    }

    /// The minor number (`36` for `1.36`).
    pub fn minor(&self) -> Option<u32> {
        kubernetes_minor(self.as_str())
    }
}

/// The minor number of a "1.NN" version.
pub(crate) fn kubernetes_minor(version: &str) -> Option<u32> {
    let minor = version.strip_prefix("1.")?;
    if minor.is_empty() || !minor.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    minor.parse().ok()
}

/// The "allowed: ..." help for Kubernetes versions: the versions in standard and extended support.
pub(crate) fn allowed_kubernetes_versions() -> String {
    let with = |support: KubernetesSupport| {
        quoted_list(
            versions::EKS_VERSIONS
                .iter()
                .filter(|v| v.support() == support)
                .map(|v| v.version),
        )
    };
    format!(
        "allowed: {} (standard support); {} (extended support, $0.60 instead of $0.10 per cluster-hour) — EKS \
         calendar as of {}",
        with(KubernetesSupport::Standard),
        with(KubernetesSupport::Extended),
        versions::VERSIONS_CHECKED
    )
}

impl FromStr for KubernetesVersion {
    type Err = InvalidValue;
    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        match versions::eks_version(text) {
            Some(version) => Ok(KubernetesVersion(version)),
            None => {
                let message = if kubernetes_minor(text).is_some() {
                    "not a Kubernetes version EKS can create clusters with"
                } else {
                    "not a Kubernetes minor version like \"1.36\""
                };
                Err(InvalidValue::new(message, allowed_kubernetes_versions()))
            }
        }
    }
}

/// An Aurora PostgreSQL engine version kumo accepts (one of [`AURORA_POSTGRES_VERSIONS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuroraPostgresVersion(&'static str);

impl AuroraPostgresVersion {
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl FromStr for AuroraPostgresVersion {
    type Err = InvalidValue;
    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        if let Some(known) = AURORA_POSTGRES_VERSIONS.iter().find(|v| **v == text) {
            return Ok(AuroraPostgresVersion(known));
        }
        let major = text.split('.').next().and_then(|m| m.parse::<u32>().ok());
        let message = match major {
            Some(m) if m < 14 => {
                format!("Aurora PostgreSQL {m} is past end of standard support (current majors: 14-18)")
            }
            Some(m) if m > 18 => format!("Aurora PostgreSQL {m} is not in kumo's list (current majors: 14-18)"),
            Some(_) => "not an Aurora PostgreSQL version kumo accepts (unknown or deprecated minor)".to_owned(),
            None => "not an Aurora PostgreSQL version like \"17.6\"".to_owned(),
        };
        Err(InvalidValue::new(
            message,
            format!(
                "allowed (cfn-lint 1.58.0 data): {}",
                quoted_list(AURORA_POSTGRES_VERSIONS.iter().copied())
            ),
        ))
    }
}

/// An RDS instance class of the shape `db.family.size` (lowercase). Aurora Serverless v2
/// (`db.serverless`) is refused: it needs a capacity range the blueprint does not set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbInstanceClass(String);

impl DbInstanceClass {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A class cfn-lint 1.58.0 lists for Aurora PostgreSQL (others only earn a warning: AWS adds classes
    /// faster than the list is updated).
    pub fn is_known(&self) -> bool {
        AURORA_POSTGRES_INSTANCE_CLASSES.contains(&self.0.as_str())
    }

    /// A value known to be well-formed (the built-in profiles); the profiles' test parses each.
    pub(crate) fn known(text: &'static str) -> Self {
        DbInstanceClass(text.to_owned())
    }
}

impl FromStr for DbInstanceClass {
    type Err = InvalidValue;
    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        if text == "db.serverless" {
            return Err(InvalidValue::new(
                "Aurora Serverless v2 needs a capacity range the blueprint does not set",
                "choose a provisioned class such as \"db.t4g.medium\" or \"db.r7g.large\"",
            ));
        }
        names::db_instance_class(text)
            .map_err(|reason| InvalidValue::new(reason, format!("allowed: {}", names::DB_INSTANCE_CLASS_RULE)))?;
        Ok(DbInstanceClass(text.to_owned()))
    }
}

/// An EC2 instance type of the shape `family.size` (lowercase), such as `m5.large`, that exists
/// ([`versions::EC2_INSTANCE_TYPES`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceType(String);

impl InstanceType {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The family (`m5` of `m5.large`).
    pub fn family(&self) -> &str {
        self.0.split_once('.').map_or(self.0.as_str(), |(family, _)| family)
    }

    /// The processor architecture of the family.
    pub fn arch(&self) -> Arch {
        names::instance_family_arch(self.family())
    }

    /// A value known to be well-formed (the built-in profiles); the profiles' test parses each.
    pub(crate) fn known(text: &'static str) -> Self {
        InstanceType(text.to_owned())
    }
}

impl FromStr for InstanceType {
    type Err = InvalidValue;
    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        names::instance_type(text)
            .map_err(|reason| InvalidValue::new(reason, format!("allowed: {}", names::INSTANCE_TYPE_RULE)))?;
        if !versions::is_known_instance_type(text) {
            let similar = versions::similar_instance_types(text);
            let hint = if similar.is_empty() {
                "use an existing EC2 instance type, such as \"m5.large\" or \"t3.medium\"".to_owned()
            } else {
                format!("existing types like it: {}", similar.join(", "))
            };
            return Err(InvalidValue::new(
                "is not an EC2 instance type (not in any region of the pinned cfn-lint 1.58.0 data)",
                hint,
            ));
        }
        Ok(InstanceType(text.to_owned()))
    }
}

config_enum! {
    /// `AmiType` values of `AWS::EKS::Nodegroup` (pinned registry schema) the blueprint can run: not
    /// `CUSTOM` (its launch template sets no image) and not Windows (CoreDNS and the add-ons need Linux
    /// nodes, and the blueprint has one node group).
    pub enum AmiType {
        Al2023X86_64Standard => "AL2023_x86_64_STANDARD",
        Al2023Arm64Standard => "AL2023_ARM_64_STANDARD",
        Al2023X86_64Nvidia => "AL2023_x86_64_NVIDIA",
        Al2023Arm64Nvidia => "AL2023_ARM_64_NVIDIA",
        Al2023X86_64Neuron => "AL2023_x86_64_NEURON",
        BottlerocketX86_64 => "BOTTLEROCKET_x86_64",
        BottlerocketArm64 => "BOTTLEROCKET_ARM_64",
        BottlerocketX86_64Fips => "BOTTLEROCKET_x86_64_FIPS",
        BottlerocketArm64Fips => "BOTTLEROCKET_ARM_64_FIPS",
        BottlerocketX86_64Nvidia => "BOTTLEROCKET_x86_64_NVIDIA",
        BottlerocketArm64Nvidia => "BOTTLEROCKET_ARM_64_NVIDIA",
        BottlerocketX86_64NvidiaFips => "BOTTLEROCKET_x86_64_NVIDIA_FIPS",
        BottlerocketArm64NvidiaFips => "BOTTLEROCKET_ARM_64_NVIDIA_FIPS",
        Al2X86_64 => "AL2_x86_64",
        Al2X86_64Gpu => "AL2_x86_64_GPU",
        Al2Arm64 => "AL2_ARM_64",
    }
}

impl AmiType {
    /// The processor architecture the AMI is built for.
    pub fn arch(self) -> Arch {
        if self.as_str().contains("ARM_64") {
            Arch::Arm64
        } else {
            Arch::X86_64
        }
    }

    /// An Amazon Linux 2 AMI (EKS publishes none from Kubernetes 1.33 on).
    pub fn is_al2(self) -> bool {
        matches!(self, AmiType::Al2X86_64 | AmiType::Al2X86_64Gpu | AmiType::Al2Arm64)
    }

    /// The Amazon Linux 2023 type that replaces an AL2 one (itself for others).
    pub fn al2023_successor(self) -> AmiType {
        match self {
            AmiType::Al2Arm64 => AmiType::Al2023Arm64Standard,
            AmiType::Al2X86_64Gpu => AmiType::Al2023X86_64Nvidia,
            AmiType::Al2X86_64 => AmiType::Al2023X86_64Standard,
            other => other,
        }
    }

    /// Why a value that is not an allowed type is refused, where there is more to say than "not
    /// allowed".
    pub(crate) fn refusal(text: &str) -> Option<&'static str> {
        if text == "CUSTOM" {
            Some("CUSTOM needs an image id in the launch template, which the blueprint does not set")
        } else if text.starts_with("WINDOWS_") {
            Some("Windows nodes cannot run CoreDNS and the add-ons, and the blueprint has a single node group")
        } else {
            None
        }
    }
}
