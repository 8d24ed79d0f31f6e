//! What a template asks of the account, read from the template itself, so the same checks serve the
//! blueprint and any `--template`: the zones its subnets use, its EKS clusters, access entries and node
//! groups, its databases, its CodeBuild sources, and the resources that count against quotas.
//!
//! Values are resolved where they are knowable before deploying: literals, parameters (given or
//! default), pseudo parameters, `Fn::Sub` / `Fn::Join` of those, and `Fn::Select` over `Fn::GetAZs`
//! (an index into the region's zones). Anything computed from another resource is left unknown, and
//! the checks skip or widen accordingly.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

/// Known values for resolving the template: parameters and the pseudo parameters.
#[derive(Clone, Debug, Default)]
pub struct Resolver {
    parameters: HashMap<String, String>,
    pseudo: HashMap<&'static str, String>,
}

impl Resolver {
    /// `given`: `--parameter` values; parameters not given take their `Default`.
    pub fn new(template: &Value, given: &[(String, String)], account: &str, region: &str, partition: &str) -> Resolver {
        let mut parameters = HashMap::new();
        if let Some(declared) = template.get("Parameters").and_then(Value::as_object) {
            for (name, declaration) in declared {
                if let Some(default) = declaration.get("Default").and_then(scalar) {
                    parameters.insert(name.clone(), default);
                }
            }
        }
        for (name, value) in given {
            parameters.insert(name.clone(), value.clone());
        }
        let url_suffix = if partition == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        let pseudo = HashMap::from([
            ("AWS::AccountId", account.to_owned()),
            ("AWS::Region", region.to_owned()),
            ("AWS::Partition", partition.to_owned()),
            ("AWS::URLSuffix", url_suffix.to_owned()),
        ]);
        Resolver { parameters, pseudo }
    }

    fn named(&self, name: &str) -> Option<String> {
        self.parameters
            .get(name)
            .cloned()
            .or_else(|| self.pseudo.get(name).cloned())
    }

    /// A string value, if it can be known before deploying.
    pub fn string(&self, value: &Value) -> Option<String> {
        if let Some(text) = scalar(value) {
            return Some(text);
        }
        let (function, argument) = single_key(value)?;
        match (function, argument) {
            ("Ref", Value::String(name)) => self.named(name),
            ("Fn::Sub", Value::String(text)) => self.substitute(text, &HashMap::new()),
            ("Fn::Sub", Value::Array(parts)) if parts.len() == 2 => {
                let text = parts[0].as_str()?;
                let mut variables = HashMap::new();
                for (name, value) in parts[1].as_object()? {
                    variables.insert(name.clone(), self.string(value)?);
                }
                self.substitute(text, &variables)
            }
            ("Fn::Join", Value::Array(parts)) if parts.len() == 2 => {
                let separator = parts[0].as_str()?;
                let items = self.list(&parts[1])?;
                Some(items.join(separator))
            }
            _ => None,
        }
    }

    /// A list of strings (a JSON list, or a `CommaDelimitedList` parameter).
    pub fn list(&self, value: &Value) -> Option<Vec<String>> {
        match value {
            Value::Array(items) => items.iter().map(|item| self.string(item)).collect(),
            _ => self
                .string(value)
                .map(|text| text.split(',').map(|s| s.trim().to_owned()).collect()),
        }
    }

    fn substitute(&self, text: &str, variables: &HashMap<String, String>) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!Literal}` is the text `${Literal}`.
                let end = literal.find('}')?;
                out.push_str("${");
                out.push_str(&literal[..=end]);
                rest = &literal[end + 1..];
                continue;
            }
            let end = after.find('}')?;
            let name = &after[..end];
            out.push_str(&variables.get(name).cloned().or_else(|| self.named(name))?);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// The zone a subnet's `AvailabilityZone` names.
    fn zone(&self, value: Option<&Value>) -> Zone {
        let Some(value) = value else { return Zone::Unknown };
        if let Some(("Fn::Select", Value::Array(parts))) = single_key(value)
            && parts.len() == 2
            && single_key(&parts[1]).is_some_and(|(f, _)| f == "Fn::GetAZs")
            && let Some(index) = self.string(&parts[0]).and_then(|i| i.parse().ok())
        {
            return Zone::Index(index);
        }
        self.string(value).map_or(Zone::Unknown, Zone::Name)
    }
}

/// A JSON scalar as text.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `{"Fn::X": argument}` as `("Fn::X", argument)`.
fn single_key(value: &Value) -> Option<(&str, &Value)> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    map.iter().next().map(|(k, v)| (k.as_str(), v))
}

/// Where something is placed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Zone {
    /// `Fn::Select [i, Fn::GetAZs]`: the i-th zone of the region, in name order.
    Index(usize),
    /// A zone named in the template.
    Name(String),
    /// Computed, or an existing subnet: unknown before deploying.
    Unknown,
}

/// An IAM principal named by an ARN in the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalRef {
    /// `arn:<partition>:iam::<account>:user/<path/>name`.
    User { account: String, path_and_name: String },
    /// `arn:<partition>:iam::<account>:role/<path/>name`.
    Role { account: String, path_and_name: String },
    /// Anything else, or an ARN computed from other resources.
    Other(Option<String>),
}

impl PrincipalRef {
    fn parse(arn: Option<String>) -> PrincipalRef {
        let Some(arn) = arn else {
            return PrincipalRef::Other(None);
        };
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() == 6 && parts[0] == "arn" && parts[2] == "iam" {
            let account = parts[4].to_owned();
            if let Some(rest) = parts[5].strip_prefix("user/") {
                return PrincipalRef::User {
                    account,
                    path_and_name: rest.to_owned(),
                };
            }
            if let Some(rest) = parts[5].strip_prefix("role/") {
                return PrincipalRef::Role {
                    account,
                    path_and_name: rest.to_owned(),
                };
            }
        }
        PrincipalRef::Other(Some(arn))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    pub id: String,
    pub version: Option<String>,
    /// EKS gives the identity that creates the cluster an admin access entry (the default).
    pub creator_is_admin: bool,
    pub new: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: String,
    pub principal: PrincipalRef,
    pub new: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nodegroup {
    pub id: String,
    pub instance_types: Vec<String>,
    /// The zones of its subnets (`Unknown` ones mean "any the template uses").
    pub zones: Vec<Zone>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Database {
    pub id: String,
    pub engine: String,
    pub version: Option<String>,
    pub class: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildSource {
    pub id: String,
    /// `GITHUB`, `GITHUB_ENTERPRISE`, `BITBUCKET`, `GITLAB`, `GITLAB_SELF_MANAGED`.
    pub source_type: String,
    pub location: Option<String>,
    /// `Source.Auth`: (type, resource) when the project names its own credentials.
    pub auth: Option<(String, Option<String>)>,
    pub webhook: bool,
}

/// An interface endpoint and the VPC it goes into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointVpc {
    /// A VPC the template creates (its logical id).
    InTemplate(String),
    /// An existing VPC (its id).
    Existing(String),
    Unknown,
}

/// Everything the checks need to know about the template.
#[derive(Clone, Debug, Default)]
pub struct Needs {
    /// Zone indexes used by the template's subnets (`Fn::Select` over `Fn::GetAZs`).
    pub zone_indexes: BTreeSet<usize>,
    pub clusters: Vec<Cluster>,
    pub access_entries: Vec<AccessEntry>,
    pub nodegroups: Vec<Nodegroup>,
    pub databases: Vec<Database>,
    pub build_sources: Vec<BuildSource>,
    /// New resources that count against quotas, by logical id.
    pub new_elastic_ips: Vec<String>,
    pub new_vpcs: Vec<String>,
    pub new_internet_gateways: Vec<String>,
    pub new_nat_gateways: Vec<(String, Zone)>,
    pub new_interface_endpoints: Vec<(String, EndpointVpc)>,
}

/// Source types whose projects need account credentials or a connection to reach the repository.
const EXTERNAL_SOURCES: &[&str] = &[
    "GITHUB",
    "GITHUB_ENTERPRISE",
    "BITBUCKET",
    "GITLAB",
    "GITLAB_SELF_MANAGED",
];

impl Needs {
    /// Reads `template`. `deployed`: the (logical id, type) of the resources the stack has now, so that
    /// only new resources count against quotas; `None` for a new stack.
    pub fn of(template: &Value, resolver: &Resolver, deployed: Option<&[(String, String)]>) -> Needs {
        let empty = serde_json::Map::new();
        let resources = template.get("Resources").and_then(Value::as_object).unwrap_or(&empty);
        let is_new = |id: &str, kind: &str| deployed.is_none_or(|d| !d.iter().any(|(i, t)| i == id && t == kind));
        let subnet_zone = |value: &Value| -> Zone {
            match single_key(value) {
                Some(("Ref", Value::String(target))) => resources
                    .get(target)
                    .filter(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::EC2::Subnet"))
                    .map_or(Zone::Unknown, |r| {
                        resolver.zone(r.get("Properties").and_then(|p| p.get("AvailabilityZone")))
                    }),
                _ => Zone::Unknown,
            }
        };
        let mut needs = Needs::default();
        let mut cluster_versions: BTreeMap<&str, Option<String>> = BTreeMap::new();
        for (id, resource) in resources {
            let kind = resource.get("Type").and_then(Value::as_str).unwrap_or_default();
            let props = resource.get("Properties").unwrap_or(&Value::Null);
            let prop = |name: &str| props.get(name);
            match kind {
                "AWS::EC2::Subnet" => {
                    if let Zone::Index(i) = resolver.zone(prop("AvailabilityZone")) {
                        needs.zone_indexes.insert(i);
                    }
                }
                "AWS::EKS::Cluster" => {
                    let version = prop("Version").and_then(|v| resolver.string(v));
                    cluster_versions.insert(id, version.clone());
                    let bootstrap = props
                        .pointer("/AccessConfig/BootstrapClusterCreatorAdminPermissions")
                        .and_then(|v| resolver.string(v));
                    needs.clusters.push(Cluster {
                        id: id.clone(),
                        version,
                        creator_is_admin: bootstrap.as_deref() != Some("false"),
                        new: is_new(id, kind),
                    });
                }
                "AWS::EKS::AccessEntry" => needs.access_entries.push(AccessEntry {
                    id: id.clone(),
                    principal: PrincipalRef::parse(prop("PrincipalArn").and_then(|v| resolver.string(v))),
                    new: is_new(id, kind),
                }),
                "AWS::EKS::Nodegroup" => {
                    let instance_types = prop("InstanceTypes").and_then(|v| resolver.list(v)).unwrap_or_default();
                    let zones = prop("Subnets")
                        .and_then(Value::as_array)
                        .map(|subnets| subnets.iter().map(subnet_zone).collect())
                        .unwrap_or_else(|| vec![Zone::Unknown]);
                    needs.nodegroups.push(Nodegroup {
                        id: id.clone(),
                        instance_types,
                        zones,
                    });
                }
                "AWS::RDS::DBInstance" => {
                    let cluster = prop("DBClusterIdentifier")
                        .and_then(|v| single_key(v).filter(|(f, _)| *f == "Ref"))
                        .and_then(|(_, target)| target.as_str())
                        .and_then(|target| resources.get(target))
                        .and_then(|r| r.get("Properties"));
                    let engine = prop("Engine")
                        .or_else(|| cluster.and_then(|c| c.get("Engine")))
                        .and_then(|v| resolver.string(v));
                    let version = prop("EngineVersion")
                        .or_else(|| cluster.and_then(|c| c.get("EngineVersion")))
                        .and_then(|v| resolver.string(v));
                    let class = prop("DBInstanceClass").and_then(|v| resolver.string(v));
                    if let (Some(engine), Some(class)) = (engine, class) {
                        needs.databases.push(Database {
                            id: id.clone(),
                            engine,
                            version,
                            class,
                        });
                    }
                }
                "AWS::CodeBuild::Project" => {
                    let source = prop("Source").unwrap_or(&Value::Null);
                    let source_type = source.get("Type").and_then(|v| resolver.string(v)).unwrap_or_default();
                    if EXTERNAL_SOURCES.contains(&source_type.as_str()) {
                        let auth = source.get("Auth").map(|auth| {
                            (
                                auth.get("Type").and_then(|v| resolver.string(v)).unwrap_or_default(),
                                auth.get("Resource").and_then(|v| resolver.string(v)),
                            )
                        });
                        needs.build_sources.push(BuildSource {
                            id: id.clone(),
                            source_type,
                            location: source.get("Location").and_then(|v| resolver.string(v)),
                            auth,
                            webhook: props
                                .pointer("/Triggers/Webhook")
                                .and_then(|v| resolver.string(v))
                                .as_deref()
                                == Some("true"),
                        });
                    }
                }
                "AWS::EC2::EIP" if is_new(id, kind) => needs.new_elastic_ips.push(id.clone()),
                "AWS::EC2::VPC" if is_new(id, kind) => needs.new_vpcs.push(id.clone()),
                "AWS::EC2::InternetGateway" if is_new(id, kind) => needs.new_internet_gateways.push(id.clone()),
                "AWS::EC2::NatGateway" if is_new(id, kind) => {
                    // A private NAT gateway has no Elastic IP but counts against the same quota.
                    let zone = prop("SubnetId").map_or(Zone::Unknown, subnet_zone);
                    needs.new_nat_gateways.push((id.clone(), zone));
                }
                "AWS::EC2::VPCEndpoint" if is_new(id, kind) => {
                    let endpoint_type = prop("VpcEndpointType")
                        .and_then(|v| resolver.string(v))
                        .unwrap_or_else(|| "Gateway".to_owned());
                    if endpoint_type == "Interface" {
                        let vpc = match prop("VpcId") {
                            Some(value) => match single_key(value) {
                                Some(("Ref", Value::String(target))) if resources.contains_key(target) => {
                                    EndpointVpc::InTemplate(target.clone())
                                }
                                _ => resolver
                                    .string(value)
                                    .map_or(EndpointVpc::Unknown, EndpointVpc::Existing),
                            },
                            None => EndpointVpc::Unknown,
                        };
                        needs.new_interface_endpoints.push((id.clone(), vpc));
                    }
                }
                _ => {}
            }
        }
        needs
    }

    /// How many of the region's zones the template spreads over (from its `Fn::GetAZs` indexes).
    pub fn zones_needed(&self) -> usize {
        self.zone_indexes.iter().next_back().map_or(0, |max| max + 1)
    }

    /// Whether any check beyond identity and region applies.
    pub fn has_eks(&self) -> bool {
        !self.clusters.is_empty() || !self.access_entries.is_empty() || !self.nodegroups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolver(template: &Value, given: &[(&str, &str)]) -> Resolver {
        let given: Vec<(String, String)> = given.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Resolver::new(template, &given, "123456789012", "eu-west-1", "aws")
    }

    #[test]
    fn resolves_parameters_pseudo_parameters_sub_and_join() {
        let template = json!({"Parameters": {"Env": {"Type": "String", "Default": "dev"}, "Ver": {"Type": "String"}}});
        let r = resolver(&template, &[("Ver", "1.35")]);
        assert_eq!(r.string(&json!({"Ref": "Env"})).as_deref(), Some("dev"));
        assert_eq!(r.string(&json!({"Ref": "Ver"})).as_deref(), Some("1.35"));
        assert_eq!(
            r.string(&json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/${Env}-${!Literal}"}))
                .as_deref(),
            Some("arn:aws:iam::123456789012:user/dev-${Literal}")
        );
        assert_eq!(
            r.string(&json!({"Fn::Sub": ["${A}/${AWS::Region}", {"A": {"Ref": "Env"}}]}))
                .as_deref(),
            Some("dev/eu-west-1")
        );
        assert_eq!(
            r.string(&json!({"Fn::Join": ["-", ["a", {"Ref": "AWS::Region"}]]}))
                .as_deref(),
            Some("a-eu-west-1")
        );
        assert_eq!(r.string(&json!({"Fn::GetAtt": ["X", "Arn"]})), None);
        assert_eq!(r.string(&json!({"Fn::Sub": "${X.Arn}"})), None);
    }

    #[test]
    fn reads_what_the_template_needs() {
        let template = json!({"Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"},
                "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}},
            "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"},
                "AvailabilityZone": {"Fn::Select": ["2", {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}}},
            "Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
            "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "SubnetB"}}},
            "Ecr": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcId": {"Ref": "Vpc"}, "VpcEndpointType": "Interface",
                "ServiceName": "x"}},
            "S3": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcId": {"Ref": "Vpc"}, "ServiceName": "y"}},
            "Other": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcId": "vpc-0abc", "VpcEndpointType": "Interface"}},
            "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Version": "1.36"}},
            "Admin": {"Type": "AWS::EKS::AccessEntry", "Properties": {"ClusterName": {"Ref": "Cluster"},
                "PrincipalArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/akari"}}},
            "Ops": {"Type": "AWS::EKS::AccessEntry", "Properties": {"PrincipalArn": {"Fn::GetAtt": ["R", "Arn"]}}},
            "Nodes": {"Type": "AWS::EKS::Nodegroup", "Properties": {"InstanceTypes": ["t3.medium"],
                "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]}},
            "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {"Engine": "aurora-postgresql", "EngineVersion": "17.6"}},
            "DbWriter": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBClusterIdentifier": {"Ref": "Db"},
                "DBInstanceClass": "db.t3.medium", "Engine": "aurora-postgresql"}},
            "Build": {"Type": "AWS::CodeBuild::Project", "Properties": {"Source": {"Type": "GITHUB",
                "Location": "https://github.com/k-akari/ent-example.git"}, "Triggers": {"Webhook": true}}},
            "Migrate": {"Type": "AWS::CodeBuild::Project", "Properties": {"Source": {"Type": "NO_SOURCE"}}}
        }});
        let needs = Needs::of(&template, &resolver(&template, &[]), None);
        assert_eq!(needs.zone_indexes, BTreeSet::from([0, 2]));
        assert_eq!(needs.zones_needed(), 3);
        assert_eq!(needs.new_vpcs, ["Vpc"]);
        assert_eq!(needs.new_elastic_ips, ["Eip"]);
        assert_eq!(needs.new_nat_gateways, [("Nat".to_owned(), Zone::Index(2))]);
        assert_eq!(
            needs.new_interface_endpoints,
            [
                ("Ecr".to_owned(), EndpointVpc::InTemplate("Vpc".into())),
                ("Other".to_owned(), EndpointVpc::Existing("vpc-0abc".into()))
            ]
        );
        assert_eq!(needs.clusters[0].version.as_deref(), Some("1.36"));
        assert!(needs.clusters[0].creator_is_admin);
        assert_eq!(
            needs.access_entries[0].principal,
            PrincipalRef::User {
                account: "123456789012".into(),
                path_and_name: "akari".into()
            }
        );
        assert_eq!(needs.access_entries[1].principal, PrincipalRef::Other(None));
        assert_eq!(needs.nodegroups[0].zones, [Zone::Index(0), Zone::Index(2)]);
        assert_eq!(
            needs.databases,
            [Database {
                id: "DbWriter".into(),
                engine: "aurora-postgresql".into(),
                version: Some("17.6".into()),
                class: "db.t3.medium".into()
            }]
        );
        assert_eq!(needs.build_sources.len(), 1);
        assert!(needs.build_sources[0].webhook);

        // An update: only resources the stack does not have yet count against quotas.
        let deployed = vec![
            ("Vpc".to_owned(), "AWS::EC2::VPC".to_owned()),
            ("Eip".to_owned(), "AWS::EC2::EIP".to_owned()),
            ("Admin".to_owned(), "AWS::EKS::AccessEntry".to_owned()),
        ];
        let update = Needs::of(&template, &resolver(&template, &[]), Some(&deployed));
        assert!(update.new_vpcs.is_empty() && update.new_elastic_ips.is_empty());
        assert_eq!(update.new_nat_gateways.len(), 1);
        assert!(!update.access_entries[0].new && update.access_entries[1].new);
    }
}
