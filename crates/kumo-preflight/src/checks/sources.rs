//! CodeBuild sources in GitHub, Bitbucket or GitLab: CodeBuild needs account credentials for the
//! provider, or a connection that has finished its handshake. Without them, creating a project with a
//! webhook fails — after the database and cluster were created.

use kumo_aws::services::{codebuild, codeconnections};

use crate::analysis::BuildSource;
use crate::report::Item;
use crate::{Ctx, Subject};

/// The provider name CodeBuild uses in `serverType` for a source type.
fn server_type(source_type: &str) -> &str {
    match source_type {
        "GITHUB" => "GITHUB",
        "GITHUB_ENTERPRISE" => "GITHUB_ENTERPRISE",
        "BITBUCKET" => "BITBUCKET",
        other => other,
    }
}

fn provider(source_type: &str) -> &str {
    match source_type {
        "GITHUB" => "GitHub",
        "GITHUB_ENTERPRISE" => "GitHub Enterprise",
        "BITBUCKET" => "Bitbucket",
        "GITLAB" => "GitLab",
        "GITLAB_SELF_MANAGED" => "GitLab self-managed",
        other => other,
    }
}

pub(crate) async fn check(ctx: &Ctx<'_>) -> Vec<Item> {
    let sources = &ctx.needs.build_sources;
    if sources.is_empty() {
        return Vec::new();
    }
    // Projects without their own `Auth` use the account's credentials for the provider.
    let credentials = if sources.iter().any(|s| s.auth.is_none()) {
        Some(codebuild::list_source_credentials(ctx.client).await)
    } else {
        None
    };
    let mut items = Vec::new();
    for source in sources {
        items.push(match &source.auth {
            Some((auth_type, Some(resource))) if auth_type == "CODECONNECTIONS" => {
                connection(ctx, source, resource, "its Source.Auth").await
            }
            Some((auth_type, _)) => Item::pass(
                title(source),
                format!("{} names its own credentials ({auth_type})", source.id),
            ),
            None => match credentials.as_ref().expect("listed above") {
                Err(error) => Item::not_checked(title(source), error),
                Ok(list) => match list.iter().find(|c| c.server_type == server_type(&source.source_type)) {
                    Some(found) if found.auth_type == "CODECONNECTIONS" => match &found.resource {
                        Some(arn) => connection(ctx, source, arn, "the account's default credentials").await,
                        None => Item::pass(title(source), "CodeBuild has a connection as default credentials"),
                    },
                    Some(found) => Item::pass(
                        title(source),
                        format!(
                            "CodeBuild has {} credentials ({}) in {}{}",
                            provider(&source.source_type),
                            found.auth_type,
                            ctx.region(),
                            reach_note(source)
                        ),
                    ),
                    None => Item::fail(
                        title(source),
                        format!(
                            "CodeBuild has no {} credentials in {} and {} names no connection: creating {}{} would \
                             fail late in the deploy",
                            provider(&source.source_type),
                            ctx.region(),
                            source.id,
                            source.id,
                            if source.webhook { " and its webhook" } else { "" }
                        ),
                        missing_fix(ctx, source),
                    ),
                },
            },
        });
    }
    items
}

fn title(source: &BuildSource) -> String {
    match &source.location {
        Some(location) => format!("source {location}"),
        None => format!("source of {}", source.id),
    }
}

/// What the check cannot see: whether the credentials can read this repository.
fn reach_note(source: &BuildSource) -> String {
    match &source.location {
        Some(_) => "; whether they can read the repository shows at the first build".to_owned(),
        None => String::new(),
    }
}

fn missing_fix(ctx: &Ctx<'_>, source: &BuildSource) -> String {
    let region = ctx.region();
    let server = server_type(&source.source_type);
    let token = match source.source_type.as_str() {
        "GITHUB" | "GITHUB_ENTERPRISE" => "a personal access token with the repo and admin:repo_hook scopes",
        _ => "an access token of the provider",
    };
    let repository = match ctx.subject {
        Subject::Project => " (and check image_builder.github_owner / github_repo in kumo.toml name your repository)",
        Subject::Template => "",
    };
    format!(
        "either import {token}: `aws codebuild import-source-credentials --region {region} --server-type {server} \
         --auth-type PERSONAL_ACCESS_TOKEN --token <token>`, or create a connection (console: Developer Tools → \
         Settings → Connections), complete its handshake, and make it CodeBuild's default: `aws codebuild \
         import-source-credentials --region {region} --server-type {server} --auth-type CODECONNECTIONS --token \
         <connection ARN>`{repository}"
    )
}

async fn connection(ctx: &Ctx<'_>, source: &BuildSource, arn: &str, named_by: &str) -> Item {
    match codeconnections::get_connection(ctx.client, arn).await {
        Err(error) => Item::not_checked(title(source), &error),
        Ok(None) => Item::fail(
            title(source),
            format!("the connection {arn} ({named_by}) does not exist"),
            "create a connection (console: Developer Tools → Settings → Connections) and use its ARN",
        ),
        Ok(Some(found)) if found.status == "AVAILABLE" => Item::pass(
            title(source),
            format!(
                "connection {} ({}) is available{}",
                found.name,
                found.provider_type,
                reach_note(source)
            ),
        ),
        Ok(Some(found)) => Item::fail(
            title(source),
            format!(
                "the connection {} ({named_by}) is {}: CodeBuild cannot use it until its handshake with {} is done",
                found.name, found.status, found.provider_type
            ),
            format!(
                "finish it in the console (Developer Tools → Settings → Connections → {} → Update pending \
                 connection), then run kumo again",
                found.name
            ),
        ),
    }
}
