//! Logical ids derived from construct paths, the way the AWS CDK derives them, so that they are stable
//! (the same path always gives the same id) and readable (`EksClusterNodeRole3F2A91C0`).
//!
//! * A path of one component is used as written (and must be a valid logical id): what you name a
//!   resource at the top of a stack is its logical id.
//! * A longer path gives the concatenated components, minus non-alphanumerics, minus a final
//!   `Resource` (the conventional id of an L2 construct's main L1 resource), plus the first 8 hex digits
//!   of the MD5 of the full path. The hash keeps ids unique when two paths concatenate alike.
//! * `Default` components are dropped entirely (as in the CDK).

use md5::{Digest, Md5};

/// The logical id kumo gives the resource at `path`.
pub fn from_path(path: &[String]) -> String {
    let components: Vec<&str> = path.iter().map(String::as_str).filter(|c| *c != HIDDEN_ID).collect();
    if let [only] = components.as_slice() {
        return (*only).to_owned();
    }
    let digest = Md5::digest(components.join("/").as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02X}")).collect();
    let mut human = String::new();
    let mut previous: Option<&str> = None;
    for component in &components {
        // Skip a component the previous one already ends with ("VpcVpc" reads as "Vpc").
        if previous.is_some_and(|p| p.ends_with(component)) {
            continue;
        }
        previous = Some(component);
        if *component == HIDDEN_FROM_HUMAN_ID {
            continue;
        }
        human.extend(component.chars().filter(char::is_ascii_alphanumeric));
    }
    human.truncate(MAX_HUMAN_LEN);
    human + &hash
}

/// Checks a logical id against CloudFormation's rules: 1 to 255 ASCII letters and digits.
pub fn check(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("logical ids cannot be empty".to_owned());
    }
    if id.len() > MAX_LEN {
        return Err(format!(
            "logical id is {} characters long; CloudFormation allows at most {MAX_LEN}",
            id.len()
        ));
    }
    if let Some(bad) = id.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(format!(
            "logical id contains {bad:?}; CloudFormation allows only A-Z, a-z and 0-9 (use a name like \
             {suggestion:?})",
            suggestion = id.chars().filter(char::is_ascii_alphanumeric).collect::<String>()
        ));
    }
    Ok(())
}

/// CloudFormation's maximum logical id length.
pub const MAX_LEN: usize = 255;
const MAX_HUMAN_LEN: usize = 240;
const HIDDEN_ID: &str = "Default";
const HIDDEN_FROM_HUMAN_ID: &str = "Resource";

#[cfg(test)]
mod tests {
    use super::*;

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn single_component_is_used_as_is() {
        assert_eq!(from_path(&path(&["MyVpc"])), "MyVpc");
    }

    #[test]
    fn nested_path_gets_human_part_and_cdk_compatible_hash() {
        // md5("EKSMasterRole/Resource") starts with these 8 hex digits; this is also the id the AWS CDK
        // gives the same construct path, which keeps migrations from the CDK free of replacements.
        let id = from_path(&path(&["EKSMasterRole", "Resource"]));
        assert!(id.starts_with("EKSMasterRole"), "{id}");
        assert_eq!(id.len(), "EKSMasterRole".len() + 8);
        assert_eq!(from_path(&path(&["EKSMasterRole", "Resource"])), id, "stable");
    }

    #[test]
    fn non_alphanumerics_are_removed_and_duplicates_folded() {
        let id = from_path(&path(&["Vpc", "Vpc", "subnet-a"]));
        assert!(id.starts_with("Vpcsubneta"), "{id}");
    }

    #[test]
    fn different_paths_with_same_human_part_get_different_ids() {
        assert_ne!(from_path(&path(&["Ab", "C"])), from_path(&path(&["A", "bC"])));
    }

    #[test]
    fn check_rejects_bad_ids() {
        assert!(check("Good1").is_ok());
        assert!(check("").is_err());
        assert!(check("has-dash").unwrap_err().contains("'-'"));
        assert!(check(&"a".repeat(256)).unwrap_err().contains("255"));
    }
}
