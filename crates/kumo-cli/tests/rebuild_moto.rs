//! The rebuild loop against the pinned moto server: deploy, destroy (the DNS stack and its zone kept),
//! deploy again → the same hosted zone id and name servers, read through the Route 53 API; `destroy
//! --include-dns` removes the zone. And `kumo list` with two kumo environments and a foreign stack.
//!
//! The app is a cloud assembly (`--assembly DIR`): the blueprint's own DNS stack as `kumo synth` writes
//! it, and a small main stack that receives the zone id as its `HostedZoneId` parameter and uses it in a
//! log group's name — moto skips the blueprint's EKS, RDS and ACM resources, so its main stack cannot be
//! deployed here. moto never deletes a hosted zone a stack created (see shared/reference/moto-5.2.5.md):
//! what "kept" and "removed" mean is checked through Route 53, not CloudFormation.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kumo_testkit::moto::{MotoGuard, MotoServer};
use serde_json::{Value, json};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn text(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "{}", self.text());
        self
    }
}

fn kumo(moto: &MotoServer, dir: &Path, args: &[&str]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_kumo"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .envs(moto.child_env())
        .stdin(Stdio::null())
        .output()
        .expect("kumo runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kumo-rebuild-moto-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The main stack of the test app: the zone id arrives as a parameter and names a log group.
const MAIN_TEMPLATE: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"HostedZoneId": {"Type": "AWS::Route53::HostedZone::Id"}},
  "Resources": {
    "ZoneLog": {"Type": "AWS::Logs::LogGroup", "Properties": {
      "LogGroupName": {"Fn::Sub": "/kumo-test/${HostedZoneId}"}, "RetentionInDays": 1}}
  }
}"#;

/// Writes the assembly of environment `env` for `domain`: `kumo synth --env` (the real DNS stack, its
/// tags and the parameter wiring), then the main template replaced by [`MAIN_TEMPLATE`].
fn assembly(moto: &MotoServer, dir: &Path, env: &str, domain: &str) -> PathBuf {
    std::fs::write(dir.join("kumo.toml"), format!("[dns]\ndomain = \"{domain}\"\n")).unwrap();
    let out = format!("{env}.out");
    kumo(moto, dir, &["synth", "--env", env, "--out", &out]).ok();
    let assembly = dir.join(&out);
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(assembly.join("manifest.json")).unwrap()).unwrap();
    let main = &mut manifest["stacks"][1];
    assert_eq!(
        main["parameters"]["HostedZoneId"]["fromStack"],
        format!("MyEKSStack-{env}-dns")
    );
    let file = main["templateFile"].as_str().unwrap().to_owned();
    std::fs::write(assembly.join(file), MAIN_TEMPLATE).unwrap();
    std::fs::write(assembly.join("manifest.json"), manifest.to_string()).unwrap();
    assembly
}

/// The hosted zones Route 53 has for `domain`: (id, name servers).
fn zones(moto: &MotoGuard, domain: &str) -> Vec<(String, Vec<String>)> {
    let listed = moto.service_call("route53", "list_hosted_zones", json!({}));
    listed["HostedZones"]
        .as_array()
        .unwrap()
        .iter()
        // Route 53 writes names with the final dot; moto's zones made by CloudFormation lack it.
        .filter(|z| z["Name"].as_str().unwrap().trim_end_matches('.') == domain)
        .map(|z| {
            let id = z["Id"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
            let zone = moto.service_call("route53", "get_hosted_zone", json!({"Id": id}));
            let servers = zone["DelegationSet"]["NameServers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_owned())
                .collect();
            (id, servers)
        })
        .collect()
}

fn log_groups(moto: &MotoGuard) -> Vec<String> {
    let listed = moto.service_call(
        "logs",
        "describe_log_groups",
        json!({"logGroupNamePrefix": "/kumo-test/"}),
    );
    listed["logGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["logGroupName"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn destroy_keeps_the_zone_a_rebuild_reuses_it_and_include_dns_removes_it() {
    let moto = MotoServer::exclusive();
    let dir = workdir("loop");
    let domain = "rebuild.kumo-test.net";
    let assembly = assembly(&moto, &dir, "dev", domain);
    let app = assembly.to_str().unwrap();

    let first = kumo(&moto, &dir, &["deploy", "--assembly", app, "--yes", "--skip-preflight"]).ok();
    assert!(
        first.stdout.contains("MyEKSStack-dev-dns: CREATE_COMPLETE"),
        "{}",
        first.text()
    );
    assert!(
        first.stdout.contains("MyEKSStack-dev: CREATE_COMPLETE"),
        "{}",
        first.text()
    );
    let zones_first = zones(&moto, domain);
    assert_eq!(zones_first.len(), 1, "{zones_first:?}");
    let (zone_id, name_servers) = zones_first[0].clone();
    assert_eq!(name_servers.len(), 4);
    // The main stack received the DNS stack's zone through its parameter.
    assert_eq!(log_groups(&moto), [format!("/kumo-test/{zone_id}")]);

    let destroyed = kumo(&moto, &dir, &["destroy", "--assembly", app, "--yes"]).ok();
    assert!(
        destroyed.stdout.contains("MyEKSStack-dev: deleted"),
        "{}",
        destroyed.text()
    );
    assert!(
        !destroyed.stdout.contains("MyEKSStack-dev-dns: deleted"),
        "{}",
        destroyed.text()
    );
    assert!(
        destroyed.stdout.contains(&format!(
            "  hosted zone {zone_id} ({domain}), name servers {}",
            name_servers.join(", ")
        )),
        "{}",
        destroyed.text()
    );
    assert!(
        destroyed.stdout.contains("kept: MyEKSStack-dev-dns ("),
        "{}",
        destroyed.text()
    );
    assert!(
        destroyed.stdout.contains("$0.50"),
        "the zone's monthly cost: {}",
        destroyed.text()
    );
    assert_eq!(log_groups(&moto), Vec::<String>::new());
    assert_eq!(zones(&moto, domain), [(zone_id.clone(), name_servers.clone())]);

    // Rebuild: the same zone, the same name servers — the registrar's delegation stays right.
    kumo(&moto, &dir, &["deploy", "--assembly", app, "--yes", "--skip-preflight"]).ok();
    assert_eq!(zones(&moto, domain), [(zone_id.clone(), name_servers)]);
    assert_eq!(log_groups(&moto), [format!("/kumo-test/{zone_id}")]);

    let all = kumo(&moto, &dir, &["destroy", "--assembly", app, "--yes", "--include-dns"]).ok();
    assert!(all.stdout.contains("MyEKSStack-dev-dns: deleted"), "{}", all.text());
    assert!(all.stdout.contains(&format!("hosted zone {zone_id}")), "{}", all.text());
    assert_eq!(
        zones(&moto, domain),
        Vec::<(String, Vec<String>)>::new(),
        "{}",
        all.text()
    );
}

#[test]
fn list_shows_kumo_environments_and_leaves_foreign_stacks_out() {
    let moto = MotoServer::exclusive();
    let dir = workdir("list");
    for (env, domain) in [("blue", "blue.kumo-test.net"), ("green", "green.kumo-test.net")] {
        let assembly = assembly(&moto, &dir, env, domain);
        kumo(
            &moto,
            &dir,
            &[
                "deploy",
                "--assembly",
                assembly.to_str().unwrap(),
                "--yes",
                "--skip-preflight",
            ],
        )
        .ok();
    }
    // Green is destroyed: its zone stays, and the list says so.
    let green = dir.join("green.out");
    kumo(
        &moto,
        &dir,
        &["destroy", "--assembly", green.to_str().unwrap(), "--yes"],
    )
    .ok();
    moto.service_call(
        "cloudformation",
        "create_stack",
        json!({"StackName": "someone-elses", "TemplateBody": MAIN_TEMPLATE.replace("/kumo-test/", "/other/"),
               "Parameters": [{"ParameterKey": "HostedZoneId", "ParameterValue": "Z1"}]}),
    );

    let plain = kumo(&moto, &dir, &["list"]).ok();
    let lines: Vec<&str> = plain.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", plain.text());
    assert!(
        lines[0].starts_with("STACK") && lines[0].contains("DNS ZONE"),
        "{}",
        plain.text()
    );
    let cells = |line: &str| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let blue = cells(lines[1]);
    assert_eq!(
        blue[..4],
        ["MyEKSStack-blue", "blue", "ap-northeast-1", "CREATE_COMPLETE"],
        "{}",
        plain.text()
    );
    assert!(lines[1].ends_with("kept (MyEKSStack-blue-dns)"), "{}", plain.text());
    let green = cells(lines[2]);
    assert_eq!(
        green[..4],
        ["MyEKSStack-green", "green", "ap-northeast-1", "destroyed"],
        "{}",
        plain.text()
    );
    assert!(lines[2].ends_with("kept (MyEKSStack-green-dns)"), "{}", plain.text());
    assert!(!plain.stdout.contains("someone-elses"), "{}", plain.text());

    let listed: Value = serde_json::from_str(&kumo(&moto, &dir, &["list", "--json"]).ok().stdout).unwrap();
    let environments = listed["environments"].as_array().unwrap();
    assert_eq!(environments.len(), 2, "{listed:#}");
    assert_eq!(environments[0]["stack"], "MyEKSStack-blue");
    assert_eq!(environments[0]["env"], "blue");
    assert_eq!(environments[0]["status"], "CREATE_COMPLETE");
    assert_eq!(environments[0]["dnsKept"], "MyEKSStack-blue-dns");
    assert!(
        environments[0]["ageSeconds"].as_u64().is_some_and(|s| s < 3600),
        "{listed:#}"
    );
    assert_eq!(environments[1]["stack"], "MyEKSStack-green");
    assert_eq!(environments[1]["status"], "DESTROYED");
    assert_eq!(environments[1]["dnsKept"], "MyEKSStack-green-dns");
}
