//! Naming rules of the AWS services and of Kubernetes, as pure checks.
//!
//! Each check returns `Err(reason)` saying what is wrong with this particular value; the matching
//! `*_RULE` constant says what is allowed. Both end up in the error message, so a user learns the rule
//! and the concrete mistake at once. The rules are the services' documented constraints; checking them
//! here turns a CloudFormation rollback ten minutes into a deploy into an error before any AWS call.

type Check = Result<(), String>;

use kumo_core::names::{length, only};

fn starts_with(value: &str, what: &str, ok: impl Fn(char) -> bool) -> Check {
    match value.chars().next() {
        Some(c) if !ok(c) => Err(format!("starts with {c:?} instead of {what}")),
        _ => Ok(()),
    }
}

// Stack names, regions and tags follow one set of rules shared with `--stack-name`, `--region` and
// `--tag` (kumo-core), so a value is accepted or refused the same way whichever path it takes.
pub use kumo_core::names::{REGION_RULE, STACK_NAME_RULE, TAG_RULE, region, stack_name, tag_key, tag_value};

pub const EKS_CLUSTER_NAME_RULE: &str =
    "an EKS cluster name: 1-100 characters, letters, digits, hyphens and underscores, starting with a letter or digit";
pub const EKS_NODEGROUP_NAME_RULE: &str = "an EKS node group name: 1-63 characters, letters, digits, hyphens and \
     underscores, starting with a letter or digit";
pub fn eks_name(value: &str, max: usize) -> Check {
    length(value, 1, max)?;
    starts_with(value, "a letter or digit", |c| c.is_ascii_alphanumeric())?;
    only(value, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub const IAM_NAME_RULE: &str =
    "an IAM user or role name (not an ARN): 1-64 characters, letters, digits and + = , . @ _ -";
pub fn iam_name(value: &str) -> Check {
    if value.starts_with("arn:") {
        return Err("is an ARN; give only the name after \"user/\" or \"role/\"".to_owned());
    }
    length(value, 1, 64)?;
    only(value, |c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// Kubernetes "qualified name" segment: 1-63 alphanumerics, `-`, `_`, `.`, alphanumeric at both ends.
fn k8s_name_segment(value: &str) -> Check {
    length(value, 1, 63)?;
    only(value, |c| c.is_ascii_alphanumeric() || "-_.".contains(c))?;
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !ends_ok(value.chars().next()) || !ends_ok(value.chars().last()) {
        return Err("must start and end with a letter or digit".to_owned());
    }
    Ok(())
}

pub const LABEL_RULE: &str = "Kubernetes labels: key = optional DNS-subdomain prefix and \"/\", then a name of 1-63 \
     letters, digits, - _ . (alphanumeric at both ends); value empty or 1-63 such characters";
pub fn label_key(key: &str) -> Check {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        dns_subdomain(prefix).map_err(|e| format!("prefix {prefix:?} {e}"))?;
    }
    k8s_name_segment(name).map_err(|e| format!("name {name:?} {e}"))
}
pub fn label_value(value: &str) -> Check {
    if value.is_empty() {
        Ok(())
    } else {
        k8s_name_segment(value)
    }
}

pub const DNS_LABEL_RULE: &str =
    "a Kubernetes namespace (DNS-1123 label): 1-63 lowercase letters, digits and hyphens, alphanumeric at both ends";
pub fn dns_label(value: &str) -> Check {
    length(value, 1, 63)?;
    only(value, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')?;
    if value.starts_with('-') || value.ends_with('-') {
        return Err("starts or ends with a hyphen".to_owned());
    }
    Ok(())
}

pub const DNS_SUBDOMAIN_RULE: &str = "a Kubernetes object name (DNS-1123 subdomain): at most 253 characters, \
     dot-separated parts of lowercase letters, digits and hyphens, alphanumeric at both ends";
pub fn dns_subdomain(value: &str) -> Check {
    length(value, 1, 253)?;
    value
        .split('.')
        .try_for_each(|part| dns_label(part).map_err(|e| format!("part {part:?} {e}")))
}

pub const RDS_IDENTIFIER_RULE: &str = "an RDS identifier: letters, digits and hyphens, starting with a letter, \
     not ending with a hyphen, no two hyphens in a row";
pub fn rds_identifier(value: &str, max: usize) -> Check {
    length(value, 1, max)?;
    starts_with(value, "a letter", |c| c.is_ascii_alphabetic())?;
    only(value, |c| c.is_ascii_alphanumeric() || c == '-')?;
    if value.ends_with('-') {
        return Err("ends with a hyphen".to_owned());
    }
    if value.contains("--") {
        return Err("contains two hyphens in a row".to_owned());
    }
    Ok(())
}

pub const PG_IDENTIFIER_RULE: &str =
    "a PostgreSQL identifier: 1-63 letters, digits and underscores, starting with a letter";
pub fn pg_identifier(value: &str) -> Check {
    length(value, 1, 63)?;
    starts_with(value, "a letter", |c| c.is_ascii_alphabetic())?;
    only(value, |c| c.is_ascii_alphanumeric() || c == '_')
}

pub const SECRET_NAME_RULE: &str = "a Secrets Manager secret name: 1-512 letters, digits and / _ + = . @ -";
pub fn secret_name(value: &str) -> Check {
    length(value, 1, 512)?;
    only(value, |c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
}

/// Ends in a hyphen and six characters, like the suffix Secrets Manager appends to a secret's ARN.
/// Legal, but AWS advises against it: partial-ARN lookups can then match the wrong secret.
pub fn looks_like_secret_suffix(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    chars.len() >= 7
        && chars[chars.len() - 7] == '-'
        && chars[chars.len() - 6..].iter().all(|c| c.is_ascii_alphanumeric())
}

pub const CODEBUILD_PROJECT_RULE: &str = "a CodeBuild project name: 2-255 letters, digits, hyphens and underscores, \
     starting with a letter or digit";
pub fn codebuild_project(value: &str) -> Check {
    length(value, 2, 255)?;
    starts_with(value, "a letter or digit", |c| c.is_ascii_alphanumeric())?;
    only(value, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub const GITHUB_OWNER_RULE: &str =
    "a GitHub user or organisation: 1-39 letters, digits and single hyphens, not starting or ending with a hyphen";
pub fn github_owner(value: &str) -> Check {
    length(value, 1, 39)?;
    only(value, |c| c.is_ascii_alphanumeric() || c == '-')?;
    if value.starts_with('-') || value.ends_with('-') || value.contains("--") {
        return Err("has a leading, trailing or double hyphen".to_owned());
    }
    Ok(())
}

pub const GITHUB_REPO_RULE: &str = "a GitHub repository name: 1-100 letters, digits and . _ -";
pub fn github_repo(value: &str) -> Check {
    length(value, 1, 100)?;
    only(value, |c| c.is_ascii_alphanumeric() || "._-".contains(c))?;
    if value == "." || value == ".." {
        return Err("is a path component, not a name".to_owned());
    }
    Ok(())
}

pub const BRANCH_RULE: &str = "a git branch name (git check-ref-format): no spaces, no ~ ^ : ? * [ \\, no \"..\" \
     or \"@{\", not starting with \"-\" or \"/\", not ending with \"/\", \".\" or \".lock\"";
pub fn branch(value: &str) -> Check {
    length(value, 1, 255)?;
    if let Some(c) = value
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c))
    {
        return Err(format!("contains {c:?}"));
    }
    for bad in ["..", "@{", "//", "/."] {
        if value.contains(bad) {
            return Err(format!("contains {bad:?}"));
        }
    }
    if value.starts_with(['-', '/', '.']) || value.ends_with(['/', '.']) || value.ends_with(".lock") || value == "@" {
        return Err("starts or ends with a character git forbids there".to_owned());
    }
    Ok(())
}

pub const BUILDSPEC_RULE: &str = "a relative path inside the repository, such as \"buildspec.yml\"";
pub fn buildspec(value: &str) -> Check {
    length(value, 1, 255)?;
    if value.starts_with('/') {
        return Err("is an absolute path".to_owned());
    }
    if value.split('/').any(|part| part == "..") {
        return Err("leaves the repository with \"..\"".to_owned());
    }
    only(value, |c| !c.is_control())
}

pub const ECR_REPOSITORY_RULE: &str = "an ECR repository name: 2-256 lowercase letters, digits and . _ - /, each \
     \"/\"-separated part starting and ending with a letter or digit";
pub fn ecr_repository(value: &str) -> Check {
    length(value, 2, 256)?;
    only(value, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c)
    })?;
    for part in value.split('/') {
        let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if !ends_ok(part.chars().next()) || !ends_ok(part.chars().last()) {
            return Err(format!("part {part:?} must start and end with a letter or digit"));
        }
        if part.contains("..") || part.contains("__") || part.contains("--") {
            return Err(format!("part {part:?} has two separators in a row"));
        }
    }
    Ok(())
}

pub const IMAGE_TAG_RULE: &str = "an image tag: 1-128 letters, digits and _ . -, not starting with \".\" or \"-\"";
pub fn image_tag(value: &str) -> Check {
    length(value, 1, 128)?;
    starts_with(value, "a letter, digit or underscore", |c| {
        c.is_ascii_alphanumeric() || c == '_'
    })?;
    only(value, |c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

pub const DOMAIN_RULE: &str = "a lowercase domain name such as \"dev.mycompany.com\": at least two dot-separated \
     labels of 1-63 letters, digits and hyphens (not at either end of a label), at most 253 characters, no \
     trailing dot";
pub fn domain(value: &str) -> Check {
    length(value, 1, 253)?;
    if value.ends_with('.') {
        return Err("ends with a dot".to_owned());
    }
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("contains uppercase letters".to_owned());
    }
    let labels: Vec<&str> = value.split('.').collect();
    if labels.len() < 2 {
        return Err("has a single label; a public hosted zone needs a registrable domain".to_owned());
    }
    for label in labels {
        length(label, 1, 63).map_err(|e| format!("label {label:?} {e}"))?;
        only(label, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            .map_err(|e| format!("label {label:?} {e}"))?;
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("label {label:?} starts or ends with a hyphen"));
        }
    }
    Ok(())
}

/// Processor architecture of an EC2 instance family or EKS AMI type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Arm64,
}

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }
}

pub const INSTANCE_TYPE_RULE: &str = "an EC2 instance type \"family.size\" in lowercase, such as \"m5.large\", \
     \"t3a.medium\" or \"m7i-flex.2xlarge\"";

/// Checks the `family.size` shape of an EC2 instance type and returns its family.
pub fn instance_type(value: &str) -> Result<&str, String> {
    if value.starts_with("db.") || value.starts_with("cache.") {
        return Err("is an RDS/ElastiCache class, not an EC2 instance type".to_owned());
    }
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("contains uppercase letters".to_owned());
    }
    let Some((family, size)) = value.split_once('.') else {
        return Err("has no \".\" between family and size".to_owned());
    };
    family_shape(family)?;
    size_shape(size)?;
    Ok(family)
}

pub const DB_INSTANCE_CLASS_RULE: &str =
    "an RDS instance class \"db.family.size\" in lowercase, such as \"db.t4g.medium\" or \"db.r7g.large\"";

/// Checks the `db.family.size` shape of an RDS instance class.
pub fn db_instance_class(value: &str) -> Check {
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("contains uppercase letters".to_owned());
    }
    let Some(rest) = value.strip_prefix("db.") else {
        return Err("does not start with \"db.\"".to_owned());
    };
    let Some((family, size)) = rest.split_once('.') else {
        return Err("has no \".\" between family and size".to_owned());
    };
    family_shape(family)?;
    size_shape(size)
}

/// A family: lowercase letters, digits and inner hyphens, with a generation digit (m5, t3a, m7i-flex,
/// u-6tb1, mac2-m2pro).
fn family_shape(family: &str) -> Check {
    let ok = family.starts_with(|c: char| c.is_ascii_lowercase())
        && family
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && family.chars().any(|c| c.is_ascii_digit())
        && !family.ends_with('-')
        && !family.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!("family {family:?} is not a family like \"m5\" or \"t3a\""))
    }
}

/// A size: nano, micro, small, medium, large, xlarge, <n>xlarge, metal or metal-<n>xl.
fn size_shape(size: &str) -> Check {
    let numbered = |s: &str, suffix: &str| {
        s.strip_suffix(suffix)
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && !n.starts_with('0'))
    };
    let ok = matches!(
        size,
        "nano" | "micro" | "small" | "medium" | "large" | "xlarge" | "metal"
    ) || numbered(size, "xlarge")
        || size.strip_prefix("metal-").is_some_and(|n| numbered(n, "xl"));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "size {size:?} is not a size like \"medium\", \"large\", \"2xlarge\" or \"metal\""
        ))
    }
}

/// Architecture of an EC2 instance family: Graviton families carry a `g` right after the generation
/// digit (m6g, c7gn, t4g, r8gd, x2gd, im4gn, is4gen, g5g) and `a1` is the first Graviton; all else
/// is x86_64.
pub fn instance_family_arch(family: &str) -> Arch {
    if family == "a1" {
        return Arch::Arm64;
    }
    let head = family.split('-').next().unwrap_or(family);
    let after_generation = head.trim_start_matches(|c: char| c.is_ascii_lowercase());
    let suffix = after_generation.trim_start_matches(|c: char| c.is_ascii_digit());
    if suffix.starts_with('g') {
        Arch::Arm64
    } else {
        Arch::X86_64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_types() {
        for ok in [
            "m5.large",
            "t3a.medium",
            "m7i-flex.2xlarge",
            "u-6tb1.metal",
            "c7gn.16xlarge",
            "m7i.metal-24xl",
        ] {
            assert!(instance_type(ok).is_ok(), "{ok}");
        }
        for bad in [
            "m5",
            "M5.large",
            "m5.huge",
            "db.t3.medium",
            "m.large",
            "5m.large",
            "m5.large.x",
            "m5.0xlarge",
        ] {
            assert!(instance_type(bad).is_err(), "{bad}");
        }
        assert!(db_instance_class("db.t4g.medium").is_ok());
        for bad in ["t4g.medium", "db.t4g", "db.t4g.tiny", "db.serverless", "DB.t3.medium"] {
            assert!(db_instance_class(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn architectures() {
        for arm in ["m6g", "c7gn", "t4g", "r8gd", "x2gd", "im4gn", "is4gen", "g5g", "a1"] {
            assert_eq!(instance_family_arch(arm), Arch::Arm64, "{arm}");
        }
        for x86 in [
            "m5", "m5a", "m5dn", "t3a", "g5", "inf2", "m7i-flex", "u-6tb1", "c6in", "p5",
        ] {
            assert_eq!(instance_family_arch(x86), Arch::X86_64, "{x86}");
        }
    }

    #[test]
    fn names() {
        assert!(stack_name("MyEKSStack").is_ok());
        assert_eq!(
            stack_name("1stack"),
            Err("starts with '1' instead of a letter".to_owned())
        );
        assert_eq!(stack_name("my_stack"), Err("contains '_'".to_owned()));
        assert!(region("ap-northeast-1").is_ok() && region("us-gov-west-1").is_ok());
        assert!(region("us-east").is_err() && region("US-EAST-1").is_err() && region("tokyo").is_err());
        assert!(rds_identifier("cluster-identifier", 63).is_ok());
        assert!(rds_identifier("a--b", 63).is_err() && rds_identifier("ab-", 63).is_err());
        assert!(secret_name("database-secrets").is_ok() && secret_name("db secrets").is_err());
        assert!(looks_like_secret_suffix("database-abcdef") && !looks_like_secret_suffix("database-secrets"));
        assert!(ecr_repository("team/eks-app").is_ok() && ecr_repository("Eks-App").is_err());
        assert!(branch("feature/x").is_ok() && branch("a..b").is_err() && branch("a b").is_err());
        assert!(domain("dev.example.org").is_ok());
        assert!(domain("example.com.").is_err() && domain("localhost").is_err() && domain("-a.com").is_err());
        assert!(label_key("app").is_ok() && label_key("example.com/tier").is_ok() && label_key("-x").is_err());
        assert!(dns_label("kube-system").is_ok() && dns_label("Kube").is_err());
        assert!(iam_name("AdminRole").is_ok() && iam_name("arn:aws:iam::1:role/AdminRole").is_err());
        assert!(tag_key("aws:x").is_err() && tag_key("kumo:blueprint").is_ok());
        assert!(github_owner("k-akari").is_ok() && github_owner("-x").is_err());
        assert!(image_tag("latest").is_ok() && image_tag(".x").is_err());
    }
}
