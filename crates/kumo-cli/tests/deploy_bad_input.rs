//! Bad input to the deploy commands: every case ends with one clear error (exit code 2), and the ones
//! that can be detected locally are detected before any AWS request (checked with a listener that
//! counts connections). An endpoint that never answers fails after a bounded time.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A TCP endpoint that accepts connections and never answers; counts them.
struct Silent {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Silent {
    fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                counter.fetch_add(1, Ordering::SeqCst);
                // Hold the connection open, reading and never writing.
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 4096];
                    while matches!(stream.read(&mut buffer), Ok(n) if n > 0) {}
                });
            }
        });
        Silent { port, connections }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

struct Run {
    code: i32,
    stderr: String,
    elapsed: Duration,
}

/// Runs kumo with a clean environment: no AWS settings unless given, no shared config files, no
/// instance metadata. Kills it (and fails) if it runs longer than `limit`: a hang is a bug.
fn kumo(dir: &Path, args: &[&str], env: &[(&str, &str)], limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kumo"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kumo runs");
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            return Run {
                code: status.code().unwrap_or(-1),
                stderr,
                elapsed: started.elapsed(),
            };
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("kumo {args:?} still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kumo-deploy-bad-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const KEYS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    ("AWS_SECRET_ACCESS_KEY", "secret"),
];
const LIMIT: Duration = Duration::from_secs(60);

/// The error line and the hint line, as the user sees them.
fn error_and_hint(run: &Run) -> (String, String) {
    let line = |prefix: &str| {
        run.stderr
            .lines()
            .find(|l| l.starts_with(prefix))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    (line("error: "), line("hint: "))
}

#[test]
fn missing_region_names_the_setting_and_how_to_set_it() {
    let dir = workdir("region");
    let run = kumo(&dir, &["status", "--stack-name", "app"], KEYS, LIMIT);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let (error, hint) = error_and_hint(&run);
    assert_eq!(error, "error: no AWS region configured");
    assert!(hint.contains("--region") && hint.contains("AWS_REGION"), "{hint}");
}

#[test]
fn missing_credentials_names_the_settings_and_how_to_set_them() {
    let dir = workdir("credentials");
    let run = kumo(
        &dir,
        &["status", "--stack-name", "app"],
        &[("AWS_REGION", "ap-northeast-1")],
        LIMIT,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let (error, hint) = error_and_hint(&run);
    assert_eq!(error, "error: no AWS credentials found");
    assert!(
        hint.contains("AWS_ACCESS_KEY_ID") && hint.contains("--profile") && hint.contains("aws sso login"),
        "{hint}"
    );

    // A named profile that does not exist is reported as such, naming it, before any credential lookup.
    let run = kumo(
        &dir,
        &["status", "--stack-name", "app", "--profile", "nope"],
        &[("AWS_REGION", "ap-northeast-1")],
        LIMIT,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let (error, hint) = error_and_hint(&run);
    assert_eq!(
        error,
        "error: --profile nope: no such profile in ~/.aws/config or ~/.aws/credentials (no profile is defined)"
    );
    assert!(hint.contains("aws configure --profile"), "{hint}");
}

#[test]
fn an_endpoint_that_never_answers_fails_after_a_bounded_time() {
    let dir = workdir("silent");
    let silent = Silent::start();
    let url = silent.url();
    let mut env = KEYS.to_vec();
    env.extend([("AWS_REGION", "ap-northeast-1"), ("AWS_MAX_ATTEMPTS", "2")]);
    let run = kumo(
        &dir,
        &[
            "status",
            "--stack-name",
            "app",
            "--endpoint-url",
            &url,
            "--api-timeout",
            "2",
        ],
        &env,
        LIMIT,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let (error, hint) = error_and_hint(&run);
    assert!(
        error.starts_with("error: DescribeStacks: the endpoint did not answer in time"),
        "{error}"
    );
    // Not "raise the timeout": an accepted, silent connection is a wrong endpoint.
    assert!(hint.contains("accepted the connection but never answered"), "{hint}");
    assert!(!hint.contains("raise"), "{hint}");
    // The retry is visible while it happens.
    assert!(
        run.stderr.contains(
            "retrying DescribeStacks (attempt 2 of 2): the endpoint accepted the request but sent no answer within 2 s"
        ),
        "{}",
        run.stderr
    );
    assert!(silent.connections() >= 2, "kumo did not retry");
    // The documented bound: attempts × --api-timeout plus at most 20 s of back-off between attempts.
    assert!(run.elapsed < Duration::from_secs(2 * 2 + 20), "took {:?}", run.elapsed);
}

#[test]
fn an_endpoint_that_refuses_connections_is_reported() {
    let dir = workdir("refused");
    // Bind and drop: nothing listens on this port now.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let mut env = KEYS.to_vec();
    env.extend([
        ("AWS_REGION", "ap-northeast-1"),
        ("AWS_MAX_ATTEMPTS", "2"),
        ("AWS_ENDPOINT_URL", url.as_str()),
    ]);
    let run = kumo(&dir, &["outputs", "--stack-name", "app"], &env, LIMIT);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let (error, _) = error_and_hint(&run);
    assert!(
        error.starts_with("error: DescribeStacks: cannot reach the endpoint"),
        "{error}"
    );
}

#[test]
fn invalid_templates_are_reported_with_line_and_column_before_any_aws_call() {
    let dir = workdir("template");
    let silent = Silent::start();
    let url = silent.url();
    let mut env = KEYS.to_vec();
    env.extend([("AWS_REGION", "ap-northeast-1"), ("AWS_ENDPOINT_URL", url.as_str())]);

    let json = dir.join("bad.json");
    std::fs::write(
        &json,
        "{\n  \"Resources\": {\n    \"Vpc\": {\"Type\": \"AWS::EC2::VPC\",}\n  }\n}\n",
    )
    .unwrap();
    let yaml = dir.join("bad.yaml");
    std::fs::write(&yaml, "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n   Properties: [\n").unwrap();
    let tag = dir.join("tag.yaml");
    std::fs::write(
        &tag,
        "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Cidrr x\n",
    )
    .unwrap();

    for (file, expected) in [
        (
            &json,
            format!("error: {}:3:37: invalid JSON: trailing comma", json.display()),
        ),
        (&yaml, format!("error: {}:4:4: invalid YAML: ", yaml.display())),
        (&tag, format!("error: {}:5:18: unknown YAML tag !Cidrr", tag.display())),
    ] {
        for verb in ["deploy", "diff"] {
            let run = kumo(
                &dir,
                &[verb, "--template", file.to_str().unwrap(), "--stack-name", "app"],
                &env,
                LIMIT,
            );
            assert_eq!(run.code, 2, "{}", run.stderr);
            let (error, hint) = error_and_hint(&run);
            assert!(error.starts_with(&expected), "{error}\nexpected: {expected}");
            assert!(hint.contains("nothing was sent to AWS"), "{hint}");
        }
    }
    let missing = dir.join("missing.yaml");
    let run = kumo(
        &dir,
        &["deploy", "--template", missing.to_str().unwrap(), "--stack-name", "app"],
        &env,
        LIMIT,
    );
    assert_eq!(run.code, 2);
    assert!(
        error_and_hint(&run).0.contains("cannot read template"),
        "{}",
        run.stderr
    );
    assert_eq!(silent.connections(), 0, "an AWS request was sent for a bad template");
}

#[test]
fn bad_flags_are_refused_before_any_aws_call() {
    let dir = workdir("flags");
    let silent = Silent::start();
    let url = silent.url();
    let mut env = KEYS.to_vec();
    env.extend([("AWS_REGION", "ap-northeast-1"), ("AWS_ENDPOINT_URL", url.as_str())]);
    let template = dir.join("t.json");
    std::fs::write(
        &template,
        r#"{"Parameters": {"Env": {"Type": "String"}}, "Resources": {"L": {"Type": "AWS::Logs::LogGroup"}}}"#,
    )
    .unwrap();
    let t = template.to_str().unwrap();

    let cases: &[(&[&str], &str)] = &[
        (
            &["deploy", "--template", t, "--stack-name", "app", "--parameter", "Env"],
            "error: --parameter \"Env\": expected KEY=VALUE",
        ),
        (
            &[
                "deploy",
                "--template",
                t,
                "--stack-name",
                "app",
                "--parameter",
                "Nope=1",
            ],
            "has no parameter Nope",
        ),
        (
            &["deploy", "--template", t, "--stack-name", "app", "--tag", "aws:x=1"],
            "the aws: prefix is reserved",
        ),
        (
            &["deploy", "--template", t, "--stack-name", "1bad"],
            "invalid stack name \"1bad\": it starts with '1' instead of a letter",
        ),
        (
            &[
                "deploy",
                "--template",
                t,
                "--stack-name",
                "app",
                "--endpoint-url",
                "localhost:4566",
            ],
            "is not an http:// or https:// URL",
        ),
        (
            &["deploy", "--template", t, "--stack-name", "app", "--tag", "Aws:x=1"],
            "the aws: prefix is reserved by AWS (in any letter case)",
        ),
    ];
    for (args, expected) in cases {
        let run = kumo(&dir, args, &env, LIMIT);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(error_and_hint(&run).0.contains(expected), "{args:?}: {}", run.stderr);
    }
    // --template without --stack-name is a usage error (clap, also exit 2).
    let run = kumo(&dir, &["deploy", "--template", t], &env, LIMIT);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--stack-name"), "{}", run.stderr);
    assert_eq!(silent.connections(), 0, "an AWS request was sent for bad flags");
}

#[test]
fn a_project_with_deploy_blockers_is_refused_before_any_aws_call() {
    // No kumo.toml: the built-in defaults, whose domain is still example.com and whose image builder
    // still names the seed author's repository: both named at once.
    let dir = workdir("blockers");
    let silent = Silent::start();
    let url = silent.url();
    let mut env = KEYS.to_vec();
    env.extend([("AWS_REGION", "ap-northeast-1"), ("AWS_ENDPOINT_URL", url.as_str())]);
    let run = kumo(&dir, &["deploy", "--yes"], &env, LIMIT);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let (error, hint) = error_and_hint(&run);
    assert_eq!(
        error, "error: MyEKSStack is not ready to deploy: kumo.toml still has values that are not yours:",
        "{}",
        run.stderr
    );
    let listed: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("  - ")).collect();
    assert_eq!(listed.len(), 2, "{}", run.stderr);
    assert!(
        listed[0].starts_with("  - dns.domain = \"example.com\" is a reserved example domain"),
        "{listed:?}"
    );
    assert!(
        listed[1].starts_with(
            "  - image_builder.github_owner = \"k-akari\" (with image_builder.github_repo = \"ent-example\") is the seed \
             author's GitHub repository"
        ),
        "{listed:?}"
    );
    assert!(hint.contains("`kumo deploy` sent nothing to AWS"), "{hint}");
    assert_eq!(silent.connections(), 0);

    // Only the domain changed: the repository is still borrowed; `kumo preflight` refuses the same way.
    std::fs::write(dir.join("kumo.toml"), "[dns]\ndomain = \"dev.mycompany.net\"\n").unwrap();
    for command in ["deploy", "preflight"] {
        let run = kumo(&dir, &[command], &env, LIMIT);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let listed: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("  - ")).collect();
        assert_eq!(listed.len(), 1, "{}", run.stderr);
        assert!(
            listed[0].contains("image_builder.github_owner = \"k-akari\""),
            "{listed:?}"
        );
        assert!(
            listed[0].contains("image_builder.github_repo = \"ent-example\""),
            "{listed:?}"
        );
        assert!(!run.stderr.contains("dns.domain"), "{}", run.stderr);
    }
    assert_eq!(silent.connections(), 0, "a refused command sent a request");
}

#[test]
fn a_bad_time_to_live_is_named_before_any_aws_request() {
    // No endpoint would answer: the error must come first.
    let dir = workdir("ttl");
    let env = [
        ("AWS_REGION", "ap-northeast-1"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
    ];
    std::fs::write(
        dir.join("t.json"),
        r#"{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}}"#,
    )
    .unwrap();
    let refused = |stack: &str, ttl: &str| {
        let run = kumo(
            &dir,
            &[
                "deploy",
                "--yes",
                "--template",
                "t.json",
                "--stack-name",
                stack,
                "--ttl",
                ttl,
            ],
            &env,
            LIMIT,
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        error_and_hint(&run)
    };
    let (error, hint) = refused("app", "soon");
    assert!(error.contains("--ttl: \"soon\" is not a time-to-live"), "{error}");
    assert!(hint.contains("--ttl 8h"), "{hint}");
    // The reaper stack `<stack>-ttl` must fit CloudFormation's 128 characters.
    let (error, hint) = refused(&"a".repeat(125), "8h");
    assert!(error.contains("at most 124 characters"), "{error}");
    assert!(hint.contains("shorter name"), "{hint}");
    std::fs::write(
        dir.join("kumo.toml"),
        "[stack]\nttl = \"2020-01-01T00:00:00Z\"\n[dns]\ndomain = \"a.mycompany.net\"\n\
         [image_builder]\ngithub_owner = \"me\"\ngithub_repo = \"ent-example\"\n",
    )
    .unwrap();
    let run = kumo(&dir, &["deploy", "--yes"], &env, LIMIT);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let (error, _) = error_and_hint(&run);
    assert!(
        error.contains("[stack] ttl: 2020-01-01T00:00:00Z is in the past"),
        "{error}"
    );
    let run = kumo(&dir, &["ttl", "extend", "0h", "--stack-name", "app"], &env, LIMIT);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("\"0h\" is not a time-to-live"), "{}", run.stderr);
}
