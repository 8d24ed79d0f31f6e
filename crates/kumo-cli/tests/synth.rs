//! `kumo synth` and `kumo check` as a user runs them: the real binary, in a scratch directory, no AWS
//! configuration.

use std::process::Output;

mod offline;
use offline::{kumo, scratch, text};

#[test]
fn synth_with_no_arguments_writes_the_blueprint_and_a_manifest() {
    let dir = scratch("default");
    let out = kumo(&dir, &["synth"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // One line per stack, in deploy order: the DNS stack (kept on destroy), then the main stack.
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one line per stack: {stdout}");
    assert!(
        lines[0].starts_with("synthesized MyEKSStack-dns: 2 resources, 2 outputs, "),
        "{stdout}"
    );
    assert!(lines[0].ends_with("kumo.out/MyEKSStack-dns.template.json"), "{stdout}");
    assert!(lines[1].starts_with("synthesized MyEKSStack: "), "{stdout}");
    assert!(lines[1].ends_with("kumo.out/MyEKSStack.template.json"), "{stdout}");

    let template = std::fs::read_to_string(dir.join("kumo.out/MyEKSStack.template.json")).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&template).unwrap();
    let resources = parsed["Resources"].as_object().unwrap().len();
    assert!(resources > 0);

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kumo.out/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], 2);
    let dns = &manifest["stacks"][0];
    assert_eq!(dns["stackName"], "MyEKSStack-dns");
    assert_eq!(dns["keepOnDestroy"], true);
    assert_eq!(dns["dependsOn"], serde_json::json!([]));
    assert_eq!(dns["tags"]["kumo:kept-for"], "MyEKSStack");
    let entry = &manifest["stacks"][1];
    assert_eq!(entry["stackName"], "MyEKSStack");
    assert_eq!(entry["keepOnDestroy"], false);
    assert_eq!(entry["dependsOn"], serde_json::json!(["MyEKSStack-dns"]));
    assert_eq!(entry["parameters"]["HostedZoneId"]["fromStack"], "MyEKSStack-dns");
    let zone = entry["parameters"]["HostedZoneId"]["resource"].as_str().unwrap();
    let dns_template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kumo.out/MyEKSStack-dns.template.json")).unwrap())
            .unwrap();
    assert_eq!(dns_template["Resources"][zone]["Type"], "AWS::Route53::HostedZone");
    assert_eq!(entry["templateFile"], "MyEKSStack.template.json");
    assert_eq!(entry["resourceCount"], resources);
    let minified = serde_json::to_string(&parsed).unwrap();
    assert_eq!(entry["minifiedBytes"], minified.len());
    assert_eq!(manifest["schemaDate"], "2026-10-20");
    assert_eq!(entry["templateSha256"].as_str().unwrap().len(), 64);

    // The security rules: nothing unwaived (no warning), and every waiver listed with its reason.
    assert!(stdout.contains("no security finding, 15 waived"), "{stdout}");
    assert!(
        !text(&out.stderr).contains("warning: security"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(entry["security"]["findings"], serde_json::json!([]));
    let waivers = entry["security"]["waivers"].as_array().unwrap();
    assert_eq!(waivers.len(), 15, "{waivers:#?}");
    for waiver in waivers {
        assert!(waiver["reason"].as_str().is_some_and(|r| r.len() > 40), "{waiver}");
        assert!(
            parsed["Resources"][waiver["resource"].as_str().unwrap()].is_object(),
            "{waiver}"
        );
    }
    assert!(waivers.iter().any(|w| {
        w["rule"] == "ecr-mutable-tags"
            && w["resource"]
                .as_str()
                .unwrap()
                .starts_with("EKSMigrationImageRepository")
    }));
    // --strict passes: nothing is left unwaived.
    assert!(kumo(&dir, &["synth", "--strict"]).status.success());
    // And `kumo check` on the written template agrees: the waivers travel in its metadata.
    let checked = kumo(&dir, &["check", "--template", "kumo.out/MyEKSStack.template.json"]);
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stdout));
    assert!(text(&checked.stdout).contains("no security finding, 15 waived"));
}

/// A hand-written template with a finding for several rules, in YAML with short-form tags.
const BAD_TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0 }
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0 }
  Admin:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }]
      Policies:
        - PolicyName: everything
          PolicyDocument:
            Statement:
              - { Effect: Allow, Action: "s3:*", Resource: !Sub "arn:${AWS::Partition}:s3:::data/*" }
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      PubliclyAccessible: true
      StorageEncrypted: true
      EnableIAMDatabaseAuthentication: true
      BackupRetentionPeriod: 0
  Nodes:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions: { HttpTokens: optional }
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: { RetentionInDays: 7 }
    Metadata:
      kumo:
        waivers: [{ rule: logs-without-kms, reason: "short-lived debug logs, no personal data" }]
"#;

#[test]
fn check_lists_each_finding_with_its_rule_and_path_and_exits_1() {
    let dir = scratch("check");
    std::fs::write(dir.join("bad.yaml"), BAD_TEMPLATE).unwrap();
    let out = kumo(&dir, &["check", "--template", "bad.yaml"]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {stdout}\nstderr: {}",
        text(&out.stderr)
    );
    for expected in [
        "sg-open-ingress (error) Web (AWS::EC2::SecurityGroup) Properties.SecurityGroupIngress[1].CidrIp: admits 0.0.0.0/0 on tcp port 22",
        "iam-wildcard-action (error) Admin (AWS::IAM::Role) Properties.Policies[0].PolicyDocument.Statement[0].Action: allows \"s3:*\"",
        "db-public (error) Db (AWS::RDS::DBInstance) Properties.PubliclyAccessible",
        "db-without-backups (error) Db (AWS::RDS::DBInstance) Properties.BackupRetentionPeriod",
        "imdsv1-allowed (error) Nodes (AWS::EC2::LaunchTemplate) Properties.LaunchTemplateData.MetadataOptions.HttpTokens: HttpTokens is \"optional\"",
        "waived: logs-without-kms on Logs (Properties.KmsKeyId): short-lived debug logs, no personal data",
        "bad.yaml: 5 security findings (5 errors, 0 warnings), 1 waived",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    // Port 443 from the world is fine; each finding is one line with its fix.
    assert!(
        !stdout.contains("IngressRule[0]") && !stdout.contains("SecurityGroupIngress[0]"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().filter(|l| l.contains("; fix: ")).count(), 5, "{stdout}");

    // The same findings from JSON; a clean template exits 0.
    let value: serde_json::Value = serde_yaml_ng::from_str(&BAD_TEMPLATE.replace("!Sub ", "")).unwrap();
    std::fs::write(dir.join("bad.json"), value.to_string()).unwrap();
    assert_eq!(kumo(&dir, &["check", "--template", "bad.json"]).status.code(), Some(1));
    std::fs::write(
        dir.join("ok.json"),
        r#"{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}"#,
    )
    .unwrap();
    let clean = kumo(&dir, &["check", "--template", "ok.json"]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(text(&clean.stdout).contains("ok.json: no security finding, 0 waived"));
}

#[test]
fn check_of_a_file_it_cannot_read_exits_2_and_rules_lists_every_rule() {
    let dir = scratch("check-bad");
    let out = kumo(&dir, &["check", "--template", "missing.yaml"]);
    assert_usage_error(&out, "missing.yaml");
    std::fs::write(dir.join("broken.json"), "{\"Resources\": ").unwrap();
    assert_usage_error(&kumo(&dir, &["check", "--template", "broken.json"]), "broken.json");
    let rules = kumo(&dir, &["check", "--rules"]);
    assert!(rules.status.success());
    let listed = text(&rules.stdout);
    for rule in kumo_core::security::Rule::ALL {
        assert!(listed.contains(rule.id()), "--rules lacks {rule}");
    }
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

#[test]
fn synth_env_writes_that_copy_and_a_bad_name_is_refused_before_anything() {
    let dir = scratch("env");
    let out = kumo(&dir, &["synth", "--env", "dev", "--out", "dev.out"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("dev.out/manifest.json")).unwrap()).unwrap();
    let names: Vec<&str> = manifest["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stackName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["MyEKSStack-dev-dns", "MyEKSStack-dev"]);
    assert_eq!(manifest["stacks"][1]["tags"]["kumo:env"], "dev");
    let main = std::fs::read_to_string(dir.join("dev.out/MyEKSStack-dev.template.json")).unwrap();
    assert!(
        main.contains(r#""RoleName": {"#) && main.contains("eks-master-role-dev-${AWS::Region}"),
        "{main}"
    );

    for (args, expected) in [
        (
            vec!["synth", "--env", "Dev"],
            "error: --env \"Dev\": starts with 'D' instead of a lowercase letter",
        ),
        (
            vec!["deploy", "--env", "a-very-long-env-name", "--region", "ap-southeast-1"],
            "AWS::IAM::Role RoleName: \"role-codebuild-for-image-builder-a-very-long-env-name-ap-southeast-1\" \
             would be 68 characters long; allowed: 1 to 64",
        ),
    ] {
        let refused = kumo(&dir, &args);
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
        assert!(text(&refused.stderr).contains(expected), "{}", text(&refused.stderr));
    }
}

// ---- A user's app (issue 16): what goes wrong is said before any AWS request ----

/// Runs `kumo --app CMD args…` in `dir`.
fn with_app(dir: &std::path::Path, command: &str, args: &[&str]) -> Output {
    let mut all = vec!["--app", command];
    all.extend_from_slice(args);
    kumo(dir, &all)
}

#[test]
fn an_app_command_that_fails_shows_its_errors_and_exits_2() {
    let dir = scratch("app-fails");
    let out = with_app(&dir, "echo 'error: the app broke' >&2; exit 3", &["synth"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error: the app broke"), "{stderr}");
    assert!(
        stderr.contains("(--app) failed (exit status 3); its errors are above"),
        "{stderr}"
    );
    let missing = with_app(&dir, "no-such-command-kumo", &["deploy"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("exit status 127: command not found"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn an_app_that_writes_no_or_a_broken_assembly_is_refused() {
    let dir = scratch("app-no-assembly");
    let none = with_app(&dir, "true", &["synth"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        text(&none.stderr).contains("succeeded but wrote no"),
        "{}",
        text(&none.stderr)
    );
    assert!(text(&none.stderr).contains("$KUMO_OUT_DIR"), "{}", text(&none.stderr));

    let broken = with_app(
        &dir,
        "echo '{\"stacks\": 1}' > \"$KUMO_OUT_DIR/manifest.json\"",
        &["ls"],
    );
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        text(&broken.stderr).contains("not a kumo manifest"),
        "{}",
        text(&broken.stderr)
    );
}

/// A command writing `manifest` (and an empty template per stack) as an app would.
fn manifest_app(dir: &std::path::Path, stacks: &[(&str, &[&str])]) -> String {
    let entries: Vec<serde_json::Value> = stacks
        .iter()
        .map(|(name, deps)| serde_json::json!({"stackName": name, "templateFile": "t.json", "dependsOn": deps}))
        .collect();
    let manifest = serde_json::json!({"version": 2, "stacks": entries});
    std::fs::write(dir.join("manifest.in"), manifest.to_string()).unwrap();
    std::fs::write(
        dir.join("t.json"),
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#,
    )
    .unwrap();
    "cp manifest.in \"$KUMO_OUT_DIR/manifest.json\" && cp t.json \"$KUMO_OUT_DIR/\"".to_owned()
}

#[test]
fn duplicate_stacks_cycles_and_unknown_stack_names_are_named() {
    let dir = scratch("app-names");
    let twice = manifest_app(&dir, &[("A", &[]), ("A", &[])]);
    let out = with_app(&dir, &twice, &["deploy"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("two stacks are named A"),
        "{}",
        text(&out.stderr)
    );

    let cycle = manifest_app(&dir, &[("A", &["B"]), ("B", &["A"])]);
    let out = with_app(&dir, &cycle, &["destroy"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the dependencies of A, B form a cycle"),
        "{}",
        text(&out.stderr)
    );

    let fine = manifest_app(&dir, &[("A", &[]), ("B", &["A"])]);
    let out = with_app(&dir, &fine, &["ls", "--long"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "A  1 resources, no dependencies, region from the AWS settings\nB  1 resources, after A, region from the AWS settings\n"
    );
    // Before any AWS request: there is no AWS configuration here at all.
    for verb in ["deploy", "diff", "destroy", "status", "outputs", "synth"] {
        let out = with_app(&dir, &fine, &[verb, "NOPE"]);
        assert_eq!(out.status.code(), Some(2), "{verb}");
        assert!(
            text(&out.stderr).contains("no stack named NOPE in the app; its stacks: A, B"),
            "{verb}: {}",
            text(&out.stderr)
        );
    }
    let parallel = with_app(&dir, &fine, &["deploy", "--concurrency", "2"]);
    assert_eq!(parallel.status.code(), Some(2));
    assert!(
        text(&parallel.stderr).contains("--concurrency 2 needs --yes"),
        "{}",
        text(&parallel.stderr)
    );
}

#[test]
fn kumo_toml_app_table_is_checked() {
    let dir = scratch("app-toml");
    std::fs::write(
        dir.join("kumo.toml"),
        "[app]\ncommand = \"true\"\n[stack]\nname = \"x\"\n",
    )
    .unwrap();
    let out = kumo(&dir, &["synth"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("[app] is set, so the blueprint's key \"stack\" has no effect"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(dir.join("kumo.toml"), "[app]\ncmd = \"true\"\n").unwrap();
    let out = kumo(&dir, &["synth"]);
    assert!(
        text(&out.stderr).contains("[app] has no key \"cmd\""),
        "{}",
        text(&out.stderr)
    );
    // The environment reaches the app.
    std::fs::write(
        dir.join("kumo.toml"),
        "[app]\ncommand = \"echo env=$KUMO_ENV >&2; false\"\n",
    )
    .unwrap();
    let out = kumo(&dir, &["--env", "dev", "synth"]);
    assert!(text(&out.stderr).contains("env=dev"), "{}", text(&out.stderr));
}
