//! `kumo synth` as a user runs it: the real binary, in a scratch directory, no AWS configuration.

use std::process::Output;

mod offline;
use offline::{kumo, scratch, text};

#[test]
fn synth_with_no_arguments_writes_the_blueprint_and_a_manifest() {
    let dir = scratch("default");
    let out = kumo(&dir, &["synth"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one-line summary: {stdout}");
    assert!(stdout.starts_with("synthesized MyEKSStack: "), "{stdout}");
    assert!(stdout.contains("kumo.out/MyEKSStack.template.json"), "{stdout}");

    let template = std::fs::read_to_string(dir.join("kumo.out/MyEKSStack.template.json")).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&template).unwrap();
    let resources = parsed["Resources"].as_object().unwrap().len();
    assert!(resources > 0);

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kumo.out/manifest.json")).unwrap()).unwrap();
    let entry = &manifest["stacks"][0];
    assert_eq!(entry["stackName"], "MyEKSStack");
    assert_eq!(entry["templateFile"], "MyEKSStack.template.json");
    assert_eq!(entry["resourceCount"], resources);
    let minified = serde_json::to_string(&parsed).unwrap();
    assert_eq!(entry["minifiedBytes"], minified.len());
    assert_eq!(manifest["schemaDate"], "2026-10-20");
    assert_eq!(entry["templateSha256"].as_str().unwrap().len(), 64);
}

#[test]
fn output_is_byte_identical_across_runs_and_directories() {
    let a = scratch("det-a");
    let b = scratch("det-b");
    assert!(kumo(&a, &["synth"]).status.success());
    assert!(kumo(&b, &["synth", "--out", "elsewhere"]).status.success());
    assert!(kumo(&a, &["synth", "--format", "yaml"]).status.success());
    assert!(
        kumo(&b, &["synth", "--out", "elsewhere", "--format", "yaml"])
            .status
            .success()
    );
    for file in ["MyEKSStack.template.json", "MyEKSStack.template.yaml"] {
        let first = std::fs::read(a.join("kumo.out").join(file)).unwrap();
        let second = std::fs::read(b.join("elsewhere").join(file)).unwrap();
        assert_eq!(first, second, "{file} differs");
    }
}

#[test]
fn yaml_output_is_the_same_template_and_passes_cfn_lint() {
    let dir = scratch("yaml");
    assert!(kumo(&dir, &["synth"]).status.success());
    let out = kumo(&dir, &["synth", "--format", "yaml"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("MyEKSStack.template.yaml"));
    let json = std::fs::read_to_string(dir.join("kumo.out/MyEKSStack.template.json")).unwrap();
    let yaml = std::fs::read_to_string(dir.join("kumo.out/MyEKSStack.template.yaml")).unwrap();
    let from_yaml: serde_json::Value = serde_yaml_ng::from_str(&yaml).unwrap();
    let from_json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(from_yaml, from_json);
    kumo_testkit::cfn_lint::assert_clean(&[("cli-synth-json", &json), ("cli-synth-yaml", &yaml)]);
}

/// Bad input: one clear `error:` line naming the problem, exit code 2, no panic, nothing written.
fn assert_usage_error(out: &Output, needle: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("error:"), "first line: {first}");
    assert!(first.contains(needle), "first line should name {needle:?}: {first}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unknown_format_is_a_usage_error() {
    let dir = scratch("format");
    let out = kumo(&dir, &["synth", "--format", "xml"]);
    assert_usage_error(&out, "'xml'");
    assert!(text(&out.stderr).contains("json, yaml"));
    assert!(!dir.join("kumo.out").exists());
}

#[test]
fn unreadable_config_is_an_error() {
    let dir = scratch("config");
    let out = kumo(&dir, &["synth", "--config", "missing.toml"]);
    assert_usage_error(&out, "cannot read config missing.toml");
    std::fs::create_dir(dir.join("a-directory.toml")).unwrap();
    let out = kumo(&dir, &["synth", "--config", "a-directory.toml"]);
    assert_usage_error(&out, "config a-directory.toml is a directory, not a file");
    assert!(!dir.join("kumo.out").exists());
}

#[test]
fn out_dir_with_missing_parent_is_an_error() {
    let dir = scratch("out");
    let out = kumo(&dir, &["synth", "--out", "no/such/parent/out"]);
    assert_usage_error(&out, "parent directory no/such/parent does not exist");
    std::fs::write(dir.join("file"), "x").unwrap();
    let out = kumo(&dir, &["synth", "--out", "file"]);
    assert_usage_error(&out, "exists and is not a directory");
}

#[test]
fn version_names_the_schema_date_and_help_is_complete() {
    let dir = scratch("help");
    let version = text(&kumo(&dir, &["--version"]).stdout);
    assert_eq!(
        version.trim(),
        format!("kumo {} (CloudFormation schemas 2026-10-20)", env!("CARGO_PKG_VERSION"))
    );
    let help = text(&kumo(&dir, &["--help"]).stdout);
    for needle in ["synth", "--config", "Exit codes", "AWS_ENDPOINT_URL"] {
        assert!(help.contains(needle), "--help lacks {needle}: {help}");
    }
    let synth_help = text(&kumo(&dir, &["synth", "--help"]).stdout);
    for needle in ["--out", "--format", "json", "yaml", "kumo.out"] {
        assert!(synth_help.contains(needle), "synth --help lacks {needle}: {synth_help}");
    }
}
