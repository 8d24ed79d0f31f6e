//! Diagnostics on stderr through `tracing`: nothing by default; `-v` shows each AWS request (kumo's
//! own client and the SDK clients log one line per attempt: service, operation, status, duration,
//! request id, attempt); `-vv` adds endpoints, retry waits and which credential provider the SDK
//! chose. `RUST_LOG` replaces both: a comma-separated list of `target=level` directives or a bare level
//! (`tracing_subscriber`'s `Targets` syntax; span and field filters are not supported, which keeps
//! `tracing-subscriber`'s regex-based `env-filter` out of the build, see ARCHITECTURE.md).
//!
//! What `-v` and `-vv` enable never logs a header, a body or a credential (a test checks the output of
//! a deploy). The SDK's own runtime logs (`aws_smithy_runtime`) are left out on purpose: at `debug`
//! they print the access key id. `RUST_LOG` can enable them, and other crates' trace output that may
//! include request headers; the README says so.

use std::io::IsTerminal;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::output::errln;

/// The filter for each `-v` count.
fn directives(verbose: u8) -> Option<&'static str> {
    match verbose {
        0 => None,
        1 => Some("kumo=debug"),
        _ => Some("kumo=trace,kumo_deploy=debug,aws_config=debug"),
    }
}

pub fn init(verbose: u8) {
    let from_env = std::env::var("RUST_LOG").ok().filter(|v| !v.trim().is_empty());
    let filter = match from_env {
        Some(value) => match value.parse::<Targets>() {
            Ok(filter) => filter,
            Err(error) => {
                errln!(
                    "warning: RUST_LOG={value:?} is not a valid filter ({error}): use `target=level` directives, e.g. \
                     RUST_LOG=kumo=debug,aws_config=trace; ignoring it"
                );
                match directives(verbose) {
                    Some(directives) => parse(directives),
                    None => return,
                }
            }
        },
        None => match directives(verbose) {
            Some(directives) => parse(directives),
            None => return,
        },
    };
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        // The fmt subscriber's own default is INFO; `filter` alone decides what is shown.
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .finish()
        .with(filter)
        .try_init();
}

/// kumo's own directives, which are valid by construction (the unit test parses each one).
fn parse(directives: &str) -> Targets {
    directives.parse().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verbosity_has_a_valid_filter() {
        for verbose in 1..=3 {
            let directives = directives(verbose).unwrap();
            assert!(directives.parse::<Targets>().is_ok(), "{directives}");
        }
        assert!(directives(0).is_none());
    }

    #[test]
    fn rust_log_takes_target_level_lists_and_refuses_the_rest() {
        assert!("kumo=debug,aws_config=trace".parse::<Targets>().is_ok());
        assert!("debug".parse::<Targets>().is_ok());
        assert!("kumo=loud".parse::<Targets>().is_err());
    }
}
