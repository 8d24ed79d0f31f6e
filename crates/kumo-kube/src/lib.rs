//! kumo's Kubernetes side: everything that makes an EKS cluster usable without the AWS CLI, Helm or a
//! Lambda.
//!
//! * [`token`]: the EKS bearer token (`kumo token`, the exec credential plugin kubectl runs), and a
//!   [`token::TokenSource`] that renews it during long waits.
//! * [`kubeconfig`]: adds or updates kumo's cluster / user / context in a kubeconfig file.
//! * [`access`]: a [`kube::Client`] for a cluster from its endpoint, CA and a token source — all of which
//!   come from the stack's outputs ([`access::ClusterAccess::from_outputs`]).
//! * [`bundle`]: the in-cluster objects kumo ships (the AWS Load Balancer Controller, generated from the
//!   pinned chart by `cargo xtask manifests`), and [`apply`]: the engine that server-side-applies them in
//!   order, waits for each step, prunes what kumo no longer ships, and removes the bundle again.
//! * [`cluster_status`]: what `kumo status` shows of the cluster.
//! * [`drain`]: before a destroy, the Ingresses, LoadBalancer Services and Gateways deleted and waited for
//!   (the controller removes their load balancers), then the bundle removed.
//!
//! Kept apart from `kumo-deploy` so its compile cost (kube, k8s-openapi) stays in one place.

pub mod access;
pub mod apply;
pub mod bundle;
pub mod cert;
pub mod cluster_status;
pub mod drain;
pub mod error;
pub mod kubeconfig;
pub mod token;

pub use access::ClusterAccess;
/// The `kube` crate kumo-kube is built on, for callers that hold its clients.
pub use kube;
