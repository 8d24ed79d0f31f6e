//! Recorded AWS answers for the teardown's tests: a client over [`Replay`] and the answer shapes of
//! EC2 (query protocol) and ELBv2 (awsQuery), as AWS sends them.

#![allow(dead_code)]

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::SdkConfig;
use aws_types::region::Region;
use kumo_aws::replay::{Answer, Replay};
use kumo_aws::{Client, RetryPolicy};

pub fn sdk() -> SdkConfig {
    SdkConfig::builder()
        .region(Region::new("ap-northeast-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDRECORDED",
            "recorded-secret-key",
            None,
            None,
            "test",
        )))
        .build()
}

pub fn one_attempt() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
    }
}

pub fn client(replay: &Replay) -> Client {
    Client::builder(&sdk())
        .transport(replay.clone())
        .retry(one_attempt())
        .build()
        .unwrap()
}

pub fn ec2_ok(action: &str) -> Answer {
    Answer::xml(
        200,
        "ok",
        &format!(
            r#"<{action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><return>true</return></{action}Response>"#
        ),
    )
}

pub fn ec2_error(code: &str, message: &str) -> Answer {
    Answer::xml(
        400,
        "failed",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestID></Response>"#
        ),
    )
}

pub fn elb_ok(action: &str, result: &str) -> Answer {
    Answer::xml(
        200,
        "ok",
        &format!(
            r#"<{action}Response xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>83c88b9d-12b7-11e3-8b82-87b12EXAMPLE</RequestId></ResponseMetadata></{action}Response>"#
        ),
    )
}

pub fn elb_error(code: &str, message: &str) -> Answer {
    Answer::xml(
        400,
        "failed",
        &format!(
            r#"<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>a1b2c3d4-5e6f-11e3-8b82-87b12EXAMPLE</RequestId></ErrorResponse>"#
        ),
    )
}

/// An EC2 answer listing `items` in `set` (`securityGroupInfo`, `volumeSet`, ...).
pub fn ec2_items(action: &str, set: &str, items: &str) -> Answer {
    Answer::xml(
        200,
        "r",
        &format!(
            r#"<{action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><{set}>{items}</{set}></{action}Response>"#
        ),
    )
}
