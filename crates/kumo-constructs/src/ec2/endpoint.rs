//! Interface VPC endpoints (PrivateLink) with their own security group.

use kumo_cfn::ec2 as l1;
use kumo_core::{Handle, Str, fns};

use super::connections::Connectable;
use super::security_group::{SecurityGroup, SecurityGroupProps};
use super::vpc::{SubnetType, Vpc};
use crate::Parent;

/// Properties of an [`InterfaceEndpoint`].
#[derive(Clone, Debug, PartialEq)]
pub struct InterfaceEndpointProps {
    /// The service suffix after `com.amazonaws.<region>.`: `ecr.dkr`, `ecr.api`, `sts`, `logs`, ...
    /// Required.
    pub service: String,
    /// The subnets that get an endpoint network interface. Default: [`SubnetType::PrivateWithEgress`].
    pub subnets: SubnetType,
    /// Resolve the service's public DNS name to the endpoint inside the VPC. Default: `true`.
    pub private_dns: bool,
}

impl InterfaceEndpointProps {
    pub fn new(service: impl Into<String>) -> Self {
        InterfaceEndpointProps {
            service: service.into(),
            subnets: SubnetType::PrivateWithEgress,
            private_dns: true,
        }
    }
    pub fn subnets(mut self, kind: SubnetType) -> Self {
        self.subnets = kind;
        self
    }
    pub fn private_dns(mut self, on: bool) -> Self {
        self.private_dns = on;
        self
    }
}

/// An interface VPC endpoint (`AWS::EC2::VPCEndpoint`, type `Interface`) and its security group.
///
/// The security group accepts nothing until connections allow it (the CDK opens 443 to the whole VPC
/// by default; kumo lets exactly the clients you name in): `ec2::allow(.., &client, &endpoint, Port::Tcp(443), ..)`.
/// Its egress is closed: an endpoint never opens connections.
#[derive(Clone, Debug)]
pub struct InterfaceEndpoint {
    id: String,
    handle: Handle<l1::VPCEndpoint>,
    security_group: SecurityGroup,
}

impl InterfaceEndpoint {
    pub fn new(parent: &mut impl Parent, id: &str, vpc: &Vpc, props: InterfaceEndpointProps) -> InterfaceEndpoint {
        let mut scope = parent.child(id);
        let security_group = SecurityGroup::new(
            &mut scope,
            "SecurityGroup",
            vpc.vpc_id(),
            SecurityGroupProps::default().description(format!("{id}: clients of the {} endpoint", props.service)),
        );
        let subnets = vpc.subnet_ids(props.subnets);
        if subnets.is_empty() {
            scope.report_invalid_props("subnets", format!("the VPC has no subnet of type {:?}", props.subnets));
        }
        let handle = scope.add(
            "Resource",
            l1::VPCEndpoint::new()
                .vpc_id(vpc.vpc_id())
                .vpc_endpoint_type("Interface")
                .service_name(fns::sub(format!("com.amazonaws.${{AWS::Region}}.{}", props.service)))
                .private_dns_enabled(props.private_dns)
                .subnet_ids(subnets)
                .security_group_ids(vec![security_group.group_id()]),
        );
        InterfaceEndpoint {
            id: id.to_owned(),
            handle,
            security_group,
        }
    }

    /// `Ref`: the endpoint id.
    pub fn endpoint_id(&self) -> Str {
        self.handle.reference()
    }

    pub fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }

    pub fn handle(&self) -> &Handle<l1::VPCEndpoint> {
        &self.handle
    }
}

impl Connectable for InterfaceEndpoint {
    fn security_group_id(&self) -> Option<Str> {
        Some(self.security_group.group_id())
    }
    fn connection_name(&self) -> &str {
        &self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::{Port, VpcProps, allow};
    use crate::test_util::template;
    use kumo_core::Stack;
    use serde_json::json;

    #[test]
    fn endpoint_in_private_subnets_with_closed_security_group() {
        let mut stack = Stack::new("T");
        let vpc = Vpc::new(&mut stack, "VPC", VpcProps::default());
        let endpoint = InterfaceEndpoint::new(&mut stack, "VPCEndpoint", &vpc, InterfaceEndpointProps::new("ecr.dkr"));
        let client = SecurityGroup::new(
            &mut stack,
            "Client",
            vpc.vpc_id(),
            SecurityGroupProps::default().allow_all_outbound(true),
        );
        allow(&mut stack, &client, &endpoint, Port::Tcp(443), "client to ECR");
        let t = template(&stack);
        t.has_resource_properties(
            "AWS::EC2::VPCEndpoint",
            json!({
                "VpcEndpointType": "Interface",
                "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.ecr.dkr"},
                "PrivateDnsEnabled": true,
                "SubnetIds": [
                    kumo_core::Expr::from(vpc.private_subnet_ids()[0].clone()).to_json(),
                    kumo_core::Expr::from(vpc.private_subnet_ids()[1].clone()).to_json()
                ],
            }),
        );
        t.has_resource_properties(
            "AWS::EC2::SecurityGroupIngress",
            json!({"GroupId": {"Fn::GetAtt": [endpoint.security_group().handle().logical_id().as_str(), "GroupId"]}, "FromPort": 443}),
        );
        // Only the explicit client is allowed in.
        t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    }
}
