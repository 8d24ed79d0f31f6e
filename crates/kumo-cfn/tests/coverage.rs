//! The generated crate covers every type of the pinned schema set, and its index agrees with the files.

use std::collections::BTreeSet;
use std::path::Path;

fn pinned_types() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/registry");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
            schema["typeName"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn every_pinned_type_is_generated() {
    let pinned = pinned_types();
    let generated: BTreeSet<String> = kumo_cfn::TYPES.iter().map(|(t, _)| t.to_string()).collect();
    assert_eq!(pinned.len(), 1854, "the pinned set is cfn-lint 1.58.0's 1,854 types");
    assert_eq!(generated, pinned);
}

#[test]
fn every_generated_service_is_a_cargo_feature() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let services: BTreeSet<&str> = kumo_cfn::TYPES.iter().map(|(_, s)| *s).collect();
    for service in services {
        assert!(
            manifest.contains(&format!("\n{service} = []")),
            "no feature for {service}"
        );
    }
}

#[test]
fn enabled_specs_are_reachable_by_type_name() {
    let spec = kumo_cfn::spec("AWS::EKS::PodIdentityAssociation").expect("eks is enabled for tests");
    assert_eq!(spec.type_name, "AWS::EKS::PodIdentityAssociation");
    assert!(spec.has_attribute("AssociationArn"));
    assert!(kumo_cfn::spec("AWS::Bogus::Thing").is_none());
    assert_eq!(kumo_cfn::SCHEMA_DATE, "2026-10-20");
}
