//! A gateway rate limit: every member of CreateGatewayRateLimit, UpdateGatewayRateLimit and
//! BatchPutGatewayRateLimits in aws-sdk-bedrockagentcorecontrol 1.97, under its API JSON name
//! (see `docs/reference/agentcore-rules-ratelimits-policy-api.md`).
//!
//! The SDK carries no length, range, pattern or list-size bounds; the bounds here are the service
//! model's (botocore 1.44.8 `bedrock-agentcore-control/2023-06-05/service-2.json`), shape by shape.

use aws_sdk_bedrockagentcorecontrol::operation as op;
use serde_json::{json, Value};

use super::decode::{Cx, Decode, Node, NodeKind};
use super::live::Unreadable;
use super::schema::{self, Defs, Schema};
use super::sdk::{BuildFailure, Sdk};
use super::{Bounded, BoundedMap, FromService};

/// The most rate limits a gateway can have (the service quota).
pub const MAX_RATE_LIMITS: usize = 50;

spec_string!(
    /// A rate limit's ID, chosen by the customer (the SDK documents no constraint; model:
    /// GatewayRateLimitId, 2–64 alphanumerics, `-`, `_` and `.`, starting and ending with an
    /// alphanumeric).
    RateLimitId, len 2..=64, pattern r"[a-zA-Z0-9][a-zA-Z0-9\-_.]{0,62}[a-zA-Z0-9]"
);
spec_string!(
    /// A dimension key name (the SDK documents no constraint; model: DimensionKey, 1–128
    /// characters): `targetName`, `toolName`, `qualifiedModelId`, `$.context.iam.principal`,
    /// `$.context.iam.sourceIdentity`, `$.context.jwt.<claim>`,
    /// `$.context.request.header.<name>` or `$.context.request.body.<dotted.path>`.
    DimensionKey, len 1..=128,
    pattern r"targetName|toolName|qualifiedModelId|\$\.context\.iam\.principal|\$\.context\.iam\.sourceIdentity|\$\.context\.jwt\.[a-zA-Z_][a-zA-Z0-9_\-.]{0,61}[a-zA-Z0-9_]|\$\.context\.request\.header\.[a-zA-Z0-9!#$%&'+.^_`|~\-]+|\$\.context\.request\.body\.[a-zA-Z_][a-zA-Z0-9_\-]*(?:\.[a-zA-Z_][a-zA-Z0-9_\-]*)*"
);
spec_string!(
    /// A dimension value (model: 1–256 characters); `*` is a wildcard, legal only in trailing
    /// positions.
    DimensionValue, len 1..=256
);
spec_string!(
    /// GatewayRateLimitDescription: at most 512 characters (the model allows an empty one; in a
    /// spec an empty value means "not set").
    RateLimitDescription, len 0..=512
);

/// DimensionKeys: 1–10 (model).
pub type DimensionKeys = Bounded<DimensionKey, 1, 10>;
/// LimitEntries: 1–1000 (model).
pub type LimitEntries = Bounded<LimitEntry, 1, 1000>;
/// RateConfigs: exactly one (model: "Currently supports one entry per limit").
pub type RateConfigs = Bounded<RateConfig, 1, 1>;
/// LimitEntryDimensionsMap: 1–10 entries (model).
pub type Dimensions = BoundedMap<DimensionKey, DimensionValue, 1, 10>;

spec_enum!(
    /// Period: the window a rate is measured over.
    Period => Period { Second = "second", Minute = "minute" }
);

/// The wildcard dimension value.
pub const WILDCARD: &str = "*";

/// A rate (a double in the API): 0–10,000,000 (model: RateConfigRateDouble; 0 blocks all
/// matching traffic). Compared by value, with `-0` read as
/// `0`, so that the model types stay `Eq`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(transparent)]
pub struct Rate(f64);

impl Rate {
    /// The model's maximum.
    pub const MAX: f64 = 10_000_000.0;

    /// The rate if it is within 0–10,000,000.
    pub fn new(v: f64) -> Result<Self, String> {
        if !v.is_finite() || !(0.0..=Self::MAX).contains(&v) {
            return Err(format!("expected a number from 0 to 10000000, found {v}"));
        }
        // -0.0 == 0.0 already, but its bits differ: keep one representation.
        Ok(Rate(if v == 0.0 { 0.0 } else { v }))
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl PartialEq for Rate {
    fn eq(&self, other: &Self) -> bool {
        // Bits, so that equality is reflexive even for a NaN the service might send.
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Rate {}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromService<f64> for Rate {
    fn from_service(v: f64) -> Self {
        Rate(if v == 0.0 { 0.0 } else { v })
    }
}

impl Decode for Rate {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        if !matches!(node.kind, NodeKind::Scalar { .. }) || node.is_null() {
            cx.error(node.mark, format!("expected a number, found {}", node.type_name()));
            return None;
        }
        if let NodeKind::Scalar { value, plain: false } = &node.kind {
            // A quoted value is text; only `${VAR}` turns text into a number.
            if !value.contains("${") {
                cx.error(node.mark, format!("expected a number, found the quoted string \"{value}\""));
                return None;
            }
        }
        let text = cx.scalar(node)?;
        let parsed = text.parse::<f64>().map_err(|_| format!("expected a number, found `{text}`")).and_then(Rate::new);
        match parsed {
            Ok(r) => Some(r),
            Err(e) => {
                cx.error(node.mark, e);
                None
            }
        }
    }
}

impl Schema for Rate {
    fn schema(defs: &mut Defs) -> Value {
        schema::scalar(defs, json!({ "type": "number", "minimum": 0, "maximum": Rate::MAX }))
    }
}

impl Sdk for Rate {
    type Sdk = f64;
    fn to_sdk(&self) -> Result<f64, BuildFailure> {
        Ok(self.0)
    }
    fn from_sdk(value: f64, _: &str) -> Result<Self, Unreadable> {
        Ok(Rate::from_service(value))
    }
}

// ---------------------------------------------------------------- the rate limit

shape_struct! {
    /// A gateway rate limit's configuration, desired or observed, in API naming. Identity is
    /// `rateLimitId` within the gateway (required in acgw specs, optional in the API).
    RateLimit => operations {
        create: op::create_gateway_rate_limit::builders::CreateGatewayRateLimitInputBuilder,
        update: op::update_gateway_rate_limit::builders::UpdateGatewayRateLimitInputBuilder,
        read: [
            aws_sdk_bedrockagentcorecontrol::types::GatewayRateLimitDetail,
            op::get_gateway_rate_limit::GetGatewayRateLimitOutput,
            op::create_gateway_rate_limit::CreateGatewayRateLimitOutput,
            op::update_gateway_rate_limit::UpdateGatewayRateLimitOutput,
        ],
    } {
        rate_limit_id: req RateLimitId => "rateLimitId" "The rate limit's ID; its identity within the gateway.",
        description: opt RateLimitDescription => "description" "A human-readable description for this rate limit (at most 512 characters).",
        // Immutable: UpdateGatewayRateLimit has no such member.
        #[update(no)]
        dimension_keys: req DimensionKeys => "dimensionKeys" "The ordered dimension key names (1–10) that define the scope of this rate limit; unique per gateway. Immutable: a change replaces the rate limit.",
        entries: req LimitEntries => "entries" "The entries (1–1000) that map dimension values to rate configurations.",
    }
}

impl RateLimit {
    /// Checks the rules that span fields (see [`check_dimensions`]).
    pub fn check_cross_field(node: &Node, cx: &mut Cx<'_>) {
        check_dimensions(node, cx);
    }
}

shape_struct! {
    /// BatchPutLimitEntry: one rate limit of a BatchPutGatewayRateLimits request.
    BatchPutLimitEntry => BatchPutLimitEntry fallible {
        rate_limit_id: opt RateLimitId => "rateLimitId" "The rate limit's ID; when given, the service upserts by it.",
        description: opt RateLimitDescription => "description" "A human-readable description for this rate limit (at most 512 characters).",
        dimension_keys: req DimensionKeys => "dimensionKeys" "The ordered dimension key names (1–10) that define the scope of this rate limit.",
        entries: req LimitEntries => "entries" "The entries (1–1000) that map dimension values to rate configurations.",
    }
}

impl BatchPutLimitEntry {
    /// Checks the rules that span fields (see [`check_dimensions`]).
    pub fn check_cross_field(node: &Node, cx: &mut Cx<'_>) {
        check_dimensions(node, cx);
    }
}

/// The rules between `dimensionKeys` and the entries' `dimensions`, on a node holding both:
/// the keys are unique; each entry names exactly those keys; a `*` value is only allowed when
/// every later key (in `dimensionKeys` order) is `*` too.
pub fn check_dimensions(node: &Node, cx: &mut Cx<'_>) {
    let Some(NodeKind::Seq(keys)) = node.get("dimensionKeys").map(|n| &n.kind) else { return };
    let keys: Vec<&str> = keys.iter().filter_map(Node::as_scalar).collect();
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].contains(k) {
            let mark = node.get("dimensionKeys").map(|n| n.mark).unwrap_or(node.mark);
            cx.at("dimensionKeys", |cx| cx.at(format!("[{i}]"), |cx| cx.error(mark, format!("`{k}` is listed twice"))));
        }
    }
    let Some(NodeKind::Seq(entries)) = node.get("entries").map(|n| &n.kind) else { return };
    for (i, entry) in entries.iter().enumerate() {
        let Some(dims) = entry.get("dimensions") else { continue };
        let NodeKind::Map(pairs) = &dims.kind else { continue };
        let names: Vec<&str> = pairs.iter().filter_map(|(k, _)| k.as_scalar()).collect();
        let at = |cx: &mut Cx<'_>, message: String| {
            cx.at("entries", |cx| cx.at(format!("[{i}]"), |cx| cx.at("dimensions", |cx| cx.error(dims.mark, message))))
        };
        let missing: Vec<&str> = keys.iter().copied().filter(|k| !names.contains(k)).collect();
        let extra: Vec<&str> = names.iter().copied().filter(|n| !keys.contains(n)).collect();
        if !missing.is_empty() || !extra.is_empty() {
            at(
                cx,
                format!(
                    "the keys must be the rate limit's dimensionKeys ({}); missing: [{}], not a dimension key: [{}]",
                    keys.join(", "),
                    missing.join(", "),
                    extra.join(", ")
                ),
            );
            continue;
        }
        let value = |k: &str| dims.get(k).and_then(Node::as_scalar);
        if let Some(first) = keys.iter().position(|k| value(k) == Some(WILDCARD)) {
            if let Some(concrete) = keys[first..].iter().find(|k| value(k) != Some(WILDCARD)) {
                at(
                    cx,
                    format!(
                        "`*` is only allowed in trailing positions: `{}` is `*` but the later key `{concrete}` is not",
                        keys[first]
                    ),
                );
            }
        }
    }
}

shape_struct! {
    /// LimitEntry.
    LimitEntry => LimitEntry fallible {
        dimensions: req Dimensions => "dimensions" "Dimension names (the rate limit's dimensionKeys) to values of 1–256 characters; `*` is a wildcard, only in trailing positions.",
        requests: opt RateConfigs => "requests" "The maximum number of requests allowed per period (exactly one rate config).",
        tokens: opt RateConfigs => "tokens" "The maximum number of tokens allowed per period (exactly one rate config).",
        connections: opt RateConfigs => "connections" "The maximum number of concurrent connections allowed (exactly one rate config).",
    }
}

shape_struct! {
    /// RateConfig.
    RateConfig => RateConfig fallible {
        rate: req Rate => "rate" "The number of requests or tokens per period, or of concurrent connections.",
        period: req Period => "period" "The window the rate is measured over: second or minute.",
    }
}
