//! Reliability, class by class (issue 15): the CLI never panics on what a user or their environment can
//! give it, honours the account the user meant, refuses locally what AWS would refuse later, takes files
//! as they come, and says what to fix. Signals have their own file (`signals.rs`).
//!
//! AWS-facing cases run against the pinned moto server; cases that must be refused locally run against
//! a listener that counts connections, and must send nothing.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kumo_testkit::moto::MotoServer;
use proptest::prelude::*;
use serde_json::json;

mod stack_fixture;

fn workdir(name: &str) -> PathBuf {
    stack_fixture::workdir("robustness", name)
}

fn live_stacks(moto: &MotoServer) -> Vec<String> {
    stack_fixture::live_stacks(moto)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// Where kumo's stdout goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stdout {
    /// Captured, as usual.
    Normal,
    /// File descriptor 1 closed (`>&-`).
    Closed,
    /// `/dev/full`: every write fails with "No space left on device".
    Full,
    /// A pipe whose reader has already exited (`| head` after it quit): every write fails with EPIPE.
    Broken,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn text(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn base_command(dir: &Path, env: &[(&str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kumo"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Runs kumo with stdout as `mode`; fails the test if it runs over a minute (a hang is a bug).
fn kumo(dir: &Path, args: &[&str], env: &[(&str, String)], mode: Stdout) -> Run {
    let mut command = base_command(dir, env);
    match mode {
        Stdout::Normal => {
            command.stdout(Stdio::piped());
        }
        Stdout::Closed => {
            // Run through the shell to start kumo with descriptor 1 really closed.
            let mut shell = Command::new("sh");
            shell
                .arg("-c")
                .arg("exec \"$0\" \"$@\" >&-")
                .arg(env!("CARGO_BIN_EXE_kumo"))
                .args(args);
            shell
                .current_dir(dir)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", dir)
                .env("NO_COLOR", "1")
                .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
                .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-aws-credentials"))
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            return wait(shell.spawn().expect("sh runs"), args);
        }
        Stdout::Full => {
            command.stdout(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
        }
        Stdout::Broken => {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            command.stdout(writer);
        }
    }
    command.args(args);
    let child = command.spawn().expect("kumo runs");
    wait(child, args)
}

fn wait(mut child: std::process::Child, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut stdout = String::new();
    let mut stderr = String::new();
    // Read both pipes while waiting, so a chatty command never blocks on a full pipe.
    let out_reader = child.stdout.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = s.read_to_string(&mut text);
            text
        })
    });
    let err_reader = child.stderr.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = s.read_to_string(&mut text);
            text
        })
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("kumo {args:?} still running after 60 s: it hangs");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if let Some(reader) = out_reader {
        stdout = reader.join().unwrap();
    }
    if let Some(reader) = err_reader {
        stderr = reader.join().unwrap();
    }
    Run {
        code: status.code(),
        stdout,
        stderr,
    }
}

fn assert_no_panic(run: &Run, what: &str) {
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE") && run.code != Some(101),
        "{what} panicked:\n{}",
        run.text()
    );
}

/// The subcommands clap knows, read from `kumo --help`: commands added later are covered as well.
fn subcommands(dir: &Path) -> Vec<String> {
    let help = kumo(dir, &["--help"], &[], Stdout::Normal);
    let mut names = Vec::new();
    let mut in_commands = false;
    for line in help.stdout.lines() {
        if line.starts_with("Commands:") {
            in_commands = true;
            continue;
        }
        if in_commands {
            if !line.starts_with("  ") {
                break;
            }
            if let Some(name) = line.split_whitespace().next()
                && !line.starts_with("   ")
            {
                names.push(name.to_owned());
            }
        }
    }
    assert!(
        names.len() >= 7,
        "could not read the subcommands from --help:\n{}",
        help.stdout
    );
    names
}

/// Arguments that make a known subcommand do real work against the local endpoint; `{mode}` is replaced
/// by the stdout mode, so each mode deploys its own stack. Unknown (newer) subcommands run bare.
fn arguments(command: &str) -> Vec<&'static str> {
    match command {
        "init" => vec!["--path", "written.toml", "--force"],
        "diff" => vec!["--template", "role.yaml", "--stack-name", "rb-diff-{mode}"],
        "deploy" => vec!["--template", "role.yaml", "--stack-name", "rb-deploy-{mode}", "--yes"],
        "destroy" => vec!["--stack-name", "rb-deploy-Normal", "--yes"],
        "outputs" | "status" => vec!["--stack-name", "rb-deploy-Normal"],
        _ => Vec::new(),
    }
}

// -------------------------------------------------------------------------------------------------
// Class 1: no panic reachable from the command line or the environment

#[test]
fn every_subcommand_survives_closed_full_and_broken_stdout() {
    let moto = MotoServer::exclusive();
    let dir = workdir("stdout");
    let env: Vec<(&str, String)> = moto.child_env().into_iter().collect();
    let mut commands = subcommands(&dir);
    // Deploy first (the others read the stack it makes), destroy last.
    let rank = |c: &str| match c {
        "deploy" => 0,
        "destroy" => 2,
        _ => 1,
    };
    commands.sort_by_key(|c| rank(c));
    let mut runs = vec![vec!["--help".to_owned()], vec!["--version".to_owned()]];
    for command in &commands {
        let mut args = vec![command.clone()];
        args.extend(arguments(command).into_iter().map(str::to_owned));
        runs.push(args);
        runs.push(vec![command.clone(), "--help".to_owned()]);
    }
    for args in &runs {
        let mut normal_code = None;
        let mut normal_printed = false;
        for mode in [Stdout::Normal, Stdout::Closed, Stdout::Full, Stdout::Broken] {
            let args: Vec<String> = args.iter().map(|a| a.replace("{mode}", &format!("{mode:?}"))).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = kumo(&dir, &args, &env, mode);
            let what = format!("kumo {args:?} with {mode:?} stdout");
            assert_no_panic(&run, &what);
            match mode {
                Stdout::Normal => {
                    normal_code = run.code;
                    normal_printed = !run.stdout.is_empty();
                }
                // A closed descriptor is /dev/null to kumo: same outcome.
                Stdout::Closed => assert_eq!(run.code, normal_code, "{what}:\n{}", run.text()),
                Stdout::Full if normal_printed => {
                    assert_eq!(run.code, Some(2), "{what}:\n{}", run.text());
                    assert!(
                        run.stderr.contains("cannot write to standard output"),
                        "{what}:\n{}",
                        run.text()
                    );
                }
                Stdout::Broken if normal_printed => {
                    assert_eq!(run.code, Some(141), "{what}:\n{}", run.text());
                    assert!(!run.stderr.contains("hint:"), "{what}: not quiet:\n{}", run.text());
                }
                Stdout::Full | Stdout::Broken => {}
            }
        }
    }
    // A deploy whose plan could not be printed changed nothing: its change set and review stack are gone.
    let stacks = live_stacks(&moto);
    for mode in ["Full", "Broken"] {
        assert!(!stacks.contains(&format!("rb-deploy-{mode}")), "{mode}: {stacks:?}");
        assert!(!stacks.contains(&format!("rb-diff-{mode}")), "{mode}: {stacks:?}");
    }
    assert!(
        !stacks.contains(&"rb-deploy-Normal".to_owned()),
        "destroy ran: {stacks:?}"
    );
}

/// A listener that counts connections: for checks that must be done before any AWS request.
struct Counting {
    url: String,
    connections: Arc<AtomicUsize>,
}

impl Counting {
    fn start() -> Counting {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                counter.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Counting { url, connections }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_REGION", "ap-northeast-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "secret".to_owned()),
        ]
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn error_line(run: &Run) -> String {
    run.stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default()
        .to_owned()
}

fn hint_line(run: &Run) -> String {
    run.stderr
        .lines()
        .find(|l| l.starts_with("hint: "))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn aws_settings_the_sdk_rejects_are_errors_naming_them() {
    let dir = workdir("sdk-env");
    let endpoint = Counting::start();
    let config = dir.join("aws-config");
    std::fs::write(
        &config,
        "[default]\nmax_attempts = lots\n[profile fast]\nretry_mode = turbo\n",
    )
    .unwrap();
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("AWS_MAX_ATTEMPTS", "abc")],
            "error: AWS_MAX_ATTEMPTS = \"abc\": expected a whole number of attempts from 1 to 20",
        ),
        (
            &[("AWS_MAX_ATTEMPTS", "0")],
            "error: AWS_MAX_ATTEMPTS = \"0\": expected a whole number",
        ),
        (
            &[("AWS_MAX_ATTEMPTS", "99999999999")],
            "error: AWS_MAX_ATTEMPTS = \"99999999999\"",
        ),
        (
            &[("AWS_RETRY_MODE", "turbo")],
            "error: AWS_RETRY_MODE = \"turbo\": expected \"standard\" or \"adaptive\"",
        ),
        (
            &[("AWS_CONFIG_FILE", "CONFIG")],
            "error: max_attempts of profile default = \"lots\"",
        ),
        (
            &[("AWS_CONFIG_FILE", "CONFIG"), ("AWS_PROFILE", "fast")],
            "error: retry_mode of profile fast = \"turbo\"",
        ),
    ];
    for (vars, expected) in cases {
        let mut env = endpoint.env();
        for (k, v) in *vars {
            let v = if *v == "CONFIG" {
                config.display().to_string()
            } else {
                (*v).to_owned()
            };
            env.push((k, v));
        }
        for command in ["status", "outputs", "destroy", "diff"] {
            let args: Vec<&str> = if command == "diff" {
                vec!["diff", "--template", "role.yaml", "--stack-name", "app"]
            } else {
                vec![command, "--stack-name", "app"]
            };
            let run = kumo(&dir, &args, &env, Stdout::Normal);
            assert_no_panic(&run, command);
            assert_eq!(run.code, Some(2), "{vars:?} {command}: {}", run.text());
            assert!(error_line(&run).starts_with(expected), "{vars:?}: {}", run.text());
            assert!(!hint_line(&run).is_empty(), "{}", run.text());
        }
    }
    assert_eq!(endpoint.connections(), 0, "a request was sent despite broken settings");
}

#[test]
fn numbers_from_flags_are_checked_with_their_range() {
    let dir = workdir("flags");
    let endpoint = Counting::start();
    let env = endpoint.env();
    let huge = "18446744073709551615";
    let cases: &[(&[&str], &str)] = &[
        (
            &["status", "--stack-name", "a", "--api-timeout", huge],
            "--api-timeout <SECONDS>': 18446744073709551615 is not in 1..=3600",
        ),
        (
            &["status", "--stack-name", "a", "--api-timeout", "0"],
            "0 is not in 1..=3600",
        ),
        (
            &[
                "deploy",
                "--template",
                "role.yaml",
                "--stack-name",
                "a",
                "--timeout",
                huge,
            ],
            "--timeout <MINUTES>': 18446744073709551615 is not in 1..=4320",
        ),
        (
            &[
                "deploy",
                "--template",
                "role.yaml",
                "--stack-name",
                "a",
                "--timeout",
                "0",
            ],
            "0 is not in 1..=4320",
        ),
        (
            &["status", "--stack-name", "a", "--events", "100000"],
            "--events <N>': 100000 is not in 0..=1000",
        ),
        (
            &["status", "--stack-name", "a", "--events", "-1"],
            "unexpected argument '-1'",
        ),
    ];
    for (args, expected) in cases {
        let run = kumo(&dir, args, &env, Stdout::Normal);
        assert_no_panic(&run, &format!("{args:?}"));
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.text());
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.text());
    }
    assert_eq!(endpoint.connections(), 0);
}

// -------------------------------------------------------------------------------------------------
// Class 3: the account you meant

#[test]
fn an_explicit_profile_wins_over_keys_in_the_environment() {
    let moto = MotoServer::exclusive();
    let dir = workdir("profile");
    // A real IAM user in moto, whose keys only the profile holds.
    moto.service_call("iam", "create_user", json!({"UserName": "profile-user"}));
    let key = moto.service_call("iam", "create_access_key", json!({"UserName": "profile-user"}));
    let (id, secret) = (
        key["AccessKey"]["AccessKeyId"].as_str().unwrap().to_owned(),
        key["AccessKey"]["SecretAccessKey"].as_str().unwrap().to_owned(),
    );
    let credentials = dir.join("credentials");
    std::fs::write(
        &credentials,
        format!("[work]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    let mut env: Vec<(&str, String)> = moto.child_env().into_iter().collect();
    env.push(("AWS_SHARED_CREDENTIALS_FILE", credentials.display().to_string()));
    let deploy = |extra: &[&str]| {
        let mut args = vec![
            "deploy",
            "--template",
            "role.yaml",
            "--stack-name",
            "rb-profile",
            "--yes",
        ];
        args.extend_from_slice(extra);
        kumo(&dir, &args, &env, Stdout::Normal)
    };
    let run = deploy(&["--profile", "work"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(
        run.stderr.contains(
            "kumo deploy rb-profile: account 123456789012, identity arn:aws:iam::123456789012:user/profile-user, \
             region ap-northeast-1 (profile work, endpoint"
        ),
        "{}",
        run.text()
    );
    // Without --profile, the environment's keys are used (the AWS chain's order), and the line says so.
    let run = deploy(&[]);
    assert!(
        run.stderr.contains("identity arn:aws:sts::123456789012:user/moto"),
        "{}",
        run.text()
    );
}

#[test]
fn unknown_profiles_and_malformed_config_files_are_named() {
    let dir = workdir("aws-config");
    let endpoint = Counting::start();
    let config = dir.join("aws-config");
    std::fs::write(&config, "[profile dev]\nregion = eu-west-1\n").unwrap();
    let mut env = endpoint.env();
    env.push(("AWS_CONFIG_FILE", config.display().to_string()));

    let run = kumo(
        &dir,
        &["status", "--stack-name", "a", "--profile", "prod"],
        &env,
        Stdout::Normal,
    );
    assert_eq!(
        error_line(&run),
        "error: --profile prod: no such profile in ~/.aws/config or ~/.aws/credentials (defined: dev)"
    );
    let mut with_env = env.clone();
    with_env.push(("AWS_PROFILE", "staging".to_owned()));
    let run = kumo(&dir, &["status", "--stack-name", "a"], &with_env, Stdout::Normal);
    assert!(
        error_line(&run).starts_with("error: AWS_PROFILE staging: no such profile"),
        "{}",
        run.text()
    );

    std::fs::write(&config, "[profile dev\nregion = eu-west-1\n").unwrap();
    let run = kumo(&dir, &["status", "--stack-name", "a"], &env, Stdout::Normal);
    assert_eq!(run.code, Some(2), "{}", run.text());
    let error = error_line(&run);
    assert!(
        error.contains("cannot be used") && error.contains("on line 1"),
        "{}",
        run.text()
    );
    assert!(
        error.contains(&config.display().to_string()),
        "the file is not named: {error}"
    );
    assert_eq!(endpoint.connections(), 0);
}

// -------------------------------------------------------------------------------------------------
// Class 5: refuse locally what AWS will refuse later

#[test]
fn regions_and_output_directories_are_checked_before_any_request() {
    let dir = workdir("local");
    let endpoint = Counting::start();
    let env = endpoint.env();
    for region in ["useast1", "US-EAST-1", "us-east-1a", "moon"] {
        let run = kumo(
            &dir,
            &["status", "--stack-name", "a", "--region", region],
            &env,
            Stdout::Normal,
        );
        assert_eq!(run.code, Some(2), "{}", run.text());
        assert!(
            error_line(&run).contains(&format!("--region \"{region}\" is not a region code")),
            "{}",
            run.text()
        );
    }
    let mut bad_env = env.clone();
    bad_env.retain(|(k, _)| *k != "AWS_REGION");
    bad_env.push(("AWS_REGION", "nowhere".to_owned()));
    let run = kumo(&dir, &["status", "--stack-name", "a"], &bad_env, Stdout::Normal);
    assert!(
        error_line(&run).contains("\"nowhere\" is not a region code"),
        "{}",
        run.text()
    );

    // /proc takes no new files: refused before the deploy starts, not after the stack changed.
    let run = kumo(
        &dir,
        &[
            "deploy",
            "--template",
            "role.yaml",
            "--stack-name",
            "a",
            "--yes",
            "--out",
            "/proc",
        ],
        &env,
        Stdout::Normal,
    );
    assert_eq!(run.code, Some(2), "{}", run.text());
    assert!(
        error_line(&run).contains("--out /proc: cannot write files there"),
        "{}",
        run.text()
    );
    assert_eq!(endpoint.connections(), 0);
}

fn many_tags_template(own: usize) -> String {
    let tags: Vec<String> = (0..own)
        .map(|i| format!("{{\"Key\": \"own{i}\", \"Value\": \"v\"}}"))
        .collect();
    format!(
        "{{\"Resources\": {{\"Vpc\": {{\"Type\": \"AWS::EC2::VPC\", \"Properties\": {{\"CidrBlock\": \"10.0.0.0/16\", \
         \"Tags\": [{}]}}}}}}}}",
        tags.join(", ")
    )
}

#[test]
fn templates_over_cloudformations_limits_are_refused_before_any_request() {
    let dir = workdir("limits");
    let endpoint = Counting::start();
    let env = endpoint.env();
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text).unwrap();
        name.to_owned()
    };
    let resources: Vec<String> = (0..501)
        .map(|i| format!("\"Log{i}\": {{\"Type\": \"AWS::Logs::LogGroup\"}}"))
        .collect();
    let outputs: Vec<String> = (0..201).map(|i| format!("\"O{i}\": {{\"Value\": \"x\"}}")).collect();
    let cases = [
        (
            write(
                "resources.json",
                format!("{{\"Resources\": {{{}}}}}", resources.join(", ")),
            ),
            "Resources has 501 entries; CloudFormation allows at most 500",
            vec![],
        ),
        (
            write(
                "outputs.json",
                format!(
                    "{{\"Resources\": {{\"L\": {{\"Type\": \"AWS::Logs::LogGroup\"}}}}, \"Outputs\": {{{}}}}}",
                    outputs.join(", ")
                ),
            ),
            "Outputs has 201 entries; CloudFormation allows at most 200",
            vec![],
        ),
        // 48 own tags + 2 --tag + kumo's own = 51 on the VPC once CloudFormation propagates them.
        (
            write("tags.json", many_tags_template(48)),
            "resource Vpc in tags.json would carry 51 tags once the stack's tags are added",
            vec!["--tag", "team=a", "--tag", "cost=b"],
        ),
    ];
    for (file, expected, extra) in &cases {
        assert_eq!(
            endpoint.connections(),
            0,
            "a request was sent for a template AWS would refuse"
        );
        let mut args = vec!["deploy", "--template", file, "--stack-name", "a", "--yes"];
        args.extend(extra.iter().copied());
        let run = kumo(&dir, &args, &env, Stdout::Normal);
        assert_eq!(run.code, Some(2), "{}", run.text());
        assert!(error_line(&run).contains(expected), "{}", run.text());
        assert!(!hint_line(&run).is_empty(), "{}", run.text());
    }
    // The same tags without the extra stack tags fit (48 + kumo's own = 49).
    let run = kumo(
        &dir,
        &["deploy", "--template", "tags.json", "--stack-name", "a", "--yes"],
        &env,
        Stdout::Normal,
    );
    assert!(!error_line(&run).contains("tags"), "{}", run.text());
    assert!(
        endpoint.connections() >= 1,
        "the valid deploy did not get as far as the endpoint"
    );
}

#[test]
fn reserved_tag_prefixes_are_refused_in_any_letter_case_on_every_path() {
    let dir = workdir("reserved");
    let endpoint = Counting::start();
    let env = endpoint.env();
    for key in ["aws:x", "AWS:x", "Aws:cost"] {
        // --tag
        let run = kumo(
            &dir,
            &[
                "deploy",
                "--template",
                "role.yaml",
                "--stack-name",
                "a",
                "--tag",
                &format!("{key}=1"),
            ],
            &env,
            Stdout::Normal,
        );
        assert!(
            error_line(&run).contains("prefix is reserved by AWS (in any letter case)"),
            "{}",
            run.text()
        );
        // kumo.toml [stack] tags
        std::fs::write(dir.join("k.toml"), format!("[stack.tags]\n\"{key}\" = \"1\"\n")).unwrap();
        let run = kumo(&dir, &["synth", "--config", "k.toml"], &env, Stdout::Normal);
        assert_eq!(run.code, Some(2), "{}", run.text());
        assert!(run.stderr.contains("reserved prefix \"aws:\""), "{}", run.text());
        // [eks.node_group] tags
        std::fs::write(
            dir.join("k.toml"),
            format!("[eks.node_group.tags]\n\"{key}\" = \"1\"\n"),
        )
        .unwrap();
        let run = kumo(&dir, &["synth", "--config", "k.toml"], &env, Stdout::Normal);
        assert_eq!(run.code, Some(2), "{}", run.text());
        assert!(run.stderr.contains("reserved prefix \"aws:\""), "{}", run.text());
    }
    assert_eq!(endpoint.connections(), 0);
}

// -------------------------------------------------------------------------------------------------
// Class 6: files as they come

#[test]
fn template_files_as_they_come() {
    let dir = workdir("files");
    let endpoint = Counting::start();
    let env = endpoint.env();
    let body = "{\"Resources\": {\"L\": {\"Type\": \"AWS::Logs::LogGroup\"}}}";
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(body.as_bytes());
    std::fs::write(dir.join("bom.json"), &bom).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(body.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.join("utf16.json"), utf16).unwrap();
    std::fs::write(
        dir.join("latin1.yaml"),
        b"Description: caf\xe9\nResources:\n  L:\n    Type: AWS::Logs::LogGroup\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("dup.json"),
        "{\"Resources\": {\"L\": {\"Type\": \"AWS::Logs::LogGroup\"},\n  \"L\": {\"Type\": \"AWS::SNS::Topic\"}}}",
    )
    .unwrap();
    std::fs::write(
        dir.join("dup.yaml"),
        "Resources:\n  L:\n    Type: AWS::Logs::LogGroup\n  L:\n    Type: AWS::SNS::Topic\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("deep.json"),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    std::fs::write(
        dir.join("deep.yaml"),
        format!("Resources: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("adir.json")).unwrap();
    // A huge array: parsed in linear time, then refused for its size.
    let huge: Vec<String> = (0..1_000_000).map(|i| (i % 10).to_string()).collect();
    std::fs::write(
        dir.join("huge.json"),
        format!(
            "{{\"Metadata\": {{\"A\": [{}]}}, \"Resources\": {{\"L\": {{\"Type\": \"AWS::Logs::LogGroup\"}}}}}}",
            huge.join(",")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("huge.yaml"),
        format!(
            "Metadata:\n  A: [{}]\nResources:\n  L:\n    Type: AWS::Logs::LogGroup\n",
            huge.join(", ")
        ),
    )
    .unwrap();

    let cases: &[(&str, &str)] = &[
        (
            "utf16.json",
            "is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8",
        ),
        ("latin1.yaml", "is not UTF-8: byte 0xE9 at line 1, column 17"),
        ("dup.json", "dup.json:2:5: invalid JSON: duplicate key \"L\""),
        ("dup.yaml", "duplicate entry with key \"L\""),
        ("deep.json", "invalid JSON: recursion limit exceeded"),
        (
            "deep.yaml",
            "deep.yaml:1:140: invalid YAML: nested more than 128 levels deep",
        ),
        ("adir.json", "is a directory, not a template file"),
        ("huge.json", "bytes as sent; CloudFormation accepts at most 1048576"),
        ("huge.yaml", "bytes as sent; CloudFormation accepts at most 1048576"),
    ];
    for (file, expected) in cases {
        let started = Instant::now();
        let run = kumo(
            &dir,
            &["diff", "--template", file, "--stack-name", "a"],
            &env,
            Stdout::Normal,
        );
        assert_no_panic(&run, file);
        assert_eq!(run.code, Some(2), "{file}: {}", run.text());
        assert!(error_line(&run).contains(expected), "{file}: {}", run.text());
        assert!(!hint_line(&run).is_empty(), "{file}: {}", run.text());
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{file}: {:?}",
            started.elapsed()
        );
    }
    // A byte-order mark is accepted: the template gets as far as the (counting) endpoint.
    let run = kumo(
        &dir,
        &["diff", "--template", "bom.json", "--stack-name", "a"],
        &env,
        Stdout::Normal,
    );
    assert!(!error_line(&run).contains("bom.json"), "{}", run.text());
    assert!(endpoint.connections() >= 1);
}

#[test]
fn a_config_path_that_is_a_directory_or_a_dangling_link_is_an_error() {
    let dir = workdir("config-path");
    std::fs::create_dir_all(dir.join("kumo.toml")).unwrap();
    let run = kumo(&dir, &["synth"], &[], Stdout::Normal);
    assert_eq!(run.code, Some(2), "{}", run.text());
    assert_eq!(error_line(&run), "error: config kumo.toml is a directory, not a file");
    std::fs::remove_dir(dir.join("kumo.toml")).unwrap();
    std::os::unix::fs::symlink("gone.toml", dir.join("kumo.toml")).unwrap();
    let run = kumo(&dir, &["synth"], &[], Stdout::Normal);
    assert_eq!(run.code, Some(2), "{}", run.text());
    assert_eq!(
        error_line(&run),
        "error: config kumo.toml is a link to gone.toml, which does not exist"
    );
    let run = kumo(&dir, &["synth", "--config", "."], &[], Stdout::Normal);
    assert_eq!(error_line(&run), "error: config . is a directory, not a file");
    // A byte-order mark is fine.
    std::fs::remove_file(dir.join("kumo.toml")).unwrap();
    std::fs::write(dir.join("kumo.toml"), b"\xEF\xBB\xBF[network]\nmax_azs = 3\n").unwrap();
    let run = kumo(&dir, &["synth"], &[], Stdout::Normal);
    assert_eq!(run.code, Some(0), "{}", run.text());
}

// -------------------------------------------------------------------------------------------------
// Property test: generated configurations and templates, through synth and diff

/// Keys of kumo.toml with a value of their usual type, and values of every other shape.
fn config_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (0u32..70_000).prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        "[a-zA-Z0-9 ._:/=+@-]{0,20}".prop_map(|s| format!("{s:?}")),
        "\\PC{0,12}".prop_map(|s| format!("{s:?}")),
        Just("1.5".to_owned()),
        Just("[]".to_owned()),
        Just("[\"m5.large\", \"t3.metal\", 7]".to_owned()),
        Just("{ a = 1 }".to_owned()),
        Just("\"10.0.0.0/33\"".to_owned()),
        Just("\"127.0.0.0/16\"".to_owned()),
    ]
}

const CONFIG_KEYS: &[&str] = &[
    "profile",
    "stack.name",
    "stack.region",
    "stack.termination_protection",
    "network.cidr",
    "network.max_azs",
    "network.subnet_prefix_length",
    "network.nat_gateways",
    "eks.kubernetes_version",
    "eks.log_retention_days",
    "eks.admin_roles",
    "eks.node_group.instance_types",
    "eks.node_group.desired_size",
    "eks.node_group.min_size",
    "eks.node_group.max_size",
    "eks.node_group.ami_type",
    "eks.node_group.disk_size_gib",
    "pod_identity.mode",
    "database.engine_version",
    "database.instances",
    "database.port",
    "database.backup_retention_days",
    "image_builder.repositories",
    "db_migrator.repository",
    "dns.domain",
    "nonsense.key",
];

fn config_text() -> impl Strategy<Value = String> {
    proptest::collection::vec((proptest::sample::select(CONFIG_KEYS), config_value()), 0..6).prop_map(|entries| {
        let mut text = String::new();
        let mut seen = std::collections::BTreeSet::new();
        for (key, value) in entries {
            if seen.insert(key) {
                // Dotted keys at the top level: TOML allows them, and any key can be written anywhere.
                text.push_str(&format!("{key} = {value}\n"));
            }
        }
        text
    })
}

/// Template values: literals, intrinsics (well- and ill-formed) and nesting.
fn template_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,10}".prop_map(serde_json::Value::from),
        Just(json!({"Ref": "Missing"})),
        Just(json!({"Fn::GetAtt": ["L", "Arn"]})),
        Just(json!({"Fn::Sub": 5})),
        Just(json!({"Fn::If": []})),
        Just(serde_json::Value::Null),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("[A-Za-z:]{1,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn template_text() -> impl Strategy<Value = (String, bool)> {
    let resource = (
        proptest::sample::select(vec![
            "AWS::Logs::LogGroup",
            "AWS::EC2::VPC",
            "AWS::SNS::Topic",
            "Custom::X",
            "nope",
        ]),
        template_value(),
    )
        .prop_map(|(kind, properties)| json!({"Type": kind, "Properties": properties}));
    (
        proptest::collection::btree_map("[A-Za-z0-9]{1,6}", resource, 0..4),
        proptest::option::of(template_value()),
        any::<bool>(),
    )
        .prop_map(|(resources, extra, yaml)| {
            let mut template = json!({ "Resources": resources });
            if let Some(extra) = extra {
                template["Outputs"] = extra;
            }
            let text = if yaml {
                serde_yaml_ng::to_string(&template).unwrap()
            } else {
                serde_json::to_string_pretty(&template).unwrap()
            };
            (text, yaml)
        })
}

/// Every outcome is a success or one error with a hint; never a panic or a silent failure.
fn assert_clear_outcome(run: &Run, input: &str) {
    assert_no_panic(run, input);
    match run.code {
        Some(0 | 1) => {}
        Some(2) => {
            assert!(
                !error_line(run).is_empty(),
                "no error line for:\n{input}\n{}",
                run.text()
            );
            assert!(
                !hint_line(run).is_empty(),
                "an error without a hint for:\n{input}\n{}",
                run.text()
            );
        }
        other => panic!("exit {other:?} for:\n{input}\n{}", run.text()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_configs_through_synth_and_diff(text in config_text()) {
        let dir = workdir("prop-config");
        std::fs::write(dir.join("kumo.toml"), &text).unwrap();
        let run = kumo(&dir, &["synth"], &[], Stdout::Normal);
        assert_clear_outcome(&run, &text);
        // diff reads the same configuration; a valid one reaches the (refusing) endpoint, which is an
        // error with a hint as well.
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let env = vec![
            ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")),
            ("AWS_REGION", "ap-northeast-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "secret".to_owned()),
            ("AWS_MAX_ATTEMPTS", "1".to_owned()),
        ];
        let run = kumo(&dir, &["diff"], &env, Stdout::Normal);
        assert_clear_outcome(&run, &text);
    }

    #[test]
    fn generated_templates_through_diff((text, yaml) in template_text()) {
        let dir = workdir("prop-template");
        let file = if yaml { "t.yaml" } else { "t.json" };
        std::fs::write(dir.join(file), &text).unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let env = vec![
            ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")),
            ("AWS_REGION", "ap-northeast-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "secret".to_owned()),
            ("AWS_MAX_ATTEMPTS", "1".to_owned()),
        ];
        let run = kumo(&dir, &["diff", "--template", file, "--stack-name", "prop"], &env, Stdout::Normal);
        assert_clear_outcome(&run, &text);
    }
}
