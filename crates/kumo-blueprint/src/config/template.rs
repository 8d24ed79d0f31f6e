//! The file `kumo init` writes: the commented default with every setting commented out.
//!
//! Why commented out rather than active: explicit values win over the profile, so a file that spelled
//! out every default would make `profile = "cheap"` a no-op, and the cost profile must be selectable by
//! one line. Each commented setting shows the value it has under the file's profile, and — where the
//! other profile differs — that value too, so the file documents both profiles.

use super::{Config, DEFAULT_CONFIG_TOML, Profile};

/// The text `kumo init --profile <profile>` writes. It loads to exactly [`Config::for_profile`], and
/// uncommenting any setting leaves the loaded configuration unchanged until the value is edited.
pub fn init_template(profile: Profile) -> String {
    let other = match profile {
        Profile::Standard => Profile::Cheap,
        Profile::Cheap => Profile::Standard,
    };
    let values = toml::Table::try_from(Config::for_profile(profile)).unwrap_or_default();
    let defaults = toml::Table::try_from(Config::default()).unwrap_or_default();
    let others = toml::Table::try_from(Config::for_profile(other)).unwrap_or_default();

    let mut out = String::with_capacity(DEFAULT_CONFIG_TOML.len() + 2048);
    let mut table = String::new();
    let mut in_header_comment = true;
    for line in DEFAULT_CONFIG_TOML.lines() {
        if in_header_comment && !line.starts_with('#') {
            in_header_comment = false;
            out.push_str(&format!(
                "#\n# Written by `kumo init` for the {profile} profile: every setting below is commented out and\n\
                 # shows the value it has now; uncomment a line to change it. A trailing \"# {other}: ...\" gives\n\
                 # the {other} profile's value where it differs.\n"
            ));
        }
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            table = name.trim().to_owned();
            out.push_str(line);
        } else if trimmed.is_empty() || trimmed.starts_with('#') {
            out.push_str(line);
        } else if let Some((key, written)) = trimmed.split_once('=') {
            let key = key.trim();
            let path = if table.is_empty() {
                key.to_owned()
            } else {
                format!("{table}.{key}")
            };
            if path == "profile" {
                out.push_str(&format!("profile = \"{profile}\""));
            } else {
                let value = lookup(&values, &path);
                // Keep the file's own spelling where the value is the default; render the profile's value.
                let text = match value {
                    Some(v) if Some(v) != lookup(&defaults, &path) => v.to_string(),
                    _ => written.trim().to_owned(),
                };
                out.push_str(&format!("# {key} = {text}"));
                if let (Some(mine), Some(theirs)) = (value, lookup(&others, &path))
                    && mine != theirs
                {
                    out.push_str(&format!("  # {other}: {theirs}"));
                }
            }
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The value at a dotted path of a serialized configuration.
fn lookup<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let value = table.get(head)?;
    match (rest, value) {
        (None, value) => Some(value),
        (Some(rest), toml::Value::Table(inner)) => lookup(inner, rest),
        (Some(_), _) => None,
    }
}
