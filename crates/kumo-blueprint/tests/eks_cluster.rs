//! The EKS module (seed `eks_cluster_test.go`): cluster role, native cluster, logs, secrets encryption,
//! node role, launch template, node group, admins, and the wiring to the network.

mod common;

use common::*;
use kumo_blueprint::{Config, ControlPlaneLog};
use kumo_core::assertions::Match;
use serde_json::json;

#[test]
fn master_role_has_the_seed_name_and_the_cluster_policy() {
    let t = default_template();
    let role = id_of(&t, "AWS::IAM::Role", "EKSMasterRole");
    assert_eq!(
        resource(&t, &role)["Properties"],
        json!({
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ]},
            "ManagedPolicyArns": [aws_managed_policy("AmazonEKSClusterPolicy")],
            "RoleName": "eks-master-role"
        })
    );
}

#[test]
fn native_cluster_with_access_entries_logging_and_encrypted_secrets() {
    let t = default_template();
    t.resource_count_is("AWS::EKS::Cluster", 1);
    let cluster = id_of(&t, "AWS::EKS::Cluster", "EKSCluster");
    let role = id_of(&t, "AWS::IAM::Role", "EKSMasterRole");
    let key = id_of(&t, "AWS::KMS::Key", "EKSClusterSecretsKey");
    let logs = id_of(&t, "AWS::Logs::LogGroup", "EKSClusterControlPlaneLogs");
    let private: Vec<_> = (1..=2)
        .map(|n| r#ref(&id_of(&t, "AWS::EC2::Subnet", &format!("VPCPrivateSubnet{n}"))))
        .collect();
    assert_eq!(
        resource(&t, &cluster),
        json!({
            "Type": "AWS::EKS::Cluster",
            "Properties": {
                "AccessConfig": {"AuthenticationMode": "API"},
                "EncryptionConfig": [{"Provider": {"KeyArn": get_att(&key, "Arn")}, "Resources": ["secrets"]}],
                "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": "api"}, {"Type": "audit"}, {"Type": "authenticator"}]}},
                "Name": "eks-cluster",
                "ResourcesVpcConfig": {"EndpointPrivateAccess": true, "EndpointPublicAccess": true, "SubnetIds": private},
                "RoleArn": get_att(&role, "Arn"),
                "Version": "1.36"
            },
            // EKS would create the log group itself (with no retention) if the cluster came first.
            "DependsOn": [logs],
            // The seed's public endpoint, waived with its reason for kumo's security rules.
            "Metadata": {"kumo": {"waivers": [{
                "rule": "eks-public-endpoint",
                "reason": "the seed's public endpoint, so kubectl works from the developer's machine with IAM \
                           authentication; eks.endpoint_public_access = false keeps the API inside the VPC"
            }]}}
        })
    );
    let environment_key = id_of(&t, "AWS::KMS::Key", "EnvironmentKey");
    t.has_resource_properties(
        "AWS::Logs::LogGroup",
        json!({"LogGroupName": "/aws/eks/eks-cluster/cluster", "RetentionInDays": 30,
               "KmsKeyId": get_att(&environment_key, "Arn")}),
    );
}

#[test]
fn secrets_key_rotates_and_only_the_cluster_role_may_use_it() {
    let t = default_template();
    let role = id_of(&t, "AWS::IAM::Role", "EKSMasterRole");
    t.has_resource_properties(
        "AWS::KMS::Key",
        json!({
            "EnableKeyRotation": true,
            "KeyPolicy": {"Statement": [
                {"Sid": "KeyAdministration", "Action": Match::any_value(), "Resource": "*"},
                {"Sid": "ServiceGrants", "Action": "kms:CreateGrant", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
                {"Sid": "KeyUse1", "Principal": {"AWS": get_att(&role, "Arn")},
                 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"]}
            ]}
        }),
    );
    let key = resource(&t, &id_of(&t, "AWS::KMS::Key", "EKSClusterSecretsKey"));
    let admin = list(&key["Properties"]["KeyPolicy"]["Statement"][0]["Action"]);
    for crypto in ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey"] {
        assert!(
            !admin.contains(&json!(crypto)),
            "the account's statement must not allow {crypto}"
        );
    }
}

#[test]
fn the_cluster_reaches_the_ecr_endpoint_on_443_only() {
    let t = default_template();
    let cluster = id_of(&t, "AWS::EKS::Cluster", "EKSCluster");
    let endpoint_group = id_of(&t, "AWS::EC2::SecurityGroup", "VPCEndpointSecurityGroup");
    let from_cluster: Vec<_> = ingress_into(&t, &endpoint_group)
        .into_iter()
        .filter(|rule| rule["SourceSecurityGroupId"] == get_att(&cluster, "ClusterSecurityGroupId"))
        .collect();
    assert_eq!(
        from_cluster,
        [json!({
            "Description": "Allow access to VPC endpoint from EKS cluster",
            "FromPort": 443,
            "GroupId": get_att(&endpoint_group, "GroupId"),
            "IpProtocol": "tcp",
            "SourceSecurityGroupId": get_att(&cluster, "ClusterSecurityGroupId"),
            "ToPort": 443
        })]
    );
}

#[test]
fn node_role_has_the_seed_name_and_four_policies() {
    let t = default_template();
    let role = id_of(&t, "AWS::IAM::Role", "EKSNodeRole");
    assert_eq!(
        resource(&t, &role)["Properties"],
        json!({
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ]},
            "ManagedPolicyArns": [
                aws_managed_policy("AmazonEKSWorkerNodePolicy"),
                aws_managed_policy("AmazonEC2ContainerRegistryReadOnly"),
                aws_managed_policy("AmazonEKS_CNI_Policy"),
                aws_managed_policy("AmazonSSMManagedInstanceCore")
            ],
            "RoleName": "eks-node-role"
        })
    );
}

#[test]
fn launch_template_requires_imdsv2_and_encrypts_the_root_volume() {
    let t = default_template();
    let template = id_of(&t, "AWS::EC2::LaunchTemplate", "EKSNodesLaunchTemplate");
    assert_eq!(
        resource(&t, &template)["Properties"],
        json!({
            "LaunchTemplateData": {
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": true, "VolumeSize": 20, "VolumeType": "gp3"}}],
                "MetadataOptions": {"HttpPutResponseHopLimit": 2, "HttpTokens": "required"}
            },
            "LaunchTemplateName": "eks-nodes-launch-template"
        })
    );
}

#[test]
fn node_group_is_the_seeds_in_the_private_subnets_on_the_launch_template() {
    let t = default_template();
    let cluster = id_of(&t, "AWS::EKS::Cluster", "EKSCluster");
    let role = id_of(&t, "AWS::IAM::Role", "EKSNodeRole");
    let template = id_of(&t, "AWS::EC2::LaunchTemplate", "EKSNodesLaunchTemplate");
    let private: Vec<_> = (1..=2)
        .map(|n| r#ref(&id_of(&t, "AWS::EC2::Subnet", &format!("VPCPrivateSubnet{n}"))))
        .collect();
    let group = id_of(&t, "AWS::EKS::Nodegroup", "EKSNodeGroup");
    assert_eq!(
        resource(&t, &group)["Properties"],
        json!({
            "AmiType": "AL2023_x86_64_STANDARD",
            "CapacityType": "SPOT",
            "ClusterName": r#ref(&cluster),
            "InstanceTypes": ["m5a.large", "m5.large", "m5ad.large", "m5d.large", "m5n.large", "m5dn.large"],
            "Labels": {"app": "practice"},
            "LaunchTemplate": {"Id": r#ref(&template), "Version": get_att(&template, "LatestVersionNumber")},
            "NodeRole": get_att(&role, "Arn"),
            "NodegroupName": "eks-node-group",
            "ScalingConfig": {"DesiredSize": 2, "MaxSize": 6, "MinSize": 2},
            "Subnets": private,
            "Tags": {"Environment": "production", "Service": "service_name"}
        })
    );
}

#[test]
fn cheap_profile_runs_a_small_spot_node_group() {
    let t = template(&Config::cheap());
    t.has_resource_properties(
        "AWS::EKS::Nodegroup",
        json!({"CapacityType": "SPOT", "InstanceTypes": ["t3.medium", "t3a.medium"], "ScalingConfig": {"DesiredSize": 1, "MinSize": 1, "MaxSize": 2}}),
    );
    t.has_resource_properties(
        "AWS::Logs::LogGroup",
        json!({"LogGroupName": "/aws/eks/eks-cluster/cluster", "RetentionInDays": 1}),
    );
}

#[test]
fn access_entries_make_the_configured_admins_cluster_admins() {
    // By default nobody but the deploying identity, which EKS makes admin as the cluster's creator.
    default_template().resource_count_is("AWS::EKS::AccessEntry", 0);
    // The seed's admins, set explicitly.
    let mut seed = Config::default();
    seed.eks.admin_users = vec!["akari".into()];
    seed.eks.admin_roles = vec!["AdminRole".into()];
    let t = template(&seed);
    t.resource_count_is("AWS::EKS::AccessEntry", 2);
    let cluster = id_of(&t, "AWS::EKS::Cluster", "EKSCluster");
    let admin_policy = json!([{
        "AccessScope": {"Type": "cluster"},
        "PolicyArn": {"Fn::Sub": "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"}
    }]);
    for principal in ["user/akari", "role/AdminRole"] {
        t.has_resource_properties(
            "AWS::EKS::AccessEntry",
            json!({
                "ClusterName": r#ref(&cluster),
                "PrincipalArn": {"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{principal}")},
                "AccessPolicies": admin_policy
            }),
        );
    }

    let mut config = Config::default();
    config.eks.admin_users = vec!["alice".into(), "bob".into()];
    config.eks.admin_roles.clear();
    let t = template(&config);
    t.resource_count_is("AWS::EKS::AccessEntry", 2);
    t.has_resource_properties(
        "AWS::EKS::AccessEntry",
        json!({"PrincipalArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/bob"}}),
    );
    config.eks.admin_users.clear();
    template(&config).resource_count_is("AWS::EKS::AccessEntry", 0);
}

#[test]
fn no_aws_auth_configmap_machinery() {
    let t = default_template();
    for kind in [
        "AWS::Lambda::Function",
        "Custom::AWSCDK-EKS-KubernetesResource",
        "AWS::CloudFormation::CustomResource",
    ] {
        t.resource_count_is(kind, 0);
    }
}

#[test]
fn cluster_outputs_name_endpoint_ca_and_kubeconfig_command() {
    // What `kumo kubeconfig` and `kumo deploy`'s in-cluster step read: no EKS API call needed.
    let t = default_template();
    let cluster = id_of(&t, "AWS::EKS::Cluster", "EKSCluster");
    t.has_output("ClusterName", json!({"Value": r#ref(&cluster)}));
    t.has_output("ClusterEndpoint", json!({"Value": get_att(&cluster, "Endpoint")}));
    t.has_output(
        "CertificateAuthorityData",
        json!({"Value": get_att(&cluster, "CertificateAuthorityData")}),
    );
    t.has_output(
        "KubeconfigCommand",
        json!({"Value": {"Fn::Sub": "kumo kubeconfig --stack-name ${AWS::StackName} --region ${AWS::Region}"}}),
    );
}

#[test]
fn configured_version_logs_and_endpoint_access_flow_through() {
    let mut config = Config::default();
    config.eks.kubernetes_version = "1.35".parse().unwrap();
    config.eks.control_plane_logs = vec![ControlPlaneLog::Audit, ControlPlaneLog::ControllerManager];
    config.eks.endpoint_public_access = false;
    let t = template(&config);
    t.has_resource_properties(
        "AWS::EKS::Cluster",
        json!({
            "Version": "1.35",
            "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": "audit"}, {"Type": "controllerManager"}]}},
            "ResourcesVpcConfig": {"EndpointPublicAccess": false, "EndpointPrivateAccess": true}
        }),
    );
}
