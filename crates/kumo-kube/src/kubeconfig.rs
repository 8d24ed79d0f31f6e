//! kumo's entry in a kubeconfig file: one cluster, one user (an exec plugin running `kumo token`) and
//! one context, added or updated in place.
//!
//! * Which file: `--kubeconfig PATH`, else the first file of `$KUBECONFIG`, else `~/.kube/config`
//!   ([`KubeconfigFiles::locate`]). With several `$KUBECONFIG` files, kumo writes to the first, and
//!   checks names against all of them (kubectl merges them, the first file winning).
//! * The model is kube's [`Kubeconfig`] types: the file is read with them, the edit is made on them, and
//!   kumo's entries are serialized from them. To keep everything else as the user wrote it (comments,
//!   quoting, order), kumo then splices only its own entries into the original text and checks that the
//!   result reads back as exactly the edited model; if it does not (a layout kumo does not splice, such
//!   as flow-style lists), the whole file is written from the model instead.
//! * A same-named cluster or context that points elsewhere is refused unless `force`.
//! * The file is written atomically (temporary file in the same directory, then rename) with mode 0600;
//!   a symlink is followed, not replaced. An unchanged file is not written at all.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use kube::config::{
    AuthInfo, Cluster, Context, ExecConfig, ExecInteractiveMode, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext,
};
use serde::Serialize;

use crate::token::EXEC_CREDENTIAL_API_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{path} is not a valid kubeconfig: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error("{path} already has a {what} named {name:?} that points to {existing}, not {wanted}")]
    Conflict {
        path: PathBuf,
        what: &'static str,
        name: String,
        existing: String,
        wanted: String,
    },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("no kubeconfig location: $HOME is not set")]
    NoHome,
}

/// The files involved: where kumo writes, and every file kubectl would merge (for name checks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeconfigFiles {
    pub target: PathBuf,
    pub merged: Vec<PathBuf>,
}

impl KubeconfigFiles {
    /// `explicit` (`--kubeconfig`), else `$KUBECONFIG`'s files (`kubeconfig_env`), else
    /// `<home>/.kube/config`.
    pub fn locate(
        explicit: Option<&Path>,
        kubeconfig_env: Option<OsString>,
        home: Option<PathBuf>,
    ) -> Result<KubeconfigFiles, KubeconfigError> {
        if let Some(path) = explicit {
            return Ok(KubeconfigFiles {
                target: path.to_path_buf(),
                merged: vec![path.to_path_buf()],
            });
        }
        if let Some(value) = kubeconfig_env {
            let files: Vec<PathBuf> = std::env::split_paths(&value)
                .filter(|p| !p.as_os_str().is_empty())
                .collect();
            if let Some(first) = files.first() {
                return Ok(KubeconfigFiles {
                    target: first.clone(),
                    merged: files,
                });
            }
        }
        let path = home.ok_or(KubeconfigError::NoHome)?.join(".kube").join("config");
        Ok(KubeconfigFiles {
            target: path.clone(),
            merged: vec![path],
        })
    }
}

/// kumo's entry for one cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Name of the cluster and user entries: the cluster ARN, as `aws eks update-kubeconfig` names them
    /// (so an entry that command wrote for the same cluster is updated, not duplicated).
    pub name: String,
    /// The context's name (`--alias`, else `name`).
    pub context: String,
    pub server: String,
    /// Base64 PEM, as EKS reports it.
    pub certificate_authority_data: String,
    /// The exec plugin: the `kumo` executable and its arguments (`token --cluster-name ...`).
    pub command: String,
    pub args: Vec<String>,
}

/// Whether to make the context the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetCurrent {
    Always,
    /// Only when the files have no current context yet.
    IfUnset,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Updated,
    Unchanged,
}

/// What an update did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateReport {
    pub path: PathBuf,
    pub cluster: Change,
    pub user: Change,
    pub context: Change,
    /// The current context after the update.
    pub current_context: Option<String>,
    /// Whether the file was written (not when nothing changed).
    pub written: bool,
    /// Whether other entries were kept byte-for-byte (false: the file was rewritten from the model).
    pub preserved_layout: bool,
}

impl Entry {
    fn cluster(&self) -> NamedCluster {
        NamedCluster {
            name: self.name.clone(),
            cluster: Some(Cluster {
                server: Some(self.server.clone()),
                certificate_authority_data: Some(self.certificate_authority_data.clone()),
                ..Cluster::default()
            }),
            ..NamedCluster::default()
        }
    }

    fn user(&self) -> NamedAuthInfo {
        NamedAuthInfo {
            name: self.name.clone(),
            auth_info: Some(AuthInfo {
                exec: Some(ExecConfig {
                    api_version: Some(EXEC_CREDENTIAL_API_VERSION.to_owned()),
                    command: Some(self.command.clone()),
                    args: Some(self.args.clone()),
                    interactive_mode: Some(ExecInteractiveMode::Never),
                    ..ExecConfig::default()
                }),
                ..AuthInfo::default()
            }),
            ..NamedAuthInfo::default()
        }
    }

    fn context(&self) -> NamedContext {
        NamedContext {
            name: self.context.clone(),
            context: Some(Context {
                cluster: self.name.clone(),
                user: Some(self.name.clone()),
                ..Context::default()
            }),
            ..NamedContext::default()
        }
    }
}

fn read_text(path: &Path) -> Result<Option<String>, KubeconfigError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| KubeconfigError::Read {
            path: path.to_path_buf(),
            reason: "not UTF-8 text".into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(KubeconfigError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }),
    }
}

fn parse(path: &Path, text: &str) -> Result<Kubeconfig, KubeconfigError> {
    Kubeconfig::from_yaml(text).map_err(|e| KubeconfigError::Parse {
        path: path.to_path_buf(),
        reason: crate::error::chain(&e),
    })
}

/// Adds or updates `entry` in `files.target`.
pub fn update(
    files: &KubeconfigFiles,
    entry: &Entry,
    set_current: SetCurrent,
    force: bool,
) -> Result<UpdateReport, KubeconfigError> {
    // Name checks against every file kubectl merges.
    let mut merged_current = None;
    for path in &files.merged {
        let Some(text) = read_text(path)? else { continue };
        let config = parse(path, &text)?;
        merged_current = merged_current.or(config.current_context.clone().filter(|c| !c.is_empty()));
        if force {
            continue;
        }
        if let Some(existing) = config.clusters.iter().find(|c| c.name == entry.name) {
            let server = existing
                .cluster
                .as_ref()
                .and_then(|c| c.server.clone())
                .unwrap_or_default();
            if server != entry.server {
                return Err(KubeconfigError::Conflict {
                    path: path.clone(),
                    what: "cluster",
                    name: entry.name.clone(),
                    existing: format!("server {server}"),
                    wanted: format!("server {}", entry.server),
                });
            }
        }
        if let Some(existing) = config.contexts.iter().find(|c| c.name == entry.context) {
            let cluster = existing.context.as_ref().map(|c| c.cluster.clone()).unwrap_or_default();
            if cluster != entry.name {
                return Err(KubeconfigError::Conflict {
                    path: path.clone(),
                    what: "context",
                    name: entry.context.clone(),
                    existing: format!("cluster {cluster}"),
                    wanted: format!("cluster {}", entry.name),
                });
            }
        }
    }

    let path = &files.target;
    let original = read_text(path)?.unwrap_or_default();
    let before = parse(path, &original)?;
    let mut after = before.clone();
    if after.api_version.is_none() {
        after.api_version = Some("v1".into());
    }
    if after.kind.is_none() {
        after.kind = Some("Config".into());
    }
    let cluster = upsert(&mut after.clusters, entry.cluster(), |c| &c.name);
    let user = upsert(&mut after.auth_infos, entry.user(), |u| &u.name);
    let context = upsert(&mut after.contexts, entry.context(), |c| &c.name);
    let make_current = match set_current {
        SetCurrent::Always => true,
        SetCurrent::IfUnset => merged_current.is_none(),
    };
    if make_current {
        after.current_context = Some(entry.context.clone());
    }
    let current_context = after.current_context.clone().or(merged_current);

    if model(&after) == model(&before) && !original.is_empty() {
        return Ok(UpdateReport {
            path: path.clone(),
            cluster,
            user,
            context,
            current_context,
            written: false,
            preserved_layout: true,
        });
    }
    let changed = [cluster, user, context].map(|c| c != Change::Unchanged);
    let spliced = splice(&original, entry, &before, changed, make_current)
        .filter(|text| Kubeconfig::from_yaml(text).is_ok_and(|read_back| model(&read_back) == model(&after)));
    let preserved_layout = spliced.is_some();
    let text = match spliced {
        Some(text) => text,
        None => serde_saphyr::to_string(&after).map_err(|e| KubeconfigError::Write {
            path: path.clone(),
            reason: e.to_string(),
        })?,
    };
    write_atomically(path, &text)?;
    Ok(UpdateReport {
        path: path.clone(),
        cluster,
        user,
        context,
        current_context,
        written: true,
        preserved_layout,
    })
}

/// The model as JSON, for equality (kube's types compare only in its own tests).
fn model(config: &Kubeconfig) -> serde_json::Value {
    serde_json::to_value(config).unwrap_or_default()
}

fn upsert<T: Serialize>(list: &mut Vec<T>, item: T, name: impl Fn(&T) -> &String) -> Change {
    match list.iter_mut().find(|existing| name(existing) == name(&item)) {
        Some(existing) => {
            if serde_json::to_value(&*existing).ok() == serde_json::to_value(&item).ok() {
                Change::Unchanged
            } else {
                *existing = item;
                Change::Updated
            }
        }
        None => {
            list.push(item);
            Change::Added
        }
    }
}

/// The original text with kumo's changed entries (and `current-context`) replaced or appended, every
/// other line untouched. `None` when the layout is not the block style kumo splices into.
fn splice(
    original: &str,
    entry: &Entry,
    before: &Kubeconfig,
    changed: [bool; 3],
    make_current: bool,
) -> Option<String> {
    if original.trim().is_empty() {
        return None;
    }
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    // Multi-document files are left to the model.
    if lines.iter().skip(1).any(|l| l.trim_end() == "---") {
        return None;
    }
    let sections: [(&str, String, Option<usize>); 3] = [
        (
            "clusters",
            item_yaml(&entry.cluster())?,
            before.clusters.iter().position(|c| c.name == entry.name),
        ),
        (
            "users",
            item_yaml(&entry.user())?,
            before.auth_infos.iter().position(|u| u.name == entry.name),
        ),
        (
            "contexts",
            item_yaml(&entry.context())?,
            before.contexts.iter().position(|c| c.name == entry.context),
        ),
    ];
    for ((key, item, index), changed) in sections.into_iter().zip(changed) {
        if changed {
            lines = splice_item(lines, key, &item, index)?;
        }
    }
    if make_current {
        let line = format!("current-context: {}", yaml_scalar(&entry.context)?);
        match lines.iter().position(|l| l.starts_with("current-context:")) {
            Some(at) => lines[at] = line,
            None => lines.push(line),
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Some(text)
}

/// One sequence item as YAML lines starting with `- `.
fn item_yaml<T: Serialize>(item: &T) -> Option<String> {
    serde_saphyr::to_string(&[item]).ok()
}

fn yaml_scalar(value: &str) -> Option<String> {
    Some(serde_saphyr::to_string(&value).ok()?.trim_end().to_owned())
}

/// Replaces item `index` of the top-level sequence `key` (or appends when `None`).
fn splice_item(mut lines: Vec<String>, key: &str, item: &str, index: Option<usize>) -> Option<Vec<String>> {
    let is_top_level_key =
        |line: &str| !line.is_empty() && !line.starts_with([' ', '\t', '#', '-']) && line.contains(':');
    let header = format!("{key}:");
    let Some(start) = lines.iter().position(|l| l.trim_end() == header) else {
        // No such section (or a flow-style one on the key line): a present key is left to the model.
        if lines.iter().any(|l| l.starts_with(&header)) {
            return None;
        }
        lines.push(header);
        lines.extend(item.lines().map(str::to_owned));
        return Some(lines);
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| is_top_level_key(l))
        .map_or(lines.len(), |p| start + 1 + p);
    // Items are the lines starting with `- ` at the section's item indent.
    let item_starts: Vec<usize> = (start + 1..end)
        .filter(|&i| {
            let trimmed = lines[i].trim_start_matches(' ');
            trimmed.starts_with("- ") || trimmed == "-"
        })
        .collect();
    let indent = item_starts
        .first()
        .map_or(0, |&i| lines[i].len() - lines[i].trim_start_matches(' ').len());
    let item_starts: Vec<usize> = item_starts
        .into_iter()
        .filter(|&i| lines[i].len() - lines[i].trim_start_matches(' ').len() == indent)
        .collect();
    let indented: Vec<String> = item.lines().map(|l| format!("{}{l}", " ".repeat(indent))).collect();
    match index {
        Some(index) => {
            let from = *item_starts.get(index)?;
            // The item runs to the next item, or to the section's last non-blank, non-comment line.
            let to = match item_starts.get(index + 1) {
                Some(&next) => next,
                None => {
                    let mut to = end;
                    while to > from + 1 && {
                        let t = lines[to - 1].trim();
                        t.is_empty() || t.starts_with('#')
                    } {
                        to -= 1;
                    }
                    to
                }
            };
            lines.splice(from..to, indented);
        }
        None => {
            let mut at = end;
            while at > start + 1 && lines[at - 1].trim().is_empty() {
                at -= 1;
            }
            lines.splice(at..at, indented);
        }
    }
    Some(lines)
}

/// Writes `text` to `path` atomically with mode 0600: a temporary file in the same directory, synced,
/// renamed over the target. A symlink is resolved first so the link stays a link. The directory is
/// created (0700) if missing.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), KubeconfigError> {
    let fail = |reason: String| KubeconfigError::Write {
        path: path.to_path_buf(),
        reason,
    };
    let target = match std::fs::canonicalize(path) {
        Ok(resolved) => resolved,
        Err(_) => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&dir)
            .map_err(|e| fail(format!("creating {}: {e}", dir.display())))?;
    }
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{file_name}.kumo-{}", std::process::id()));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, &target)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail(e.to_string()));
    }
    Ok(())
}
