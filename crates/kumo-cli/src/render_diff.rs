//! The diff as text: resource changes (with replacements and their causes), then a separate,
//! highlighted security section, like `cdk diff`.

use std::fmt::Write;

use console::Style;
use kumo_deploy::changes::{Action, Replacement, ResourceChange};
use kumo_deploy::security::{Change, ChangeKind, Direction, IamItem, SecurityDiff, SgRule};
use kumo_deploy::ui::Plan;

/// Colours, off when stdout is not a terminal or `NO_COLOR` is set (the `console` crate decides).
struct Palette {
    add: Style,
    remove: Style,
    modify: Style,
    alert: Style,
    dim: Style,
}

impl Palette {
    fn new() -> Self {
        Palette {
            add: Style::new().green(),
            remove: Style::new().red(),
            modify: Style::new().yellow(),
            alert: Style::new().red().bold(),
            dim: Style::new().dim(),
        }
    }
}

pub fn render_plan(plan: &Plan<'_>) -> String {
    let p = Palette::new();
    let mut out = String::new();
    let changes = plan.changes;
    if plan.creates_stack {
        let _ = writeln!(
            out,
            "stack {} does not exist: {} resources would be created",
            plan.stack,
            changes.len()
        );
    } else {
        let count = |action: Action| changes.iter().filter(|c| c.action == action).count();
        let _ = writeln!(
            out,
            "stack {}: {} to add, {} to modify, {} to remove",
            plan.stack,
            count(Action::Add),
            count(Action::Modify),
            count(Action::Remove)
        );
        if changes.is_empty() {
            let _ = writeln!(
                out,
                "  (no resource changes; stack-level settings such as outputs, tags or parameters change)"
            );
        }
    }
    if !changes.is_empty() {
        let _ = writeln!(out, "\nResources");
        let type_width = changes.iter().map(|c| c.resource_type.len()).max().unwrap_or(0);
        for change in changes {
            render_change(&mut out, &p, change, type_width);
        }
    }
    render_security(&mut out, &p, plan.security);
    out
}

fn render_change(out: &mut String, p: &Palette, change: &ResourceChange, type_width: usize) {
    let (sign, style) = match &change.action {
        Action::Add => ("[+]", &p.add),
        Action::Remove => ("[-]", &p.remove),
        Action::Modify => ("[~]", &p.modify),
        Action::Import => ("[<]", &p.add),
        _ => ("[?]", &p.modify),
    };
    let mut line = format!(
        "{} {:<type_width$} {}",
        style.apply_to(sign),
        change.resource_type,
        change.logical_id
    );
    if let Some(physical) = &change.physical_id {
        let _ = write!(line, " {}", p.dim.apply_to(format!("({physical})")));
    }
    match change.replacement {
        Some(Replacement::True) => {
            let _ = write!(line, " {}", p.alert.apply_to("requires REPLACEMENT"));
        }
        Some(Replacement::Conditional) => {
            let _ = write!(line, " {}", p.modify.apply_to("may require replacement"));
        }
        _ => {}
    }
    match &change.action {
        Action::Remove => {
            if let Some(policy) = &change.policy_action
                && policy != "Delete"
            {
                let _ = write!(line, " (physical resource: {policy})");
            }
        }
        Action::Modify if change.replacement.is_none() && change.causes.iter().all(|c| c.from_templates) => {
            let _ = write!(line, " {}", p.dim.apply_to("(replacement not reported)"));
        }
        Action::Other(action) => {
            let _ = write!(line, " ({action})");
        }
        Action::Dynamic | Action::SyncWithActual => {
            let _ = write!(line, " ({:?})", change.action);
        }
        _ => {}
    }
    let _ = writeln!(out, "{line}");
    for cause in &change.causes {
        let mut text = format!("    └─ {}", cause.target);
        match cause.requires_recreation.as_deref() {
            Some("Always") => {
                let _ = write!(text, " {}", p.alert.apply_to("(forces replacement)"));
            }
            Some("Conditionally") => {
                let _ = write!(text, " (may force replacement)");
            }
            _ => {}
        }
        match (cause.source.as_deref(), cause.causing_entity.as_deref()) {
            (Some("ParameterReference"), Some(entity)) => {
                let _ = write!(text, " because parameter {entity} changed");
            }
            (Some("ResourceReference" | "ResourceAttribute"), Some(entity)) => {
                let _ = write!(text, " because {entity} changed");
            }
            (Some("DirectModification"), _) if cause.from_templates => {
                let _ = write!(text, " {}", p.dim.apply_to("(from comparing templates)"));
            }
            _ => {}
        }
        let _ = writeln!(out, "{text}");
    }
}

fn render_security(out: &mut String, p: &Palette, security: &SecurityDiff) {
    if security.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}",
        p.alert.apply_to(format!(
            "Security changes ({}) — review before approving",
            security.len()
        ))
    );
    section(out, p, "IAM statements and grants", &security.iam, describe_iam);
    section(out, p, "Security group rules", &security.security_groups, describe_rule);
    section(
        out,
        p,
        "Public endpoints",
        &security.public_endpoints,
        ToString::to_string,
    );
}

fn section<T>(out: &mut String, p: &Palette, title: &str, items: &[Change<T>], describe: impl Fn(&T) -> String) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}");
    for change in items {
        let style = match change.kind {
            ChangeKind::Added => &p.add,
            ChangeKind::Removed => &p.remove,
        };
        let _ = writeln!(
            out,
            "    {} {}",
            style.apply_to(change.kind.sign()),
            describe(&change.item)
        );
    }
}

// ---- plain wording for the security section ----
//
// The security diff (kumo_deploy::security) keeps template values as they are; these say what they
// mean: a group's `${Sg.GroupId}` is the group `Sg`, EC2's "no traffic" placeholder rule is a closed
// egress, an ICMP "port range" is a type and code, `…:iam::${AWS::AccountId}:root` is the account.

/// `${Name.GroupId}` → `Name`; other values unchanged.
fn group_name(value: &str) -> String {
    value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix(".GroupId}"))
        .unwrap_or(value)
        .to_owned()
}

/// The other side of a rule, named for what it is.
fn peer_name(peer: &str) -> String {
    if let Some(cluster) = peer
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix(".ClusterSecurityGroupId}"))
    {
        return format!("the cluster security group of {cluster}");
    }
    if let Some(group) = peer.strip_prefix("${").and_then(|v| v.strip_suffix(".GroupId}")) {
        return format!("security group {group}");
    }
    if peer.starts_with("sg-") {
        return format!("security group {peer}");
    }
    if peer.starts_with("pl-") {
        return format!("prefix list {peer}");
    }
    peer.to_owned()
}

/// `ports 8--1` → (8, -1): the raw FromPort / ToPort of an ICMP rule (type and code).
fn icmp_type_code(ports: &str) -> Option<(i64, i64)> {
    let range = ports.strip_prefix("ports ").or_else(|| ports.strip_prefix("port "))?;
    if let Ok(single) = range.parse() {
        return Some((single, -1));
    }
    // The first '-' after the first character separates the two (either may be negative).
    let split = range[1..].find('-')? + 1;
    Some((range[..split].parse().ok()?, range[split + 1..].parse().ok()?))
}

fn icmp_type_name(kind: i64) -> Option<&'static str> {
    Some(match kind {
        0 => "echo reply",
        3 => "destination unreachable",
        5 => "redirect",
        8 => "echo request",
        11 => "time exceeded",
        _ => return None,
    })
}

fn describe_rule(rule: &SgRule) -> String {
    let group = group_name(&rule.group);
    let (direction, preposition) = match rule.direction {
        Direction::Ingress => ("ingress", "from"),
        Direction::Egress => ("egress", "to"),
    };
    let icmp = rule.protocol == "icmp";
    // EC2 removes a group's allow-all egress only when another rule exists, so closing egress means a
    // rule nothing can match: ICMP type 252, code 86, to the broadcast address.
    if rule.direction == Direction::Egress
        && icmp
        && icmp_type_code(&rule.ports) == Some((252, 86))
        && rule.peer == "255.255.255.255/32"
    {
        return format!("{group} egress closed (no outbound traffic; EC2's placeholder rule)");
    }
    let traffic = match rule.protocol.as_str() {
        "icmp" | "icmpv6" | "58" => {
            let protocol = if icmp { "icmp" } else { "icmpv6" };
            match icmp_type_code(&rule.ports) {
                Some((-1, _)) | None => format!("all {protocol}"),
                Some((kind, code)) => {
                    let name = icmp_type_name(kind).map(|n| format!(" ({n})")).unwrap_or_default();
                    let code = if code < 0 {
                        String::new()
                    } else {
                        format!(" code {code}")
                    };
                    format!("{protocol} type {kind}{name}{code}")
                }
            }
        }
        "all traffic" => "all traffic".to_owned(),
        protocol if protocol.chars().all(|c| c.is_ascii_digit()) => format!("protocol {protocol} {}", rule.ports),
        protocol => format!("{protocol} {}", rule.ports),
    };
    let mut text = format!("{group} {direction} {traffic} {preposition} {}", peer_name(&rule.peer));
    if rule.open_to_world {
        text.push_str(" (open to the internet)");
    }
    text
}

/// A principal as `Type:value`, said plainly.
fn principal_name(principal: &str) -> String {
    let (kind, value) = principal.split_once(':').unwrap_or(("", principal));
    match kind {
        "Service" => format!("service {value}"),
        "Federated" => format!("federated {value}"),
        "AWS" if value.ends_with(":root") && value.contains("${AWS::AccountId}") => {
            "this account (any of its IAM principals that its own policies allow)".to_owned()
        }
        "AWS" if value == "*" => "anyone (AWS: *)".to_owned(),
        "AWS" => value.to_owned(),
        _ => principal.to_owned(),
    }
}

/// `arn:${AWS::Partition}:iam::aws:policy/Name` → `AWS managed policy Name`.
fn policy_name(arn: &str) -> String {
    match arn.split_once(":iam::aws:policy/") {
        Some((_, name)) => format!("AWS managed policy {name}"),
        // `${Policy}`: a customer managed policy of this template.
        None => match arn.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
            Some(name) => format!("policy {name}"),
            None => format!("policy {arn}"),
        },
    }
}

/// `{"StringEquals":{"k":"v"},"Null":{"k2":"false"}}` → `k = v and k2 is set`.
fn condition_text(condition: &str) -> String {
    let Ok(serde_json::Value::Object(operators)) = serde_json::from_str::<serde_json::Value>(condition) else {
        return condition.to_owned();
    };
    let value_text = |value: &serde_json::Value| -> String {
        // Condition values are template values too (`{"Ref": "AWS::AccountId"}`, `Fn::Sub` ARNs): the
        // security section's one renderer shows them as `${...}`, never as raw JSON.
        let one = kumo_deploy::security::render;
        match value {
            serde_json::Value::Array(items) => {
                format!("one of {}", items.iter().map(one).collect::<Vec<_>>().join(", "))
            }
            other => one(other),
        }
    };
    let mut parts = Vec::new();
    for (operator, keys) in &operators {
        let Some(keys) = keys.as_object() else {
            parts.push(format!("{operator} {keys}"));
            continue;
        };
        for (key, value) in keys {
            let value = value_text(value);
            parts.push(match operator.as_str() {
                "Null" if value == "false" => format!("{key} is set"),
                "Null" if value == "true" => format!("{key} is not set"),
                "StringEquals" | "ArnEquals" | "NumericEquals" | "Bool" => format!("{key} = {value}"),
                "StringNotEquals" | "ArnNotEquals" | "NumericNotEquals" => format!("{key} ≠ {value}"),
                "StringLike" | "ArnLike" => format!("{key} matches {value}"),
                "StringNotLike" | "ArnNotLike" => format!("{key} does not match {value}"),
                other => format!("{key} {other} {value}"),
            });
        }
    }
    parts.join(" and ")
}

fn describe_iam(item: &IamItem) -> String {
    match item {
        IamItem::Statement(s) => {
            let mut text = format!("{} {}", s.effect, s.actions.join(", "));
            if !s.resources.is_empty() {
                let resources: Vec<String> = s.resources.iter().map(|r| group_name(r)).collect();
                let _ = write!(text, " on {}", resources.join(", "));
            }
            if !s.principals.is_empty() {
                let principals: Vec<String> = s.principals.iter().map(|p| principal_name(p)).collect();
                let _ = write!(text, " for {}", principals.join(", "));
            }
            if let Some(condition) = &s.condition {
                let _ = write!(text, " when {}", condition_text(condition));
            }
            let _ = write!(text, " ({} {})", s.holder, s.context);
            text
        }
        IamItem::ManagedPolicy { holder, arn } => format!("{} attached to {holder}", policy_name(arn)),
        IamItem::ClusterAccess {
            resource,
            principal,
            access,
        } => {
            // `arn:…:cluster-access-policy/Name (cluster)` → `Name on the whole cluster`.
            let access = access
                .split("; ")
                .map(|grant| {
                    let grant = grant
                        .split_once(":cluster-access-policy/")
                        .map_or(grant, |(_, rest)| rest);
                    grant
                        .replace(" (cluster)", " on the whole cluster")
                        .replace(" (namespace: ", " in namespaces ")
                })
                .collect::<Vec<_>>()
                .join("; ");
            format!("cluster access for {principal}: {access} ({resource})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kumo_deploy::changes::Cause;
    use kumo_deploy::security::{Direction, SgRule};

    #[test]
    fn replacements_show_the_causing_property() {
        console::set_colors_enabled(false);
        let changes = vec![
            ResourceChange {
                action: Action::Modify,
                logical_id: "SubnetA".into(),
                physical_id: Some("subnet-1".into()),
                resource_type: "AWS::EC2::Subnet".into(),
                replacement: Some(Replacement::True),
                causes: vec![Cause {
                    target: "Properties.CidrBlock".into(),
                    requires_recreation: Some("Always".into()),
                    source: Some("DirectModification".into()),
                    causing_entity: None,
                    from_templates: false,
                }],
                policy_action: None,
            },
            ResourceChange {
                action: Action::Add,
                logical_id: "Logs".into(),
                physical_id: None,
                resource_type: "AWS::Logs::LogGroup".into(),
                replacement: None,
                causes: vec![],
                policy_action: None,
            },
        ];
        let security = SecurityDiff::default();
        let text = render_plan(&Plan {
            stack: "App",
            creates_stack: false,
            changes: &changes,
            security: &security,
            deployed_template: None,
            template: &serde_json::json!({}),
        });
        assert!(text.contains("stack App: 1 to add, 1 to modify, 0 to remove"), "{text}");
        assert!(
            text.contains("[~] AWS::EC2::Subnet    SubnetA (subnet-1) requires REPLACEMENT"),
            "{text}"
        );
        assert!(
            text.contains("    └─ Properties.CidrBlock (forces replacement)"),
            "{text}"
        );
        assert!(text.contains("[+] AWS::Logs::LogGroup Logs"), "{text}");
        assert!(!text.contains("Security"), "{text}");
    }

    /// The blueprint's security section, as a reviewer reads it.
    fn blueprint_security() -> String {
        console::set_colors_enabled(false);
        let mut config = kumo_blueprint::Config::default();
        config.eks.admin_users = vec!["akari".into()];
        let template = kumo_blueprint::build(&config).synth().expect("blueprint synthesizes");
        let value: serde_json::Value = serde_json::from_str(&template.to_json()).unwrap();
        let security = kumo_deploy::security::security_diff(None, &value);
        render_plan(&Plan {
            stack: "MyEKSStack",
            creates_stack: true,
            changes: &[],
            security: &security,
            deployed_template: None,
            template: &value,
        })
    }

    #[test]
    fn the_security_section_speaks_plainly() {
        let text = blueprint_security();
        for plain in [
            // EC2's no-traffic placeholder rule is a closed egress, not an ICMP rule.
            "+ DatabaseClusterSecurityGroupCBE34284 egress closed (no outbound traffic; EC2's placeholder rule)",
            "+ VPCEndpointSecurityGroupA7BD5A3B egress closed (no outbound traffic; EC2's placeholder rule)",
            // Groups by name, peers by what they are.
            "+ DatabaseClusterSecurityGroupCBE34284 ingress tcp port 5432 from the cluster security group of EKSClusterBA6ECF8F",
            "+ DBMigratorProjectSecurityGroup6E4D11EE egress tcp port 5432 to security group DatabaseClusterSecurityGroupCBE34284",
            "+ AWS managed policy AmazonEKSClusterPolicy attached to EKSMasterRole7CF454B9",
            "+ policy PullImagePolicyForDBMigratorB169A5AE attached to DBMigratorRole1DC6DB05",
            "for this account (any of its IAM principals that its own policies allow) (EKSClusterSecretsKey77BAD45A key policy)",
            "for service codebuild.amazonaws.com (DBMigratorRole1DC6DB05 trust policy)",
            "when kms:GrantIsForAWSResource = true",
            "when ec2:Subnet = one of arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:subnet/\
             ${VPCPrivateSubnet1Subnet8BCA10E0}, arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:subnet/\
             ${VPCPrivateSubnet2SubnetCFCDAA7A} and ec2:AuthorizedService = codebuild.amazonaws.com",
            "when aws:ResourceTag/elbv2.k8s.aws/cluster is set",
            "AmazonEKSClusterAdminPolicy on the whole cluster (EKSClusterAdminsUserakari82250AA7)",
        ] {
            assert!(text.contains(plain), "missing {plain:?} in:\n{text}");
        }
        for raw in [
            "252-86",
            "255.255.255.255",
            "AWS:arn:",
            "Service:",
            "{\"",
            "cluster-access-policy/",
        ] {
            assert!(!text.contains(raw), "raw {raw:?} in:\n{text}");
        }
        let rules = &text[text.find("Security group rules").expect("a rules section")..];
        assert!(!rules.contains("+ ${"), "a group named by its intrinsic:\n{rules}");
    }

    #[test]
    fn icmp_rules_name_type_and_code() {
        let rule = |protocol: &str, ports: &str| SgRule {
            group: "Sg".into(),
            direction: Direction::Ingress,
            protocol: protocol.into(),
            ports: ports.into(),
            peer: "10.0.0.0/8".into(),
            open_to_world: false,
        };
        assert_eq!(
            describe_rule(&rule("icmp", "ports 8--1")),
            "Sg ingress icmp type 8 (echo request) from 10.0.0.0/8"
        );
        assert_eq!(
            describe_rule(&rule("icmp", "all ports")),
            "Sg ingress all icmp from 10.0.0.0/8"
        );
        assert_eq!(
            describe_rule(&rule("icmp", "ports 3-4")),
            "Sg ingress icmp type 3 (destination unreachable) code 4 from 10.0.0.0/8"
        );
        assert_eq!(
            describe_rule(&rule("58", "all ports")),
            "Sg ingress all icmpv6 from 10.0.0.0/8"
        );
        assert_eq!(
            describe_rule(&rule("47", "all ports")),
            "Sg ingress protocol 47 all ports from 10.0.0.0/8"
        );
        // The placeholder only as egress to the broadcast address: anything else stays an ICMP rule.
        let mut almost = rule("icmp", "ports 252-86");
        almost.peer = "255.255.255.255/32".into();
        assert_eq!(
            describe_rule(&almost),
            "Sg ingress icmp type 252 code 86 from 255.255.255.255/32"
        );
    }
}
