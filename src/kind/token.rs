//! Deterministic CreateGateway client tokens.
//!
//! The token is a digest of where the gateway is created and of its canonical desired
//! configuration, so re-running an interrupted apply sends the same token and the service
//! returns the gateway it already made instead of making a second one.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::Gateway;

/// The prefix makes acgw's tokens recognizable in CloudTrail.
const PREFIX: &str = "acgw-";

/// The client token for creating `desired` in `region` at `endpoint`; `replaces` names the
/// gateway a replacement stands in for, so that the token of the create it replaces (which the
/// service may still remember) is never sent again.
///
/// 5 + 64 characters of `[a-z0-9-]`: within the API's 33–256 and its pattern.
pub fn client_token(region: &str, endpoint: &str, desired: &Gateway, replaces: Option<&str>) -> String {
    let replaces = replaces.unwrap_or_default();
    digest(&[region.as_bytes(), endpoint.as_bytes(), &canonical(desired), replaces.as_bytes()])
}

/// The CreateGatewayTarget client token: a digest of region, endpoint, gateway ID and the
/// target's canonical configuration, so a re-run after an interruption finds the same target.
pub fn target_token(region: &str, endpoint: &str, gateway_id: &str, desired: &crate::model::target::Target) -> String {
    let canonical = serde_json::to_vec(desired).unwrap_or_default();
    digest(&[region.as_bytes(), endpoint.as_bytes(), gateway_id.as_bytes(), &canonical])
}

/// The client token that creates a gateway item (CreateGatewayRule, CreateGatewayRateLimit): a
/// digest of region, endpoint, gateway ID, the item's canonical configuration and, for a
/// replacement, the `updatedAt` of the one it replaces (the service may still remember the token
/// that created that one).
pub fn item_token<T: Serialize>(
    region: &str,
    endpoint: &str,
    gateway_id: &str,
    desired: &T,
    replaces: Option<&str>,
) -> String {
    let canonical = serde_json::to_vec(desired).unwrap_or_default();
    let replaces = replaces.unwrap_or_default();
    digest(&[region.as_bytes(), endpoint.as_bytes(), gateway_id.as_bytes(), &canonical, replaces.as_bytes()])
}

/// [`PREFIX`] and the SHA-256 of `parts` in hex. Each part is length-prefixed, so no two
/// different inputs can produce the same byte stream.
fn digest(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(PREFIX.len() + 64);
    out.push_str(PREFIX);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The configuration CreateGateway receives, as canonical JSON bytes (struct order, sorted maps).
fn canonical(desired: &Gateway) -> Vec<u8> {
    let mut create = desired.clone();
    // Update-only members are not part of the create request.
    create.waf_configuration = None;
    create.custom_transform_configuration = None;
    serde_json::to_vec(&create).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AuthorizerType, Description, GatewayName, RoleArn};

    fn gateway(description: &str) -> Gateway {
        let mut g = Gateway::minimal(
            GatewayName::try_from("orders").unwrap(),
            RoleArn::try_from("arn:aws:iam::123456789012:role/r").unwrap(),
            AuthorizerType::AwsIam,
        );
        g.description = Some(Description::try_from(description).unwrap());
        g
    }

    #[test]
    fn same_input_same_token_and_it_fits_the_model() {
        let a = client_token("us-east-1", "https://x", &gateway("a"), None);
        assert_eq!(a, client_token("us-east-1", "https://x", &gateway("a"), None));
        assert!((33..=256).contains(&a.len()));
        let re = regex::Regex::new("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$").unwrap();
        assert!(re.is_match(&a), "{a}");
    }

    #[test]
    fn config_region_and_endpoint_all_change_the_token() {
        let base = client_token("us-east-1", "https://x", &gateway("a"), None);
        assert_ne!(base, client_token("us-east-1", "https://x", &gateway("b"), None));
        assert_ne!(base, client_token("eu-west-1", "https://x", &gateway("a"), None));
        assert_ne!(base, client_token("us-east-1", "https://y", &gateway("a"), None));
        assert_ne!(base, client_token("us-east-1", "https://x", &gateway("a"), Some("orders-abcdefghij")));
    }
}
