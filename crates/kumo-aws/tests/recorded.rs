//! The client's retry, error, signing and endpoint behaviour against recorded AWS answers (throttling,
//! 5xx pages, timeouts, error bodies of each protocol). The real protocols against a live endpoint are
//! in `moto.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::SdkConfig;
use aws_types::region::Region;
use kumo_aws::replay::{Answer, Replay};
use kumo_aws::services::{codebuild, ec2, eks, iam, service_quotas};
use kumo_aws::{AwsError, Client, ErrorKind, Observer, RetryPolicy, Stop};

const THROTTLED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>throttled-1</RequestID></Response>"#;

const ADDRESSES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeAddressesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>f7de5e98-491a-4c19-a92d-908d6EXAMPLE</requestId>
    <addressesSet>
        <item>
            <publicIp>203.0.113.41</publicIp>
            <allocationId>eipalloc-08229861</allocationId>
            <domain>vpc</domain>
        </item>
    </addressesSet>
</DescribeAddressesResponse>"#;

fn sdk(session_token: Option<&str>) -> SdkConfig {
    SdkConfig::builder()
        .region(Region::new("ap-northeast-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDRECORDED",
            "recorded-secret-key",
            session_token.map(str::to_owned),
            None,
            "test",
        )))
        .build()
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    }
}

fn client(replay: &Replay, max_attempts: u32) -> Client {
    Client::builder(&sdk(None))
        .transport(replay.clone())
        .retry(fast_retries(max_attempts))
        .build()
        .unwrap()
}

#[tokio::test]
async fn throttling_is_retried_until_it_succeeds() {
    let replay = Replay::new()
        .on("DescribeAddresses", Answer::xml(503, "throttled-1", THROTTLED))
        .on("DescribeAddresses", Answer::Timeout)
        .on("DescribeAddresses", Answer::xml(200, "ok-3", ADDRESSES));
    let addresses = ec2::describe_addresses(&client(&replay, 3)).await.unwrap();
    assert_eq!(addresses.len(), 1);
    assert_eq!(addresses[0].public_ip, "203.0.113.41");
    assert_eq!(replay.operations(), ["DescribeAddresses"; 3]);
}

/// Records what the client reports.
#[derive(Default)]
struct Seen(std::sync::Mutex<Vec<String>>);

impl Observer for Seen {
    fn attempt_started(&self, service: &str, operation: &str, attempt: u32) {
        self.0
            .lock()
            .unwrap()
            .push(format!("start {service} {operation} {attempt}"));
    }
    fn attempt_finished(&self, _service: &str, operation: &str, succeeded: bool) {
        self.0.lock().unwrap().push(format!("end {operation} {succeeded}"));
    }
    fn retrying(&self, error: &AwsError, next_attempt: u32) {
        let reason = error
            .code()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{:?}", error.kind));
        self.0.lock().unwrap().push(format!("retry {next_attempt}: {reason}"));
    }
}

#[tokio::test]
async fn the_observer_sees_each_attempt_and_each_retry() {
    let replay = Replay::new()
        .on("DescribeAddresses", Answer::xml(503, "throttled-1", THROTTLED))
        .on("DescribeAddresses", Answer::Timeout)
        .on("DescribeAddresses", Answer::xml(200, "ok-3", ADDRESSES));
    let seen = Arc::new(Seen::default());
    let client = Client::builder(&sdk(None))
        .transport(replay)
        .retry(fast_retries(3))
        .observer(seen.clone())
        .build()
        .unwrap();
    ec2::describe_addresses(&client).await.unwrap();
    assert_eq!(
        *seen.0.lock().unwrap(),
        [
            "start EC2 DescribeAddresses 1",
            "end DescribeAddresses false",
            "retry 2: RequestLimitExceeded",
            "start EC2 DescribeAddresses 2",
            "end DescribeAddresses false",
            "retry 3: Timeout",
            "start EC2 DescribeAddresses 3",
            "end DescribeAddresses true",
        ]
    );
}

#[tokio::test]
async fn retries_are_bounded_and_the_last_error_is_reported() {
    let replay = Replay::new()
        .on("DescribeAddresses", Answer::html(500, "500 Internal Server Error"))
        .on("DescribeAddresses", Answer::html(502, "502 Bad Gateway"))
        .on("DescribeAddresses", Answer::xml(503, "throttled-3", THROTTLED))
        .on("DescribeAddresses", Answer::xml(200, "never", ADDRESSES));
    let error = ec2::describe_addresses(&client(&replay, 3)).await.unwrap_err();
    assert_eq!(error.attempts, 3);
    assert_eq!(error.code(), Some("RequestLimitExceeded"));
    assert_eq!(error.request_id.as_deref(), Some("throttled-3"));
    assert_eq!(
        error.to_string(),
        "EC2 DescribeAddresses: RequestLimitExceeded: Request limit exceeded. (after 3 attempts) (request id throttled-3)"
    );
    assert_eq!(replay.operations().len(), 3, "no fourth attempt");
}

#[tokio::test]
async fn client_errors_are_not_retried_and_carry_code_message_and_request_id() {
    let body = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:GetUser</Message></Error>
  <RequestId>6a1b2c3d-iam</RequestId>
</ErrorResponse>"#;
    let replay = Replay::new().on("GetUser", Answer::xml(403, "6a1b2c3d-iam", body));
    let error = iam::get_user(&client(&replay, 3), "bob").await.unwrap_err();
    assert_eq!(error.attempts, 1);
    assert!(error.is_access_denied());
    assert_eq!(error.request_id.as_deref(), Some("6a1b2c3d-iam"));
    assert!(
        error
            .to_string()
            .starts_with("IAM GetUser: AccessDenied: User: arn:aws:iam"),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_entity_is_an_answer_not_an_error() {
    let body = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error>
  <RequestId>nse-1</RequestId>
</ErrorResponse>"#;
    let replay = Replay::new().on("GetUser", Answer::xml(404, "nse-1", body));
    assert_eq!(iam::get_user(&client(&replay, 3), "bob").await.unwrap(), None);
}

#[tokio::test]
async fn json_errors_and_html_pages() {
    let replay = Replay::new()
        .on(
            "GetServiceQuota",
            Answer::json(
                400,
                "sq-1",
                None,
                r#"{"__type":"com.amazonaws.servicequotas.model#AccessDeniedException","Message":"no"}"#,
            ),
        )
        .on("GET /cluster-versions", Answer::html(404, "404 Not Found"))
        .on(
            "ListSourceCredentials",
            Answer::json(400, "cb-1", Some("InvalidInputException"), r#"{"message":"bad"}"#),
        );
    let client = client(&replay, 3);
    let error = service_quotas::get_service_quota(&client, "ec2", "L-0263D0A3")
        .await
        .unwrap_err();
    assert!(error.is_access_denied(), "{error}");
    assert_eq!(error.request_id.as_deref(), Some("sq-1"));
    let error = eks::describe_cluster_versions(&client, &["1.36".into()])
        .await
        .unwrap_err();
    assert!(error.is_unsupported(), "{error}");
    assert_eq!(
        error.kind,
        ErrorKind::Response {
            status: 404,
            detail: "404 Not Found".into()
        }
    );
    let error = codebuild::list_source_credentials(&client).await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidInputException"));
    assert_eq!(error.message(), Some("bad"));
}

#[tokio::test]
async fn requests_are_signed_for_the_right_endpoint_and_region() {
    let replay = Replay::new()
        .on("DescribeAddresses", Answer::xml(200, "a", ADDRESSES))
        .on(
            "GetRole",
            Answer::xml(
                200,
                "b",
                r#"<GetRoleResponse><GetRoleResult><Role><Path>/aws-reserved/sso.amazonaws.com/</Path><RoleName>Admin</RoleName><Arn>arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/Admin</Arn></Role></GetRoleResult></GetRoleResponse>"#,
            ),
        );
    let client = Client::builder(&sdk(Some("session-token-value")))
        .transport(replay.clone())
        .retry(fast_retries(1))
        .build()
        .unwrap();
    ec2::describe_addresses(&client).await.unwrap();
    let role = iam::get_role(&client, "Admin").await.unwrap().unwrap();
    assert_eq!(role.path, "/aws-reserved/sso.amazonaws.com/");
    let requests = replay.requests();
    let header = |i: usize, name: &str| -> String {
        requests[i]
            .1
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(requests[0].1.uri, "https://ec2.ap-northeast-1.amazonaws.com/");
    assert!(
        header(0, "authorization").contains("Credential=AKIDRECORDED/")
            && header(0, "authorization").contains("/ap-northeast-1/ec2/aws4_request"),
        "{}",
        header(0, "authorization")
    );
    assert_eq!(header(0, "x-amz-security-token"), "session-token-value");
    assert!(!header(0, "x-amz-date").is_empty());
    assert!(header(0, "user-agent").starts_with("kumo/"));
    // IAM: the global endpoint, signed for us-east-1 whatever the client's region.
    assert_eq!(requests[1].1.uri, "https://iam.amazonaws.com/");
    assert!(header(1, "authorization").contains("/us-east-1/iam/aws4_request"));
    assert_eq!(
        String::from_utf8(requests[1].1.body.clone()).unwrap(),
        "Action=GetRole&Version=2010-05-08&RoleName=Admin"
    );
}

#[tokio::test]
async fn a_custom_endpoint_takes_every_service() {
    let replay = Replay::new().on("GetUser", Answer::xml(200, "u", "<GetUserResponse><GetUserResult><User><UserName>alice</UserName><Arn>arn:aws:iam::1:user/alice</Arn></User></GetUserResult></GetUserResponse>"));
    let config = sdk(None).into_builder().endpoint_url("http://127.0.0.1:4566/").build();
    let client = Client::builder(&config)
        .transport(replay.clone())
        .retry(fast_retries(1))
        .build()
        .unwrap();
    let user = iam::get_user(&client, "alice").await.unwrap().unwrap();
    assert_eq!(user.path, "/");
    let (_, request) = &replay.requests()[0];
    assert_eq!(request.uri, "http://127.0.0.1:4566/");
    let authorization = request
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(
        authorization.contains("/ap-northeast-1/iam/aws4_request"),
        "{authorization}"
    );
}

#[tokio::test]
async fn nothing_is_sent_after_a_stop() {
    let stopped = Arc::new(AtomicBool::new(true));
    let flag = stopped.clone();
    let replay = Replay::new().on("DescribeAddresses", Answer::xml(200, "a", ADDRESSES));
    let client = Client::builder(&sdk(None))
        .transport(replay.clone())
        .stop(Stop::new(
            move || flag.load(Ordering::SeqCst),
            || Box::pin(std::future::ready(())),
        ))
        .build()
        .unwrap();
    let error = ec2::describe_addresses(&client).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Interrupted);
    assert!(replay.operations().is_empty(), "a request was sent after the stop");
}

#[tokio::test]
async fn a_stop_during_back_off_ends_the_retries() {
    let replay = Replay::new()
        .on("DescribeAddresses", Answer::xml(503, "throttled-1", THROTTLED))
        .on("DescribeAddresses", Answer::xml(200, "never", ADDRESSES));
    // The stop arrives while the client waits to retry (the back-off is long; the stop future is ready).
    let client = Client::builder(&sdk(None))
        .transport(replay.clone())
        .retry(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(60),
            max_backoff: Duration::from_secs(60),
        })
        .stop(Stop::new(|| false, || Box::pin(std::future::ready(()))))
        .build()
        .unwrap();
    let error = ec2::describe_addresses(&client).await.unwrap_err();
    assert_eq!(error.code(), Some("RequestLimitExceeded"));
    assert_eq!(replay.operations().len(), 1, "no attempt after the stop");
}

#[tokio::test]
async fn missing_credentials_fail_before_sending() {
    let replay = Replay::new();
    let config = SdkConfig::builder().region(Region::new("eu-west-1")).build();
    let client = Client::builder(&config).transport(replay.clone()).build().unwrap();
    let error = ec2::describe_addresses(&client).await.unwrap_err();
    assert!(matches!(error.kind, ErrorKind::Credentials { .. }), "{error:?}");
    assert!(replay.operations().is_empty());
    assert!(
        Client::builder(&SdkConfig::builder().build()).build().is_err(),
        "no region"
    );
}

/// The time-to-live reaper's last run, as `kumo status` reads it: the newest execution, then its error
/// and cause (Step Functions, awsJson 1.0; epoch-second timestamps as the service sends them).
#[tokio::test]
async fn the_reapers_last_execution_and_its_error() {
    use kumo_aws::services::stepfunctions;
    let arn = "arn:aws:states:ap-northeast-1:123456789012:execution:reaper:e2";
    let replay = Replay::new()
        .on(
            "ListExecutions",
            Answer::json(
                200,
                "r1",
                None,
                &serde_json::json!({"executions": [{"executionArn": arn, "status": "FAILED"}]}).to_string(),
            ),
        )
        .on(
            "DescribeExecution",
            Answer::json(
                200,
                "r2",
                None,
                &serde_json::json!({
                    "executionArn": arn, "status": "FAILED", "startDate": 1796083200.5, "stopDate": 1796084100.0,
                    "error": "Kumo.Retry",
                    "cause": "The security group 'sg-1' has a dependent object (Service: Ec2, Status Code: 400, Error Code: DependencyViolation, Request ID: x)"
                })
                .to_string(),
            ),
        );
    let last = stepfunctions::last_execution(
        &client(&replay, 1),
        "arn:aws:states:ap-northeast-1:123456789012:stateMachine:reaper",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(last.arn, arn);
    assert_eq!(last.status, "FAILED");
    assert_eq!(last.error.as_deref(), Some("Kumo.Retry"));
    assert!(last.cause.unwrap().contains("DependencyViolation"));
    assert_eq!(last.stopped, Some(1796084100.0));
    let never = Replay::new().on("ListExecutions", Answer::json(200, "r3", None, r#"{"executions": []}"#));
    assert_eq!(
        stepfunctions::last_execution(&client(&never, 1), "arn:x")
            .await
            .unwrap(),
        None
    );
}

// ---- Exports and imports (issue 16: cross-stack references of an app) ----

#[tokio::test]
async fn exports_are_read_across_pages_and_imports_named() {
    use kumo_aws::services::cloudformation::{Export, list_exports, list_imports};
    let page = |members: &str, token: &str| {
        format!(
            "<ListExportsResponse><ListExportsResult><Exports>{members}</Exports>{token}</ListExportsResult></ListExportsResponse>"
        )
    };
    let member = |name: &str, value: &str| {
        format!(
            "<member><ExportingStackId>arn:aws:cloudformation:ap-northeast-1:1:stack/Net/1</ExportingStackId>\
             <Name>{name}</Name><Value>{value}</Value></member>"
        )
    };
    let replay = Replay::new()
        .on(
            "ListExports",
            Answer::xml(
                200,
                "e1",
                &page(&member("Net:Vpc", "vpc-1"), "<NextToken>t2</NextToken>"),
            ),
        )
        .on(
            "ListExports",
            Answer::xml(200, "e2", &page(&member("Net:Vpc:CidrBlock", "10.0.0.0/16"), "")),
        )
        .on(
            "ListImports",
            Answer::xml(
                200,
                "i1",
                "<ListImportsResponse><ListImportsResult><Imports><member>Svc</member><member>Jobs</member></Imports>\
                 </ListImportsResult></ListImportsResponse>",
            ),
        )
        .on(
            "ListImports",
            Answer::xml(
                400,
                "i2",
                "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>\
                 <Message>Export 'Net:Vpc:CidrBlock' is not imported by any stack.</Message></Error></ErrorResponse>",
            ),
        );
    let client = client(&replay, 1);
    let exports = list_exports(&client).await.unwrap();
    assert_eq!(
        exports,
        [
            Export {
                name: "Net:Vpc".into(),
                value: "vpc-1".into(),
                exporting_stack_id: "arn:aws:cloudformation:ap-northeast-1:1:stack/Net/1".into()
            },
            Export {
                name: "Net:Vpc:CidrBlock".into(),
                value: "10.0.0.0/16".into(),
                exporting_stack_id: "arn:aws:cloudformation:ap-northeast-1:1:stack/Net/1".into()
            },
        ]
    );
    assert!(String::from_utf8_lossy(&replay.requests()[1].1.body).contains("NextToken=t2"));
    assert_eq!(list_imports(&client, "Net:Vpc").await.unwrap(), ["Svc", "Jobs"]);
    assert!(list_imports(&client, "Net:Vpc:CidrBlock").await.unwrap().is_empty());
}
