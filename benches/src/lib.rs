//! Stacks used by the benchmarks (kept in the library so tests can check they are valid).

use kumo_cfn::{ec2, iam, logs};
use kumo_core::{Expr, List, Stack, fns};
use serde_json::json;

/// One piece of a resource group; each adds one or more resources to the group's scope.
type Part = Box<dyn FnMut(&mut kumo_core::Scope<'_>)>;

/// A realistic stack of exactly `resources` resources: VPCs with subnets, security groups with rules,
/// roles and log groups, wired by references (so validation has a real dependency graph to check).
pub fn stack_of(resources: usize) -> Stack {
    let mut stack = Stack::new("Bench");
    stack.add_tag("Project", "bench");
    let mut count = 0;
    let mut group = 0;
    while count < resources {
        let mut scope = stack.scope(format!("Group{group}"));
        let vpc = scope.add(
            "Vpc",
            ec2::VPC::new().cidr_block("10.0.0.0/16").enable_dns_support(true),
        );
        count += 1;
        let mut parts: Vec<Part> = Vec::new();
        let vpc_id = vpc.reference();
        for i in 0..3 {
            let vpc_id = vpc_id.clone();
            parts.push(Box::new(move |s| {
                s.add(
                    format!("Subnet{i}"),
                    ec2::Subnet::new()
                        .vpc_id(vpc_id.clone())
                        .cidr_block(format!("10.0.{i}.0/24"))
                        .availability_zone(fns::select(i as i64, fns::get_azs())),
                );
            }));
        }
        let sg_vpc = vpc_id.clone();
        parts.push(Box::new(move |s| {
            let sg = s.add(
                "Sg",
                ec2::SecurityGroup::new()
                    .group_description("bench")
                    .vpc_id(sg_vpc.clone()),
            );
            s.add(
                "SgRule",
                ec2::SecurityGroupIngress::new()
                    .group_id(sg.attr_group_id())
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .cidr_ip("10.0.0.0/16"),
            );
        }));
        parts.push(Box::new(|s| {
            let role = s.add(
                "Role",
                iam::Role::new().assume_role_policy_document(Expr::from(json!({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
                }))),
            );
            s.add("Logs", logs::LogGroup::new().retention_in_days(7).log_group_name(fns::join("-", List::from([role.reference(), "logs".into()]))));
        }));
        for mut part in parts {
            if count >= resources {
                break;
            }
            part(&mut scope);
            count = scope.stack().resource_count();
        }
        group += 1;
    }
    stack
}

#[cfg(test)]
mod tests {
    #[test]
    fn bench_stack_is_valid_and_sized() {
        let stack = super::stack_of(150);
        assert_eq!(stack.resource_count(), 150);
        stack.synth().unwrap();
    }
}
