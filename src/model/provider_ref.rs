//! A target's credential provider, by ARN or by name (issue 26).
//!
//! `oauthCredentialProvider.providerArn` and `apiKeyCredentialProvider.providerArn` take either
//! the provider's ARN, as the API does, or `{ credentialProvider: NAME }`: a provider declared in
//! the specs' `credentialProviders:`, whose ARN is only known once it exists. Plans keep the name
//! (it serializes as written); the ARN is put in before a request is built, and a name that
//! reaches the SDK conversion is refused there, so it never goes on the wire.

use serde::Serialize;
use serde_json::{json, Value};

use super::credential_provider::{CredentialProviderName, ProviderKind};
use super::decode::{Cx, Decode, Node, NodeKind};
use super::live::Unreadable;
use super::schema::{Defs, Schema};
use super::sdk::{BuildFailure, Sdk};
use super::target::{CredentialProvider, ProviderArn, Target};
use super::FromService;

/// The key of a reference by name.
pub const REFERENCE_KEY: &str = "credentialProvider";

/// A target's credential provider: its ARN, or the name of a provider the specs declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderRef {
    /// The provider's ARN, as the API takes it.
    Arn(ProviderArn),
    /// `{ credentialProvider: NAME }`: a provider of the specs, resolved to its ARN at plan time.
    Name(CredentialProviderName),
}

impl ProviderRef {
    /// The ARN, if this is one.
    pub fn arn(&self) -> Option<&str> {
        match self {
            ProviderRef::Arn(a) => Some(a.as_str()),
            ProviderRef::Name(_) => None,
        }
    }

    /// The provider's name, if this is a reference by name.
    pub fn name(&self) -> Option<&CredentialProviderName> {
        match self {
            ProviderRef::Name(n) => Some(n),
            ProviderRef::Arn(_) => None,
        }
    }
}

impl Serialize for ProviderRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            ProviderRef::Arn(a) => a.serialize(s),
            ProviderRef::Name(n) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(REFERENCE_KEY, n)?;
                map.end()
            }
        }
    }
}

impl Decode for ProviderRef {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        match &node.kind {
            NodeKind::Scalar { .. } => ProviderArn::decode(node, cx).map(ProviderRef::Arn),
            NodeKind::Map(_) if cx.is_wire() => {
                cx.error(node.mark, "expected a string, found a mapping");
                None
            }
            NodeKind::Map(entries) => {
                cx.check_keys(entries, &[REFERENCE_KEY]);
                let Some(name) = node.get(REFERENCE_KEY) else {
                    if entries.iter().all(|(k, _)| k.as_scalar() == Some(REFERENCE_KEY)) {
                        cx.error(
                            node.mark,
                            format!("expected a credential provider ARN or `{{ {REFERENCE_KEY}: NAME }}`, found an empty mapping"),
                        );
                    }
                    return None;
                };
                if entries.len() != 1 {
                    return None;
                }
                if name.is_null() {
                    cx.at(REFERENCE_KEY, |cx| {
                        cx.error(name.mark, "expected the name of a provider of `credentialProviders:`, found null")
                    });
                    return None;
                }
                cx.at(REFERENCE_KEY, |cx| CredentialProviderName::decode(name, cx)).map(ProviderRef::Name)
            }
            NodeKind::Seq(_) => {
                cx.error(
                    node.mark,
                    format!("expected a credential provider ARN or `{{ {REFERENCE_KEY}: NAME }}`, found a list"),
                );
                None
            }
        }
    }
}

impl Schema for ProviderRef {
    fn schema(defs: &mut Defs) -> Value {
        let arn = ProviderArn::schema(defs);
        let name = CredentialProviderName::schema(defs);
        defs.define("ProviderRef", |_| {
            json!({
                "oneOf": [
                    arn,
                    {
                        "type": "object",
                        "description": "A credential provider declared in `credentialProviders:`, by name (acgw puts in its ARN).",
                        "properties": { REFERENCE_KEY: name },
                        "required": [REFERENCE_KEY],
                        "additionalProperties": false
                    }
                ]
            })
        })
    }
}

impl Sdk for ProviderRef {
    type Sdk = String;
    fn to_sdk(&self) -> Result<String, BuildFailure> {
        match self {
            ProviderRef::Arn(a) => a.to_sdk(),
            ProviderRef::Name(n) => Err(BuildFailure {
                shape: "providerArn",
                message: format!(
                    "credential provider `{n}` is named but was not resolved to its ARN (a name never goes to the service)"
                ),
            }),
        }
    }
    fn from_sdk(value: String, _: &str) -> Result<Self, Unreadable> {
        Ok(ProviderRef::Arn(ProviderArn::from_service(value)))
    }
    fn blank(value: &String) -> bool {
        value.is_empty()
    }
}

/// The path of a target's credential provider member, from the target's root.
fn member_path(index: usize, key: &str) -> String {
    format!("credentialProviderConfigurations[{index}].credentialProvider.{key}.providerArn")
}

impl Target {
    /// Each provider reference of the target, with where it is and what it refers to:
    /// `(path, reference, kind the member needs)`.
    fn provider_members(&self) -> Vec<(String, &ProviderRef, ProviderKind)> {
        let Some(configs) = &self.credential_provider_configurations else { return Vec::new() };
        configs
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match &c.credential_provider {
                Some(CredentialProvider::OauthCredentialProvider(o)) => {
                    Some((member_path(i, "oauthCredentialProvider"), &o.provider_arn, ProviderKind::Oauth2))
                }
                Some(CredentialProvider::ApiKeyCredentialProvider(a)) => {
                    Some((member_path(i, "apiKeyCredentialProvider"), &a.provider_arn, ProviderKind::ApiKey))
                }
                _ => None,
            })
            .collect()
    }

    /// The target with `f` applied to each of its provider references.
    fn map_provider_refs(&self, f: &dyn Fn(&ProviderRef) -> Option<ProviderRef>) -> Target {
        let mut out = self.clone();
        if let Some(configs) = out.credential_provider_configurations.take() {
            out.credential_provider_configurations = Some(configs.map_items(|mut items| {
                for c in &mut items {
                    let member = match &mut c.credential_provider {
                        Some(CredentialProvider::OauthCredentialProvider(o)) => &mut o.provider_arn,
                        Some(CredentialProvider::ApiKeyCredentialProvider(a)) => &mut a.provider_arn,
                        _ => continue,
                    };
                    if let Some(new) = f(member) {
                        *member = new;
                    }
                }
                items
            }));
        }
        out
    }

    /// The providers the target names by name: `(path from the target's root, name, the kind the
    /// member needs)`; `oauthCredentialProvider` needs an OAuth2 provider,
    /// `apiKeyCredentialProvider` an API-key one.
    pub fn provider_refs(&self) -> Vec<(String, CredentialProviderName, ProviderKind)> {
        self.provider_members()
            .into_iter()
            .filter_map(|(path, r, kind)| r.name().map(|n| (path, n.clone(), kind)))
            .collect()
    }

    /// The providers the target gives by ARN (literal ARNs, not references by name).
    pub fn provider_arns(&self) -> Vec<String> {
        self.provider_members().into_iter().filter_map(|(_, r, _)| r.arn().map(str::to_string)).collect()
    }

    /// The target with each reference by name that `arn_of` knows replaced by that ARN; the
    /// names it does not know are left as they are.
    pub fn resolve_provider_refs(&self, arn_of: &dyn Fn(&str) -> Option<String>) -> Target {
        self.map_provider_refs(&|r| {
            let arn = arn_of(r.name()?.as_str())?;
            Some(ProviderRef::Arn(ProviderArn::from_service(arn)))
        })
    }

    /// The inverse, for export: each literal ARN that `name_of` knows becomes a reference by that
    /// name; the others are left as they are.
    pub fn name_provider_arns(&self, name_of: &dyn Fn(&str) -> Option<String>) -> Target {
        self.map_provider_refs(&|r| {
            let name = name_of(r.arn()?)?;
            Some(ProviderRef::Name(CredentialProviderName::from_service(name)))
        })
    }
}

#[cfg(test)]
#[path = "provider_ref_tests.rs"]
mod tests;
