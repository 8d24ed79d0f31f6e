//! The README's "write your own stack" example lives here so that it always compiles: the README's
//! Rust code blocks are this crate's doctests.
#![doc = include_str!("../../../README.md")]

use kumo_cfn::{ec2, logs};
use kumo_core::{DeletionPolicy, Output, ResourceOptions, Stack, fns};

/// A VPC with one public subnet per AZ and a log group: the smallest useful stack.
pub fn hello_stack(name: &str, cidr: &str, azs: usize) -> Stack {
    let mut stack = Stack::new(name);
    stack.add_tag("Project", "hello");
    let vpc = stack.add(
        "Vpc",
        ec2::VPC::new()
            .cidr_block(cidr)
            .enable_dns_hostnames(true)
            .enable_dns_support(true),
    );
    let blocks = fns::cidr(vpc.attr_cidr_block(), azs as i64, 8);
    for az in 0..azs {
        let mut network = stack.scope(format!("Az{az}"));
        network.add(
            "Subnet",
            ec2::Subnet::new()
                .vpc_id(vpc.reference())
                .cidr_block(fns::select(az as i64, blocks.clone()))
                .availability_zone(fns::select(az as i64, fns::get_azs())),
        );
    }
    let logs = stack.add_with(
        "AppLogs",
        logs::LogGroup::new().retention_in_days(14),
        ResourceOptions::new().removal_policy(DeletionPolicy::Retain),
    );
    stack.add_output("VpcId", Output::new(vpc.reference()).description("the VPC"));
    stack.add_output("LogGroupArn", Output::new(logs.attr_arn()));
    stack
}

#[cfg(test)]
mod tests {
    use kumo_core::assertions::Template;
    use serde_json::json;

    #[test]
    fn hello_stack_synthesizes() {
        let template = Template::from_stack(&super::hello_stack("Hello", "10.1.0.0/16", 2));
        template.resource_count_is("AWS::EC2::Subnet", 2);
        template.has_resource_properties("AWS::EC2::VPC", json!({"Tags": [{"Key": "Project", "Value": "hello"}]}));
    }

    #[test]
    fn hello_stack_passes_cfn_lint() {
        let template = super::hello_stack("Hello", "10.1.0.0/16", 2).synth().unwrap();
        kumo_testkit::cfn_lint::assert_clean(&[("Hello.template.json", &template.to_json())]);
    }
}
