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
}

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
