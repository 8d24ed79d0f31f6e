//! Golden tests of kumo's kubeconfig entry: a new file, merging into a file with other clusters (kept
//! byte-for-byte), updating an entry, `$KUBECONFIG` with several files, mode 0600, and refusing a
//! same-named entry for another cluster without `force`.

use std::ffi::OsString;
use std::path::Path;

use kube::config::Kubeconfig;
use kumo_kube::kubeconfig::{self, Change, Entry, KubeconfigError, KubeconfigFiles, SetCurrent};

const ARN: &str = "arn:aws:eks:eu-west-1:123456789012:cluster/eks-cluster";

fn entry() -> Entry {
    Entry {
        name: ARN.into(),
        context: ARN.into(),
        server: "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com".into(),
        certificate_authority_data: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=".into(),
        command: "kumo".into(),
        args: vec![
            "token".into(),
            "--cluster-name".into(),
            "eks-cluster".into(),
            "--region".into(),
            "eu-west-1".into(),
        ],
    }
}

/// What another tool (kind, `aws eks update-kubeconfig`) typically leaves, with a comment of the user's.
const OTHER: &str = r#"apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://127.0.0.1:6443
  name: kind-dev
contexts:
- context:
    cluster: kind-dev
    user: kind-dev
  name: kind-dev
current-context: kind-dev
kind: Config
preferences: {}
users:
# the local kind cluster: do not touch
- name: kind-dev
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
"#;

fn single(path: &Path) -> KubeconfigFiles {
    KubeconfigFiles::locate(Some(path), None, None).unwrap()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_new_file_gets_the_entry_as_current_context_with_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".kube/config");
    let report = kubeconfig::update(&single(&path), &entry(), SetCurrent::IfUnset, false).unwrap();
    assert_eq!(
        (report.cluster, report.user, report.context),
        (Change::Added, Change::Added, Change::Added)
    );
    assert_eq!(report.current_context.as_deref(), Some(ARN));
    assert!(report.written);
    assert_eq!(mode(&path), 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!("new_file", text);
    // kube reads it back as the entry kumo meant.
    let config = Kubeconfig::read_from(&path).unwrap();
    let exec = config.auth_infos[0].auth_info.as_ref().unwrap().exec.as_ref().unwrap();
    assert_eq!(exec.command.as_deref(), Some("kumo"));
    assert_eq!(
        exec.api_version.as_deref(),
        Some("client.authentication.k8s.io/v1beta1")
    );
}

#[test]
fn merging_keeps_the_other_entries_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, OTHER).unwrap();
    let report = kubeconfig::update(&single(&path), &entry(), SetCurrent::IfUnset, false).unwrap();
    assert!(report.preserved_layout);
    // The user's current context stays: kumo only sets one when there is none (or when asked).
    assert_eq!(report.current_context.as_deref(), Some("kind-dev"));
    let text = std::fs::read_to_string(&path).unwrap();
    // Every original line is still there, in order, comment included.
    let mut rest = text.as_str();
    for line in OTHER.lines() {
        let at = rest.find(line).unwrap_or_else(|| panic!("lost line {line:?}:\n{text}"));
        rest = &rest[at + line.len()..];
    }
    insta::assert_snapshot!("merged", text);
    assert_eq!(mode(&path), 0o600);
    let config = Kubeconfig::read_from(&path).unwrap();
    assert_eq!(config.clusters.len(), 2);
    assert_eq!(config.contexts.len(), 2);
    assert_eq!(config.auth_infos.len(), 2);

    // Asked to, it switches the current context, and only that line changes.
    let report = kubeconfig::update(&single(&path), &entry(), SetCurrent::Always, false).unwrap();
    assert_eq!((report.cluster, report.context), (Change::Unchanged, Change::Unchanged));
    let switched = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        switched,
        text.replace("current-context: kind-dev", &format!("current-context: {ARN}"))
    );
}

#[test]
fn an_entry_from_aws_eks_update_kubeconfig_is_updated_in_place_then_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let aws = format!(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=\n    server: {server}\n  name: {ARN}\n{OTHER_CLUSTER}contexts:\n- context:\n    cluster: {ARN}\n    user: {ARN}\n  name: {ARN}\ncurrent-context: {ARN}\nkind: Config\npreferences: {{}}\nusers:\n- name: {ARN}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n      - --region\n      - eu-west-1\n      - eks\n      - get-token\n      - --cluster-name\n      - eks-cluster\n      - --output\n      - json\n      command: aws\n- name: kind-dev\n  user:\n    token: abc\n",
        server = entry().server,
        OTHER_CLUSTER = "- cluster:\n    server: https://127.0.0.1:6443\n  name: kind-dev\n",
    );
    std::fs::write(&path, &aws).unwrap();
    let report = kubeconfig::update(&single(&path), &entry(), SetCurrent::IfUnset, false).unwrap();
    assert_eq!(
        (report.cluster, report.user, report.context),
        (Change::Unchanged, Change::Updated, Change::Unchanged)
    );
    assert!(report.preserved_layout);
    let text = std::fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!("updated", text);
    assert!(text.contains("- name: kind-dev\n  user:\n    token: abc\n"));
    assert!(!text.contains("get-token"));

    let again = kubeconfig::update(&single(&path), &entry(), SetCurrent::IfUnset, false).unwrap();
    assert_eq!(
        (again.cluster, again.user, again.context),
        (Change::Unchanged, Change::Unchanged, Change::Unchanged)
    );
    assert!(!again.written);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn kubeconfig_with_several_files_writes_the_first_and_checks_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.yaml");
    let second = dir.path().join("b.yaml");
    std::fs::write(&second, OTHER).unwrap();
    let env = std::env::join_paths([&first, &second]).unwrap();
    let files = KubeconfigFiles::locate(None, Some(env.clone()), Some(dir.path().into())).unwrap();
    assert_eq!(files.target, first);
    assert_eq!(files.merged, vec![first.clone(), second.clone()]);

    let report = kubeconfig::update(&files, &entry(), SetCurrent::IfUnset, false).unwrap();
    // The second file's current context is the merged one: kumo leaves it.
    assert_eq!(report.current_context.as_deref(), Some("kind-dev"));
    assert!(!std::fs::read_to_string(&first).unwrap().contains("current-context"));
    assert_eq!(std::fs::read_to_string(&second).unwrap(), OTHER);

    // A context named like kumo's alias in the second file, for another cluster: refused.
    let aliased = Entry {
        context: "kind-dev".into(),
        ..entry()
    };
    let error = kubeconfig::update(&files, &aliased, SetCurrent::IfUnset, false).unwrap_err();
    assert!(
        matches!(&error, KubeconfigError::Conflict { path, what: "context", .. } if path == &second),
        "{error}"
    );

    // Without $KUBECONFIG: ~/.kube/config.
    let default = KubeconfigFiles::locate(None, None, Some(dir.path().into())).unwrap();
    assert_eq!(default.target, dir.path().join(".kube/config"));
    assert_eq!(
        KubeconfigFiles::locate(None, Some(OsString::new()), Some(dir.path().into())).unwrap(),
        default
    );
}

#[test]
fn a_same_named_cluster_for_another_server_is_refused_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    kubeconfig::update(&single(&path), &entry(), SetCurrent::IfUnset, false).unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    let moved = Entry {
        server: "https://FFFF.gr7.eu-west-1.eks.amazonaws.com".into(),
        ..entry()
    };
    let error = kubeconfig::update(&single(&path), &moved, SetCurrent::IfUnset, false).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{} already has a cluster named \"{ARN}\" that points to server {}, not server https://FFFF.gr7.eu-west-1.eks.amazonaws.com",
            path.display(),
            entry().server
        )
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "nothing written");
    let report = kubeconfig::update(&single(&path), &moved, SetCurrent::IfUnset, true).unwrap();
    assert_eq!(report.cluster, Change::Updated);
}

#[test]
fn a_layout_kumo_cannot_splice_is_rewritten_from_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
    )
    .unwrap();
    let report = kubeconfig::update(&single(&path), &entry(), SetCurrent::IfUnset, false).unwrap();
    assert!(!report.preserved_layout);
    let config = Kubeconfig::read_from(&path).unwrap();
    assert_eq!(config.clusters[0].name, ARN);
    assert_eq!(config.current_context.as_deref(), Some(ARN));
}

#[test]
fn an_invalid_file_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, "clusters: [unclosed\n").unwrap();
    let error = kubeconfig::update(&single(&path), &entry(), SetCurrent::IfUnset, false).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with(&format!("{} is not a valid kubeconfig", path.display())),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "clusters: [unclosed\n");
}

#[test]
fn a_symlinked_kubeconfig_stays_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real-config");
    std::fs::write(&real, OTHER).unwrap();
    let link = dir.path().join("config");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    kubeconfig::update(&single(&link), &entry(), SetCurrent::IfUnset, false).unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&real).unwrap().contains(ARN));
}
