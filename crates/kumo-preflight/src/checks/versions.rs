//! Versions and classes the region must offer: the EKS Kubernetes version, and the database engine
//! version and instance class (a class can be orderable for one version and not another).

use std::collections::BTreeSet;

use kumo_aws::services::{eks, rds};

use super::{and_list, join_all};
use crate::analysis::Database;
use crate::report::Item;
use crate::{Ctx, Subject};

pub(crate) async fn kubernetes(ctx: &Ctx<'_>) -> Vec<Item> {
    let versions: BTreeSet<(&str, &str)> = ctx
        .needs
        .clusters
        .iter()
        .filter_map(|c| c.version.as_deref().map(|v| (v, c.id.as_str())))
        .collect();
    join_all(
        versions
            .into_iter()
            .map(|(version, cluster)| kubernetes_version(ctx, version, cluster)),
    )
    .await
}

async fn kubernetes_version(ctx: &Ctx<'_>, version: &str, cluster: &str) -> Item {
    let title = format!("Kubernetes {version}");
    let region = ctx.region();
    let found = match eks::describe_cluster_versions(ctx.client, &[version.to_owned()]).await {
        Ok(found) => found,
        Err(error) => return Item::not_checked(title, &error),
    };
    let setting = ctx.subject.setting("eks.kubernetes_version", cluster, "Version");
    match found.iter().find(|v| v.version == version).map(|v| v.status.as_str()) {
        Some("STANDARD_SUPPORT") => Item::pass(title, format!("EKS offers it in {region} (standard support)")),
        Some("EXTENDED_SUPPORT") => Item::warn(
            title,
            format!(
                "EKS offers it in {region} in extended support only: the control plane costs $0.60 an hour \
                 instead of $0.10"
            ),
            Some(format!("choose a version in standard support: {setting}")),
        ),
        Some(status) => {
            let offered = offered(ctx).await;
            Item::fail(
                title,
                format!("EKS reports it as {status} in {region}{offered}"),
                format!("choose an offered version: {setting}"),
            )
        }
        None => {
            let offered = offered(ctx).await;
            Item::fail(
                title,
                format!("EKS does not offer it for new clusters in {region}{offered}"),
                format!("choose an offered version: {setting}"),
            )
        }
    }
}

/// `; offered: 1.33, 1.34, ...` (empty if the list cannot be had).
async fn offered(ctx: &Ctx<'_>) -> String {
    match eks::describe_cluster_versions(ctx.client, &[]).await {
        Ok(all) if !all.is_empty() => {
            let mut versions: Vec<String> = all
                .into_iter()
                .filter(|v| v.status != "UNSUPPORTED")
                .map(|v| v.version)
                .collect();
            versions.sort_by_key(|v| v.split('.').map(|n| n.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>());
            format!("; offered: {}", versions.join(", "))
        }
        _ => String::new(),
    }
}

pub(crate) async fn databases(ctx: &Ctx<'_>) -> Vec<Item> {
    let mut distinct: Vec<&Database> = Vec::new();
    for database in &ctx.needs.databases {
        if !distinct
            .iter()
            .any(|d| d.engine == database.engine && d.version == database.version && d.class == database.class)
        {
            distinct.push(database);
        }
    }
    join_all(distinct.into_iter().map(|database| orderable(ctx, database))).await
}

fn engine_name(engine: &str) -> &str {
    match engine {
        "aurora-postgresql" => "Aurora PostgreSQL",
        "aurora-mysql" => "Aurora MySQL",
        "postgres" => "PostgreSQL",
        "mysql" => "MySQL",
        "mariadb" => "MariaDB",
        other => other,
    }
}

async fn orderable(ctx: &Ctx<'_>, database: &Database) -> Item {
    let region = ctx.region();
    let engine = engine_name(&database.engine);
    let version = database.version.as_deref();
    let title = match version {
        Some(version) => format!("{engine} {version} on {}", database.class),
        None => format!("{engine} on {}", database.class),
    };
    let client = ctx.client;
    match rds::orderable_options(client, &database.engine, version, Some(&database.class)).await {
        Err(error) => return Item::not_checked(title, &error),
        Ok(found) if !found.is_empty() => return Item::pass(title, format!("orderable in {region}")),
        Ok(_) => {}
    }
    let (version_key, class_key) = match ctx.subject {
        Subject::Project => (
            "database.engine_version in kumo.toml".to_owned(),
            "database.instance_class in kumo.toml".to_owned(),
        ),
        Subject::Template => (
            format!("the EngineVersion of {}'s cluster", database.id),
            format!("DBInstanceClass of {}", database.id),
        ),
    };
    // Not orderable: the class for this version, or the version at all?
    let for_version = match rds::orderable_options(client, &database.engine, version, None).await {
        Ok(found) => found,
        Err(error) => return Item::not_checked(title, &error),
    };
    if !for_version.is_empty() {
        let classes: BTreeSet<String> = for_version.into_iter().map(|o| o.instance_class).collect();
        let examples: Vec<String> = classes.into_iter().take(8).collect();
        return Item::fail(
            title,
            format!(
                "{} is not orderable for {engine} {} in {region}; orderable classes include {}",
                database.class,
                version.unwrap_or("(default version)"),
                and_list(&examples)
            ),
            format!("choose an orderable class: {class_key}"),
        );
    }
    let fix = format!(
        "choose a version the region offers (`aws rds describe-db-engine-versions --region {region} --engine {} \
         --query 'DBEngineVersions[].EngineVersion'`): {version_key}",
        database.engine
    );
    Item::fail(
        title,
        format!(
            "{engine} {} is not offered in {region}",
            version.unwrap_or("(default version)")
        ),
        fix,
    )
}
