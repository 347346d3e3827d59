//! Observe: read the live gateways through [`ReadApi`] (list every page, then get and tags
//! for each managed gateway, concurrently).

use std::collections::BTreeMap;

use crate::api::{GatewaySummary, LiveGateway, TagMap};

/// One live gateway that a spec names: its configuration and its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveState {
    pub live: LiveGateway,
    /// All tags as the API returned them, `aws:` keys included (normalization drops those).
    pub tags: TagMap,
}

/// What observe found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Live gateways named in the specs, by name.
    pub managed: BTreeMap<String, LiveState>,
    /// Live gateways named in no spec, sorted by name; never touched.
    pub unmanaged: Vec<GatewaySummary>,
}
