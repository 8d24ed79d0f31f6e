//! Migrating the database (seed `db_migrator.go`): a CodeBuild project in the VPC that runs the migration
//! image from ECR with the database credentials read from Secrets Manager.
//!
//! The seed's lesson: a `SECRETS_MANAGER` variable must be `<secret full ARN>:<json key>` (the secret's
//! name fails). kumo makes that the only thing that can be written: the values are typed
//! [`SecretField`]s of the database's secret.

use kumo_constructs::codebuild::{
    self, BuildImage, BuildSpec, EnvironmentVariable, Project, ProjectProps, ProjectVpc, Source,
};
use kumo_constructs::ec2::{InterfaceEndpoint, Peer, Port, Vpc, allow};
use kumo_constructs::ecr::{self, Repository};
use kumo_constructs::iam::{ManagedPolicy, ManagedPolicyProps, PolicyDocument, Principal, Role, RoleProps};
use kumo_constructs::kms::Key;
use kumo_constructs::rds::{AuroraPostgresCluster, SecretField};
use kumo_core::{Stack, pseudo};

use crate::DbMigratorConfig;
use crate::environment::{self, Names};

/// The migrator project, like the seed's `NewDBMigrator`.
// The seed's inputs plus kumo's environment key and names: grouping them would hide which module
// depends on what.
#[allow(clippy::too_many_arguments)]
pub fn new_db_migrator(
    stack: &mut Stack,
    config: &DbMigratorConfig,
    repo: &Repository,
    db_cluster: &AuroraPostgresCluster,
    vpc: &Vpc,
    vpc_endpoint: &InterfaceEndpoint,
    key: &Key,
    names: &Names,
) {
    // The role CodeBuild pulls the migration image with.
    let pull_image_policy = ManagedPolicy::new(
        stack,
        "PullImagePolicyForDBMigrator",
        ManagedPolicyProps::new(
            PolicyDocument::new()
                .statement(repo.pull_statement())
                // kumo adds the registry login, which pulling needs. It has no resource type: AWS requires "*".
                .statement(ecr::authorization_token_statement()),
        )
        .name(names.global(environment::PULL_IMAGE_POLICY)),
    );
    let mut role = Role::new(
        stack,
        "DBMigratorRole",
        RoleProps::assumed_by(Principal::service(codebuild::SERVICE_PRINCIPAL))
            .description("Iam Role for CodeBuild Project to pull image from ECR repository")
            .role_name(names.global(environment::DB_MIGRATOR_ROLE))
            .managed_policy(pull_image_policy.arn()),
    );

    // Runs `/app/cmd` (the migration binary) in the image from ECR. The seed also ran `whoami`, `pwd` and
    // `printenv` for debugging; `printenv` dumps the database credentials into the build log (CodeBuild
    // masks the secret values it resolved, but a credential dump has no place in a migration job), so kumo
    // leaves those out.
    let build_spec = BuildSpec::from_object(serde_json::json!({
        "version": "0.2",
        "phases": {"build": {"commands": ["/app/cmd"]}}
    }));
    // [ref] https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.env.secrets-manager
    // Each variable reads one field of the database secret; the role is granted GetSecretValue on that
    // one secret and nothing else.
    let secret = db_cluster.secret();
    let secret_env = |field: SecretField| EnvironmentVariable::SecretsManager(secret.field(field));
    let mut project = Project::new(
        stack,
        "DBMigratorProject",
        &mut role,
        ProjectProps::new(Source::None)
            .name(config.project_name.as_str())
            .build_spec(build_spec)
            .concurrent_build_limit(1)
            .image(BuildImage::Ecr {
                image_uri: repo.image_uri(&config.image_tag),
            })
            .privileged(true)
            .env("AWS_ACCOUNT", EnvironmentVariable::Plaintext(pseudo::account_id()))
            .env("AWS_REGION", EnvironmentVariable::Plaintext(pseudo::region()))
            .env("DB_HOST", secret_env(SecretField::Host))
            .env("DB_PORT", secret_env(SecretField::Port))
            .env("DB_PASSWORD", secret_env(SecretField::Password))
            .env("DB_USER", secret_env(SecretField::Username))
            .env("DB_NAME", secret_env(SecretField::DbName))
            .queued_timeout_minutes(60)
            // The private subnets of the VPC, with a security group of its own.
            .vpc(ProjectVpc::private_subnets_of(vpc))
            .timeout_minutes(20)
            .log_retention(config.log_retention_days)
            .log_kms_key_arn(key.arn()),
    );

    // The seed allows all outbound traffic. kumo opens what a build needs: HTTPS to AWS APIs (CodeBuild,
    // CloudWatch Logs, Secrets Manager, S3) through the NAT gateway and the VPC endpoints ...
    // (The project is in the VPC, so it has a security group.)
    if let Some(group) = project.security_group_mut() {
        group.add_egress_rule(stack, Peer::any_ipv4(), Port::Tcp(443), "HTTPS to AWS APIs");
    }
    // ... and the database and the ECR endpoint, each allowed on its side too.
    allow(
        stack,
        &project,
        db_cluster,
        Port::Tcp(db_cluster.port()),
        "Allow access to Database cluster from CodeBuild project",
    );
    allow(
        stack,
        &project,
        vpc_endpoint,
        Port::Tcp(443),
        "Allow access to VPC endpoint from CodeBuild project",
    );
}
