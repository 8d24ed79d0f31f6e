//! EC2 networking and instances: `Vpc`, `SecurityGroup` with connections, VPC endpoints,
//! `LaunchTemplate`.

mod connections;
mod endpoint;
mod launch_template;
mod security_group;
mod vpc;

pub use connections::{Connectable, allow};
pub use endpoint::{InterfaceEndpoint, InterfaceEndpointProps};
pub use launch_template::{LaunchTemplate, LaunchTemplateProps, RootVolume};
pub use security_group::{Peer, Port, SecurityGroup, SecurityGroupProps};
pub use vpc::{Subnet, SubnetConfiguration, SubnetType, Vpc, VpcProps};
