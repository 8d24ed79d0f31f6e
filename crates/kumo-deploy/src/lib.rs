//! kumo's deploy engine: a state machine over CloudFormation's own state. It keeps no local state
//! file: every run reads the stack, decides from its status, works through change sets, and follows
//! stack events to a terminal status. ARCHITECTURE.md (repository root) maps its modules.
//!
//! The flows ([`deploy::deploy`], [`diff::diff`], [`destroy::destroy`], [`status_report::status`],
//! [`outputs::outputs`]) take an [`Engine`] built from SDK clients the caller configured, and a [`ui::Ui`]
//! that shows progress and asks questions; tests pass mocked clients, a manual clock and a recording UI.

pub mod advice;
pub mod api_error;
pub mod changes;
pub mod changeset;
pub mod clock;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod engine;
pub mod error;
pub mod events;
pub mod guards;
pub mod interrupt;
pub mod outputs;
pub mod ownership;
pub mod params;
pub mod progress;
pub mod proposal;
pub mod resume;
pub mod security;
pub mod stack;
pub mod stack_state;
pub mod staging;
pub mod status_report;
pub mod template;
pub mod ui;

pub use api_error::{ApiError, ApiErrorKind};
pub use engine::{Engine, EngineOptions};
pub use error::{DeployError, FailureReport};
pub use interrupt::Interrupt;
pub use template::TemplateDoc;
