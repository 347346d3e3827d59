//! The resource policy (`resourcePolicy:`): a gateway part that is one document, not a list of
//! items. It is read with GetResourcePolicy, compared as IAM reads policies (`normalize::policy`),
//! put whole and deleted with DeleteResourcePolicy.

use super::{GatewayPart, Part};
use crate::model::policy::ResourcePolicy;

/// The kind of a gateway's resource policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyKind;

impl GatewayPart for PolicyKind {
    const PART: Part = Part::Policy;
    const NOUN: &'static str = "resource policy";
    /// `Some(None)` when the gateway has none.
    type Observed = Option<ResourcePolicy>;
}
