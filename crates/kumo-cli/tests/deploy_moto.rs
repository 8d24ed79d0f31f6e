//! The `kumo` binary against a real local CloudFormation endpoint: the pinned moto server, started by
//! the harness on 127.0.0.1 (one per test binary, reset between tests). Results are checked through the
//! services' own APIs (EC2, CloudWatch Logs, ECR), not only through CloudFormation.
//!
//! moto creates, updates and deletes the resource types used here for real in its backends; it is
//! synchronous and never reports failures as stack statuses, which is why failure paths are tested
//! against recorded AWS behaviour instead (crates/kumo-deploy/tests/recorded.rs).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kumo_testkit::leftovers::{EVERYTHING, Placement, Planted, STACK_TEMPLATE, kinds, plant, still_there};
use kumo_testkit::moto::{MotoGuard, MotoServer};
use serde_json::{Value, json};

const STACK: &str = "kumo-moto";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/deploy_fixtures")
        .join(name)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The run, which must have succeeded.
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "{}", self.text());
        self
    }

    fn text(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `kumo` against the server, without a terminal (stdin is /dev/null), in `dir`.
fn kumo<S: AsRef<std::ffi::OsStr>>(moto: &MotoServer, dir: &Path, args: &[S]) -> Run {
    kumo_with(moto, dir, args, &[])
}

/// [`kumo`] with more environment (set after the server's, so it can replace it).
fn kumo_with<S: AsRef<std::ffi::OsStr>>(moto: &MotoServer, dir: &Path, args: &[S], env: &[(&str, &str)]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_kumo"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .envs(moto.child_env())
        .envs(env.iter().copied())
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
    let dir = std::env::temp_dir().join(format!("kumo-deploy-moto-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// What the services themselves say exists.
#[derive(Debug, PartialEq)]
struct Seen {
    vpcs: Vec<String>,
    subnets: Vec<(String, String)>,
    open_https_groups: usize,
    log_groups: Vec<String>,
    repositories: Vec<String>,
}

/// The list `key` of a service response; a response without it fails the test.
fn items<'a>(response: &'a Value, key: &str) -> &'a [Value] {
    response[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} list in {response}"))
}

/// The string field `key` of a listed item; an item without it fails the test.
fn field(item: &Value, key: &str) -> String {
    item[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {item}"))
        .to_owned()
}

fn look(moto: &MotoGuard) -> Seen {
    let vpcs = moto.service_call("ec2", "describe_vpcs", json!({}));
    let vpcs: Vec<String> = items(&vpcs, "Vpcs")
        .iter()
        .filter(|v| v["CidrBlock"] == "10.20.0.0/16")
        .map(|v| field(v, "VpcId"))
        .collect();
    let subnets = moto.service_call("ec2", "describe_subnets", json!({}));
    let mut subnets: Vec<(String, String)> = items(&subnets, "Subnets")
        .iter()
        .filter(|s| s["CidrBlock"].as_str().is_some_and(|c| c.starts_with("10.20.")))
        .map(|s| (field(s, "CidrBlock"), field(s, "AvailabilityZone")))
        .collect();
    subnets.sort();
    let groups = moto.service_call("ec2", "describe_security_groups", json!({}));
    let open_https_groups = items(&groups, "SecurityGroups")
        .iter()
        .filter(|g| {
            // A group or permission without rules may omit the list: that is no rule, not a failure.
            let listed = |v: &Value, key: &str| v[key].as_array().cloned().unwrap_or_default();
            listed(g, "IpPermissions")
                .iter()
                .any(|p| p["FromPort"] == 443 && listed(p, "IpRanges").iter().any(|r| r["CidrIp"] == "0.0.0.0/0"))
        })
        .count();
    let log_groups = moto.service_call("logs", "describe_log_groups", json!({"logGroupNamePrefix": "/kumo/"}));
    let mut log_groups: Vec<String> = items(&log_groups, "logGroups")
        .iter()
        .map(|g| {
            format!(
                "{}:{}",
                field(g, "logGroupName"),
                g["retentionInDays"].as_i64().unwrap_or(0)
            )
        })
        .collect();
    log_groups.sort();
    let repositories = moto.service_call("ecr", "describe_repositories", json!({}));
    let repositories = items(&repositories, "repositories")
        .iter()
        .map(|r| field(r, "repositoryName"))
        .collect();
    Seen {
        vpcs,
        subnets,
        open_https_groups,
        log_groups,
        repositories,
    }
}

async fn stack_tags(moto: &MotoGuard) -> Option<Vec<(String, String)>> {
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_config().await);
    let stacks = cfn.describe_stacks().stack_name(STACK).send().await.ok()?;
    let stack = stacks.stacks().first()?;
    Some(
        stack
            .tags()
            .iter()
            .map(|t| (t.key().unwrap().to_owned(), t.value().unwrap().to_owned()))
            .collect(),
    )
}

/// Plain (non-terminal) progress output is one line per event, each starting with a UTC timestamp.
fn assert_timestamped_lines(stderr: &str) {
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("COMPLETE") || l.contains("IN_PROGRESS"))
        .collect();
    assert!(!progress.is_empty(), "no progress lines in:\n{stderr}");
    for line in progress {
        let stamp = line.get(..20).unwrap_or_default();
        let ok = stamp.len() == 20
            && stamp.as_bytes()[4] == b'-'
            && stamp.as_bytes()[10] == b'T'
            && stamp.ends_with('Z')
            && line[20..].starts_with("  ");
        assert!(ok, "not a timestamped line: {line:?}");
    }
}

#[test]
fn template_lifecycle_create_diff_noop_update_destroy() {
    let moto = MotoServer::exclusive();
    let dir = workdir("lifecycle");
    let rt = runtime();
    let v1 = fixture("deploy-moto-v1.yaml");
    let v2 = fixture("deploy-moto-v2.yaml");
    let out = dir.join("out");
    // `<verb> --template FILE --stack-name kumo-moto [extra...]`
    let on = |verb: &str, template: &Path, extra: &[&str]| -> Vec<String> {
        let mut args = vec![
            verb.to_owned(),
            "--template".into(),
            template.display().to_string(),
            "--stack-name".into(),
            STACK.into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let out_arg = out.display().to_string();

    // diff of a stack that does not exist: everything would be created; nothing is left behind.
    let run = kumo(&moto, &dir, &on("diff", &v1, &[]));
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stdout
            .contains("stack kumo-moto does not exist: 7 resources would be created"),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("Security changes"), "{}", run.text());
    // The cost line before approval: a new stack costs nothing now.
    assert!(
        run.stdout.contains("cost (max, ap-northeast-1, prices of ")
            && run.stdout.contains("$0.0000/h ($0.00/month) → $0.0000/h ($0.00/month)"),
        "{}",
        run.text()
    );
    assert!(
        run.stdout
            .contains("WebSg ingress tcp port 443 from 0.0.0.0/0 (open to the internet)"),
        "{}",
        run.text()
    );
    assert_eq!(rt.block_on(stack_tags(&moto)), None, "diff left a stack behind");

    // deploy without a terminal and without --yes: the security changes need approval; refused, and
    // nothing exists afterwards.
    let run = kumo(&moto, &dir, &on("deploy", &v1, &[]));
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("there is no terminal to ask"), "{}", run.text());
    assert!(
        run.stderr
            .contains("hint: review it (e.g. `kumo diff`), then re-run with --yes"),
        "{}",
        run.text()
    );
    assert_eq!(rt.block_on(stack_tags(&moto)), None);
    assert!(look(&moto).vpcs.is_empty());

    // deploy --yes: created through a change set; the services show the resources.
    let run = kumo(&moto, &dir, &on("deploy", &v1, &["--yes", "--out", &out_arg]));
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("kumo-moto: CREATE_COMPLETE"), "{}", run.text());
    assert_timestamped_lines(&run.stderr);
    let outputs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("kumo-moto.outputs.json")).unwrap()).unwrap();
    assert!(outputs.get("kumo-moto").is_some_and(|o| o.is_object()), "{outputs}");
    let created = look(&moto);
    assert_eq!(created.vpcs.len(), 1, "{created:?}");
    assert_eq!(
        created.subnets,
        [
            ("10.20.0.0/24".to_owned(), "ap-northeast-1a".to_owned()),
            ("10.20.1.0/24".to_owned(), "ap-northeast-1c".to_owned())
        ]
    );
    assert_eq!(created.open_https_groups, 1);
    assert_eq!(created.log_groups, ["/kumo/test/app:7"]);
    assert_eq!(created.repositories, ["kumo-test-app"]);
    let tags = rt.block_on(stack_tags(&moto)).expect("stack exists");
    assert!(
        tags.contains(&("kumo:managed-by".to_owned(), "kumo".to_owned())),
        "{tags:?}"
    );

    // The same template again: no changes, for diff (exit 0) and deploy (success).
    let run = kumo(&moto, &dir, &on("diff", &v1, &[]));
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("kumo-moto: no changes"), "{}", run.text());
    let run = kumo(&moto, &dir, &on("deploy", &v1, &["--out", &out_arg]));
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("no changes; the stack is up to date"),
        "{}",
        run.text()
    );

    // diff names the added resource; the update adds it and keeps the rest.
    let run = kumo(&moto, &dir, &on("diff", &v2, &[]));
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stdout
            .contains("stack kumo-moto: 1 to add, 0 to modify, 0 to remove"),
        "{}",
        run.text()
    );
    assert!(
        run.stdout.contains("[+] AWS::Logs::LogGroup AuditLogs"),
        "{}",
        run.text()
    );
    assert!(
        !run.stdout.contains("Security changes"),
        "only a log group was added:\n{}",
        run.text()
    );
    let run = kumo(&moto, &dir, &on("deploy", &v2, &["--out", &out_arg]));
    assert_eq!(
        run.code,
        0,
        "no security change, so no approval needed:\n{}",
        run.text()
    );
    assert!(run.stdout.contains("kumo-moto: UPDATE_COMPLETE"), "{}", run.text());
    let updated = look(&moto);
    assert_eq!(updated.log_groups, ["/kumo/test/app:7", "/kumo/test/audit:30"]);
    assert_eq!(updated.vpcs, created.vpcs, "the VPC was kept, not replaced");

    // status and outputs read the stack.
    let run = kumo(&moto, &dir, &["status", "--stack-name", STACK]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("status:      UPDATE_COMPLETE"), "{}", run.text());
    assert!(run.stdout.contains("managed by:  kumo"), "{}", run.text());
    assert!(
        run.stdout.contains(
            "console:     https://ap-northeast-1.console.aws.amazon.com/cloudformation/home?region=ap-northeast-1\
             #/stacks/stackinfo?stackId=arn%3Aaws%3Acloudformation%3Aap-northeast-1%3A123456789012%3Astack%2Fkumo-moto%2F"
        ),
        "{}",
        run.text()
    );
    let run = kumo(&moto, &dir, &["outputs", "--stack-name", STACK, "--json"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert!(json.get(STACK).is_some(), "{json}");

    // destroy needs the typed stack name or --yes.
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("there is no terminal to ask"), "{}", run.text());
    assert!(
        rt.block_on(stack_tags(&moto)).is_some(),
        "refused destroy deleted the stack"
    );

    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("kumo-moto: deleted"), "{}", run.text());
    let gone = look(&moto);
    assert_eq!(
        gone,
        Seen {
            vpcs: vec![],
            subnets: vec![],
            open_https_groups: 0,
            log_groups: vec![],
            repositories: vec![]
        },
        "everything the stack made is deleted"
    );
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("does not exist; nothing to destroy"),
        "{}",
        run.text()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_stack_not_created_by_kumo_is_refused_until_adopted() {
    let moto = MotoServer::exclusive();
    let dir = workdir("adopt");
    let rt = runtime();
    // Someone creates a stack directly, without kumo.
    rt.block_on(async {
        let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_config().await);
        cfn.create_stack()
            .stack_name(STACK)
            .template_body(r#"{"Resources":{"Logs":{"Type":"AWS::Logs::LogGroup","Properties":{"LogGroupName":"/kumo/handmade"}}}}"#)
            .send()
            .await
            .unwrap();
    });
    let template = dir.join("t.json");
    std::fs::write(
        &template,
        r#"{"Resources":{"Logs":{"Type":"AWS::Logs::LogGroup","Properties":{"LogGroupName":"/kumo/handmade"}},
            "More":{"Type":"AWS::Logs::LogGroup","Properties":{"LogGroupName":"/kumo/handmade-more","RetentionInDays":3}}}}"#,
    )
    .unwrap();
    let t = template.to_str().unwrap();
    let run = kumo(
        &moto,
        &dir,
        &["deploy", "--template", t, "--stack-name", STACK, "--yes"],
    );
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("was not created by kumo"), "{}", run.text());
    assert!(run.stderr.contains("--adopt"), "{}", run.text());
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--yes"]);
    assert_eq!(run.code, 2, "{}", run.text());

    let run = kumo(
        &moto,
        &dir,
        &[
            "deploy",
            "--template",
            t,
            "--stack-name",
            STACK,
            "--yes",
            "--adopt",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stderr.contains("adopting it"), "{}", run.text());
    let logs = look(&moto).log_groups;
    assert_eq!(
        logs,
        ["/kumo/handmade-more:3", "/kumo/handmade:0"],
        "the adopted stack was updated"
    );
    // moto does not apply an UPDATE change set's tags (AWS does, so later runs need no flag; that is
    // checked against recorded behaviour in kumo-deploy's tests), so the delete adopts too.
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--yes", "--adopt"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(look(&moto).log_groups.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------------
// Preflight: the account checks before a deploy, against moto for what it implements (IAM users and
// roles, EC2 regions, zones, instance type offerings, addresses, VPCs, internet and NAT gateways,
// Service Quotas' VPC quotas, RDS orderable options) and recorded answers for the rest (EKS cluster
// versions, CodeBuild source credentials, CodeConnections), served locally and reached through the
// standard per-service endpoint settings `AWS_ENDPOINT_URL_<SERVICE>`.

use kumo_testkit::recorded::{RecordedServer, Route};

/// Runs boto3 code against the server in one Python process (`ec2`, `iam` are clients).
fn boto3(moto: &MotoServer, code: &str) {
    let script = format!(
        "import boto3\nkw = dict(endpoint_url='{}', region_name='ap-northeast-1', aws_access_key_id='testing', \
         aws_secret_access_key='testing')\nec2 = boto3.client('ec2', **kw)\niam = boto3.client('iam', **kw)\n{code}\n",
        moto.endpoint()
    );
    let python = MotoServer::executable().with_file_name("python");
    let output = Command::new(python)
        .args(["-c", &script])
        .env("AWS_CONFIG_FILE", "/nonexistent/kumo-test/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kumo-test/credentials")
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// EKS offers 1.34 and 1.35; CodeBuild's GitHub credentials are a CodeConnections connection in
/// `connection_status`.
fn recorded_account(connection_status: &str) -> RecordedServer {
    let connection = "arn:aws:codeconnections:ap-northeast-1:123456789012:connection/8f0c1d2e";
    RecordedServer::start(vec![
        Route::json(
            "GET /cluster-versions",
            200,
            r#"{"clusterVersions":[
                {"clusterVersion":"1.34","clusterType":"eks","versionStatus":"STANDARD_SUPPORT","defaultVersion":false},
                {"clusterVersion":"1.35","clusterType":"eks","versionStatus":"STANDARD_SUPPORT","defaultVersion":true}]}"#,
        ),
        Route::json(
            "ListSourceCredentials",
            200,
            &format!(
                r#"{{"sourceCredentialsInfos":[{{"arn":"arn:aws:codebuild:ap-northeast-1:123456789012:token/github",
                "serverType":"GITHUB","authType":"CODECONNECTIONS","resource":"{connection}"}}]}}"#
            ),
        ),
        Route::json(
            "GetConnection",
            200,
            &format!(
                r#"{{"Connection":{{"ConnectionName":"github-octo","ConnectionArn":"{connection}","ProviderType":"GitHub",
                "OwnerAccountId":"123456789012","ConnectionStatus":"{connection_status}"}}}}"#
            ),
        ),
    ])
}

fn recorded_env(recorded: &RecordedServer) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_EKS", recorded.url()),
        ("AWS_ENDPOINT_URL_CODEBUILD", recorded.url()),
        ("AWS_ENDPOINT_URL_CODECONNECTIONS", recorded.url()),
    ]
}

fn lines_with<'a>(text: &'a str, mark: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.trim_start().starts_with(mark)).collect()
}

#[test]
fn preflight_passes_in_a_ready_account_and_stops_a_deploy_in_one_that_is_not() {
    let moto = MotoServer::exclusive();
    let dir = workdir("preflight");

    // A ready account: the admins exist, the connection is available, the versions are offered.
    boto3(
        &moto,
        "iam.create_user(UserName='alice')\n\
         iam.create_role(RoleName='Ops', AssumeRolePolicyDocument='{\"Version\":\"2012-10-17\",\"Statement\":[]}')",
    );
    std::fs::write(
        dir.join("kumo.toml"),
        "[dns]\ndomain = \"dev.mycompany.net\"\n\
         [eks]\nkubernetes_version = \"1.35\"\nadmin_users = [\"alice\"]\nadmin_roles = [\"Ops\"]\n\
         [database]\nengine_version = \"14.6\"\n\
         [image_builder]\ngithub_owner = \"octo\"\ngithub_repo = \"app\"\n",
    )
    .unwrap();
    let recorded = recorded_account("AVAILABLE");
    let env = recorded_env(&recorded);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = kumo_with(&moto, &dir, &["preflight"], &env);
    assert_eq!(run.code, 0, "{}", run.text());
    for expected in [
        "preflight of MyEKSStack in ap-northeast-1",
        "✓ cluster creator: arn:aws:sts::123456789012:user/moto becomes cluster admin of EKSCluster",
        "✓ region: ap-northeast-1; the stack uses zones ap-northeast-1a, ap-northeast-1c",
        "✓ cluster admins: user alice and role Ops exist",
        "✓ source https://github.com/octo/app.git: connection github-octo (GitHub) is available",
        "✓ Kubernetes 1.35: EKS offers it in ap-northeast-1 (standard support)",
        "✓ Aurora PostgreSQL 14.6 on db.t3.medium: orderable in ap-northeast-1",
        "✓ instance types of EKSNodeGroup",
        "✓ Elastic IP addresses: 0 in use + 2 new = 2 of 5",
        "✓ VPCs: 1 in use + 1 new = 2 of 5 (quota, L-F678F1CE)",
        "✓ internet gateways: 0 in use + 1 new = 1 of 5",
        "✓ NAT gateways: ap-northeast-1a: 0 in use + 1 new; ap-northeast-1c: 0 in use + 1 new",
        "✓ interface endpoints: the new VPC",
    ] {
        assert!(run.stdout.contains(expected), "missing {expected:?}:\n{}", run.text());
    }
    assert!(lines_with(&run.stdout, "✗").is_empty(), "{}", run.text());
    assert!(
        run.stdout.contains(" checks in ") && run.stdout.contains(" 0 ✗"),
        "{}",
        run.text()
    );
    let asked = recorded.operations();
    for operation in ["GET /cluster-versions", "ListSourceCredentials", "GetConnection"] {
        assert!(asked.iter().any(|o| o == operation), "{operation} not asked: {asked:?}");
    }

    // Not ready: the deploying identity listed as an admin, a missing role, four zones in a region of
    // three, a pending connection, a version and an engine version the region does not offer, an
    // instance type missing in a zone, no room for the Elastic IPs and the VPC.
    boto3(
        &moto,
        "iam.create_user(UserName='moto')\n\
         iam.delete_role(RoleName='Ops')\n\
         [ec2.allocate_address(Domain='vpc') for _ in range(4)]\n\
         [ec2.create_vpc(CidrBlock=f'10.{i}.0.0/16') for i in range(100, 104)]",
    );
    std::fs::write(
        dir.join("kumo.toml"),
        "[dns]\ndomain = \"dev.mycompany.net\"\n[network]\nmax_azs = 4\n\
         [eks]\nkubernetes_version = \"1.36\"\nadmin_users = [\"moto\"]\nadmin_roles = [\"Ops\"]\n\
         [eks.node_group]\ninstance_types = [\"vt1.3xlarge\"]\n\
         [database]\nengine_version = \"17.6\"\n\
         [image_builder]\ngithub_owner = \"octo\"\ngithub_repo = \"app\"\n",
    )
    .unwrap();
    let pending = recorded_account("PENDING");
    let env = recorded_env(&pending);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = kumo_with(&moto, &dir, &["deploy", "--yes"], &env);
    assert_eq!(run.code, 2, "{}", run.text());
    let failed = lines_with(&run.stdout, "✗");
    let expected = [
        "✗ cluster admins: EKSClusterAdminsUsermoto",
        "✗ cluster admins: IAM role \"Ops\" does not exist in account 123456789012",
        "✗ availability zones: the template places subnets in 4 zones, but ap-northeast-1 has 3",
        "✗ source https://github.com/octo/app.git: the connection github-octo (the account's default credentials) is PENDING",
        "✗ Kubernetes 1.36: EKS does not offer it for new clusters in ap-northeast-1; offered: 1.34, 1.35",
        "✗ Aurora PostgreSQL 17.6 on db.t3.medium: Aurora PostgreSQL 17.6 is not offered in ap-northeast-1",
        "✗ instance types of EKSNodeGroup",
        "✗ Elastic IP addresses: 4 in use + 2 new = 6 of 5",
        "✗ VPCs: 5 in use + 1 new = 6 of 5",
    ];
    for (line, prefix) in failed.iter().zip(expected.iter()) {
        assert!(
            line.trim_start().starts_with(prefix),
            "{line:?} should start with {prefix:?}:\n{}",
            run.text()
        );
    }
    assert_eq!(failed.len(), expected.len(), "{}", run.text());
    for fix in [
        "fix: remove \"moto\" from eks.admin_users in kumo.toml: you stay cluster admin as the creator",
        "fix: create the role \"Ops\", or remove it from eks.admin_roles in kumo.toml",
        "fix: set network.max_azs to at most 3 in kumo.toml",
        "fix: finish it in the console (Developer Tools → Settings → Connections → github-octo",
        "fix: choose an offered version: eks.kubernetes_version in kumo.toml",
        "database.engine_version in kumo.toml",
        "eks.node_group.instance_types in kumo.toml",
        "set network.nat_gateways = 1 in kumo.toml",
        "delete VPCs you no longer use",
    ] {
        assert!(run.stdout.contains(fix), "missing {fix:?}:\n{}", run.text());
    }
    assert!(
        run.stderr
            .contains("error: preflight: 9 checks failed; nothing was changed"),
        "{}",
        run.text()
    );
    assert!(run.stderr.contains("--skip-preflight deploys anyway"), "{}", run.text());
    // Nothing was created: no stack, no change set.
    let stacks = moto.service_call("cloudformation", "list_stacks", json!({}));
    assert!(items(&stacks, "StackSummaries").is_empty(), "{stacks}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn verbose_output_shows_each_aws_request_and_no_credential() {
    let moto = MotoServer::exclusive();
    let dir = workdir("verbose");
    let template = fixture("deploy-moto-v1.yaml");
    let template = template.to_str().unwrap();
    // Distinctive credentials that must appear nowhere in the output.
    let access_key = "AKIAKUMOVERBOSETEST7";
    let secret = "kumoVerboseSecret/Key+0123456789abcdefghij";
    let token = "kumoVerboseSessionToken0123456789";
    let credentials = [
        ("AWS_ACCESS_KEY_ID", access_key),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("AWS_SESSION_TOKEN", token),
    ];
    let run = kumo_with(
        &moto,
        &dir,
        &[
            "deploy",
            "-v",
            "--template",
            template,
            "--stack-name",
            STACK,
            "--yes",
            "--out",
            dir.to_str().unwrap(),
        ],
        &credentials,
    );
    assert_eq!(run.code, 0, "{}", run.text());
    for expected in [
        "AWS request service=STS operation=GetCallerIdentity status=200",
        "AWS request service=EC2 operation=DescribeRegions status=200",
        "AWS request failed service=CloudFormation operation=ListStackResources status=400",
        "AWS request failed service=CloudFormation operation=DescribeStacks status=400",
        "error=ValidationError",
        "AWS request service=CloudFormation operation=CreateChangeSet status=200",
        "AWS request service=CloudFormation operation=ExecuteChangeSet status=200",
        "attempt=1",
        "request_id=",
    ] {
        assert!(run.stderr.contains(expected), "missing {expected:?}:\n{}", run.text());
    }
    // -vv adds the endpoints and the SDK's own decisions, still without credentials.
    let vv = kumo_with(&moto, &dir, &["status", "-vv", "--stack-name", STACK], &credentials);
    assert_eq!(vv.code, 0, "{}", vv.text());
    for expected in [
        "loaded credentials provider=Environment",
        "AWS request service=CloudFormation operation=DescribeStacks status=200",
    ] {
        assert!(vv.stderr.contains(expected), "missing {expected:?}:\n{}", vv.text());
    }
    for run in [&run, &vv] {
        let all = run.text();
        for secret_value in [access_key, secret, token, "Signature=", "x-amz-security-token"] {
            assert!(
                !all.contains(secret_value),
                "{secret_value:?} appears in the output:\n{all}"
            );
        }
    }
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------------
// The rebuild loop against the pinned moto server: deploy, destroy (the DNS stack and its zone kept),
// deploy again → the same hosted zone id and name servers, read through the Route 53 API; `destroy
// --include-dns` removes the zone. And `kumo list` with two kumo environments and a foreign stack.
//
// The app is a cloud assembly (`--assembly DIR`): the blueprint's own DNS stack as `kumo synth` writes
// it, and a small main stack that receives the zone id as its `HostedZoneId` parameter and uses it in a
// log group's name — moto skips the blueprint's EKS, RDS and ACM resources, so its main stack cannot be
// deployed here. moto never deletes a hosted zone a stack created (see shared/reference/moto-5.2.5.md):
// what "kept" and "removed" mean is checked through Route 53, not CloudFormation.

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

/// A main stack with a DNS-validated certificate in the zone it receives (moto's CloudFormation skips
/// the certificate itself; the delegation check before it is what is tested).
const CERTIFICATE_TEMPLATE: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"HostedZoneId": {"Type": "AWS::Route53::HostedZone::Id"}},
  "Resources": {
    "Certificate": {"Type": "AWS::CertificateManager::Certificate", "Properties": {
      "DomainName": "cert.kumo-test.net", "ValidationMethod": "DNS",
      "DomainValidationOptions": [{"DomainName": "cert.kumo-test.net", "HostedZoneId": {"Ref": "HostedZoneId"}}]}},
    "ZoneLog": {"Type": "AWS::Logs::LogGroup", "Properties": {
      "LogGroupName": {"Fn::Sub": "/kumo-test/${HostedZoneId}"}, "RetentionInDays": 1}}
  }
}"#;

/// An authoritative DNS server on 127.0.0.1 answering `domain`'s NS records with `name_servers`.
async fn dns_server(
    domain: &str,
    name_servers: &[String],
) -> (String, hickory_server::Server<hickory_server::zone_handler::Catalog>) {
    use hickory_server::proto::rr::rdata::{NS, SOA};
    use hickory_server::proto::rr::{LowerName, Name, RData, Record};
    use hickory_server::store::in_memory::InMemoryZoneHandler;
    use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
    let name = |text: &str| Name::from_ascii(text).unwrap();
    let origin = name(&format!("{domain}."));
    let mut zone: InMemoryZoneHandler = InMemoryZoneHandler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
    let soa = SOA::new(
        name("ns1.registrar.test."),
        name("hostmaster.registrar.test."),
        1,
        3600,
        600,
        86400,
        60,
    );
    zone.upsert_mut(Record::from_rdata(origin.clone(), 60, RData::SOA(soa)), 1);
    for server in name_servers {
        zone.upsert_mut(
            Record::from_rdata(origin.clone(), 60, RData::NS(NS(name(&format!("{server}."))))),
            1,
        );
    }
    let mut catalog = Catalog::new();
    catalog.upsert(LowerName::new(&origin), vec![std::sync::Arc::new(zone)]);
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap().to_string();
    let mut server = hickory_server::Server::new(catalog);
    server.register_socket(socket);
    (address, server)
}

#[test]
fn deploy_checks_the_delegation_before_it_creates_the_certificate() {
    let moto = MotoServer::exclusive();
    let dir = workdir("delegation");
    let domain = "cert.kumo-test.net";
    let assembly = assembly(&moto, &dir, "cert", domain);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(assembly.join("manifest.json")).unwrap()).unwrap();
    let main_file = manifest["stacks"][1]["templateFile"].as_str().unwrap();
    std::fs::write(assembly.join(main_file), CERTIFICATE_TEMPLATE).unwrap();
    let app = assembly.to_str().unwrap();
    // The DNS server answers on a worker thread while the test waits for kumo.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();

    // Public DNS (the test's server) still answers the registrar's default name servers.
    let (address, server) = runtime.block_on(dns_server(
        domain,
        &["ns1.registrar.test".to_owned(), "ns2.registrar.test".to_owned()],
    ));
    let deploy = |dns: &str| {
        kumo_with(
            &moto,
            &dir,
            &["deploy", "--assembly", app, "--skip-preflight"],
            &[("KUMO_DNS_SERVER", dns)],
        )
    };
    let refused = deploy(&address);
    assert_eq!(refused.code, 2, "{}", refused.text());
    // The DNS stack was deployed first; the zone's name servers are what the domain must point at.
    let (zone_id, name_servers) = zones(&moto, domain).remove(0);
    for line in [
        format!("hosted zone {zone_id} ({domain}) name servers: {}", name_servers.join(", ")),
        format!("✗ {domain} is not delegated to hosted zone {zone_id}: the certificate cannot be validated until it is"),
        format!("  public DNS answers for {domain} NS (actual): ns1.registrar.test, ns2.registrar.test"),
        "error: MyEKSStack-cert not deployed: the domain of its certificate, cert.kumo-test.net, is not delegated to its \
         hosted zone, and there is no terminal to ask"
            .to_owned(),
    ] {
        assert!(refused.stderr.contains(&line), "missing {line:?}: {}", refused.text());
    }
    assert_eq!(
        log_groups(&moto),
        Vec::<String>::new(),
        "nothing of the main stack was created"
    );
    drop(server);

    // The registrar now points at the zone: delegation OK, and the deploy goes on without a question.
    let mut sorted = name_servers.clone();
    sorted.sort();
    let (address, _server) = runtime.block_on(dns_server(domain, &sorted));
    let deployed = deploy(&address);
    assert_eq!(deployed.code, 0, "{}", deployed.text());
    assert!(
        deployed.stderr.contains(&format!(
            "✓ delegation OK: {domain} is delegated to hosted zone {zone_id}"
        )),
        "{}",
        deployed.text()
    );
    assert_eq!(log_groups(&moto), [format!("/kumo-test/{zone_id}")]);
}

/// A stack with kumo's cluster outputs whose endpoint nothing answers (a closed local port, as a private
/// endpoint or a firewall would leave it): the AWS side succeeds, then the in-cluster step fails with an
/// error naming the endpoint and what to do, and the stack stays as deployed. `kumo kubeconfig` works
/// from the same outputs without reaching the cluster.
///
/// moto 5.2.5 does not refresh a stack's outputs when it executes a change set (kumo's only way to
/// deploy), so the stack is created once with `CreateStack` (tagged as kumo's), and `kumo deploy` of
/// the same template then finds no changes and goes on to the in-cluster step, as it does on AWS.
#[test]
fn an_unreachable_cluster_endpoint_fails_after_the_stack_is_deployed_and_kubeconfig_still_works() {
    let moto = MotoServer::exclusive();
    let dir = workdir("cluster");
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("https://127.0.0.1:{closed_port}");
    let ca = kumo_kube::cert::generate("cluster", "test", std::time::SystemTime::now())
        .unwrap()
        .ca_pem;
    let ca_data = base64_standard(ca.as_bytes());
    let template = dir.join("cluster.json");
    std::fs::write(
        &template,
        json!({
            "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 1}}},
            "Outputs": {
                "ClusterName": {"Value": "eks-cluster"},
                "ClusterEndpoint": {"Value": endpoint},
                "CertificateAuthorityData": {"Value": ca_data},
                "VpcId": {"Value": "vpc-0123456789abcdef0"},
                "LoadBalancerControllerServiceAccount": {"Value": "kube-system/aws-load-balancer-controller"}
            }
        })
        .to_string(),
    )
    .unwrap();
    let t = template.to_str().unwrap();
    let out = dir.to_str().unwrap();
    runtime().block_on(async {
        let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_config().await);
        cfn.create_stack()
            .stack_name(STACK)
            .template_body(std::fs::read_to_string(&template).unwrap())
            .tags(
                aws_sdk_cloudformation::types::Tag::builder()
                    .key("kumo:managed-by")
                    .value("kumo")
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
    let run = kumo(
        &moto,
        &dir,
        &["deploy", "--template", t, "--stack-name", STACK, "--yes", "--out", out],
    );
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(
        run.stdout.contains("no changes; the stack is up to date"),
        "{}",
        run.text()
    );
    assert!(
        run.stdout
            .contains(&format!("ClusterEndpoint                      = {endpoint}")),
        "{}",
        run.text()
    );
    assert!(
        run.stderr.contains(&format!(
            "error: the stack is deployed, but installing the in-cluster bundle failed: cannot reach the cluster endpoint {endpoint}"
        )),
        "{}",
        run.text()
    );
    assert!(run.stderr.contains("hint: kumo must reach"), "{}", run.text());
    assert!(run.stderr.contains("endpoint_public_access"), "{}", run.text());
    // Nothing was rolled back or changed.
    let stacks = moto.service_call("cloudformation", "describe_stacks", json!({"StackName": STACK}));
    assert_eq!(items(&stacks, "Stacks")[0]["StackStatus"], "CREATE_COMPLETE");
    // `kumo bundle` is the same step on its own.
    let run = kumo(&moto, &dir, &["bundle", "--stack-name", STACK]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(
        run.stderr
            .contains(&format!("error: cannot reach the cluster endpoint {endpoint}")),
        "{}",
        run.text()
    );

    // `--no-bundle` stops after the AWS side.
    let run = kumo(
        &moto,
        &dir,
        &[
            "deploy",
            "--template",
            t,
            "--stack-name",
            STACK,
            "--yes",
            "--no-bundle",
            "--out",
            out,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(!run.stderr.contains("Load Balancer Controller"), "{}", run.text());

    // `kumo status` says the cluster is not reachable, and still succeeds.
    let run = kumo(&moto, &dir, &["status", "--stack-name", STACK]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("cluster:     not readable: cannot reach"),
        "{}",
        run.text()
    );

    // The kubeconfig entry comes from the outputs alone.
    let kubeconfig = dir.join("kube/config");
    let run = kumo(
        &moto,
        &dir,
        &[
            "kubeconfig",
            "--stack-name",
            STACK,
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--alias",
            "dev",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("cluster added, user added, context added (dev)"),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("current context: dev"), "{}", run.text());
    let written: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(&kubeconfig).unwrap()).unwrap();
    assert_eq!(written["clusters"][0]["cluster"]["server"], endpoint.as_str());
    assert_eq!(
        written["clusters"][0]["cluster"]["certificate-authority-data"],
        ca_data.as_str()
    );
    assert_eq!(
        written["clusters"][0]["name"],
        "arn:aws:eks:ap-northeast-1:123456789012:cluster/eks-cluster"
    );
    assert_eq!(
        written["users"][0]["user"]["exec"]["args"],
        json!(["token", "--cluster-name", "eks-cluster", "--region", "ap-northeast-1"])
    );

    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `--template` stack without a cluster gets no in-cluster step at all.
#[test]
fn a_stack_without_a_cluster_gets_no_bundle() {
    let moto = MotoServer::exclusive();
    let dir = workdir("nocluster");
    let template = dir.join("plain.json");
    std::fs::write(
        &template,
        r#"{"Resources":{"Logs":{"Type":"AWS::Logs::LogGroup","Properties":{"RetentionInDays":1}}}}"#,
    )
    .unwrap();
    let run = kumo(
        &moto,
        &dir,
        &[
            "deploy",
            "--template",
            template.to_str().unwrap(),
            "--stack-name",
            STACK,
            "--yes",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(!run.stderr.contains("Load Balancer Controller"), "{}", run.text());
    let run = kumo(&moto, &dir, &["bundle", "--stack-name", STACK]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("has no EKS cluster"), "{}", run.text());
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let _ = std::fs::remove_dir_all(&dir);
}

fn base64_standard(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

// ---- kumo destroy leaves nothing behind (issue 9) ----
//
// A stack deployed with `kumo deploy --template`, then what controllers would leave (an ALB with listener
// and target group, its security group named by a rule on the stack's group, an available interface, a
// volume, an A record with its external-dns TXT owner) made with boto3 for this stack and for another
// one. Every check goes through the ELBv2, EC2, Route 53 and tagging APIs, never through kumo's own word.

const TEARDOWN_STACK: &str = "teardown-moto";

/// Deploys the stack and plants leftovers for it and for `other-stack`.
fn leftover_world(moto: &MotoServer, dir: &Path) -> (Placement, Planted, Planted) {
    let run = kumo(
        moto,
        dir,
        &[
            "deploy",
            "--template",
            "stack.json",
            "--stack-name",
            TEARDOWN_STACK,
            "--yes",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    let at = Placement::of_stack(moto, TEARDOWN_STACK);
    let ours = plant(moto, TEARDOWN_STACK, &at);
    let theirs = plant(moto, "other-stack", &at);
    (at, ours, theirs)
}

fn teardown_stack_exists(moto: &MotoServer) -> bool {
    let stacks = moto.service_call("cloudformation", "list_stacks", json!({}));
    stacks["StackSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["StackName"] == TEARDOWN_STACK && s["StackStatus"] != "DELETE_COMPLETE")
}

#[test]
fn destroy_plans_removes_this_stacks_leftovers_keeps_the_volume_and_leaves_others_alone() {
    let moto = MotoServer::exclusive();
    let dir = workdir("destroy-keep-volume");
    std::fs::write(dir.join("stack.json"), STACK_TEMPLATE).unwrap();
    let (at, ours, theirs) = leftover_world(&moto, &dir);

    // --plan: lists the stack and every leftover of ours, none of theirs; changes nothing.
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", TEARDOWN_STACK, "--plan"]);
    assert_eq!(run.code, 0, "{}", run.text());
    for id in [
        &ours.load_balancer_arn,
        &ours.listener_arn,
        &ours.target_group_arn,
        &ours.security_group_id,
        &ours.interface_id,
        &ours.volume_id,
        &ours.record_name,
        &ours.txt_name,
    ] {
        assert!(run.stdout.contains(id.as_str()), "{id} not in the plan\n{}", run.text());
    }
    for id in [
        &theirs.load_balancer_arn,
        &theirs.security_group_id,
        &theirs.volume_id,
        &theirs.record_name,
    ] {
        assert!(
            !run.stdout.contains(id.as_str()),
            "{id} of another stack in the plan\n{}",
            run.text()
        );
    }
    assert!(
        run.stdout
            .contains(&format!("{TEARDOWN_STACK}: 5 resource(s) in the stack")),
        "{}",
        run.text()
    );
    assert!(
        run.stdout.contains("keep: holds data (--delete-volumes)"),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("AWS Load Balancer Controller"), "{}", run.text());
    assert!(
        run.stdout
            .contains(&format!("{} ingress", at.node_group_id).to_lowercase())
            || run.stdout.contains(&at.node_group_id),
        "{}",
        run.text()
    );
    assert!(
        run.stdout.contains("plan only (--plan): nothing was changed"),
        "{}",
        run.text()
    );
    assert!(teardown_stack_exists(&moto));
    assert_eq!(kinds(&still_there(&moto, &ours, &at.zone_id)), EVERYTHING);

    // `kumo status` shows the same list as "outside the stack".
    let run = kumo(&moto, &dir, &["status", "--stack-name", TEARDOWN_STACK]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout
            .contains("outside the stack (`kumo destroy` removes these first):"),
        "{}",
        run.text()
    );
    assert!(
        run.stdout.contains(&ours.load_balancer_arn) && run.stdout.contains(&ours.volume_id),
        "{}",
        run.text()
    );

    // destroy --yes: ours goes (the volume is kept and named), the stack goes, theirs stays.
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", TEARDOWN_STACK, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(!teardown_stack_exists(&moto), "{}", run.text());
    assert_eq!(
        still_there(&moto, &ours, &at.zone_id),
        [
            (
                "tagged",
                format!("arn:aws:ec2:ap-northeast-1:123456789012:volume/{}", ours.volume_id)
            ),
            ("volume", ours.volume_id.clone())
        ],
        "{}",
        run.text()
    );
    assert!(
        run.stdout
            .contains(&format!("kept: EBS volume {} (10 GiB gp3, available)", ours.volume_id)),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("nothing else left"), "{}", run.text());
    assert!(run.stderr.contains("deleting load balancer"), "{}", run.text());
    assert_eq!(
        kinds(&still_there(&moto, &theirs, &at.zone_id)),
        EVERYTHING,
        "{}",
        run.text()
    );

    // The stack is gone; what is left tagged for it (the kept volume) is found by its tag, and
    // --delete-volumes removes it: nothing left.
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", TEARDOWN_STACK, "--plan"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("the stack does not exist") && run.stdout.contains(&ours.volume_id),
        "{}",
        run.text()
    );
    let run = kumo(
        &moto,
        &dir,
        &["destroy", "--stack-name", TEARDOWN_STACK, "--yes", "--delete-volumes"],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains(&format!("nothing left: {TEARDOWN_STACK}")),
        "{}",
        run.text()
    );
    assert!(still_there(&moto, &ours, &at.zone_id).is_empty());
    assert_eq!(kinds(&still_there(&moto, &theirs, &at.zone_id)), EVERYTHING);
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", TEARDOWN_STACK, "--yes"]);
    assert!(
        run.stdout.contains("does not exist; nothing to destroy"),
        "{}",
        run.text()
    );
}

#[test]
fn destroy_with_delete_volumes_leaves_nothing_at_all() {
    let moto = MotoServer::exclusive();
    let dir = workdir("destroy-delete-volumes");
    std::fs::write(dir.join("stack.json"), STACK_TEMPLATE).unwrap();
    let (at, ours, theirs) = leftover_world(&moto, &dir);
    let run = kumo(
        &moto,
        &dir,
        &["destroy", "--stack-name", TEARDOWN_STACK, "--yes", "--delete-volumes"],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains(&format!(
            "nothing left: {TEARDOWN_STACK} and everything it made outside the stack are gone"
        )),
        "{}",
        run.text()
    );
    assert!(!teardown_stack_exists(&moto));
    assert!(
        still_there(&moto, &ours, &at.zone_id).is_empty(),
        "{:?}",
        still_there(&moto, &ours, &at.zone_id)
    );
    assert_eq!(kinds(&still_there(&moto, &theirs, &at.zone_id)), EVERYTHING);
}

// ---- time-to-live (issue 13): the reaper deployed with the stack, run by Step Functions on moto ----

fn parameter(moto: &MotoServer, stack: &str, key: &str) -> Option<String> {
    let described = moto.service_call("cloudformation", "describe_stacks", json!({"StackName": stack}));
    described["Stacks"][0]["Parameters"]
        .as_array()?
        .iter()
        .find(|p| p["ParameterKey"] == key)
        .and_then(|p| p["ParameterValue"].as_str())
        .map(str::to_owned)
}

fn template_body(moto: &MotoServer, stack: &str) -> String {
    let template = moto.service_call("cloudformation", "get_template", json!({"StackName": stack}));
    template["TemplateBody"].to_string()
}

fn shorten_retries(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(retries)) = map.get_mut("Retry") {
                for retry in retries {
                    retry["IntervalSeconds"] = json!(1);
                    retry["MaxAttempts"] = json!(2);
                }
            }
            if map.get("Type") == Some(&json!("Wait")) {
                map.insert("Seconds".to_owned(), json!(1));
            }
            map.values_mut().for_each(shorten_retries);
        }
        Value::Array(list) => list.iter_mut().for_each(shorten_retries),
        _ => {}
    }
}

/// Starts an execution as the schedule would and waits for its end: `describe_execution`'s answer.
fn run_execution(moto: &MotoServer, machine_arn: &str, name: &str) -> Value {
    let execution = moto.service_call(
        "stepfunctions",
        "start_execution",
        json!({"stateMachineArn": machine_arn, "name": name, "input": "{}"}),
    );
    let execution_arn = field(&execution, "executionArn");
    for _ in 0..240 {
        let described = moto.service_call(
            "stepfunctions",
            "describe_execution",
            json!({"executionArn": execution_arn}),
        );
        if field(&described, "status") != "RUNNING" {
            return described;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("{execution_arn} still running after 60 s");
}

#[test]
fn ttl_reaper_removes_this_stacks_leftovers_and_the_stack_and_itself() {
    let moto = MotoServer::exclusive();
    moto.set_state_machine_execution(false).unwrap();
    let dir = workdir("ttl-reaper");
    std::fs::write(dir.join("stack.json"), STACK_TEMPLATE).unwrap();
    let stack = "ttl-moto";
    let deploy_with_ttl = |stack: &str, more: &[&str]| {
        let mut args = vec![
            "deploy",
            "--template",
            "stack.json",
            "--stack-name",
            stack,
            "--ttl",
            "8h",
            "--yes",
        ];
        args.extend_from_slice(more);
        kumo(&moto, &dir, &args).ok()
    };
    let run = deploy_with_ttl(stack, &[]);
    assert!(
        run.stdout.contains("time-to-live 8h: removes itself at "),
        "{}",
        run.text()
    );
    // The reaper is a stack of its own, `<stack>-ttl`, deployed after the main stack, whose template
    // is what it is without a time-to-live.
    let reaper_stack = format!("{stack}-ttl");
    let expiry = parameter(&moto, &reaper_stack, "KumoExpiry").unwrap();
    assert!(run.stdout.contains(&expiry), "{}", run.text());
    assert!(
        run.stdout.contains(&format!("{reaper_stack}: CREATE_COMPLETE")),
        "{}",
        run.text()
    );
    assert_eq!(parameter(&moto, stack, "KumoExpiry"), None);
    assert!(!template_body(&moto, stack).contains("KumoReaper"));
    let stack_id =
        moto.service_call("cloudformation", "describe_stacks", json!({"StackName": stack}))["Stacks"][0]["StackId"]
            .as_str()
            .unwrap()
            .to_owned();
    assert_eq!(parameter(&moto, &reaper_stack, "MainStackId"), Some(stack_id.clone()));
    let reaper_id = moto.service_call("cloudformation", "describe_stacks", json!({"StackName": reaper_stack}))
        ["Stacks"][0]["StackId"]
        .as_str()
        .unwrap()
        .to_owned();

    // Leftovers of this stack and of another, in this stack's VPC and zone.
    let at = Placement::of_stack(&moto, stack);
    let ours = plant(&moto, stack, &at);
    let theirs = plant(&moto, "other-stack", &at);

    // moto never fires schedules: the execution is started as the schedule would start it.
    // (Found by name: moto's stack resource list keeps the first physical id after an update.)
    let machines = moto.service_call("stepfunctions", "list_state_machines", json!({}));
    let reapers: Vec<String> = items(&machines, "stateMachines")
        .iter()
        .filter(|m| field(m, "name").starts_with(&format!("{reaper_stack}-KumoReaper")))
        .map(|m| field(m, "stateMachineArn"))
        .collect();
    assert_eq!(reapers.len(), 1, "{machines}");
    let machine_arn = reapers[0].clone();
    let machine = moto.service_call(
        "stepfunctions",
        "describe_state_machine",
        json!({"stateMachineArn": machine_arn}),
    );
    // Two emulator differences, adapted here and only here: moto's CloudFormation ignores
    // DefinitionSubstitutions, and its Step Functions calls boto3, which names ELBv2 `elbv2` where Step
    // Functions says `elasticloadbalancingv2`.
    let definition = field(&machine, "definition")
        .replace("${StackName}", stack)
        .replace("${StackId}", &stack_id)
        .replace("${ReaperStackId}", &reaper_id)
        .replace("aws-sdk:elasticloadbalancingv2:", "aws-sdk:elbv2:");
    // The deployed back-off (10 s doubling, 7 attempts: about 15 minutes) shortened to 1 s and 2
    // attempts, so a stage that stays blocked fails in seconds here; the wait for the deletion too.
    let mut definition: Value = serde_json::from_str(&definition).unwrap();
    shorten_retries(&mut definition);
    let definition = definition.to_string();
    // moto runs executions only for machines in its executing store, so the deployed definition
    // (with its role) is loaded there.
    moto.set_state_machine_execution(true).unwrap();
    let running = moto.service_call(
        "stepfunctions",
        "create_state_machine",
        json!({"name": "reaper-run", "definition": definition, "roleArn": field(&machine, "roleArn")}),
    );
    let machine_run = field(&running, "stateMachineArn");

    // A firing whose delete stays blocked: the other stack's load balancer got a listener forwarding to
    // our target group, so DeleteTargetGroup answers ResourceInUse (moto, like AWS, with the modelled
    // error `ResourceInUseException`): one of the rule's retry_on codes, retried with back-off until
    // the attempts run out; then the execution fails with Kumo.Retry and the stack stays for the next
    // firing.
    let theirs_listener = moto.service_call(
        "elbv2",
        "create_listener",
        json!({
            "LoadBalancerArn": theirs.load_balancer_arn,
            "Protocol": "HTTP",
            "Port": 8081,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": ours.target_group_arn}],
        }),
    );
    let first = run_execution(&moto, &machine_run, "firing-1");
    assert_eq!(field(&first, "status"), "FAILED", "{first}");
    assert_eq!(field(&first, "error"), "Kumo.Retry", "{first}");
    let history = moto.service_call(
        "stepfunctions",
        "get_execution_history",
        json!({"executionArn": field(&first, "executionArn"), "maxResults": 1000}),
    );
    let target_group_stage_runs = items(&history, "events")
        .iter()
        .filter(|e| e["type"] == "MapStateStarted" || e["type"] == "MapStateEntered")
        .filter(|e| e.to_string().contains("Remove target groups: each"))
        .count();
    assert!(target_group_stage_runs >= 1, "{history}");
    let stacks = moto.service_call("cloudformation", "describe_stacks", json!({"StackName": stack_id}));
    assert_eq!(stacks["Stacks"][0]["StackStatus"], "CREATE_COMPLETE");
    let reapers = moto.service_call("cloudformation", "describe_stacks", json!({"StackName": reaper_id}));
    assert_eq!(reapers["Stacks"][0]["StackStatus"], "CREATE_COMPLETE");
    // What it removed before the failing stage stays removed (our load balancer, in table order).
    assert!(
        !kinds(&still_there(&moto, &ours, &at.zone_id)).contains(&"load balancer"),
        "{:?}",
        still_there(&moto, &ours, &at.zone_id)
    );

    // The blocker goes; the next firing finishes the job.
    moto.service_call(
        "elbv2",
        "delete_listener",
        json!({"ListenerArn": theirs_listener["Listeners"][0]["ListenerArn"]}),
    );
    let second = run_execution(&moto, &machine_run, "firing-2");
    assert_eq!(field(&second, "status"), "SUCCEEDED", "{second}");

    // Ours: gone but the volume (kept: it holds data); theirs: all there; the stack: deleted.
    assert_eq!(
        still_there(&moto, &ours, &at.zone_id),
        [
            (
                "tagged",
                format!("arn:aws:ec2:ap-northeast-1:123456789012:volume/{}", ours.volume_id)
            ),
            ("volume", ours.volume_id.clone())
        ]
    );
    assert_eq!(kinds(&still_there(&moto, &theirs, &at.zone_id)), EVERYTHING);
    let stacks = moto.service_call("cloudformation", "describe_stacks", json!({"StackName": stack_id}));
    assert_eq!(stacks["Stacks"][0]["StackStatus"], "DELETE_COMPLETE");
    // The execution waited for that, then deleted the reaper stack: its state machine and roles.
    let history = moto.service_call(
        "stepfunctions",
        "get_execution_history",
        json!({"executionArn": field(&second, "executionArn"), "maxResults": 1000}),
    );
    let entered: Vec<String> = items(&history, "events")
        .iter()
        .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str().map(str::to_owned))
        .collect();
    let at = |name: &str| {
        entered
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name}: {entered:?}"))
    };
    assert!(at("Delete the stack") < at("Deleted?") && at("Deleted?") < at("Delete the reaper stack"));
    let reapers = moto.service_call("cloudformation", "describe_stacks", json!({"StackName": reaper_id}));
    assert_eq!(reapers["Stacks"][0]["StackStatus"], "DELETE_COMPLETE");
    moto.set_state_machine_execution(false).unwrap();
    let machines = moto.service_call("stepfunctions", "list_state_machines", json!({}));
    assert!(
        !items(&machines, "stateMachines")
            .iter()
            .any(|m| m["stateMachineArn"] == machine_arn.as_str()),
        "{machines}"
    );
    let roles = moto.service_call("iam", "list_roles", json!({}));
    assert!(
        !items(&roles, "Roles")
            .iter()
            .any(|r| field(r, "RoleName").starts_with("ttl-moto-ttl-")),
        "{roles}"
    );

    // A second stack for `kumo ttl` (moto's update of a stack replaces its state machine, so the
    // reaper above is run on a stack that was not updated).
    let stack = "ttl-moto-params";
    let run = deploy_with_ttl(stack, &["--ttl-notify", "ops@example.com"]);
    let reaper_stack = format!("{stack}-ttl");
    let main_before = template_body(&moto, stack);
    let expiry = parameter(&moto, &reaper_stack, "KumoExpiry").unwrap();
    assert!(run.stdout.contains(&expiry), "{}", run.text());
    // The warning: an hour before, by e-mail through an encrypted topic.
    let warn_at = parameter(&moto, &reaper_stack, "KumoNotifyAt").unwrap();
    assert_eq!(Some(warn_at), kumo_teardown::reaper::notify_at(&expiry, 0));
    // (moto's CloudFormation makes the topic, not a stand-alone subscription: the template says it.)
    let topics = moto.service_call("sns", "list_topics", json!({}));
    assert!(
        items(&topics, "Topics")
            .iter()
            .any(|t| field(t, "TopicArn").contains(&format!("{reaper_stack}-KumoReaperTopic"))),
        "{topics}"
    );
    assert!(template_body(&moto, &reaper_stack).contains("ops@example.com"));
    // `kumo ttl` shows it; extend and off change only the parameter (same template, UsePreviousTemplate).
    let run = kumo(&moto, &dir, &["ttl", "--stack-name", stack]).ok();
    assert!(run.stdout.contains(&format!("expires at {expiry}")), "{}", run.text());
    let before = template_body(&moto, &reaper_stack);
    let run = kumo(&moto, &dir, &["ttl", "extend", "2d", "--stack-name", stack]).ok();
    let extended = parameter(&moto, &reaper_stack, "KumoExpiry").unwrap();
    assert_ne!(extended, expiry);
    assert_eq!(
        parameter(&moto, &reaper_stack, "KumoNotifyAt"),
        kumo_teardown::reaper::notify_at(&extended, 0)
    );
    assert!(run.stdout.contains(&format!("expires at {extended}")), "{}", run.text());
    assert_eq!(template_body(&moto, &reaper_stack), before);
    // The main stack is not touched by a time-to-live change.
    assert_eq!(template_body(&moto, stack), main_before);
    // `kumo list` shows it.
    let run = kumo(&moto, &dir, &["list", "--json"]).ok();
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    let line = items(&listed, "environments")
        .iter()
        .find(|e| e["stack"] == stack)
        .cloned()
        .unwrap();
    assert_eq!(line["expires"], extended.as_str(), "{listed}");
    // `kumo status` shows the expiry and the reaper's last run (none yet: moto never fires schedules).
    let run = kumo(&moto, &dir, &["status", "--stack-name", stack]).ok();
    assert!(
        run.stdout.contains(&format!("ttl:         expires at {extended}")),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("reaper:      not run yet"), "{}", run.text());
    // A deploy without --ttl keeps the reaper and the expiry.
    let run = kumo(
        &moto,
        &dir,
        &["deploy", "--template", "stack.json", "--stack-name", stack, "--yes"],
    )
    .ok();
    assert!(run.stdout.contains("keeps its time-to-live"), "{}", run.text());
    assert_eq!(parameter(&moto, &reaper_stack, "KumoExpiry"), Some(extended.clone()));
    assert!(template_body(&moto, &reaper_stack).contains("KumoReaperSchedule"));
    assert_eq!(template_body(&moto, stack), main_before);
    // `kumo list` has no line of its own for the reaper stack.
    let run = kumo(&moto, &dir, &["list", "--json"]).ok();
    assert!(!run.stdout.contains(&format!("\"{reaper_stack}\"")), "{}", run.text());
    kumo(&moto, &dir, &["ttl", "off", "--stack-name", stack]).ok();
    assert_eq!(parameter(&moto, &reaper_stack, "KumoExpiry").as_deref(), Some("off"));
    assert_eq!(template_body(&moto, &reaper_stack), before);
    let run = kumo(&moto, &dir, &["ttl", "extend", "yesterday", "--stack-name", stack]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("not a time-to-live"), "{}", run.text());
    // `kumo destroy` removes the reaper stack after the stack.
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", stack, "--yes"]).ok();
    let (main_at, reaper_at) = (
        run.stdout.find(&format!("{stack}: deleted")),
        run.stdout.find(&format!("{reaper_stack}: deleted")),
    );
    assert!(main_at.is_some() && main_at < reaper_at, "{}", run.text());
    let run = kumo(&moto, &dir, &["ttl", "--stack-name", stack]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("has no time-to-live"), "{}", run.text());
}

// ---- A user's app (issue 16): two stacks, B after A ----
//
// The app is a Rust program's output: this test builds it with `kumo_core::app::App` (B depends on A
// and receives the physical id of A's log group as a parameter), and kumo.toml's `[app] command` copies
// it into `$KUMO_OUT_DIR` as the program would write it. moto gives stacks created through change sets
// no outputs and registers no exports, so `Fn::ImportValue` cannot resolve there: the export / import
// wiring is covered by synth tests (kumo-core `app::tests`) and the moto run proves the order.

/// Writes the app into `staging`: A (its log group kept `retention` days), B after A, and C on its own.
fn two_stack_app(staging: &Path, retention: i64) {
    use kumo_core::app::{App, ParameterSource};
    use kumo_core::{Parameter, RawResource, Stack};
    let mut a = Stack::new("Apps-A");
    a.add(
        "Logs",
        RawResource::new("AWS::Logs::LogGroup")
            .set("LogGroupName", "/kumo-test/app-a")
            .set("RetentionInDays", retention),
    );
    let mut b = Stack::new("Apps-B");
    let from_a = b.add_parameter("FromA", Parameter::string());
    b.add(
        "Logs",
        RawResource::new("AWS::Logs::LogGroup")
            .set("LogGroupName", kumo_core::fns::sub(format!("${{{}}}-b", from_a.name())))
            .set("RetentionInDays", 1),
    );
    let mut app = App::new();
    app.add(b).add_dependency("Apps-A").parameters.insert(
        "FromA".into(),
        ParameterSource::ResourceRef {
            stack: "Apps-A".into(),
            logical_id: "Logs".into(),
        },
    );
    app.add(a);
    let mut c = Stack::new("Apps-C");
    c.add(
        "Logs",
        RawResource::new("AWS::Logs::LogGroup")
            .set("LogGroupName", "/kumo-test/app-c")
            .set("RetentionInDays", 1),
    );
    app.add(c);
    let stacks = app.synth_to(staging).unwrap();
    kumo_testkit::cfn_lint::assert_all_clean(
        stacks
            .iter()
            .map(|s| (format!("{}.template.json", s.stack_name), s.template.to_json())),
    );
}

/// Where `needle` is in `run`'s stdout (the run's output when it is not there).
fn position(run: &Run, needle: &str) -> usize {
    run.stdout
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in {}", run.text()))
}

fn app_log_groups(moto: &MotoGuard) -> Vec<String> {
    log_groups(moto)
        .into_iter()
        .filter(|g| g.starts_with("/kumo-test/app-"))
        .collect()
}

fn stack_exists(moto: &MotoGuard, name: &str) -> bool {
    let listed = moto.service_call("cloudformation", "list_stacks", json!({}));
    items(&listed, "StackSummaries")
        .iter()
        .any(|s| field(s, "StackName") == name && field(s, "StackStatus") != "DELETE_COMPLETE")
}

#[test]
fn an_app_deploys_in_dependency_order_diffs_every_stack_and_destroys_in_reverse() {
    let moto = MotoServer::exclusive();
    let dir = workdir("app");
    let staging = dir.join("staging");
    two_stack_app(&staging, 1);
    std::fs::write(
        dir.join("kumo.toml"),
        "[app]\ncommand = \"cp staging/*.json \\\"$KUMO_OUT_DIR\\\"/\"\n",
    )
    .unwrap();

    let listed = kumo(&moto, &dir, &["ls"]).ok();
    assert_eq!(listed.stdout, "Apps-A\nApps-C\nApps-B\n", "{}", listed.text());

    // A and C side by side, then B.
    let deployed = kumo(
        &moto,
        &dir,
        &["deploy", "--yes", "--skip-preflight", "--concurrency", "2"],
    )
    .ok();
    assert!(
        position(&deployed, "Apps-A: CREATE_COMPLETE") < position(&deployed, "Apps-B: CREATE_COMPLETE"),
        "A before B: {}",
        deployed.text()
    );
    assert!(
        position(&deployed, "Apps-C: CREATE_COMPLETE") < position(&deployed, "Apps-B: CREATE_COMPLETE"),
        "C in the first wave: {}",
        deployed.text()
    );
    // Side by side, every progress line names its stack.
    assert!(
        deployed.stderr.contains("Apps-C: creating Apps-C"),
        "{}",
        deployed.text()
    );
    // B was created with A's log group name: A existed first.
    assert_eq!(
        app_log_groups(&moto),
        ["/kumo-test/app-a", "/kumo-test/app-a-b", "/kumo-test/app-c"],
        "{}",
        deployed.text()
    );

    // A change in A: the diff goes through both stacks (B unchanged) and reports changes (exit 1).
    two_stack_app(&staging, 3);
    let diff = kumo(&moto, &dir, &["diff"]);
    assert_eq!(diff.code, 1, "{}", diff.text());
    assert!(diff.stdout.contains("Apps-A"), "{}", diff.text());
    assert!(diff.stdout.contains("RetentionInDays"), "{}", diff.text());
    assert!(diff.stdout.contains("Apps-B: no changes"), "{}", diff.text());
    assert!(diff.stdout.contains("Apps-C: no changes"), "{}", diff.text());
    let only_b = kumo(&moto, &dir, &["diff", "Apps-B"]);
    assert_eq!(only_b.code, 0, "{}", only_b.text());
    assert!(!only_b.stdout.contains("Apps-A"), "{}", only_b.text());

    let nope = kumo(&moto, &dir, &["deploy", "NOPE", "--yes"]);
    assert_eq!(nope.code, 2, "{}", nope.text());
    assert!(
        nope.stderr
            .contains("no stack named NOPE in the app; its stacks: Apps-A, Apps-C, Apps-B"),
        "{}",
        nope.text()
    );

    // Every stack of the app is checked, priced and read.
    let preflight = kumo(&moto, &dir, &["preflight"]).ok();
    for stack in ["Apps-A", "Apps-B", "Apps-C"] {
        assert!(preflight.stdout.contains(stack), "{}", preflight.text());
    }
    let cost = kumo(&moto, &dir, &["cost", "--json"]).ok();
    let priced: Value = serde_json::from_str(&cost.stdout).unwrap();
    let priced: Vec<&str> = priced
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["stack"].as_str().unwrap())
        .collect();
    assert_eq!(priced, ["Apps-A", "Apps-C", "Apps-B"]);
    let outputs = kumo(&moto, &dir, &["outputs", "Apps-A", "Apps-C"]).ok();
    assert_eq!(
        outputs.stdout,
        "Apps-A:\n(no outputs)\nApps-C:\n(no outputs)\n",
        "{}",
        outputs.text()
    );

    let status = kumo(&moto, &dir, &["status"]).ok();
    assert!(status.stdout.contains("stack:       Apps-A"), "{}", status.text());
    assert!(status.stdout.contains("stack:       Apps-B"), "{}", status.text());

    // Destroying A takes B with it, first: B depends on A. C stays.
    let destroyed = kumo(&moto, &dir, &["destroy", "Apps-A", "--yes"]).ok();
    assert!(
        position(&destroyed, "Apps-B: deleted") < position(&destroyed, "Apps-A: deleted"),
        "B before A: {}",
        destroyed.text()
    );
    assert!(!destroyed.stdout.contains("Apps-C"), "{}", destroyed.text());
    assert!(!stack_exists(&moto, "Apps-A") && !stack_exists(&moto, "Apps-B"));
    assert!(stack_exists(&moto, "Apps-C"));
    assert_eq!(app_log_groups(&moto), ["/kumo-test/app-c"]);

    // The next run continues from what is there: A and B again, C unchanged.
    let again = kumo(&moto, &dir, &["deploy", "--yes", "--skip-preflight"]).ok();
    assert!(again.stdout.contains("Apps-C: no changes"), "{}", again.text());
    assert!(again.stdout.contains("Apps-B: CREATE_COMPLETE"), "{}", again.text());
    kumo(&moto, &dir, &["destroy", "--yes"]).ok();
    assert_eq!(app_log_groups(&moto), Vec::<String>::new());
    assert!(!stack_exists(&moto, "Apps-C"));
}

/// An awsQuery (XML) answer of the recorded CloudFormation endpoint.
fn xml_route(operation: &str, status: u16, body: &str) -> Route {
    Route {
        operation: operation.to_owned(),
        status,
        headers: vec![
            ("Content-Type".into(), "text/xml".into()),
            ("x-amzn-RequestId".into(), format!("recorded-{operation}")),
        ],
        body: body.to_owned(),
    }
}

/// Cross-stack references against recorded CloudFormation answers (moto registers no exports for
/// stacks made through change sets): a stack importing an export nobody has is not deployed (or diffed),
/// and an export another stack still imports stops a destroy before anything is deleted.
#[test]
fn imports_are_checked_before_a_deploy_and_exports_in_use_before_a_destroy() {
    use kumo_core::app::App;
    use kumo_core::{RawResource, Stack, fns};
    let moto = MotoServer::exclusive();
    let dir = workdir("imports");
    let staging = dir.join("staging");
    let mut net = Stack::new("Imp-Net");
    let vpc = net.add("Vpc", RawResource::new("AWS::EC2::VPC").set("CidrBlock", "10.0.0.0/16"));
    let mut svc = Stack::new("Imp-Svc");
    svc.add(
        "Group",
        RawResource::new("AWS::EC2::SecurityGroup")
            .set("GroupDescription", "svc")
            .set("VpcId", vpc.reference())
            // Another team's export, outside this app.
            .set(
                "Tags",
                json!([{"Key": "Shared", "Value": {"Fn::ImportValue": "Shared:Vpc"}}]),
            ),
    );
    let mut app = App::new();
    app.add(net);
    app.add(svc);
    app.synth_to(&staging).unwrap();
    let command = format!("--app=cp {}/*.json \"$KUMO_OUT_DIR\"/", staging.display());

    let recorded = RecordedServer::start(vec![
        xml_route(
            "ListExports",
            200,
            "<ListExportsResponse><ListExportsResult><Exports><member>\
             <ExportingStackId>arn:aws:cloudformation:ap-northeast-1:123456789012:stack/Imp-Net/1</ExportingStackId>\
             <Name>Imp-Net:Vpc</Name><Value>vpc-1</Value></member></Exports></ListExportsResult></ListExportsResponse>",
        ),
        xml_route(
            "ListImports",
            200,
            "<ListImportsResponse><ListImportsResult><Imports><member>Other-Team</member></Imports>\
             </ListImportsResult></ListImportsResponse>",
        ),
    ]);
    let env = [("AWS_ENDPOINT_URL_CLOUDFORMATION", recorded.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // A stack importing an export no stack has: refused before its change set.
    let alone_dir = dir.join("alone");
    let mut alone = Stack::new("Imp-Alone");
    alone.add(
        "Group",
        RawResource::new("AWS::EC2::SecurityGroup")
            .set("GroupDescription", "alone")
            .set("VpcId", fns::import_value("Shared:Vpc")),
    );
    let mut only = App::new();
    only.add(alone);
    only.synth_to(&alone_dir).unwrap();
    let alone_command = format!("--app=cp {}/*.json \"$KUMO_OUT_DIR\"/", alone_dir.display());
    let deploy = kumo_with(
        &moto,
        &dir,
        &[alone_command.as_str(), "deploy", "--yes", "--skip-preflight"],
        &env,
    );
    assert_eq!(deploy.code, 2, "{}", deploy.text());
    assert!(
        deploy
            .stderr
            .contains("Imp-Alone not deployed: it imports Shared:Vpc, which no stack of the region exports"),
        "{}",
        deploy.text()
    );
    assert_eq!(recorded.operations(), ["ListExports"]);

    let diff = kumo_with(&moto, &dir, &[command.as_str(), "diff", "Imp-Svc"], &env);
    assert_eq!(diff.code, 1, "{}", diff.text());
    assert!(
        diff.stdout.contains(
            "Imp-Svc: not diffed: it imports Shared:Vpc, which no stack exports yet (kumo deploy creates it first)"
        ),
        "{}",
        diff.text()
    );
    assert!(
        !recorded.operations().contains(&"CreateChangeSet".to_owned()),
        "{:?}",
        recorded.operations()
    );

    let destroy = kumo_with(&moto, &dir, &[command.as_str(), "destroy", "--yes"], &env);
    assert_eq!(destroy.code, 2, "{}", destroy.text());
    assert!(
        destroy
            .stderr
            .contains("Imp-Net cannot be deleted: its export Imp-Net:Vpc is imported by Other-Team"),
        "{}",
        destroy.text()
    );
    assert!(destroy.stderr.contains("nothing was deleted"), "{}", destroy.text());
    let operations = recorded.operations();
    assert!(!operations.contains(&"DeleteStack".to_owned()), "{operations:?}");
    assert!(operations.contains(&"ListImports".to_owned()), "{operations:?}");
}
