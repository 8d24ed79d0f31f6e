//! The rule table: every kind of leftover kumo removes, how it is found, how it is deleted, what
//! blocks its deletion and which answers mean "not yet, try again". The table is data, read by
//! [`crate::sweep`] (kumo's own async sweep, in table order) and meant to be rendered as well into a
//! state machine that runs the same sweep without kumo present (the time-to-live issue); keep every
//! fact about a kind here, not in the code that acts on it.

/// A kind of resource a stack's controllers leave outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An ELBv2 listener (its rules go with it).
    Listener,
    LoadBalancer,
    TargetGroup,
    /// An ENI in status `available` (attached ones go with their owner).
    NetworkInterface,
    /// A rule on a security group that names a leftover security group.
    SecurityGroupRule,
    SecurityGroup,
    /// A record external-dns made, with its TXT ownership record(s).
    DnsRecord,
    /// An EBS volume made for a PersistentVolume: holds data, so kept unless asked.
    Volume,
    /// Tagged for the stack, of a type kumo does not delete: listed, reported, never touched.
    Other,
}

/// How a kind is found, deleted and waited for.
#[derive(Debug)]
pub struct Rule {
    pub kind: Kind,
    /// What to call one, in plans and messages.
    pub noun: &'static str,
    /// Which controller usually makes it.
    pub made_by: &'static str,
    /// The look-up (`service:Action`) and the marks it matches.
    pub find: &'static str,
    /// The delete (`service:Action`).
    pub delete: &'static str,
    /// Kinds whose members must be gone first (each appears earlier in [`RULES`]).
    pub blocked_by: &'static [Kind],
    /// Error codes of the delete that mean "something still depends on it": retried with back-off
    /// until the sweep's deadline, then reported with the blocker.
    pub retry_on: &'static [&'static str],
    /// Error codes that mean it is already gone.
    pub gone_on: &'static [&'static str],
    /// Deletion is asynchronous: poll the look-up until it is gone before going on.
    pub wait_until_gone: bool,
    /// Deleted only with `--delete-volumes` (it holds data).
    pub keeps_data: bool,
    /// It has no charge of its own (shown as `$0` per hour).
    pub free: bool,
    /// The same look-up and delete as Step Functions `aws-sdk` tasks, for the reaper's state machine
    /// ([`crate::machine`]): a kind without one is a compile error, so the two sweeps cannot drift.
    pub machine: Machine,
}

/// How the reaper's state machine finds and deletes a kind: `aws-sdk` task integrations, with the
/// service and action names as Step Functions spells them and parameters as the API's JSON.
/// Parameter texts are JSON objects in which `${StackName}` is the stack's name and, in Step
/// Functions' own syntax, keys ending in `.$` take a path: `$.item` is one thing found, `$.parent`
/// the item of the parent kind.
#[derive(Debug)]
pub enum Machine {
    /// One look-up (answers' list at `items`), then each item deleted. `tagged`: the look-up is the
    /// tagging API, whose tag filter is checked again on the tags it returns (as [`crate::discover`]
    /// does).
    Sweep {
        find: Call,
        items: &'static str,
        tagged: bool,
        delete: Call,
    },
    /// For each item of `parent`'s look-up: `before` (a call whose answer is kept at `$.before`, and
    /// the path of the list that must not be empty to go on), a look-up of its own, and a delete of
    /// each item found for which the Choice rule `only_if` (JSON) holds.
    Under {
        parent: Kind,
        before: Option<(Call, &'static str)>,
        find: Call,
        items: &'static str,
        only_if: Option<&'static str>,
        delete: Call,
    },
    /// external-dns records: each A / AAAA / CNAME record of the stack's zones whose TXT ownership
    /// record (`<type>-<name>`) names this stack, deleted with it in one change.
    OwnedRecords,
    /// Kept data: deleted only when the reaper is told to (`ttl_delete_volumes`), else left.
    Optional(&'static Machine),
    /// Never deleted: the state only records that it was left.
    Leave,
}

/// One `aws-sdk` call: `arn:aws:states:::aws-sdk:<service>:<action>` with `parameters`.
#[derive(Debug)]
pub struct Call {
    pub service: &'static str,
    pub action: &'static str,
    pub parameters: &'static str,
}

const TAGGING: &str = "resourcegroupstaggingapi";
const ELBV2: &str = "elasticloadbalancingv2";
const EC2: &str = "ec2";

const VOLUME_SWEEP: Machine = Machine::Sweep {
    find: Call {
        service: EC2,
        action: "describeVolumes",
        parameters: r#"{"Filters": [{"Name": "tag:kumo:stack", "Values": ["${StackName}"]}, {"Name": "status", "Values": ["available"]}]}"#,
    },
    items: "$.Volumes",
    tagged: false,
    delete: Call {
        service: EC2,
        action: "deleteVolume",
        parameters: r#"{"VolumeId.$": "$.item.VolumeId"}"#,
    },
};

/// The rules in sweep order: a kind comes after every kind that blocks it.
pub static RULES: &[Rule] = &[
    Rule {
        kind: Kind::Listener,
        noun: "listener",
        made_by: "AWS Load Balancer Controller",
        find: "elasticloadbalancing:DescribeListeners of each leftover load balancer",
        delete: "elasticloadbalancing:DeleteListener",
        blocked_by: &[],
        retry_on: &["ResourceInUse"],
        gone_on: &["ListenerNotFound", "LoadBalancerNotFound"],
        wait_until_gone: false,
        keeps_data: false,
        free: true,
        machine: Machine::Under {
            parent: Kind::LoadBalancer,
            before: None,
            find: Call {
                service: ELBV2,
                action: "describeListeners",
                parameters: r#"{"LoadBalancerArn.$": "$.parent.ResourceARN"}"#,
            },
            items: "$.Listeners",
            only_if: None,
            delete: Call {
                service: ELBV2,
                action: "deleteListener",
                parameters: r#"{"ListenerArn.$": "$.item.ListenerArn"}"#,
            },
        },
    },
    Rule {
        kind: Kind::LoadBalancer,
        noun: "load balancer",
        made_by: "AWS Load Balancer Controller",
        find: "elasticloadbalancing:DescribeLoadBalancers + DescribeTags: kumo:stack=<stack>, or \
               elbv2.k8s.aws/cluster=<cluster> in the stack's VPC",
        delete: "elasticloadbalancing:DeleteLoadBalancer",
        blocked_by: &[Kind::Listener],
        retry_on: &["ResourceInUse", "OperationNotPermitted"],
        gone_on: &["LoadBalancerNotFound"],
        wait_until_gone: true,
        keeps_data: false,
        free: false,
        machine: Machine::Sweep {
            find: Call {
                service: TAGGING,
                action: "getResources",
                parameters: r#"{"TagFilters": [{"Key": "kumo:stack", "Values": ["${StackName}"]}], "ResourceTypeFilters": ["elasticloadbalancing:loadbalancer"]}"#,
            },
            items: "$.ResourceTagMappingList",
            tagged: true,
            delete: Call {
                service: ELBV2,
                action: "deleteLoadBalancer",
                parameters: r#"{"LoadBalancerArn.$": "$.item.ResourceARN"}"#,
            },
        },
    },
    Rule {
        kind: Kind::TargetGroup,
        noun: "target group",
        made_by: "AWS Load Balancer Controller",
        find: "elasticloadbalancing:DescribeTargetGroups + DescribeTags: kumo:stack=<stack>, or \
               elbv2.k8s.aws/cluster=<cluster> in the stack's VPC",
        delete: "elasticloadbalancing:DeleteTargetGroup",
        blocked_by: &[Kind::Listener, Kind::LoadBalancer],
        retry_on: &["ResourceInUse"],
        gone_on: &["TargetGroupNotFound"],
        wait_until_gone: false,
        keeps_data: false,
        free: true,
        machine: Machine::Sweep {
            find: Call {
                service: TAGGING,
                action: "getResources",
                parameters: r#"{"TagFilters": [{"Key": "kumo:stack", "Values": ["${StackName}"]}], "ResourceTypeFilters": ["elasticloadbalancing:targetgroup"]}"#,
            },
            items: "$.ResourceTagMappingList",
            tagged: true,
            delete: Call {
                service: ELBV2,
                action: "deleteTargetGroup",
                parameters: r#"{"TargetGroupArn.$": "$.item.ResourceARN"}"#,
            },
        },
    },
    Rule {
        kind: Kind::NetworkInterface,
        noun: "network interface",
        made_by: "VPC CNI / load balancer",
        find: "ec2:DescribeNetworkInterfaces status=available: tag kumo:stack=<stack>, or \
               cluster.k8s.amazonaws.com/name=<cluster> in the stack's VPC",
        delete: "ec2:DeleteNetworkInterface",
        blocked_by: &[Kind::LoadBalancer],
        retry_on: &["InvalidNetworkInterface.InUse", "DependencyViolation"],
        gone_on: &["InvalidNetworkInterfaceID.NotFound"],
        wait_until_gone: false,
        keeps_data: false,
        free: true,
        machine: Machine::Sweep {
            find: Call {
                service: EC2,
                action: "describeNetworkInterfaces",
                parameters: r#"{"Filters": [{"Name": "tag:kumo:stack", "Values": ["${StackName}"]}, {"Name": "status", "Values": ["available"]}]}"#,
            },
            items: "$.NetworkInterfaces",
            tagged: false,
            delete: Call {
                service: EC2,
                action: "deleteNetworkInterface",
                parameters: r#"{"NetworkInterfaceId.$": "$.item.NetworkInterfaceId"}"#,
            },
        },
    },
    Rule {
        kind: Kind::SecurityGroupRule,
        noun: "security group rule",
        made_by: "AWS Load Balancer Controller",
        find: "ec2:DescribeSecurityGroups in the leftover groups' VPCs: rules naming a leftover group, \
               on groups of this stack or of no other",
        delete: "ec2:RevokeSecurityGroupIngress / RevokeSecurityGroupEgress",
        blocked_by: &[],
        retry_on: &[],
        gone_on: &["InvalidPermission.NotFound", "InvalidGroup.NotFound"],
        wait_until_gone: false,
        keeps_data: false,
        free: true,
        machine: Machine::Under {
            parent: Kind::SecurityGroup,
            // The groups with a rule naming the leftover group, then their rules: only the ingress
            // rules naming it are revoked.
            before: Some((
                Call {
                    service: EC2,
                    action: "describeSecurityGroups",
                    parameters: r#"{"Filters": [{"Name": "ip-permission.group-id", "Values.$": "States.Array($.parent.GroupId)"}]}"#,
                },
                "$.before.SecurityGroups",
            )),
            find: Call {
                service: EC2,
                action: "describeSecurityGroupRules",
                parameters: r#"{"Filters": [{"Name": "group-id", "Values.$": "$.before.SecurityGroups[*].GroupId"}]}"#,
            },
            items: "$.SecurityGroupRules",
            only_if: Some(
                r#"{"And": [{"Variable": "$.item.IsEgress", "BooleanEquals": false}, {"Variable": "$.item.ReferencedGroupInfo.GroupId", "IsPresent": true}, {"Variable": "$.item.ReferencedGroupInfo.GroupId", "StringEqualsPath": "$.parent.GroupId"}]}"#,
            ),
            delete: Call {
                service: EC2,
                action: "revokeSecurityGroupIngress",
                parameters: r#"{"GroupId.$": "$.item.GroupId", "SecurityGroupRuleIds.$": "States.Array($.item.SecurityGroupRuleId)"}"#,
            },
        },
    },
    Rule {
        kind: Kind::SecurityGroup,
        noun: "security group",
        made_by: "AWS Load Balancer Controller",
        find: "ec2:DescribeSecurityGroups: tag kumo:stack=<stack>, or elbv2.k8s.aws/cluster=<cluster> in \
               the stack's VPC",
        delete: "ec2:DeleteSecurityGroup",
        // The load balancer's own interfaces use the group until it is gone; rules elsewhere name it.
        blocked_by: &[Kind::LoadBalancer, Kind::NetworkInterface, Kind::SecurityGroupRule],
        retry_on: &["DependencyViolation", "InvalidGroup.InUse"],
        gone_on: &["InvalidGroup.NotFound"],
        wait_until_gone: false,
        keeps_data: false,
        free: true,
        machine: Machine::Sweep {
            find: Call {
                service: EC2,
                action: "describeSecurityGroups",
                parameters: r#"{"Filters": [{"Name": "tag:kumo:stack", "Values": ["${StackName}"]}]}"#,
            },
            items: "$.SecurityGroups",
            tagged: false,
            delete: Call {
                service: EC2,
                action: "deleteSecurityGroup",
                parameters: r#"{"GroupId.$": "$.item.GroupId"}"#,
            },
        },
    },
    Rule {
        kind: Kind::DnsRecord,
        noun: "DNS record",
        made_by: "external-dns",
        find: "route53:ListResourceRecordSets of the stack's zones: TXT \"heritage=external-dns,\
               external-dns/owner=<stack>\" and the record it owns",
        delete: "route53:ChangeResourceRecordSets (DELETE, the record and its TXT together)",
        blocked_by: &[],
        retry_on: &["PriorRequestNotComplete"],
        gone_on: &["InvalidChangeBatch"],
        wait_until_gone: false,
        keeps_data: false,
        free: true,
        machine: Machine::OwnedRecords,
    },
    Rule {
        kind: Kind::Volume,
        noun: "EBS volume",
        made_by: "EBS CSI driver",
        find: "ec2:DescribeVolumes: tag kumo:stack=<stack>, or kubernetes.io/cluster/<cluster>=owned",
        delete: "ec2:DeleteVolume (only with --delete-volumes)",
        blocked_by: &[],
        retry_on: &["VolumeInUse"],
        gone_on: &["InvalidVolume.NotFound"],
        wait_until_gone: false,
        keeps_data: true,
        free: false,
        machine: Machine::Optional(&VOLUME_SWEEP),
    },
    Rule {
        kind: Kind::Other,
        noun: "tagged resource",
        made_by: "unknown",
        find: "tag:GetResources kumo:stack=<stack> (types the rows above do not cover)",
        delete: "none: kumo lists it and leaves it",
        blocked_by: &[],
        retry_on: &[],
        gone_on: &[],
        wait_until_gone: false,
        keeps_data: false,
        free: false,
        machine: Machine::Leave,
    },
];

/// The rule of a kind.
pub fn rule(kind: Kind) -> &'static Rule {
    // Every kind has a row: `every_kind_has_exactly_one_rule` checks it.
    RULES.iter().find(|r| r.kind == kind).unwrap_or(&RULES[RULES.len() - 1])
}

/// The tag every resource made for a stack by kumo's controllers carries (the Load Balancer
/// Controller's `--default-tags`; set the same on anything else made for the stack).
pub const STACK_TAG: &str = "kumo:stack";
/// CloudFormation's own tag on stack resources: such a resource is never a leftover.
pub const CFN_STACK_TAG: &str = "aws:cloudformation:stack-name";
/// The Load Balancer Controller's cluster tag.
pub const LBC_CLUSTER_TAG: &str = "elbv2.k8s.aws/cluster";
/// The VPC CNI's cluster tag on the interfaces it makes.
pub const CNI_CLUSTER_TAG: &str = "cluster.k8s.amazonaws.com/name";
/// The EBS CSI driver's (and the cloud provider's) cluster tag prefix: `kubernetes.io/cluster/<name>`.
pub const K8S_CLUSTER_TAG_PREFIX: &str = "kubernetes.io/cluster/";

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Kind; 9] = [
        Kind::Listener,
        Kind::LoadBalancer,
        Kind::TargetGroup,
        Kind::NetworkInterface,
        Kind::SecurityGroupRule,
        Kind::SecurityGroup,
        Kind::DnsRecord,
        Kind::Volume,
        Kind::Other,
    ];

    #[test]
    fn every_kind_has_exactly_one_rule() {
        for kind in ALL {
            assert_eq!(RULES.iter().filter(|r| r.kind == kind).count(), 1, "{kind:?}");
            assert_eq!(rule(kind).kind, kind);
        }
        assert_eq!(RULES.len(), ALL.len());
    }

    #[test]
    fn the_table_is_in_dependency_order() {
        for (at, rule) in RULES.iter().enumerate() {
            for blocker in rule.blocked_by {
                let blocker_at = RULES.iter().position(|r| r.kind == *blocker).unwrap();
                assert!(blocker_at < at, "{:?} must come after {blocker:?}", rule.kind);
            }
        }
    }

    #[test]
    fn only_volumes_keep_data_and_other_is_never_deleted() {
        let keeping: Vec<Kind> = RULES.iter().filter(|r| r.keeps_data).map(|r| r.kind).collect();
        assert_eq!(keeping, [Kind::Volume]);
        assert_eq!(RULES.last().unwrap().kind, Kind::Other);
    }
}
