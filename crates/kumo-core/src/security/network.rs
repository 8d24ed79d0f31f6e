//! Network exposure: security-group ingress from the whole internet, instances that allow IMDSv1, EKS
//! API endpoints open to the world.

use serde_json::{Map, Value};

use super::{Hit, Rule, flag, items, number, text};

/// The ports a service may open to the whole internet: HTTP and HTTPS.
const WEB_PORTS: &[i64] = &[80, 443];

pub(super) fn check(kind: &str, props: &Map<String, Value>, hit: &mut Hit<'_>) {
    match kind {
        "AWS::EC2::SecurityGroup" => {
            for (i, rule) in items(props.get("SecurityGroupIngress")).into_iter().enumerate() {
                if let Value::Object(rule) = rule {
                    ingress(rule, &format!("Properties.SecurityGroupIngress[{i}]"), hit);
                }
            }
        }
        "AWS::EC2::SecurityGroupIngress" => ingress(props, "Properties", hit),
        "AWS::EC2::LaunchTemplate" => {
            let options = props.get("LaunchTemplateData").and_then(|d| d.get("MetadataOptions"));
            metadata_options(options, "Properties.LaunchTemplateData.MetadataOptions", hit);
        }
        "AWS::AutoScaling::LaunchConfiguration" => {
            metadata_options(props.get("MetadataOptions"), "Properties.MetadataOptions", hit);
        }
        // An instance's own options win over its launch template's.
        "AWS::EC2::Instance" if props.get("MetadataOptions").is_some() || props.get("LaunchTemplate").is_none() => {
            metadata_options(props.get("MetadataOptions"), "Properties.MetadataOptions", hit);
        }
        "AWS::EKS::Cluster" => {
            let config = props.get("ResourcesVpcConfig");
            let public = flag(config.and_then(|c| c.get("EndpointPublicAccess")), true);
            let cidrs = config.and_then(|c| c.get("PublicAccessCidrs"));
            let world = match cidrs {
                None => true,
                Some(cidrs) => items(Some(cidrs))
                    .into_iter()
                    .any(|c| text(Some(c)) == Some("0.0.0.0/0")),
            };
            if public == Some(true) && world {
                hit(
                    Rule::EksPublicEndpoint,
                    "Properties.ResourcesVpcConfig.EndpointPublicAccess".to_owned(),
                    "the public endpoint is on and PublicAccessCidrs admits 0.0.0.0/0".to_owned(),
                );
            }
        }
        _ => {}
    }
}

/// One ingress rule (inline, or an `AWS::EC2::SecurityGroupIngress`'s properties).
fn ingress(rule: &Map<String, Value>, path: &str, hit: &mut Hit<'_>) {
    let world = [("CidrIp", "0.0.0.0/0"), ("CidrIpv6", "::/0")]
        .into_iter()
        .find(|(key, open)| text(rule.get(*key)) == Some(open));
    let Some((key, range)) = world else { return };
    let protocol = match rule.get("IpProtocol") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.to_ascii_lowercase(),
        // A computed protocol: only CloudFormation knows it.
        Some(_) => return,
        None => "-1".to_owned(),
    };
    let (from, to) = (number(rule.get("FromPort")), number(rule.get("ToPort")));
    let tcp = protocol == "tcp" || protocol == "6";
    let web = tcp && from == to && from.is_some_and(|p| WEB_PORTS.contains(&p));
    if web {
        return;
    }
    let ports = match (protocol.as_str(), from, to) {
        ("-1" | "all", _, _) => "all traffic".to_owned(),
        (_, Some(f), Some(t)) if f == t => format!("{protocol} port {f}"),
        (_, Some(f), Some(t)) => format!("{protocol} ports {f}-{t}"),
        _ => format!("{protocol} (all ports)"),
    };
    hit(
        Rule::SgOpenIngress,
        format!("{path}.{key}"),
        format!("admits {range} on {ports}"),
    );
}

/// `MetadataOptions.HttpTokens` must be `required` (unless the metadata service is off).
fn metadata_options(options: Option<&Value>, path: &str, hit: &mut Hit<'_>) {
    let endpoint_off = text(options.and_then(|o| o.get("HttpEndpoint"))) == Some("disabled");
    if endpoint_off {
        return;
    }
    let tokens = options.and_then(|o| o.get("HttpTokens"));
    let required = match tokens {
        None => false,
        Some(value) => text(Some(value)).is_none_or(|t| t == "required"),
    };
    if !required {
        hit(
            Rule::Imdsv1Allowed,
            format!("{path}.HttpTokens"),
            format!(
                "HttpTokens is {}",
                text(tokens).map_or("not set (optional: IMDSv1 allowed)".to_owned(), |t| format!("{t:?}"))
            ),
        );
    }
}
