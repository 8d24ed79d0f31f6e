//! `kumo init` and configuration errors as a user meets them: the real binary in a scratch directory.

use std::path::Path;
use std::process::Output;

use kumo_blueprint::{Config, Profile, init_template};

mod offline;
use offline::{kumo, scratch, text};

#[track_caller]
fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn loads_to(path: &Path) -> Config {
    let written = std::fs::read_to_string(path).unwrap();
    let loaded = Config::from_toml(&written, "kumo.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    loaded.config
}

#[test]
fn init_writes_the_commented_default_and_synth_uses_it() {
    let dir = scratch("default");
    let out = kumo(&dir, &["init"]);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("wrote kumo.toml (standard profile"), "{stdout}");
    assert!(stdout.contains("then run `kumo synth`"), "{stdout}");
    // Every value borrowed from the seed project is named, with what to set instead.
    for line in [
        "  dns.domain                  a domain you own (now \"example.com\", a reserved example domain)",
        "  image_builder.github_owner  your GitHub repository (now the seed author's k-akari/ent-example)",
        "  image_builder.github_repo   GitHub credentials or a connection in the account",
        "optional: eks.admin_users / eks.admin_roles",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("kumo.toml")).unwrap(),
        init_template(Profile::Standard)
    );
    assert_eq!(loads_to(&dir.join("kumo.toml")), Config::default());
    assert!(!dir.join("kumo.tmp").exists(), "no temporary file left behind");

    let synth = kumo(&dir, &["synth", "--config", "kumo.toml"]);
    assert_exit(&synth, 0);
    assert!(
        text(&synth.stdout).contains("\nsynthesized MyEKSStack: "),
        "{}",
        text(&synth.stdout)
    );
    assert!(
        text(&synth.stderr).is_empty(),
        "no warnings for the default: {}",
        text(&synth.stderr)
    );
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = scratch("twice");
    assert_exit(&kumo(&dir, &["init"]), 0);
    std::fs::write(dir.join("kumo.toml"), "# my edits\n").unwrap();

    let again = kumo(&dir, &["init"]);
    assert_exit(&again, 2);
    let stderr = text(&again.stderr);
    assert!(
        stderr.contains("error: kumo.toml already exists; not overwriting it"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: pass --force to replace it"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("kumo.toml")).unwrap(),
        "# my edits\n",
        "file untouched"
    );

    let forced = kumo(&dir, &["init", "--force", "--profile", "cheap"]);
    assert_exit(&forced, 0);
    assert!(
        text(&forced.stdout).contains("replacing the previous file"),
        "{}",
        text(&forced.stdout)
    );
    assert_eq!(loads_to(&dir.join("kumo.toml")), Config::cheap());
}

#[test]
fn init_with_a_path_and_the_cheap_profile() {
    let dir = scratch("path");
    std::fs::create_dir(dir.join("envs")).unwrap();
    let out = kumo(&dir, &["init", "--path", "envs/dev.toml", "--profile", "cheap"]);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("wrote envs/dev.toml (cheap profile"), "{stdout}");
    assert!(stdout.contains("`kumo synth --config envs/dev.toml`"), "{stdout}");
    assert_eq!(loads_to(&dir.join("envs/dev.toml")), Config::cheap());

    let synth = kumo(&dir, &["synth", "--config", "envs/dev.toml"]);
    assert_exit(&synth, 0);
}

#[test]
fn init_errors_on_a_missing_directory_or_a_directory_path() {
    let dir = scratch("missing");
    let out = kumo(&dir, &["init", "--path", "nope/kumo.toml"]);
    assert_exit(&out, 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: cannot write nope/kumo.toml: directory nope does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: create the directory first"), "{stderr}");
    assert!(!dir.join("nope").exists(), "init creates no directories");

    std::fs::create_dir(dir.join("conf")).unwrap();
    let out = kumo(&dir, &["init", "--path", "conf", "--force"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("cannot write conf: it is a directory"),
        "{}",
        text(&out.stderr)
    );

    let out = kumo(&dir, &["--config", "kumo.toml", "init"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("hint: choose where to write with --path FILE"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn synth_reports_every_configuration_error_with_its_line() {
    let dir = scratch("bad");
    std::fs::write(
        dir.join("bad.toml"),
        "[eks.node_group]\nmin_size = 8\n[network]\nmax_az = 3\n[database]\nengine_version = \"13.6\"\n",
    )
    .unwrap();
    let out = kumo(&dir, &["synth", "--config", "bad.toml"]);
    assert_exit(&out, 2);
    let stderr = text(&out.stderr);
    for expected in [
        "error: bad.toml: 3 problems in the configuration:",
        "bad.toml:2:12: eks.node_group.min_size = 8: min_size (8) is greater than max_size (6)",
        "bad.toml:4:1: network.max_az: unknown key; did you mean network.max_azs?",
        "bad.toml:6:18: database.engine_version = \"13.6\": Aurora PostgreSQL 13 is past end of standard support",
        "hint: `kumo init` writes a commented kumo.toml",
    ] {
        assert!(stderr.contains(expected), "expected {expected:?} in:\n{stderr}");
    }
    assert!(
        !dir.join("kumo.out").exists(),
        "nothing is written when the configuration is invalid"
    );
}

#[test]
fn synth_prints_warnings_and_succeeds() {
    let dir = scratch("warn");
    std::fs::write(dir.join("kumo.toml"), "[eks]\nkubernetes_version = \"1.33\"\n").unwrap();
    // ./kumo.toml is picked up without --config.
    let out = kumo(&dir, &["synth"]);
    assert_exit(&out, 0);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: kumo.toml:2:22: eks.kubernetes_version = \"1.33\": in EKS extended support"),
        "{stderr}"
    );
}

/// `kumo new demo && cd demo && kumo synth`, as from a fresh checkout: the generated crate builds against
/// this checkout (sharing the workspace's target directory, so only the demo's own code compiles anew)
/// and its app writes both stacks, the second importing the first's VPC.
#[test]
fn new_creates_an_app_that_synthesizes() {
    let dir = scratch("new");
    let created = kumo(&dir, &["new", "demo"]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let demo = dir.join("demo");
    for file in ["Cargo.toml", "Cargo.lock", "kumo.toml", "src/main.rs", ".gitignore"] {
        assert!(demo.join(file).is_file(), "{file}");
    }
    let cargo_toml = std::fs::read_to_string(demo.join("Cargo.toml")).unwrap();
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .parent()
        .unwrap();
    assert!(cargo_toml.contains(&format!("path = \"{}/crates/kumo-core\"", checkout.display())));
    assert!(cargo_toml.contains("kumo is not published on crates.io yet"));

    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let cargo = Path::new(env!("CARGO"));
    let path = std::env::join_paths(
        std::iter::once(cargo.parent().unwrap().to_owned())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let synth = std::process::Command::new(env!("CARGO_BIN_EXE_kumo"))
        .arg("synth")
        .current_dir(&demo)
        .env("CARGO_TARGET_DIR", target)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    let stdout = text(&synth.stdout);
    assert!(
        stdout.contains("synthesized Demo-Network: 1 resources, 1 outputs"),
        "{stdout}"
    );
    assert!(
        stdout.contains("synthesized Demo-Service: 1 resources, 1 outputs"),
        "{stdout}"
    );
    let service = std::fs::read_to_string(demo.join("kumo.out/Demo-Service.template.json")).unwrap();
    assert!(
        service.contains(r#""Fn::ImportValue": "Demo-Network:Vpc""#),
        "{service}"
    );

    let again = kumo(&dir, &["new", "demo"]);
    assert_exit(&again, 2);
    assert!(text(&again.stderr).contains("already exists"));
    let bad = kumo(&dir, &["new", "Demo"]);
    assert_exit(&bad, 2);
}
