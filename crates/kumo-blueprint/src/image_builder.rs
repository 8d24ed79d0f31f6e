//! Building images (seed `image_builder.go`): the ECR repositories, the push policy and role, and the
//! CodeBuild project that builds on every push to the branch.

use kumo_constructs::codebuild::{self, EnvironmentVariable, EventAction, FilterGroup, Project, ProjectProps, Source};
use kumo_constructs::ecr::{self, Repository, RepositoryEncryption, RepositoryProps};
use kumo_constructs::iam::{
    ManagedPolicy, ManagedPolicyProps, PolicyDocument, PolicyStatement, Principal, Role, RoleProps,
};
use kumo_constructs::kms::Key;
use kumo_core::security::Rule;
use kumo_core::{Output, Stack, pseudo};

use crate::ImageBuilderConfig;
use crate::environment::{self, Names};

/// The repositories, by name.
#[derive(Clone, Debug)]
pub struct ImageRepositories(Vec<(String, Repository)>);

impl ImageRepositories {
    /// The repository `name`, if the image builder makes one of that name.
    pub fn named(&self, name: &str) -> Option<&Repository> {
        self.0
            .iter()
            .find(|(repository, _)| repository == name)
            .map(|(_, repository)| repository)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Repository)> {
        self.0.iter().map(|(name, repository)| (name.as_str(), repository))
    }
}

/// The construct id of the repository `name`: `eks-app` → `EKSAppImageRepository`, the seed's ids.
pub fn repository_id(name: &str) -> String {
    let words = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    let pascal: String = words
        .map(|word| match word {
            "eks" => "EKS".to_owned(),
            _ => {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
        })
        .collect();
    format!("{pascal}ImageRepository")
}

/// The repositories and the build project, like the seed's `NewImageBuilder`. Returns every repository
/// (the seed returns the migration one; the DB migrator picks it by name).
pub fn new_image_builder(
    stack: &mut Stack,
    config: &ImageBuilderConfig,
    key: &Key,
    names: &Names,
) -> ImageRepositories {
    // Repositories for the built images: scanned on push, only the newest image kept, removed (emptied
    // first) on destroy as the seed's RemovalPolicy_DESTROY.
    let removal = config.on_delete;
    let repositories: Vec<(String, Repository)> = config
        .repositories
        .iter()
        .map(|name| {
            let repository = Repository::new(
                stack,
                &repository_id(name),
                RepositoryProps::default()
                    .name(name.as_str())
                    .scan_on_push(true)
                    .max_image_count(1)
                    .removal(removal)
                    // kumo: images encrypted with the environment key.
                    .encryption(RepositoryEncryption::Kms(Some(key.arn()))),
            );
            stack.waive(
                repository.handle(),
                Rule::EcrMutableTags,
                "the pipeline pushes the same tags on every build (the DB migrator runs `latest`), and the lifecycle \
                 policy keeps only the newest image",
            );
            (name.clone(), repository)
        })
        .collect();

    // The role CodeBuild pushes with.
    // [ref] https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push.html#image-push-iam
    let push_image_policy = ManagedPolicy::new(
        stack,
        "PushImagePolicyForImageBuilder",
        ManagedPolicyProps::new(
            PolicyDocument::new()
                .statement(
                    PolicyStatement::allow()
                        .resources(repositories.iter().map(|(_, repository)| repository.arn()))
                        .actions(ecr::PUSH_ACTIONS.iter().copied()),
                )
                // ecr:GetAuthorizationToken has no resource type: AWS requires "*".
                .statement(ecr::authorization_token_statement()),
        )
        .name(names.global(environment::PUSH_IMAGE_POLICY)),
    );
    let mut role = Role::new(
        stack,
        "ImageBuilderRole",
        RoleProps::assumed_by(Principal::service(codebuild::SERVICE_PRINCIPAL))
            .description("Iam Role for CodeBuild Project to push image to ECR repository")
            .role_name(names.global(environment::IMAGE_BUILDER_ROLE))
            .managed_policy(push_image_policy.arn()),
    );

    // Builds on every push to the branch of the GitHub repository and pushes the images. kumo adds a log
    // group with a retention (the project's role may write only there).
    let source = Source::GitHub {
        owner: config.github_owner.clone(),
        repo: config.github_repo.clone(),
        branch_or_ref: Some(config.branch.clone()),
        clone_depth: Some(1),
        webhook_filters: vec![FilterGroup::in_event_of(&[EventAction::Push]).and_branch_is(&config.branch)],
    };
    Project::new(
        stack,
        "EKSImageBuildProject",
        &mut role,
        ProjectProps::new(source)
            .name(config.project_name.as_str())
            .build_spec(codebuild::BuildSpec::FromSourceFilename(config.buildspec.clone()))
            .concurrent_build_limit(1)
            .privileged(true)
            .env("AWS_ACCOUNT", EnvironmentVariable::Plaintext(pseudo::account_id()))
            .env("AWS_REGION", EnvironmentVariable::Plaintext(pseudo::region()))
            .queued_timeout_minutes(60)
            .timeout_minutes(20)
            .log_retention(config.log_retention_days)
            .log_kms_key_arn(key.arn()),
    );

    for (name, repository) in &repositories {
        stack.add_output(
            format!("{}Uri", repository_id(name)),
            Output::new(repository.uri()).description(format!("ECR repository {name}")),
        );
    }
    ImageRepositories(repositories)
}

#[cfg(test)]
mod tests {
    use super::repository_id;

    #[test]
    fn repository_ids_are_the_seeds() {
        assert_eq!(repository_id("eks-app"), "EKSAppImageRepository");
        assert_eq!(repository_id("eks-migration"), "EKSMigrationImageRepository");
        assert_eq!(repository_id("eks-web"), "EKSWebImageRepository");
        assert_eq!(repository_id("team/api_server"), "TeamApiServerImageRepository");
    }
}
