//! Where a construct is added: the stack itself or any scope inside it.

use kumo_core::{Scope, Stack};

/// Something constructs can be added under: a [`Stack`] (its root) or a [`Scope`].
///
/// Constructors take `&mut impl Parent`, so both `Vpc::new(&mut stack, ..)` and
/// `Vpc::new(&mut stack.scope("Network"), ..)` work.
pub trait Parent {
    /// The child scope `id` of this parent (a construct opens one named after its own id).
    fn child(&mut self, id: &str) -> Scope<'_>;
    /// The stack, for what lives at stack level (outputs) or edits a resource added earlier (grants).
    fn stack_mut(&mut self) -> &mut Stack;
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
