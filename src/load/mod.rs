//! Loading specs: files and directories, YAML documents, interpolation, decoding, duplicates.
//!
//! Nothing here touches the network; every problem found is reported, sorted by place.

pub mod files;
mod providers;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::model::credential_provider::{CredentialProviderSpec, SECRET_VERSION_TAG};
use crate::model::interpolate::interpolate;

use crate::model::decode::{Cx, Decode, Node, NodeKind};
use crate::model::policy::ResourcePolicy;
use crate::model::rate_limit::RateLimit;
use crate::model::rule::Rule;
use crate::model::target::Target;
use crate::model::{
    FromService, Gateway, Lifecycle, Owner, TagKey, TagValue, Tags, ACGW_TAG_PREFIX, OWNER_TAG, PREVENT_DESTROY_TAG,
};
use crate::problem::{Mark, Problem, Problems, Severity};

/// Spec files larger than this are refused before they are read (real specs are far smaller).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Where a gateway's spec came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub file: String,
    pub mark: Mark,
}

/// One gateway from the specs, with where it was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The configuration as declared (without acgw's own tags; see [`Spec::managed`]).
    pub gateway: Gateway,
    pub source: Source,
    /// `lifecycle.preventDestroy`.
    pub prevent_destroy: bool,
    /// `targets:` — present means the complete list (live targets it does not name are deleted);
    /// absent means acgw does not manage this gateway's targets.
    pub targets: Option<Vec<Target>>,
    /// `resourcePolicy:` — `Some(Some(doc))` to set, `Some(None)` (`null`) for none (a live one is
    /// deleted); absent means acgw does not manage the gateway's policy.
    pub resource_policy: Option<Option<ResourcePolicy>>,
    /// `rateLimits:` — present means the complete list (live rate limits it does not name are
    /// deleted); absent means acgw does not manage this gateway's rate limits.
    pub rate_limits: Option<Vec<RateLimit>>,
    /// `rules:` — present means the complete list of user rules (live user rules it does not
    /// name are deleted; system-managed rules are never touched); absent means acgw does not
    /// manage this gateway's rules.
    pub rules: Option<Vec<Rule>>,
}

impl Spec {
    /// A spec with no acgw-only keys set.
    pub fn new(gateway: Gateway, source: Source) -> Self {
        Spec {
            gateway,
            source,
            prevent_destroy: false,
            targets: None,
            resource_policy: None,
            rate_limits: None,
            rules: None,
        }
    }

    /// The configuration acgw applies: the declared one plus acgw's own tags (`acgw:owner` when
    /// there is an owner, `acgw:prevent-destroy` when the lifecycle asks for it).
    pub fn managed(&self, owner: Option<&Owner>) -> Gateway {
        let mut gateway = self.gateway.clone();
        let mut extra = Vec::new();
        if let Some(owner) = owner {
            extra.push((OWNER_TAG, owner.as_str()));
        }
        if self.prevent_destroy {
            extra.push((PREVENT_DESTROY_TAG, "true"));
        }
        if !extra.is_empty() {
            let mut tags = gateway.tags.take().map(|t| t.as_map().clone()).unwrap_or_default();
            for (k, v) in extra {
                // Both are constants or validated owners, so within the tag constraints.
                tags.insert(TagKey::from_service(k.to_string()), TagValue::from_service(v.to_string()));
            }
            gateway.tags = Some(Tags::from_service(tags));
        }
        gateway
    }
}

/// One credential provider from the specs (`credentialProviders:`), with where it was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSpec {
    /// The provider as declared (without acgw's own tags; see [`ProviderSpec::managed_tags`]).
    pub provider: CredentialProviderSpec,
    pub source: Source,
    /// `lifecycle.preventDestroy` (written inside the `oauth2:` / `apiKey:` member).
    pub prevent_destroy: bool,
}

impl ProviderSpec {
    /// The provider's name: its identity, unique across both kinds.
    pub fn name(&self) -> &str {
        self.provider.name().as_str()
    }

    /// The tags acgw applies: the declared ones plus acgw's own (`acgw:owner` when there is an
    /// owner, `acgw:prevent-destroy` when the lifecycle asks for it, `acgw:secret-version` when
    /// the spec has a `secretVersion`).
    pub fn managed_tags(&self, owner: Option<&Owner>) -> std::collections::BTreeMap<String, String> {
        let mut tags: std::collections::BTreeMap<String, String> = self
            .provider
            .tags()
            .map(|t| t.as_map().iter().map(|(k, v)| (k.as_str().to_string(), v.as_str().to_string())).collect())
            .unwrap_or_default();
        if let Some(owner) = owner {
            tags.insert(OWNER_TAG.to_string(), owner.as_str().to_string());
        }
        if self.prevent_destroy {
            tags.insert(PREVENT_DESTROY_TAG.to_string(), "true".to_string());
        }
        if let Some(version) = self.provider.secret_version() {
            tags.insert(SECRET_VERSION_TAG.to_string(), version.as_str().to_string());
        }
        tags
    }
}

/// The desired state: every gateway declared, sorted by name, names unique.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    pub specs: Vec<Spec>,
    /// Every credential provider declared (`credentialProviders:`), sorted by name, names unique
    /// across both kinds.
    pub providers: Vec<ProviderSpec>,
    /// The owner the specs declare (or `--owner` set): gateways acgw creates or updates carry it.
    pub owner: Option<Owner>,
    /// Problems that do not stop the run.
    pub warnings: Vec<Problem>,
}

impl Desired {
    /// The spec of the gateway named `name`.
    pub fn get(&self, name: &str) -> Option<&Spec> {
        self.specs.iter().find(|s| s.gateway.name.as_str() == name)
    }

    /// The spec of the credential provider named `name`.
    pub fn provider(&self, name: &str) -> Option<&ProviderSpec> {
        self.providers.iter().find(|p| p.name() == name)
    }

    /// Replaces the owner (`--owner`), checking again that acgw's own tags fit every gateway.
    pub fn override_owner(&mut self, owner: Owner) -> Result<(), Problems> {
        self.owner = Some(owner);
        let mut problems = Vec::new();
        check_tag_room(&self.specs, self.owner.as_ref(), &mut problems);
        providers::check_tag_room(&self.providers, self.owner.as_ref(), &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Problems(problems))
        }
    }
}

/// Reads the environment for interpolation.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// How specs are loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `--allow-outside-files`: `file:` may name files outside the spec's directory tree.
    pub allow_outside_files: bool,
}

/// Loads every spec under `paths` (files, or directories of `*.yaml`/`*.yml`).
pub fn load_paths(paths: &[PathBuf], env: &dyn Fn(&str) -> Option<String>) -> Result<Desired, Problems> {
    load_paths_with(paths, env, Options::default())
}

/// [`load_paths`] with options.
pub fn load_paths_with(
    paths: &[PathBuf],
    env: &dyn Fn(&str) -> Option<String>,
    options: Options,
) -> Result<Desired, Problems> {
    let mut problems = Vec::new();
    let mut loaded = Loaded { options, ..Loaded::default() };
    for file in expand_paths(paths, &mut problems) {
        let shown = file.display().to_string();
        match read_spec_file(&file) {
            Ok(text) => load_str(&shown, &text, env, &mut loaded, &mut problems),
            Err(p) => problems.push(p),
        }
    }
    finish(loaded, problems)
}

/// Loads specs from text already in memory, as if read from `file`.
pub fn load_text(file: &str, text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Desired, Problems> {
    let mut problems = Vec::new();
    let mut loaded = Loaded::default();
    load_str(file, text, env, &mut loaded, &mut problems);
    finish(loaded, problems)
}

/// What the files declared so far: decoded gateways and providers, every name seen (decoded or
/// not), every owner declared, and every target's reference to a provider by name.
#[derive(Default)]
struct Loaded {
    options: Options,
    specs: Vec<Spec>,
    names: Vec<(String, Source)>,
    owners: Vec<(Owner, Source)>,
    providers: Vec<ProviderSpec>,
    provider_names: Vec<providers::Declared>,
    refs: Vec<providers::RefSite>,
}

fn finish(loaded: Loaded, mut problems: Vec<Problem>) -> Result<Desired, Problems> {
    check_duplicates(&loaded.names, &mut problems);
    providers::check_duplicates(&loaded.provider_names, &mut problems);
    providers::check_refs(&loaded.refs, &loaded.provider_names, &mut problems);
    let owner = agreed_owner(&loaded.owners, &mut problems);
    check_tag_room(&loaded.specs, owner.as_ref(), &mut problems);
    providers::check_tag_room(&loaded.providers, owner.as_ref(), &mut problems);
    let mut specs = loaded.specs;
    let mut providers = loaded.providers;
    let mut problems = Problems(problems);
    problems.sort();
    if problems.has_errors() {
        return Err(problems);
    }
    specs.sort_by(|a, b| a.gateway.name.cmp(&b.gateway.name));
    providers.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(Desired { specs, providers, owner, warnings: problems.0 })
}

/// The one owner of everything loaded together; a second, different one is an error there.
fn agreed_owner(owners: &[(Owner, Source)], problems: &mut Vec<Problem>) -> Option<Owner> {
    let (first, at) = owners.first()?;
    for (other, there) in &owners[1..] {
        if other != first {
            problems.push(Problem {
                severity: Severity::Error,
                file: there.file.clone(),
                mark: there.mark,
                gateway: None,
                path: "owner".into(),
                message: format!(
                    "owner `{other}` disagrees with owner `{first}` at {}:{}:{}; specs loaded together have one owner",
                    at.file, at.mark.line, at.mark.column
                ),
            });
        }
    }
    Some(first.clone())
}

/// acgw's own tags count against the API's 50 tags per gateway.
fn check_tag_room(specs: &[Spec], owner: Option<&Owner>, problems: &mut Vec<Problem>) {
    for spec in specs {
        let declared = spec.gateway.tags.as_ref().map_or(0, |t| t.as_map().len());
        let own = usize::from(owner.is_some()) + usize::from(spec.prevent_destroy);
        if own > 0 && declared + own > Tags::MAX {
            problems.push(Problem {
                severity: Severity::Error,
                file: spec.source.file.clone(),
                mark: spec.source.mark,
                gateway: Some(spec.gateway.name.to_string()),
                path: "tags".into(),
                message: format!(
                    "{declared} tags plus acgw's own {own} ({}) exceed the API's limit of {} tags per gateway",
                    [owner.map(|_| OWNER_TAG), spec.prevent_destroy.then_some(PREVENT_DESTROY_TAG)]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", "),
                    Tags::MAX
                ),
            });
        }
    }
}

fn file_problem(file: &str, mark: Mark, message: impl Into<String>) -> Problem {
    Problem {
        severity: Severity::Error,
        file: file.to_string(),
        mark,
        gateway: None,
        path: String::new(),
        message: message.into(),
    }
}

fn expand_paths(paths: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) => problems.push(file_problem(&shown, Mark::default(), format!("cannot read: {e}"))),
            Ok(meta) if meta.is_dir() => match std::fs::read_dir(path) {
                Err(e) => problems.push(file_problem(&shown, Mark::default(), format!("cannot read directory: {e}"))),
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| {
                            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                        })
                        .collect();
                    found.sort();
                    if found.is_empty() {
                        problems.push(file_problem(
                            &shown,
                            Mark::default(),
                            "directory holds no *.yaml or *.yml spec files",
                        ));
                    }
                    files.extend(found);
                }
            },
            Ok(_) => files.push(path.clone()),
        }
    }
    files
}

fn read_spec_file(path: &Path) -> Result<String, Problem> {
    let shown = path.display().to_string();
    let bytes = crate::bounded::read(path, MAX_FILE_BYTES, "spec files").map_err(|e| match e {
        crate::bounded::ReadError::TooLarge { .. } => {
            file_problem(&shown, Mark { line: 1, column: 1 }, format!("file {e}"))
        }
        crate::bounded::ReadError::Io(e) => file_problem(&shown, Mark::default(), format!("cannot read: {e}")),
        other => file_problem(&shown, Mark::default(), format!("cannot read: it {other}")),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        let line = text.matches('\n').count() + 1;
        let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        file_problem(&shown, Mark { line, column }, "file is not valid UTF-8")
    })
}

const TOP_KEYS: &[&str] = &["owner", "credentialProviders", "gateways"];

/// Loads the gateways and credential providers of one file's text, appending problems.
fn load_str(
    file: &str,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    loaded: &mut Loaded,
    problems: &mut Vec<Problem>,
) {
    let docs = match yaml::parse_documents(text) {
        Ok(docs) => docs,
        Err(e) => {
            problems.push(file_problem(file, e.mark, e.message));
            return;
        }
    };
    if docs.iter().all(Option::is_none) {
        problems.push(file_problem(
            file,
            Mark { line: 1, column: 1 },
            "file holds no spec: expected a mapping with a `gateways` list",
        ));
        return;
    }
    let mut cx = Cx::new(file, problems).with_env(env);
    for doc in docs.into_iter().flatten() {
        let Some(entries) = cx.map(&doc) else { continue };
        cx.check_keys(entries, TOP_KEYS);
        if let Some(owner) = cx.optional::<Owner>(entries, "owner") {
            let mark = doc.get("owner").map_or(doc.mark, |n| n.mark);
            loaded.owners.push((owner, Source { file: file.to_string(), mark }));
        }
        let declares_providers = doc.get("credentialProviders").is_some();
        if let Some(list) = doc.get("credentialProviders") {
            providers::load_list(list, env, loaded, &mut cx);
        }
        let Some(list) = doc.get("gateways") else {
            if !declares_providers {
                cx.error(doc.mark, "missing required key `gateways`");
            }
            continue;
        };
        if list.is_null() {
            continue;
        }
        let NodeKind::Seq(items) = &list.kind else {
            cx.at("gateways", |cx| {
                cx.error(list.mark, format!("expected a list of gateways, found {}", list.type_name()))
            });
            continue;
        };
        for item in items {
            let name = item
                .get("name")
                .and_then(Node::as_scalar)
                .map(|n| interpolate(n, env).unwrap_or_else(|_| n.to_string()));
            let source = Source { file: file.to_string(), mark: item.mark };
            if let Some(name) = &name {
                loaded.names.push((name.clone(), source.clone()));
            }
            cx.set_gateway(name);
            // `lifecycle` is acgw's own key: the API's members decode without it.
            let (item, lifecycle) = split_key(item, "lifecycle");
            let lifecycle: Option<Lifecycle> = match &lifecycle {
                Some(node) if !node.is_empty_value() => cx.at("lifecycle", |cx| Lifecycle::decode(node, cx)),
                _ => None,
            };
            let (item, targets) = split_key(&item, "targets");
            let base = files::Base {
                dir: Path::new(file).parent().unwrap_or(Path::new("")),
                allow_outside: loaded.options.allow_outside_files,
            };
            let targets = targets.map(|node| cx.at("targets", |cx| load_targets(node, &base, &mut loaded.refs, cx)));
            let (item, policy) = split_key(&item, "resourcePolicy");
            let policy = policy.map(|node| cx.at("resourcePolicy", |cx| load_policy(&node, &base, cx)));
            let (item, rate_limits) = split_key(&item, "rateLimits");
            let rate_limits = rate_limits.map(|node| cx.at("rateLimits", |cx| load_rate_limits(node, cx)));
            let (item, rules) = split_key(&item, "rules");
            // Routed names are checked against `targets:` when it is declared (and readable).
            let declared: Option<Vec<String>> = match &targets {
                Some(Some(ts)) => Some(ts.iter().map(|t| t.name.as_str().to_string()).collect()),
                _ => None,
            };
            let rules = rules.map(|node| cx.at("rules", |cx| load_rules(node, declared.as_deref(), cx)));
            check_reserved_tags(&item, "set `owner` or `lifecycle.preventDestroy` instead", &mut cx);
            let decoded = Gateway::decode(&item, &mut cx);
            Gateway::check_cross_field(&item, &mut cx);
            if let Some(gateway) = decoded {
                let prevent_destroy = lifecycle.and_then(|l| l.prevent_destroy).unwrap_or(false);
                // A gateway whose targets or policy failed to decode is reported, not loaded half.
                let targets = match targets {
                    Some(None) => None,
                    Some(Some(targets)) => Some(Some(targets)),
                    None => Some(None),
                };
                let resource_policy = match policy {
                    Some(None) => None,
                    Some(Some(p)) => Some(Some(p)),
                    None => Some(None),
                };
                let rate_limits = match rate_limits {
                    Some(None) => None,
                    Some(Some(r)) => Some(Some(r)),
                    None => Some(None),
                };
                let rules = match rules {
                    Some(None) => None,
                    Some(Some(r)) => Some(Some(r)),
                    None => Some(None),
                };
                if let (Some(targets), Some(resource_policy), Some(rate_limits), Some(rules)) =
                    (targets, resource_policy, rate_limits, rules)
                {
                    loaded.specs.push(Spec {
                        gateway,
                        source,
                        prevent_destroy,
                        targets,
                        resource_policy,
                        rate_limits,
                        rules,
                    });
                }
            }
            cx.set_gateway(None);
        }
    }
}

/// A gateway's `targets:` list: `file:` references read, every target decoded and checked, names
/// unique within the gateway. `None` (reported) if anything is wrong.
fn load_targets(
    mut node: Node,
    base: &files::Base<'_>,
    refs: &mut Vec<providers::RefSite>,
    cx: &mut Cx<'_>,
) -> Option<Vec<Target>> {
    if node.is_null() {
        cx.error(
            node.mark,
            "`targets:` is empty: write `targets: []` to delete every target, or remove the key to leave them unmanaged",
        );
        return None;
    }
    let NodeKind::Seq(items) = &mut node.kind else {
        cx.error(node.mark, format!("expected a list of targets, found {}", node.type_name()));
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    let mut seen: Vec<(String, Mark)> = Vec::new();
    for (i, item) in items.iter_mut().enumerate() {
        let decoded = cx.at(format!("[{i}]"), |cx| {
            files::resolve(item, base, cx);
            let target = Target::decode(item, cx);
            Target::check_cross_field(item, cx);
            target
        });
        match decoded {
            Some(t) => {
                refs.extend(providers::ref_sites(&t, i, item, cx));
                let mark = item.get("name").map_or(item.mark, |n| n.mark);
                if let Some((_, first)) = seen.iter().find(|(n, _)| n == t.name.as_str()) {
                    let first = *first;
                    cx.at(format!("[{i}]"), |cx| {
                        cx.at("name", |cx| {
                            cx.error(
                                mark,
                                format!(
                                    "target `{}` is declared twice in this gateway (first at line {})",
                                    t.name, first.line
                                ),
                            )
                        })
                    });
                    ok = false;
                } else {
                    seen.push((t.name.as_str().to_string(), mark));
                }
                out.push(t);
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// A gateway's `rules:` list: every rule decoded and checked, `priority` unique within the
/// gateway, and, when the gateway declares `targets:` (`declared`), every routed target one of
/// them. `None` (reported) if anything is wrong.
fn load_rules(node: Node, declared: Option<&[String]>, cx: &mut Cx<'_>) -> Option<Vec<Rule>> {
    if node.is_null() {
        cx.error(
            node.mark,
            "`rules:` is empty: write `rules: []` to delete every rule, or remove the key to leave them unmanaged",
        );
        return None;
    }
    let NodeKind::Seq(items) = &node.kind else {
        cx.error(node.mark, format!("expected a list of rules, found {}", node.type_name()));
        return None;
    };
    let mut ok = true;
    let mut out = Vec::with_capacity(items.len());
    let mut seen: Vec<(i32, Mark)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let decoded = cx.at(format!("[{i}]"), |cx| {
            let r = Rule::decode(item, cx);
            Rule::check_cross_field(item, cx);
            r
        });
        let Some(r) = decoded else {
            ok = false;
            continue;
        };
        let mark = item.get("priority").map_or(item.mark, |n| n.mark);
        let priority = r.priority.get();
        if let Some((_, first)) = seen.iter().find(|(p, _)| *p == priority) {
            let first = *first;
            cx.at(format!("[{i}]"), |cx| {
                cx.at("priority", |cx| {
                    cx.error(
                        mark,
                        format!(
                            "rule priority {priority} is declared twice in this gateway (first at line {})",
                            first.line
                        ),
                    )
                })
            });
            ok = false;
        } else {
            seen.push((priority, mark));
        }
        if let Some(declared) = declared {
            let mut unknown: Vec<&str> = r
                .routed_targets()
                .into_iter()
                .map(|t| t.as_str())
                .filter(|t| !declared.iter().any(|d| d == t))
                .collect();
            unknown.dedup();
            for name in unknown {
                cx.at(format!("[{i}]"), |cx| {
                    cx.error(
                        item.mark,
                        format!(
                            "rule {priority} routes to target `{name}`, which is not one of this gateway's `targets:`"
                        ),
                    )
                });
                ok = false;
            }
        }
        out.push(r);
    }
    ok.then_some(out)
}

pub use crate::model::rate_limit::MAX_RATE_LIMITS;

/// A gateway's `rateLimits:` list: every rate limit decoded and checked, `rateLimitId` required
/// and unique within the gateway, at most [`MAX_RATE_LIMITS`]. `None` (reported) if anything is
/// wrong.
fn load_rate_limits(node: Node, cx: &mut Cx<'_>) -> Option<Vec<RateLimit>> {
    if node.is_null() {
        cx.error(
            node.mark,
            "`rateLimits:` is empty: write `rateLimits: []` to delete every rate limit, or remove the key to leave them unmanaged",
        );
        return None;
    }
    let NodeKind::Seq(items) = &node.kind else {
        cx.error(node.mark, format!("expected a list of rate limits, found {}", node.type_name()));
        return None;
    };
    let mut ok = true;
    if items.len() > MAX_RATE_LIMITS {
        cx.error(node.mark, format!("{} rate limits: a gateway can have at most {MAX_RATE_LIMITS}", items.len()));
        ok = false;
    }
    let mut out = Vec::with_capacity(items.len());
    let mut seen: Vec<(String, Mark)> = Vec::new();
    // Each decoded rate limit's dimensionKeys, its ID and where its dimensionKeys are.
    let mut keys_seen: Vec<(Vec<String>, String, Mark)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let decoded = cx.at(format!("[{i}]"), |cx| {
            let r = RateLimit::decode(item, cx);
            RateLimit::check_cross_field(item, cx);
            r
        });
        match decoded {
            Some(r) => {
                // "Must be unique per gateway—no two rate limits can share the same dimension
                // keys" (SDK). Compared as ordered lists, as the emulator does: the order is
                // meaningful (`*` only trails), so [a, b] and [b, a] are different scopes.
                let keys: Vec<String> = r.dimension_keys.iter().map(|k| k.to_string()).collect();
                let keys_mark = item.get("dimensionKeys").map_or(item.mark, |n| n.mark);
                if let Some((_, first_id, first)) = keys_seen.iter().find(|(k, _, _)| *k == keys) {
                    let message = format!(
                        "rate limit `{}` has the same dimensionKeys [{}] as rate limit `{first_id}` (first at line {}); dimension keys must be unique per gateway",
                        r.rate_limit_id,
                        keys.join(", "),
                        first.line
                    );
                    cx.at(format!("[{i}]"), |cx| cx.at("dimensionKeys", |cx| cx.error(keys_mark, message)));
                    ok = false;
                } else {
                    keys_seen.push((keys, r.rate_limit_id.to_string(), keys_mark));
                }
                let mark = item.get("rateLimitId").map_or(item.mark, |n| n.mark);
                if let Some((_, first)) = seen.iter().find(|(n, _)| n == r.rate_limit_id.as_str()) {
                    let first = *first;
                    cx.at(format!("[{i}]"), |cx| {
                        cx.at("rateLimitId", |cx| {
                            cx.error(
                                mark,
                                format!(
                                    "rate limit `{}` is declared twice in this gateway (first at line {})",
                                    r.rate_limit_id, first.line
                                ),
                            )
                        })
                    });
                    ok = false;
                } else {
                    seen.push((r.rate_limit_id.as_str().to_string(), mark));
                }
                out.push(r);
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// A gateway's `resourcePolicy:`: `null` (none), a policy document as YAML (with `${VAR}`), or
/// `{ file: PATH }` (JSON or YAML, relative to the spec, not interpolated). The outer `None`
/// means it could not be read (reported).
fn load_policy(node: &Node, base: &files::Base<'_>, cx: &mut Cx<'_>) -> Option<Option<ResourcePolicy>> {
    if node.is_null() {
        return Some(None);
    }
    let is_file = matches!(&node.kind, NodeKind::Map(entries) if entries.len() == 1 && node.get("file").is_some());
    if is_file {
        return files::policy(node, base, cx).map(Some);
    }
    ResourcePolicy::decode(node, cx).map(Some)
}

/// `node` without the entry `key`, and that entry's value.
fn split_key(node: &Node, key: &str) -> (Node, Option<Node>) {
    match &node.kind {
        NodeKind::Map(entries) => {
            let (taken, kept): (Vec<_>, Vec<_>) =
                entries.iter().cloned().partition(|(k, _)| k.as_scalar() == Some(key));
            (Node { mark: node.mark, kind: NodeKind::Map(kept) }, taken.into_iter().next().map(|(_, v)| v))
        }
        _ => (node.clone(), None),
    }
}

/// Tag keys starting with `acgw:` are acgw's own, set from the keys `hint` names.
fn check_reserved_tags(item: &Node, hint: &str, cx: &mut Cx<'_>) {
    let Some(NodeKind::Map(entries)) = item.get("tags").map(|t| &t.kind) else { return };
    for (k, _) in entries {
        if let Some(key) = k.as_scalar().filter(|k| k.starts_with(ACGW_TAG_PREFIX)) {
            cx.at(format!("tags.{key}"), |cx| {
                cx.error(k.mark, format!("tag keys starting with `{ACGW_TAG_PREFIX}` are acgw's own: {hint}"))
            });
        }
    }
}

fn check_duplicates(names: &[(String, Source)], problems: &mut Vec<Problem>) {
    let mut sorted: Vec<&(String, Source)> = names.iter().collect();
    sorted.sort_by(|a, b| (&a.0, &a.1.file, a.1.mark).cmp(&(&b.0, &b.1.file, b.1.mark)));
    for pair in sorted.windows(2) {
        let ((name, first), (other, second)) = (pair[0], pair[1]);
        if name == other {
            problems.push(Problem {
                severity: Severity::Error,
                file: second.file.clone(),
                mark: second.mark,
                gateway: Some(name.clone()),
                path: "name".into(),
                message: format!(
                    "gateway name `{name}` is declared twice: here and at {}:{}:{}",
                    first.file, first.mark.line, first.mark.column
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests;
