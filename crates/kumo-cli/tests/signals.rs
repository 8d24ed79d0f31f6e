//! Signals keep their promise: SIGINT (Ctrl-C) and SIGTERM at each phase of a deploy, against the
//! real local CloudFormation (moto) behind a proxy that holds chosen requests (`slow_endpoint`), so the
//! signal lands while that request is in flight. Each test asserts the exit status, which requests kumo
//! sent after the signal (none but the cleanup), and what is left in CloudFormation.

mod slow_endpoint;
mod stack_fixture;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kumo_testkit::moto::{MotoGuard, MotoServer};
use slow_endpoint::{SlowEndpoint, Then};
use stack_fixture::live_stacks;

fn workdir(name: &str) -> PathBuf {
    stack_fixture::workdir("signals", name)
}

/// How long a held request stays in the proxy: long enough to signal during it, short for the suite.
const HOLD: Duration = Duration::from_secs(1);
/// A test fails rather than hangs.
const LIMIT: Duration = Duration::from_secs(60);

fn upstream(moto: &MotoServer) -> String {
    format!("127.0.0.1:{}", moto.port())
}

/// Starts kumo against the proxy, without a terminal.
fn spawn(moto: &MotoServer, proxy: &SlowEndpoint, dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kumo"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .envs(moto.child_env())
        .env("AWS_ENDPOINT_URL", proxy.url())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kumo runs")
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} failed");
}

struct Ended {
    code: Option<i32>,
    stderr: String,
    /// From the call to `finish` until the process ended.
    waited: Duration,
}

fn finish(mut child: Child) -> Ended {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            return Ended {
                code: status.code(),
                stderr,
                waited: started.elapsed(),
            };
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("kumo still running {LIMIT:?} after the signal: it does not honour it");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn exit_code(name: &str) -> i32 {
    match name {
        "INT" => 130,
        "TERM" => 143,
        other => panic!("no exit code for {other}"),
    }
}

/// Requests kumo may send after the interrupt: only deleting what it made and did not apply.
fn only_cleanup(actions: &[String]) -> bool {
    actions.iter().all(|a| a == "DeleteChangeSet" || a == "DeleteStack")
}

/// Signal while `held` is in flight during the deploy of a new stack; the change set and the review
/// stack are deleted, nothing else is sent, and the status is 130 / 143.
fn interrupt_before_execute(moto: &MotoGuard, held: &str, signal_name: &str) {
    let dir = workdir(&format!("{held}-{signal_name}"));
    let proxy = SlowEndpoint::start(upstream(moto), &[(held, HOLD)]);
    let stack = format!("sig-{}", held.to_lowercase());
    let child = spawn(
        moto,
        &proxy,
        &dir,
        &["deploy", "--template", "role.yaml", "--stack-name", &stack, "--yes"],
    );
    proxy.wait_for(held, LIMIT);
    std::thread::sleep(Duration::from_millis(200));
    let signalled = Instant::now();
    signal(&child, signal_name);
    let ended = finish(child);
    let after = proxy.actions_after(signalled);
    assert_eq!(
        ended.code,
        Some(exit_code(signal_name)),
        "{held}/{signal_name}: {}",
        ended.stderr
    );
    assert!(
        only_cleanup(&after),
        "{held}/{signal_name}: requests after the signal: {after:?}"
    );
    assert!(
        !proxy.actions().iter().any(|a| a == "ExecuteChangeSet"),
        "{:?}",
        proxy.actions()
    );
    assert_eq!(
        live_stacks(moto),
        [],
        "{held}/{signal_name}: left behind\n{}",
        ended.stderr
    );
    assert!(
        ended.stderr.contains("stopping at the next safe point"),
        "{}",
        ended.stderr
    );
    assert!(ended.stderr.contains("nothing was changed"), "{}", ended.stderr);
}

#[test]
fn a_signal_during_create_change_set_deletes_what_it_made() {
    let moto = MotoServer::exclusive();
    interrupt_before_execute(&moto, "CreateChangeSet", "INT");
    interrupt_before_execute(&moto, "CreateChangeSet", "TERM");
}

#[test]
fn a_signal_while_the_change_set_is_computed_deletes_it() {
    let moto = MotoServer::exclusive();
    interrupt_before_execute(&moto, "DescribeChangeSet", "INT");
    interrupt_before_execute(&moto, "DescribeChangeSet", "TERM");
}

#[test]
fn a_signal_before_the_execute_deletes_the_change_set() {
    // The last read before ExecuteChangeSet (the event cursor): nothing is executed after it.
    let moto = MotoServer::exclusive();
    interrupt_before_execute(&moto, "DescribeStackEvents", "TERM");
}

#[test]
fn a_failed_attempt_is_not_retried_after_the_signal() {
    // The held DescribeChangeSet fails after the signal (the connection closes unanswered): a failure
    // the SDK retries (3 attempts allowed), but after the interrupt the retry must not be sent.
    let moto = MotoServer::exclusive();
    let dir = workdir("retry");
    let proxy = SlowEndpoint::start_with(upstream(&moto), &[("DescribeChangeSet", HOLD, Then::Drop)]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_kumo"));
    command
        .args([
            "deploy",
            "--template",
            "role.yaml",
            "--stack-name",
            "sig-retry",
            "--yes",
        ])
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &dir)
        .envs(moto.child_env())
        .env("AWS_ENDPOINT_URL", proxy.url())
        .env("AWS_MAX_ATTEMPTS", "3")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().unwrap();
    proxy.wait_for("DescribeChangeSet", LIMIT);
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "INT");
    let ended = finish(child);
    assert_eq!(ended.code, Some(130), "{}", ended.stderr);
    let describes = proxy.actions().iter().filter(|a| *a == "DescribeChangeSet").count();
    assert_eq!(describes, 1, "retried after the signal: {:?}", proxy.actions());
    assert!(!ended.stderr.contains("retrying DescribeChangeSet"), "{}", ended.stderr);
    // The change set is still cleaned up.
    assert_eq!(live_stacks(&moto), []);
}

#[test]
fn a_signal_during_execute_stops_watching_and_the_operation_continues() {
    let moto = MotoServer::exclusive();
    for signal_name in ["INT", "TERM"] {
        let dir = workdir(&format!("execute-{signal_name}"));
        let proxy = SlowEndpoint::start(upstream(&moto), &[("ExecuteChangeSet", HOLD)]);
        let stack = format!("sig-execute-{}", signal_name.to_lowercase());
        let child = spawn(
            &moto,
            &proxy,
            &dir,
            &["deploy", "--template", "role.yaml", "--stack-name", &stack, "--yes"],
        );
        proxy.wait_for("ExecuteChangeSet", LIMIT);
        std::thread::sleep(Duration::from_millis(200));
        let signalled = Instant::now();
        signal(&child, signal_name);
        let ended = finish(child);
        assert_eq!(ended.code, Some(exit_code(signal_name)), "{}", ended.stderr);
        // The execute in flight completes (it is bounded by --api-timeout); nothing is sent after it.
        assert_eq!(
            proxy.actions_after(signalled),
            Vec::<String>::new(),
            "{:?}",
            proxy.actions()
        );
        assert!(
            ended.stderr.contains("the operation continues in CloudFormation"),
            "{}",
            ended.stderr
        );
        let stacks = live_stacks(&moto);
        assert!(stacks.iter().any(|(name, _)| name == &stack), "{stacks:?}");
    }
}

#[test]
fn a_second_signal_exits_at_once_and_says_what_may_still_run() {
    let moto = MotoServer::exclusive();
    let dir = workdir("second");
    // Dropped, not forwarded, when the hold ends: the next test must not see this change set appear.
    let proxy = SlowEndpoint::start_with(
        upstream(&moto),
        &[("CreateChangeSet", Duration::from_secs(10), Then::Drop)],
    );
    let child = spawn(
        &moto,
        &proxy,
        &dir,
        &[
            "deploy",
            "--template",
            "role.yaml",
            "--stack-name",
            "sig-second",
            "--yes",
        ],
    );
    proxy.wait_for("CreateChangeSet", LIMIT);
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "INT");
    let ended = finish(child);
    assert_eq!(ended.code, Some(130), "{}", ended.stderr);
    // At once: well before the held request (10 s) could have answered.
    assert!(ended.waited < Duration::from_secs(5), "took {:?}", ended.waited);
    assert!(ended.stderr.contains("Ctrl-C again: exiting now"), "{}", ended.stderr);
    assert!(
        ended
            .stderr
            .contains("CloudFormation CreateChangeSet request was in flight"),
        "{}",
        ended.stderr
    );
}

#[test]
fn a_signal_outside_any_change_exits_at_once() {
    // `kumo status` changes nothing: a signal ends it immediately, with 128 + the signal.
    let moto = MotoServer::exclusive();
    for signal_name in ["INT", "TERM"] {
        let dir = workdir(&format!("status-{signal_name}"));
        let proxy = SlowEndpoint::start_with(
            upstream(&moto),
            &[("DescribeStacks", Duration::from_secs(10), Then::Drop)],
        );
        let child = spawn(&moto, &proxy, &dir, &["status", "--stack-name", "sig-status"]);
        proxy.wait_for("DescribeStacks", LIMIT);
        signal(&child, signal_name);
        let ended = finish(child);
        assert_eq!(ended.code, Some(exit_code(signal_name)), "{}", ended.stderr);
        assert!(ended.waited < Duration::from_secs(5), "took {:?}", ended.waited);
    }
}

#[test]
fn ctrl_c_at_the_approval_prompt_exits_130_and_deletes_the_change_set() {
    // A real terminal: `script` runs kumo on a pseudo-terminal, and Ctrl-C is typed into it (the
    // terminal turns it into SIGINT for kumo), exactly as a person would.
    let moto = MotoServer::exclusive();
    let dir = workdir("prompt");
    let proxy = SlowEndpoint::start(upstream(&moto), &[]);
    let kumo = env!("CARGO_BIN_EXE_kumo");
    let inner = format!("{kumo} deploy --template role.yaml --stack-name sig-prompt");
    let mut child = Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &dir)
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .envs(moto.child_env())
        .env("AWS_ENDPOINT_URL", proxy.url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    // The prompt is up once the change set was read and the cursor taken... wait for the last read
    // before the question, then for the question itself to be drawn.
    proxy.wait_for("DescribeChangeSet", LIMIT);
    std::thread::sleep(Duration::from_millis(1500));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\x03").unwrap();
    stdin.flush().unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < LIMIT, "kumo did not stop at the prompt");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut screen = String::new();
    child.stdout.take().unwrap().read_to_string(&mut screen).unwrap();
    assert!(screen.contains("[y/N]"), "the prompt was not shown:\n{screen}");
    assert_eq!(status.code(), Some(130), "{screen}");
    assert!(
        !proxy.actions().iter().any(|a| a == "ExecuteChangeSet"),
        "{:?}",
        proxy.actions()
    );
    assert!(
        proxy.actions().iter().any(|a| a == "DeleteChangeSet"),
        "{:?}",
        proxy.actions()
    );
    assert_eq!(live_stacks(&moto), [], "{screen}");
}

/// The account line is printed before the first change; here against moto's fixed identity.
#[test]
fn deploy_names_the_account_identity_and_region_before_changing_anything() {
    let moto = MotoServer::exclusive();
    let dir = workdir("identity");
    let proxy = SlowEndpoint::start(upstream(&moto), &[]);
    let child = spawn(
        &moto,
        &proxy,
        &dir,
        &[
            "deploy",
            "--template",
            "role.yaml",
            "--stack-name",
            "sig-identity",
            "--yes",
        ],
    );
    let ended = finish(child);
    assert_eq!(ended.code, Some(0), "{}", ended.stderr);
    let line = ended
        .stderr
        .lines()
        .find(|l| l.starts_with("kumo deploy sig-identity: "))
        .unwrap_or_else(|| panic!("no identity line:\n{}", ended.stderr));
    assert_eq!(
        line,
        format!(
            "kumo deploy sig-identity: account 123456789012, identity arn:aws:sts::123456789012:user/moto, region \
             ap-northeast-1 (endpoint {})",
            proxy.url()
        )
    );
    // Before the first request that changes anything.
    let actions = proxy.actions();
    let identity = actions.iter().position(|a| a == "GetCallerIdentity").unwrap();
    let first_change = actions.iter().position(|a| a == "CreateChangeSet").unwrap();
    assert!(identity < first_change, "{actions:?}");
}

/// An app of two independent stacks deployed side by side (`--concurrency 2`): Ctrl-C while their
/// change sets execute stops both at their next safe point (exit 130, nothing but cleanup sent after
/// it), and the next `kumo deploy` continues from what CloudFormation has: both stacks end deployed.
#[test]
fn a_signal_during_an_app_deploy_leaves_a_state_the_next_run_continues_from() {
    use kumo_core::app::App;
    use kumo_core::{RawResource, Stack};
    let moto = MotoServer::exclusive();
    let dir = workdir("app");
    let mut app = App::new();
    for name in ["SigApp-A", "SigApp-B"] {
        let mut stack = Stack::new(name);
        stack.add(
            "Logs",
            RawResource::new("AWS::Logs::LogGroup")
                .set("LogGroupName", format!("/kumo-test/{}", name.to_lowercase()))
                .set("RetentionInDays", 1),
        );
        app.add(stack);
    }
    app.synth_to(&dir.join("staging")).unwrap();
    std::fs::write(
        dir.join("kumo.toml"),
        "[app]\ncommand = \"cp staging/*.json \\\"$KUMO_OUT_DIR\\\"/\"\n",
    )
    .unwrap();
    let deploy = ["deploy", "--yes", "--skip-preflight", "--concurrency", "2"];

    let proxy = SlowEndpoint::start(upstream(&moto), &[("ExecuteChangeSet", HOLD)]);
    let child = spawn(&moto, &proxy, &dir, &deploy);
    proxy.wait_for("ExecuteChangeSet", LIMIT);
    std::thread::sleep(Duration::from_millis(200));
    let signalled = Instant::now();
    signal(&child, "INT");
    let ended = finish(child);
    assert_eq!(ended.code, Some(130), "{}", ended.stderr);
    let after = proxy.actions_after(signalled);
    assert!(only_cleanup(&after), "requests after the signal: {after:?}");

    let resumed = SlowEndpoint::start(upstream(&moto), &[]);
    let child = spawn(&moto, &resumed, &dir, &deploy);
    let ended = finish(child);
    assert_eq!(ended.code, Some(0), "{}", ended.stderr);
    let mut stacks: Vec<(String, String)> = live_stacks(&moto);
    stacks.sort();
    assert_eq!(
        stacks,
        [
            ("SigApp-A".to_owned(), "CREATE_COMPLETE".to_owned()),
            ("SigApp-B".to_owned(), "CREATE_COMPLETE".to_owned())
        ],
        "{}",
        ended.stderr
    );
}
