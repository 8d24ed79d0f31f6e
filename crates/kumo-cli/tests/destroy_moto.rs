//! `kumo destroy` leaves nothing behind, against the pinned moto server: a stack deployed with
//! `kumo deploy --template`, then what controllers would leave (an ALB with listener and target group,
//! its security group named by a rule on the stack's group, an available interface, a volume, an A
//! record with its external-dns TXT owner) made with boto3 for this stack and for another one. Every
//! check goes through the ELBv2, EC2, Route 53 and tagging APIs, never through kumo's own word.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kumo_testkit::leftovers::{Placement, Planted, STACK_TEMPLATE, plant, still_there};
use kumo_testkit::moto::MotoServer;
use serde_json::json;

const STACK: &str = "teardown-moto";

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
}

fn kumo(moto: &MotoServer, dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_kumo"))
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
    let dir = std::env::temp_dir().join(format!("kumo-destroy-moto-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("stack.json"), STACK_TEMPLATE).unwrap();
    dir
}

/// Deploys the stack and plants leftovers for it and for `other-stack`.
fn world(moto: &MotoServer, dir: &Path) -> (Placement, Planted, Planted) {
    let run = kumo(
        moto,
        dir,
        &["deploy", "--template", "stack.json", "--stack-name", STACK, "--yes"],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    let at = Placement::of_stack(moto, STACK);
    let ours = plant(moto, STACK, &at);
    let theirs = plant(moto, "other-stack", &at);
    (at, ours, theirs)
}

fn stack_exists(moto: &MotoServer) -> bool {
    let stacks = moto.service_call("cloudformation", "list_stacks", json!({}));
    stacks["StackSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["StackName"] == STACK && s["StackStatus"] != "DELETE_COMPLETE")
}

fn all_planted(planted: &Planted) -> Vec<&'static str> {
    let _ = planted;
    // Per service: load balancer, target group, group, interface, volume, A + TXT; the tagging API:
    // load balancer, target group, group, interface, volume.
    let mut kinds = vec![
        "load balancer",
        "network interface",
        "record",
        "record",
        "security group",
        "tagged",
        "tagged",
        "tagged",
        "tagged",
        "tagged",
        "target group",
        "volume",
    ];
    kinds.sort();
    kinds
}

fn kinds(found: &[(&'static str, String)]) -> Vec<&'static str> {
    found.iter().map(|(what, _)| *what).collect()
}

#[test]
fn destroy_plans_removes_this_stacks_leftovers_keeps_the_volume_and_leaves_others_alone() {
    let moto = MotoServer::exclusive();
    let dir = workdir("keep-volume");
    let (at, ours, theirs) = world(&moto, &dir);

    // --plan: lists the stack and every leftover of ours, none of theirs; changes nothing.
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--plan"]);
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
        run.stdout.contains(&format!("{STACK}: 5 resource(s) in the stack")),
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
    assert!(stack_exists(&moto));
    assert_eq!(kinds(&still_there(&moto, &ours, &at.zone_id)), all_planted(&ours));

    // `kumo status` shows the same list as "outside the stack".
    let run = kumo(&moto, &dir, &["status", "--stack-name", STACK]);
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
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(!stack_exists(&moto), "{}", run.text());
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
        all_planted(&theirs),
        "{}",
        run.text()
    );

    // The stack is gone; what is left tagged for it (the kept volume) is found by its tag, and
    // --delete-volumes removes it: nothing left.
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--plan"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("the stack does not exist") && run.stdout.contains(&ours.volume_id),
        "{}",
        run.text()
    );
    let run = kumo(
        &moto,
        &dir,
        &["destroy", "--stack-name", STACK, "--yes", "--delete-volumes"],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains(&format!("nothing left: {STACK}")), "{}", run.text());
    assert!(still_there(&moto, &ours, &at.zone_id).is_empty());
    assert_eq!(kinds(&still_there(&moto, &theirs, &at.zone_id)), all_planted(&theirs));
    let run = kumo(&moto, &dir, &["destroy", "--stack-name", STACK, "--yes"]);
    assert!(
        run.stdout.contains("does not exist; nothing to destroy"),
        "{}",
        run.text()
    );
}

#[test]
fn destroy_with_delete_volumes_leaves_nothing_at_all() {
    let moto = MotoServer::exclusive();
    let dir = workdir("delete-volumes");
    let (at, ours, theirs) = world(&moto, &dir);
    let run = kumo(
        &moto,
        &dir,
        &["destroy", "--stack-name", STACK, "--yes", "--delete-volumes"],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains(&format!(
            "nothing left: {STACK} and everything it made outside the stack are gone"
        )),
        "{}",
        run.text()
    );
    assert!(!stack_exists(&moto));
    assert!(
        still_there(&moto, &ours, &at.zone_id).is_empty(),
        "{:?}",
        still_there(&moto, &ours, &at.zone_id)
    );
    assert_eq!(kinds(&still_there(&moto, &theirs, &at.zone_id)), all_planted(&theirs));
}
