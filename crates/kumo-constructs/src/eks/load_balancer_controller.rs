//! The IAM policy of the AWS Load Balancer Controller, as published upstream
//! (`docs/install/iam_policy.json` of kubernetes-sigs/aws-load-balancer-controller at
//! [`VERSION`]), written as typed statements with partition-agnostic ARNs.
//!
//! Resources and conditions are scoped exactly as upstream scopes them. Where upstream grants on
//! `"*"`, the comment says why: either the action has no resource type (IAM only accepts `*`), or the
//! resource does not exist yet when the call is authorized (creations, which upstream narrows with the
//! `elbv2.k8s.aws/cluster` request tag instead), or the controller must act on resources it did not
//! create (the node security groups it opens to its load balancers).

use crate::iam::{PolicyDocument, PolicyStatement};

/// The controller version the policy is taken from; install this version of the controller
/// (its Helm chart) so the policy and the controller agree.
pub const VERSION: &str = "v3.5.0";

/// The tag the controller puts on everything it creates.
const CLUSTER_TAG: &str = "elbv2.k8s.aws/cluster";

fn arn(service: &str, resource: &str) -> kumo_core::Str {
    // Upstream writes `arn:aws:<service>:*:*:<resource>` (any region, any account); only the partition is
    // made a parameter.
    kumo_core::fns::sub(format!("arn:${{AWS::Partition}}:{service}:*:*:{resource}"))
}

fn target_groups_and_load_balancers() -> Vec<kumo_core::Str> {
    vec![
        arn("elasticloadbalancing", "targetgroup/*/*"),
        arn("elasticloadbalancing", "loadbalancer/net/*/*"),
        arn("elasticloadbalancing", "loadbalancer/app/*/*"),
    ]
}

/// The controller's permissions.
pub fn policy() -> PolicyDocument {
    let request_tag = format!("aws:RequestTag/{CLUSTER_TAG}");
    let resource_tag = format!("aws:ResourceTag/{CLUSTER_TAG}");
    PolicyDocument::new()
        // `*`: iam:CreateServiceLinkedRole names the role by service, not by ARN; the condition limits it to
        // the Elastic Load Balancing service-linked role.
        .statement(
            PolicyStatement::allow()
                .actions(["iam:CreateServiceLinkedRole"])
                .all_resources()
                .condition(
                    "StringEquals",
                    "iam:AWSServiceName",
                    "elasticloadbalancing.amazonaws.com",
                ),
        )
        // `*`: Describe*/Get* reads of EC2 and ELB have no resource type; IAM only accepts `*`.
        .statement(
            PolicyStatement::allow()
                .actions([
                    "ec2:DescribeAccountAttributes",
                    "ec2:DescribeAddresses",
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeInternetGateways",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeVpcPeeringConnections",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeInstances",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeTags",
                    "ec2:GetCoipPoolUsage",
                    "ec2:DescribeCoipPools",
                    "ec2:GetSecurityGroupsForVpc",
                    "ec2:DescribeIpamPools",
                    "ec2:DescribeRouteTables",
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeLoadBalancerAttributes",
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeListenerCertificates",
                    "elasticloadbalancing:DescribeSSLPolicies",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetGroupAttributes",
                    "elasticloadbalancing:DescribeTargetHealth",
                    "elasticloadbalancing:DescribeTags",
                    "elasticloadbalancing:DescribeTrustStores",
                    "elasticloadbalancing:DescribeListenerAttributes",
                    "elasticloadbalancing:DescribeCapacityReservation",
                ])
                .all_resources(),
        )
        // `*`: the certificates, user pools and web ACLs a load balancer uses are named in Ingress
        // annotations at run time, in any account the cluster's owner chooses; upstream grants these reads
        // and associations on all of them.
        .statement(
            PolicyStatement::allow()
                .actions([
                    "cognito-idp:DescribeUserPoolClient",
                    "acm:ListCertificates",
                    "acm:DescribeCertificate",
                    "iam:ListServerCertificates",
                    "iam:GetServerCertificate",
                    "waf-regional:GetWebACL",
                    "waf-regional:GetWebACLForResource",
                    "waf-regional:AssociateWebACL",
                    "waf-regional:DisassociateWebACL",
                    "wafv2:GetWebACL",
                    "wafv2:GetWebACLForResource",
                    "wafv2:AssociateWebACL",
                    "wafv2:DisassociateWebACL",
                    "shield:GetSubscriptionState",
                    "shield:DescribeProtection",
                    "shield:CreateProtection",
                    "shield:DeleteProtection",
                ])
                .all_resources(),
        )
        // `*`: the controller opens the node / pod security groups (created by EKS, not tagged by the
        // controller) to its load balancers.
        .statement(
            PolicyStatement::allow()
                .actions(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"])
                .all_resources(),
        )
        // `*`: a security group being created has no ARN yet; its tags are checked by the next statement.
        .statement(
            PolicyStatement::allow()
                .actions(["ec2:CreateSecurityGroup"])
                .all_resources(),
        )
        .statement(
            PolicyStatement::allow()
                .actions(["ec2:CreateTags"])
                .resource(arn("ec2", "security-group/*"))
                .condition("StringEquals", "ec2:CreateAction", "CreateSecurityGroup")
                .condition("Null", request_tag.as_str(), "false"),
        )
        .statement(
            PolicyStatement::allow()
                .actions(["ec2:CreateTags", "ec2:DeleteTags"])
                .resource(arn("ec2", "security-group/*"))
                .condition("Null", request_tag.as_str(), "true")
                .condition("Null", resource_tag.as_str(), "false"),
        )
        // `*` narrowed by the condition: only security groups carrying the controller's cluster tag.
        .statement(
            PolicyStatement::allow()
                .actions([
                    "ec2:AuthorizeSecurityGroupIngress",
                    "ec2:RevokeSecurityGroupIngress",
                    "ec2:DeleteSecurityGroup",
                ])
                .all_resources()
                .condition("Null", resource_tag.as_str(), "false"),
        )
        // `*` narrowed by the condition: creations must carry the cluster tag (no ARN exists yet).
        .statement(
            PolicyStatement::allow()
                .actions([
                    "elasticloadbalancing:CreateLoadBalancer",
                    "elasticloadbalancing:CreateTargetGroup",
                ])
                .all_resources()
                .condition("Null", request_tag.as_str(), "false"),
        )
        // `*`: listeners and rules are created on load balancers the previous statement let the
        // controller create; upstream does not narrow them further.
        .statement(
            PolicyStatement::allow()
                .actions([
                    "elasticloadbalancing:CreateListener",
                    "elasticloadbalancing:DeleteListener",
                    "elasticloadbalancing:CreateRule",
                    "elasticloadbalancing:DeleteRule",
                ])
                .all_resources(),
        )
        .statement(
            PolicyStatement::allow()
                .actions(["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"])
                .resources(target_groups_and_load_balancers())
                .condition("Null", request_tag.as_str(), "true")
                .condition("Null", resource_tag.as_str(), "false"),
        )
        .statement(
            PolicyStatement::allow()
                .actions(["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"])
                .resources([
                    arn("elasticloadbalancing", "listener/net/*/*/*"),
                    arn("elasticloadbalancing", "listener/app/*/*/*"),
                    arn("elasticloadbalancing", "listener-rule/net/*/*/*"),
                    arn("elasticloadbalancing", "listener-rule/app/*/*/*"),
                ]),
        )
        // `*` narrowed by the condition: only load balancers and target groups with the cluster tag.
        .statement(
            PolicyStatement::allow()
                .actions([
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:SetIpAddressType",
                    "elasticloadbalancing:SetSecurityGroups",
                    "elasticloadbalancing:SetSubnets",
                    "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:ModifyTargetGroup",
                    "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:DeleteTargetGroup",
                    "elasticloadbalancing:ModifyListenerAttributes",
                    "elasticloadbalancing:ModifyCapacityReservation",
                    "elasticloadbalancing:ModifyIpPools",
                ])
                .all_resources()
                .condition("Null", resource_tag.as_str(), "false"),
        )
        .statement(
            PolicyStatement::allow()
                .actions(["elasticloadbalancing:AddTags"])
                .resources(target_groups_and_load_balancers())
                .condition_values(
                    "StringEquals",
                    "elasticloadbalancing:CreateAction",
                    ["CreateTargetGroup", "CreateLoadBalancer"],
                )
                .condition("Null", request_tag.as_str(), "false"),
        )
        .statement(
            PolicyStatement::allow()
                .actions([
                    "elasticloadbalancing:RegisterTargets",
                    "elasticloadbalancing:DeregisterTargets",
                ])
                .resource(arn("elasticloadbalancing", "targetgroup/*/*")),
        )
        // `*`: listener and rule changes on the controller's own load balancers; upstream does not narrow
        // them further.
        .statement(
            PolicyStatement::allow()
                .actions([
                    "elasticloadbalancing:SetWebAcl",
                    "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:AddListenerCertificates",
                    "elasticloadbalancing:RemoveListenerCertificates",
                    "elasticloadbalancing:ModifyRule",
                    "elasticloadbalancing:SetRulePriorities",
                ])
                .all_resources(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (actions, resources) of each statement of the upstream document at `VERSION`, in order.
    const UPSTREAM_SHAPE: &[(usize, usize)] = &[
        (1, 1),
        (29, 1),
        (17, 1),
        (2, 1),
        (1, 1),
        (1, 1),
        (2, 1),
        (3, 1),
        (2, 1),
        (4, 1),
        (2, 3),
        (2, 4),
        (11, 1),
        (1, 3),
        (2, 1),
        (6, 1),
    ];

    #[test]
    fn matches_the_upstream_statement_shape() {
        let document = policy();
        let shape: Vec<(usize, usize)> = document
            .statements()
            .iter()
            .map(|s| (s.action_list().len(), s.resource_list().len()))
            .collect();
        assert_eq!(shape, UPSTREAM_SHAPE);
        let actions: usize = document.statements().iter().map(|s| s.action_list().len()).sum();
        assert_eq!(actions, 86);
    }

    #[test]
    fn no_wildcard_actions() {
        for statement in policy().statements() {
            for action in statement.action_list() {
                assert!(!action.contains('*'), "{action}");
            }
        }
    }
}
