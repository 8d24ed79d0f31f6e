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
use kumo_constructs::logs::{RETENTION_DAYS, RetentionDays};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::values::{AmiType, AuroraPostgresVersion, DbInstanceClass, InstanceType, InvalidValue, KubernetesVersion};
use super::{
    CapacityType, Config, ControlPlaneLog, DataRemoval, PodIdentityMode, Problem, ProblemKind, Profile,
    RepositoryRemoval, ServiceAccount, ValueSource, key, quoted_list,
};

/// A closed set of string values: the configuration's own enums and the constructs' enums it shares.
pub(crate) trait Choice: Copy + 'static {
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;
    /// What is wrong with `text`, which is not one of [`Choice::all`].
    fn refused(_text: &str) -> &'static str {
        "not an allowed value"
    }
}

/// Implements [`Choice`] from a type's `ALL` and a spelling method.
macro_rules! choice {
    ($($name:ty => $spelling:ident $(, refused: $refused:expr)?;)+) => {$(
        impl Choice for $name {
            fn all() -> &'static [Self] {
                <$name>::ALL
            }
            fn name(self) -> &'static str {
                self.$spelling()
            }
            $(fn refused(text: &str) -> &'static str {
                ($refused)(text)
            })?
        }
    )+};
}

choice! {
    Profile => as_str;
    PodIdentityMode => as_str;
    CapacityType => as_str;
    RepositoryRemoval => name;
    ControlPlaneLog => as_str, refused: |_: &str| "not an EKS control-plane log type";
    AmiType => as_str, refused: |text: &str| AmiType::refusal(text).unwrap_or("not an EKS managed node group AMI type");
}

/// The blueprint offers two of the database's three delete behaviours: its cluster identifier is fixed,
/// so a retained cluster would block creating the stack again (destroy and recreate is the point of
/// the blueprint). A `Config` built in code with `Retain` is refused by the rules.
impl Choice for DataRemoval {
    fn all() -> &'static [Self] {
        &[DataRemoval::Snapshot, DataRemoval::Delete]
    }
    fn name(self) -> &'static str {
        DataRemoval::name(self)
    }
}

/// Serde for a [`Choice`] field (`#[serde(with = "reader::choice")]`): its spelling as a string.
pub(crate) mod choice {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use super::{Choice, quoted_list};

    pub(crate) fn serialize<T: Choice, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.name())
    }

    pub(crate) fn deserialize<'de, T: Choice, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).map_err(D::Error::custom)
    }

    pub(crate) fn parse<T: Choice>(text: &str) -> Result<T, String> {
        T::all().iter().copied().find(|v| v.name() == text).ok_or_else(|| {
            format!(
                "{text:?}: {}; allowed: {}",
                T::refused(text),
                quoted_list(T::all().iter().map(|v| v.name()))
            )
        })
    }
}

/// Serde for a list of [`Choice`] values.
pub(crate) mod choice_list {
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use super::Choice;

    pub(crate) fn serialize<T: Choice, S: Serializer>(values: &[T], serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(values.len()))?;
        for value in values {
            seq.serialize_element(value.name())?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, T: Choice, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        let texts = Vec::<String>::deserialize(deserializer)?;
        texts
            .iter()
            .map(|text| super::choice::parse(text).map_err(D::Error::custom))
            .collect()
    }
}

/// Serde for a log retention: its number of days.
pub(crate) mod retention {
    use kumo_constructs::logs::RetentionDays;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(value: &RetentionDays, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(value.days())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<RetentionDays, D::Error> {
        RetentionDays::try_from(u32::deserialize(deserializer)?).map_err(D::Error::custom)
    }
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

/// `read!(t, s.name)`: reads the key named like the field (`name`) in table `t` into `s.name`, so a
/// key's spelling is its field's name, written once.
macro_rules! read {
    ($table:ident, $($path:ident).+) => {
        read!(@last $table, ($($path).+), $($path)+)
    };
    (@last $table:ident, ($($path:ident).+), $head:ident $($tail:ident)+) => {
        read!(@last $table, ($($path).+), $($tail)+)
    };
    (@last $table:ident, ($($path:ident).+), $field:ident) => {
        $table.leaf(stringify!($field), &mut $($path).+)
    };
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
    top.leaf(key!(profile), &mut profile);
    let mut c = Config::for_profile(profile);

    if let Some(mut t) = top.table(key!(stack)) {
        let s = &mut c.stack;
        read!(t, s.name);
        read!(t, s.region);
        read!(t, s.env);
        read!(t, s.termination_protection);
        read!(t, s.tags);
        read!(t, s.ttl);
        read!(t, s.ttl_notify);
        t.finish();
    }
    if let Some(mut t) = top.table(key!(network)) {
        let n = &mut c.network;
        read!(t, n.vpc_name);
        read!(t, n.cidr);
        read!(t, n.max_azs);
        read!(t, n.subnet_prefix_length);
        read!(t, n.nat_gateways);
        read!(t, n.s3_gateway_endpoint);
        t.finish();
    }
    if let Some(mut t) = top.table(key!(eks)) {
        let e = &mut c.eks;
        read!(t, e.cluster_name);
        read!(t, e.kubernetes_version);
        read!(t, e.endpoint_public_access);
        read!(t, e.endpoint_private_access);
        read!(t, e.control_plane_logs);
        read!(t, e.log_retention_days);
        read!(t, e.admin_users);
        read!(t, e.admin_roles);
        if let Some(mut t) = t.table(stringify!(node_group)) {
            let g = &mut e.node_group;
            read!(t, g.name);
            read!(t, g.capacity_type);
            read!(t, g.instance_types);
            read!(t, g.desired_size);
            read!(t, g.min_size);
            read!(t, g.max_size);
            read!(t, g.ami_type);
            read!(t, g.disk_size_gib);
            read!(t, g.labels);
            read!(t, g.tags);
            t.finish();
        }
        t.finish();
    }
    if let Some(mut t) = top.table(key!(pod_identity)) {
        let p = &mut c.pod_identity;
        read!(t, p.mode);
        read!(t, p.external_secrets_service_account);
        read!(t, p.external_dns_service_account);
        read!(t, p.load_balancer_controller_service_account);
        t.finish();
    }
    if let Some(mut t) = top.table(key!(database)) {
        let d = &mut c.database;
        read!(t, d.cluster_identifier);
        read!(t, d.instance_identifier_base);
        read!(t, d.engine_version);
        read!(t, d.instance_class);
        read!(t, d.instances);
        read!(t, d.port);
        read!(t, d.database_name);
        read!(t, d.master_username);
        read!(t, d.secret_name);
        read!(t, d.backup_retention_days);
        read!(t, d.monitoring_interval_seconds);
        read!(t, d.on_delete);
        read!(t, d.deletion_protection);
        t.finish();
    }
    if let Some(mut t) = top.table(key!(image_builder)) {
        let b = &mut c.image_builder;
        read!(t, b.project_name);
        read!(t, b.github_owner);
        read!(t, b.github_repo);
        read!(t, b.branch);
        read!(t, b.buildspec);
        read!(t, b.repositories);
        read!(t, b.on_delete);
        read!(t, b.log_retention_days);
        t.finish();
    }
    if let Some(mut t) = top.table(key!(db_migrator)) {
        let m = &mut c.db_migrator;
        read!(t, m.project_name);
        read!(t, m.repository);
        read!(t, m.image_tag);
        read!(t, m.log_retention_days);
        t.finish();
    }
    if let Some(mut t) = top.table(key!(dns)) {
        read!(t, c.dns.domain);
        read!(t, c.dns.comment);
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

/// Every key path of the configuration (for "did you mean" across tables), tables included.
pub(super) fn all_key_paths() -> Vec<String> {
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
    let mut paths = vec!["stack.region".to_owned(), "stack.env".to_owned()];
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

/// A value that can be an element of a list key.
pub(super) trait Element: Leaf {
    /// What stands in for an element that could not be read, so the others keep their indices; `None`
    /// when no value can stand in (then the list is not applied, and every element is still reported).
    fn stand_in() -> Option<Self> {
        None
    }
}

impl Element for String {
    // An element of the wrong type stands in as "" (its path is marked broken, so no rule judges it): the
    // other elements are still checked, with their own indices.
    fn stand_in() -> Option<Self> {
        Some(String::new())
    }
}
impl Element for InstanceType {}
impl<T: Choice> Element for T {}

impl<T: Element> Leaf for Vec<T> {
    fn expected() -> String {
        "a list of strings, such as [\"a\", \"b\"]".to_owned()
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        let DeValue::Array(items) = value.get_ref() else {
            ctx.wrong_type(path, value, &Self::expected());
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut complete = true;
        for (i, item) in items.iter().enumerate() {
            let item_path = element_path(path, i);
            match T::read(item, &item_path, ctx).or_else(T::stand_in) {
                Some(element) => out.push(element),
                None => complete = false,
            }
            ctx.spans.insert(item_path, item.span().start);
        }
        if complete {
            Some(out)
        } else {
            // Every element was judged on its own; rules over the whole list wait until all parse.
            ctx.broken.insert(path.to_owned());
            None
        }
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

/// Text values with their own parser ([`InvalidValue`] says what is wrong and what is allowed).
macro_rules! text_leaf {
    ($($name:ty => $expected:literal;)+) => {$(
        // "expected a string": what the TOML type must be; what the text may say comes with a bad value.
        impl Leaf for $name {
            fn expected() -> String {
                $expected.to_owned()
            }
            fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
                let DeValue::String(text) = value.get_ref() else {
                    ctx.wrong_type(path, value, &Self::expected());
                    return None;
                };
                match text.parse::<$name>() {
                    Ok(parsed) => Some(parsed),
                    Err(InvalidValue { message, help }) => {
                        ctx.invalid(path, value, message, help);
                        None
                    }
                }
            }
        }
    )+};
}

text_leaf! {
    KubernetesVersion => "a string";
    AuroraPostgresVersion => "a string";
    DbInstanceClass => "a string";
    InstanceType => "a string";
}

impl Leaf for RetentionDays {
    fn expected() -> String {
        "an integer number of days, such as 14".to_owned()
    }
    fn read(value: &Spanned<DeValue<'_>>, path: &str, ctx: &mut Ctx<'_>) -> Option<Self> {
        let days = u32::read(value, path, ctx)?;
        match RetentionDays::try_from(days) {
            Ok(retention) => Some(retention),
            Err(_) => {
                let below = RETENTION_DAYS.iter().rev().find(|&&d| d < days);
                let above = RETENTION_DAYS.iter().find(|&&d| d > days);
                let nearest = match (below, above) {
                    (Some(b), Some(a)) => format!("; the nearest are {b} and {a}"),
                    (Some(b), None) => format!("; the nearest is {b}"),
                    (None, Some(a)) => format!("; the nearest is {a}"),
                    (None, None) => String::new(),
                };
                let allowed = RETENTION_DAYS.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
                ctx.invalid(
                    path,
                    value,
                    "not a retention CloudWatch Logs offers".to_owned(),
                    format!("allowed (days): {allowed}{nearest}"),
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
            T::refused(text).to_owned(),
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
