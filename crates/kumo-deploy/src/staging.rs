//! The staging bucket for templates over CloudFormation's 51,200-byte inline limit.
//!
//! With `--staging-bucket NAME` kumo uploads there (the bucket must exist). Otherwise it uses
//! `kumo-staging-<account>-<region>`, creating it on first need with the least it needs: SSE-S3
//! encryption by default, every public-access block on, object ownership enforced (no ACLs), and a
//! lifecycle rule that expires objects (and abandoned multipart uploads) after one day — a template is
//! only read while CloudFormation creates the change set. If hardening a new bucket fails, the bucket is
//! deleted again rather than left half-configured.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, BucketLocationConstraint, CreateBucketConfiguration,
    ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, ObjectOwnership, OwnershipControls,
    OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};

use crate::api_error::{ApiError, ApiResult};
use crate::error::DeployError;

/// S3 + STS access for staging. `bucket`: the user's bucket, or `None` for kumo's own.
#[derive(Clone, Debug)]
pub struct Staging {
    s3: aws_sdk_s3::Client,
    sts: aws_sdk_sts::Client,
    region: String,
    bucket: Option<String>,
}

/// An uploaded template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staged {
    pub bucket: String,
    pub key: String,
    pub url: String,
    pub created_bucket: bool,
}

impl Staging {
    pub fn new(
        s3: aws_sdk_s3::Client,
        sts: aws_sdk_sts::Client,
        region: impl Into<String>,
        bucket: Option<String>,
    ) -> Self {
        Staging {
            s3,
            sts,
            region: region.into(),
            bucket,
        }
    }

    /// Uploads `body` for `stack`; returns the `TemplateURL` to use.
    pub async fn stage(&self, stack: &str, body: &str) -> Result<Staged, DeployError> {
        let (bucket, created_bucket, owner) = match &self.bucket {
            Some(bucket) => (bucket.clone(), false, None),
            None => {
                let account = self.account().await?;
                let bucket = format!("kumo-staging-{account}-{}", self.region);
                let created = self.ensure_own_bucket(&bucket, &account).await?;
                (bucket, created, Some(account))
            }
        };
        let key = format!("{stack}/{}.template", kumo_core::template::sha256_hex(body.as_bytes()));
        self.s3
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .set_expected_bucket_owner(owner)
            .content_type(if body.trim_start().starts_with('{') {
                "application/json"
            } else {
                "application/yaml"
            })
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .api("PutObject")
            .map_err(|e| staging_error(&bucket, "cannot upload the template", e))?;
        let url = format!("https://{bucket}.s3.{}.{}/{key}", self.region, dns_suffix(&self.region));
        Ok(Staged {
            bucket,
            key,
            url,
            created_bucket,
        })
    }

    async fn account(&self) -> Result<String, DeployError> {
        let identity = self.sts.get_caller_identity().send().await.api("GetCallerIdentity")?;
        identity
            .account()
            .map(str::to_owned)
            .ok_or_else(|| DeployError::Staging {
                bucket: format!("kumo-staging-?-{}", self.region),
                message: "STS did not return the account id".to_owned(),
                hint: "pass --staging-bucket NAME to name a bucket yourself".to_owned(),
                source: None,
            })
    }

    /// Makes sure kumo's bucket exists and is this account's. Returns whether it was created now.
    async fn ensure_own_bucket(&self, bucket: &str, account: &str) -> Result<bool, DeployError> {
        match self
            .s3
            .head_bucket()
            .bucket(bucket)
            .expected_bucket_owner(account)
            .send()
            .await
            .api("HeadBucket")
        {
            Ok(_) => return Ok(false),
            Err(error) if is_status(&error, "NotFound") => {}
            Err(error) if is_status(&error, "Forbidden") => {
                return Err(DeployError::Staging {
                    bucket: bucket.to_owned(),
                    message: "the bucket exists but belongs to another account".to_owned(),
                    hint: "pass --staging-bucket NAME with a bucket of your own".to_owned(),
                    source: Some(Box::new(error)),
                });
            }
            Err(error) => return Err(staging_error(bucket, "cannot check the bucket", error)),
        }
        let mut create = self
            .s3
            .create_bucket()
            .bucket(bucket)
            .object_ownership(ObjectOwnership::BucketOwnerEnforced);
        // us-east-1 is the one region that rejects an explicit location constraint.
        if self.region != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(self.region.as_str()))
                    .build(),
            );
        }
        match create.send().await.api("CreateBucket") {
            Ok(_) => {}
            // Another kumo run created it a moment ago.
            Err(error) if error.code() == Some("BucketAlreadyOwnedByYou") => return Ok(false),
            Err(error) => return Err(staging_error(bucket, "cannot create the bucket", error)),
        }
        if let Err(error) = self.harden(bucket, account).await {
            let _ = self
                .s3
                .delete_bucket()
                .bucket(bucket)
                .expected_bucket_owner(account)
                .send()
                .await;
            return Err(staging_error(
                bucket,
                "cannot secure the new bucket (it was deleted again)",
                error,
            ));
        }
        Ok(true)
    }

    async fn harden(&self, bucket: &str, account: &str) -> Result<(), ApiError> {
        self.s3
            .put_public_access_block()
            .bucket(bucket)
            .expected_bucket_owner(account)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .api("PutPublicAccessBlock")?;
        self.s3
            .put_bucket_ownership_controls()
            .bucket(bucket)
            .expected_bucket_owner(account)
            .ownership_controls(
                OwnershipControls::builder()
                    .rules(
                        OwnershipControlsRule::builder()
                            .object_ownership(ObjectOwnership::BucketOwnerEnforced)
                            .build()
                            .expect("ownership set"),
                    )
                    .build()
                    .expect("rules set"),
            )
            .send()
            .await
            .api("PutBucketOwnershipControls")?;
        self.s3
            .put_bucket_encryption()
            .bucket(bucket)
            .expected_bucket_owner(account)
            .server_side_encryption_configuration(
                ServerSideEncryptionConfiguration::builder()
                    .rules(
                        ServerSideEncryptionRule::builder()
                            .apply_server_side_encryption_by_default(
                                ServerSideEncryptionByDefault::builder()
                                    .sse_algorithm(ServerSideEncryption::Aes256)
                                    .build()
                                    .expect("algorithm set"),
                            )
                            .bucket_key_enabled(true)
                            .build(),
                    )
                    .build()
                    .expect("rules set"),
            )
            .send()
            .await
            .api("PutBucketEncryption")?;
        self.s3
            .put_bucket_lifecycle_configuration()
            .bucket(bucket)
            .expected_bucket_owner(account)
            .lifecycle_configuration(
                BucketLifecycleConfiguration::builder()
                    .rules(
                        LifecycleRule::builder()
                            .id("kumo-expire-staged-templates")
                            .status(ExpirationStatus::Enabled)
                            .filter(LifecycleRuleFilter::builder().prefix("").build())
                            .expiration(LifecycleExpiration::builder().days(1).build())
                            .abort_incomplete_multipart_upload(
                                AbortIncompleteMultipartUpload::builder()
                                    .days_after_initiation(1)
                                    .build(),
                            )
                            .build()
                            .expect("status set"),
                    )
                    .build()
                    .expect("rules set"),
            )
            .send()
            .await
            .api("PutBucketLifecycleConfiguration")?;
        Ok(())
    }
}

/// `HeadBucket` has no error body; the SDK reports the HTTP status text as the code.
fn is_status(error: &ApiError, code: &str) -> bool {
    error.code() == Some(code) || (code == "NotFound" && error.code() == Some("NoSuchBucket"))
}

fn staging_error(bucket: &str, message: &str, error: ApiError) -> DeployError {
    DeployError::Staging {
        bucket: bucket.to_owned(),
        message: message.to_owned(),
        hint: error.hint().unwrap_or_else(|| {
            "check S3 permissions (s3:CreateBucket, s3:PutObject, s3:PutBucket*), or pass --staging-bucket NAME"
                .to_owned()
        }),
        source: Some(Box::new(error)),
    }
}

/// S3's DNS suffix by partition: China regions differ.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}
