//! The JSON Schema of the credential providers in plans and drift reports (present when
//! providers were read).

use super::*;

fn provider_kind_schema() -> Value {
    one_of_strings(&["oauth2", "apiKey"])
}

fn tag_map_schema() -> Value {
    json!({ "type": "object", "additionalProperties": string() })
}

fn unmanaged_provider_schema(defs: &mut Defs) -> Value {
    define(defs, "UnmanagedProvider", |_| {
        object(
            "A live credential provider acgw leaves alone: in no spec (unmanaged), or owned but in no spec without `--prune` (orphaned).",
            vec![("name", true, string()), ("kind", true, provider_kind_schema()), ("arn", true, string())],
        )
    })
}

fn failed_provider_schema(defs: &mut Defs) -> Value {
    define(defs, "FailedProvider", |_| {
        object(
            "A credential provider that could not be planned (or checked), never changed.",
            vec![
                ("name", true, string()),
                ("kind", true, nullable(provider_kind_schema())),
                ("arn", true, nullable(string())),
                ("error", true, string()),
            ],
        )
    })
}

pub(super) fn providers_plan_schema(defs: &mut Defs) -> Value {
    define(defs, "ProvidersPlan", |defs| {
        let summary = define(defs, "ProviderCounts", |_| {
            object(
                "Counts of credential providers per action.",
                ["create", "update", "delete", "noOp", "unmanaged", "failed", "orphaned"]
                    .into_iter()
                    .map(|k| (k, true, count()))
                    .collect(),
            )
        });
        let sent = define(defs, "SentSecret", |_| {
            object(
                "A secret the action sends by value: where it is read from, never the value.",
                vec![
                    ("member", true, string()),
                    ("from", true, string()),
                    ("because", true, one_of_strings(&["create", "secretVersion", "update"])),
                ],
            )
        });
        let fingerprint = define(defs, "ProviderFingerprint", |_| {
            object(
                "What was observed of a live credential provider.",
                vec![
                    ("arn", true, string()),
                    ("tags", true, tag_map_schema()),
                    ("digest", true, string()),
                    (
                        "heldBy",
                        false,
                        list(object(
                            "A live target that names the provider.",
                            vec![("gateway", true, string()), ("target", true, string())],
                        )),
                    ),
                ],
            )
        });
        let provider = define(defs, "ProviderPlan", |defs| {
            object(
                "The plan for one credential provider.",
                vec![
                    ("name", true, string()),
                    ("kind", true, provider_kind_schema()),
                    ("action", true, one_of_strings(&["create", "update", "delete", "no-op"])),
                    ("updateProvider", true, json!({ "type": "boolean" })),
                    ("changes", true, list(change_schema(defs))),
                    ("tagChanges", true, list(tag_change_schema(defs))),
                    ("sendsSecret", false, sent),
                    ("observed", true, nullable(fingerprint)),
                    (
                        "desired",
                        true,
                        nullable(crate::model::credential_provider::CredentialProviderSpec::schema(defs)),
                    ),
                    ("reason", false, one_of_strings(&["pruned", "destroyed"])),
                ],
            )
        });
        object(
            "The credential providers, when they were read (a spec declares one, or `--prune`).",
            vec![
                ("summary", true, summary),
                ("providers", true, list(provider)),
                ("unmanaged", true, list(unmanaged_provider_schema(defs))),
                ("failed", true, list(failed_provider_schema(defs))),
                ("orphaned", true, list(unmanaged_provider_schema(defs))),
            ],
        )
    })
}

pub(super) fn providers_drift_schema(defs: &mut Defs) -> Value {
    define(defs, "ProvidersDrift", |defs| {
        let summary = object(
            "Counts of credential providers per state.",
            ["inSync", "modified", "missing", "orphaned", "unmanaged", "failed"]
                .into_iter()
                .map(|k| (k, true, count()))
                .collect(),
        );
        let provider = define(defs, "ProviderDrift", |defs| {
            object(
                "How one credential provider compares with its spec.",
                vec![
                    ("name", true, string()),
                    ("kind", true, provider_kind_schema()),
                    ("state", true, one_of_strings(&["in-sync", "modified", "missing", "orphaned"])),
                    ("arn", true, nullable(string())),
                    ("changes", true, list(change_schema(defs))),
                    ("tagChanges", true, list(tag_change_schema(defs))),
                ],
            )
        });
        object(
            "The credential providers, when they were read.",
            vec![
                ("summary", true, summary),
                ("providers", true, list(provider)),
                ("unmanaged", true, list(unmanaged_provider_schema(defs))),
                ("failed", true, list(failed_provider_schema(defs))),
            ],
        )
    })
}
