//! Who will administer the EKS clusters: the creator (EKS's default access entry) and
//! every IAM user or role the template gives an access entry, which must exist as named.

use kumo_aws::services::iam;

use super::{and_list, join_all};
use crate::analysis::{AccessEntry, PrincipalRef};
use crate::report::Item;
use crate::{Ctx, Subject};

/// The caller, from its ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Caller {
    User {
        name: String,
    },
    /// An assumed-role session: the role's name (its path is not in the session ARN).
    Role {
        name: String,
    },
    Root,
    Federated,
    Other,
}

impl Caller {
    fn parse(arn: &str) -> Caller {
        let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
        if resource == "root" {
            return Caller::Root;
        }
        if let Some(rest) = resource.strip_prefix("assumed-role/") {
            return Caller::Role {
                name: rest.split('/').next().unwrap_or_default().to_owned(),
            };
        }
        if let Some(rest) = resource.strip_prefix("user/") {
            return Caller::User {
                name: rest.rsplit('/').next().unwrap_or_default().to_owned(),
            };
        }
        if resource.starts_with("federated-user/") {
            return Caller::Federated;
        }
        Caller::Other
    }

    /// Whether the access entry names this caller.
    fn is(&self, principal: &PrincipalRef, account: &str) -> bool {
        let last = |path: &str| path.rsplit('/').next().unwrap_or_default().to_owned();
        match (self, principal) {
            (
                Caller::User { name },
                PrincipalRef::User {
                    account: a,
                    path_and_name,
                },
            ) => a == account && *name == last(path_and_name),
            (
                Caller::Role { name },
                PrincipalRef::Role {
                    account: a,
                    path_and_name,
                },
            ) => a == account && *name == last(path_and_name),
            _ => false,
        }
    }
}

pub(crate) async fn check(ctx: &Ctx<'_>) -> Vec<Item> {
    let identity = ctx.identity;
    let caller = Caller::parse(&identity.arn);
    let needs = ctx.needs;
    let mut items = Vec::new();
    let creating: Vec<&str> = needs
        .clusters
        .iter()
        .filter(|c| c.new && c.creator_is_admin)
        .map(|c| c.id.as_str())
        .collect();
    // Who deploys is printed by the caller (one STS call, one line); the checklist says what it means
    // for the clusters the stack creates.
    let who = identity.arn.as_str();
    let title = "cluster creator";
    match (&caller, creating.is_empty()) {
        (_, true) => {}
        (Caller::User { .. } | Caller::Role { .. }, false) => items.push(Item::pass(
            title,
            format!(
                "{who} becomes cluster admin of {} as its creator (EKS's creator access entry)",
                creating.join(", ")
            ),
        )),
        (Caller::Root, false) => items.push(Item::warn(
            title,
            format!("{who} is the account's root user: EKS makes it the cluster's admin, but AWS advises against deploying as root"),
            Some("deploy as an IAM user or role (e.g. an SSO role), which then administers the cluster".to_owned()),
        )),
        (Caller::Federated | Caller::Other, false) => items.push(Item::warn(
            title,
            format!("{who}: EKS access entries name IAM users and roles, so this session may not be able to use the cluster it creates"),
            Some(format!(
                "deploy as an IAM user or role, or make sure {} names an identity you can use",
                ctx.subject.setting("eks.admin_users / eks.admin_roles", "an AWS::EKS::AccessEntry", "PrincipalArn")
            )),
        )),
    }

    // An access entry for the creator collides with EKS's own one (ResourceInUseException), after the
    // cluster is up: 10+ minutes in.
    if !creating.is_empty() {
        for entry in needs.access_entries.iter().filter(|e| e.new) {
            if caller.is(&entry.principal, &identity.account) {
                items.push(Item::fail(
                    "cluster admins",
                    format!(
                        "{} gives {} an access entry, but that is the identity deploying, which EKS already makes \
                         cluster admin as the creator: creating {} would fail with ResourceInUseException once the \
                         cluster is up",
                        entry.id, identity.arn, entry.id
                    ),
                    conflict_fix(ctx.subject, entry),
                ));
            }
        }
    }

    let results = join_all(needs.access_entries.iter().map(|entry| principal(ctx, entry))).await;
    let mut found = Vec::new();
    for result in results {
        match result {
            Found::Exists(name) => found.push(name),
            Found::Problem(item) => items.push(item),
            Found::Skip => {}
        }
    }
    if !found.is_empty() {
        items.push(Item::pass(
            "cluster admins",
            format!("{} exist{}", and_list(&found), if found.len() == 1 { "s" } else { "" }),
        ));
    }
    items
}

fn conflict_fix(subject: Subject, entry: &AccessEntry) -> String {
    match (subject, &entry.principal) {
        (Subject::Project, PrincipalRef::User { path_and_name, .. }) => {
            format!("remove {path_and_name:?} from eks.admin_users in kumo.toml: you stay cluster admin as the creator")
        }
        (Subject::Project, PrincipalRef::Role { path_and_name, .. }) => {
            format!("remove {path_and_name:?} from eks.admin_roles in kumo.toml: you stay cluster admin as the creator")
        }
        _ => format!(
            "remove {} (the creator is admin already), or set AccessConfig.BootstrapClusterCreatorAdminPermissions to false",
            entry.id
        ),
    }
}

enum Found {
    Exists(String),
    Problem(Item),
    Skip,
}

/// Whether the principal of one access entry exists as its ARN names it.
async fn principal(ctx: &Ctx<'_>, entry: &AccessEntry) -> Found {
    let (kind, account, path_and_name) = match &entry.principal {
        PrincipalRef::User { account, path_and_name } => ("user", account, path_and_name),
        PrincipalRef::Role { account, path_and_name } => ("role", account, path_and_name),
        PrincipalRef::Other(_) => return Found::Skip,
    };
    let partition = ctx.identity.partition();
    let expected = format!("arn:{partition}:iam::{account}:{kind}/{path_and_name}");
    if *account != ctx.identity.account {
        return Found::Problem(Item::warn(
            "cluster admins",
            format!(
                "{} names {expected}, in another account than {}: kumo cannot check it",
                entry.id, ctx.identity.account
            ),
            None,
        ));
    }
    let name = path_and_name.rsplit('/').next().unwrap_or_default();
    let looked_up = if kind == "user" {
        iam::get_user(ctx.client, name).await
    } else {
        iam::get_role(ctx.client, name).await
    };
    let key = if kind == "user" {
        "eks.admin_users"
    } else {
        "eks.admin_roles"
    };
    let title = "cluster admins";
    match looked_up {
        Err(error) => Found::Problem(Item::not_checked(title, &error)),
        Ok(None) => Found::Problem(Item::fail(
            title,
            format!(
                "IAM {kind} {name:?} does not exist in account {account}: its access entry ({}) would fail after \
                 the cluster is created",
                entry.id
            ),
            match ctx.subject {
                Subject::Project => format!("create the {kind} {name:?}, or remove it from {key} in kumo.toml"),
                Subject::Template => format!("create the {kind} {name:?}, or change PrincipalArn of {}", entry.id),
            },
        )),
        Ok(Some(found)) if found.arn != expected => Found::Problem(Item::fail(
            title,
            format!(
                "IAM {kind} {name:?} is {}, but {} names {expected}: EKS needs the ARN with the path {}",
                found.arn, entry.id, found.path
            ),
            match ctx.subject {
                Subject::Project => format!(
                    "kumo names admins without a path; remove {name:?} from {key} in kumo.toml (if it is the identity \
                     you deploy with, EKS makes it admin as the creator)"
                ),
                Subject::Template => format!("use {} as PrincipalArn of {}", found.arn, entry.id),
            },
        )),
        Ok(Some(_)) => Found::Exists(format!("{kind} {name}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_kinds() {
        assert_eq!(
            Caller::parse("arn:aws:iam::123456789012:user/dev/alice"),
            Caller::User { name: "alice".into() }
        );
        assert_eq!(
            Caller::parse("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1f9f/alice@example.com"),
            Caller::Role {
                name: "AWSReservedSSO_Admin_1f9f".into()
            }
        );
        assert_eq!(Caller::parse("arn:aws:iam::123456789012:root"), Caller::Root);
        assert_eq!(
            Caller::parse("arn:aws:sts::123456789012:federated-user/bob"),
            Caller::Federated
        );
        let role = Caller::parse("arn:aws:sts::123456789012:assumed-role/Admin/s");
        assert!(role.is(
            &PrincipalRef::Role {
                account: "123456789012".into(),
                path_and_name: "team/Admin".into()
            },
            "123456789012"
        ));
        assert!(!role.is(
            &PrincipalRef::User {
                account: "123456789012".into(),
                path_and_name: "Admin".into()
            },
            "123456789012"
        ));
    }
}
