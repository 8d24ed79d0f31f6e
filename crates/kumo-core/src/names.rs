//! One set of rules for what CloudFormation and AWS accept as stack names, regions and tags.
//!
//! Every path that takes one of these from a user — `kumo.toml`, `--stack-name`, `--tag`, `--region`,
//! `Stack::add_tag` in code — checks it here, so the same value is accepted or refused the same way
//! everywhere. Each check returns `Err(reason)` about this particular value; the matching `*_RULE`
//! constant says what is allowed, so a message can carry both.

/// CloudFormation's limit on tags per resource, and on stack tags (which it propagates to every
/// resource that supports tags, on top of the resource's own).
pub const MAX_TAGS: usize = 50;
/// Longest tag key, in characters.
pub const MAX_TAG_KEY: usize = 128;
/// Longest tag value, in characters.
pub const MAX_TAG_VALUE: usize = 256;
/// Tag key prefixes AWS keeps for itself. AWS compares them without regard to letter case (`AWS:x` is
/// refused like `aws:x`), and so does kumo.
pub const RESERVED_TAG_PREFIXES: &[&str] = &["aws:"];

type Check = Result<(), String>;

/// `value`'s length in characters against `min..=max`, as a reason ("is empty", "is 300 characters long
/// (maximum 256)"). Shared with the blueprint's other naming rules.
pub fn length(value: &str, min: usize, max: usize) -> Check {
    let n = value.chars().count();
    if n < min {
        return Err(if n == 0 {
            "is empty".to_owned()
        } else {
            format!("is {n} characters long (minimum {min})")
        });
    }
    if n > max {
        return Err(format!("is {n} characters long (maximum {max})"));
    }
    Ok(())
}

/// The first character outside `allowed`, as a reason ("contains '_'").
pub fn only(value: &str, allowed: impl Fn(char) -> bool) -> Check {
    match value.chars().find(|&c| !allowed(c)) {
        Some(c) => Err(format!("contains {c:?}")),
        None => Ok(()),
    }
}

pub const STACK_NAME_RULE: &str =
    "a CloudFormation stack name: 1-128 characters, letters, digits and hyphens, starting with a letter";

/// A CloudFormation stack name.
pub fn stack_name(value: &str) -> Check {
    length(value, 1, 128)?;
    match value.chars().next() {
        Some(c) if !c.is_ascii_alphabetic() => return Err(format!("starts with {c:?} instead of a letter")),
        _ => {}
    }
    only(value, |c| c.is_ascii_alphanumeric() || c == '-')
}

/// What the time-to-live's reaper stack adds to its stack's name.
pub const REAPER_SUFFIX: &str = "-ttl";

/// The name of the stack that holds `stack`'s time-to-live reaper (`<stack>-ttl`); an error when that
/// name would pass CloudFormation's 128 characters.
pub fn reaper_stack(stack: &str) -> Result<String, String> {
    let name = format!("{stack}{REAPER_SUFFIX}");
    stack_name(&name).map_err(|why| {
        format!(
            "its time-to-live stack {name:?} {why}: a stack with a time-to-live has a name of at most {} characters",
            128 - REAPER_SUFFIX.len()
        )
    })?;
    Ok(name)
}

pub const ENVIRONMENT_RULE: &str = "an environment name: 1-20 characters, lowercase letters, digits and single \
     hyphens, starting with a letter and ending with a letter or digit (it goes into ECR repository, RDS and IAM \
     names)";

/// An environment name (`--env`, `[stack] env`): the suffix of every physical name of its copy.
pub fn environment(value: &str) -> Check {
    length(value, 1, 20)?;
    match value.chars().next() {
        Some(c) if !c.is_ascii_lowercase() => return Err(format!("starts with {c:?} instead of a lowercase letter")),
        _ => {}
    }
    only(value, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')?;
    if value.ends_with('-') || value.contains("--") {
        return Err("ends with a hyphen or has two in a row".to_owned());
    }
    Ok(())
}

pub const REGION_RULE: &str = "an AWS region code such as \"us-east-1\" or \"ap-northeast-1\" (lowercase)";

/// The shape of an AWS region code (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-central-2`).
/// New regions keep this shape, so the check does not need a list that goes stale.
pub fn region(value: &str) -> Check {
    let parts: Vec<&str> = value.split('-').collect();
    let last = parts.last().copied().unwrap_or_default();
    let well_formed = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && !last.is_empty()
        && last.len() <= 2
        && last.chars().all(|c| c.is_ascii_digit());
    if well_formed {
        Ok(())
    } else {
        Err("is not a region code".to_owned())
    }
}

pub const TAG_RULE: &str = "AWS tags: key 1-128 characters, value at most 256, letters, digits, spaces and \
     _ . : / = + - @ only, and no key starting with \"aws:\" in any letter case (reserved for AWS)";

fn tag_text(value: &str) -> Check {
    only(value, |c| {
        c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
    })
}

/// The reserved prefix `key` starts with, in any letter case.
pub fn reserved_tag_prefix(key: &str) -> Option<&'static str> {
    RESERVED_TAG_PREFIXES.iter().copied().find(|prefix| {
        key.get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    })
}

/// A tag key: length, characters, and no reserved prefix in any letter case.
pub fn tag_key(key: &str) -> Check {
    length(key, 1, MAX_TAG_KEY)?;
    if let Some(prefix) = reserved_tag_prefix(key) {
        return Err(format!(
            "starts with the reserved prefix {prefix:?} (in any letter case)"
        ));
    }
    tag_text(key)
}

/// A tag value: length and characters.
pub fn tag_value(value: &str) -> Check {
    length(value, 0, MAX_TAG_VALUE)?;
    tag_text(value)
}

/// How many tags a resource ends up with once CloudFormation adds the stack's tags to its own (a key
/// the resource sets itself counts once), and whether that is over [`MAX_TAGS`].
pub fn tags_after_propagation<'a>(
    own: impl IntoIterator<Item = &'a str>,
    stack: impl IntoIterator<Item = &'a str>,
) -> Check {
    let mut keys: Vec<&str> = own.into_iter().chain(stack).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.len() > MAX_TAGS {
        Err(format!(
            "would carry {} tags once the stack's tags are added; AWS allows at most {MAX_TAGS} per resource",
            keys.len()
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_prefixes_are_refused_in_any_letter_case() {
        for key in ["aws:x", "AWS:x", "Aws:cloudformation:stack-name", "aWs:"] {
            assert!(tag_key(key).is_err(), "{key}");
            assert_eq!(reserved_tag_prefix(key), Some("aws:"), "{key}");
        }
        for key in ["kumo:blueprint", "awsx", "aws", "my-aws:x", "é"] {
            assert!(reserved_tag_prefix(key).is_none(), "{key}");
        }
        assert!(tag_key("team").is_ok());
        assert!(tag_key("").is_err());
        assert!(tag_key(&"k".repeat(129)).is_err());
        assert!(tag_value(&"v".repeat(256)).is_ok());
        assert!(tag_value(&"v".repeat(257)).is_err());
        assert!(tag_value("a\u{0}b").is_err());
    }

    #[test]
    fn stack_names_and_regions() {
        assert!(stack_name("My-Stack1").is_ok());
        for bad in ["", "1abc", "a_b", "a b", "é"] {
            assert!(stack_name(bad).is_err(), "{bad}");
        }
        assert!(stack_name(&"a".repeat(129)).is_err());
        assert_eq!(reaper_stack("App-dev").unwrap(), "App-dev-ttl");
        assert!(reaper_stack(&"a".repeat(124)).is_ok());
        let err = reaper_stack(&"a".repeat(125)).unwrap_err();
        assert!(err.contains("at most 124 characters"), "{err}");
        for good in [
            "us-east-1",
            "ap-northeast-1",
            "us-gov-west-1",
            "eu-central-2",
            "cn-north-1",
        ] {
            assert!(region(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-1a",
            "us-east-123",
            "-us-east-1",
            "u-east-1",
        ] {
            assert!(region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn propagated_tags_count_each_key_once() {
        let own: Vec<String> = (0..45).map(|i| format!("own{i}")).collect();
        let stack: Vec<String> = (0..5).map(|i| format!("stack{i}")).collect();
        assert!(tags_after_propagation(own.iter().map(String::as_str), stack.iter().map(String::as_str)).is_ok());
        let more: Vec<String> = (0..6).map(|i| format!("stack{i}")).collect();
        let error =
            tags_after_propagation(own.iter().map(String::as_str), more.iter().map(String::as_str)).unwrap_err();
        assert!(error.contains("51 tags"), "{error}");
        // A key on both sides is one tag.
        assert!(tags_after_propagation(own.iter().map(String::as_str), own[..5].iter().map(String::as_str)).is_ok());
    }
}
