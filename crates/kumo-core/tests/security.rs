//! Security rules on stacks built in Rust: waivers written next to the resource, carried in the
//! template's metadata, reported with their reason; a waiver without a reason fails synth.

use kumo_core::security::Rule;
use kumo_core::{DiagnosticKind, RawResource, ResourceOptions, Stack};
use serde_json::json;

fn repository() -> RawResource {
    RawResource::new("AWS::ECR::Repository").set("EncryptionConfiguration", json!({"EncryptionType": "KMS"}))
}

#[test]
fn an_unwaived_finding_is_reported_and_a_waived_one_carries_its_reason() {
    let mut stack = Stack::new("Demo");
    stack.add("Plain", repository());
    stack.add_with(
        "Latest",
        repository(),
        ResourceOptions::new().waive(Rule::EcrMutableTags, "the pipeline pushes `latest`"),
    );
    let template = stack.synth().unwrap();
    assert_eq!(
        template.to_value()["Resources"]["Latest"]["Metadata"],
        json!({"kumo": {"waivers": [{"rule": "ecr-mutable-tags", "reason": "the pipeline pushes `latest`"}]}})
    );
    let report = template.security_report();
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].resource, "Plain");
    assert_eq!(report.findings[0].rule, Rule::EcrMutableTags);
    assert_eq!(report.waived.len(), 1);
    assert_eq!(report.waived[0].finding.resource, "Latest");
    assert_eq!(report.waived[0].reason, "the pipeline pushes `latest`");
    assert!(report.unused_waivers.is_empty());
}

#[test]
fn a_waiver_without_a_reason_fails_synth() {
    let mut stack = Stack::new("Demo");
    stack.add_with(
        "Repo",
        repository(),
        ResourceOptions::new().waive(Rule::EcrMutableTags, "  "),
    );
    let error = stack.synth().unwrap_err();
    assert_eq!(error.diagnostics.len(), 1, "{error}");
    assert_eq!(error.diagnostics[0].kind, DiagnosticKind::InvalidWaiver);
    assert_eq!(
        error.diagnostics[0].to_string(),
        "Repo: Metadata.kumo.waivers: the waiver of ecr-mutable-tags has no reason; say why the rule does not apply"
    );
}

#[test]
fn waivers_on_a_constructs_resource_merge_into_its_metadata() {
    let mut stack = Stack::new("Demo");
    let repo = stack.add_with(
        "Repo",
        repository(),
        ResourceOptions::new().metadata(json!({"Owner": "team-a", "kumo": {"note": "kept"}})),
    );
    stack.waive(&repo, Rule::EcrMutableTags, "mutable on purpose");
    let value = stack.synth().unwrap().to_value();
    assert_eq!(
        value["Resources"]["Repo"]["Metadata"],
        json!({"Owner": "team-a", "kumo": {"note": "kept", "waivers": [{"rule": "ecr-mutable-tags", "reason": "mutable on purpose"}]}})
    );
    // A handle of another stack is reported, not panicked on.
    let mut other = Stack::new("Other");
    other.waive(&repo, Rule::DbPublic, "wrong stack");
    let error = other.synth().unwrap_err();
    assert_eq!(error.diagnostics[0].kind, DiagnosticKind::InvalidWaiver);
}

/// The README's rule table documents every rule with its severity.
#[test]
fn the_readme_documents_every_rule() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    for rule in Rule::ALL {
        let row = format!("| `{}` | {} |", rule.id(), rule.severity());
        assert!(readme.contains(&row), "README.md's security table lacks {row}");
    }
    let rows = readme
        .lines()
        .filter(|l| l.starts_with("| `") && (l.contains("` | error |") || l.contains("` | warning |")))
        .count();
    assert_eq!(
        rows,
        Rule::ALL.len(),
        "README.md's security table lists rules that do not exist"
    );
}
