//! Templates over the 51,200-byte inline limit, against the local moto endpoint: kumo creates its
//! staging bucket on first need (checked through the S3 API: encryption, public access block, one-day
//! expiry), uploads the template and CloudFormation reads it from there (`TemplateURL`).

mod support;

use kumo_deploy::Engine;
use kumo_deploy::deploy::{DeployOutcome, DeployRequest, deploy};
use kumo_deploy::stack_state::StackStatus;
use kumo_deploy::staging::Staging;
use kumo_deploy::ui::Note;
use kumo_testkit::moto::{ACCOUNT, MotoServer, REGION};
use support::recorder::Recorder;

fn big_template(group: &str) -> String {
    serde_json::json!({
        "Description": "a template over the inline limit",
        "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Metadata": {"Padding": "x".repeat(60_000)},
            "Properties": {"LogGroupName": group, "RetentionInDays": 1}}}
    })
    .to_string()
}

fn request(stack: &str, body: String) -> DeployRequest {
    DeployRequest {
        stack_name: stack.into(),
        template: support::template(&body),
        parameters: vec![],
        tags: vec![],
        termination_protection: false,
        disable_rollback: false,
        timeout: None,
        assume_yes: true,
        adopt: false,
    }
}

#[tokio::test]
async fn big_templates_go_through_a_hardened_staging_bucket() {
    let moto = MotoServer::exclusive();
    let config = moto.sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let engine = Engine::new(aws_sdk_cloudformation::Client::new(&config)).with_staging(Staging::new(
        s3.clone(),
        aws_sdk_sts::Client::new(&config),
        REGION,
        None,
    ));

    let mut ui = Recorder::non_interactive();
    let outcome = deploy(&engine, &request("staged", big_template("/kumo/staged")), &mut ui)
        .await
        .expect("deployed");
    assert!(
        matches!(outcome, DeployOutcome::Deployed { ref status, .. } if *status == StackStatus::CreateComplete),
        "{outcome:?}"
    );

    let bucket = format!("kumo-staging-{ACCOUNT}-{REGION}");
    let staged = ui.notes.iter().find_map(|n| match n {
        Note::TemplateStaged {
            bucket,
            key,
            created_bucket,
        } => Some((bucket.clone(), key.clone(), *created_bucket)),
        _ => None,
    });
    let (noted_bucket, key, created) = staged.expect("the template was staged");
    assert_eq!((noted_bucket.as_str(), created), (bucket.as_str(), true));
    assert!(key.starts_with("staged/") && key.ends_with(".template"), "{key}");

    // The bucket, as S3 reports it.
    let encryption = s3.get_bucket_encryption().bucket(&bucket).send().await.unwrap();
    let rule = &encryption.server_side_encryption_configuration().unwrap().rules()[0];
    assert_eq!(
        rule.apply_server_side_encryption_by_default()
            .unwrap()
            .sse_algorithm()
            .as_str(),
        "AES256"
    );
    let block = s3.get_public_access_block().bucket(&bucket).send().await.unwrap();
    let block = block.public_access_block_configuration().unwrap();
    assert_eq!(
        (
            block.block_public_acls(),
            block.ignore_public_acls(),
            block.block_public_policy(),
            block.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    let lifecycle = s3
        .get_bucket_lifecycle_configuration()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let expiry = lifecycle.rules()[0].expiration().and_then(|e| e.days());
    assert_eq!(expiry, Some(1));
    let object = s3.head_object().bucket(&bucket).key(&key).send().await.unwrap();
    assert_eq!(object.content_length(), Some(big_template("/kumo/staged").len() as i64));

    // The stack was created from the staged template: its log group exists.
    let groups = moto.service_call(
        "logs",
        "describe_log_groups",
        serde_json::json!({"logGroupNamePrefix": "/kumo/staged"}),
    );
    let names: Vec<&str> = groups["logGroups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["logGroupName"].as_str())
        .collect();
    assert_eq!(names, ["/kumo/staged"]);

    // The next big template reuses the bucket (and says it did not create one).
    let mut ui = Recorder::non_interactive();
    deploy(
        &engine,
        &request("staged-two", big_template("/kumo/staged-two")),
        &mut ui,
    )
    .await
    .expect("deployed");
    assert!(
        ui.has_note(|n| matches!(
            n,
            Note::TemplateStaged {
                created_bucket: false,
                ..
            }
        )),
        "{:?}",
        ui.notes
    );
}

#[tokio::test]
async fn a_named_staging_bucket_must_exist() {
    let moto = MotoServer::exclusive();
    let config = moto.sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let engine = Engine::new(aws_sdk_cloudformation::Client::new(&config)).with_staging(Staging::new(
        s3,
        aws_sdk_sts::Client::new(&config),
        REGION,
        Some("no-such-bucket-kumo".into()),
    ));
    let result = deploy(
        &engine,
        &request("staged", big_template("/kumo/x")),
        &mut Recorder::non_interactive(),
    )
    .await;
    let Err(error) = result else { panic!("{result:?}") };
    assert!(
        error
            .to_string()
            .starts_with("staging bucket no-such-bucket-kumo: cannot upload the template"),
        "{error}"
    );
    // Nothing was created.
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    assert!(cfn.describe_stacks().stack_name("staged").send().await.is_err());
}
