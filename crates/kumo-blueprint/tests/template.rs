//! The whole template: reviewed snapshots, cfn-lint on every variant, size, self-containedness and
//! determinism.

mod common;

use common::*;
use kumo_blueprint::{Config, build};

/// CloudFormation's inline `TemplateBody` limit; above it a deploy needs an S3 bucket.
const INLINE_LIMIT: usize = 51_200;
/// The default template must stay 10% under the limit, so growth is noticed before it bites.
const SIZE_BUDGET: usize = INLINE_LIMIT * 9 / 10;

fn json_of(config: &Config) -> String {
    build(config).synth().unwrap_or_else(|e| panic!("{e}")).to_json()
}

#[test]
fn default_template_snapshot() {
    insta::assert_snapshot!("default", json_of(&Config::default()));
}

#[test]
fn cheap_template_snapshot() {
    insta::assert_snapshot!("cheap", json_of(&Config::cheap()));
}

#[test]
fn every_variant_passes_cfn_lint_without_errors_or_warnings() {
    // One cfn-lint run for all variants (its start-up costs seconds).
    let rendered: Vec<(&str, String)> = variants()
        .into_iter()
        .map(|(name, config)| (name, json_of(&config)))
        .collect();
    let batch: Vec<(&str, &str)> = rendered.iter().map(|(name, body)| (*name, body.as_str())).collect();
    kumo_testkit::cfn_lint::assert_clean(&batch);
}

#[test]
fn default_template_fits_inline_with_a_margin() {
    let size = build(&Config::default()).synth().unwrap().to_json_minified().len();
    let cheap = build(&Config::cheap()).synth().unwrap().to_json_minified().len();
    eprintln!("minified template: default {size} bytes, cheap {cheap} bytes (inline limit {INLINE_LIMIT})");
    assert!(
        size < SIZE_BUDGET,
        "default template is {size} bytes; budget {SIZE_BUDGET} (limit {INLINE_LIMIT})"
    );
    assert!(
        cheap < SIZE_BUDGET,
        "cheap template is {cheap} bytes; budget {SIZE_BUDGET}"
    );
}

#[test]
fn no_lambda_no_custom_resource_no_asset_no_bootstrap() {
    for (name, config) in variants() {
        let template = build(&config).synth().unwrap().to_value();
        for (id, resource) in template["Resources"].as_object().unwrap() {
            let kind = resource["Type"].as_str().unwrap();
            assert!(
                !kind.starts_with("AWS::Lambda::")
                    && !kind.starts_with("Custom::")
                    && kind != "AWS::CloudFormation::CustomResource"
                    && kind != "AWS::CloudFormation::Stack"
                    && kind != "AWS::CDK::Metadata",
                "{name}: {id} is a {kind}"
            );
            // The only metadata is kumo's security waivers (each with its reason).
            if let Some(metadata) = resource.get("Metadata") {
                let keys: Vec<&String> = metadata.as_object().unwrap().keys().collect();
                assert_eq!(keys, ["kumo"], "{name}: {id} has Metadata {metadata}");
                assert!(metadata["kumo"]["waivers"].is_array(), "{name}: {id}: {metadata}");
            }
        }
        // Assets and the CDK bootstrap stack show up as parameters (`BootstrapVersion`,
        // `AssetParameters...`), rules, staging-bucket names or imports.
        for section in ["Parameters", "Rules", "Metadata", "Transform"] {
            assert!(template.get(section).is_none(), "{name}: template has {section}");
        }
        let text = template.to_string();
        for marker in [
            "cdk-",
            "AssetParameters",
            "BootstrapVersion",
            "Fn::ImportValue",
            "TemplateURL",
            "s3://",
            ".zip",
        ] {
            assert!(!text.contains(marker), "{name}: template mentions {marker}");
        }
    }
}

#[test]
fn synthesis_is_deterministic() {
    for (name, config) in variants() {
        assert_eq!(
            build(&config).synth().unwrap().to_json_minified(),
            build(&config).synth().unwrap().to_json_minified(),
            "{name}"
        );
    }
}

#[test]
fn resource_counts_per_variant() {
    let counts: Vec<(&str, usize)> = variants()
        .iter()
        .map(|(name, config)| {
            let template = build(config).synth().unwrap().to_value();
            (*name, template["Resources"].as_object().map_or(0, serde_json::Map::len))
        })
        .collect();
    eprintln!("resources per variant: {counts:?}");
    let count = |name: &str| counts.iter().find(|(n, _)| *n == name).unwrap().1;
    // Cheap: one NAT gateway, EIP, private route table and its route fewer, and no Enhanced Monitoring
    // role.
    assert_eq!(count("default") - count("cheap"), 5);
    // IRSA: an OIDC provider instead of the agent add-on and two associations (the external-dns add-on
    // is in both, with its role by IRSA or by its own association).
    assert_eq!(count("default") - count("irsa"), 2);
}
