//! The network (seed `network.go`): a VPC over two AZs with public, private-with-NAT and isolated subnets,
//! and the ECR interface endpoint.
//!
//! ```go
//! vpc = ec2.NewVpc(stack, jsii.String("VPC"), &ec2.VpcProps{ Cidr: "10.0.0.0/16", MaxAzs: 2, SubnetConfiguration: ..., VpcName: "vpc-for-eks-cluster" })
//! vpcEndpoint = vpc.AddInterfaceEndpoint(jsii.String("VPCEndpoint"), &ec2.InterfaceVpcEndpointOptions{ Service: ec2.InterfaceVpcEndpointAwsService_ECR(), ... })
//! ```

use kumo_constructs::ec2::{InterfaceEndpoint, InterfaceEndpointProps, SubnetConfiguration, SubnetType, Vpc, VpcProps};
use kumo_core::{Output, Stack};

use crate::NetworkConfig;

/// Subnet tier names (the seed's), shown in the subnets' `Name` tags.
pub const PUBLIC_SUBNETS: &str = "subnet-for-eks-cluster-public";
pub const PRIVATE_SUBNETS: &str = "subnet-for-eks-cluster-private-with-nat";
pub const ISOLATED_SUBNETS: &str = "subnet-for-eks-cluster-private-isolated";

/// The VPC and the ECR endpoint, like the seed's `NewNetwork`.
pub fn new_network(stack: &mut Stack, config: &NetworkConfig) -> (Vpc, InterfaceEndpoint) {
    // A VPC across `max_azs` AZs; per AZ one public subnet, one private subnet routed through a NAT
    // gateway, and one isolated private subnet.
    let prefix = config.subnet_prefix_length;
    let vpc = Vpc::new(
        stack,
        "VPC",
        VpcProps::default()
            .cidr(config.cidr)
            .max_azs(config.max_azs)
            .subnet_configuration(vec![
                SubnetConfiguration::new(PUBLIC_SUBNETS, SubnetType::Public, prefix),
                SubnetConfiguration::new(PRIVATE_SUBNETS, SubnetType::PrivateWithEgress, prefix),
                SubnetConfiguration::new(ISOLATED_SUBNETS, SubnetType::Isolated, prefix),
            ])
            .vpc_name(config.vpc_name.as_str())
            // The seed gets one per AZ by default; the cheap profile uses one.
            .nat_gateways(config.nat_gateways)
            // kumo adds the free S3 gateway endpoint: image layers are served from S3.
            .s3_gateway_endpoint(config.s3_gateway_endpoint),
    );

    // The VPC endpoint of the ECR registry (image pulls) in the private subnets. Unlike the CDK's default
    // it admits nobody until a connection allows it (the EKS cluster and the DB migrator, on 443). No
    // `LookupSupportedAzs`: synthesis makes no AWS call, and ECR is offered in every AZ.
    let vpc_endpoint = InterfaceEndpoint::new(stack, "VPCEndpoint", &vpc, InterfaceEndpointProps::new("ecr.dkr"));

    // The AWS Load Balancer Controller (installed on the cluster once the stack is up, with its IAM role
    // from this template) is told its VPC through this output.
    stack.add_output("VpcId", Output::new(vpc.vpc_id()).description("VPC of the cluster"));
    (vpc, vpc_endpoint)
}
