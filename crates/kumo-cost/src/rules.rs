//! What each resource of a template costs, as parts with quantities and the prices they need — before
//! any price is looked up. One rule per resource type kumo prices; known free types are listed; every
//! other type is "not priced", never dropped.

use kumo_blueprint::{EKS_VERSIONS, KubernetesSupport};
use serde_json::{Map, Value};

use crate::sku::Sku;
use crate::template::{NotLiteral, TemplateView};

/// Aurora bills the cluster volume's used size, evaluated hourly; a new, nearly empty cluster is
/// estimated at this many GB.
pub const AURORA_STORAGE_ASSUMED_GB: f64 = 10.0;

/// The node group's instance type when neither the group nor its launch template names one (the
/// `InstanceTypes` default documented for `AWS::EKS::Nodegroup`).
const EKS_DEFAULT_INSTANCE_TYPE: &str = "t3.medium";

/// How a part's price is found.
#[derive(Clone, Debug, PartialEq)]
pub enum Pricing {
    /// Quantity × the price of one SKU.
    Sku(Sku),
    /// EKS nodes: the most expensive type on demand is the maximum; spot needs a dated discount.
    Nodes { spot: bool, instance_types: Vec<String> },
    /// The SKU itself cannot be known from the template.
    Unknown(String),
}

/// A priced part of the template, before prices.
#[derive(Clone, Debug, PartialEq)]
pub struct PartSpec {
    pub part: String,
    pub logical_id: String,
    pub resource_type: String,
    /// `Err`: why the quantity is unknown.
    pub quantity: Result<f64, String>,
    pub quantity_unit: &'static str,
    pub pricing: Pricing,
    pub notes: Vec<String>,
}

/// A resource kumo has no price rule for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NotPriced {
    pub logical_id: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub reason: String,
}

/// Everything the rules found in a template.
#[derive(Debug, Default)]
pub struct Analysis {
    pub parts: Vec<PartSpec>,
    /// Usage-based prices that apply, with the resources they apply to.
    pub usage: Vec<(Sku, String)>,
    pub not_priced: Vec<NotPriced>,
    /// `(logical id, type)` of resources with no charge of their own.
    pub no_charge: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

/// Resource types that cost nothing by themselves (what runs in or through them is priced elsewhere).
const NO_CHARGE: &[&str] = &[
    "AWS::CertificateManager::Certificate", // public certificates; a private CA's is checked below
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::EC2::DHCPOptions",
    "AWS::EC2::EgressOnlyInternetGateway",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::LaunchTemplate",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::Route",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::Subnet",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCCidrBlock",
    "AWS::EC2::VPCDHCPOptionsAssociation",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EKS::AccessEntry",
    "AWS::EKS::Addon", // add-ons run on the nodes
    "AWS::EKS::PodIdentityAssociation",
    "AWS::IAM::AccessKey",
    "AWS::IAM::Group",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::OIDCProvider",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::ServiceLinkedRole",
    "AWS::IAM::User",
    "AWS::KMS::Alias",
    "AWS::RDS::DBClusterParameterGroup",
    "AWS::RDS::DBParameterGroup",
    "AWS::RDS::DBSubnetGroup",
    "AWS::Route53::RecordSet",
    "AWS::Route53::RecordSetGroup",
    "AWS::SNS::Subscription",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::SecretsManager::SecretTargetAttachment",
];

/// Why the time-to-live reaper's parts have no line of their own.
const PER_USE_ONLY: &str = "charged per use only, not per hour: Step Functions standard workflows per state \
transition ($0.025 per 1,000 in us-east-1, list price checked 2026-12-01; a kumo reaper run is about 90, plus 4 a \
minute while it waits for the stack's deletion: about 210 for a 30-minute deletion), EventBridge Scheduler per \
invocation (first 14 million a month free), SNS per message (first 1,000 e-mails a month free); under $0.01 per run, \
not in kumo's price table";

pub fn analyze(view: &TemplateView<'_>) -> Analysis {
    let mut a = Analysis::default();
    for (id, resource_type, props) in view.resources() {
        let empty = Map::new();
        let p = props.unwrap_or(&empty);
        let before = a.parts.len();
        match resource_type {
            "AWS::EKS::Cluster" => eks_cluster(view, &mut a, id, p),
            "AWS::EKS::Nodegroup" => nodegroup(view, &mut a, id, p),
            "AWS::EC2::NatGateway" => nat_gateway(view, &mut a, id, p),
            "AWS::EC2::EIP" => eip(view, &mut a, id),
            "AWS::EC2::VPCEndpoint" => vpc_endpoint(view, &mut a, id, p),
            "AWS::EC2::Instance" => ec2_instance(view, &mut a, id, p),
            "AWS::RDS::DBInstance" => db_instance(view, &mut a, id, p),
            "AWS::RDS::DBCluster" => db_cluster(view, &mut a, id, p),
            "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => one(&mut a, id, resource_type, "KMS key", "key", Sku::KmsKey),
            "AWS::SecretsManager::Secret" => one(&mut a, id, resource_type, "secret", "secret", Sku::Secret),
            "AWS::Route53::HostedZone" => {
                one(&mut a, id, resource_type, "hosted zone", "zone", Sku::HostedZone);
                if let Some(part) = a.parts.last_mut() {
                    part.notes.push(
                        "charged for every month begun, not prorated (free if deleted within 12 hours of creation)"
                            .to_owned(),
                    );
                }
            }
            "AWS::Logs::LogGroup" => a.usage.push((Sku::LogIngestionGb, id.to_owned())),
            "AWS::ECR::Repository" => a.usage.push((Sku::EcrStorageGb, id.to_owned())),
            "AWS::CodeBuild::Project" => codebuild(view, &mut a, id, p),
            "AWS::CertificateManager::Certificate" if p.contains_key("CertificateAuthorityArn") => {
                a.not_priced.push(NotPriced {
                    logical_id: id.to_owned(),
                    resource_type: resource_type.to_owned(),
                    reason: "a certificate from a private CA is charged per certificate; kumo has no price for it"
                        .to_owned(),
                });
            }
            // The time-to-live reaper's parts: charged per use only, and not in the price table.
            "AWS::StepFunctions::StateMachine" | "AWS::Scheduler::Schedule" | "AWS::SNS::Topic" => {
                a.not_priced.push(NotPriced {
                    logical_id: id.to_owned(),
                    resource_type: resource_type.to_owned(),
                    reason: PER_USE_ONLY.to_owned(),
                });
            }
            t if NO_CHARGE.contains(&t) => a.no_charge.push((id.to_owned(), t.to_owned())),
            t => a.not_priced.push(NotPriced {
                logical_id: id.to_owned(),
                resource_type: t.to_owned(),
                reason: "kumo has no price rule for this resource type".to_owned(),
            }),
        }
        if let Some(condition) = view.condition(id) {
            for part in &mut a.parts[before..] {
                part.notes.push(format!(
                    "created only when condition {condition} holds; counted as if it does"
                ));
            }
        }
    }
    a
}

fn part(id: &str, resource_type: &str, name: impl Into<String>, unit: &'static str, pricing: Pricing) -> PartSpec {
    PartSpec {
        part: name.into(),
        logical_id: id.to_owned(),
        resource_type: resource_type.to_owned(),
        quantity: Ok(1.0),
        quantity_unit: unit,
        pricing,
        notes: Vec::new(),
    }
}

fn one(a: &mut Analysis, id: &str, resource_type: &str, name: &str, unit: &'static str, sku: Sku) {
    a.parts.push(part(id, resource_type, name, unit, Pricing::Sku(sku)));
}

fn not_literal(property: &str, e: NotLiteral) -> String {
    format!("{property} is {}", e.0)
}

fn eks_cluster(view: &TemplateView<'_>, a: &mut Analysis, id: &str, p: &Map<String, Value>) {
    let mut spec = part(
        id,
        "AWS::EKS::Cluster",
        "EKS control plane",
        "cluster",
        Pricing::Sku(Sku::EksClusterHour),
    );
    match view.string(p.get("Version")) {
        Err(e) => spec.pricing = Pricing::Unknown(not_literal("Version", e)),
        // EKS creates the cluster on its default version, which is in standard support.
        Ok(None) => spec.part.push_str(" (EKS's default Kubernetes version)"),
        Ok(Some(version)) => {
            spec.part = format!("EKS control plane (Kubernetes {version})");
            match EKS_VERSIONS.iter().find(|v| v.version == version) {
                Some(v) => match v.support() {
                    KubernetesSupport::Standard => {}
                    KubernetesSupport::Extended | KubernetesSupport::Retired => {
                        spec.pricing = Pricing::Sku(Sku::EksExtendedSupportHour);
                        spec.part = format!("EKS control plane (Kubernetes {version}, extended support)");
                        a.warnings.push(format!(
                            "{id}: Kubernetes {version} left EKS standard support on {}: its control plane is billed \
                             at the extended-support rate (six times the standard one); use a version in standard \
                             support, such as {}",
                            v.end_of_standard_support, EKS_VERSIONS[0].version
                        ));
                    }
                },
                // Newer than every version kumo knows: EKS releases versions into standard support.
                None if newer_than_known(&version) => {}
                None => {
                    spec.pricing = Pricing::Unknown(format!(
                        "Kubernetes {version} is not in kumo's EKS version calendar, so its support status (and rate) \
                         is unknown"
                    ));
                }
            }
        }
    }
    a.parts.push(spec);
    let logging = p
        .get("Logging")
        .and_then(|l| l.get("ClusterLogging"))
        .and_then(|c| c.get("EnabledTypes"))
        .and_then(Value::as_array)
        .is_some_and(|types| !types.is_empty());
    if logging {
        a.usage.push((Sku::LogIngestionGb, id.to_owned()));
    }
}

fn newer_than_known(version: &str) -> bool {
    let numeric = |v: &str| v.split('.').map(|p| p.parse::<u32>().ok()).collect::<Option<Vec<_>>>();
    match (numeric(version), numeric(EKS_VERSIONS[0].version)) {
        (Some(v), Some(newest)) => v > newest,
        _ => false,
    }
}

fn nodegroup(view: &TemplateView<'_>, a: &mut Analysis, id: &str, p: &Map<String, Value>) {
    const TYPE: &str = "AWS::EKS::Nodegroup";
    let scaling = p.get("ScalingConfig");
    let desired = view.number(scaling.and_then(|s| s.get("DesiredSize")));
    let max = view.number(scaling.and_then(|s| s.get("MaxSize"))).ok().flatten();
    let quantity = match desired {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Err("the template sets no ScalingConfig.DesiredSize".to_owned()),
        Err(e) => Err(not_literal("ScalingConfig.DesiredSize", e)),
    };
    let launch_template = view
        .referenced_resource(p.get("LaunchTemplate").and_then(|lt| lt.get("Id")))
        .and_then(|lt| view.resource(lt))
        .and_then(|(_, props)| props)
        .and_then(|props| props.get("LaunchTemplateData"));
    let spot = match view.string(p.get("CapacityType")) {
        Ok(Some(capacity)) => capacity == "SPOT",
        _ => false,
    };
    let types = match view.strings(p.get("InstanceTypes")) {
        Ok(Some(types)) if !types.is_empty() => Ok(types),
        Ok(_) => match view.string(launch_template.and_then(|d| d.get("InstanceType"))) {
            Ok(Some(t)) => Ok(vec![t]),
            Ok(None) => Ok(vec![EKS_DEFAULT_INSTANCE_TYPE.to_owned()]),
            Err(e) => Err(not_literal("the launch template's InstanceType", e)),
        },
        Err(e) => Err(not_literal("InstanceTypes", e)),
    };
    let name = match &types {
        Ok(types) if types.len() == 1 => {
            format!("EKS nodes, {}, {}", if spot { "spot" } else { "on-demand" }, types[0])
        }
        Ok(types) => format!(
            "EKS nodes, {}, {} types",
            if spot { "spot" } else { "on-demand" },
            types.len()
        ),
        Err(_) => "EKS nodes".to_owned(),
    };
    let mut spec = part(
        id,
        TYPE,
        name,
        "node",
        match types {
            Ok(instance_types) => Pricing::Nodes { spot, instance_types },
            Err(reason) => Pricing::Unknown(reason),
        },
    );
    spec.quantity = quantity.clone();
    if let (Ok(desired), Some(max)) = (&quantity, max)
        && max > *desired
    {
        spec.notes.push(format!(
            "counted at the desired size; the group may scale to {max} nodes"
        ));
    }
    a.parts.push(spec);

    // Every node has a root volume, from the launch template or the group's DiskSize.
    let volume = launch_template
        .and_then(|d| d.get("BlockDeviceMappings"))
        .and_then(Value::as_array)
        .and_then(|mappings| mappings.iter().find_map(|m| m.get("Ebs")));
    let (size, volume_type) = match volume {
        Some(ebs) => (view.number(ebs.get("VolumeSize")), view.string(ebs.get("VolumeType"))),
        None => (view.number(p.get("DiskSize")).map(|s| s.or(Some(20.0))), Ok(None)),
    };
    let pricing = match volume_type {
        Ok(Some(t)) => Pricing::Sku(Sku::EbsVolume(t)),
        Ok(None) => Pricing::Unknown("the template does not set the root volume's type".to_owned()),
        Err(e) => Pricing::Unknown(not_literal("the root volume's VolumeType", e)),
    };
    let per_node = match size {
        Ok(Some(gb)) => Ok(gb),
        Ok(None) => Err("the template does not set the root volume's size".to_owned()),
        Err(e) => Err(not_literal("the root volume's size", e)),
    };
    let mut disks = part(id, TYPE, "EKS node root volumes", "GB", pricing);
    disks.quantity = match (quantity, per_node) {
        (Ok(nodes), Ok(gb)) => {
            disks.part = format!("EKS node root volumes ({nodes} × {gb} GB)");
            Ok(nodes * gb)
        }
        (Err(reason), _) | (_, Err(reason)) => Err(reason),
    };
    a.parts.push(disks);
}

fn nat_gateway(view: &TemplateView<'_>, a: &mut Analysis, id: &str, p: &Map<String, Value>) {
    if view.string(p.get("AvailabilityMode")).ok().flatten().as_deref() == Some("regional") {
        a.not_priced.push(NotPriced {
            logical_id: id.to_owned(),
            resource_type: "AWS::EC2::NatGateway".to_owned(),
            reason: "a regional NAT gateway is billed per AZ it serves; kumo has no rule for it".to_owned(),
        });
        return;
    }
    let private = view.string(p.get("ConnectivityType")).ok().flatten().as_deref() == Some("private");
    let name = if private {
        "NAT gateway (private)"
    } else {
        "NAT gateway"
    };
    one(a, id, "AWS::EC2::NatGateway", name, "gateway", Sku::NatGatewayHour);
    a.usage.push((Sku::NatGatewayGb, id.to_owned()));
}

fn eip(view: &TemplateView<'_>, a: &mut Analysis, id: &str) {
    // Name the NAT gateway that uses the address, when one does.
    let user = view.resources().find_map(|(other, t, props)| {
        (t == "AWS::EC2::NatGateway" && view.referenced_resource(props.and_then(|p| p.get("AllocationId"))) == Some(id))
            .then_some(other)
    });
    let name = match user {
        Some(nat) => format!("public IPv4 address (Elastic IP of {nat})"),
        None => "public IPv4 address (Elastic IP)".to_owned(),
    };
    a.parts.push(part(
        id,
        "AWS::EC2::EIP",
        name,
        "address",
        Pricing::Sku(Sku::PublicIpv4Hour),
    ));
}

fn vpc_endpoint(view: &TemplateView<'_>, a: &mut Analysis, id: &str, p: &Map<String, Value>) {
    const TYPE: &str = "AWS::EC2::VPCEndpoint";
    let kind = view.string(p.get("VpcEndpointType")).ok().flatten();
    match kind.as_deref() {
        None | Some("Gateway") => a.no_charge.push((id.to_owned(), TYPE.to_owned())),
        Some("Interface") => {
            let service = endpoint_service(p.get("ServiceName"));
            let name = match &service {
                Some(s) => format!("interface endpoint {s}"),
                None => "interface endpoint".to_owned(),
            };
            let mut spec = part(id, TYPE, name, "AZ", Pricing::Sku(Sku::InterfaceEndpointHour));
            spec.quantity = match view.list_len(p.get("SubnetIds")) {
                Ok(Some(n)) => Ok(n as f64),
                Ok(None) => Err("the template sets no SubnetIds (one network interface per AZ)".to_owned()),
                Err(e) => Err(not_literal("SubnetIds", e)),
            };
            a.parts.push(spec);
            a.usage.push((Sku::InterfaceEndpointGb, id.to_owned()));
        }
        Some(other) => a.not_priced.push(NotPriced {
            logical_id: id.to_owned(),
            resource_type: TYPE.to_owned(),
            reason: format!("kumo has no price rule for {other} endpoints"),
        }),
    }
}

/// `ecr.dkr` from `com.amazonaws.us-east-1.ecr.dkr` or `{"Fn::Sub": "com.amazonaws.${AWS::Region}.ecr.dkr"}`.
fn endpoint_service(value: Option<&Value>) -> Option<String> {
    let text = match value? {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("Fn::Sub")?.as_str()?,
        _ => return None,
    };
    let rest = text.strip_prefix("com.amazonaws.")?;
    let (_, service) = rest.split_once('.')?;
    Some(service.to_owned())
}

fn ec2_instance(view: &TemplateView<'_>, a: &mut Analysis, id: &str, p: &Map<String, Value>) {
    let tenancy = view.string(p.get("Tenancy")).ok().flatten();
    let pricing = match (view.string(p.get("InstanceType")), tenancy.as_deref()) {
        (_, Some(t)) if t != "default" => Pricing::Unknown(format!("kumo prices shared tenancy only, not {t}")),
        (Ok(Some(t)), _) => Pricing::Sku(Sku::Ec2Instance(t)),
        (Ok(None), _) => Pricing::Unknown("the template sets no InstanceType".to_owned()),
        (Err(e), _) => Pricing::Unknown(not_literal("InstanceType", e)),
    };
    let name = match &pricing {
        Pricing::Sku(Sku::Ec2Instance(t)) => format!("EC2 instance, on-demand, {t}"),
        _ => "EC2 instance".to_owned(),
    };
    let mut spec = part(id, "AWS::EC2::Instance", name, "instance", pricing);
    spec.notes.push("Linux price; volumes not priced".to_owned());
    a.parts.push(spec);
}

/// Engine and storage type of the Aurora cluster a DB instance belongs to.
fn cluster_of<'a>(view: &TemplateView<'a>, p: &Map<String, Value>) -> Option<&'a Map<String, Value>> {
    let cluster = view.referenced_resource(p.get("DBClusterIdentifier"))?;
    view.resource(cluster).and_then(|(_, props)| props)
}

fn db_instance(view: &TemplateView<'_>, a: &mut Analysis, id: &str, p: &Map<String, Value>) {
    const TYPE: &str = "AWS::RDS::DBInstance";
    let cluster = cluster_of(view, p);
    let engine = match view.string(p.get("Engine")) {
        Ok(Some(e)) => Ok(e),
        Ok(None) => match cluster.map(|c| view.string(c.get("Engine"))) {
            Some(Ok(Some(e))) => Ok(e),
            Some(Err(e)) => Err(not_literal("the cluster's Engine", e)),
            _ => Err("the template sets no Engine".to_owned()),
        },
        Err(e) => Err(not_literal("Engine", e)),
    };
    let class = view.string(p.get("DBInstanceClass"));
    let pricing = match (engine, class) {
        (Err(reason), _) => Pricing::Unknown(reason),
        (_, Err(e)) => Pricing::Unknown(not_literal("DBInstanceClass", e)),
        (_, Ok(None)) => Pricing::Unknown("the template sets no DBInstanceClass".to_owned()),
        (Ok(_), Ok(Some(class))) if class == "db.serverless" => {
            a.not_priced.push(NotPriced {
                logical_id: id.to_owned(),
                resource_type: TYPE.to_owned(),
                reason: "Aurora Serverless v2 is billed per ACU-hour; kumo has no price rule for it".to_owned(),
            });
            return;
        }
        (Ok(engine), Ok(Some(class))) if engine.starts_with("aurora") => {
            let io_optimized = cluster
                .and_then(|c| view.string(c.get("StorageType")).ok().flatten())
                .is_some_and(|t| t == "aurora-iopt1");
            Pricing::Sku(Sku::AuroraInstance {
                engine,
                class,
                io_optimized,
            })
        }
        (Ok(engine), Ok(Some(class))) => Pricing::Sku(Sku::RdsInstance {
            engine,
            class,
            multi_az: view.boolean(p.get("MultiAZ")).ok().flatten().unwrap_or(false),
        }),
    };
    let name = match &pricing {
        Pricing::Sku(Sku::AuroraInstance { class, .. }) => format!("Aurora DB instance {class}"),
        Pricing::Sku(Sku::RdsInstance { engine, class, .. }) => format!("RDS DB instance {engine} {class}"),
        _ => "RDS DB instance".to_owned(),
    };
    let mut spec = part(id, TYPE, name, "instance", pricing);
    if matches!(spec.pricing, Pricing::Sku(Sku::RdsInstance { .. })) {
        spec.notes.push("its allocated storage is not priced".to_owned());
    }
    a.parts.push(spec);
}

fn db_cluster(view: &TemplateView<'_>, a: &mut Analysis, id: &str, p: &Map<String, Value>) {
    const TYPE: &str = "AWS::RDS::DBCluster";
    let engine = view.string(p.get("Engine")).ok().flatten().unwrap_or_default();
    let mode = view.string(p.get("EngineMode")).ok().flatten();
    if !engine.starts_with("aurora") || mode.as_deref().is_some_and(|m| m != "provisioned") {
        a.not_priced.push(NotPriced {
            logical_id: id.to_owned(),
            resource_type: TYPE.to_owned(),
            reason: "kumo prices provisioned Aurora clusters only".to_owned(),
        });
        return;
    }
    let io_optimized = view.string(p.get("StorageType")).ok().flatten().as_deref() == Some("aurora-iopt1");
    let mut spec = part(
        id,
        TYPE,
        format!("Aurora storage ({AURORA_STORAGE_ASSUMED_GB} GB assumed)"),
        "GB",
        Pricing::Sku(Sku::AuroraStorage { io_optimized }),
    );
    spec.quantity = Ok(AURORA_STORAGE_ASSUMED_GB);
    spec.notes
        .push("billed on the cluster volume's used size, evaluated hourly; a new cluster is counted as 10 GB".into());
    a.parts.push(spec);
    if !io_optimized {
        a.usage.push((Sku::AuroraIo, id.to_owned()));
    }
}

fn codebuild(view: &TemplateView<'_>, a: &mut Analysis, id: &str, p: &Map<String, Value>) {
    let environment = p.get("Environment");
    let kind = view
        .string(environment.and_then(|e| e.get("Type")))
        .ok()
        .flatten()
        .unwrap_or_else(|| "LINUX_CONTAINER".to_owned());
    match view.string(environment.and_then(|e| e.get("ComputeType"))) {
        Ok(Some(compute)) if kind == "LINUX_CONTAINER" && compute.starts_with("BUILD_GENERAL1_") => {
            a.usage.push((Sku::CodeBuildMinute(compute), id.to_owned()));
        }
        _ => a.not_priced.push(NotPriced {
            logical_id: id.to_owned(),
            resource_type: "AWS::CodeBuild::Project".to_owned(),
            reason: "kumo prices build minutes of Linux BUILD_GENERAL1_* compute types only".to_owned(),
        }),
    }
}
