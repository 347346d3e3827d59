//! A gateway's resource policy: Put/Get/DeleteResourcePolicy on its ARN.

use serde_json::json;

use super::super::wire::ApiError;
use super::*;

impl State {
    /// PutResourcePolicy on a gateway ARN: creates or replaces; answers the policy.
    pub fn put_resource_policy(&mut self, arn: &str, policy: String, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        g.refuse_if_deleting()?;
        g.resource_policy = Some(policy.clone());
        self.mutated();
        Ok(Answer { status: 201, body: Some(json!({ "policy": policy })), mutated: true })
    }

    /// GetResourcePolicy: ResourceNotFoundException when the gateway has none.
    pub fn get_resource_policy(&mut self, arn: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        match &g.resource_policy {
            Some(p) => Ok(Answer::read(json!({ "policy": p }))),
            None => Err(ApiError::not_found(format!("No resource policy exists for {arn}"))),
        }
    }

    /// DeleteResourcePolicy: ResourceNotFoundException when the gateway has none.
    pub fn delete_resource_policy(&mut self, arn: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        if g.resource_policy.take().is_none() {
            return Err(ApiError::not_found(format!("No resource policy exists for {arn}")));
        }
        self.mutated();
        Ok(Answer { status: 204, body: None, mutated: true })
    }
}
