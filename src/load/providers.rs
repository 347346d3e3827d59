//! `credentialProviders:` (issue 26): the credential providers a spec declares beside its
//! gateways, and the targets' references to them by name.
//!
//! Each item is a one-member union (`oauth2:` or `apiKey:`) whose member may hold acgw's own
//! `lifecycle:`, split off before decoding as a gateway's is. Names are unique across both kinds
//! and every file loaded together; a target's `{ credentialProvider: NAME }` must name one of
//! them, of the kind its member needs. Problems name the provider in their message (they belong
//! to no gateway).

use std::collections::BTreeMap;

use crate::model::credential_provider::{CredentialProviderSpec, ProviderKind, SECRET_VERSION_TAG};
use crate::model::decode::{Cx, Decode, Node, NodeKind};
use crate::model::interpolate::interpolate;
use crate::model::provider_ref::REFERENCE_KEY;
use crate::model::target::Target;
use crate::model::{Lifecycle, Owner, Tags, OWNER_TAG, PREVENT_DESTROY_TAG};
use crate::problem::{Mark, Problem, Severity};

use super::{check_reserved_tags, split_key, Loaded, ProviderSpec, Source};

/// What `acgw:` tags on a provider are set from.
const RESERVED_HINT: &str = "set `owner`, `lifecycle.preventDestroy` or `secretVersion` instead";

/// A provider name a spec declares, whether or not the provider decoded: duplicates and
/// references are checked against every name written, so that one mistake is reported once.
pub(super) struct Declared {
    name: String,
    kind: ProviderKind,
    /// Where its `name:` is.
    source: Source,
}

/// A target's reference to a provider by name, with where it is written.
pub(super) struct RefSite {
    file: String,
    /// The name's position.
    mark: Mark,
    gateway: Option<String>,
    /// From the gateway's root: `targets[0].credentialProviderConfigurations[0]...providerArn`.
    path: String,
    name: String,
    /// The kind the member needs.
    kind: ProviderKind,
}

/// How a message names a provider of `kind`.
fn kind_noun(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Oauth2 => "an OAuth2 (`oauth2:`) provider",
        ProviderKind::ApiKey => "an API-key (`apiKey:`) provider",
    }
}

/// A document's `credentialProviders:` list: each provider decoded and checked, its problems
/// (named after it) appended to `cx`'s.
pub(super) fn load_list(list: &Node, env: &dyn Fn(&str) -> Option<String>, loaded: &mut Loaded, cx: &mut Cx<'_>) {
    if list.is_null() {
        return;
    }
    let NodeKind::Seq(items) = &list.kind else {
        cx.at("credentialProviders", |cx| {
            cx.error(list.mark, format!("expected a list of credential providers, found {}", list.type_name()))
        });
        return;
    };
    let file = cx.file().to_string();
    for item in items {
        let declared = declared(item, &file, env);
        let mut problems = Vec::new();
        let provider = {
            let mut own = Cx::new(&file, &mut problems).with_env(env);
            load_one(item, &file, &mut own)
        };
        if let Some(p) = provider.filter(|_| problems.iter().all(|p| p.severity != Severity::Error)) {
            loaded.providers.push(p);
        }
        for mut p in problems {
            if let Some(d) = &declared {
                p.message = format!("credential provider `{}`: {}", d.name, p.message);
            }
            cx.push(p);
        }
        loaded.provider_names.extend(declared);
    }
}

/// The name and kind an item declares, read from the text (interpolated) so that they count
/// even when the provider does not decode.
fn declared(item: &Node, file: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<Declared> {
    let NodeKind::Map(entries) = &item.kind else { return None };
    let mut found = entries.iter().filter_map(|(k, v)| {
        let kind = match k.as_scalar()? {
            "oauth2" => ProviderKind::Oauth2,
            "apiKey" => ProviderKind::ApiKey,
            _ => return None,
        };
        let name = v.get("name")?;
        let text = name.as_scalar()?;
        let text = interpolate(text, env).unwrap_or_else(|_| text.to_string());
        Some(Declared { name: text, kind, source: Source { file: file.to_string(), mark: name.mark } })
    });
    let first = found.next();
    // Two members is an error of its own; neither then declares a name.
    found.next().is_none().then_some(first).flatten()
}

/// One provider: `lifecycle` split off its member, reserved tags refused, the rest decoded.
fn load_one(item: &Node, file: &str, cx: &mut Cx<'_>) -> Option<ProviderSpec> {
    let NodeKind::Map(entries) = &item.kind else {
        return CredentialProviderSpec::decode(item, cx).and(None);
    };
    let mut lifecycle: Option<Lifecycle> = None;
    let mut kept = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        let key = k.as_scalar().unwrap_or_default().to_string();
        if !CredentialProviderSpec::KEYS.contains(&key.as_str()) || !matches!(v.kind, NodeKind::Map(_)) {
            kept.push((k.clone(), v.clone()));
            continue;
        }
        // `lifecycle` is acgw's own key: the API's members decode without it.
        let (member, node) = split_key(v, "lifecycle");
        if let Some(node) = node.filter(|n| !n.is_empty_value()) {
            lifecycle = cx.at(key.clone(), |cx| cx.at("lifecycle", |cx| Lifecycle::decode(&node, cx)));
        }
        cx.at(key, |cx| check_reserved_tags(&member, RESERVED_HINT, cx));
        kept.push((k.clone(), member));
    }
    let stripped = Node { mark: item.mark, kind: NodeKind::Map(kept) };
    let provider = CredentialProviderSpec::decode(&stripped, cx)?;
    Some(ProviderSpec {
        provider,
        source: Source { file: file.to_string(), mark: item.mark },
        prevent_destroy: lifecycle.and_then(|l| l.prevent_destroy).unwrap_or(false),
    })
}

/// The references by name of a decoded target (the `i`th of its gateway's `targets:`, written
/// at `node`), with where each name is written.
pub(super) fn ref_sites(target: &Target, i: usize, node: &Node, cx: &Cx<'_>) -> Vec<RefSite> {
    target
        .provider_refs()
        .into_iter()
        .map(|(path, name, kind)| {
            let at = node_at(node, &path);
            let mark = at.map_or(node.mark, |n| n.get(REFERENCE_KEY).unwrap_or(n).mark);
            RefSite {
                file: cx.file().to_string(),
                mark,
                gateway: cx.gateway().map(str::to_string),
                path: format!("targets[{i}].{path}"),
                name: name.as_str().to_string(),
                kind,
            }
        })
        .collect()
}

/// The node at `path` (`a[0].b.c`, API naming) below `node`.
fn node_at<'n>(node: &'n Node, path: &str) -> Option<&'n Node> {
    let mut at = node;
    for seg in path.split('.') {
        let (key, index) = match seg.strip_suffix(']').and_then(|s| s.split_once('[')) {
            Some((key, index)) => (key, Some(index.parse::<usize>().ok()?)),
            None => (seg, None),
        };
        at = at.get(key)?;
        if let Some(index) = index {
            let NodeKind::Seq(items) = &at.kind else { return None };
            at = items.get(index)?;
        }
    }
    Some(at)
}

/// A provider name declared twice (across both kinds and every file) is an error at the second.
pub(super) fn check_duplicates(declared: &[Declared], problems: &mut Vec<Problem>) {
    let mut sorted: Vec<&Declared> = declared.iter().collect();
    sorted.sort_by(|a, b| (&a.name, &a.source.file, a.source.mark).cmp(&(&b.name, &b.source.file, b.source.mark)));
    for pair in sorted.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        if first.name == second.name {
            problems.push(Problem {
                severity: Severity::Error,
                file: second.source.file.clone(),
                mark: second.source.mark,
                gateway: None,
                path: format!("{}.name", second.kind.key()),
                message: format!(
                    "credential provider `{}` is declared twice: here and at {}:{}:{} (names are unique across \
                     oauth2 and apiKey providers)",
                    second.name, first.source.file, first.source.mark.line, first.source.mark.column
                ),
            });
        }
    }
}

/// Every reference by name must name a provider the specs declare, of the kind its member needs.
pub(super) fn check_refs(refs: &[RefSite], declared: &[Declared], problems: &mut Vec<Problem>) {
    let by_name: BTreeMap<&str, &Declared> = declared.iter().map(|d| (d.name.as_str(), d)).rev().collect();
    for r in refs {
        let message = match by_name.get(r.name.as_str()) {
            None => format!(
                "credential provider `{}` is not declared: no spec loaded has it in `credentialProviders:`",
                r.name
            ),
            Some(d) if d.kind != r.kind => format!(
                "this member needs {}, but credential provider `{}` is {} (declared at {}:{}:{})",
                kind_noun(r.kind),
                r.name,
                kind_noun(d.kind),
                d.source.file,
                d.source.mark.line,
                d.source.mark.column
            ),
            Some(_) => continue,
        };
        problems.push(Problem {
            severity: Severity::Error,
            file: r.file.clone(),
            mark: r.mark,
            gateway: r.gateway.clone(),
            path: r.path.clone(),
            message,
        });
    }
}

/// acgw's own tags count against the API's 50 tags per provider.
pub(super) fn check_tag_room(providers: &[ProviderSpec], owner: Option<&Owner>, problems: &mut Vec<Problem>) {
    for p in providers {
        let declared = p.provider.tags().map_or(0, |t| t.as_map().len());
        let own: Vec<&str> = [
            owner.map(|_| OWNER_TAG),
            p.prevent_destroy.then_some(PREVENT_DESTROY_TAG),
            p.provider.secret_version().map(|_| SECRET_VERSION_TAG),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !own.is_empty() && declared + own.len() > Tags::MAX {
            problems.push(Problem {
                severity: Severity::Error,
                file: p.source.file.clone(),
                mark: p.source.mark,
                gateway: None,
                path: format!("{}.tags", p.provider.kind().key()),
                message: format!(
                    "credential provider `{}`: {declared} tags plus acgw's own {} ({}) exceed the API's limit of {} \
                     tags per credential provider",
                    p.name(),
                    own.len(),
                    own.join(", "),
                    Tags::MAX
                ),
            });
        }
    }
}

#[cfg(test)]
#[path = "providers_tests.rs"]
mod tests;
