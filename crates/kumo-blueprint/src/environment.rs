//! Environments: `stack.env` (or `--env`) makes a complete, separate copy of the blueprint.
//!
//! Every physical name AWS requires to be unique per account and region derives from the environment:
//! `name` becomes `name-<env>`. IAM is global, so IAM role and policy names also carry the region
//! (`eks-master-role-<env>-${AWS::Region}`): the same environment deployed into two regions does not
//! collide either. The region stays a pseudo parameter, so templates remain region-agnostic. Without an
//! environment every name is the seed's, exactly.
//!
//! [`physical_names`] lists every such name with its resource type and property, so the configuration
//! rules judge them against the registry schemas' limits (`kumo-cfn`'s `SPEC`) before anything is built.

use kumo_core::spec::{ResourceSpec, Shape};
use kumo_core::{Str, fns};

use crate::Config;

/// The longest region code (`ap-southeast-1`, `us-gov-west-1`...: 14 characters), for names checked
/// before the region is known.
pub const LONGEST_REGION: &str = "ap-southeast-1";

/// The physical names the blueprint writes itself (not from `kumo.toml`): IAM roles and policies and
/// the launch template, by their seed names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    env: Option<String>,
}

impl Names {
    pub fn new(env: Option<&str>) -> Names {
        Names {
            env: env.map(str::to_owned),
        }
    }

    /// The environment, if any.
    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    /// A name unique per account and region: `base`, or `base-<env>`.
    pub fn regional(&self, base: &str) -> String {
        match &self.env {
            None => base.to_owned(),
            Some(env) => format!("{base}-{env}"),
        }
    }

    /// An IAM name (account-global): `base`, or `Fn::Sub "base-<env>-${AWS::Region}"`.
    pub fn global(&self, base: &str) -> Str {
        match &self.env {
            None => base.into(),
            Some(_) => fns::sub(format!("{}-${{AWS::Region}}", self.regional(base))),
        }
    }

    /// [`Names::global`] as text, with `region` for the pseudo parameter (for length checks).
    pub fn global_in(&self, base: &str, region: &str) -> String {
        match &self.env {
            None => base.to_owned(),
            Some(_) => format!("{}-{region}", self.regional(base)),
        }
    }
}

// The blueprint's own names, one constant each, used by the modules and by `physical_names`.
pub const EKS_MASTER_ROLE: &str = "eks-master-role";
pub const EKS_NODE_ROLE: &str = "eks-node-role";
pub const NODES_LAUNCH_TEMPLATE: &str = "eks-nodes-launch-template";
pub const IMAGE_BUILDER_ROLE: &str = "role-codebuild-for-image-builder";
pub const PUSH_IMAGE_POLICY: &str = "push-image-policy-for-image-builder";
pub const DB_MIGRATOR_ROLE: &str = "role-for-db-migrator";
pub const PULL_IMAGE_POLICY: &str = "pull-image-policy-for-db-migrator";

impl Config {
    /// The blueprint's own names for this configuration's environment.
    pub fn names(&self) -> Names {
        Names::new(self.stack.env.as_deref())
    }

    /// This configuration with every name from `kumo.toml` that must be unique per account or region made
    /// unique for `stack.env` (`name-<env>`); itself when there is no environment. `build` uses it, so
    /// the configured names stay what the user wrote.
    pub fn for_environment(&self) -> Config {
        let names = self.names();
        if names.env().is_none() {
            return self.clone();
        }
        let mut c = self.clone();
        let r = |value: &mut String| *value = names.regional(value);
        r(&mut c.stack.name);
        r(&mut c.network.vpc_name);
        r(&mut c.eks.cluster_name);
        r(&mut c.eks.node_group.name);
        r(&mut c.database.cluster_identifier);
        r(&mut c.database.instance_identifier_base);
        r(&mut c.database.secret_name);
        r(&mut c.image_builder.project_name);
        c.image_builder.repositories.iter_mut().for_each(r);
        r(&mut c.db_migrator.project_name);
        r(&mut c.db_migrator.repository);
        c
    }
}

/// One physical name of the blueprint, as it will be deployed.
#[derive(Clone, Debug)]
pub struct PhysicalName {
    /// The resource's schema (type name, property limits).
    pub spec: &'static ResourceSpec,
    /// The property that carries the name (`RoleName`).
    pub property: &'static str,
    /// The name, with the region written out (`LONGEST_REGION` when not known yet).
    pub value: String,
}

impl PhysicalName {
    /// Why the registry schema refuses this name (over the property's length limit, or not matching
    /// its pattern), naming the resource type, the property and the limit.
    pub fn problem(&self) -> Option<String> {
        match self.spec.properties.property(self.property).map(|p| &p.shape) {
            Some(Shape::String(rules)) => kumo_core::validate::string_problem(&self.value, rules)
                .map(|why| format!("{} {}: {why}", self.spec.type_name, self.property)),
            _ => None,
        }
    }
}

/// Every physical name the blueprint gives for `config` (environment applied), with the region written
/// out as `region` (IAM names carry it).
pub fn physical_names(config: &Config, region: &str) -> Vec<PhysicalName> {
    use kumo_cfn::{codebuild, ec2, ecr, eks, iam, logs, rds, secretsmanager};
    let names = config.names();
    let c = config.for_environment();
    let name =
        |spec: &'static ResourceSpec, property: &'static str, value: String| PhysicalName { spec, property, value };
    let mut all = vec![
        name(&eks::cluster::SPEC, "Name", c.eks.cluster_name.clone()),
        name(&eks::nodegroup::SPEC, "NodegroupName", c.eks.node_group.name.clone()),
        name(
            &logs::log_group::SPEC,
            "LogGroupName",
            kumo_constructs::eks::log_group_name(&c.eks.cluster_name),
        ),
        name(
            &ec2::launch_template::SPEC,
            "LaunchTemplateName",
            names.regional(NODES_LAUNCH_TEMPLATE),
        ),
        name(
            &rds::db_cluster::SPEC,
            "DBClusterIdentifier",
            c.database.cluster_identifier.clone(),
        ),
        // Instances are `<base>-1`, `<base>-2`, ...: the longest suffix counts.
        name(
            &rds::db_instance::SPEC,
            "DBInstanceIdentifier",
            format!("{}-{}", c.database.instance_identifier_base, c.database.instances),
        ),
        name(&secretsmanager::secret::SPEC, "Name", c.database.secret_name.clone()),
        name(&codebuild::project::SPEC, "Name", c.image_builder.project_name.clone()),
        name(&codebuild::project::SPEC, "Name", c.db_migrator.project_name.clone()),
        name(
            &logs::log_group::SPEC,
            "LogGroupName",
            kumo_constructs::codebuild::log_group_name(&c.image_builder.project_name),
        ),
        name(
            &logs::log_group::SPEC,
            "LogGroupName",
            kumo_constructs::codebuild::log_group_name(&c.db_migrator.project_name),
        ),
    ];
    for repository in &c.image_builder.repositories {
        all.push(name(&ecr::repository::SPEC, "RepositoryName", repository.clone()));
    }
    for role in [EKS_MASTER_ROLE, EKS_NODE_ROLE, IMAGE_BUILDER_ROLE, DB_MIGRATOR_ROLE] {
        all.push(name(&iam::role::SPEC, "RoleName", names.global_in(role, region)));
    }
    for policy in [PUSH_IMAGE_POLICY, PULL_IMAGE_POLICY] {
        all.push(name(
            &iam::managed_policy::SPEC,
            "ManagedPolicyName",
            names.global_in(policy, region),
        ));
    }
    all
}
