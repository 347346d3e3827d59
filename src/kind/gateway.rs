//! Gateways (`gateways:`): the first account-level kind. Identified by name, compared after
//! [`crate::normalize::gateway`], replaced when a field that cannot change in place changes
//! (`plan::FORCES_REPLACEMENT`), owned through the `acgw:owner` tag.

use super::ResourceKind;
use crate::model::live::LiveGateway;
use crate::model::Gateway;
use crate::normalize;

/// The kind of gateways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatewayKind;

impl ResourceKind for GatewayKind {
    const NOUN: &'static str = "gateway";
    const NOUNS: &'static str = "gateways";
    const SPEC_KEY: &'static str = "gateways";
    const RANK: u8 = 1;
    type Desired = Gateway;
    type Live = LiveGateway;

    fn name(desired: &Gateway) -> &str {
        desired.name.as_str()
    }

    fn normalized(desired: &Gateway) -> Gateway {
        normalize::gateway(desired.clone())
    }
}
