//! Where a construct is added: the stack itself or any scope inside it.

use kumo_core::{Diagnostic, Expr, Handle, Resource, Scope, Stack};

/// Something constructs can be added under: a [`Stack`] (its root) or a [`Scope`].
///
/// Constructors take `&mut impl Parent`, so both `Vpc::new(&mut stack, ..)` and
/// `Vpc::new(&mut stack.scope("Network"), ..)` work.
pub trait Parent {
    /// The child scope `id` of this parent (a construct opens one named after its own id).
    fn child(&mut self, id: &str) -> Scope<'_>;
    /// The stack, for what lives at stack level (outputs) or edits a resource added earlier (grants).
    fn stack_mut(&mut self) -> &mut Stack;

    /// Sets property `name` of a resource added earlier (a grant or a rule added after creation). A
    /// handle that is not of this stack (it came from another one) is reported as a diagnostic of the
    /// construct `construct`, and `synth` fails with it.
    fn set_property<R: Resource>(&mut self, construct: &str, handle: &Handle<R>, name: &'static str, value: Expr) {
        let stack = self.stack_mut();
        match stack.props_mut(handle) {
            Some(props) => props.set(name, value),
            None => {
                let message = format!(
                    "{} (changing {name}) is not a resource of stack {}: it was made in another stack",
                    handle.logical_id(),
                    stack.name()
                );
                stack.report(Diagnostic::invalid_props(construct, "", message));
            }
        }
    }
}

impl Parent for Stack {
    fn child(&mut self, id: &str) -> Scope<'_> {
        self.scope(id)
    }
    fn stack_mut(&mut self) -> &mut Stack {
        self
    }
}

impl Parent for Scope<'_> {
    fn child(&mut self, id: &str) -> Scope<'_> {
        self.scope(id)
    }
    fn stack_mut(&mut self) -> &mut Stack {
        self.stack()
    }
}
