//! Reads a user's `kumo.toml` over the default, key by key, from toml's span-carrying document tree.
//!
//! Why not `#[derive(Deserialize)]` with `deny_unknown_fields` for user files: serde stops at the first
//! problem, while a user fixing a file wants all of them at once, each with its line. Walking the
//! spanned tree lets the reader report every unknown key (with "did you mean"), every wrong type and
//! every unparsable value, remember where each key was written (so rule violations found later point
//! at the right line), and overwrite only what the file sets (which is the layering). The list of keys
//! here and the `Config` structs are kept in step by a test that round-trips a configuration in which
//! every value differs from the default.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Config, Problem, ProblemKind, Profile, ServiceAccount, ValueSource, quoted_list};

/// A `config_enum!` type: a closed set of string values.
pub(crate) trait Choice: Copy + 'static {
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;
}

/// The outcome of reading a file.
pub(super) struct Read {
    /// `None` when the text is not TOML at all.
    pub config: Option<Config>,
    pub problems: Vec<Problem>,
    /// Byte offset of the value of every key (and list element, and map entry) the file sets.
    pub spans: BTreeMap<String, usize>,
    /// Keys whose value could not be used (wrong type, unparsable): the default stands in for them.
    pub broken: BTreeSet<String>,
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// `key[i]`: the path of a list element.
pub(super) fn element_path(key: &str, index: usize) -> String {
    format!("{key}[{index}]")
}

/// `key.entry`: the path of a map entry, quoted when the entry is not a bare TOML key.
pub(super) fn entry_path(key: &str, entry: &str) -> String {
    let bare = !entry.is_empty() && entry.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        format!("{key}.{entry}")
    } else {
        format!("{key}.{}", toml::Value::String(entry.to_owned()))
    }
}

/// The candidate closest to `input`, if close enough to be a likely typo (case is ignored).
pub(super) fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input_lower = input.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::damerau_levenshtein(&input_lower, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= (candidate.chars().count().max(input.chars().count()) / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Reads `text` layered over the default of the profile it selects.
pub(super) fn read(text: &str) -> Read {
    let (document, errors) = DeTable::parse_recoverable(text);
    let mut ctx = Ctx {
        text,
        problems: Vec::new(),
        spans: BTreeMap::new(),
        broken: BTreeSet::new(),
    };
    if !errors.is_empty() {
        for error in errors {
            let (line, column) = line_column(text, error.span().map_or(0, |s| s.start));
            if ctx
                .problems
                .iter()
                .any(|p| matches!(p.source, ValueSource::File { line: l, .. } if l == line))
            {
                continue; // recovery often reports a follow-on error on the same line
            }
            ctx.problems.push(Problem {
                kind: ProblemKind::Syntax,
                key: String::new(),
                value: None,
                message: format!("not valid TOML: {}", error.message()),
                help: "fix the syntax (strings in double quotes, one `key = value` per line; https://toml.io)"
                    .to_owned(),
                source: ValueSource::File { line, column },
            });
        }
        return Read {
            config: None,
            problems: ctx.problems,
            spans: ctx.spans,
            broken: ctx.broken,
        };
    }

    let root = document.get_ref();
    let mut top = Cursor {
        ctx: &mut ctx,
        path: String::new(),
        table: root,
        known: Vec::new(),
    };
    // The profile first: it picks the base the rest of the file is layered on.
    let mut profile = Profile::Standard;
    top.leaf("profile", &mut profile);
    let mut c = Config::for_profile(profile);

    if let Some(mut t) = top.table("stack") {
        let s = &mut c.stack;
        t.leaf("name", &mut s.name);
        t.leaf("region", &mut s.region);
        t.leaf("termination_protection", &mut s.termination_protection);
        t.leaf("tags", &mut s.tags);
        t.finish();
    }
    if let Some(mut t) = top.table("network") {
        let n = &mut c.network;
        t.leaf("vpc_name", &mut n.vpc_name);
        t.leaf("cidr", &mut n.cidr);
        t.leaf("max_azs", &mut n.max_azs);
        t.leaf("subnet_prefix_length", &mut n.subnet_prefix_length);
        t.leaf("nat_gateways", &mut n.nat_gateways);
        t.leaf("s3_gateway_endpoint", &mut n.s3_gateway_endpoint);
        t.finish();
    }
    if let Some(mut t) = top.table("eks") {
        let e = &mut c.eks;
        t.leaf("cluster_name", &mut e.cluster_name);
        t.leaf("kubernetes_version", &mut e.kubernetes_version);
        t.leaf("endpoint_public_access", &mut e.endpoint_public_access);
        t.leaf("endpoint_private_access", &mut e.endpoint_private_access);
        t.leaf("control_plane_logs", &mut e.control_plane_logs);
        t.leaf("log_retention_days", &mut e.log_retention_days);
        t.leaf("admin_users", &mut e.admin_users);
        t.leaf("admin_roles", &mut e.admin_roles);
        if let Some(mut t) = t.table("node_group") {
            let g = &mut e.node_group;
            t.leaf("name", &mut g.name);
            t.leaf("capacity_type", &mut g.capacity_type);
            t.leaf("instance_types", &mut g.instance_types);
            t.leaf("desired_size", &mut g.desired_size);
            t.leaf("min_size", &mut g.min_size);
            t.leaf("max_size", &mut g.max_size);
            t.leaf("ami_type", &mut g.ami_type);
            t.leaf("disk_size_gib", &mut g.disk_size_gib);
            t.leaf("labels", &mut g.labels);
            t.leaf("tags", &mut g.tags);
            t.finish();
        }
        t.finish();
    }
    if let Some(mut t) = top.table("pod_identity") {
        let p = &mut c.pod_identity;
        t.leaf("mode", &mut p.mode);
        t.leaf(
            "external_secrets_service_account",
            &mut p.external_secrets_service_account,
        );
        t.leaf("external_dns_service_account", &mut p.external_dns_service_account);
        t.leaf(
            "load_balancer_controller_service_account",
            &mut p.load_balancer_controller_service_account,
        );
        t.finish();
    }
    if let Some(mut t) = top.table("database") {
        let d = &mut c.database;
        t.leaf("cluster_identifier", &mut d.cluster_identifier);
        t.leaf("instance_identifier_base", &mut d.instance_identifier_base);
        t.leaf("engine_version", &mut d.engine_version);
        t.leaf("instance_class", &mut d.instance_class);
        t.leaf("instances", &mut d.instances);
        t.leaf("port", &mut d.port);
        t.leaf("database_name", &mut d.database_name);
        t.leaf("master_username", &mut d.master_username);
        t.leaf("secret_name", &mut d.secret_name);
        t.leaf("backup_retention_days", &mut d.backup_retention_days);
        t.leaf("on_delete", &mut d.on_delete);
        t.leaf("deletion_protection", &mut d.deletion_protection);
        t.finish();
    }
    if let Some(mut t) = top.table("image_builder") {
        let b = &mut c.image_builder;
        t.leaf("project_name", &mut b.project_name);
        t.leaf("github_owner", &mut b.github_owner);
        t.leaf("github_repo", &mut b.github_repo);
        t.leaf("branch", &mut b.branch);
        t.leaf("buildspec", &mut b.buildspec);
        t.leaf("repositories", &mut b.repositories);
        t.leaf("on_delete", &mut b.on_delete);
        t.leaf("log_retention_days", &mut b.log_retention_days);
        t.finish();
    }
    if let Some(mut t) = top.table("db_migrator") {
        let m = &mut c.db_migrator;
        t.leaf("project_name", &mut m.project_name);
        t.leaf("repository", &mut m.repository);
        t.leaf("image_tag", &mut m.image_tag);
        t.leaf("log_retention_days", &mut m.log_retention_days);
        t.finish();
    }
    if let Some(mut t) = top.table("dns") {
        t.leaf("domain", &mut c.dns.domain);
        t.leaf("comment", &mut c.dns.comment);
        t.finish();
    }
    top.finish();

    Read {
        config: Some(c),
        problems: ctx.problems,
        spans: ctx.spans,
        broken: ctx.broken,
    }
}

/// What reading collects, shared by all cursors.
pub(super) struct Ctx<'t> {
    text: &'t str,
    problems: Vec<Problem>,
    spans: BTreeMap<String, usize>,
    broken: BTreeSet<String>,
}

impl Ctx<'_> {
    /// The value as written in the file, when it is short enough to quote in a message.
    fn raw(&self, value: &Spanned<DeValue<'_>>) -> Option<String> {
        let written = self.text.get(value.span())?.trim();
        (!written.is_empty() && !written.contains('\n') && written.chars().count() <= 80).then(|| written.to_owned())
    }

    fn here(&self, offset: usize) -> ValueSource {
        let (line, column) = line_column(self.text, offset);
        ValueSource::File { line, column }
    }

    fn wrong_type(&mut self, path: &str, value: &Spanned<DeValue<'_>>, expected: &str) {
        let raw = self.raw(value);
        let found = value.get_ref().type_str();
        let help = match (
            value.get_ref(),
            expected.starts_with("a string") || expected.starts_with("one of"),
        ) {
            (DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_), true) => {
                format!(
                    "put the value in double quotes: \"{}\"",
                    raw.clone().unwrap_or_default()
                )
            }
            (DeValue::String(s), false)
                if s.parse::<i64>().is_ok() || s.as_ref() == "true" || s.as_ref() == "false" =>
            {
                format!("remove the quotes: {s}")
            }
            _ => String::new(),
        };
        self.problems.push(Problem {
            kind: ProblemKind::WrongType,
            key: path.to_owned(),
            value: raw,
            message: format!("wrong type: expected {expected}, found {} {found}", article(found)),
            help,
            source: self.here(value.span().start),
        });
        self.broken.insert(path.to_owned());
    }

    fn invalid(&mut self, path: &str, value: &Spanned<DeValue<'_>>, message: String, help: String) {
        let raw = self.raw(value);
        self.problems.push(Problem {
            kind: ProblemKind::InvalidValue,
            key: path.to_owned(),
            value: raw,
            message,
            help,
            source: self.here(value.span().start),
        });
        self.broken.insert(path.to_owned());
    }
}

fn article(type_name: &str) -> &'static str {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// One table of the document being read, with the keys the configuration knows there.
struct Cursor<'c, 't, 'i> {
    ctx: &'c mut Ctx<'t>,
    /// Dotted path of this table ("" at the top).
    path: String,
    table: &'c DeTable<'i>,
    known: Vec<&'static str>,
}

impl<'c, 't, 'i> Cursor<'c, 't, 'i> {
    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Overwrites `target` with the file's value for `key`, if the file sets it and it is valid.
    fn leaf<T: Leaf>(&mut self, key: &'static str, target: &mut T) {
        self.known.push(key);
        let Some(value) = self.table.get(key) else { return };
        let path = self.child_path(key);
        if let Some(parsed) = T::read(value, &path, self.ctx) {
            *target = parsed;
            self.ctx.spans.insert(path, value.span().start);
        }
    }

    /// The sub-table `key`, if the file has it.
    fn table(&mut self, key: &'static str) -> Option<Cursor<'_, 't, 'i>> {
        self.known.push(key);
        let value = self.table.get(key)?;
        let path = self.child_path(key);
        match value.get_ref() {
            DeValue::Table(table) => Some(Cursor {
                ctx: &mut *self.ctx,
                path,
                table,
                known: Vec::new(),
            }),
            _ => {
                self.ctx.wrong_type(&path, value, &format!("a table ([{path}])"));
                None
            }
        }
    }

    /// Reports the keys of this table the configuration does not know.
    fn finish(self) {
        for (key, value) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.known.contains(&name) {
                continue;
            }
            let path = self.child_path(name);
            let what = if matches!(value.get_ref(), DeValue::Table(_)) {
                "table"
            } else {
                "key"
            };
            let mut help = match suggest(name, self.known.iter().copied()) {
                Some(close) => format!("did you mean {}? ", self.child_path(close)),
                None => match all_key_paths().into_iter().find(|p| p.rsplit('.').next() == Some(name)) {
                    Some(elsewhere) => format!("did you mean {elsewhere}? "),
                    None => String::new(),
                },
            };
            let here = if self.path.is_empty() {
                "top-level keys and tables".to_owned()
            } else {
                format!("keys in [{}]", self.path)
            };
            help.push_str(&format!("{here}: {}", self.known.join(", ")));
            let source = self.ctx.here(key.span().start);
            self.ctx.problems.push(Problem {
                kind: ProblemKind::UnknownKey,
                key: path.clone(),
                value: None,
                message: format!("unknown {what}"),
                help,
                source,
            });
            self.ctx.broken.insert(path);
        }
    }
}

/// Every key path of the configuration (for "did you mean" across tables).
fn all_key_paths() -> Vec<String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if let toml::Value::Table(inner) = value
                && !matches!(key.as_str(), "tags" | "labels")
            {
                walk(&path, inner, out);
            }
            out.push(path);
        }
    }
    let mut paths = vec!["stack.region".to_owned()];
    if let Ok(table) = toml::Table::try_from(Config::default()) {
        walk("", &table, &mut paths);
    }
    paths
}

/// A value type the reader can take from the document.
pub(super) trait Leaf: Sized {
    /// What the key expects, for wrong-type messages.
    fn expected() -> String;
    /// The value, or `None` after recording why it is unusable.
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self>;
}

impl Leaf for String {
    fn expected() -> String {
        "a string".to_owned()
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                ctx.wrong_type(path, value, &Self::expected());
                None
            }
        }
    }
}

impl Leaf for Option<String> {
    fn expected() -> String {
        String::expected()
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        String::read(value, path, ctx).map(Some)
    }
}

impl Leaf for bool {
    fn expected() -> String {
        "true or false".to_owned()
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                ctx.wrong_type(path, value, &Self::expected());
                None
            }
        }
    }
}

macro_rules! integer_leaf {
    ($($t:ty),+) => {$(
        impl Leaf for $t {
            fn expected() -> String {
                format!("an integer from 0 to {}", <$t>::MAX)
            }
            fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
                // The key's real range, not the field type's: `max_azs = 300` is "2 to 6", not "0 to 255".
                let allowed = super::rules::integer_range(path).unwrap_or_else(Self::expected);
                let DeValue::Integer(integer) = value.get_ref() else {
                    ctx.wrong_type(path, value, &format!("an integer: {allowed}"));
                    return None;
                };
                let parsed = i64::from_str_radix(integer.as_str(), integer.radix()).ok().and_then(|n| <$t>::try_from(n).ok());
                if parsed.is_none() {
                    ctx.invalid(path, value, "out of range".to_owned(), format!("allowed: {allowed}"));
                }
                parsed
            }
        }
    )+};
}
integer_leaf!(u8, u16, u32);

impl Leaf for Vec<String> {
    fn expected() -> String {
        "a list of strings, such as [\"a\", \"b\"]".to_owned()
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        let DeValue::Array(items) = value.get_ref() else {
            ctx.wrong_type(path, value, &Self::expected());
            return None;
        };
        // An element of the wrong type is reported and stands in as "" (its path is marked broken, so no
        // rule judges it): the other elements are still checked, with their own indices.
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_path = element_path(path, i);
            let text = String::read(item, &item_path, ctx).unwrap_or_default();
            ctx.spans.insert(item_path, item.span().start);
            out.push(text);
        }
        Some(out)
    }
}

impl Leaf for BTreeMap<String, String> {
    fn expected() -> String {
        "a table of strings, such as { Owner = \"me\" }".to_owned()
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        let DeValue::Table(table) = value.get_ref() else {
            ctx.wrong_type(path, value, &Self::expected());
            return None;
        };
        // As for lists: a wrong-typed entry is reported, stands in as "" and is exempt from the rules.
        let mut out = BTreeMap::new();
        for (key, item) in table.iter() {
            let item_path = entry_path(path, key.get_ref());
            let text = String::read(item, &item_path, ctx).unwrap_or_default();
            ctx.spans.insert(item_path, item.span().start);
            out.insert(key.get_ref().to_string(), text);
        }
        Some(out)
    }
}

impl Leaf for Ipv4Net {
    fn expected() -> String {
        "a string holding an IPv4 CIDR block, such as \"10.0.0.0/16\"".to_owned()
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        let DeValue::String(text) = value.get_ref() else {
            ctx.wrong_type(path, value, &Self::expected());
            return None;
        };
        match text.parse::<Ipv4Net>() {
            Ok(net) => Some(net),
            Err(_) => {
                let (message, help) = if let Ok(address) = text.parse::<Ipv4Addr>() {
                    (
                        "is an address without a prefix length".to_owned(),
                        format!("write a block, such as \"{address}/16\""),
                    )
                } else if text.contains(':') {
                    (
                        "is not an IPv4 block (IPv6 is not supported here)".to_owned(),
                        "the VPC's primary block is IPv4, such as \"10.0.0.0/16\"".to_owned(),
                    )
                } else {
                    (
                        "is not a CIDR block".to_owned(),
                        "allowed: an IPv4 block \"a.b.c.d/prefix\" with a prefix from 16 to 28, such as \"10.0.0.0/16\""
                            .to_owned(),
                    )
                };
                ctx.invalid(path, value, message, help);
                None
            }
        }
    }
}

impl Leaf for ServiceAccount {
    fn expected() -> String {
        "a string \"namespace/name\"".to_owned()
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        let DeValue::String(text) = value.get_ref() else {
            ctx.wrong_type(path, value, &Self::expected());
            return None;
        };
        match text.parse::<ServiceAccount>() {
            Ok(account) => Some(account),
            Err(reason) => {
                ctx.invalid(
                    path,
                    value,
                    reason,
                    "write the service account as \"namespace/name\", such as \"kube-system/external-dns\"".to_owned(),
                );
                None
            }
        }
    }
}

impl<T: Choice> Leaf for T {
    fn expected() -> String {
        format!("one of {}", quoted_list(T::all().iter().map(|v| v.name())))
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        let DeValue::String(text) = value.get_ref() else {
            ctx.wrong_type(path, value, &Self::expected());
            return None;
        };
        if let Some(choice) = T::all().iter().copied().find(|v| v.name() == text.as_ref()) {
            return Some(choice);
        }
        let hint = suggest(text, T::all().iter().map(|v| v.name()))
            .map(|s| format!("did you mean {s:?}? "))
            .unwrap_or_default();
        ctx.invalid(
            path,
            value,
            "not an allowed value".to_owned(),
            format!("{hint}allowed: {}", quoted_list(T::all().iter().map(|v| v.name()))),
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('"').unwrap()), (2, 6));
    }

    #[test]
    fn suggestions_catch_typos_only() {
        let keys = ["max_azs", "nat_gateways", "cidr"];
        assert_eq!(suggest("max_az", keys), Some("max_azs"));
        assert_eq!(suggest("NAT_gateway", keys), Some("nat_gateways"));
        assert_eq!(suggest("subnets", keys), None);
    }

    #[test]
    fn entry_paths_quote_only_when_needed() {
        assert_eq!(entry_path("stack.tags", "Owner"), "stack.tags.Owner");
        assert_eq!(
            entry_path("stack.tags", "kumo:blueprint"),
            "stack.tags.\"kumo:blueprint\""
        );
    }
}
