//! CodeBuild: `Project` with a GitHub source and webhook filters or no source, VPC placement with its own
//! security group, typed environment variables (Secrets Manager fields by full ARN), a build image from
//! ECR, and a log group with a retention.

use kumo_cfn::codebuild as l1;
use kumo_core::{Expr, Handle, Str};

use crate::Parent;
use crate::ec2::{Connectable, SecurityGroup, SecurityGroupProps, SubnetType, Vpc};
use crate::iam::{PolicyStatement, Role};
use crate::logs::{LogGroup, LogGroupProps, RetentionDays};
use crate::secretsmanager::SecretJsonField;

/// The service principal CodeBuild assumes project roles with.
pub const SERVICE_PRINCIPAL: &str = "codebuild.amazonaws.com";

/// Default curated build image (Ubuntu 22.04 standard image).
pub const DEFAULT_IMAGE: &str = "aws/codebuild/standard:7.0";

/// A GitHub webhook event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventAction {
    Push,
    PullRequestCreated,
    PullRequestUpdated,
    PullRequestReopened,
    PullRequestMerged,
}

impl EventAction {
    fn as_str(self) -> &'static str {
        match self {
            EventAction::Push => "PUSH",
            EventAction::PullRequestCreated => "PULL_REQUEST_CREATED",
            EventAction::PullRequestUpdated => "PULL_REQUEST_UPDATED",
            EventAction::PullRequestReopened => "PULL_REQUEST_REOPENED",
            EventAction::PullRequestMerged => "PULL_REQUEST_MERGED",
        }
    }
}

/// One webhook filter group: every filter in it must match for a build to start.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterGroup {
    filters: Vec<(String, String)>,
}

impl FilterGroup {
    /// Builds on these events.
    pub fn in_event_of(events: &[EventAction]) -> Self {
        let pattern = events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
        FilterGroup {
            filters: vec![("EVENT".to_owned(), pattern)],
        }
    }

    /// ... only for this branch (`HEAD_REF` `^refs/heads/<branch>$`).
    pub fn and_branch_is(mut self, branch: &str) -> Self {
        self.filters
            .push(("HEAD_REF".to_owned(), format!("^refs/heads/{}$", regex_escape(branch))));
        self
    }

    /// ... only when a changed file matches the regular expression.
    pub fn and_file_path_is(mut self, pattern: &str) -> Self {
        self.filters.push(("FILE_PATH".to_owned(), pattern.to_owned()));
        self
    }

    /// The group's filters, each a `{"Type", "Pattern"}` object (the registry schema types
    /// `FilterGroups` only as a list of lists).
    fn to_filters(&self) -> Vec<Expr> {
        self.filters
            .iter()
            .map(|(kind, pattern)| {
                [("Type", kind.as_str()), ("Pattern", pattern.as_str())]
                    .into_iter()
                    .collect()
            })
            .collect()
    }
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$".contains(c);
            special.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

/// Where the build gets its source.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A GitHub repository. The account needs a GitHub connection for CodeBuild (a personal access token or
    /// an OAuth app imported once per account and region) before a webhook can be created.
    GitHub {
        owner: String,
        repo: String,
        /// Branch, tag or commit built by default. Default (`None`): the repository's default branch.
        branch_or_ref: Option<String>,
        /// Default (`None`): full clone.
        clone_depth: Option<u32>,
        /// Start builds from GitHub webhooks matching any of these groups. Default: no webhook.
        webhook_filters: Vec<FilterGroup>,
    },
    /// No source: the build spec must be inline.
    None,
}

impl Source {
    /// A GitHub source with no branch, depth or webhook set.
    pub fn github(owner: impl Into<String>, repo: impl Into<String>) -> Self {
        Source::GitHub {
            owner: owner.into(),
            repo: repo.into(),
            branch_or_ref: None,
            clone_depth: None,
            webhook_filters: Vec::new(),
        }
    }
}

/// The build specification.
#[derive(Clone, Debug, PartialEq)]
pub enum BuildSpec {
    /// A file in the source (`buildspec.yml`).
    FromSourceFilename(String),
    /// The build spec itself (YAML or JSON text), for example from `serde_json::json!` via
    /// [`BuildSpec::from_object`].
    Inline(String),
}

impl BuildSpec {
    /// An inline build spec from a JSON object (CodeBuild accepts JSON for build specs).
    pub fn from_object(object: serde_json::Value) -> Self {
        BuildSpec::Inline(object.to_string())
    }
}

/// The container image builds run in.
#[derive(Clone, Debug, PartialEq)]
pub enum BuildImage {
    /// A CodeBuild curated image ([`DEFAULT_IMAGE`]).
    Curated(String),
    /// An image in a private ECR repository of this account, pulled with the project's role (which needs
    /// the pull actions on the repository and `ecr:GetAuthorizationToken`).
    Ecr { image_uri: Str },
}

/// `BUILD_GENERAL1_*` sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComputeType {
    Small,
    Medium,
    Large,
}

impl ComputeType {
    fn as_str(self) -> &'static str {
        match self {
            ComputeType::Small => "BUILD_GENERAL1_SMALL",
            ComputeType::Medium => "BUILD_GENERAL1_MEDIUM",
            ComputeType::Large => "BUILD_GENERAL1_LARGE",
        }
    }
}

/// A build environment variable.
#[derive(Clone, Debug, PartialEq)]
pub enum EnvironmentVariable {
    /// Visible in the project's configuration: never put a secret here.
    Plaintext(Str),
    /// Read from Secrets Manager when the build starts. The field is addressed by the secret's full ARN
    /// ([`SecretJsonField`]); the project's role is granted `secretsmanager:GetSecretValue` on it.
    SecretsManager(SecretJsonField),
    /// Read from an SSM Parameter Store parameter by name.
    ParameterStore(String),
}

/// Placement in a VPC.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectVpc {
    pub vpc_id: Str,
    pub subnet_ids: Vec<Str>,
    /// Let builds reach anything. Default (with [`ProjectVpc::private_subnets_of`]): `false`.
    pub allow_all_outbound: bool,
}

impl ProjectVpc {
    /// The VPC's private subnets (builds need a NAT gateway to reach CodeBuild and GitHub).
    /// Egress is closed (`allow_all_outbound: false`); open what the build needs.
    pub fn private_subnets_of(vpc: &Vpc) -> Self {
        ProjectVpc {
            vpc_id: vpc.vpc_id(),
            subnet_ids: vpc.subnet_ids(SubnetType::PrivateWithEgress),
            allow_all_outbound: false,
        }
    }
    pub fn allow_all_outbound(mut self, on: bool) -> Self {
        self.allow_all_outbound = on;
        self
    }
}

/// Properties of a [`Project`].
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectProps {
    /// Physical name. Default: generated by CloudFormation.
    pub name: Option<String>,
    /// Default: none.
    pub description: Option<String>,
    /// Required.
    pub source: Source,
    /// Default: `buildspec.yml` in the source.
    pub build_spec: BuildSpec,
    /// Default: [`BuildImage::Curated`] of [`DEFAULT_IMAGE`].
    pub image: BuildImage,
    /// Default: [`ComputeType::Small`].
    pub compute_type: ComputeType,
    /// Docker-in-Docker (building images). Default: `false`.
    pub privileged: bool,
    /// In order. Default: none.
    pub environment_variables: Vec<(String, EnvironmentVariable)>,
    /// Default: none (CodeBuild's network, no VPC access).
    pub vpc: Option<ProjectVpc>,
    /// Default: none (no limit).
    pub concurrent_build_limit: Option<u32>,
    /// Minutes a build may wait in the queue, 5 to 480. Default: none (CodeBuild's 480).
    pub queued_timeout_minutes: Option<u32>,
    /// Minutes a build may run, 5 to 2160. Default: none (CodeBuild's 60).
    pub timeout_minutes: Option<u32>,
    /// Retention of the build logs (a log group the project owns, named `/aws/codebuild/<name>` when
    /// the project has a name). Default: [`RetentionDays::TWO_WEEKS`].
    pub log_retention: RetentionDays,
    /// Customer managed key of the build logs (its policy must allow CloudWatch Logs for the log group:
    /// [`crate::kms::logs_statement`] with [`log_group_name`]). Default: none (CloudWatch Logs' key).
    pub log_kms_key_arn: Option<Str>,
}

impl ProjectProps {
    pub fn new(source: Source) -> Self {
        ProjectProps {
            name: None,
            description: None,
            source,
            build_spec: BuildSpec::FromSourceFilename("buildspec.yml".to_owned()),
            image: BuildImage::Curated(DEFAULT_IMAGE.to_owned()),
            compute_type: ComputeType::Small,
            privileged: false,
            environment_variables: Vec::new(),
            vpc: None,
            concurrent_build_limit: None,
            queued_timeout_minutes: None,
            timeout_minutes: None,
            log_retention: RetentionDays::TWO_WEEKS,
            log_kms_key_arn: None,
        }
    }
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    pub fn build_spec(mut self, spec: BuildSpec) -> Self {
        self.build_spec = spec;
        self
    }
    pub fn image(mut self, image: BuildImage) -> Self {
        self.image = image;
        self
    }
    pub fn compute_type(mut self, compute: ComputeType) -> Self {
        self.compute_type = compute;
        self
    }
    pub fn privileged(mut self, on: bool) -> Self {
        self.privileged = on;
        self
    }
    pub fn env(mut self, name: impl Into<String>, value: EnvironmentVariable) -> Self {
        self.environment_variables.push((name.into(), value));
        self
    }
    pub fn vpc(mut self, vpc: ProjectVpc) -> Self {
        self.vpc = Some(vpc);
        self
    }
    pub fn concurrent_build_limit(mut self, limit: u32) -> Self {
        self.concurrent_build_limit = Some(limit);
        self
    }
    pub fn queued_timeout_minutes(mut self, minutes: u32) -> Self {
        self.queued_timeout_minutes = Some(minutes);
        self
    }
    pub fn timeout_minutes(mut self, minutes: u32) -> Self {
        self.timeout_minutes = Some(minutes);
        self
    }
    pub fn log_retention(mut self, retention: RetentionDays) -> Self {
        self.log_retention = retention;
        self
    }
    pub fn log_kms_key_arn(mut self, arn: impl Into<Str>) -> Self {
        self.log_kms_key_arn = Some(arn.into());
        self
    }
}

/// The log group of the project named `project`: CodeBuild's own naming, so the logs are where the
/// console looks for them.
pub fn log_group_name(project: &str) -> String {
    format!("/aws/codebuild/{project}")
}

/// A CodeBuild project (`AWS::CodeBuild::Project`) with its log group and, in a VPC, its security group.
///
/// The project's role (created by the caller, trusted by [`SERVICE_PRINCIPAL`]) is granted, through its
/// inline default policy, exactly what the project's own configuration needs: writing to its log group,
/// the network-interface calls of VPC builds, and reading the secrets its environment variables name.
#[derive(Clone, Debug)]
pub struct Project {
    id: String,
    handle: Handle<l1::Project>,
    log_group: LogGroup,
    security_group: Option<SecurityGroup>,
}

impl Project {
    pub fn new(parent: &mut impl Parent, id: &str, role: &mut Role, props: ProjectProps) -> Project {
        let (log_group, security_group, resource) = {
            let mut scope = parent.child(id);
            if props.source == Source::None && !matches!(props.build_spec, BuildSpec::Inline(_)) {
                scope.report_invalid_props(
                    "build_spec",
                    "a project without source has no file to read the build spec from: give an inline one \
                     (BuildSpec::from_object)",
                );
            }
            let mut log_props = LogGroupProps::default().retention(props.log_retention);
            if let Some(name) = &props.name {
                log_props = log_props.name(log_group_name(name));
            }
            if let Some(key) = &props.log_kms_key_arn {
                log_props = log_props.kms_key_arn(key.clone());
            }
            let log_group = LogGroup::new(&mut scope, "Logs", log_props);
            let security_group = props.vpc.as_ref().map(|vpc| {
                SecurityGroup::new(
                    &mut scope,
                    "SecurityGroup",
                    vpc.vpc_id.clone(),
                    SecurityGroupProps::default()
                        .description(format!("{id}: CodeBuild project"))
                        .allow_all_outbound(vpc.allow_all_outbound),
                )
            });
            let resource = project_resource(&props, role, &log_group, security_group.as_ref());
            (log_group, security_group, resource)
        };
        for statement in grants(&props, &log_group, security_group.as_ref()) {
            role.add_to_policy(parent, statement);
        }
        let handle = parent.child(id).add("Resource", resource);
        Project {
            id: id.to_owned(),
            handle,
            log_group,
            security_group,
        }
    }

    /// `Ref`: the project name.
    pub fn name(&self) -> Str {
        self.handle.reference()
    }

    /// `Fn::GetAtt Arn`.
    pub fn arn(&self) -> Str {
        self.handle.attr_arn()
    }

    pub fn log_group(&self) -> &LogGroup {
        &self.log_group
    }

    /// The project's security group (VPC projects only).
    pub fn security_group(&self) -> Option<&SecurityGroup> {
        self.security_group.as_ref()
    }

    /// Mutable access, to open egress with [`SecurityGroup::add_egress_rule`].
    pub fn security_group_mut(&mut self) -> Option<&mut SecurityGroup> {
        self.security_group.as_mut()
    }

    pub fn handle(&self) -> &Handle<l1::Project> {
        &self.handle
    }
}

impl Connectable for Project {
    /// `None` for a project outside a VPC: it has no security group to connect.
    fn security_group_id(&self) -> Option<Str> {
        self.security_group.as_ref().map(SecurityGroup::group_id)
    }
    fn connection_name(&self) -> &str {
        &self.id
    }
    fn restricted_egress(&self) -> Option<&SecurityGroup> {
        self.security_group.as_ref().filter(|g| !g.allows_all_outbound())
    }
}

fn project_resource(
    props: &ProjectProps,
    role: &Role,
    log_group: &LogGroup,
    security_group: Option<&SecurityGroup>,
) -> l1::Project {
    let build_spec = match &props.build_spec {
        BuildSpec::FromSourceFilename(name) | BuildSpec::Inline(name) => name.as_str(),
    };
    let mut project = l1::Project::new()
        .service_role(role.arn())
        .artifacts(l1::project::Artifacts::new().r#type("NO_ARTIFACTS"));
    let mut source = l1::project::Source::new();
    match &props.source {
        Source::GitHub {
            owner,
            repo,
            branch_or_ref,
            clone_depth,
            webhook_filters,
        } => {
            source = source
                .r#type("GITHUB")
                .location(format!("https://github.com/{owner}/{repo}.git"))
                .build_spec(build_spec);
            if let Some(depth) = clone_depth {
                source = source.git_clone_depth(*depth);
            }
            if let Some(branch) = branch_or_ref {
                project = project.source_version(branch.as_str());
            }
            if !webhook_filters.is_empty() {
                let groups: Vec<Vec<Expr>> = webhook_filters.iter().map(FilterGroup::to_filters).collect();
                project = project.triggers(l1::project::ProjectTriggers::new().webhook(true).filter_groups(groups));
            }
        }
        // Without source there is no file to read a build spec from; `Project::new` reports a
        // `FromSourceFilename` spec here.
        Source::None => source = source.r#type("NO_SOURCE").build_spec(build_spec),
    }
    project = project.source(source);

    let mut environment = l1::project::Environment::new()
        .r#type("LINUX_CONTAINER")
        .compute_type(props.compute_type.as_str());
    environment = match &props.image {
        BuildImage::Curated(image) => environment.image(image.as_str()),
        // Private images are pulled with the project's role (CodeBuild's own credentials would need a
        // repository policy for the CodeBuild service principal).
        BuildImage::Ecr { image_uri } => environment
            .image(image_uri.clone())
            .image_pull_credentials_type("SERVICE_ROLE"),
    };
    if props.privileged {
        environment = environment.privileged_mode(true);
    }
    if !props.environment_variables.is_empty() {
        let variables: Vec<l1::project::EnvironmentVariable> = props
            .environment_variables
            .iter()
            .map(|(name, value)| {
                let variable = l1::project::EnvironmentVariable::new().name(name.as_str());
                match value {
                    // PLAINTEXT is CodeBuild's default type: not written.
                    EnvironmentVariable::Plaintext(text) => variable.value(text.clone()),
                    EnvironmentVariable::SecretsManager(field) => {
                        variable.r#type("SECRETS_MANAGER").value(field.reference())
                    }
                    EnvironmentVariable::ParameterStore(parameter) => {
                        variable.r#type("PARAMETER_STORE").value(parameter.as_str())
                    }
                }
            })
            .collect();
        environment = environment.environment_variables(variables);
    }
    project = project.environment(environment).logs_config(
        l1::project::LogsConfig::new().cloud_watch_logs(
            l1::project::CloudWatchLogsConfig::new()
                .status("ENABLED")
                .group_name(log_group.name()),
        ),
    );
    if let (Some(vpc), Some(group)) = (&props.vpc, security_group) {
        project = project.vpc_config(
            l1::project::VpcConfig::new()
                .vpc_id(vpc.vpc_id.clone())
                .subnets(vpc.subnet_ids.clone())
                .security_group_ids(vec![group.group_id()]),
        );
    }
    if let Some(name) = &props.name {
        project = project.name(name.as_str());
    }
    if let Some(description) = &props.description {
        project = project.description(description.as_str());
    }
    if let Some(limit) = props.concurrent_build_limit {
        project = project.concurrent_build_limit(limit);
    }
    if let Some(minutes) = props.queued_timeout_minutes {
        project = project.queued_timeout_in_minutes(minutes);
    }
    if let Some(minutes) = props.timeout_minutes {
        project = project.timeout_in_minutes(minutes);
    }
    project
}

/// What the project's role needs for this configuration.
fn grants(props: &ProjectProps, log_group: &LogGroup, security_group: Option<&SecurityGroup>) -> Vec<PolicyStatement> {
    let mut statements = vec![
        PolicyStatement::allow()
            .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
            .resource(log_group.arn()),
    ];
    if let (Some(vpc), Some(group)) = (&props.vpc, security_group) {
        // EC2's Describe* calls have no resource type: IAM only accepts "*" for them.
        statements.push(
            PolicyStatement::allow()
                .actions([
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                ])
                .all_resources(),
        );
        // CodeBuild creates and deletes one network interface per build with the project's role. The
        // CodeBuild guide grants these on "*"; they do support resource-level permissions, so kumo names the
        // interfaces of this account and region, the project's subnets and its security group.
        let any_interface = crate::arn::regional("ec2", "network-interface/*", &[]);
        let subnet_arns: Vec<Str> = vpc
            .subnet_ids
            .iter()
            .map(|id| crate::arn::regional("ec2", "subnet/{}", &[id]))
            .collect();
        let group_arn = crate::arn::regional("ec2", "security-group/{}", &[&group.group_id()]);
        statements.push(
            PolicyStatement::allow()
                .actions(["ec2:CreateNetworkInterface"])
                .resource(any_interface.clone())
                .resources(subnet_arns.clone())
                .resource(group_arn),
        );
        statements.push(
            PolicyStatement::allow()
                .actions(["ec2:DeleteNetworkInterface"])
                .resource(any_interface.clone()),
        );
        statements.push(
            PolicyStatement::allow()
                .actions(["ec2:CreateNetworkInterfacePermission"])
                .resource(any_interface)
                .condition_values("StringEquals", "ec2:Subnet", subnet_arns)
                .condition("StringEquals", "ec2:AuthorizedService", SERVICE_PRINCIPAL),
        );
    }
    let mut secrets: Vec<Str> = Vec::new();
    let mut keys: Vec<Str> = Vec::new();
    for (_, value) in &props.environment_variables {
        if let EnvironmentVariable::SecretsManager(field) = value {
            if !secrets.contains(field.secret_arn()) {
                secrets.push(field.secret_arn().clone());
            }
            if let Some(key) = field.kms_key_arn()
                && !keys.contains(key)
            {
                keys.push(key.clone());
            }
        }
    }
    if !secrets.is_empty() {
        statements.push(
            PolicyStatement::allow()
                .actions(["secretsmanager:GetSecretValue"])
                .resources(secrets),
        );
    }
    // Secrets with their own key: decrypting is granted too, only through Secrets Manager.
    if !keys.is_empty() {
        statements.push(crate::secretsmanager::decrypt_through_secrets_manager(keys));
    }
    statements
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::VpcProps;
    use crate::iam::{Principal, RoleProps};
    use crate::secretsmanager::{Secret, SecretProps};
    use crate::test_util::template;
    use kumo_core::assertions::Match;
    use kumo_core::{Stack, pseudo};
    use serde_json::json;

    #[test]
    fn github_project_with_webhook_filter() {
        let mut stack = Stack::new("T");
        let mut role = Role::new(
            &mut stack,
            "Role",
            RoleProps::assumed_by(Principal::service(SERVICE_PRINCIPAL)),
        );
        let source = Source::GitHub {
            owner: "k-akari".into(),
            repo: "ent-example".into(),
            branch_or_ref: Some("main".into()),
            clone_depth: Some(1),
            webhook_filters: vec![FilterGroup::in_event_of(&[EventAction::Push]).and_branch_is("main")],
        };
        let project = Project::new(
            &mut stack,
            "Build",
            &mut role,
            ProjectProps::new(source)
                .name("EKSImageBuildProject")
                .privileged(true)
                .env("AWS_REGION", EnvironmentVariable::Plaintext(pseudo::region()))
                .concurrent_build_limit(1)
                .queued_timeout_minutes(60)
                .timeout_minutes(20),
        );
        let t = template(&stack);
        t.has_resource_properties(
            "AWS::CodeBuild::Project",
            json!({
                "Name": "EKSImageBuildProject",
                "Source": {"Type": "GITHUB", "Location": "https://github.com/k-akari/ent-example.git", "GitCloneDepth": 1, "BuildSpec": "buildspec.yml"},
                "SourceVersion": "main",
                "Triggers": {"Webhook": true, "FilterGroups": [[{"Type": "EVENT", "Pattern": "PUSH"}, {"Type": "HEAD_REF", "Pattern": "^refs/heads/main$"}]]},
                "Environment": {"Type": "LINUX_CONTAINER", "ComputeType": "BUILD_GENERAL1_SMALL", "Image": DEFAULT_IMAGE, "PrivilegedMode": true,
                                "EnvironmentVariables": [{"Name": "AWS_REGION", "Value": {"Ref": "AWS::Region"}, "Type": Match::absent()}]},
                "Artifacts": {"Type": "NO_ARTIFACTS"},
                "LogsConfig": {"CloudWatchLogs": {"Status": "ENABLED", "GroupName": {"Ref": project.log_group().handle().logical_id().as_str()}}},
                "ConcurrentBuildLimit": 1, "QueuedTimeoutInMinutes": 60, "TimeoutInMinutes": 20
            }),
        );
        t.has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 14}));
        t.has_resource_properties(
            "AWS::IAM::Role",
            json!({"Policies": [{"PolicyName": "DefaultPolicy", "PolicyDocument": {"Statement": [
                {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": {"Fn::GetAtt": [project.log_group().handle().logical_id().as_str(), "Arn"]}}
            ]}}]}),
        );
        assert_eq!(regex_escape("release/1.0"), "release/1\\.0");
    }

    #[test]
    fn vpc_project_reads_secret_fields_by_arn() {
        let mut stack = Stack::new("T");
        let vpc = Vpc::new(&mut stack, "VPC", VpcProps::default());
        let secret = Secret::new(&mut stack, "Secret", SecretProps::default());
        let mut role = Role::new(
            &mut stack,
            "Role",
            RoleProps::assumed_by(Principal::service(SERVICE_PRINCIPAL)),
        );
        let project = Project::new(
            &mut stack,
            "Migrate",
            &mut role,
            ProjectProps::new(Source::None)
                .build_spec(BuildSpec::from_object(json!({"version": "0.2"})))
                .env(
                    "DB_HOST",
                    EnvironmentVariable::SecretsManager(secret.json_field("host")),
                )
                .env(
                    "DB_PASSWORD",
                    EnvironmentVariable::SecretsManager(secret.json_field("password")),
                )
                .vpc(ProjectVpc::private_subnets_of(&vpc)),
        );
        let secret_id = secret.handle().logical_id().as_str();
        let t = template(&stack);
        t.has_resource_properties(
            "AWS::CodeBuild::Project",
            json!({
                "Source": {"Type": "NO_SOURCE", "BuildSpec": "{\"version\":\"0.2\"}"},
                "Environment": {"EnvironmentVariables": [
                    {"Name": "DB_HOST", "Type": "SECRETS_MANAGER", "Value": {"Fn::Sub": format!("${{{secret_id}}}:host")}},
                    {"Name": "DB_PASSWORD", "Type": "SECRETS_MANAGER", "Value": {"Fn::Sub": format!("${{{secret_id}}}:password")}}
                ]},
                "VpcConfig": {"VpcId": {"Ref": vpc.handle().logical_id().as_str()}, "SecurityGroupIds": [{"Fn::GetAtt": [project.security_group().unwrap().handle().logical_id().as_str(), "GroupId"]}]}
            }),
        );
        t.has_resource_properties(
            "AWS::IAM::Role",
            json!({"Policies": [{"PolicyDocument": {"Statement": Match::array_with(json!([
                {"Action": "ec2:CreateNetworkInterfacePermission", "Condition": {"StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"}}},
                {"Action": "secretsmanager:GetSecretValue", "Resource": {"Ref": secret_id}}
            ]))}}]}),
        );
    }
}
