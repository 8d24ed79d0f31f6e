//! What a price is *of*: one [`Sku`] per AWS price kumo knows how to look up, with its unit, its
//! spelling in the price table (`eks:cluster-hour`, `ec2:instance:m5.large`, ...) and the AWS Price
//! List filter that finds exactly one product for it ([`Sku::query`]).

use std::fmt;

/// What one unit of a price is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    Hour,
    /// A month, charged whole (not prorated by the hour).
    Month,
    /// A month, prorated by the hour.
    MonthProrated,
    Gb,
    GbMonth,
    MillionRequests,
    Minute,
    /// A spot discount: percent saved against the on-demand price.
    Percent,
}

impl Unit {
    /// The spelling in the price table and in `--json` output.
    pub const fn as_str(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::Month => "month",
            Unit::MonthProrated => "month",
            Unit::Gb => "GB",
            Unit::GbMonth => "GB-month",
            Unit::MillionRequests => "million requests",
            Unit::Minute => "minute",
            Unit::Percent => "percent",
        }
    }

    /// Whether a monthly price is charged by the hour the resource exists (KMS keys, secrets) rather
    /// than for every month begun (hosted zones).
    pub const fn prorated(self) -> bool {
        !matches!(self, Unit::Month)
    }

    /// Short suffix after a price: `/h`, `/GB`, ...
    pub const fn suffix(self) -> &'static str {
        match self {
            Unit::Hour => "/h",
            Unit::Month | Unit::MonthProrated => "/month",
            Unit::Gb => "/GB",
            Unit::GbMonth => "/GB-month",
            Unit::MillionRequests => "/million",
            Unit::Minute => "/min",
            Unit::Percent => "%",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One price kumo can look up. The string form ([`Sku::key`]) is the price table's key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sku {
    /// EKS control plane, standard support.
    EksClusterHour,
    /// EKS control plane of a Kubernetes version past standard support.
    EksExtendedSupportHour,
    NatGatewayHour,
    NatGatewayGb,
    /// A public IPv4 address (in use or idle: the same price).
    PublicIpv4Hour,
    /// An interface VPC endpoint, per AZ it has a network interface in.
    InterfaceEndpointHour,
    InterfaceEndpointGb,
    /// EC2 Linux, shared tenancy, on-demand.
    Ec2Instance(String),
    /// Expected spot saving of an instance type against on-demand (percent).
    SpotSavings(String),
    /// EBS volume storage of a volume type (`gp3`, `gp2`, ...).
    EbsVolume(String),
    /// An Aurora DB instance: engine (`aurora-postgresql`), class, I/O-Optimized storage or not.
    AuroraInstance {
        engine: String,
        class: String,
        io_optimized: bool,
    },
    /// Aurora cluster volume storage (Standard or I/O-Optimized configuration).
    AuroraStorage {
        io_optimized: bool,
    },
    /// Aurora Standard I/O requests.
    AuroraIo,
    /// A non-Aurora RDS instance.
    RdsInstance {
        engine: String,
        class: String,
        multi_az: bool,
    },
    HostedZone,
    Secret,
    KmsKey,
    LogIngestionGb,
    EcrStorageGb,
    /// CodeBuild on Linux, per build minute of a compute type (`BUILD_GENERAL1_SMALL`).
    CodeBuildMinute(String),
}

impl Sku {
    /// The unit the price is quoted in.
    pub fn unit(&self) -> Unit {
        match self {
            Sku::EksClusterHour
            | Sku::EksExtendedSupportHour
            | Sku::NatGatewayHour
            | Sku::PublicIpv4Hour
            | Sku::InterfaceEndpointHour
            | Sku::Ec2Instance(_)
            | Sku::AuroraInstance { .. }
            | Sku::RdsInstance { .. } => Unit::Hour,
            Sku::NatGatewayGb | Sku::InterfaceEndpointGb | Sku::LogIngestionGb => Unit::Gb,
            Sku::SpotSavings(_) => Unit::Percent,
            Sku::EbsVolume(_) | Sku::AuroraStorage { .. } | Sku::EcrStorageGb => Unit::GbMonth,
            Sku::AuroraIo => Unit::MillionRequests,
            Sku::HostedZone => Unit::Month,
            Sku::Secret | Sku::KmsKey => Unit::MonthProrated,
            Sku::CodeBuildMinute(_) => Unit::Minute,
        }
    }

    /// The price table's key.
    pub fn key(&self) -> String {
        match self {
            Sku::EksClusterHour => "eks:cluster-hour".to_owned(),
            Sku::EksExtendedSupportHour => "eks:extended-support-hour".to_owned(),
            Sku::NatGatewayHour => "ec2:nat-gateway-hour".to_owned(),
            Sku::NatGatewayGb => "ec2:nat-gateway-gb".to_owned(),
            Sku::PublicIpv4Hour => "vpc:public-ipv4-hour".to_owned(),
            Sku::InterfaceEndpointHour => "vpc:interface-endpoint-hour".to_owned(),
            Sku::InterfaceEndpointGb => "vpc:interface-endpoint-gb".to_owned(),
            Sku::Ec2Instance(t) => format!("ec2:instance:{t}"),
            Sku::SpotSavings(t) => format!("ec2:spot-savings:{t}"),
            Sku::EbsVolume(t) => format!("ec2:ebs:{t}"),
            Sku::AuroraInstance {
                engine,
                class,
                io_optimized,
            } => format!(
                "rds:{engine}{}:{class}",
                if *io_optimized { "-io-optimized" } else { "" }
            ),
            Sku::AuroraStorage { io_optimized: false } => "rds:aurora-storage".to_owned(),
            Sku::AuroraStorage { io_optimized: true } => "rds:aurora-io-optimized-storage".to_owned(),
            Sku::AuroraIo => "rds:aurora-io".to_owned(),
            Sku::RdsInstance {
                engine,
                class,
                multi_az,
            } => format!(
                "rds:{engine}:{class}:{}",
                if *multi_az { "multi-az" } else { "single-az" }
            ),
            Sku::HostedZone => "route53:hosted-zone".to_owned(),
            Sku::Secret => "secretsmanager:secret".to_owned(),
            Sku::KmsKey => "kms:key".to_owned(),
            Sku::LogIngestionGb => "logs:ingestion-gb".to_owned(),
            Sku::EcrStorageGb => "ecr:storage-gb".to_owned(),
            Sku::CodeBuildMinute(compute) => format!("codebuild:linux:{compute}"),
        }
    }

    /// Reads a price-table key back; `None` for a key this version does not know.
    pub fn parse(key: &str) -> Option<Sku> {
        let fixed = [
            Sku::EksClusterHour,
            Sku::EksExtendedSupportHour,
            Sku::NatGatewayHour,
            Sku::NatGatewayGb,
            Sku::PublicIpv4Hour,
            Sku::InterfaceEndpointHour,
            Sku::InterfaceEndpointGb,
            Sku::AuroraStorage { io_optimized: false },
            Sku::AuroraStorage { io_optimized: true },
            Sku::AuroraIo,
            Sku::HostedZone,
            Sku::Secret,
            Sku::KmsKey,
            Sku::LogIngestionGb,
            Sku::EcrStorageGb,
        ];
        if let Some(sku) = fixed.into_iter().find(|s| s.key() == key) {
            return Some(sku);
        }
        let nonempty = |s: &str| (!s.is_empty() && !s.contains(':')).then(|| s.to_owned());
        if let Some(t) = key.strip_prefix("ec2:instance:") {
            return nonempty(t).map(Sku::Ec2Instance);
        }
        if let Some(t) = key.strip_prefix("ec2:spot-savings:") {
            return nonempty(t).map(Sku::SpotSavings);
        }
        if let Some(t) = key.strip_prefix("ec2:ebs:") {
            return nonempty(t).map(Sku::EbsVolume);
        }
        if let Some(t) = key.strip_prefix("codebuild:linux:") {
            return nonempty(t).map(Sku::CodeBuildMinute);
        }
        let rest = key.strip_prefix("rds:")?;
        let parts: Vec<&str> = rest.split(':').collect();
        match parts.as_slice() {
            [engine, class] if engine.starts_with("aurora") && !engine.is_empty() && !class.is_empty() => {
                let (engine, io_optimized) = match engine.strip_suffix("-io-optimized") {
                    Some(base) => (base, true),
                    None => (*engine, false),
                };
                Some(Sku::AuroraInstance {
                    engine: engine.to_owned(),
                    class: (*class).to_owned(),
                    io_optimized,
                })
            }
            [engine, class, deployment] if !engine.is_empty() && !class.is_empty() => Some(Sku::RdsInstance {
                engine: (*engine).to_owned(),
                class: (*class).to_owned(),
                multi_az: match *deployment {
                    "multi-az" => true,
                    "single-az" => false,
                    _ => return None,
                },
            }),
            _ => None,
        }
    }

    /// The AWS Price List product that holds this price in `region`: service code, exact attribute
    /// matches, and the usage type's anchored suffix.
    pub fn query(&self, region: &str) -> PriceQuery {
        let regional = |service: &'static str, family: Option<&'static str>, suffix: String| PriceQuery {
            service_code: service,
            attributes: [
                Some(("regionCode", region.to_owned())),
                family.map(|f| ("productFamily", f.to_owned())),
            ]
            .into_iter()
            .flatten()
            .collect(),
            usagetype_suffix: Some(suffix),
            price_list_unit: "",
            per_unit_factor: 1.0,
        };
        let with_unit = |mut q: PriceQuery, unit: &'static str, factor: f64| {
            q.price_list_unit = unit;
            q.per_unit_factor = factor;
            q
        };
        match self {
            Sku::EksClusterHour => with_unit(
                regional("AmazonEKS", Some("Compute"), "AmazonEKS-Hours:perCluster".into()),
                "Hrs",
                1.0,
            ),
            Sku::EksExtendedSupportHour => with_unit(
                regional("AmazonEKS", Some("Compute"), "AmazonEKS-Hours:extendedSupport".into()),
                "Hrs",
                1.0,
            ),
            Sku::NatGatewayHour => with_unit(
                regional("AmazonEC2", Some("NAT Gateway"), "NatGateway-Hours".into()),
                "Hrs",
                1.0,
            ),
            Sku::NatGatewayGb => with_unit(
                regional("AmazonEC2", Some("NAT Gateway"), "NatGateway-Bytes".into()),
                "GB",
                1.0,
            ),
            Sku::PublicIpv4Hour => with_unit(
                regional("AmazonVPC", None, "PublicIPv4:InUseAddress".into()),
                "Hrs",
                1.0,
            ),
            Sku::InterfaceEndpointHour => with_unit(
                regional("AmazonVPC", Some("VpcEndpoint"), "VpcEndpoint-Hours".into()),
                "Hrs",
                1.0,
            ),
            Sku::InterfaceEndpointGb => with_unit(
                regional("AmazonVPC", Some("VpcEndpoint"), "VpcEndpoint-Bytes".into()),
                "GB",
                1.0,
            ),
            Sku::Ec2Instance(instance_type) => {
                let mut q = with_unit(
                    regional(
                        "AmazonEC2",
                        Some("Compute Instance"),
                        format!("BoxUsage:{instance_type}"),
                    ),
                    "Hrs",
                    1.0,
                );
                q.attributes.extend(
                    [
                        ("instanceType", instance_type.as_str()),
                        ("tenancy", "Shared"),
                        ("operatingSystem", "Linux"),
                        ("preInstalledSw", "NA"),
                        ("licenseModel", "No License required"),
                        ("capacitystatus", "Used"),
                        ("marketoption", "OnDemand"),
                    ]
                    .map(|(k, v)| (k, v.to_owned())),
                );
                q
            }
            // No Price List product holds spot discounts: `cargo xtask prices` never asks for them.
            Sku::SpotSavings(_) => PriceQuery {
                service_code: "",
                attributes: Vec::new(),
                usagetype_suffix: None,
                price_list_unit: "",
                per_unit_factor: 1.0,
            },
            Sku::EbsVolume(volume_type) => {
                let mut q = with_unit(
                    regional("AmazonEC2", Some("Storage"), format!("EBS:VolumeUsage.{volume_type}")),
                    "GB-Mo",
                    1.0,
                );
                q.attributes.push(("volumeApiName", volume_type.clone()));
                q
            }
            Sku::AuroraInstance {
                engine,
                class,
                io_optimized,
            } => {
                let usage = if *io_optimized {
                    "InstanceUsageIOOptimized"
                } else {
                    "InstanceUsage"
                };
                let mut q = with_unit(
                    regional("AmazonRDS", Some("Database Instance"), format!("{usage}:{class}")),
                    "Hrs",
                    1.0,
                );
                q.attributes.push(("instanceType", class.clone()));
                q.attributes
                    .push(("databaseEngine", price_list_engine(engine).to_owned()));
                q
            }
            Sku::AuroraStorage { io_optimized } => with_unit(
                regional(
                    "AmazonRDS",
                    Some("Database Storage"),
                    if *io_optimized {
                        "Aurora:IO-OptimizedStorageUsage"
                    } else {
                        "Aurora:StorageUsage"
                    }
                    .into(),
                ),
                "GB-Mo",
                1.0,
            ),
            Sku::AuroraIo => with_unit(
                regional("AmazonRDS", Some("System Operation"), "Aurora:StorageIOUsage".into()),
                "IOs",
                1_000_000.0,
            ),
            Sku::RdsInstance {
                engine,
                class,
                multi_az,
            } => {
                let usage = if *multi_az { "Multi-AZUsage" } else { "InstanceUsage" };
                let mut q = with_unit(
                    regional("AmazonRDS", Some("Database Instance"), format!("{usage}:{class}")),
                    "Hrs",
                    1.0,
                );
                q.attributes.push(("instanceType", class.clone()));
                q.attributes
                    .push(("databaseEngine", price_list_engine(engine).to_owned()));
                q
            }
            // Route 53 zones are global: no region in the product.
            Sku::HostedZone => PriceQuery {
                service_code: "AmazonRoute53",
                attributes: vec![("productFamily", "DNS Zone".to_owned())],
                usagetype_suffix: Some("HostedZone".to_owned()),
                price_list_unit: "HostedZone",
                per_unit_factor: 1.0,
            },
            Sku::Secret => with_unit(
                regional("AWSSecretsManager", Some("Secret"), "AWSSecretsManager-Secrets".into()),
                "Secrets",
                1.0,
            ),
            Sku::KmsKey => with_unit(
                regional("awskms", Some("Encryption Key"), "KMS-Keys".into()),
                "Keys",
                1.0,
            ),
            // An ELB SKU has the same usage type: the service code keeps them apart.
            Sku::LogIngestionGb => with_unit(
                regional("AmazonCloudWatch", Some("Data Payload"), "DataProcessing-Bytes".into()),
                "GB",
                1.0,
            ),
            Sku::EcrStorageGb => with_unit(
                regional(
                    "AmazonECR",
                    Some("EC2 Container Registry"),
                    "TimedStorage-ByteHrs".into(),
                ),
                "GB-Mo",
                1.0,
            ),
            Sku::CodeBuildMinute(compute) => with_unit(
                regional(
                    "AWSCodeBuild",
                    Some("Compute"),
                    format!("Build-Min:Linux:{}", codebuild_size(compute)),
                ),
                "minutes",
                1.0,
            ),
        }
    }

    /// A short description for messages and the `part` column.
    pub fn describe(&self) -> String {
        match self {
            Sku::EksClusterHour => "EKS cluster hour".to_owned(),
            Sku::EksExtendedSupportHour => "EKS cluster hour in extended support".to_owned(),
            Sku::NatGatewayHour => "NAT gateway hour".to_owned(),
            Sku::NatGatewayGb => "NAT gateway data processed".to_owned(),
            Sku::PublicIpv4Hour => "public IPv4 address hour".to_owned(),
            Sku::InterfaceEndpointHour => "interface endpoint hour per AZ".to_owned(),
            Sku::InterfaceEndpointGb => "interface endpoint data processed".to_owned(),
            Sku::Ec2Instance(t) => format!("EC2 {t} Linux on-demand"),
            Sku::SpotSavings(t) => format!("spot saving of {t}"),
            Sku::EbsVolume(t) => format!("EBS {t} storage"),
            Sku::AuroraInstance {
                engine,
                class,
                io_optimized,
            } => format!(
                "{} {class}{}",
                price_list_engine(engine),
                if *io_optimized { " (I/O-Optimized)" } else { "" }
            ),
            Sku::AuroraStorage { io_optimized: false } => "Aurora storage".to_owned(),
            Sku::AuroraStorage { io_optimized: true } => "Aurora I/O-Optimized storage".to_owned(),
            Sku::AuroraIo => "Aurora I/O requests".to_owned(),
            Sku::RdsInstance {
                engine,
                class,
                multi_az,
            } => format!(
                "RDS {engine} {class} {}",
                if *multi_az { "Multi-AZ" } else { "Single-AZ" }
            ),
            Sku::HostedZone => "Route 53 hosted zone".to_owned(),
            Sku::Secret => "Secrets Manager secret".to_owned(),
            Sku::KmsKey => "KMS key".to_owned(),
            Sku::LogIngestionGb => "CloudWatch Logs ingestion".to_owned(),
            Sku::EcrStorageGb => "ECR storage".to_owned(),
            Sku::CodeBuildMinute(c) => format!("CodeBuild {c} build minute"),
        }
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// The Price List's `databaseEngine` attribute for a CloudFormation `Engine` value.
fn price_list_engine(engine: &str) -> &str {
    match engine {
        "aurora-postgresql" => "Aurora PostgreSQL",
        "aurora-mysql" | "aurora" => "Aurora MySQL",
        "postgres" => "PostgreSQL",
        "mysql" => "MySQL",
        "mariadb" => "MariaDB",
        other => other,
    }
}

/// `BUILD_GENERAL1_SMALL` → `g1.small`, the size in CodeBuild's usage types.
fn codebuild_size(compute_type: &str) -> String {
    match compute_type.strip_prefix("BUILD_GENERAL1_") {
        Some(size) => format!("g1.{}", size.to_ascii_lowercase()),
        None => compute_type.to_owned(),
    }
}

/// A Price List look-up: every product of `service_code` whose attributes equal `attributes`, then only
/// those whose `usagetype` is the suffix or ends with `-` + the suffix (the region prefix varies: none,
/// `USE1-`, `us-east-1-`, `APN1-`; an unanchored match would also take `RegionalNatGateway-Hours`).
/// Exactly one product must remain.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceQuery {
    pub service_code: &'static str,
    pub attributes: Vec<(&'static str, String)>,
    pub usagetype_suffix: Option<String>,
    /// The `unit` the Price List quotes (`Hrs`, `GB`, `GB-Mo`, `IOs`, ...).
    pub price_list_unit: &'static str,
    /// Table price = Price List price × this (e.g. per I/O → per million I/Os).
    pub per_unit_factor: f64,
}

impl PriceQuery {
    /// Whether a product's usage type is this query's, by the anchored suffix.
    pub fn usagetype_matches(&self, usagetype: &str) -> bool {
        match &self.usagetype_suffix {
            None => true,
            Some(suffix) => {
                usagetype == suffix
                    || usagetype
                        .strip_suffix(suffix.as_str())
                        .is_some_and(|prefix| prefix.ends_with('-'))
            }
        }
    }

    /// Whether a Price List look-up can find this price at all (spot discounts are not in it).
    pub fn is_in_price_list(&self) -> bool {
        !self.service_code.is_empty()
    }
}

impl fmt::Display for PriceQuery {
    /// The filter as a message names it: `AmazonEC2 productFamily="NAT Gateway" usagetype=…NatGateway-Hours`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.service_code)?;
        for (name, value) in &self.attributes {
            write!(f, " {name}={value:?}")?;
        }
        if let Some(suffix) = &self.usagetype_suffix {
            write!(f, " usagetype=…{suffix}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back() {
        let skus = [
            Sku::EksClusterHour,
            Sku::EksExtendedSupportHour,
            Sku::NatGatewayHour,
            Sku::NatGatewayGb,
            Sku::PublicIpv4Hour,
            Sku::InterfaceEndpointHour,
            Sku::InterfaceEndpointGb,
            Sku::Ec2Instance("m5.large".into()),
            Sku::SpotSavings("t3.medium".into()),
            Sku::EbsVolume("gp3".into()),
            Sku::AuroraInstance {
                engine: "aurora-postgresql".into(),
                class: "db.t3.medium".into(),
                io_optimized: false,
            },
            Sku::AuroraInstance {
                engine: "aurora-postgresql".into(),
                class: "db.r7g.large".into(),
                io_optimized: true,
            },
            Sku::AuroraStorage { io_optimized: false },
            Sku::AuroraStorage { io_optimized: true },
            Sku::AuroraIo,
            Sku::RdsInstance {
                engine: "postgres".into(),
                class: "db.t4g.micro".into(),
                multi_az: true,
            },
            Sku::HostedZone,
            Sku::Secret,
            Sku::KmsKey,
            Sku::LogIngestionGb,
            Sku::EcrStorageGb,
            Sku::CodeBuildMinute("BUILD_GENERAL1_SMALL".into()),
        ];
        for sku in skus {
            assert_eq!(Sku::parse(&sku.key()), Some(sku.clone()), "{}", sku.key());
        }
        for bad in [
            "",
            "eks:cluster",
            "ec2:instance:",
            "rds:postgres:db.t3.micro:both",
            "rds:x",
            "s3:bucket",
        ] {
            assert_eq!(Sku::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn usage_types_match_by_anchored_suffix() {
        let nat = Sku::NatGatewayHour.query("us-east-1");
        assert!(nat.usagetype_matches("USE1-NatGateway-Hours"));
        assert!(nat.usagetype_matches("NatGateway-Hours"));
        assert!(!nat.usagetype_matches("USE1-RegionalNatGateway-Hours"));
        assert!(!nat.usagetype_matches("USE1-NatGateway-Bytes"));
        let box_usage = Sku::Ec2Instance("m5.large".into()).query("us-east-1");
        assert!(box_usage.usagetype_matches("BoxUsage:m5.large"));
        assert!(box_usage.usagetype_matches("APN1-BoxUsage:m5.large"));
        assert!(!box_usage.usagetype_matches("BoxUsage:m5.large.metal"));
        let aurora = Sku::AuroraInstance {
            engine: "aurora-postgresql".into(),
            class: "db.t3.medium".into(),
            io_optimized: false,
        }
        .query("ap-northeast-1");
        assert!(aurora.usagetype_matches("APN1-InstanceUsage:db.t3.medium"));
        assert!(!aurora.usagetype_matches("APN1-InstanceUsageIOOptimized:db.t3.medium"));
        assert_eq!(
            aurora.to_string(),
            "AmazonRDS regionCode=\"ap-northeast-1\" productFamily=\"Database Instance\" \
             instanceType=\"db.t3.medium\" databaseEngine=\"Aurora PostgreSQL\" usagetype=…InstanceUsage:db.t3.medium"
        );
    }
}
