//! Assembles the modules into one stack, like the seed's `my_eks_stack.go`:
//!
//! ```go
//! vpc, vpcEndpoint := myeks.NewNetwork(stack)
//! eksCluster := myeks.NewEksCluster(stack, vpc, vpcEndpoint)
//! myeks.NewIamRolesForServiceAccounts(stack, eksCluster)
//! dbCluster := myeks.NewDatabaseCluster(stack, eksCluster)
//! repoMigrate := myeks.NewImageBuilder(stack, props)
//! myeks.NewDBMigrator(stack, repoMigrate, dbCluster, vpcEndpoint, props)
//! myeks.NewHostZone(stack)
//! ```

use std::collections::BTreeMap;

use kumo_constructs::ec2::Vpc;
use kumo_constructs::eks::Cluster;
use kumo_constructs::kms::Key;
use kumo_core::app::{App, AppStack, ENV_TAG, KEPT_FOR_TAG, ParameterSource};
use kumo_core::{Diagnostic, Stack};

use crate::{
    Config, database_cluster, db_migrator, eks_cluster, encryption, hosted_zone, image_builder, network, pod_identities,
};

/// The whole environment as an app: the DNS stack (kept on destroy), then the main stack, which receives
/// the zone id from it. Stack names, tags and physical names follow `stack.env`.
pub fn build_app(config: &Config) -> App {
    build_app_with(config, |_, _| {})
}

/// What the main stack is built around, for a user's own resources (see [`build_app_with`]).
pub struct Parts<'a> {
    /// The configuration with the environment applied (its names are the deployed ones).
    pub config: &'a Config,
    pub vpc: &'a Vpc,
    pub cluster: &'a Cluster,
    /// The environment's customer managed key.
    pub key: &'a Key,
}

/// [`build_app`], with `extend` adding the user's own resources to the main stack once the blueprint's
/// are in: e.g. a queue and a pod role that reads it (`examples/blueprint-extended`).
pub fn build_app_with(config: &Config, extend: impl FnOnce(&mut Stack, &Parts<'_>)) -> App {
    let main = build_with(config, extend);
    let main_name = main.name().to_owned();
    let config = config.for_environment();
    let mut tags: BTreeMap<String, String> = config.stack.tags.clone();
    if let Some(env) = &config.stack.env {
        tags.insert(ENV_TAG.to_owned(), env.clone());
    }

    let (dns_stack, zone_logical_id) = hosted_zone::new_dns_stack(&main_name, &config.dns);
    let mut dns = AppStack::new(dns_stack);
    dns.keep_on_destroy = true;
    dns.tags = tags.clone();
    dns.tags.insert(KEPT_FOR_TAG.to_owned(), main_name.clone());
    let dns_name = dns.stack.name().to_owned();

    let mut app_main = AppStack::new(main);
    app_main.depends_on = vec![dns_name.clone()];
    app_main.parameters.insert(
        hosted_zone::HOSTED_ZONE_PARAMETER.to_owned(),
        ParameterSource::ResourceRef {
            stack: dns_name,
            logical_id: zone_logical_id,
        },
    );
    app_main.tags = tags;
    app_main.termination_protection = config.stack.termination_protection;
    App {
        stacks: vec![dns, app_main],
    }
}

/// The whole environment as one template value: the resources of every stack of [`build_app`] (their
/// logical ids do not collide), for figures about the environment as a whole, such as its cost.
pub fn synth_environment(config: &Config) -> Result<serde_json::Value, kumo_core::SynthError> {
    let mut merged: Option<serde_json::Value> = None;
    for part in build_app(config).stacks.into_iter().rev() {
        let template = part.stack.synth()?.to_value();
        match &mut merged {
            None => merged = Some(template),
            Some(main) => {
                if let (Some(into), Some(from)) = (
                    main.get_mut("Resources").and_then(serde_json::Value::as_object_mut),
                    template.get("Resources").and_then(serde_json::Value::as_object),
                ) {
                    into.extend(from.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
    }
    Ok(merged.unwrap_or_default())
}

/// The main stack of the blueprint (everything but the DNS zone, whose id is its `HostedZoneId`
/// parameter; see [`build_app`]).
pub fn build(config: &Config) -> Stack {
    build_with(config, |_, _| {})
}

/// [`build`], then `extend` on the finished main stack.
pub fn build_with(config: &Config, extend: impl FnOnce(&mut Stack, &Parts<'_>)) -> Stack {
    let config = &config.for_environment();
    let names = config.names();
    let mut stack = Stack::new(&config.stack.name);
    stack.set_description("EKS on EC2 blueprint (kumo): VPC, EKS, Aurora PostgreSQL, ECR, CodeBuild, Route 53");

    // kumo adds one customer managed key for the log groups, the database secret and the images.
    let key = encryption::new_environment_key(&mut stack, config);
    let (vpc, vpc_endpoint) = network::new_network(&mut stack, &config.network);
    let eks_cluster = eks_cluster::new_eks_cluster(&mut stack, &config.eks, &vpc, &vpc_endpoint, &key, &names);
    let db_cluster = database_cluster::new_database_cluster(&mut stack, &config.database, &vpc, &eks_cluster, &key);
    let repositories = image_builder::new_image_builder(&mut stack, &config.image_builder, &key, &names);
    match repositories.named(&config.db_migrator.repository) {
        Some(repo_migrate) => db_migrator::new_db_migrator(
            &mut stack,
            &config.db_migrator,
            repo_migrate,
            &db_cluster,
            &vpc,
            &vpc_endpoint,
            &key,
            &names,
        ),
        // `Config::validate` says so too; a stack built from such a configuration fails to synth.
        None => stack.report(Diagnostic::invalid_props(
            "db_migrator",
            "repository",
            format!(
                "{:?} is not one of image_builder.repositories, so the migrator has no image to run",
                config.db_migrator.repository
            ),
        )),
    }
    let hosted_zone = hosted_zone::new_hosted_zone(&mut stack, &config.dns);
    // The seed creates the pod roles right after the cluster. kumo's are scoped to the database secret and
    // the hosted zone, so they come once both exist.
    pod_identities::new_pod_identities(
        &mut stack,
        &config.pod_identity,
        &eks_cluster,
        db_cluster.secret(),
        &hosted_zone,
    );
    let parts = Parts {
        config,
        vpc: &vpc,
        cluster: &eks_cluster,
        key: &key,
    };
    extend(&mut stack, &parts);
    stack
}
