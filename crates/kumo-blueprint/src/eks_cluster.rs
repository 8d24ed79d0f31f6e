//! The EKS cluster (seed `eks_cluster.go`): cluster role, native cluster, node role, launch template,
//! managed node group and the cluster admins.
//!
//! Where kumo differs from the seed, and why:
//! * native `AWS::EKS::Cluster` instead of the CDK's Lambda-backed cluster resource;
//! * access entries (`authenticationMode: API`) instead of the `aws-auth` ConfigMap edited by kubectl in a
//!   Lambda;
//! * control-plane logs with a retention, and KMS envelope encryption of Kubernetes secrets;
//! * IMDSv2 required and an encrypted root volume on the nodes; AL2023 instead of the retired AL2;
//! * the AWS Load Balancer Controller (seed: `AlbController` installed by a Helm Lambda) gets its IAM
//!   role in [`crate::pod_identities`]; the controller itself is installed on the cluster after the stack
//!   is up (the README shows how), not by the template.

use kumo_constructs::arn;
use kumo_constructs::ec2::{InterfaceEndpoint, LaunchTemplate, LaunchTemplateProps, Port, RootVolume, Vpc, allow};
use kumo_constructs::eks::{AccessEntry, AccessEntryProps, Cluster, ClusterProps, Nodegroup, NodegroupProps};
use kumo_constructs::iam::{Principal, Role, RoleProps};
use kumo_constructs::kms::Key;
use kumo_core::security::Rule;
use kumo_core::{Output, Stack, fns};

use crate::EksConfig;

/// The cluster, like the seed's `NewEksCluster`.
pub fn new_eks_cluster(
    stack: &mut Stack,
    config: &EksConfig,
    vpc: &Vpc,
    vpc_endpoint: &InterfaceEndpoint,
    key: &Key,
) -> Cluster {
    // The IAM role of the EKS control plane.
    let master_role = Role::new(
        stack,
        "EKSMasterRole",
        RoleProps::assumed_by(Principal::service("eks.amazonaws.com"))
            .role_name("eks-master-role")
            .aws_managed_policy("AmazonEKSClusterPolicy"),
    );

    // The cluster, its control plane in the private subnets. No default capacity (the node group below).
    let cluster = Cluster::new(
        stack,
        "EKSCluster",
        ClusterProps::new(config.kubernetes_version.as_str(), vpc.private_subnet_ids())
            .name(config.cluster_name.as_str())
            .role_arn(master_role.arn())
            .endpoint_access(config.endpoint_public_access, config.endpoint_private_access)
            .logging(config.control_plane_logs.clone())
            .log_retention(config.log_retention_days)
            .log_kms_key_arn(key.arn()),
    );
    if config.endpoint_public_access {
        stack.waive(
            cluster.handle(),
            Rule::EksPublicEndpoint,
            "the seed's public endpoint, so kubectl works from the developer's machine with IAM authentication; \
             eks.endpoint_public_access = false keeps the API inside the VPC",
        );
    }

    // Nodes pull images from ECR through the VPC endpoint (seed: all traffic; HTTPS is all it takes).
    allow(
        stack,
        &cluster,
        vpc_endpoint,
        Port::Tcp(443),
        "Allow access to VPC endpoint from EKS cluster",
    );

    // The IAM role of the nodes: the three policies every EKS node needs, plus Session Manager access.
    let node_role = Role::new(
        stack,
        "EKSNodeRole",
        RoleProps::assumed_by(Principal::service("ec2.amazonaws.com"))
            .role_name("eks-node-role")
            .aws_managed_policy("AmazonEKSWorkerNodePolicy")
            .aws_managed_policy("AmazonEC2ContainerRegistryReadOnly")
            .aws_managed_policy("AmazonEKS_CNI_Policy")
            .aws_managed_policy("AmazonSSMManagedInstanceCore"),
    );

    // The nodes' launch template. The seed sets monitoring, termination protection, EBS optimisation,
    // hibernation and Nitro Enclaves all to false: EC2's defaults, so nothing is written for them. kumo
    // adds IMDSv2 (hop limit 2, so pods can still reach the metadata service) and an encrypted root volume.
    let launch_template = LaunchTemplate::new(
        stack,
        "EKSNodesLaunchTemplate",
        LaunchTemplateProps::default()
            .name("eks-nodes-launch-template")
            .http_put_response_hop_limit(2)
            .root_volume(Some(RootVolume::default().size_gib(config.node_group.disk_size_gib))),
    );

    // The managed node group in the private-with-NAT subnets, on the launch template (id + latest version).
    let nodes = &config.node_group;
    Nodegroup::new(
        stack,
        "EKSNodeGroup",
        &cluster,
        NodegroupProps::new(vpc.private_subnet_ids())
            .name(nodes.name.as_str())
            .node_role_arn(node_role.arn())
            .ami_type(nodes.ami_type.as_str())
            .capacity_type(nodes.capacity_type)
            .instance_types(nodes.instance_types.iter().map(|t| t.as_str().to_owned()))
            .scaling(nodes.desired_size, nodes.min_size, nodes.max_size)
            .labels(nodes.labels.clone())
            .tags(nodes.tags.clone())
            .launch_template(&launch_template),
    );

    // Cluster admins. The seed maps the IAM user and the (MFA) admin role to `system:masters` in the
    // `aws-auth` ConfigMap; kumo gives each an access entry with the cluster-admin access policy.
    for user in &config.admin_users {
        AccessEntry::new(
            &mut stack.scope("EKSClusterAdmins"),
            &format!("User{user}"),
            AccessEntryProps::new(cluster.name(), arn::iam_user(user)).cluster_admin(),
        );
    }
    for role in &config.admin_roles {
        AccessEntry::new(
            &mut stack.scope("EKSClusterAdmins"),
            &format!("Role{role}"),
            AccessEntryProps::new(cluster.name(), arn::iam_role(role)).cluster_admin(),
        );
    }

    stack.add_output(
        "ClusterName",
        Output::new(cluster.name()).description("EKS cluster name"),
    );
    stack.add_output(
        "ClusterEndpoint",
        Output::new(cluster.endpoint()).description("Kubernetes API server"),
    );
    stack.add_output(
        "CertificateAuthorityData",
        Output::new(cluster.certificate_authority_data()).description("Cluster CA (base64 PEM), for kubeconfig"),
    );
    stack.add_output(
        "KubeconfigCommand",
        Output::new(fns::sub(
            "kumo kubeconfig --stack-name ${AWS::StackName} --region ${AWS::Region}",
        ))
        .description("Writes a kubeconfig entry for the cluster (its user runs `kumo token`)"),
    );
    cluster
}
