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

    /// Construct paths and the logical ids the AWS CDK gives them, as `cdk diff` prints them for
    /// `new ec2.Vpc(this, 'VPC')` and `new ec2.SecurityGroup(this, 'SecurityGroup', ..)`: kumo must give
    /// the same, so a stack moved from the CDK keeps its resources instead of replacing them.
    #[test]
    fn ids_are_the_ones_the_aws_cdk_computes_for_the_same_paths() {
        let cdk = [
            (&["VPC", "Resource"][..], "VPCB9E5F0B4"),
            (&["VPC", "PublicSubnet1", "Subnet"], "VPCPublicSubnet1SubnetB4246D30"),
            (
                &["VPC", "PublicSubnet1", "RouteTable"],
                "VPCPublicSubnet1RouteTableFEE4B781",
            ),
            (
                &["VPC", "PublicSubnet1", "RouteTableAssociation"],
                "VPCPublicSubnet1RouteTableAssociation0B0896DC",
            ),
            (
                &["VPC", "PublicSubnet1", "DefaultRoute"],
                "VPCPublicSubnet1DefaultRoute91CEF279",
            ),
            (&["VPC", "PublicSubnet1", "EIP"], "VPCPublicSubnet1EIP6AD938E8"),
            (
                &["VPC", "PublicSubnet1", "NATGateway"],
                "VPCPublicSubnet1NATGatewayE0556630",
            ),
            (&["VPC", "PrivateSubnet1", "Subnet"], "VPCPrivateSubnet1Subnet8BCA10E0"),
            (
                &["VPC", "PrivateSubnet2", "DefaultRoute"],
                "VPCPrivateSubnet2DefaultRouteF4F5CFD2",
            ),
            (&["VPC", "IGW"], "VPCIGWB7E252D3"),
            // "VPC" then "VPCGW": not a repeated term (the previous one does not end with it).
            (&["VPC", "VPCGW"], "VPCVPCGW99B986DC"),
            (&["SecurityGroup", "Resource"], "SecurityGroupDD263621"),
        ];
        for (components, expected) in cdk {
            assert_eq!(from_path(&path(components)), expected, "{components:?}");
        }
    }

    #[test]
    fn non_alphanumerics_are_removed_and_duplicates_folded() {
        // "Vpc", "Vpc": the second repeats the first and leaves the human part; the hash covers all.
        assert_eq!(from_path(&path(&["Vpc", "Vpc", "subnet-a"])), "VpcsubnetaBD77A313");
        // `Default` leaves the path entirely: what remains is one component, used as written.
        assert_eq!(from_path(&path(&["Foo", "Default"])), "Foo");
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
