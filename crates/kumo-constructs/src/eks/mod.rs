//! EKS: native `AWS::EKS::Cluster` (API authentication mode, control-plane logs, KMS envelope
//! encryption of secrets), managed node groups, access entries, add-ons, and IAM roles for pods through
//! EKS Pod Identity or IRSA.

mod access;
mod addon;
mod cluster;
pub mod load_balancer_controller;
mod nodegroup;
mod pod_identity;

pub use access::{AccessEntry, AccessEntryProps, AccessScope};
pub use addon::{Addon, AddonProps};
pub use cluster::{
    AuthenticationMode, Cluster, ClusterProps, ControlPlaneLog, SERVICE_PRINCIPAL, SecretsEncryption, log_group_name,
};
pub use nodegroup::{CapacityType, NODE_ROLE_POLICIES, Nodegroup, NodegroupProps};
pub use pod_identity::{
    OidcProvider, POD_IDENTITY_PRINCIPAL, PodIdentityAssociation, PodIdentityAssociationProps, PodRoleTrust,
    STS_AUDIENCE, ServiceAccount, ServiceAccountRole, ServiceAccountRoleProps,
};
