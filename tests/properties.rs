//! Property tests of the invariant everything rests on: what acgw applies, it reads back as
//! unchanged; what it exports, it loads back and plans as unchanged.
//!
//! Gateways are generated as JSON trees and decoded through the model's own decoder
//! (`Node::from_json` + `Gateway::decode`), so a generator that strays outside the API's
//! constraints fails loudly instead of testing nothing. The generator covers every optional
//! member, every union member and every enum value of the model.
//!
//! Each property runs 256 cases (1,000 for the pure serde round trip) against one in-process
//! emulator per test, reached over HTTP by the real AWS SDK. Every case uses fresh gateway names.
//!
//! Credential providers (issue 26) are generated the same way, as the spec items users write
//! (every vendor input, both secret modes, every optional member), and loaded from a spec
//! document with the gateway whose targets name them, so that load, plan and apply run as
//! `acgw` runs them; those properties run a few cases per vendor input (`PROPTEST_CASES` per
//! input when set).
//!
//! Reproducing a failure: the panic message prints the minimal failing input and the seed.
//! - `PROPTEST_RNG_SEED=<seed> cargo test --test properties <test name>` replays a run;
//! - `PROPTEST_CASES=<n>` changes the number of cases (at least the default is a good idea);
//! - failures are not persisted to files (`failure_persistence: None`): the seed is the record.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use acgw::apply::{self, ItemWork, Options, PartsWork, Silent, Work};
use acgw::load::{self, Desired, Source, Spec};
use acgw::model::decode::{Cx, Decode, Node};
use acgw::model::live::LiveGateway;
use acgw::model::target::Target;
use acgw::model::Gateway;
use acgw::normalize;
use acgw::observe::{observe, LiveState, Observed, Part};
use acgw::plan::{self, Plan};
use aws_sdk_bedrockagentcorecontrol::types as t;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::string::string_regex;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

mod support;
use support::Env;

// ---------------------------------------------------------------- runner

/// A runner with `cases` cases (or `PROPTEST_CASES`), no failure files, and a known seed
/// (`PROPTEST_RNG_SEED`, or a fresh one) so that any failure can be replayed.
fn runner(cases: u32) -> (TestRunner, u64) {
    let seed =
        std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(cases);
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    };
    (TestRunner::new(config), seed)
}

/// Runs `test` over `strategy`; on failure panics with the minimal input and the seed.
fn check<S: Strategy>(name: &str, cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let (mut runner, seed) = runner(cases);
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name} failed: {e}\nreplay with PROPTEST_RNG_SEED={seed} cargo test --test properties {name}");
    }
}

// ---------------------------------------------------------------- generators

/// Strings that YAML, interpolation or JSON might mistake for something else.
#[rustfmt::skip]
const TRICKY: &[&str] = &[
    "null", "Null", "~", "true", "False", "yes", "no", "on", "off", "0", "-1", "1e3", "0x1F", "0o17", ".inf", ".nan",
    "- item", "? key", "key: value", "#not a comment", " leading", "trailing ", "a  b", "'", "\"", "\\", "{}", "[]",
    "*alias", "&anchor", "!tag", "%YAML 1.2", "---", "...", "|", ">", "${HOME}", "$${HOME}", "$$", "$", "${", "@at",
    "`tick`", "tab\there", "two\nlines", "ends with newline\n", "\n", "é日✓🦀", "2025-06-18", "12:30", "1_000",
];

/// Free text of `min..=max` characters (no pattern): mixed ASCII punctuation, whitespace,
/// non-ASCII, and YAML's usual suspects.
fn text(min: usize, max: usize) -> BoxedStrategy<String> {
    let class = r#"[a-zA-Z0-9 \t\n._:/@#'"{}$!&*|>%,\[\]?=+~`\\^éß日✓🦀-]"#;
    let regex = string_regex(&format!("{class}{{{min},{max}}}")).expect("valid regex");
    let tricky: Vec<String> =
        TRICKY.iter().filter(|s| (min..=max).contains(&s.chars().count())).map(|s| s.to_string()).collect();
    if tricky.is_empty() {
        regex.boxed()
    } else {
        prop_oneof![3 => regex, 1 => select(tricky)].boxed()
    }
}

fn re(pattern: &str) -> BoxedStrategy<String> {
    string_regex(pattern).unwrap_or_else(|e| panic!("bad generator regex {pattern}: {e}")).boxed()
}

fn s(v: String) -> Value {
    Value::String(v)
}

fn one_of(values: &'static [&'static str]) -> BoxedStrategy<Value> {
    select(values).prop_map(|v| Value::String(v.to_string())).boxed()
}

fn opt<T: std::fmt::Debug + Clone + 'static>(strategy: impl Strategy<Value = T> + 'static) -> BoxedStrategy<Option<T>> {
    proptest::option::of(strategy).boxed()
}

fn list(item: BoxedStrategy<String>, range: std::ops::RangeInclusive<usize>) -> BoxedStrategy<Value> {
    proptest::collection::vec(item, range)
        .prop_map(|v| Value::Array(v.into_iter().map(Value::String).collect()))
        .boxed()
}

/// An object of the members that are set.
fn obj(members: Vec<(&str, Option<Value>)>) -> Value {
    Value::Object(members.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), v))).collect::<Map<_, _>>())
}

fn gateway_name() -> BoxedStrategy<String> {
    // Leaves room for the `t{n}-` prefix that makes names unique: 48 alphanumerics at most.
    re("[0-9a-zA-Z](-?[0-9a-zA-Z]){0,30}-?")
}

fn tag_key() -> BoxedStrategy<String> {
    re(r"[a-zA-Z0-9 \t._:/=+@-]{1,24}")
        .prop_filter("aws: keys belong to the service", |k| !k.starts_with("aws:"))
        .boxed()
}

fn tags() -> BoxedStrategy<Value> {
    proptest::collection::btree_map(tag_key(), re(r"[a-zA-Z0-9 \t._:/=+@-]{0,24}"), 0..=4)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
        .boxed()
}

fn scope() -> BoxedStrategy<String> {
    re(r"[!#-\[\]-~]{1,20}")
}

fn mcp() -> BoxedStrategy<Value> {
    let session = opt(prop_oneof![Just(3600), 900..=28800i32, Just(900), Just(28800)])
        .prop_map(|t| obj(vec![("sessionTimeoutInSeconds", t.map(|t| json!(t)))]));
    let streaming = opt(any::<bool>()).prop_map(|b| obj(vec![("enableResponseStreaming", b.map(Value::Bool))]));
    (
        opt(list(text(1, 16), 1..=3)),
        opt(text(1, 300)),
        opt(one_of(&["SEMANTIC"])),
        opt(session),
        opt(streaming),
        opt(any::<bool>()),
    )
        .prop_map(|(versions, instructions, search, session, streaming, pagination)| {
            json!({"mcp": obj(vec![
                ("supportedVersions", versions),
                ("instructions", instructions.map(s)),
                ("searchType", search),
                ("sessionConfiguration", session),
                ("streamingConfiguration", streaming),
                ("disableMcpListToolsPagination", pagination.map(Value::Bool)),
            ])})
        })
        .boxed()
}

fn custom_claim() -> BoxedStrategy<Value> {
    let match_value = re("[A-Za-z0-9_.-]{1,20}");
    let matching = prop_oneof![
        match_value
            .clone()
            .prop_map(|v| json!({"claimMatchOperator": "EQUALS", "claimMatchValue": {"matchValueString": v}})),
        (one_of(&["CONTAINS", "CONTAINS_ANY"]), proptest::collection::vec(match_value, 1..=3))
            .prop_map(|(op, v)| { json!({"claimMatchOperator": op, "claimMatchValue": {"matchValueStringList": v}}) }),
    ];
    (re("[A-Za-z0-9_./:]{1,20}"), one_of(&["STRING", "STRING_ARRAY"]), matching)
        .prop_map(|(name, kind, matching)| {
            json!({"inboundTokenClaimName": name, "inboundTokenClaimValueType": kind, "authorizingClaimMatchValue": matching})
        })
        .boxed()
}

fn private_endpoint() -> BoxedStrategy<Value> {
    let rcfg = prop_oneof![
        re("rcfg-[0-9a-z]{17}"),
        re(r"arn:[a-z0-9\-]{1,8}:vpc-lattice:[a-zA-Z0-9\-]{1,12}:[0-9]{12}:resourceconfiguration/rcfg-[0-9a-z]{17}"),
    ];
    let lattice = rcfg.prop_map(|id| json!({"selfManagedLatticeResource": {"resourceConfigurationIdentifier": id}}));
    let vpc = (
        re("vpc-([0-9a-z]{8}|[0-9a-z]{17})"),
        list(re("subnet-[0-9a-zA-Z]{8,17}"), 1..=3),
        one_of(&["IPV4", "IPV6"]),
        opt(list(re("sg-([0-9a-z]{8}|[0-9a-z]{17})"), 0..=5)),
        opt(tags()),
        opt(text(3, 40)),
    )
        .prop_map(|(vpc, subnets, ip, groups, tags, domain)| {
            json!({"managedVpcResource": obj(vec![
                ("vpcIdentifier", Some(s(vpc))),
                ("subnetIds", Some(subnets)),
                ("endpointIpAddressType", Some(ip)),
                ("securityGroupIds", groups),
                ("tags", tags),
                ("routingDomain", domain.map(s)),
            ])})
        });
    prop_oneof![lattice, vpc].boxed()
}

fn custom_jwt() -> BoxedStrategy<Value> {
    let discovery = re(
        r"[a-zA-Z0-9:/._~%$!&'()*+,;=@é-]{1,24}/\.well-known/(openid-configuration|oauth-authorization-server)(/[a-zA-Z0-9._~%-]{1,10})?",
    );
    let mapping = proptest::collection::btree_map(
        // Map keys are never interpolated, and a `$` in one is refused: the model keeps `$` out of keys.
        re(r"[!#%-\[\]-~]{1,20}"),
        scope(),
        1..=3,
    )
    .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect()));
    let override_ = (text(1, 40), private_endpoint())
        .prop_map(|(domain, endpoint)| json!({"domain": domain, "privateEndpoint": endpoint}));
    let workload = (
        opt(proptest::collection::vec(text(20, 60).prop_map(|arn| json!({"arn": arn})), 1..=3)),
        opt(list(re("[A-Za-z0-9_.-]{3,30}"), 1..=3)),
    )
        .prop_map(|(envs, ids)| {
            obj(vec![("hostingEnvironments", envs.map(Value::Array)), ("workloadIdentities", ids)])
        });
    (
        discovery,
        opt(list(text(1, 30), 1..=3)),
        opt(list(text(1, 30), 1..=3)),
        opt(list(scope(), 1..=3)),
        opt(proptest::collection::vec(custom_claim(), 1..=3)),
        opt(mapping),
        opt(private_endpoint()),
        opt(proptest::collection::vec(override_, 0..=5)),
        opt(workload),
    )
        .prop_map(|(url, audience, clients, scopes, claims, mapping, endpoint, overrides, workload)| {
            json!({"customJWTAuthorizer": obj(vec![
                ("discoveryUrl", Some(s(url))),
                ("allowedAudience", audience),
                ("allowedClients", clients),
                ("allowedScopes", scopes),
                ("customClaims", claims.map(Value::Array)),
                ("advertisedScopeMapping", mapping),
                ("privateEndpoint", endpoint),
                ("privateEndpointOverrides", overrides.map(Value::Array)),
                ("allowedWorkloadConfiguration", workload),
            ])})
        })
        .boxed()
}

/// authorizerType with its configuration: CUSTOM_JWT requires one; the others take none.
fn authorizer() -> BoxedStrategy<(Value, Option<Value>)> {
    prop_oneof![
        3 => custom_jwt().prop_map(|c| (json!("CUSTOM_JWT"), Some(c))),
        1 => Just((json!("AWS_IAM"), None)),
        1 => Just((json!("NONE"), None)),
        1 => Just((json!("AUTHENTICATE_ONLY"), None)),
    ]
    .boxed()
}

fn lambda_arn() -> BoxedStrategy<String> {
    re(
        r"arn:(aws[a-zA-Z-]{0,4})?:lambda:[a-z]{2}(-gov)?-[a-z]{1,9}-[0-9]:[0-9]{12}:function:[a-zA-Z0-9_.-]{1,24}(:(\$LATEST|[a-zA-Z0-9_-]{1,10}))?",
    )
}

fn interceptor() -> BoxedStrategy<Value> {
    let filter = Just(json!({"exclude": [{"field": "RESPONSE_BODY"}]}));
    let input = (any::<bool>(), opt(filter)).prop_map(|(headers, filter)| {
        obj(vec![("passRequestHeaders", Some(Value::Bool(headers))), ("payloadFilter", filter)])
    });
    (lambda_arn(), proptest::collection::vec(one_of(&["REQUEST", "RESPONSE"]), 1..=2), opt(input))
        .prop_map(|(arn, points, input)| {
            obj(vec![
                ("interceptor", Some(json!({"lambda": {"arn": arn}}))),
                ("interceptionPoints", Some(Value::Array(points))),
                ("inputConfiguration", input),
            ])
        })
        .boxed()
}

fn policy_engine() -> BoxedStrategy<Value> {
    (
        re(r"arn:aws(-[a-z]{1,5})?:bedrock-agentcore:[a-z0-9-]{1,12}:[0-9]{12}:policy-engine/[a-zA-Z][a-zA-Z0-9_-]{0,20}-[a-zA-Z0-9_]{10}"),
        one_of(&["LOG_ONLY", "ENFORCE"]),
    )
        .prop_map(|(arn, mode)| json!({"arn": arn, "mode": mode}))
        .boxed()
}

fn waf() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => one_of(&["FAIL_CLOSE", "FAIL_OPEN"]).prop_map(|m| json!({"failureMode": m})),
        1 => Just(json!({"failureMode": null})),
    ]
    .boxed()
}

fn custom_transform() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => lambda_arn().prop_map(|arn| json!({"lambda": {"arn": arn}})),
        1 => Just(json!({"lambda": {"arn": null}})),
        1 => Just(json!({"lambda": null})),
    ]
    .boxed()
}

/// A valid gateway as a JSON tree in API naming.
fn gateway_json() -> BoxedStrategy<Value> {
    let head = (
        gateway_name(),
        opt(text(1, 200)),
        re(r"arn:aws(-[a-z]{2,6})?:iam::([0-9]{12})?:role/[ -~]{1,30}"),
        opt(one_of(&["MCP"])),
        opt(mcp()),
        authorizer(),
        opt(re("arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]{0,12}:[0-9]{12}:key/[a-zA-Z0-9-]{36}")),
    );
    let tail = (
        opt(proptest::collection::vec(interceptor(), 1..=2)),
        opt(policy_engine()),
        opt(one_of(&["DEBUG"])),
        opt(waf()),
        opt(custom_transform()),
        opt(tags()),
    );
    (head, tail)
        .prop_map(
            |(
                (name, description, role, protocol_type, protocol, (auth_type, auth_config), kms),
                (interceptors, policy, exception, waf, transform, tags),
            )| {
                obj(vec![
                    ("name", Some(s(name))),
                    ("description", description.map(s)),
                    ("roleArn", Some(s(role))),
                    ("protocolType", protocol_type),
                    ("protocolConfiguration", protocol),
                    ("authorizerType", Some(auth_type)),
                    ("authorizerConfiguration", auth_config),
                    ("kmsKeyArn", kms.map(s)),
                    ("interceptorConfigurations", interceptors.map(Value::Array)),
                    ("policyEngineConfiguration", policy),
                    ("exceptionLevel", exception),
                    ("wafConfiguration", waf),
                    ("customTransformConfiguration", transform),
                    ("tags", tags),
                ])
            },
        )
        .boxed()
}

/// Decodes a generated tree with the model's decoder; any problem is a generator bug.
fn decode(json: &Value) -> Result<Gateway, TestCaseError> {
    let node = Node::from_json(json);
    let mut problems = Vec::new();
    let mut cx = Cx::new("generated", &mut problems);
    let gateway = Gateway::decode(&node, &mut cx);
    Gateway::check_cross_field(&node, &mut cx);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(TestCaseError::fail(format!("generated an invalid gateway: {}\n{json:#}", list.join("\n"))));
    }
    gateway.ok_or_else(|| TestCaseError::fail(format!("decoded to nothing without a problem: {json:#}")))
}

// ---------------------------------------------------------------- harness

/// The Env of every emulator-backed property: a fixed seed, so a failing case replays.
fn env() -> Env {
    Env::builder().seed(11).start()
}

/// apply's options against `env`, polling fast (the emulator's delays are zero).
fn options(env: &Env) -> Options {
    let mut opts = Options::new(apply::Target { region: "us-east-1".into(), endpoint: env.url.clone() });
    opts.poll_initial = Duration::from_millis(2);
    opts.poll_max = Duration::from_millis(20);
    opts.wait_timeout = Duration::from_secs(30);
    opts
}

/// The library's stages (apply, observe, plan) run in process against the Env, as the binary
/// runs them.
impl Env {
    /// The generated gateway under a name no other case uses: `t{n}-{generated}`.
    fn fresh(&self, json: &Value) -> Result<Gateway, TestCaseError> {
        let n = self.unique();
        let mut json = json.clone();
        let base = json["name"].as_str().unwrap_or("g").to_string();
        json["name"] = Value::String(format!("t{n}-{base}"));
        decode(&json)
    }

    /// Creates `desired` the way `acgw apply` does (create, wait, update-only members, tags).
    fn apply(&self, desired: &Gateway) -> Result<(), TestCaseError> {
        let work =
            vec![(desired.name.to_string(), Work::Create { desired: desired.clone(), parts: PartsWork::default() })];
        let report = self.rt.block_on(apply::apply(&self.api(), work, &options(self), &Silent));
        prop_assert!(report.succeeded(), "apply failed: {:?}\nfor {desired:#?}", report.gateways);
        Ok(())
    }

    fn observe(&self, names: &[&str]) -> Result<Observed, TestCaseError> {
        self.rt.block_on(observe(&self.api(), names, 4)).map_err(|e| TestCaseError::fail(format!("observe: {e}")))
    }

    /// Applies `parts` to the live gateway `name` (its configuration and tags left alone) and
    /// fails the case unless every call succeeded.
    fn apply_parts(
        &self,
        name: &str,
        live: &LiveGateway,
        gateway: &Gateway,
        parts: PartsWork,
    ) -> Result<(), TestCaseError> {
        let work = Work::Update {
            gateway_id: live.gateway_id.clone(),
            gateway_arn: live.gateway_arn.clone(),
            desired: gateway.clone(),
            config: false,
            tags_set: Default::default(),
            tags_remove: Vec::new(),
            parts,
        };
        let report = self.rt.block_on(apply::apply(&self.api(), vec![(name.into(), work)], &options(self), &Silent));
        prop_assert!(report.succeeded(), "apply failed: {:?}", report.gateways);
        Ok(())
    }

    /// Observes the gateway `name` with one of its parts.
    fn observe_part(&self, name: &str, part: Part) -> Result<LiveState, TestCaseError> {
        let mut observed = self.observe(&[name])?;
        self.rt.block_on(acgw::observe::observe_parts(&self.api(), &mut observed, &[(name, vec![part])], 4));
        observed.managed.remove(name).ok_or_else(|| TestCaseError::fail(format!("not observed: {:?}", observed.failed)))
    }

    /// Observes the desired gateways and plans against them.
    fn plan(&self, desired: &Desired) -> Result<Plan, TestCaseError> {
        let names: Vec<&str> = desired.specs.iter().map(|s| s.gateway.name.as_str()).collect();
        Ok(plan::build(desired, &self.observe(&names)?))
    }
}

fn desired_of(gateways: Vec<Gateway>) -> Desired {
    let specs = gateways
        .into_iter()
        .map(|gateway| Spec::new(gateway, Source { file: "generated".into(), mark: Default::default() }))
        .collect();
    Desired { specs, ..Desired::default() }
}

fn assert_no_changes(plan: &Plan, context: &str) -> Result<(), TestCaseError> {
    if plan.has_changes() {
        let changed: Vec<String> = plan
            .gateways
            .iter()
            .filter(|g| g.is_change())
            .map(|g| format!("{} {}: changes {:?}; tags {:?}", g.action.as_str(), g.name, g.changes, g.tag_changes))
            .collect();
        return Err(TestCaseError::fail(format!("{context}: the plan is not empty:\n{}", changed.join("\n"))));
    }
    Ok(())
}

/// The configuration without tags (they are compared on their own: GetGateway has none).
fn config_only(g: &Gateway) -> Gateway {
    let mut g = g.clone();
    g.tags = None;
    g
}

// ---------------------------------------------------------------- properties

fn has_empty_object(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty() || m.values().any(has_empty_object),
        Value::Array(items) => items.iter().any(has_empty_object),
        _ => false,
    }
}

#[test]
fn decoding_the_serialized_model_gives_it_back() {
    check("decoding_the_serialized_model_gives_it_back", 1000, gateway_json(), |json| {
        let g = decode(&json)?;
        let serialized = serde_json::to_value(&g).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = decode(&serialized)?;
        // A structure with nothing set serializes as `{}`, which the spec format reads as "not
        // set": those come back as absent, which normalization already equates.
        if has_empty_object(&serialized) {
            prop_assert_eq!(normalize::gateway(back), normalize::gateway(g), "serialized as {:#}", serialized);
        } else {
            prop_assert_eq!(&back, &g, "serialized as {:#}", serialized);
        }
        Ok(())
    });
}

#[test]
fn apply_then_plan_shows_no_changes() {
    let h = env();
    check("apply_then_plan_shows_no_changes", 256, gateway_json(), |json| {
        let desired = h.fresh(&json)?;
        let specs = desired_of(vec![desired.clone()]);
        let before = h.plan(&specs)?;
        prop_assert_eq!(before.summary.create, 1, "a fresh name must plan as a create");
        h.apply(&desired)?;
        assert_no_changes(&h.plan(&specs)?, "after apply")
    });
}

#[test]
fn export_then_plan_against_the_export_shows_no_changes() {
    let h = env();
    check("export_then_plan_against_the_export_shows_no_changes", 256, gateway_json(), |json| {
        let desired = h.fresh(&json)?;
        h.apply(&desired)?;
        // As `acgw export --name NAME` does: observe the named gateway only.
        let mut observed = h.observe(&[desired.name.as_str()])?;
        observed.unmanaged.clear();
        let yaml = acgw::export::to_yaml(&observed, "properties").map_err(|e| TestCaseError::fail(e.to_string()))?.yaml;
        let exported = load::load_text("export.yaml", &yaml, &|_| None)
            .map_err(|p| TestCaseError::fail(format!("the export does not load back:\n{p}\n---\n{yaml}")))?;
        prop_assert_eq!(exported.specs.len(), 1);
        let loaded = &exported.specs[0].gateway;
        prop_assert_eq!(
            normalize::gateway(config_only(loaded)),
            normalize::gateway(config_only(&desired)),
            "the export changed the configuration:\n{}",
            yaml
        );
        prop_assert_eq!(normalize::gateway_tags(loaded), normalize::gateway_tags(&desired), "tags:\n{}", yaml);
        assert_no_changes(&h.plan(&exported)?, &format!("against the export\n{yaml}"))
    });
}

#[test]
fn normalized_observed_equals_normalized_desired() {
    let h = env();
    check("normalized_observed_equals_normalized_desired", 256, gateway_json(), |json| {
        let desired = h.fresh(&json)?;
        h.apply(&desired)?;
        let observed = h.observe(&[desired.name.as_str()])?;
        let live = observed.managed.get(desired.name.as_str()).ok_or_else(|| TestCaseError::fail("not observed"))?;
        let config = live.live.config.clone().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(normalize::gateway(config), normalize::gateway(config_only(&desired)));
        prop_assert_eq!(normalize::tag_map(&live.tags), normalize::gateway_tags(&desired));
        Ok(())
    });
}

// ---------------------------------------------------------------- hostile bytes

/// Fragments that make random input look like YAML often enough to reach the decoder.
#[rustfmt::skip]
const YAML_BITS: &[&str] = &[
    "gateways:", "\n", "  - ", "name: ", "roleArn: ", "authorizerType: ", "CUSTOM_JWT", "NONE", "tags:", "{", "}",
    "[", "]", ",", ": ", "&a ", "*a", "!!str ", "? ", "|\n", ">-\n", "'", "\"", "${X}", "${X:-d}", "$${", "---\n",
    "...\n", "#", "\t", "\u{feff}", "\u{0}", "\u{85}", "é", "~", "null", "1e9999", "-", "<<: *a\n", "%YAML 1.2\n",
    "protocolConfiguration: {mcp: {sessionConfiguration: {sessionTimeoutInSeconds: ",
];

fn hostile_bytes() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::collection::vec(select(YAML_BITS), 0..64).prop_map(|bits| bits.concat().into_bytes()),
        (proptest::collection::vec(select(YAML_BITS), 0..32), proptest::collection::vec(any::<u8>(), 0..32)).prop_map(
            |(bits, noise)| {
                let mut bytes = bits.concat().into_bytes();
                let at = if bytes.is_empty() { 0 } else { noise.len() % bytes.len() };
                bytes.splice(at..at, noise);
                bytes
            }
        ),
    ]
    .boxed()
}

#[test]
fn the_spec_loader_never_panics_on_arbitrary_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path: PathBuf = dir.path().join("spec.yaml");
    let env = |name: &str| (name == "X").then(|| "x".to_string());
    check("the_spec_loader_never_panics_on_arbitrary_bytes", 512, hostile_bytes(), |bytes| {
        // Either outcome is fine; a panic (caught by proptest) is the failure.
        let _ = load::load_text("fuzz.yaml", &String::from_utf8_lossy(&bytes), &env);
        std::fs::write(&path, &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Err(problems) = load::load_paths(std::slice::from_ref(&path), &env) {
            prop_assert!(!problems.0.is_empty(), "an error must say what is wrong");
        }
        Ok(())
    });
}

// ---------------------------------------------------------------- a gateway no spec made

fn build<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    r.expect("SDK builder")
}

/// Every member of the update request (create members plus the update-only ones) for the
/// JWT gateway, built with the SDK's own types: no acgw code is involved in making it.
struct SdkGateway {
    protocol: t::GatewayProtocolConfiguration,
    authorizer: t::AuthorizerConfiguration,
    interceptors: Vec<t::GatewayInterceptorConfiguration>,
    policy: t::GatewayPolicyEngineConfiguration,
}

fn sdk_gateway() -> SdkGateway {
    let mcp = t::McpGatewayConfiguration::builder()
        .supported_versions("2025-06-18")
        .supported_versions("2025-03-26")
        .supported_versions("2025-06-18")
        .instructions("Use the tools.\nNever ${INTERPOLATE} this: it is literal.")
        .search_type(t::SearchType::Semantic)
        .session_configuration(t::SessionConfiguration::builder().session_timeout_in_seconds(7200).build())
        .streaming_configuration(t::StreamingConfiguration::builder().enable_response_streaming(true).build())
        .disable_mcp_list_tools_pagination(true)
        .build();
    let vpc = build(
        t::ManagedVpcResource::builder()
            .vpc_identifier("vpc-0123456789abcdef0")
            .subnet_ids("subnet-bbbbbbbb")
            .subnet_ids("subnet-aaaaaaaa")
            .endpoint_ip_address_type(t::EndpointIpAddressType::Ipv6)
            .security_group_ids("sg-0123456789abcdef0")
            .tags("owner", "net")
            .routing_domain("internal.example.com")
            .build(),
    );
    let claim = |name: &str, kind, op, value| {
        build(
            t::CustomClaimValidationType::builder()
                .inbound_token_claim_name(name)
                .inbound_token_claim_value_type(kind)
                .authorizing_claim_match_value(build(
                    t::AuthorizingClaimMatchValueType::builder()
                        .claim_match_operator(op)
                        .claim_match_value(value)
                        .build(),
                ))
                .build(),
        )
    };
    let jwt = build(
        t::CustomJwtAuthorizerConfiguration::builder()
            .discovery_url("https://idp.example.com/.well-known/openid-configuration")
            .allowed_audience("api-b")
            .allowed_audience("api-a")
            .allowed_clients("client: with a colon")
            .allowed_scopes("write")
            .allowed_scopes("read:all")
            .custom_claims(claim(
                "department",
                t::InboundTokenClaimValueType::String,
                t::ClaimMatchOperatorType::Equals,
                t::ClaimMatchValueType::MatchValueString("support".into()),
            ))
            .custom_claims(claim(
                "roles",
                t::InboundTokenClaimValueType::StringArray,
                t::ClaimMatchOperatorType::ContainsAny,
                t::ClaimMatchValueType::MatchValueStringList(vec!["admin".into(), "ops".into()]),
            ))
            .advertised_scope_mapping("read:all", "read")
            .private_endpoint(t::PrivateEndpoint::ManagedVpcResource(vpc))
            .private_endpoint_overrides(build(
                t::PrivateEndpointOverride::builder()
                    .domain("idp.example.com")
                    .private_endpoint(t::PrivateEndpoint::SelfManagedLatticeResource(
                        t::SelfManagedLatticeResource::ResourceConfigurationIdentifier("rcfg-0123456789abcdef0".into()),
                    ))
                    .build(),
            ))
            .allowed_workload_configuration(
                t::AllowedWorkloadConfiguration::builder()
                    .hosting_environments(build(
                        t::HostingEnvironment::builder()
                            .arn("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/rt-1")
                            .build(),
                    ))
                    .workload_identities("agent-one")
                    .build(),
            )
            .build(),
    );
    let interceptor = build(
        t::GatewayInterceptorConfiguration::builder()
            .interceptor(t::InterceptorConfiguration::Lambda(build(
                t::LambdaInterceptorConfiguration::builder()
                    .arn("arn:aws:lambda:us-east-1:123456789012:function:pre:$LATEST")
                    .build(),
            )))
            .interception_points(t::GatewayInterceptionPoint::Response)
            .interception_points(t::GatewayInterceptionPoint::Request)
            .input_configuration(build(
                t::InterceptorInputConfiguration::builder()
                    .pass_request_headers(true)
                    .payload_filter(build(
                        t::InterceptorPayloadFilter::builder()
                            .exclude(t::InterceptorPayloadExclusionSelector::Field(
                                t::InterceptorPayloadExclusion::ResponseBody,
                            ))
                            .build(),
                    ))
                    .build(),
            ))
            .build(),
    );
    let second = build(
        t::GatewayInterceptorConfiguration::builder()
            .interceptor(t::InterceptorConfiguration::Lambda(build(
                t::LambdaInterceptorConfiguration::builder()
                    .arn("arn:aws:lambda:us-east-1:123456789012:function:post")
                    .build(),
            )))
            .interception_points(t::GatewayInterceptionPoint::Response)
            .build(),
    );
    let policy = build(
        t::GatewayPolicyEngineConfiguration::builder()
            .arn("arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/engine-0123456789")
            .mode(t::GatewayPolicyEngineMode::Enforce)
            .build(),
    );
    SdkGateway {
        protocol: t::GatewayProtocolConfiguration::Mcp(mcp),
        authorizer: t::AuthorizerConfiguration::CustomJwtAuthorizer(jwt),
        interceptors: vec![interceptor, second],
        policy,
    }
}

async fn wait_ready(client: &aws_sdk_bedrockagentcorecontrol::Client, id: &str) {
    for _ in 0..500 {
        let out = client.get_gateway().gateway_identifier(id).send().await.expect("GetGateway");
        if out.status() == &t::GatewayStatus::Ready {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("gateway {id} never became READY");
}

#[test]
fn a_gateway_created_through_the_sdk_exports_to_specs_that_plan_no_changes() {
    let h = env();
    let client = h.client();
    let g = sdk_gateway();
    let kms = "arn:aws:kms:us-east-1:123456789012:key/01234567-89ab-cdef-0123-456789abcdef";
    let yaml = h.rt.block_on(async {
        let created = client
            .create_gateway()
            .name("made-by-hand")
            .description("Made in the console: costs $5, ${NOT_A_VAR}, and 'quotes'")
            .role_arn("arn:aws:iam::123456789012:role/by-hand")
            .protocol_type(t::GatewayProtocolType::Mcp)
            .protocol_configuration(g.protocol.clone())
            .authorizer_type(t::AuthorizerType::CustomJwt)
            .authorizer_configuration(g.authorizer.clone())
            .kms_key_arn(kms)
            .set_interceptor_configurations(Some(g.interceptors.clone()))
            .policy_engine_configuration(g.policy.clone())
            .exception_level(t::ExceptionLevel::Debug)
            .tags("team", "support")
            .tags("cost-center", "")
            .send()
            .await
            .expect("CreateGateway");
        wait_ready(&client, created.gateway_id()).await;
        // wafConfiguration and customTransformConfiguration exist only in UpdateGateway (a full replace).
        client
            .update_gateway()
            .gateway_identifier(created.gateway_id())
            .name("made-by-hand")
            .description("Made in the console: costs $5, ${NOT_A_VAR}, and 'quotes'")
            .role_arn("arn:aws:iam::123456789012:role/by-hand")
            .protocol_type(t::GatewayProtocolType::Mcp)
            .protocol_configuration(g.protocol.clone())
            .authorizer_type(t::AuthorizerType::CustomJwt)
            .authorizer_configuration(g.authorizer.clone())
            .kms_key_arn(kms)
            .set_interceptor_configurations(Some(g.interceptors.clone()))
            .policy_engine_configuration(g.policy.clone())
            .exception_level(t::ExceptionLevel::Debug)
            .waf_configuration(t::WafConfiguration::builder().failure_mode(t::WafFailureMode::FailOpen).build())
            .custom_transform_configuration(
                t::CustomTransformConfiguration::builder()
                    .lambda(
                        t::LambdaTransformConfiguration::builder()
                            .arn("arn:aws:lambda:us-east-1:123456789012:function:transform")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("UpdateGateway");
        wait_ready(&client, created.gateway_id()).await;
        // A second one with only the required members and server defaults spelled out.
        let plain = client
            .create_gateway()
            .name("iam-defaults")
            .role_arn("arn:aws:iam::123456789012:role/iam")
            .authorizer_type(t::AuthorizerType::AwsIam)
            .protocol_configuration(t::GatewayProtocolConfiguration::Mcp(
                t::McpGatewayConfiguration::builder()
                    .session_configuration(t::SessionConfiguration::builder().session_timeout_in_seconds(3600).build())
                    .disable_mcp_list_tools_pagination(false)
                    .build(),
            ))
            .send()
            .await
            .expect("CreateGateway");
        wait_ready(&client, plain.gateway_id()).await;
        let observed = acgw::observe::observe_all(&h.api(), 4).await.expect("observe");
        acgw::export::to_yaml(&observed, "sdk").expect("export").yaml
    });
    for member in [
        "description:",
        "protocolType: MCP",
        "supportedVersions:",
        "instructions:",
        "searchType: SEMANTIC",
        "sessionTimeoutInSeconds: 7200",
        "enableResponseStreaming: true",
        "disableMcpListToolsPagination: true",
        "customJWTAuthorizer:",
        "allowedAudience:",
        "allowedClients:",
        "allowedScopes:",
        "customClaims:",
        "matchValueStringList:",
        "advertisedScopeMapping:",
        "managedVpcResource:",
        "routingDomain:",
        "selfManagedLatticeResource:",
        "hostingEnvironments:",
        "workloadIdentities:",
        "kmsKeyArn:",
        "interceptorConfigurations:",
        "payloadFilter:",
        "policyEngineConfiguration:",
        "exceptionLevel: DEBUG",
        "wafConfiguration:",
        "customTransformConfiguration:",
        "team: support",
        "cost-center: \"\"",
    ] {
        assert!(yaml.contains(member), "the export lacks `{member}`:\n{yaml}");
    }
    let body: String = yaml.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
    for output_only in ["gatewayId", "gatewayArn", "gatewayUrl", "status", "createdAt", "updatedAt", "workloadIdentity"]
    {
        assert!(!body.contains(output_only), "the export has output-only `{output_only}`:\n{yaml}");
    }
    assert!(!yaml.contains("3600"), "a server default was exported:\n{yaml}");
    let exported = load::load_text("export.yaml", &yaml, &|_| None).unwrap_or_else(|p| panic!("{p}\n{yaml}"));
    assert_eq!(exported.specs.len(), 2, "{yaml}");
    let by_hand = exported.get("made-by-hand").expect("exported");
    assert_eq!(
        by_hand.gateway.description.as_ref().map(|d| d.as_str()),
        Some("Made in the console: costs $5, ${NOT_A_VAR}, and 'quotes'"),
        "a literal `${{` must survive export and load"
    );
    let plan = h.rt.block_on(async {
        let names: Vec<&str> = exported.specs.iter().map(|s| s.gateway.name.as_str()).collect();
        plan::build(&exported, &observe(&h.api(), &names, 4).await.expect("observe"))
    });
    if let Err(e) = assert_no_changes(&plan, "against the export") {
        panic!("{e}\n{yaml}");
    }
    assert_eq!(plan.summary.no_op, 2);
    let tags: BTreeMap<String, String> = normalize::gateway_tags(&by_hand.gateway);
    assert_eq!(tags.get("team").map(String::as_str), Some("support"));
}

// ---------------------------------------------------------------- tolerant reading

/// Where a response can hold what the model does not allow, and the JSON to put there.
fn odd_member() -> impl Strategy<Value = (&'static str, Value)> {
    let any_string = prop_oneof![Just(String::new()), text(0, 300), string_regex("[A-Z_]{1,20}").expect("regex")];
    let any_value = prop_oneof![
        any_string.clone().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        Just(json!([])),
        Just(json!({})),
        Just(Value::Null),
        string_regex("[a-zA-Z]{1,12}").expect("regex").prop_map(|k| json!({ k: {"x": 1} })),
    ];
    // ListGateways items carry these too: AWS may send any string there (a longer description,
    // a new enum value), but a wrongly typed value would break every page of the list, which is
    // a whole-command error by design, so they get strings only.
    let listed = prop_oneof![Just("/description"), Just("/authorizerType"), Just("/protocolType")];
    // Anywhere else, even a wrongly typed value must fail only its own gateway.
    let pointer = prop_oneof![
        Just("/roleArn"),
        Just("/exceptionLevel"),
        Just("/kmsKeyArn"),
        Just("/protocolConfiguration"),
        Just("/authorizerConfiguration"),
        Just("/interceptorConfigurations"),
        Just("/policyEngineConfiguration"),
        Just("/wafConfiguration"),
        Just("/customTransformConfiguration"),
    ];
    let nested = prop_oneof![
        (Just("/searchType"), any_string.clone().prop_map(Value::String)),
        (Just("/instructions"), any_string.clone().prop_map(Value::String)),
        (Just("/supportedVersions"), prop::collection::vec(any_string.clone(), 0..3).prop_map(|v| json!(v))),
        (Just("/sessionConfiguration"), any::<i32>().prop_map(|n| json!({"sessionTimeoutInSeconds": n}))),
    ]
    .prop_map(|(leaf, value)| (leaf, json!({"mcp": {leaf.trim_start_matches('/'): value}})));
    prop_oneof![
        (listed, any_string.prop_map(Value::String)),
        (pointer, any_value),
        nested.prop_map(|(_, v)| ("/protocolConfiguration", v)),
    ]
}

#[test]
fn out_of_model_responses_fail_no_gateway_but_their_own_and_never_panic() {
    let h = env();
    let emulator = h.handle();
    check(
        "out_of_model_responses_fail_no_gateway_but_their_own_and_never_panic",
        128,
        odd_member(),
        |(pointer, value)| {
            let names: Vec<String> = ["a", "odd", "z"].iter().map(|n| format!("t{}-{n}", h.unique())).collect();
            let gateways: Vec<Gateway> = names
                .iter()
                .map(|n| {
                    decode(
                        &json!({"name": n, "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "AWS_IAM"}),
                    )
                })
                .collect::<Result<_, _>>()?;
            for g in &gateways {
                h.apply(g)?;
            }
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let before = h.observe(&refs)?;
            let odd_id = before.managed[&names[1]].live.gateway_id.clone();
            prop_assert!(emulator.set_raw(&odd_id, pointer, value.clone()), "stored");

            let observed = h.observe(&refs)?;
            for healthy in [&names[0], &names[2]] {
                prop_assert_eq!(
                    observed.managed.get(healthy),
                    before.managed.get(healthy),
                    "{} untouched by {} = {}",
                    healthy,
                    pointer,
                    value
                );
            }
            // The odd one is read (its odd value kept), unreadable with a path, or failed alone.
            let odd = &names[1];
            match (observed.managed.get(odd), observed.failed.get(odd)) {
                (Some(state), None) => {
                    if let Err(u) = &state.live.config {
                        prop_assert!(!u.path.is_empty(), "unreadable without a path: {u}");
                    }
                }
                (None, Some(e)) => prop_assert_eq!(e.gateway_id(), Some(odd_id.as_str())),
                other => prop_assert!(false, "odd gateway neither read nor failed: {other:?}"),
            }
            let plan = plan::build(&desired_of(gateways.clone()), &observed);
            prop_assert!(plan.get(&names[0]).is_some_and(|g| !g.is_change()), "{plan:?}");
            prop_assert!(plan.get(&names[2]).is_some_and(|g| !g.is_change()), "{plan:?}");
            let export = acgw::export::to_yaml(&observed, "odd").map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(export.yaml.contains(&names[0]) && export.yaml.contains(&names[2]));
            Ok(())
        },
    );
}

// ---------------------------------------------------------------- hostile names through export -o

/// Pieces of names a hostile service might answer: separators, `..`, control characters,
/// unicode, and what YAML, shells or file systems treat specially.
#[rustfmt::skip]
const NAME_BITS: &[&str] = &[
    "..", "/", "\\", ".", "\0", "\u{1b}[31m", "\n", "\r", "\t", "\u{7f}", "é", "日", "🦀", "\u{202e}", "a", "Z",
    "0", "-", "_", " ", "~", "${HOME}", "%2e%2e", "CON", ":", "*", "?", "\"", "'", "#", "&a", "null", "..\\..",
];

/// A name a spec can hold (gateway or target).
fn valid_name() -> BoxedStrategy<String> {
    re("[0-9a-zA-Z](-?[0-9a-zA-Z]){0,30}-?")
}

/// A live name: a valid spec name, hostile pieces, or 1–1,000 characters.
fn live_name() -> BoxedStrategy<String> {
    prop_oneof![
        2 => valid_name(),
        3 => proptest::collection::vec(select(NAME_BITS), 1..12).prop_map(|bits| bits.concat()),
        1 => re("[a-zA-Z0-9./-]{1,1000}"),
        1 => re(".{1,1000}"),
    ]
    .boxed()
}

/// 1–3 gateways of 1–2 targets (name → secret) each, named by `name`.
fn named_gateways(name: fn() -> BoxedStrategy<String>) -> BoxedStrategy<BTreeMap<String, BTreeMap<String, String>>> {
    proptest::collection::btree_map(name(), proptest::collection::btree_map(name(), "[a-z0-9]{1,12}", 1..=2), 1..=3)
        .boxed()
}

/// Whether a spec can hold `name` as a gateway (`gateway`) or target name.
fn spec_name(name: &str, gateway: bool) -> bool {
    // The pattern `([0-9a-zA-Z][-]?){1,max}`.
    let max = if gateway { 48 } else { 100 };
    !name.is_empty()
        && !name.starts_with('-')
        && !name.contains("--")
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name.bytes().filter(u8::is_ascii_alphanumeric).count() <= max
}

/// A live gateway `name` holding `targets` (name, secret) as read from the service: each with
/// an OpenAPI schema long enough for `export -o` to write to a file and an OAuth secret.
fn hostile_live(name: &str, targets: &[(String, String)]) -> Result<LiveState, TestCaseError> {
    use acgw::model::live::{GatewayStatus, LiveTarget, TargetStatus};
    use acgw::model::target::TargetName;
    use acgw::model::{FromService, GatewayName};
    let mut gateway =
        decode(&json!({"name": "g", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE"}))?;
    gateway.name = GatewayName::from_service(name.to_string());
    let payload: String = (0..25).map(|i| format!("# {name:?} line {i}\n")).collect::<String>() + "openapi: 3.0.3\n";
    let mut live_targets = Vec::new();
    for (i, (target, secret)) in targets.iter().enumerate() {
        let json = json!({
            "name": "t",
            "targetConfiguration": {"mcp": {"openApiSchema": {"inlinePayload": payload}}},
            "credentialProviderConfigurations": [{"credentialProviderType": "OAUTH", "credentialProvider": {"oauthCredentialProvider": {
                "providerArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/x",
                "scopes": ["read"], "customParameters": {"audience": secret}}}}],
        });
        let mut problems = Vec::new();
        let mut config = Target::decode(&Node::from_json(&json), &mut Cx::new("generated", &mut problems))
            .ok_or_else(|| TestCaseError::fail(format!("{problems:?}")))?;
        config.name = TargetName::from_service(target.clone());
        live_targets.push(LiveTarget {
            target_id: format!("TARGET{i:04}"),
            name: target.clone(),
            status: TargetStatus::Ready,
            status_reasons: Vec::new(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            last_synchronized_at: None,
            authorization_url: None,
            config: Ok(config),
        });
    }
    live_targets.sort_by(|a, b| a.name.cmp(&b.name));
    let mut state = LiveState::new(
        LiveGateway {
            gateway_id: "gw-abcdefghij".into(),
            gateway_arn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/gw-abcdefghij".into(),
            status: GatewayStatus::Ready,
            status_reasons: Vec::new(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            config: Ok(gateway),
        },
        Default::default(),
    );
    state.targets = Some(live_targets);
    Ok(state)
}

/// Every path under `dir` (not following symlinks).
fn every_path(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable") {
        let entry = entry.expect("entry");
        out.push(entry.path());
        if entry.file_type().expect("type").is_dir() {
            every_path(&entry.path(), out);
        }
    }
}

/// What `acgw export -o out/gateways.yaml` does with generated hostile gateway and target
/// names: every file it writes is inside `out/`, is a plain file (no symlink anywhere), and
/// no name fails the export. When every name is one a spec can hold, the export loads back
/// (with each placeholder's variable set to its secret) and plans clean against the same live
/// state. A name a spec cannot hold cannot plan clean, since no spec can name that gateway; for
/// those, "clean" means the export still loads as YAML and its only errors are those names,
/// each of which export warned about.
#[test]
fn export_of_hostile_names_stays_in_its_folder_and_loads_back_clean() {
    check(
        "export_of_hostile_names_stays_in_its_folder_and_loads_back_clean",
        256,
        // Half the cases hold only names a spec can hold, so that both halves of the property run.
        prop_oneof![named_gateways(valid_name), named_gateways(live_name)],
        |gateways| {
            let mut observed = Observed::default();
            for (name, targets) in &gateways {
                let targets: Vec<(String, String)> = targets.iter().map(|(t, s)| (t.clone(), s.clone())).collect();
                observed.managed.insert(name.clone(), hostile_live(name, &targets)?);
            }
            let top = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let out = top.path().join("out");
            let mut folder = acgw::confine::Folder::new(&out, false);
            let check_file = |rel: &str| folder.check(rel).map(drop).map_err(|e| e.to_string());
            let options =
                acgw::export::Options { split_payloads: true, check_file: Some(&check_file), provider_names: None };
            let export = acgw::export::to_yaml_with(&observed, "generated", options)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(export.skipped.is_empty(), "no name fails the export: {:?}", export.skipped);
            prop_assert_eq!(export.count, gateways.len());
            let split: usize = gateways.values().map(|t| t.len()).sum();
            prop_assert_eq!(export.files.len(), split, "one schema file per target");
            for (file, text) in &export.files {
                folder.write(file, text.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            acgw::atomic::write(&out.join("gateways.yaml"), export.yaml.as_bytes())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;

            let mut paths = Vec::new();
            every_path(top.path(), &mut paths);
            let root = out.canonicalize().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut files = 0;
            for path in &paths {
                let meta = std::fs::symlink_metadata(path).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(!meta.file_type().is_symlink(), "{}", path.display());
                let real = path.canonicalize().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(
                    real == root || real.starts_with(&root),
                    "{} is outside {}",
                    real.display(),
                    root.display()
                );
                files += usize::from(meta.is_file());
            }
            prop_assert_eq!(files, split + 1, "{:?}", paths);

            let all_valid =
                gateways.iter().all(|(g, targets)| spec_name(g, true) && targets.keys().all(|t| spec_name(t, false)));
            let secrets: BTreeMap<String, String> = gateways
                .iter()
                .flat_map(|(g, targets)| {
                    targets.iter().map(move |(t, s)| (acgw::export::env_name(&[g, t, "audience"]), s.clone()))
                })
                .collect();
            prop_assert_eq!(secrets.len(), split, "one placeholder per secret");
            let env = |var: &str| secrets.get(var).cloned();
            let loaded = load::load_paths(&[out.join("gateways.yaml")], &env);
            if all_valid {
                let desired = loaded
                    .map_err(|p| TestCaseError::fail(format!("does not load back:\n{p}\n---\n{}", export.yaml)))?;
                prop_assert_eq!(desired.specs.len(), gateways.len());
                assert_no_changes(&plan::build(&desired, &observed), &format!("against the export\n{}", export.yaml))?;
            } else {
                let problems = match loaded {
                    Ok(_) => {
                        return Err(TestCaseError::fail(format!("names a spec cannot hold loaded:\n{}", export.yaml)))
                    }
                    Err(p) => p.0,
                };
                for p in problems.iter().filter(|p| p.severity == acgw::problem::Severity::Error) {
                    let about_a_name =
                        p.path == "name" || (p.path.starts_with("targets[") && p.path.ends_with("].name"));
                    prop_assert!(about_a_name, "an error not about a name: {}: {}\n{}", p.path, p.message, export.yaml);
                }
                for (g, targets) in &gateways {
                    if !spec_name(g, true) {
                        prop_assert!(
                            export.warnings.iter().any(|w| w.contains(": name: the live value is copied")),
                            "{:?}",
                            export.warnings
                        );
                    }
                    if targets.keys().any(|t| !spec_name(t, false)) {
                        prop_assert!(
                            export.warnings.iter().any(|w| w.contains("].name: the live value is copied")),
                            "{:?}",
                            export.warnings
                        );
                    }
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------- targets, generated from the schema

/// A strategy for values of `schema`, driven by the JSON Schema that `acgw schema` prints: the
/// schema follows from the same declarations as the decoder, so every member, union member and
/// enum value of every target kind is reachable without a hand-written generator per shape.
/// `${VAR}` alternatives and "unset" forms are skipped; recursion stops at `depth` 3.
fn from_schema(defs: &Map<String, Value>, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return match defs.get(name) {
            Some(def) if depth < 4 => from_schema(defs, def, depth + 1),
            _ => Just(Value::Null).boxed(),
        };
    }
    if let Some(alternatives) = schema.get("anyOf").and_then(Value::as_array) {
        // The first alternative is the member's own schema; the others are `${VAR}` and "unset".
        return from_schema(defs, &alternatives[0], depth);
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return select(values.clone()).boxed();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") if schema.get("oneOf").is_some() => union_strategy(defs, schema, depth),
        Some("object") if schema.get("propertyNames").is_some() => {
            let key = string_strategy(&schema["propertyNames"]);
            let value = from_schema(defs, &schema["additionalProperties"], depth);
            let min = schema.get("minProperties").and_then(Value::as_u64).unwrap_or(0) as usize;
            let max = schema.get("maxProperties").and_then(Value::as_u64).unwrap_or(3).min(3) as usize;
            proptest::collection::btree_map(key, value, min.max(if depth > 2 { 0 } else { min })..=max.max(min))
                .prop_map(|m| Value::Object(m.into_iter().collect()))
                .boxed()
        }
        Some("object") => struct_strategy(defs, schema, depth),
        Some("array") => {
            let item = from_schema(defs, &schema["items"], depth);
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
            let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(3).min(3) as usize;
            proptest::collection::vec(item, min..=max.max(min)).prop_map(Value::Array).boxed()
        }
        Some("string") => string_strategy(schema).prop_map(Value::String).boxed(),
        Some("integer") => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
            let max = schema.get("maximum").and_then(Value::as_i64).unwrap_or(1000).min(100_000);
            (min..=max).prop_map(|n| json!(n)).boxed()
        }
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("number") => {
            let min = schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
            // Whole numbers and halves: what specs write, and exact in JSON.
            (0u32..2000).prop_map(move |n| json!(min.max(0.0) + f64::from(n) / 2.0)).boxed()
        }
        // Any JSON (connector parameterValues).
        _ => prop_oneof![Just(json!({"k": "v"})), Just(json!([1, "two"])), Just(json!("text"))].boxed(),
    }
}

fn string_strategy(schema: &Value) -> BoxedStrategy<String> {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema.get("maxLength").and_then(Value::as_u64).map_or(40, |m| m as usize);
    match schema.get("pattern").and_then(Value::as_str) {
        Some(p) => {
            // A pattern without a maximum (a configuration bundle ARN) bounds the length itself.
            let max = if schema.get("maxLength").is_none() { usize::MAX } else { max };
            // `^(?:...)$` as written by the schema; the regex strategy wants the bare pattern.
            let bare = p.trim_start_matches("^(?:").trim_end_matches(")$").to_string();
            string_regex(&bare)
                .expect("the model's patterns are valid regexes")
                .prop_filter("within the length bounds", move |s| (min..=max).contains(&s.chars().count()))
                .boxed()
        }
        None => string_regex(&format!("[a-zA-Z0-9 ._-]{{{},{}}}", min.max(1), max.clamp(min.max(1), 24)))
            .expect("valid")
            .boxed(),
    }
}

fn struct_strategy(defs: &Map<String, Value>, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
    let required: Vec<String> =
        schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from).collect();
    let members: Vec<BoxedStrategy<(String, Option<Value>)>> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, member)| {
            let key = key.clone();
            let value = from_schema(defs, member, depth);
            if required.contains(&key) {
                value.prop_map(move |v| (key.clone(), Some(v))).boxed()
            } else if depth > 2 {
                Just((key, None)).boxed()
            } else {
                proptest::option::of(value).prop_map(move |v| (key.clone(), v)).boxed()
            }
        })
        .collect();
    members.prop_map(|pairs| Value::Object(pairs.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect())).boxed()
}

fn union_strategy(defs: &Map<String, Value>, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
    let members: Vec<BoxedStrategy<Value>> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        // `file:` is a spec-only stand-in resolved at load time, not an API member.
        .filter(|(key, _)| key.as_str() != "file")
        .map(|(key, member)| {
            let key = key.clone();
            from_schema(defs, member, depth).prop_map(move |v| json!({ key.clone(): v })).boxed()
        })
        .collect();
    proptest::strategy::Union::new(members).boxed()
}

/// Every target kind, as (outer union key, inner union key) under `targetConfiguration`.
const TARGET_KINDS: &[(&str, &str)] = &[
    ("mcp", "openApiSchema"),
    ("mcp", "smithyModel"),
    ("mcp", "lambda"),
    ("mcp", "mcpServer"),
    ("mcp", "apiGateway"),
    ("mcp", "connector"),
    ("http", "agentcoreRuntime"),
    ("http", "passthrough"),
    ("http", "connector"),
    ("inference", "connector"),
    ("inference", "provider"),
];

/// Generated targets of one kind that pass the decoder and its cross-field rules.
fn target_of_kind(kind: (&'static str, &'static str)) -> BoxedStrategy<Target> {
    let schema = acgw::model::schema::spec_file();
    let defs = schema["$defs"].as_object().cloned().expect("defs");
    let outer = &defs[&format!(
        "{}TargetConfiguration",
        match kind.0 {
            "mcp" => "Mcp",
            "http" => "Http",
            _ => "Inference",
        }
    )];
    let inner = from_schema(&defs, &outer["properties"][kind.1], 0);
    let rest = from_schema(&defs, &json!({ "$ref": "#/$defs/Target" }), 0);
    (inner, rest)
        .prop_filter_map("a valid target", move |(inner, mut target)| {
            target["targetConfiguration"] = json!({ kind.0: { kind.1: inner } });
            let mut problems = Vec::new();
            let node = Node::from_json(&target);
            let mut cx = Cx::new("generated", &mut problems);
            let decoded = Target::decode(&node, &mut cx);
            Target::check_cross_field(&node, &mut cx);
            decoded.filter(|_| problems.is_empty())
        })
        .boxed()
}

#[test]
fn every_target_kind_reads_back_as_applied_and_plans_no_changes() {
    let h = env();
    let gateway = decode(
        &json!({ "name": "targets", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "AWS_IAM" }),
    )
    .expect("gateway");
    h.apply(&gateway).expect("gateway created");
    let live_gateway = h.observe(&["targets"]).expect("observed").managed["targets"].live.clone();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(8u32);
    for &kind in TARGET_KINDS {
        check(&format!("target kind {}.{}", kind.0, kind.1), cases, target_of_kind(kind), |mut desired| {
            let n = h.unique();
            desired.name = acgw::model::target::TargetName::try_from(format!("t{n}").as_str()).expect("name");
            let targets = vec![ItemWork::Create { desired: desired.clone(), replaces: None }];
            h.apply_parts(
                "targets",
                &live_gateway,
                &gateway,
                PartsWork { targets: Some(targets), ..PartsWork::default() },
            )?;
            let state = h.observe_part("targets", Part::Targets)?;
            let live = state.targets.clone().unwrap_or_default();
            let mine: Vec<_> = live.into_iter().filter(|t| t.name == desired.name.as_str()).collect();
            prop_assert_eq!(mine.len(), 1);
            let config = mine[0].config.clone().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let region = Some("us-east-1");
            prop_assert_eq!(normalize::target(config, region), normalize::target(desired.clone(), region));
            let plans = plan::plan_targets(std::slice::from_ref(&desired), Some(&mine), region);
            prop_assert!(plans.iter().all(|p| !p.is_change()), "a plan after apply changes: {plans:#?}");
            Ok(())
        });
    }
}

/// Generated rate limits that pass the decoder and the dimension rules: the keys and the entries'
/// dimensions are built to agree (the schema cannot say that), the rest comes from the schema.
fn rate_limit_strategy() -> BoxedStrategy<acgw::model::rate_limit::RateLimit> {
    use acgw::model::rate_limit::RateLimit;
    let schema = acgw::model::schema::spec_file();
    let defs = schema["$defs"].as_object().cloned().expect("defs");
    let rate_configs = from_schema(&defs, &json!({ "$ref": "#/$defs/RateConfig" }), 0);
    // The model allows exactly one rate config per kind.
    let configs = proptest::collection::vec(rate_configs, 1..=1);
    let keys = proptest::sample::subsequence(
        vec!["$.context.iam.principal", "qualifiedModelId", "$.context.request.header.x-team", "targetName"],
        1..=3,
    );
    let description = proptest::option::of(string_regex("[a-zA-Z0-9 ]{1,30}").expect("regex"));
    (keys, description, configs.clone(), proptest::option::of(configs), any::<bool>())
        .prop_map(|(keys, description, requests, tokens, wildcard)| {
            let dimensions: Map<String, Value> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let last = i + 1 == keys.len();
                    let v = if wildcard && last { "*".to_string() } else { format!("{k}-value") };
                    (k.to_string(), Value::String(v))
                })
                .collect();
            let mut entry = json!({ "dimensions": dimensions, "requests": requests });
            if let Some(tokens) = tokens {
                entry["tokens"] = Value::Array(tokens);
            }
            let mut v = json!({ "rateLimitId": "generated", "dimensionKeys": keys, "entries": [entry] });
            if let Some(d) = description {
                v["description"] = Value::String(d);
            }
            v
        })
        .prop_filter_map("a valid rate limit", |value| {
            let mut problems = Vec::new();
            let node = Node::from_json(&value);
            let mut cx = Cx::new("generated", &mut problems);
            let decoded = RateLimit::decode(&node, &mut cx);
            RateLimit::check_cross_field(&node, &mut cx);
            decoded.filter(|_| problems.is_empty())
        })
        .boxed()
}

#[test]
fn generated_rate_limits_read_back_as_applied_and_plan_no_changes() {
    let h = env();
    let gateway = decode(
        &json!({ "name": "limits", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "AWS_IAM" }),
    )
    .expect("gateway");
    h.apply(&gateway).expect("gateway created");
    let live_gateway = h.observe(&["limits"]).expect("observed").managed["limits"].live.clone();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(16u32);
    check("generated rate limits", cases, rate_limit_strategy(), |mut desired| {
        let n = h.unique();
        let id = format!("rl{n}");
        desired.rate_limit_id = acgw::model::rate_limit::RateLimitId::try_from(id.as_str()).expect("id");
        let rate_limits = vec![ItemWork::Create { desired: desired.clone(), replaces: None }];
        h.apply_parts(
            "limits",
            &live_gateway,
            &gateway,
            PartsWork { rate_limits: Some(rate_limits), ..PartsWork::default() },
        )?;
        let state = h.observe_part("limits", Part::RateLimits)?;
        let mine: Vec<_> =
            state.rate_limits.clone().unwrap_or_default().into_iter().filter(|r| r.rate_limit_id == id).collect();
        prop_assert_eq!(mine.len(), 1);
        let config = mine[0].config.clone().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(normalize::rate_limit(config), normalize::rate_limit(desired.clone()));
        let plans = plan::plan_rate_limits(std::slice::from_ref(&desired), Some(&mine));
        prop_assert!(plans.iter().all(|p| p.action == plan::Action::NoOp), "a plan after apply changes: {plans:#?}");
        // Delete it again: a gateway holds at most 50.
        let rate_limits = vec![ItemWork::Delete {
            id: id.clone(),
            key: acgw::kind::rate_limit::RateLimitKey { rate_limit_id: id.clone() },
        }];
        h.apply_parts(
            "limits",
            &live_gateway,
            &gateway,
            PartsWork { rate_limits: Some(rate_limits), ..PartsWork::default() },
        )?;
        Ok(())
    });
}

// ---------------------------------------------------------------- resource policies

/// An IAM string-or-list value: one string, or a list of 1–3 (a one-element list and the bare
/// string are the same to IAM).
fn string_or_list(item: BoxedStrategy<String>) -> BoxedStrategy<Value> {
    prop_oneof![item.clone().prop_map(Value::String), prop::collection::vec(item, 1..=3).prop_map(|v| json!(v))].boxed()
}

/// Resource policies as users write them: 1–3 statements, each with an optional Sid, an
/// Effect, a Principal (`*`, or AWS principals as a string or a list), Actions and Resources as
/// a string or a list, and sometimes a Condition.
fn policy_strategy() -> BoxedStrategy<Value> {
    let principal = prop_oneof![
        Just(json!("*")),
        string_or_list(re("arn:aws:iam::[0-9]{12}:(root|role/[a-zA-Z0-9+=,.@_-]{1,20})"))
            .prop_map(|aws| json!({ "AWS": aws })),
    ];
    let action = string_or_list(
        select(vec![
            "bedrock-agentcore:InvokeGateway".to_string(),
            "bedrock-agentcore:*".to_string(),
            "bedrock-agentcore:GetGateway".to_string(),
        ])
        .boxed(),
    );
    let resource =
        string_or_list(
            prop_oneof![
                Just("*".to_string()),
                re("arn:aws:bedrock-agentcore:us-east-1:[0-9]{12}:gateway/[a-z0-9-]{3,20}"),
            ]
            .boxed(),
        );
    let condition =
        prop::option::of(re("vpc-[0-9a-f]{8}").prop_map(|vpc| json!({ "StringEquals": { "aws:SourceVpc": vpc } })));
    let statement = (
        prop::option::of(re("[A-Za-z0-9]{1,12}")),
        select(vec!["Allow", "Deny"]),
        principal,
        action,
        resource,
        condition,
    )
        .prop_map(|(sid, effect, principal, action, resource, condition)| {
            let mut st = json!({ "Effect": effect, "Principal": principal, "Action": action, "Resource": resource });
            if let Some(sid) = sid {
                st["Sid"] = Value::String(sid);
            }
            if let Some(c) = condition {
                st["Condition"] = c;
            }
            st
        });
    prop::collection::vec(statement, 1..=3)
        .prop_map(|statements| json!({ "Version": "2012-10-17", "Statement": statements }))
        .boxed()
}

/// The same policy as IAM reads it, written otherwise: one-element lists as bare strings and
/// bare strings as one-element lists, and every object's keys in reverse order.
fn rewritten(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, child) in map.iter().rev() {
                let child = match (k.as_str(), child) {
                    ("Action" | "Resource" | "AWS", Value::String(one)) => json!([one]),
                    ("Action" | "Resource" | "AWS", Value::Array(items)) if items.len() == 1 => items[0].clone(),
                    _ => rewritten(child),
                };
                out.insert(k.clone(), child);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(rewritten).collect()),
        other => other.clone(),
    }
}

#[test]
fn generated_resource_policies_read_back_as_put_and_plan_no_changes_however_written() {
    use acgw::model::policy::ResourcePolicy;
    let h = env();
    let gateway = decode(
        &json!({ "name": "policed", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "AWS_IAM" }),
    )
    .expect("gateway");
    h.apply(&gateway).expect("gateway created");
    let live_gateway = h.observe(&["policed"]).expect("observed").managed["policed"].live.clone();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(24u32);
    check("generated resource policies", cases, policy_strategy(), |document| {
        let desired = ResourcePolicy::new(document.clone()).map_err(TestCaseError::fail)?;
        let policy = Some(apply::PolicyWork::Put(desired.clone()));
        h.apply_parts(
            "policed",
            &live_gateway,
            &gateway,
            PartsWork { resource_policy: Some(policy), ..PartsWork::default() },
        )?;
        let state = h.observe_part("policed", Part::Policy)?;
        let live = state.resource_policy.clone().flatten();
        let live_doc = live.as_ref().map(|p| normalize::policy(p.document().clone()));
        prop_assert_eq!(live_doc, Some(normalize::policy(document.clone())));
        let plan = plan::plan_policy(Some(&desired), live.as_ref());
        prop_assert_eq!(plan.action, plan::Action::NoOp, "a plan after put changes: {:#?}", plan.changes);
        // Written otherwise, it is still the same policy: no change either way.
        let other = ResourcePolicy::new(rewritten(&document)).map_err(TestCaseError::fail)?;
        let plan = plan::plan_policy(Some(&other), live.as_ref());
        prop_assert_eq!(
            plan.action,
            plan::Action::NoOp,
            "{:#} vs {:#}: {:#?}",
            rewritten(&document),
            document,
            plan.changes
        );
        Ok(())
    });
}

/// Makes every `trafficSplit` list's weights sum to 100, which the schema cannot say.
fn balance_weights(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "trafficSplit" {
                    if let Value::Array(items) = child {
                        let n = items.len() as i64;
                        for (i, item) in items.iter_mut().enumerate() {
                            let share = if i == 0 { 100 - (n - 1) * (100 / n.max(1)) } else { 100 / n.max(1) };
                            item["weight"] = json!(share);
                        }
                    }
                }
                balance_weights(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(balance_weights),
        _ => {}
    }
}

/// Generated rules of every condition and action kind that pass the decoder and its rules.
fn rule_strategy() -> BoxedStrategy<acgw::model::rule::Rule> {
    use acgw::model::rule::Rule;
    let schema = acgw::model::schema::spec_file();
    let defs = schema["$defs"].as_object().cloned().expect("defs");
    from_schema(&defs, &json!({ "$ref": "#/$defs/Rule" }), 0)
        .prop_filter_map("a valid rule", |mut value| {
            balance_weights(&mut value);
            let mut problems = Vec::new();
            let node = Node::from_json(&value);
            let mut cx = Cx::new("generated", &mut problems);
            let decoded = Rule::decode(&node, &mut cx);
            Rule::check_cross_field(&node, &mut cx);
            decoded.filter(|_| problems.is_empty())
        })
        .boxed()
}

#[test]
fn generated_rules_read_back_as_applied_and_plan_no_changes() {
    let h = env();
    let gateway =
        decode(&json!({ "name": "rules", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "AWS_IAM" }))
            .expect("gateway");
    h.apply(&gateway).expect("gateway created");
    let live_gateway = h.observe(&["rules"]).expect("observed").managed["rules"].live.clone();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(16u32);
    check("generated rules", cases, rule_strategy(), |mut desired| {
        let n = h.unique() as i32;
        desired.priority = acgw::model::rule::Priority::new(n + 1).expect("priority");
        let rules = vec![ItemWork::Create { desired: desired.clone(), replaces: None }];
        h.apply_parts("rules", &live_gateway, &gateway, PartsWork { rules: Some(rules), ..PartsWork::default() })?;
        let state = h.observe_part("rules", Part::Rules)?;
        let mine: Vec<_> = state
            .rules
            .clone()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.config.as_ref().is_ok_and(|c| c.priority == desired.priority))
            .collect();
        prop_assert_eq!(mine.len(), 1);
        let config = mine[0].config.clone().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(normalize::rule(&config), normalize::rule(&desired));
        let plans = plan::plan_rules(std::slice::from_ref(&desired), Some(&mine)).map_err(TestCaseError::fail)?;
        prop_assert!(plans.iter().all(|p| p.action == plan::Action::NoOp), "a plan after apply changes: {plans:#?}");
        let rules = vec![ItemWork::Delete {
            id: mine[0].rule_id.clone(),
            key: acgw::kind::rule::RuleKey { priority: desired.priority.get() },
        }];
        h.apply_parts("rules", &live_gateway, &gateway, PartsWork { rules: Some(rules), ..PartsWork::default() })?;
        Ok(())
    });
}

// ---------------------------------------------------------------- credential providers (issue 26)

/// What a generated provider is: one `oauth2ProviderConfigInput` member (each vendor input the
/// model has), or `apiKey`.
const PROVIDER_KINDS: &[&str] = &[
    "customOauth2ProviderConfig",
    "googleOauth2ProviderConfig",
    "githubOauth2ProviderConfig",
    "slackOauth2ProviderConfig",
    "salesforceOauth2ProviderConfig",
    "microsoftOauth2ProviderConfig",
    "atlassianOauth2ProviderConfig",
    "linkedinOauth2ProviderConfig",
    "includedOauth2ProviderConfig",
    "apiKey",
];

/// The vendors that take `includedOauth2ProviderConfig`: every vendor with no input of its own.
#[rustfmt::skip]
const INCLUDED_VENDORS: &[&str] = &[
    "XOauth2", "OktaOauth2", "OneLoginOauth2", "PingOneOauth2", "FacebookOauth2", "YandexOauth2", "RedditOauth2",
    "ZoomOauth2", "TwitchOauth2", "SpotifyOauth2", "DropboxOauth2", "NotionOauth2", "HubspotOauth2",
    "CyberArkOauth2", "FusionAuthOauth2", "Auth0Oauth2", "CognitoOauth2",
];

/// How a generated provider passes its secret.
#[derive(Debug, Clone)]
enum GenSecret {
    /// A Secrets Manager reference (`*SecretSource: EXTERNAL`), its `secretId` a name or an ARN.
    External { secret_id: String, json_key: String },
    /// `${var}`, the variable set to `value` in the test's environment; `MANAGED` written or
    /// left to the default; with a `secretVersion` or without.
    ByValue { var: String, value: String, say_managed: bool, version: Option<String> },
    /// No secret: a custom provider that authenticates with a JWT assertion.
    Without,
}

fn secret_id() -> BoxedStrategy<String> {
    // A Secrets Manager secret name (letters, digits and `/_+=.@-`), or its ARN, with or
    // without the six-character suffix the service adds.
    let name = re("[a-zA-Z0-9/_+=.@-]{1,40}");
    prop_oneof![
        name.clone(),
        (
            select(vec!["aws", "aws-us-gov"]),
            re("[a-z]{2}-[a-z]{4,9}-[0-9]"),
            re("[0-9]{12}"),
            name,
            opt(re("[a-zA-Z0-9]{6}"))
        )
            .prop_map(|(partition, region, account, name, suffix)| {
                let suffix = suffix.map(|s| format!("-{s}")).unwrap_or_default();
                format!("arn:{partition}:secretsmanager:{region}:{account}:secret:{name}{suffix}")
            }),
    ]
    .boxed()
}

fn external_secret() -> BoxedStrategy<GenSecret> {
    (secret_id(), text(1, 40)).prop_map(|(secret_id, json_key)| GenSecret::External { secret_id, json_key }).boxed()
}

fn secret_by_value() -> BoxedStrategy<GenSecret> {
    // Each value starts with a marker no other generated text holds, so that it can be looked for.
    (re("[A-Z_][A-Z0-9_]{0,15}"), text(1, 64), any::<bool>(), opt(re("[a-zA-Z0-9._:/=+@-]{1,20}")))
        .prop_map(|(var, value, say_managed, version)| {
            let value = format!("planted-secret:{value}");
            GenSecret::ByValue { var, value, say_managed, version }
        })
        .boxed()
}

/// A secret in either mode; `optional` adds "no secret at all".
fn gen_secret(optional: bool) -> BoxedStrategy<GenSecret> {
    if optional {
        prop_oneof![2 => external_secret(), 2 => secret_by_value(), 1 => Just(GenSecret::Without)].boxed()
    } else {
        prop_oneof![external_secret(), secret_by_value()].boxed()
    }
}

/// The secret's members under `[value, reference, source]` keys, and the `secretVersion`.
fn secret_members(
    secret: &GenSecret,
    [value, reference, source]: [&'static str; 3],
) -> Vec<(&'static str, Option<Value>)> {
    match secret {
        GenSecret::External { secret_id, json_key } => vec![
            (source, Some(json!("EXTERNAL"))),
            (reference, Some(json!({ "secretId": secret_id, "jsonKey": json_key }))),
        ],
        GenSecret::ByValue { var, say_managed, .. } => {
            vec![(value, Some(Value::String(format!("${{{var}}}")))), (source, say_managed.then(|| json!("MANAGED")))]
        }
        GenSecret::Without => Vec::new(),
    }
}

fn secret_version(secret: &GenSecret) -> Option<Value> {
    match secret {
        GenSecret::ByValue { version, .. } => version.clone().map(Value::String),
        _ => None,
    }
}

/// A provider's tags: the gateway tags' alphabet, without acgw's own keys.
fn provider_tags() -> BoxedStrategy<Value> {
    tags()
        .prop_map(|t| match t {
            Value::Object(m) => Value::Object(m.into_iter().filter(|(k, _)| !k.starts_with("acgw:")).collect()),
            other => other,
        })
        .boxed()
}

fn additional_claims() -> BoxedStrategy<Value> {
    proptest::collection::btree_map(re("[A-Za-z0-9_.:#-]{1,20}"), text(1, 40), 1..=3)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
        .boxed()
}

/// The custom vendor's input (every optional member) and the secret's mode.
fn custom_config() -> BoxedStrategy<(Value, GenSecret)> {
    let discovery = prop_oneof![
        re(r"https://[a-z0-9.-]{1,20}(/[a-zA-Z0-9._~%-]{1,10})?/\.well-known/(openid-configuration|oauth-authorization-server)(/[a-zA-Z0-9._~%-]{1,10})?")
            .prop_map(|url| json!({ "discoveryUrl": url })),
        (
            text(1, 60),
            text(1, 60),
            text(1, 60),
            opt(list(re("[a-z_ ]{0,12}"), 0..=3)),
            opt(proptest::collection::vec(one_of(&["client_secret_post", "client_secret_basic"]), 1..=2)),
        )
            .prop_map(|(issuer, authorization, token, responses, methods)| {
                json!({ "authorizationServerMetadata": obj(vec![
                    ("issuer", Some(s(issuer))),
                    ("authorizationEndpoint", Some(s(authorization))),
                    ("tokenEndpoint", Some(s(token))),
                    ("responseTypes", responses),
                    ("tokenEndpointAuthMethods", methods.map(Value::Array)),
                ])})
            }),
    ];
    let exchange = (
        one_of(&["TOKEN_EXCHANGE", "JWT_AUTHORIZATION_GRANT"]),
        opt((one_of(&["NONE", "M2M", "AWS_IAM_ID_TOKEN_JWT"]), opt(list(text(1, 30), 0..=3)))),
        opt(Just(json!({ "clientAuthenticationMethod": "NO_CLIENT" }))),
    )
        .prop_map(|(grant, token_exchange, authentication)| {
            obj(vec![
                ("grantType", Some(grant)),
                (
                    "tokenExchangeGrantTypeConfig",
                    token_exchange.map(|(content, scopes)| {
                        obj(vec![("actorTokenContent", Some(content)), ("actorTokenScopes", scopes)])
                    }),
                ),
                ("onBehalfOfAuthenticationConfig", authentication),
            ])
        });
    let jwt = (
        opt(re("arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]{0,12}:[0-9]{12}:key/[a-zA-Z0-9-]{36}")),
        opt(one_of(&["RS256", "PS256", "ES256"])),
        opt(additional_claims()),
        opt(additional_claims()),
    )
        .prop_map(|(kms, algorithm, header, payload)| {
            obj(vec![
                ("privateKeySource", kms.map(|arn| json!({ "kmsKeySource": { "kmsKeyArn": arn } }))),
                ("signingAlgorithm", algorithm),
                ("additionalHeaderClaims", header),
                ("additionalPayloadClaims", payload),
            ])
        });
    let overrides = proptest::collection::vec(
        (text(1, 40), private_endpoint())
            .prop_map(|(domain, endpoint)| json!({"domain": domain, "privateEndpoint": endpoint})),
        0..=5,
    );
    let certificate = prop_oneof![
        (re("s3://[a-z0-9.-]{3,20}/[a-zA-Z0-9/._-]{1,20}"), opt(re("[0-9]{12}"))).prop_map(|(uri, owner)| {
            json!({ "s3": obj(vec![("uri", Some(s(uri))), ("bucketOwnerAccountId", owner.map(s))]) })
        }),
        re("arn:aws:secretsmanager:[a-z0-9-]{1,12}:[0-9]{12}:secret:[a-zA-Z0-9/_+=.@-]{1,20}")
            .prop_map(|arn| json!({ "secretsManager": { "secretArn": arn } })),
    ];
    let method = opt(one_of(&["CLIENT_SECRET_BASIC", "CLIENT_SECRET_POST", "AWS_IAM_ID_TOKEN_JWT", "PRIVATE_KEY_JWT"]));
    (
        discovery,
        opt(text(1, 40)),
        method,
        opt(exchange),
        opt(jwt),
        opt(private_endpoint()),
        opt(overrides),
        opt(certificate),
    )
        .prop_flat_map(|(discovery, client_id, method, exchange, jwt, endpoint, overrides, certificate)| {
            // Only a provider that signs a JWT assertion may go without a client secret.
            let secretless =
                matches!(method.as_ref().and_then(Value::as_str), Some("PRIVATE_KEY_JWT" | "AWS_IAM_ID_TOKEN_JWT"));
            let members = vec![
                ("oauthDiscovery", Some(discovery)),
                ("clientId", client_id.map(s)),
                ("clientAuthenticationMethod", method),
                ("onBehalfOfTokenExchangeConfig", exchange),
                ("privateKeyJwtConfig", jwt),
                ("privateEndpoint", endpoint),
                ("privateEndpointOverrides", overrides.map(Value::Array)),
                ("certificateConfigurations", certificate.map(|c| json!([c]))),
            ];
            gen_secret(secretless).prop_map(move |secret| (members.clone(), secret))
        })
        .prop_map(|(members, secret)| {
            let mut members = members;
            members.extend(secret_members(&secret, ["clientSecret", "clientSecretConfig", "clientSecretSource"]));
            (obj(members), secret)
        })
        .boxed()
}

/// A generated provider: its spec item (`{"oauth2": {...}}` or `{"apiKey": {...}}`, named
/// `name`, which the case makes unique) and how it passes its secret.
#[derive(Debug, Clone)]
struct GenProvider {
    item: Value,
    secret: GenSecret,
}

impl GenProvider {
    fn kind_key(&self) -> &str {
        if self.item.get("apiKey").is_some() {
            "apiKey"
        } else {
            "oauth2"
        }
    }

    fn named(&self, name: &str) -> Value {
        let mut item = self.item.clone();
        let key = self.kind_key().to_string();
        item[key.as_str()]["name"] = Value::String(name.to_string());
        item
    }
}

/// A provider of `kind` (one of [`PROVIDER_KINDS`]) with its name left as `name`.
fn provider_of_kind(kind: &'static str) -> BoxedStrategy<GenProvider> {
    let secret_keys = ["clientSecret", "clientSecretConfig", "clientSecretSource"];
    let oauth2 = move |vendor: Value, config: Value, secret: GenSecret, tags: Option<Value>| {
        let version = secret_version(&secret);
        let item = json!({ "oauth2": obj(vec![
            ("name", Some(json!("name"))),
            ("credentialProviderVendor", Some(vendor)),
            ("oauth2ProviderConfigInput", Some(json!({ kind: config }))),
            ("tags", tags),
            ("secretVersion", version),
        ])});
        GenProvider { item, secret }
    };
    match kind {
        "apiKey" => (gen_secret(false), opt(provider_tags()))
            .prop_map(|(secret, tags)| {
                let mut members = vec![("name", Some(json!("name")))];
                members.extend(secret_members(&secret, ["apiKey", "apiKeySecretConfig", "apiKeySecretSource"]));
                members.push(("tags", tags));
                members.push(("secretVersion", secret_version(&secret)));
                GenProvider { item: json!({ "apiKey": obj(members) }), secret }
            })
            .boxed(),
        "customOauth2ProviderConfig" => (custom_config(), opt(provider_tags()))
            .prop_map(move |((config, secret), tags)| oauth2(json!("CustomOauth2"), config, secret, tags))
            .boxed(),
        _ => {
            let vendor: BoxedStrategy<Value> = match kind {
                "includedOauth2ProviderConfig" => one_of(INCLUDED_VENDORS),
                other => {
                    let name = other.trim_end_matches("Oauth2ProviderConfig");
                    let mut chars = name.chars();
                    let vendor = chars.next().map(|c| c.to_ascii_uppercase().to_string()).unwrap_or_default()
                        + chars.as_str()
                        + "Oauth2";
                    Just(Value::String(vendor)).boxed()
                }
            };
            // The members only some vendors take.
            let extra: BoxedStrategy<Vec<(&'static str, Option<Value>)>> = match kind {
                "microsoftOauth2ProviderConfig" => {
                    opt(text(1, 40)).prop_map(|tenant| vec![("tenantId", tenant.map(s))]).boxed()
                }
                "includedOauth2ProviderConfig" => (opt(text(1, 60)), opt(text(1, 60)), opt(text(1, 60)))
                    .prop_map(|(issuer, authorization, token)| {
                        vec![
                            ("issuer", issuer.map(s)),
                            ("authorizationEndpoint", authorization.map(s)),
                            ("tokenEndpoint", token.map(s)),
                        ]
                    })
                    .boxed(),
                _ => Just(Vec::new()).boxed(),
            };
            (vendor, text(1, 40), extra, gen_secret(false), opt(provider_tags()))
                .prop_map(move |(vendor, client_id, extra, secret, tags)| {
                    let mut members = vec![("clientId", Some(s(client_id)))];
                    members.extend(extra);
                    members.extend(secret_members(&secret, secret_keys));
                    oauth2(vendor, obj(members), secret, tags)
                })
                .boxed()
        }
    }
}

fn any_provider() -> BoxedStrategy<GenProvider> {
    proptest::strategy::Union::new(PROVIDER_KINDS.iter().map(|k| provider_of_kind(k))).boxed()
}

/// A case: one provider of `kind` and up to two of any kind, each with whether a target of the
/// gateway names it (by `{ credentialProvider: NAME }`), and the gateway's name.
fn providers_case(kind: &'static str) -> BoxedStrategy<(Vec<(GenProvider, bool)>, String)> {
    (
        (provider_of_kind(kind), any::<bool>()),
        proptest::collection::vec((any_provider(), any::<bool>()), 0..=2),
        re("[a-zA-Z0-9_-]{0,20}"),
    )
        .prop_map(|(first, mut rest, suffix)| {
            rest.insert(0, first);
            (rest, suffix)
        })
        .boxed()
}

/// The target that authenticates with provider `name`: an MCP server with OAuth for an OAuth2
/// provider, an OpenAPI target with an API key for an API-key one.
fn target_naming(target: &str, provider: &str, kind_key: &str) -> Value {
    let by_name = json!({ "credentialProvider": provider });
    if kind_key == "apiKey" {
        json!({
            "name": target,
            "targetConfiguration": { "mcp": { "openApiSchema": {
                "inlinePayload": "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths: {}\n" } } },
            "credentialProviderConfigurations": [{ "credentialProviderType": "API_KEY", "credentialProvider": {
                "apiKeyCredentialProvider": {
                    "providerArn": by_name, "credentialParameterName": "x-api-key", "credentialLocation": "HEADER" } } }],
        })
    } else {
        json!({
            "name": target,
            "targetConfiguration": { "mcp": { "mcpServer": { "endpoint": format!("https://{target}.example.com/mcp") } } },
            "credentialProviderConfigurations": [{ "credentialProviderType": "OAUTH", "credentialProvider": {
                "oauthCredentialProvider": { "providerArn": by_name, "scopes": ["read"] } } }],
        })
    }
}

/// Every string value's `${` written as `$${`, so that the spec loader's interpolation gives
/// the generated text back; the secrets passed by value (`clientSecret`, `apiKey`) stay the
/// `${VAR}` they are.
fn escape_interpolation(v: &Value, key: &str) -> Value {
    match v {
        Value::String(text) if key == "clientSecret" || key == "apiKey" => Value::String(text.clone()),
        Value::String(text) => Value::String(text.replace("${", "$${")),
        Value::Array(items) => Value::Array(items.iter().map(|i| escape_interpolation(i, key)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), escape_interpolation(v, k))).collect()),
        other => other.clone(),
    }
}

/// A generated case as `acgw` reads it: the spec document, loaded with the environment
/// `vars`, and that environment.
struct ProviderCase {
    doc: Value,
    desired: Desired,
    vars: BTreeMap<String, String>,
    gateway: String,
}

impl Env {
    /// The case's spec document (an owner, the providers under fresh names, and one gateway
    /// whose targets name some of them), loaded as `acgw plan` loads it.
    fn provider_case(&self, providers: &[(GenProvider, bool)], suffix: &str) -> Result<ProviderCase, TestCaseError> {
        let n = self.unique();
        let mut items = Vec::new();
        let mut targets = Vec::new();
        let mut vars = BTreeMap::new();
        for (i, (p, named)) in providers.iter().enumerate() {
            let name = format!("p{n}-{i}{suffix}");
            items.push(p.named(&name));
            if *named {
                targets.push(target_naming(&format!("t{i}"), &name, p.kind_key()));
            }
            if let GenSecret::ByValue { var, value, .. } = &p.secret {
                vars.insert(var.clone(), value.clone());
            }
        }
        let gateway = format!("t{n}-providers");
        let mut gw =
            json!({ "name": gateway, "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "AWS_IAM" });
        if !targets.is_empty() {
            gw["targets"] = Value::Array(targets);
        }
        let doc = json!({ "owner": "properties", "credentialProviders": items, "gateways": [gw] });
        let text = serde_json::to_string_pretty(&escape_interpolation(&doc, ""))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let env = |var: &str| vars.get(var).cloned();
        let desired = load::load_text("generated.yaml", &text, &env)
            .map_err(|p| TestCaseError::fail(format!("generated specs that do not load:\n{p}\n---\n{text}")))?;
        Ok(ProviderCase { doc, desired, vars, gateway })
    }

    /// Observes what `desired` declares as `acgw plan` does (its gateways with the parts they
    /// declare, and its credential providers) and plans against it.
    fn plan_providers(&self, desired: &Desired) -> Result<(Observed, Plan), TestCaseError> {
        use acgw::model::credential_provider::ProviderKind;
        let api = self.api();
        let wanted: Vec<(&str, Vec<Part>)> = desired
            .specs
            .iter()
            .map(|s| (s.gateway.name.as_str(), Part::ALL.into_iter().filter(|p| p.declared_in(s)).collect()))
            .collect();
        let declared: Vec<(&str, ProviderKind)> =
            desired.providers.iter().map(|p| (p.name(), p.provider.kind())).collect();
        let owner = desired.owner.as_ref().map(|o| o.as_str());
        let observed = self.rt.block_on(async {
            let mut observed = acgw::observe::observe_with(&api, &wanted, 4).await?;
            observed.providers = acgw::observe::observe_providers(&api, &declared, owner, false, 4).await?;
            Ok::<_, acgw::observe::ObserveError>(observed)
        });
        let observed = observed.map_err(|e| TestCaseError::fail(format!("observe: {e}")))?;
        let plan = plan::build_with(desired, &observed, false);
        Ok((observed, plan))
    }

    /// Applies `plan` as `acgw apply` does: the providers first (a secret by value read from
    /// `vars` again, as a saved plan holds only its `${VAR}`), then the gateways, their
    /// targets' provider names resolved to the ARNs just created.
    fn apply_with_providers(&self, plan: &Plan, vars: &BTreeMap<String, String>) -> Result<(), TestCaseError> {
        use acgw::apply::providers::{resolve_references, work_of, write_providers};
        let env = |var: &str| vars.get(var).cloned();
        for p in plan.credential_providers.iter().flat_map(|p| &p.providers).filter(|p| p.is_change()) {
            prop_assert_eq!(p.action, plan::Action::Create, "a fresh provider {} is created", &p.name);
        }
        let (writes, _) = work_of(plan, &env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let opts = options(self);
        let written = self.rt.block_on(write_providers(&self.api(), writes, &opts, &Silent));
        let failed: Vec<_> = written.iter().filter(|w| !w.succeeded()).collect();
        prop_assert!(failed.is_empty(), "providers not created: {failed:#?}");
        let mut plan = plan.clone();
        resolve_references(&mut plan, &written);
        let mut work = Vec::new();
        for g in plan.gateways.iter().filter(|g| g.is_change()) {
            prop_assert_eq!(g.action, plan::Action::Create, "a fresh gateway {} is created", &g.name);
            let desired = g.desired.clone().ok_or_else(|| TestCaseError::fail("a create without desired"))?;
            work.push((g.name.clone(), Work::Create { desired, parts: PartsWork::of(g) }));
        }
        let report = self.rt.block_on(apply::apply(&self.api(), work, &opts, &Silent));
        prop_assert!(report.succeeded(), "apply failed: {:?}", report.gateways);
        Ok(())
    }

    /// Generates, loads, plans (every provider and the gateway a create) and applies a case.
    fn apply_provider_case(
        &self,
        providers: &[(GenProvider, bool)],
        suffix: &str,
    ) -> Result<ProviderCase, TestCaseError> {
        let case = self.provider_case(providers, suffix)?;
        let (_, before) = self.plan_providers(&case.desired)?;
        let planned = before.credential_providers.as_ref().ok_or_else(|| TestCaseError::fail("providers not read"))?;
        prop_assert_eq!(planned.summary.create, providers.len(), "fresh names plan as creates: {:#?}", planned);
        prop_assert_eq!(before.summary.create, 1);
        // Applied as `acgw apply PLANFILE` applies it: the plan saved, read back and checked.
        let saved = before.to_json();
        for value in case.vars.values() {
            let escaped = serde_json::to_string(value).unwrap_or_default();
            let in_json = escaped.trim_matches('"');
            prop_assert!(!saved.contains(in_json), "a saved plan holds a secret:\n{saved}");
        }
        let saved = Plan::from_json(&saved).map_err(|e| TestCaseError::fail(format!("the saved plan: {e}")))?;
        self.apply_with_providers(&saved, &case.vars)?;
        Ok(case)
    }
}

/// `v` without the members that are `{}` or `[]`, which the spec format reads as "not set".
fn without_empty_objects(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), without_empty_objects(v)))
                .filter(|(_, v)| {
                    v.as_object().is_none_or(|m| !m.is_empty()) && v.as_array().is_none_or(|a| !a.is_empty())
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_empty_objects).collect()),
        other => other.clone(),
    }
}

/// Where `after` differs from `before`, path by path.
fn differences(before: &Value, after: &Value) -> Vec<acgw::diff::Change> {
    let mut changes = Vec::new();
    acgw::diff::values(String::new(), Some(before), Some(after), &mut changes);
    changes
}

/// Fails with what changes when `plan` is not empty, providers included.
fn assert_no_provider_changes(plan: &Plan, context: &str) -> Result<(), TestCaseError> {
    if let Some(providers) = &plan.credential_providers {
        let changed: Vec<String> = providers
            .providers
            .iter()
            .filter(|p| p.is_change())
            .map(|p| format!("{} {}: changes {:?}; tags {:?}", p.action.as_str(), p.name, p.changes, p.tag_changes))
            .collect();
        prop_assert!(changed.is_empty(), "{context}: providers change:\n{}", changed.join("\n"));
        prop_assert!(providers.failed.is_empty(), "{context}: providers failed: {:?}", providers.failed);
    }
    prop_assert!(plan.failed.is_empty(), "{context}: gateways failed: {:?}", plan.failed);
    assert_no_changes(plan, context)
}

/// How many cases each provider kind gets (or `PROPTEST_CASES`).
fn provider_cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(8)
}

#[test]
fn providers_and_the_targets_naming_them_apply_in_one_run_then_plan_no_changes() {
    let h = env();
    for &kind in PROVIDER_KINDS {
        check(
            "providers_and_the_targets_naming_them_apply_in_one_run_then_plan_no_changes",
            provider_cases(),
            providers_case(kind),
            |(providers, suffix)| {
                let case = h.apply_provider_case(&providers, &suffix)?;
                let (_, after) = h.plan_providers(&case.desired)?;
                let doc = serde_json::to_string_pretty(&case.doc).unwrap_or_default();
                assert_no_provider_changes(&after, &format!("after apply\n{doc}"))?;
                let planned =
                    after.credential_providers.as_ref().ok_or_else(|| TestCaseError::fail("providers not read"))?;
                prop_assert_eq!(planned.summary.no_op, providers.len());
                prop_assert!(after.get(&case.gateway).is_some_and(|g| g.action == plan::Action::NoOp));
                Ok(())
            },
        );
    }
}

#[test]
fn normalized_observed_providers_equal_normalized_desired() {
    use acgw::kind::credential_provider::{desired_view, live_view, reconcile_secret_ids};
    let h = env();
    for &kind in PROVIDER_KINDS {
        check(
            "normalized_observed_providers_equal_normalized_desired",
            provider_cases(),
            providers_case(kind),
            |(providers, suffix)| {
                let case = h.apply_provider_case(&providers, &suffix)?;
                let (observed, _) = h.plan_providers(&case.desired)?;
                // The specs load as generated: nothing is lost before the view is taken.
                for spec in &case.desired.providers {
                    let item = case.doc["credentialProviders"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|i| {
                            i.as_object().and_then(|o| o.values().next()).is_some_and(|m| m["name"] == spec.name())
                        })
                        .ok_or_else(|| TestCaseError::fail(format!("{} was not generated", spec.name())))?;
                    let loaded =
                        serde_json::to_value(&spec.provider).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let (loaded, item) = (without_empty_objects(&loaded), without_empty_objects(item));
                    prop_assert!(
                        loaded == item,
                        "{} loads otherwise than generated: {:#?}",
                        spec.name(),
                        differences(&item, &loaded)
                    );
                }
                for spec in &case.desired.providers {
                    let live = observed.providers.managed.get(spec.name());
                    let live = live.ok_or_else(|| TestCaseError::fail(format!("{} not observed", spec.name())))?;
                    let have = live_view(&live.live);
                    let mut want = desired_view(&spec.provider);
                    reconcile_secret_ids(&mut want, &have);
                    prop_assert!(
                        have == want,
                        "{} reads back otherwise than declared: {:#?}",
                        spec.name(),
                        differences(&want, &have)
                    );
                    prop_assert_eq!(
                        normalize::tag_map(&live.tags),
                        spec.managed_tags(case.desired.owner.as_ref()),
                        "{} tags",
                        spec.name()
                    );
                }
                Ok(())
            },
        );
    }
}

#[test]
fn providers_export_then_plan_against_the_export_shows_no_changes() {
    use acgw::export::providers;
    use acgw::kind::credential_provider::{desired_view, reconcile_secret_ids};
    let h = env();
    for &kind in PROVIDER_KINDS {
        check(
            "providers_export_then_plan_against_the_export_shows_no_changes",
            provider_cases(),
            providers_case(kind),
            |(providers, suffix)| {
                let case = h.apply_provider_case(&providers, &suffix)?;
                let api = h.api();
                // As `acgw export` does: the gateway with its targets, and every live provider
                // (of which this case's: the others belong to other cases).
                let mut observed = h.observe(&[case.gateway.as_str()])?;
                observed.unmanaged.clear();
                let parts = [(case.gateway.as_str(), vec![Part::Targets])];
                h.rt.block_on(acgw::observe::observe_parts(&api, &mut observed, &parts, 4));
                let read = h.rt.block_on(providers::read(&api, 4));
                prop_assert!(
                    read.failed.is_empty() && read.unlisted.is_empty(),
                    "{:?} {:?}",
                    read.failed,
                    read.unlisted
                );
                let mine: Vec<_> =
                    read.providers.into_iter().filter(|p| case.desired.provider(p.live.name()).is_some()).collect();
                prop_assert_eq!(mine.len(), providers.len());
                let credentials = providers::export(&mine);
                prop_assert!(credentials.skipped.is_empty(), "{:?}", credentials.skipped);
                let names = credentials.names();
                let options =
                    acgw::export::Options { split_payloads: false, check_file: None, provider_names: Some(&names) };
                let export = acgw::export::to_yaml_with(&observed, "properties", options)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                // As `acgw export` prints it to stdout: one document.
                let yaml = export.yaml + &credentials.section();
                // Every placeholder set, as the export asks.
                let placeholders: BTreeMap<String, String> =
                    credentials.variables().iter().map(|v| (v.to_string(), format!("exported-{v}"))).collect();
                let env = |var: &str| placeholders.get(var).cloned();
                let exported = load::load_text("export.yaml", &yaml, &env)
                    .map_err(|p| TestCaseError::fail(format!("the export does not load back:\n{p}\n---\n{yaml}")))?;
                prop_assert_eq!(exported.providers.len(), providers.len(), "{}", yaml);
                for spec in &case.desired.providers {
                    let loaded = exported
                        .provider(spec.name())
                        .ok_or_else(|| TestCaseError::fail(format!("{} not exported:\n{yaml}", spec.name())))?;
                    let mut want = desired_view(&spec.provider);
                    let have = desired_view(&loaded.provider);
                    reconcile_secret_ids(&mut want, &have);
                    prop_assert!(
                        have == want,
                        "the export changed {}: {:#?}\n{}",
                        spec.name(),
                        differences(&want, &have),
                        yaml
                    );
                    prop_assert_eq!(loaded.provider.tags(), spec.provider.tags(), "tags of {}:\n{}", spec.name(), yaml);
                    prop_assert_eq!(
                        loaded.provider.secret_version(),
                        spec.provider.secret_version(),
                        "secretVersion of {}:\n{}",
                        spec.name(),
                        yaml
                    );
                    // A custom provider that signs a JWT may still have been given a secret,
                    // which the service's answer does not show: export writes one only when
                    // the `secretVersion` tag says acgw sent one.
                    let method = &want["oauth2"]["oauth2ProviderConfigInput"]["customOauth2ProviderConfig"]
                        ["clientAuthenticationMethod"];
                    let signs = method == "PRIVATE_KEY_JWT" || method == "AWS_IAM_ID_TOKEN_JWT";
                    prop_assert_eq!(
                        loaded.provider.secret_by_value().is_some(),
                        spec.provider.secret_by_value().is_some()
                            && (!signs || spec.provider.secret_version().is_some()),
                        "the secret's mode of {}:\n{}",
                        spec.name(),
                        yaml
                    );
                }
                let (_, plan) = h.plan_providers(&exported)?;
                assert_no_provider_changes(&plan, &format!("against the export\n{yaml}"))?;
                let planned =
                    plan.credential_providers.as_ref().ok_or_else(|| TestCaseError::fail("providers not read"))?;
                prop_assert_eq!(planned.summary.no_op, providers.len());
                // Export reads every live provider: deleting this case's keeps the next cases'
                // reads short.
                h.rt.block_on(async {
                    use acgw::api::WriteApi;
                    for spec in &case.desired.providers {
                        let deleted = match spec.provider.kind() {
                            acgw::model::credential_provider::ProviderKind::Oauth2 => {
                                api.delete_oauth2_provider(spec.name()).await
                            }
                            acgw::model::credential_provider::ProviderKind::ApiKey => {
                                api.delete_api_key_provider(spec.name()).await
                            }
                        };
                        deleted.map_err(|e| TestCaseError::fail(format!("deleting {}: {e}", spec.name())))?;
                    }
                    Ok(())
                })
            },
        );
    }
}
