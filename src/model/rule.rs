//! A gateway rule: every member of CreateGatewayRule and UpdateGatewayRule in
//! aws-sdk-bedrockagentcorecontrol 1.97, under its API JSON name (see
//! `reference/agentcore-rules-ratelimits-policy-api.md`).
//!
//! Each shape is declared once with the model's macros, which give it its decoder, JSON Schema,
//! serialization and SDK conversion. Field names are the SDK's, union variants the SDK's.

use std::collections::BTreeMap;

use super::decode::{Cx, Node, NodeKind};
use super::target::{TargetName, Text};
use super::Bounded;

// ---------------------------------------------------------------- scalars

spec_int!(
    /// A rule's priority: 1–1,000,000, lower first; its identity within the gateway.
    Priority, 1..=1000000
);
spec_int!(
    /// A traffic split weight in percent; the weights of one split sum to 100.
    Weight, 0..=100
);
spec_int!(
    /// A first-byte timeout in milliseconds (the SDK documents no bound; it must be positive).
    FirstByteTimeout, 1..=2147483647
);
spec_string!(
    /// A fallback trigger status code: a 4XX or 5XX code (`429`) or class (`5XX`).
    FallbackStatusCode, len 3..=3, pattern "[45](?:[0-9]{2}|XX)"
);

spec_enum!(
    /// PrincipalMatchOperator; absent, the service matches exactly.
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
    Rule {
        priority: req Priority => "priority" "The priority of the rule (1–1,000,000). Rules are evaluated in order of priority, lower numbers first; its identity within the gateway.",
        description: opt Text => "description" "The description of the gateway rule.",
        conditions: opt Vec<Condition> => "conditions" "The conditions that must be met for the rule to apply.",
        actions: req Bounded<Action, 1, { usize::MAX }> => "actions" "The actions to take when the rule conditions are met.",
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
        any_of: req Bounded<MatchPrincipalEntry, 1, { usize::MAX }> => "anyOf" "A list of principal entries. The condition is met if any of the entries match the caller's identity.",
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
        arn: req Text => "arn" "The ARN of the IAM principal (user, role or assumed role). Wildcards can be used with the StringLike operator.",
        operator: opt PrincipalMatchOperator => "operator" "StringEquals requires an exact match; StringLike supports `*` and `?`.",
    }
}

shape_struct! {
    /// MatchPaths.
    MatchPaths => MatchPaths fallible {
        any_of: req Bounded<Text, 1, { usize::MAX }> => "anyOf" "A list of path patterns. The condition is met if the request path matches any of the patterns.",
    }
}

shape_struct! {
    /// MatchModels.
    MatchModels => MatchModels fallible {
        any_of: req Bounded<MatchModelEntry, 1, { usize::MAX }> => "anyOf" "A list of model entries. The condition is met if the requested model matches any of the entries.",
    }
}

shape_struct! {
    /// MatchModelEntry.
    MatchModelEntry => MatchModelEntry fallible {
        value: req Text => "value" "The model ID or pattern to match (`*` and `?` with StringLike).",
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
        model: opt Text => "model" "The model ID to send to the target (inference targets only). Absent: the model of the original request.",
        fallback: opt Fallback => "fallback" "The fallback configuration for this route (inference targets only).",
    }
}

shape_struct! {
    /// WeightedRoute.
    WeightedRoute => WeightedRoute fallible {
        traffic_split: req Bounded<TargetTrafficSplitEntry, 1, { usize::MAX }> => "trafficSplit" "The traffic split entries; their weights sum to 100.",
    }
}

shape_struct! {
    /// TargetTrafficSplitEntry.
    TargetTrafficSplitEntry => TargetTrafficSplitEntry fallible {
        target_name: req TargetName => "targetName" "The name of the target to route traffic to.",
        model: opt Text => "model" "The model ID to send to the target for this variant (inference targets only).",
        fallback: opt Fallback => "fallback" "The fallback configuration for this variant (inference targets only).",
        name: req Text => "name" "The name of this traffic split variant.",
        weight: req Weight => "weight" "The percentage of traffic to route to this variant.",
        description: opt Text => "description" "The description of this traffic split variant.",
        metadata: opt BTreeMap<Text, Text> => "metadata" "Key-value metadata associated with this traffic split variant.",
    }
}

shape_struct! {
    /// Fallback.
    Fallback => Fallback fallible {
        trigger_on: opt FallbackTriggers => "triggerOn" "What makes the gateway fall back. Absent: 5XX codes and CONNECTION_ERROR, FIRST_BYTE_TIMEOUT and UNROUTABLE.",
        first_byte_timeout_milliseconds: opt FirstByteTimeout => "firstByteTimeoutMilliseconds" "The time to the first response byte, in milliseconds. Absent: no timeout.",
        circuit_breaker: opt CircuitBreakerConfiguration => "circuitBreaker" "Whether the gateway skips a failing target. Absent: enabled.",
        target_fallback: req Bounded<FallbackTarget, 1, 2> => "targetFallback" "The ordered fallback targets (up to two).",
    }
}

shape_struct! {
    /// FallbackTriggers.
    FallbackTriggers => FallbackTriggers plain {
        status_codes: opt Vec<FallbackStatusCode> => "statusCodes" "Status codes that trigger a fallback: `429` or a class such as `5XX` (4XX and 5XX only).",
        errors: opt Vec<FallbackError> => "errors" "Errors that trigger a fallback.",
    }
}

shape_struct! {
    /// FallbackTarget.
    FallbackTarget => FallbackTarget fallible {
        target_name: req TargetName => "targetName" "The name of the (inference) target to fall back to.",
        model: opt Text => "model" "The model ID to send to this fallback target.",
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
        bundle_arn: req Text => "bundleArn" "The ARN of the configuration bundle to apply.",
        bundle_version: req Text => "bundleVersion" "The version of the configuration bundle to apply.",
    }
}

shape_struct! {
    /// WeightedOverride.
    WeightedOverride => WeightedOverride fallible {
        traffic_split: req Bounded<TrafficSplitEntry, 1, { usize::MAX }> => "trafficSplit" "The traffic split entries; their weights sum to 100.",
    }
}

shape_struct! {
    /// TrafficSplitEntry.
    TrafficSplitEntry => TrafficSplitEntry fallible {
        name: req Text => "name" "The name of this traffic split variant.",
        weight: req Weight => "weight" "The percentage of traffic to route to this variant.",
        configuration_bundle: opt ConfigurationBundleReference => "configurationBundle" "The configuration bundle for this variant.",
        description: opt Text => "description" "The description of this traffic split variant.",
        metadata: opt BTreeMap<Text, Text> => "metadata" "Key-value metadata associated with this traffic split variant.",
    }
}

shape_struct! {
    /// ConfigurationBundleReference.
    ConfigurationBundleReference => ConfigurationBundleReference fallible {
        bundle_arn: req Text => "bundleArn" "The ARN of the configuration bundle.",
        bundle_version: req Text => "bundleVersion" "The version of the configuration bundle.",
    }
}

shape_struct! {
    /// SystemManagedBlock: present on rules an AWS process manages, which users cannot change.
    SystemManagedBlock => SystemManagedBlock fallible {
        managed_by: req Text => "managedBy" "The identifier of the system or process that manages this rule.",
    }
}
