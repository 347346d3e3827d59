//! What apply does for one gateway item: [`ItemWork`], generic over the kind.

use crate::kind::ItemKind;

/// What to do for one item of kind `K`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemWork<K: ItemKind> {
    /// Create with a deterministic client token; `replaces` is the `updatedAt` of the item it
    /// replaces (so the token differs from the one that created that one).
    Create { desired: K::Desired, replaces: Option<String> },
    /// Update (the item `id`) with every member.
    Update { id: String, desired: K::Desired },
    /// Delete, then wait until it is gone.
    Delete { id: String, key: K::Key },
}

impl<K: ItemKind> ItemWork<K> {
    /// How `done` lines and errors name the item.
    pub(super) fn label(&self) -> String {
        match self {
            ItemWork::Create { desired, .. } => K::label(&K::key(desired), None),
            ItemWork::Update { id, desired } => K::label(&K::key(desired), Some(id)),
            ItemWork::Delete { id, key } => K::label(key, Some(id)),
        }
    }
}
