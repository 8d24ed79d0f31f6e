//! The network side of the security section: security-group rules and resources reachable from the
//! internet.

use std::fmt;

use serde_json::Value;

use kumo_core::security::flag;

use super::render::{render, render_list};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SgRule {
    /// The security group: its logical id, or the rendered `GroupId` of a standalone rule.
    pub group: String,
    pub direction: Direction,
    pub protocol: String,
    pub ports: String,
    /// CIDR, security group or prefix list on the other side.
    pub peer: String,
    /// Ingress from `0.0.0.0/0` or `::/0`.
    pub open_to_world: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicEndpoint {
    pub resource: String,
    pub resource_type: String,
    pub description: String,
}

impl fmt::Display for SgRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (direction, preposition) = match self.direction {
            Direction::Ingress => ("ingress", "from"),
            Direction::Egress => ("egress", "to"),
        };
        write!(
            f,
            "{} {direction} {} {} {preposition} {}",
            self.group, self.protocol, self.ports, self.peer
        )?;
        if self.open_to_world {
            f.write_str(" (open to the internet)")?;
        }
        Ok(())
    }
}

impl fmt::Display for PublicEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.resource, self.resource_type, self.description)
    }
}

/// Adds the rules of a security group (inline) or of a standalone ingress / egress rule resource.
pub(super) fn collect_rules(out: &mut Vec<SgRule>, id: &str, kind: &str, props: &Value) {
    let prop = |name: &str| props.get(name);
    match kind {
        "AWS::EC2::SecurityGroup" => {
            for rule in prop("SecurityGroupIngress")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(sg_rule(id.to_owned(), Direction::Ingress, rule));
            }
            for rule in prop("SecurityGroupEgress")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(sg_rule(id.to_owned(), Direction::Egress, rule));
            }
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            let direction = if kind.ends_with("Ingress") {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            let group = prop("GroupId")
                .or_else(|| prop("GroupName"))
                .map(render)
                .unwrap_or_else(|| id.to_owned());
            out.push(sg_rule(group, direction, props));
        }
        _ => {}
    }
}

fn sg_rule(group: String, direction: Direction, rule: &Value) -> SgRule {
    let protocol_raw = rule.get("IpProtocol").map(render).unwrap_or_else(|| "-1".to_owned());
    let protocol = match protocol_raw.as_str() {
        "-1" | "all" => "all traffic".to_owned(),
        "6" => "tcp".to_owned(),
        "17" => "udp".to_owned(),
        "1" => "icmp".to_owned(),
        other => other.to_owned(),
    };
    let from = rule.get("FromPort").map(render);
    let to = rule.get("ToPort").map(render);
    let ports = match (protocol.as_str(), from, to) {
        ("all traffic", _, _) => "all ports".to_owned(),
        (_, Some(f), Some(t)) if f == "-1" || (f == "0" && t == "65535") => "all ports".to_owned(),
        (_, Some(f), Some(t)) if f == t => format!("port {f}"),
        (_, Some(f), Some(t)) => format!("ports {f}-{t}"),
        (_, Some(f), None) => format!("port {f}"),
        _ => "all ports".to_owned(),
    };
    let peer_keys = [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourceSecurityGroupName",
        "SourcePrefixListId",
        "DestinationSecurityGroupId",
        "DestinationPrefixListId",
    ];
    let peer = peer_keys
        .iter()
        .find_map(|key| rule.get(*key).map(render))
        .unwrap_or_else(|| "(no peer)".to_owned());
    let open_to_world = direction == Direction::Ingress && (peer == "0.0.0.0/0" || peer == "::/0");
    SgRule {
        group,
        direction,
        protocol,
        ports,
        peer,
        open_to_world,
    }
}

/// A description of how the resource is reachable from the internet, if it is (or may be).
pub(super) fn public_endpoint(kind: &str, props: &Value) -> Option<String> {
    let maybe = |value: Option<&Value>, default: bool, yes: String| match flag(value, default) {
        Some(true) => Some(yes),
        Some(false) => None,
        None => Some(format!(
            "{yes}, depending on {}",
            render(value.expect("computed values exist"))
        )),
    };
    match kind {
        "AWS::EKS::Cluster" => {
            let config = props.get("ResourcesVpcConfig");
            let cidrs = config
                .and_then(|c| c.get("PublicAccessCidrs"))
                .map(render_list)
                .map(|c| c.join(", "))
                .unwrap_or_else(|| "0.0.0.0/0 (the default)".to_owned());
            maybe(
                config.and_then(|c| c.get("EndpointPublicAccess")),
                true,
                format!("Kubernetes API endpoint is public, reachable from {cidrs}"),
            )
        }
        "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => maybe(
            props.get("PubliclyAccessible"),
            false,
            "database is publicly accessible".to_owned(),
        ),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" | "AWS::ElasticLoadBalancing::LoadBalancer" => {
            let lb_type = props
                .get("Type")
                .map(render)
                .unwrap_or_else(|| "application".to_owned());
            let scheme = props
                .get("Scheme")
                .map(render)
                .unwrap_or_else(|| "internet-facing".to_owned());
            (lb_type != "gateway" && scheme != "internal").then(|| format!("internet-facing {lb_type} load balancer"))
        }
        "AWS::EC2::Subnet" => maybe(
            props.get("MapPublicIpOnLaunch"),
            false,
            "instances launched here get public IPv4 addresses".to_owned(),
        ),
        "AWS::EC2::Instance" | "AWS::EC2::LaunchTemplate" => {
            let interfaces = match kind {
                "AWS::EC2::Instance" => props.get("NetworkInterfaces"),
                _ => props.get("LaunchTemplateData").and_then(|d| d.get("NetworkInterfaces")),
            };
            interfaces
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find_map(|interface| {
                    maybe(
                        interface.get("AssociatePublicIpAddress"),
                        false,
                        "instances get a public IP address".to_owned(),
                    )
                })
        }
        "AWS::Lambda::Url" => (props.get("AuthType").map(render).as_deref() == Some("NONE"))
            .then(|| "function URL without authentication".to_owned()),
        "AWS::ApiGateway::RestApi" => {
            let types = props
                .get("EndpointConfiguration")
                .and_then(|c| c.get("Types"))
                .map(render_list);
            (!types.is_some_and(|t| t.iter().any(|t| t == "PRIVATE"))).then(|| "public REST API endpoint".to_owned())
        }
        "AWS::ApiGatewayV2::Api" => Some("public API endpoint".to_owned()),
        "AWS::S3::Bucket" => props
            .get("WebsiteConfiguration")
            .map(|_| "S3 website endpoint".to_owned()),
        _ => None,
    }
}
