//! Every resource type the blueprint uses can be instantiated through the generated L1 API, wired to the
//! others through typed attributes, and synthesizes into a template cfn-lint accepts with no error and
//! no warning.

use kumo_cfn::{certificatemanager, codebuild, ec2, ecr, eks, iam, kms, logs, rds, route53, scheduler, secretsmanager};
use kumo_core::assertions::Template;
use kumo_core::{DeletionPolicy, Expr, List, Output, ResourceOptions, Stack, Str, fns, pseudo};
use serde_json::json;

fn assume(service: &str) -> Expr {
    Expr::from(json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
    }))
}

fn az(index: i64) -> Str {
    fns::select(index, fns::get_azs())
}

/// One of each type, wired like a small EKS + Aurora environment.
pub fn every_blueprint_type() -> Stack {
    let mut stack = Stack::new("L1Types");
    stack.add_tag("Project", "kumo-l1-test");
    let vpc = stack.add(
        "Vpc",
        ec2::VPC::new()
            .cidr_block("10.0.0.0/16")
            .enable_dns_hostnames(true)
            .enable_dns_support(true),
    );
    let igw = stack.add("Igw", ec2::InternetGateway::new());
    let attach = stack.add(
        "IgwAttachment",
        ec2::VPCGatewayAttachment::new()
            .vpc_id(vpc.reference())
            .internet_gateway_id(igw.reference()),
    );
    let public = stack.add(
        "PublicSubnet",
        ec2::Subnet::new()
            .vpc_id(vpc.reference())
            .cidr_block("10.0.0.0/24")
            .availability_zone(az(0)),
    );
    let private_a = stack.add(
        "PrivateSubnetA",
        ec2::Subnet::new()
            .vpc_id(vpc.reference())
            .cidr_block("10.0.1.0/24")
            .availability_zone(az(0)),
    );
    let private_b = stack.add(
        "PrivateSubnetB",
        ec2::Subnet::new()
            .vpc_id(vpc.reference())
            .cidr_block("10.0.2.0/24")
            .availability_zone(az(1)),
    );
    let public_rt = stack.add("PublicRoutes", ec2::RouteTable::new().vpc_id(vpc.reference()));
    stack.add_with(
        "PublicDefaultRoute",
        ec2::Route::new()
            .route_table_id(public_rt.reference())
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(igw.reference()),
        ResourceOptions::new().depends_on(&attach),
    );
    stack.add(
        "PublicRouteAssociation",
        ec2::SubnetRouteTableAssociation::new()
            .route_table_id(public_rt.reference())
            .subnet_id(public.reference()),
    );
    let eip = stack.add_with(
        "NatIp",
        ec2::EIP::new().domain("vpc"),
        ResourceOptions::new().depends_on(&attach),
    );
    let nat = stack.add(
        "Nat",
        ec2::NatGateway::new()
            .subnet_id(public.reference())
            .allocation_id(eip.attr_allocation_id()),
    );
    let private_rt = stack.add("PrivateRoutes", ec2::RouteTable::new().vpc_id(vpc.reference()));
    stack.add(
        "PrivateDefaultRoute",
        ec2::Route::new()
            .route_table_id(private_rt.reference())
            .destination_cidr_block("0.0.0.0/0")
            .nat_gateway_id(nat.reference()),
    );
    for (id, subnet) in [("PrivateAssociationA", &private_a), ("PrivateAssociationB", &private_b)] {
        stack.add(
            id,
            ec2::SubnetRouteTableAssociation::new()
                .route_table_id(private_rt.reference())
                .subnet_id(subnet.reference()),
        );
    }
    let endpoint_sg = stack.add(
        "EndpointSecurityGroup",
        ec2::SecurityGroup::new()
            .group_description("ECR endpoint")
            .vpc_id(vpc.reference()),
    );
    let db_sg = stack.add(
        "DbSecurityGroup",
        ec2::SecurityGroup::new()
            .group_description("database")
            .vpc_id(vpc.reference()),
    );
    stack.add(
        "DbFromEndpointSg",
        ec2::SecurityGroupIngress::new()
            .group_id(db_sg.attr_group_id())
            .ip_protocol("tcp")
            .from_port(5432)
            .to_port(5432)
            .source_security_group_id(endpoint_sg.attr_group_id())
            .description("postgres from the endpoint group"),
    );
    stack.add(
        "EndpointEgress",
        ec2::SecurityGroupEgress::new()
            .group_id(endpoint_sg.attr_group_id())
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .cidr_ip("10.0.0.0/16")
            .description("https inside the VPC"),
    );
    stack.add(
        "EcrEndpoint",
        ec2::VPCEndpoint::new()
            .vpc_id(vpc.reference())
            .service_name(fns::sub("com.amazonaws.${AWS::Region}.ecr.dkr"))
            .vpc_endpoint_type("Interface")
            .private_dns_enabled(true)
            .subnet_ids(List::from([private_a.reference(), private_b.reference()]))
            .security_group_ids(List::from([endpoint_sg.attr_group_id()])),
    );
    let launch_template = stack.add(
        "NodeLaunchTemplate",
        ec2::LaunchTemplate::new().launch_template_data(
            ec2::launch_template::LaunchTemplateData::new()
                .metadata_options(
                    ec2::launch_template::MetadataOptions::new()
                        .http_tokens("required")
                        .http_put_response_hop_limit(2),
                )
                .block_device_mappings(vec![
                    ec2::launch_template::BlockDeviceMapping::new()
                        .device_name("/dev/xvda")
                        .ebs(
                            ec2::launch_template::Ebs::new()
                                .encrypted(true)
                                .volume_size(20)
                                .volume_type("gp3"),
                        ),
                ]),
        ),
    );

    let key = stack.add_with(
        "SecretsKey",
        kms::Key::new().enable_key_rotation(true).key_policy(Expr::from(json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                "Action": "kms:*",
                "Resource": "*"
            }]
        }))),
        ResourceOptions::new().removal_policy(DeletionPolicy::Retain),
    );
    let cluster_role = stack.add(
        "ClusterRole",
        iam::Role::new()
            .assume_role_policy_document(assume("eks.amazonaws.com"))
            .managed_policy_arns(vec![fns::sub(
                "arn:${AWS::Partition}:iam::aws:policy/AmazonEKSClusterPolicy",
            )]),
    );
    let node_role = stack.add(
        "NodeRole",
        iam::Role::new()
            .assume_role_policy_document(assume("ec2.amazonaws.com"))
            .managed_policy_arns(vec![
                fns::sub("arn:${AWS::Partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy"),
                fns::sub("arn:${AWS::Partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"),
                fns::sub("arn:${AWS::Partition}:iam::aws:policy/AmazonEKS_CNI_Policy"),
            ]),
    );
    let cluster = stack.add(
        "Cluster",
        eks::Cluster::new()
            .role_arn(cluster_role.attr_arn())
            .version("1.36")
            .access_config(eks::cluster::AccessConfig::new().authentication_mode("API"))
            .resources_vpc_config(
                eks::cluster::ResourcesVpcConfig::new()
                    .subnet_ids(List::from([private_a.reference(), private_b.reference()])),
            )
            .encryption_config(vec![
                eks::cluster::EncryptionConfig::new()
                    .resources(vec!["secrets"])
                    .provider(eks::cluster::Provider::new().key_arn(key.attr_arn())),
            ])
            .logging(
                eks::cluster::Logging::new().cluster_logging(eks::cluster::ClusterLogging::new().enabled_types(vec![
                    eks::cluster::LoggingTypeConfig::new().r#type("audit"),
                    eks::cluster::LoggingTypeConfig::new().r#type("authenticator"),
                ])),
            ),
    );
    stack.add(
        "Nodes",
        eks::Nodegroup::new()
            .cluster_name(cluster.reference())
            .node_role(node_role.attr_arn())
            .subnets(List::from([private_a.reference(), private_b.reference()]))
            .capacity_type("SPOT")
            .ami_type("AL2023_x86_64_STANDARD")
            .instance_types(vec!["m5.large", "m5a.large"])
            .scaling_config(
                eks::nodegroup::ScalingConfig::new()
                    .desired_size(2)
                    .min_size(2)
                    .max_size(6),
            )
            .labels(vec![("app", "practice")])
            .launch_template(
                eks::nodegroup::LaunchTemplateSpecification::new()
                    .id(launch_template.reference())
                    .version(launch_template.attr_latest_version_number()),
            ),
    );
    stack.add(
        "Admin",
        eks::AccessEntry::new()
            .cluster_name(cluster.reference())
            .principal_arn(fns::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/AdminRole"))
            .access_policies(vec![
                eks::access_entry::AccessPolicy::new()
                    .policy_arn(fns::sub(
                        "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    ))
                    .access_scope(eks::access_entry::AccessScope::new().r#type("cluster")),
            ]),
    );
    stack.add(
        "PodIdentityAgent",
        eks::Addon::new()
            .cluster_name(cluster.reference())
            .addon_name("eks-pod-identity-agent"),
    );
    let pod_role = stack.add(
        "ExternalDnsRole",
        iam::Role::new().assume_role_policy_document(Expr::from(json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]
        }))),
    );
    stack.add(
        "ExternalDnsIdentity",
        eks::PodIdentityAssociation::new()
            .cluster_name(cluster.reference())
            .namespace("kube-system")
            .service_account("external-dns")
            .role_arn(pod_role.attr_arn()),
    );
    stack.add(
        "Oidc",
        iam::OIDCProvider::new()
            .url(cluster.attr_open_id_connect_issuer_url())
            .client_id_list(vec!["sts.amazonaws.com"]),
    );

    let zone = stack.add(
        "Zone",
        route53::HostedZone::new()
            .name("example.org")
            .hosted_zone_config(route53::hosted_zone::HostedZoneConfig::new().comment("free sample domain")),
    );
    stack.add(
        "Caa",
        route53::RecordSet::new()
            .hosted_zone_id(zone.reference())
            .name("example.org")
            .r#type("CAA")
            .ttl("1800")
            .resource_records(vec!["0 issue \"amazon.com\""]),
    );
    stack.add(
        "Certificate",
        certificatemanager::Certificate::new()
            .domain_name("example.org")
            .subject_alternative_names(vec!["*.example.org"])
            .validation_method("DNS")
            .domain_validation_options(vec![
                certificatemanager::certificate::DomainValidationOption::new()
                    .domain_name("example.org")
                    .hosted_zone_id(zone.reference()),
            ]),
    );

    let secret = stack.add(
        "DbSecret",
        secretsmanager::Secret::new()
            .name("database-secrets")
            .generate_secret_string(
                secretsmanager::secret::GenerateSecretString::new()
                    .secret_string_template("{\"username\":\"postgres\"}")
                    .generate_string_key("password")
                    .exclude_punctuation(true)
                    .password_length(30),
            ),
    );
    let subnets = stack.add(
        "DbSubnets",
        rds::DBSubnetGroup::new()
            .db_subnet_group_description("isolated subnets")
            .subnet_ids(List::from([private_a.reference(), private_b.reference()])),
    );
    let db = stack.add_with(
        "Db",
        rds::DBCluster::new()
            .engine("aurora-postgresql")
            .engine_version("17.6")
            .database_name("EksDatabaseName")
            .port(5432)
            .db_subnet_group_name(subnets.reference())
            .vpc_security_group_ids(List::from([db_sg.attr_group_id()]))
            .storage_encrypted(true)
            .backup_retention_period(7)
            .master_username(fns::sub("{{resolve:secretsmanager:${DbSecret}:SecretString:username}}"))
            .master_user_password(fns::sub("{{resolve:secretsmanager:${DbSecret}:SecretString:password}}")),
        ResourceOptions::new().removal_policy(DeletionPolicy::Snapshot),
    );
    stack.add(
        "DbWriter",
        rds::DBInstance::new()
            .engine("aurora-postgresql")
            .db_cluster_identifier(db.reference())
            .db_instance_class("db.t3.medium")
            .publicly_accessible(false),
    );
    stack.add(
        "DbSecretAttachment",
        secretsmanager::SecretTargetAttachment::new()
            .secret_id(secret.reference())
            .target_id(db.reference())
            .target_type("AWS::RDS::DBCluster"),
    );

    let repo = stack.add(
        "Repo",
        ecr::Repository::new()
            .repository_name("eks-app")
            .empty_on_delete(true)
            .image_scanning_configuration(ecr::repository::ImageScanningConfiguration::new().scan_on_push(true)),
    );
    let build_role = stack.add(
        "BuildRole",
        iam::Role::new().assume_role_policy_document(assume("codebuild.amazonaws.com")),
    );
    stack.add(
        "PushPolicy",
        iam::ManagedPolicy::new()
            .roles(List::from([build_role.reference()]))
            .policy_document(Expr::from_iter([
                ("Version", Expr::from("2012-10-17")),
                (
                    "Statement",
                    Expr::from(vec![Expr::from_iter([
                        ("Effect", Expr::from("Allow")),
                        ("Action", Expr::from(vec!["ecr:PutImage"])),
                        ("Resource", repo.attr_arn().into()),
                    ])]),
                ),
            ])),
    );
    stack.add(
        "ReadSecretPolicy",
        iam::Policy::new()
            .policy_name("read-db-secret")
            .roles(List::from([build_role.reference()]))
            .policy_document(Expr::from_iter([
                ("Version", Expr::from("2012-10-17")),
                (
                    "Statement",
                    Expr::from(vec![Expr::from_iter([
                        ("Effect", Expr::from("Allow")),
                        ("Action", Expr::from("secretsmanager:GetSecretValue")),
                        ("Resource", secret.reference().into()),
                    ])]),
                ),
            ])),
    );
    let build_logs = stack.add("BuildLogs", logs::LogGroup::new().retention_in_days(14));
    let project = stack.add(
        "Build",
        codebuild::Project::new()
            .service_role(build_role.attr_arn())
            .artifacts(codebuild::project::Artifacts::new().r#type("NO_ARTIFACTS"))
            .source(
                codebuild::project::Source::new()
                    .r#type("GITHUB")
                    .location("https://github.com/k-akari/ent-example.git")
                    .build_spec("buildspec.yml"),
            )
            .environment(
                codebuild::project::Environment::new()
                    .r#type("LINUX_CONTAINER")
                    .compute_type("BUILD_GENERAL1_SMALL")
                    .image("aws/codebuild/standard:7.0")
                    .privileged_mode(true)
                    .environment_variables(vec![
                        codebuild::project::EnvironmentVariable::new()
                            .name("AWS_REGION")
                            .value(pseudo::region()),
                        codebuild::project::EnvironmentVariable::new()
                            .name("DB_HOST")
                            .r#type("SECRETS_MANAGER")
                            .value(fns::sub("${DbSecret}:host")),
                    ]),
            )
            .logs_config(
                codebuild::project::LogsConfig::new().cloud_watch_logs(
                    codebuild::project::CloudWatchLogsConfig::new()
                        .status("ENABLED")
                        .group_name(build_logs.reference()),
                ),
            )
            .timeout_in_minutes(20)
            .queued_timeout_in_minutes(60),
    );
    let scheduler_role = stack.add(
        "SchedulerRole",
        iam::Role::new().assume_role_policy_document(assume("scheduler.amazonaws.com")),
    );
    stack.add(
        "NightlyBuild",
        scheduler::Schedule::new()
            .schedule_expression("cron(0 3 * * ? *)")
            .flexible_time_window(scheduler::schedule::FlexibleTimeWindow::new().mode("OFF"))
            .target(
                scheduler::schedule::Target::new()
                    .arn(fns::sub(
                        "arn:${AWS::Partition}:scheduler:::aws-sdk:codebuild:startBuild",
                    ))
                    .role_arn(scheduler_role.attr_arn())
                    .input(fns::sub_with(
                        "{\"ProjectName\": \"${Name}\"}",
                        [("Name", Expr::from(project.reference()))],
                    )),
            ),
    );
    stack.add_output("ClusterEndpoint", Output::new(cluster.attr_endpoint()));
    stack.add_output("DbEndpoint", Output::new(db.attr_endpoint_address()));
    stack.add_output("RepositoryUri", Output::new(repo.attr_repository_uri()));
    stack.add_output("NameServers", Output::new(fns::join(",", zone.attr_name_servers())));
    stack
}

const REQUIRED_TYPES: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::LaunchTemplate",
    "AWS::IAM::Role",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::OIDCProvider",
    "AWS::EKS::Cluster",
    "AWS::EKS::Nodegroup",
    "AWS::EKS::AccessEntry",
    "AWS::EKS::PodIdentityAssociation",
    "AWS::EKS::Addon",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBSubnetGroup",
    "AWS::SecretsManager::Secret",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::ECR::Repository",
    "AWS::CodeBuild::Project",
    "AWS::Route53::HostedZone",
    "AWS::Route53::RecordSet",
    "AWS::CertificateManager::Certificate",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::Scheduler::Schedule",
];

#[test]
fn every_blueprint_type_synthesizes_and_passes_cfn_lint() {
    let stack = every_blueprint_type();
    let template = stack.synth().unwrap_or_else(|e| panic!("{e}"));
    let assertions = Template::from_json(template.to_value());
    for type_name in REQUIRED_TYPES {
        assert!(
            !assertions.find_resources(type_name, json!({})).is_empty(),
            "the test stack has no {type_name}"
        );
    }
    // Stack-wide tags reached taggable resources in both tag formats.
    assertions.has_resource_properties(
        "AWS::EC2::VPC",
        json!({"Tags": [{"Key": "Project", "Value": "kumo-l1-test"}]}),
    );
    assertions.has_resource_properties("AWS::EKS::Nodegroup", json!({"Tags": {"Project": "kumo-l1-test"}}));
    kumo_testkit::cfn_lint::assert_clean(&[
        ("l1-types", &template.to_json()),
        ("l1-types-yaml", &template.to_yaml()),
    ]);
}
