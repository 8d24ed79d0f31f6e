//! Runs the pinned cfn-lint (installed by `scripts/test` into `./.venv`) on synthesized templates.
//!
//! Every synthesized template in the test suite must pass with zero errors and zero warnings. A rule
//! may be waived only in [`WAIVED`], with the reason written next to it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// Rules kumo's tests accept findings of, each with the reason. Keep this list short and justified.
pub const WAIVED: &[(&str, &str)] = &[];

/// One cfn-lint finding.
#[derive(Clone, Debug)]
pub struct Finding {
    pub template: String,
    pub rule: String,
    pub level: String,
    pub message: String,
    pub path: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} [{}] at {}: {}",
            self.template, self.level, self.rule, self.path, self.message
        )
    }
}

/// The cfn-lint executable: `$KUMO_CFN_LINT`, else `<workspace>/.venv/bin/cfn-lint`.
pub fn executable() -> PathBuf {
    if let Some(path) = std::env::var_os("KUMO_CFN_LINT") {
        return PathBuf::from(path);
    }
    let fallback = workspace_root().join(".venv/bin/cfn-lint");
    if fallback.is_file() {
        return fallback;
    }
    panic!(
        "cfn-lint is not installed: run the test suite with ./scripts/test (it installs the pinned cfn-lint into \
         ./.venv), or set KUMO_CFN_LINT to a cfn-lint 1.58.0 executable"
    );
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
}

/// Lints `templates` (name, body) in one cfn-lint run and returns every finding, waived ones removed.
pub fn lint(templates: &[(&str, &str)]) -> Vec<Finding> {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kumo-cfn-lint-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut files = Vec::new();
    for (name, body) in templates {
        let extension = if body.trim_start().starts_with('{') {
            "json"
        } else {
            "yaml"
        };
        let file = dir.join(format!("{name}.{extension}"));
        std::fs::write(&file, body).expect("write template");
        files.push(file);
    }
    let output = Command::new(executable())
        .args(["--format", "json"])
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cfn-lint ({}): {e}", executable().display()));
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let findings: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "cfn-lint printed no JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    findings
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| Finding {
            template: Path::new(f["Filename"].as_str().unwrap_or_default())
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            rule: f["Rule"]["Id"].as_str().unwrap_or_default().to_owned(),
            level: f["Level"].as_str().unwrap_or_default().to_owned(),
            message: f["Message"].as_str().unwrap_or_default().to_owned(),
            path: f["Location"]["Path"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .map(|s| s.to_string().trim_matches('"').to_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default(),
        })
        .filter(|f| !WAIVED.iter().any(|(rule, _)| *rule == f.rule))
        .collect()
}

/// [`assert_clean`] for owned (file name, template) pairs, e.g. every stack an app synthesized.
pub fn assert_all_clean<N: AsRef<str>, T: AsRef<str>>(templates: impl IntoIterator<Item = (N, T)>) {
    let owned: Vec<(N, T)> = templates.into_iter().collect();
    let borrowed: Vec<(&str, &str)> = owned.iter().map(|(n, t)| (n.as_ref(), t.as_ref())).collect();
    assert_clean(&borrowed);
}

/// Panics unless every template passes cfn-lint with no errors and no warnings. Informational findings
/// are printed, not failed on.
pub fn assert_clean(templates: &[(&str, &str)]) {
    let findings = lint(templates);
    let (blocking, info): (Vec<&Finding>, Vec<&Finding>) = findings
        .iter()
        .partition(|f| f.level == "Error" || f.level == "Warning");
    for finding in info {
        eprintln!("cfn-lint (informational): {finding}");
    }
    assert!(
        blocking.is_empty(),
        "cfn-lint found {} problem(s):\n{}",
        blocking.len(),
        blocking.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n")
    );
}
