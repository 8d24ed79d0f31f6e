//! Assembles the modules into one stack, like the seed's `my_eks_stack.go`.

use kumo_core::{RawResource, Stack};

use crate::Config;

/// The whole blueprint as one stack. (Placeholder body until the modules land.)
pub fn build(config: &Config) -> Stack {
    let mut stack = Stack::new(&config.stack_name);
    stack.add("Vpc", RawResource::new("AWS::EC2::VPC").set("CidrBlock", "10.0.0.0/16"));
    stack
}
