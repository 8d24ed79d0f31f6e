//! Helpers for the unit tests of the constructs.

use kumo_core::Stack;
use kumo_core::assertions::Template;

/// Synthesizes `stack` (panicking with every synth error) for assertions.
pub(crate) fn template(stack: &Stack) -> Template {
    Template::from_stack(stack)
}

/// The template as JSON text, for checks on the rendered form.
pub(crate) fn json(stack: &Stack) -> String {
    stack.synth().unwrap_or_else(|e| panic!("{e}")).to_json_minified()
}
