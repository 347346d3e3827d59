//! A gateway rule: every member of CreateGatewayRule and UpdateGatewayRule in
//! aws-sdk-bedrockagentcorecontrol 1.97, under its API JSON name (see
//! `docs/reference/agentcore-rules-ratelimits-policy-api.md`).
//!
//! Each shape is declared once with the model's macros, which give it its decoder, JSON Schema,
//! serialization and SDK conversion. Field names are the SDK's, union variants the SDK's.
//!
//! The SDK carries no length, range, pattern or list-size bounds; the bounds here are the service
//! model's (botocore 1.44.8 `bedrock-agentcore-control/2023-06-05/service-2.json`), shape by shape.
//! As everywhere in acgw, a model pattern must match the whole value.

use aws_sdk_bedrockagentcorecontrol::operation as op;

use super::decode::{Cx, Node, NodeKind};
use super::target::{TargetName, Text};
use super::{Bounded, BoundedMap};

// ---------------------------------------------------------------- scalars

spec_int!(
    /// A rule's priority: 1–1,000,000, lower first; its identity within the gateway.
    Priority, 1..=1000000
);
spec_int!(
    /// A traffic split weight in percent (model: TrafficSplitEntryWeightInteger and
    /// TargetTrafficSplitEntryWeightInteger, 1–99: each of the two variants gets some traffic).
    Weight, 1..=99
);
spec_int!(
    /// A first-byte timeout in milliseconds (the SDK documents no bound; model:
    /// FallbackFirstByteTimeoutMillisecondsInteger, 50–900,000).
    FirstByteTimeout, 50..=900000
);
spec_string!(
    /// A fallback trigger status code: a 4XX or 5XX code (`429`) or class (`5XX`)
    /// (model: ErrorStatusCodePattern).
    FallbackStatusCode, len 3..=3, pattern "[4-5](?:[0-9]{2}|XX)"
);
spec_string!(
    /// GatewayRuleDescription: 1–256 characters.
    RuleDescription, len 1..=256
);
spec_string!(
    /// A traffic split variant's name (model: TrafficSplitEntryNameString and
    /// TargetTrafficSplitEntryNameString): 1–64 alphanumerics and inner `-`.
    SplitName, len 1..=64, pattern "[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?"
);
spec_string!(
    /// A traffic split variant's description (model: 1–200 characters).
    SplitDescription, len 1..=200
);
spec_string!(
    /// TrafficSplitMetadataKey: 1–128 characters.
    MetadataKey, len 1..=128
);
spec_string!(
    /// TrafficSplitMetadataValue: 1–256 characters.
    MetadataValue, len 1..=256
);
spec_string!(
    /// IamPrincipalArn: a user, role or assumed-role ARN, `*` and `?` allowed (model: 0–2048
    /// characters; the pattern needs more than 0; `\w` spelled out as ASCII).
    IamPrincipalArn, len 0..=2048,
    pattern r"arn:aws[a-zA-Z-]*:iam::(?:[0-9]{12}|\*):(?:user|role)/[a-zA-Z0-9_+=,.@*?/-]+|arn:aws[a-zA-Z-]*:sts::(?:[0-9]{12}|\*):assumed-role/[a-zA-Z0-9_+=,.@*?/-]+"
);
spec_string!(
    /// MatchPathPattern: `/<segment>/*` (model: 0–512 characters; `\w` spelled out as ASCII,
    /// as the service's Java regex reads it).
    PathPattern, len 0..=512, pattern r"/[a-zA-Z0-9_\-.]+/\*"
);
spec_string!(
    /// ModelPattern: a model ID or a pattern with `*` and `?` (model: 1–2048 characters).
    ModelPattern, len 1..=2048, pattern r"[a-zA-Z0-9\-._*?@:]+(?:/[a-zA-Z0-9\-._*?@:]+)*"
);
spec_string!(
    /// ConcreteModelId: the model ID sent to a target (model: 1–2048 characters).
    ConcreteModelId, len 1..=2048, pattern r"[a-zA-Z0-9][a-zA-Z0-9\-._/@:]*"
);
spec_string!(
    /// GatewayConfigurationBundleArn: a configuration bundle's ARN (model: pattern only).
    BundleArn, len 1..=usize::MAX,
    pattern r"arn:aws[a-zA-Z-]*:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:configuration-bundle/[a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9]{10}"
);
spec_string!(
    /// A configuration bundle version: a lowercase UUID (model: StaticOverrideBundleVersionString
    /// and ConfigurationBundleReferenceBundleVersionString, pattern only).
    BundleVersion, len 1..=usize::MAX, pattern "[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"
);

/// Conditions: 0–3 (model); none makes the rule a catch-all.
pub type Conditions = Bounded<Condition, 0, 3>;
/// Actions: 1–2 (model): a route, a bundle override, or one of each.
pub type Actions = Bounded<Action, 1, 2>;
/// TrafficSplitMetadataMap: 0–25 entries.
pub type Metadata = BoundedMap<MetadataKey, MetadataValue, 0, 25>;

spec_enum!(
    /// PrincipalMatchOperator. The SDK states no default for an absent operator (unlike
    /// MatchOperator's StringLike); what the service does then is unconfirmed.
    PrincipalMatchOperator => PrincipalMatchOperator { StringEquals = "StringEquals", StringLike = "StringLike" }
);
spec_enum!(
    /// MatchOperator (model matching); the model's default is StringLike.
    MatchOperator => MatchOperator { StringEquals = "StringEquals", StringLike = "StringLike" }
);
spec_enum!(
    /// FallbackError.
    FallbackError => FallbackError {
        ConnectionError = "CONNECTION_ERROR", FirstByteTimeout = "FIRST_BYTE_TIMEOUT", Unroutable = "UNROUTABLE"
    }
);
spec_enum!(
    /// CircuitBreakerMode; the model's default is ENABLED.
    CircuitBreakerMode => CircuitBreakerMode { Enabled = "ENABLED", Disabled = "DISABLED" }
);

// ---------------------------------------------------------------- the rule

shape_struct! {
    /// A gateway rule's configuration, desired or observed, in API naming. Identity is
    /// `priority` within the gateway.
    Rule => operations {
        create: op::create_gateway_rule::builders::CreateGatewayRuleInputBuilder,
        update: op::update_gateway_rule::builders::UpdateGatewayRuleInputBuilder,
        read: [
            aws_sdk_bedrockagentcorecontrol::types::GatewayRuleDetail,
            op::get_gateway_rule::GetGatewayRuleOutput,
            op::create_gateway_rule::CreateGatewayRuleOutput,
            op::update_gateway_rule::UpdateGatewayRuleOutput,
        ],
    } {
        priority: req Priority => "priority" "The priority of the rule (1–1,000,000). Rules are evaluated in order of priority, lower numbers first; its identity within the gateway.",
        description: opt RuleDescription => "description" "The description of the gateway rule (1–256 characters).",
        // Create sends none rather than `[]`; Update (a PATCH) sends `[]` to clear them.
        #[may_be_empty] #[create(skip_empty)] #[update(empty_when_absent)]
        conditions: opt Conditions => "conditions" "The conditions that must be met for the rule to apply (at most 3; none matches every request).",
        actions: req Actions => "actions" "The actions to take when the rule conditions are met (1 or 2).",
    }
}

impl Rule {
    /// Checks the rules that span fields: the weights of each traffic split sum to 100.
    pub fn check_cross_field(node: &Node, cx: &mut Cx<'_>) {
        let Some(NodeKind::Seq(actions)) = node.get("actions").map(|n| &n.kind) else { return };
        for (i, action) in actions.iter().enumerate() {
            let splits = [("routeToTarget", "weightedRoute"), ("configurationBundle", "weightedOverride")];
            for (outer, inner) in splits {
                let Some(split) = action.get(outer).and_then(|a| a.get(inner)) else { continue };
                let Some(NodeKind::Seq(entries)) = split.get("trafficSplit").map(|n| &n.kind) else { continue };
                let weights: Option<Vec<i64>> = entries
                    .iter()
                    .map(|e| e.get("weight").and_then(Node::as_scalar).and_then(|w| w.parse::<i64>().ok()))
                    .collect();
                // A weight that is missing or not a number was reported by its own decoder.
                let Some(weights) = weights else { continue };
                let sum: i64 = weights.iter().sum();
                if sum != 100 {
                    cx.at("actions", |cx| {
                        cx.at(format!("[{i}]"), |cx| {
                            cx.at(outer, |cx| {
                                cx.at(inner, |cx| {
                                    cx.at("trafficSplit", |cx| {
                                        cx.error(split.mark, format!("the weights must sum to 100, found {sum}"))
                                    })
                                })
                            })
                        })
                    });
                }
            }
        }
    }

    /// The target names this rule routes to (static and weighted routes and their fallbacks).
    pub fn routed_targets(&self) -> Vec<&TargetName> {
        let mut out = Vec::new();
        for action in self.actions.iter() {
            if let Action::RouteToTarget(route) = action {
                match route {
                    RouteToTargetAction::StaticRoute(r) => {
                        out.push(&r.target_name);
                        if let Some(f) = &r.fallback {
                            out.extend(f.target_fallback.iter().map(|t| &t.target_name));
                        }
                    }
                    RouteToTargetAction::WeightedRoute(w) => {
                        for e in w.traffic_split.iter() {
                            out.push(&e.target_name);
                            if let Some(f) = &e.fallback {
                                out.extend(f.target_fallback.iter().map(|t| &t.target_name));
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

shape_union! {
    /// Condition (union).
    Condition => Condition {
        MatchPrincipals(MatchPrincipals) => "matchPrincipals" "A condition that matches on the identity of the caller making the request.",
        MatchPaths(MatchPaths) => "matchPaths" "A condition that matches on the request path.",
        MatchModels(MatchModels) => "matchModels" "A condition that matches on the model requested in an inference request.",
    }
}

shape_struct! {
    /// MatchPrincipals.
    MatchPrincipals => MatchPrincipals fallible {
        any_of: req Bounded<MatchPrincipalEntry, 1, 100> => "anyOf" "A list of 1–100 principal entries. The condition is met if any of the entries match the caller's identity.",
    }
}

shape_union! {
    /// MatchPrincipalEntry (union).
    MatchPrincipalEntry => MatchPrincipalEntry {
        IamPrincipal(IamPrincipal) => "iamPrincipal" "An IAM principal to match against, specified by ARN.",
    }
}

shape_struct! {
    /// IamPrincipal.
    IamPrincipal => IamPrincipal fallible {
        arn: req IamPrincipalArn => "arn" "The ARN of the IAM principal (user, role or assumed role). Wildcards can be used with the StringLike operator.",
        operator: opt PrincipalMatchOperator => "operator" "StringEquals requires an exact match; StringLike supports `*` and `?`.",
    }
}

shape_struct! {
    /// MatchPaths.
    MatchPaths => MatchPaths fallible {
        any_of: req Bounded<PathPattern, 1, 10> => "anyOf" "A list of 1–10 path patterns of the form `/segment/*`. The condition is met if the request path matches any of the patterns.",
    }
}

shape_struct! {
    /// MatchModels.
    MatchModels => MatchModels fallible {
        any_of: req Bounded<MatchModelEntry, 1, 100> => "anyOf" "A list of 1–100 model entries. The condition is met if the requested model matches any of the entries.",
    }
}

shape_struct! {
    /// MatchModelEntry.
    MatchModelEntry => MatchModelEntry fallible {
        value: req ModelPattern => "value" "The model ID or pattern to match (`*` and `?` with StringLike).",
        operator: opt MatchOperator => "operator" "StringEquals or StringLike. Absent means StringLike (the SDK fills it in when reading).",
    }
}

shape_union! {
    /// Action (union).
    Action => Action {
        RouteToTarget(RouteToTargetAction) => "routeToTarget" "An action that routes the request to a specific target.",
        ConfigurationBundle(ConfigurationBundleAction) => "configurationBundle" "An action that applies a configuration bundle override to the request.",
    }
}

shape_union! {
    /// RouteToTargetAction (union).
    RouteToTargetAction => RouteToTargetAction {
        StaticRoute(StaticRoute) => "staticRoute" "A static route that sends all matching requests to a single target.",
        WeightedRoute(WeightedRoute) => "weightedRoute" "A weighted route that splits traffic between multiple targets.",
    }
}

shape_struct! {
    /// StaticRoute.
    StaticRoute => StaticRoute fallible {
        target_name: req TargetName => "targetName" "The name of the target to route requests to.",
        model: opt ConcreteModelId => "model" "The model ID to send to the target (inference targets only). Absent: the model of the original request.",
        fallback: opt Fallback => "fallback" "The fallback configuration for this route (inference targets only).",
    }
}

shape_struct! {
    /// WeightedRoute.
    WeightedRoute => WeightedRoute fallible {
        traffic_split: req Bounded<TargetTrafficSplitEntry, 2, 2> => "trafficSplit" "Exactly two traffic split entries; their weights sum to 100.",
    }
}

shape_struct! {
    /// TargetTrafficSplitEntry.
    TargetTrafficSplitEntry => TargetTrafficSplitEntry fallible {
        target_name: req TargetName => "targetName" "The name of the target to route traffic to.",
        model: opt ConcreteModelId => "model" "The model ID to send to the target for this variant (inference targets only).",
        fallback: opt Fallback => "fallback" "The fallback configuration for this variant (inference targets only).",
        name: req SplitName => "name" "The name of this traffic split variant.",
        weight: req Weight => "weight" "The percentage of traffic to route to this variant (1–99).",
        description: opt SplitDescription => "description" "The description of this traffic split variant.",
        #[may_be_empty]
        metadata: opt Metadata => "metadata" "Key-value metadata associated with this traffic split variant (at most 25 entries).",
    }
}

shape_struct! {
    /// Fallback.
    Fallback => Fallback fallible {
        #[may_be_empty]
        trigger_on: opt FallbackTriggers => "triggerOn" "What makes the gateway fall back. Absent: 5XX codes and CONNECTION_ERROR, FIRST_BYTE_TIMEOUT and UNROUTABLE.",
        first_byte_timeout_milliseconds: opt FirstByteTimeout => "firstByteTimeoutMilliseconds" "The time to the first response byte, in milliseconds. Absent: no timeout.",
        #[may_be_empty]
        circuit_breaker: opt CircuitBreakerConfiguration => "circuitBreaker" "Whether the gateway skips a failing target. Absent: enabled.",
        target_fallback: req Bounded<FallbackTarget, 1, 2> => "targetFallback" "The ordered fallback targets (up to two).",
    }
}

shape_struct! {
    /// FallbackTriggers.
    FallbackTriggers => FallbackTriggers plain {
        status_codes: opt Bounded<FallbackStatusCode, 1, 10> => "statusCodes" "1–10 status codes that trigger a fallback: `429` or a class such as `5XX` (4XX and 5XX only).",
        errors: opt Bounded<FallbackError, 1, 3> => "errors" "1–3 errors that trigger a fallback.",
    }
}

shape_struct! {
    /// FallbackTarget.
    FallbackTarget => FallbackTarget fallible {
        target_name: req TargetName => "targetName" "The name of the (inference) target to fall back to.",
        model: opt ConcreteModelId => "model" "The model ID to send to this fallback target.",
        #[may_be_empty]
        trigger_on: opt FallbackTriggers => "triggerOn" "What makes the gateway go on to the next fallback target (not inherited from the route).",
        first_byte_timeout_milliseconds: opt FirstByteTimeout => "firstByteTimeoutMilliseconds" "The time to the first response byte, in milliseconds (not inherited).",
    }
}

shape_struct! {
    /// CircuitBreakerConfiguration.
    CircuitBreakerConfiguration => CircuitBreakerConfiguration plain {
        mode: opt CircuitBreakerMode => "mode" "ENABLED or DISABLED. Absent means ENABLED (the SDK fills it in when reading).",
    }
}

shape_union! {
    /// ConfigurationBundleAction (union).
    ConfigurationBundleAction => ConfigurationBundleAction {
        StaticOverride(StaticOverride) => "staticOverride" "Applies one bundle version to all matching requests.",
        WeightedOverride(WeightedOverride) => "weightedOverride" "Splits traffic between bundle versions by weight.",
    }
}

shape_struct! {
    /// StaticOverride.
    StaticOverride => StaticOverride fallible {
        bundle_arn: req BundleArn => "bundleArn" "The ARN of the configuration bundle to apply.",
        bundle_version: req BundleVersion => "bundleVersion" "The version (a lowercase UUID) of the configuration bundle to apply.",
    }
}

shape_struct! {
    /// WeightedOverride.
    WeightedOverride => WeightedOverride fallible {
        traffic_split: req Bounded<TrafficSplitEntry, 2, 2> => "trafficSplit" "Exactly two traffic split entries; their weights sum to 100.",
    }
}

shape_struct! {
    /// TrafficSplitEntry.
    TrafficSplitEntry => TrafficSplitEntry fallible {
        name: req SplitName => "name" "The name of this traffic split variant.",
        weight: req Weight => "weight" "The percentage of traffic to route to this variant (1–99).",
        configuration_bundle: req ConfigurationBundleReference => "configurationBundle" "The configuration bundle for this variant.",
        description: opt SplitDescription => "description" "The description of this traffic split variant.",
        #[may_be_empty]
        metadata: opt Metadata => "metadata" "Key-value metadata associated with this traffic split variant (at most 25 entries).",
    }
}

shape_struct! {
    /// ConfigurationBundleReference.
    ConfigurationBundleReference => ConfigurationBundleReference fallible {
        bundle_arn: req BundleArn => "bundleArn" "The ARN of the configuration bundle.",
        bundle_version: req BundleVersion => "bundleVersion" "The version (a lowercase UUID) of the configuration bundle.",
    }
}

shape_struct! {
    /// SystemManagedBlock: present on rules an AWS process manages, which users cannot change.
    SystemManagedBlock => SystemManagedBlock fallible {
        managed_by: req Text => "managedBy" "The identifier of the system or process that manages this rule.",
    }
}
