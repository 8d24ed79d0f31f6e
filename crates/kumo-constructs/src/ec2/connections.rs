//! Connections: "allow A to reach B on port P" as security group rules.

use kumo_cfn::ec2 as l1;
use kumo_core::{Diagnostic, Str};

use super::security_group::{Port, SecurityGroup};
use crate::Parent;

/// Something with a security group that traffic can be allowed to or from: a [`SecurityGroup`], an EKS
/// cluster (its cluster security group), a database, a VPC endpoint, a CodeBuild project in a VPC.
pub trait Connectable {
    /// The security group id; `None` when the thing has none (a CodeBuild project outside a VPC).
    fn security_group_id(&self) -> Option<Str>;
    /// A short name for the ids of the rules (`EKSCluster`, `DatabaseCluster`).
    fn connection_name(&self) -> &str;
    /// The kumo-managed group whose egress is restricted, if any: rules *from* it then also get an
    /// egress rule. `None` for groups that allow all outbound traffic or that kumo does not manage (the
    /// cluster security group EKS creates).
    fn restricted_egress(&self) -> Option<&SecurityGroup> {
        None
    }
}

impl Connectable for SecurityGroup {
    fn security_group_id(&self) -> Option<Str> {
        Some(self.group_id())
    }
    fn connection_name(&self) -> &str {
        self.construct_id()
    }
    fn restricted_egress(&self) -> Option<&SecurityGroup> {
        (!self.allows_all_outbound()).then_some(self)
    }
}

/// Allows `from` to reach `to` on `port`: an `AWS::EC2::SecurityGroupIngress` on `to` from `from`'s
/// group and, when `from` restricts its egress, the matching `AWS::EC2::SecurityGroupEgress` on `from`.
///
/// The rules are added under `parent` as `<to>From<from><port>` and `<from>To<to><port>`; the
/// description is written on both. A side without a security group is reported as a diagnostic (and
/// `synth` fails), since no rule can name it.
pub fn allow(parent: &mut impl Parent, from: &impl Connectable, to: &impl Connectable, port: Port, description: &str) {
    let from_group = from.security_group_id();
    let to_group = to.security_group_id();
    for (side, group) in [(from.connection_name(), &from_group), (to.connection_name(), &to_group)] {
        if group.is_none() {
            parent.stack_mut().report(Diagnostic::invalid_props(
                side,
                "",
                format!(
                    "has no security group (it is not in a VPC), so \"{description}\" ({} to {} on {}) cannot be \
                     allowed",
                    from.connection_name(),
                    to.connection_name(),
                    port.label()
                ),
            ));
        }
    }
    let (Some(from_group), Some(to_group)) = (from_group, to_group) else {
        return;
    };
    let (protocol, ports) = port.rule();
    let mut ingress = l1::SecurityGroupIngress::new()
        .group_id(to_group.clone())
        .source_security_group_id(from_group)
        .ip_protocol(protocol)
        .description(description);
    if let Some((low, high)) = ports {
        ingress = ingress.from_port(low).to_port(high);
    }
    parent
        .child(to.connection_name())
        .add(format!("From{}{}", from.connection_name(), port.label()), ingress);
    if let Some(group) = from.restricted_egress() {
        let mut egress = l1::SecurityGroupEgress::new()
            .group_id(group.group_id())
            .destination_security_group_id(to_group)
            .ip_protocol(protocol)
            .description(description);
        if let Some((low, high)) = ports {
            egress = egress.from_port(low).to_port(high);
        }
        parent
            .child(from.connection_name())
            .add(format!("To{}{}", to.connection_name(), port.label()), egress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::SecurityGroupProps;
    use crate::test_util::template;
    use kumo_core::Stack;
    use serde_json::json;

    #[test]
    fn rules_between_groups_are_separate_resources() {
        let mut stack = Stack::new("T");
        let app = SecurityGroup::new(&mut stack, "App", "vpc-1", SecurityGroupProps::default());
        let open = SecurityGroup::new(
            &mut stack,
            "Open",
            "vpc-1",
            SecurityGroupProps::default().allow_all_outbound(true),
        );
        let db = SecurityGroup::new(&mut stack, "Db", "vpc-1", SecurityGroupProps::default());
        allow(&mut stack, &app, &db, Port::Tcp(5432), "app to db");
        allow(&mut stack, &open, &db, Port::Tcp(5432), "open to db");
        let t = template(&stack);
        t.resource_count_is("AWS::EC2::SecurityGroupIngress", 2);
        t.resource_count_is("AWS::EC2::SecurityGroupEgress", 1);
        t.has_resource_properties(
            "AWS::EC2::SecurityGroupIngress",
            json!({
                "GroupId": {"Fn::GetAtt": [db.handle().logical_id().as_str(), "GroupId"]},
                "SourceSecurityGroupId": {"Fn::GetAtt": [app.handle().logical_id().as_str(), "GroupId"]},
                "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "Description": "app to db"
            }),
        );
        t.has_resource_properties(
            "AWS::EC2::SecurityGroupEgress",
            json!({
                "GroupId": {"Fn::GetAtt": [app.handle().logical_id().as_str(), "GroupId"]},
                "DestinationSecurityGroupId": {"Fn::GetAtt": [db.handle().logical_id().as_str(), "GroupId"]},
                "FromPort": 5432
            }),
        );
        let ids: Vec<String> = t
            .find_resources("AWS::EC2::SecurityGroupIngress", json!({}))
            .keys()
            .cloned()
            .collect();
        // Named `<to>/From<from><port>` in the construct tree (the CDK's ids for that path).
        assert!(ids.contains(&"DbFromApp54322BB72CFF".to_owned()), "{ids:?}");
    }
}
