//! The built-in blueprint, extended in Rust: an SQS queue in the environment's main stack and a role
//! the pods of one service account assume through EKS Pod Identity to read it. `kumo --app "cargo run
//! -q -p blueprint-extended --" deploy` deploys it like the blueprint itself (DNS stack, then main stack).

use kumo_blueprint::{Config, Parts};
use kumo_cfn::sqs;
use kumo_constructs::eks::{PodRoleTrust, ServiceAccount, ServiceAccountRole, ServiceAccountRoleProps};
use kumo_constructs::iam::{PolicyDocument, PolicyStatement};
use kumo_core::app::App;
use kumo_core::{Output, Stack};

/// The service account whose pods read the queue.
pub const WORKER: (&str, &str) = ("jobs", "worker");

/// The blueprint's app for `config`, with the queue and the worker's role in its main stack.
pub fn app(config: &Config) -> App {
    kumo_blueprint::build_app_with(config, add_job_queue)
}

fn add_job_queue(stack: &mut Stack, parts: &Parts<'_>) {
    let queue = stack.add(
        "JobQueue",
        sqs::Queue::new()
            // Encrypted at rest with the environment's key.
            .kms_master_key_id(parts.key.arn())
            .message_retention_period(4 * 24 * 3600),
    );
    let reader = PolicyDocument::new().statement(
        PolicyStatement::allow()
            .actions(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"])
            .resource(queue.attr_arn()),
    );
    let (namespace, name) = WORKER;
    let role = ServiceAccountRole::new(
        stack,
        "JobWorker",
        parts.cluster,
        PodRoleTrust::PodIdentity,
        ServiceAccountRoleProps::new(ServiceAccount::new(namespace, name))
            .policy(reader)
            .description("the job workers read the job queue"),
    );
    stack.add_output(
        "JobQueueUrl",
        Output::new(queue.reference()).description("the job queue"),
    );
    stack.add_output("JobWorkerRoleArn", Output::new(role.role_arn()));
}

#[cfg(test)]
mod tests {
    use kumo_core::assertions::{Match, Template};
    use serde_json::json;

    #[test]
    fn the_worker_role_reads_only_the_queue_and_the_blueprint_is_intact() {
        let stacks = super::app(&kumo_blueprint::Config::default()).synth().unwrap();
        assert_eq!(stacks.len(), 2, "DNS stack and main stack");
        let main = Template::from_json(stacks[1].template.to_value());
        main.resource_count_is("AWS::SQS::Queue", 1);
        main.has_resource_properties(
            "AWS::EKS::PodIdentityAssociation",
            json!({"Namespace": "jobs", "ServiceAccount": "worker"}),
        );
        main.has_resource_properties(
            "AWS::IAM::Role",
            json!({"Policies": Match::array_with(json!([{"PolicyDocument": {"Statement": [{
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": ["JobQueue", "Arn"]},
            }]}}]))}),
        );
        main.resource_count_is("AWS::EKS::Cluster", 1);
        kumo_testkit::cfn_lint::assert_all_clean(
            stacks
                .iter()
                .map(|s| (format!("{}.template.json", s.stack_name), s.template.to_json())),
        );
        assert!(stacks[1].security.is_clean(), "{:?}", stacks[1].security.findings);
    }
}
