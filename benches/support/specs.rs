//! Generated gateway specs for the benchmarks (`examples/bench.rs` and `benches/stages.rs`).
//!
//! Four shapes in rotation, so that every stage sees realistic variety: a minimal AWS_IAM gateway,
//! a CUSTOM_JWT gateway with claims, an MCP gateway with session and streaming settings, and one
//! with interceptors, a policy engine and a KMS key. Every generated spec validates.

use std::fmt::Write as _;

/// The name of the `i`-th generated gateway.
#[allow(dead_code)] // not every user of this module needs it
pub fn name(i: usize) -> String {
    format!("bench-{i:05}")
}

/// A YAML spec file declaring `n` gateways.
pub fn yaml(n: usize) -> String {
    yaml_with(n, false)
}

/// Like [`yaml`]; with `drifted`, every other gateway has another description and team tag,
/// as if it had been edited since (for benchmarks that need updates in the plan).
#[allow(dead_code)] // not every user of this module needs it
pub fn yaml_with(n: usize, drifted: bool) -> String {
    let mut out = String::with_capacity(n * 700);
    out.push_str("# Generated for the benchmarks.\ngateways:\n");
    for i in 0..n {
        gateway(&mut out, i, drifted && i % 2 == 0);
    }
    out
}

fn gateway(out: &mut String, i: usize, drifted: bool) {
    let name = name(i);
    let team = if drifted { "platform" } else { ["support", "finance", "search", "payments"][i % 4] };
    // `write!` into a String cannot fail.
    let _ = write!(
        out,
        "  - name: {name}\n    description: Generated gateway {i} for the {team} team\n    \
         roleArn: arn:aws:iam::123456789012:role/{name}\n"
    );
    match i % 4 {
        0 => out.push_str("    authorizerType: AWS_IAM\n"),
        1 => {
            let _ = write!(
                out,
                "    authorizerType: CUSTOM_JWT\n    authorizerConfiguration:\n      customJWTAuthorizer:\n        \
                 discoveryUrl: https://login.example.com/tenant-{i}/.well-known/openid-configuration\n        \
                 allowedAudience: [api-{i}]\n        allowedClients: [agent-{i}, console-{i}]\n        \
                 allowedScopes: [\"{team}:read\", \"{team}:write\"]\n        customClaims:\n          \
                 - inboundTokenClaimName: department\n            inboundTokenClaimValueType: STRING\n            \
                 authorizingClaimMatchValue:\n              claimMatchOperator: EQUALS\n              \
                 claimMatchValue: {{ matchValueString: {team} }}\n"
            );
        }
        2 => {
            let _ = write!(
                out,
                "    protocolType: MCP\n    protocolConfiguration:\n      mcp:\n        \
                 supportedVersions: [\"2025-06-18\", \"2025-03-26\"]\n        \
                 instructions: Tools for the {team} team; gateway {i}.\n        searchType: SEMANTIC\n        \
                 sessionConfiguration: {{ sessionTimeoutInSeconds: {} }}\n        \
                 streamingConfiguration: {{ enableResponseStreaming: true }}\n    authorizerType: AWS_IAM\n    \
                 exceptionLevel: DEBUG\n",
                900 + (i % 100) * 60
            );
        }
        _ => {
            let _ = write!(
                out,
                "    authorizerType: AWS_IAM\n    \
                 kmsKeyArn: arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d\n    \
                 interceptorConfigurations:\n      - interceptor:\n          \
                 lambda: {{ arn: \"arn:aws:lambda:us-east-1:123456789012:function:redact-{i}\" }}\n        \
                 interceptionPoints: [REQUEST, RESPONSE]\n        inputConfiguration:\n          \
                 passRequestHeaders: false\n    policyEngineConfiguration:\n      \
                 arn: arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/pe-{i:05}-a1b2c3d4e5\n      \
                 mode: ENFORCE\n"
            );
        }
    }
    let _ = writeln!(out, "    tags: {{ team: {team}, index: \"{i}\" }}");
}

/// A YAML spec file declaring `n` gateways with `targets` targets each (MCP servers, Lambda
/// functions with inline tools, and OpenAPI schemas in S3, in rotation).
#[allow(dead_code)] // not every user of this module needs it
pub fn yaml_with_targets(n: usize, targets: usize) -> String {
    let mut out = String::with_capacity(n * (700 + targets * 300));
    out.push_str("# Generated for the benchmarks.\ngateways:\n");
    for i in 0..n {
        gateway(&mut out, i, false);
        out.push_str("    targets:\n");
        for t in 0..targets {
            let _ = match t % 3 {
                0 => write!(
                    out,
                    "      - name: mcp-{t}\n        targetConfiguration: {{ mcp: {{ mcpServer: {{ endpoint: \"https://tools-{i}.example.com/mcp/{t}\" }} }} }}\n"
                ),
                1 => write!(
                    out,
                    "      - name: lambda-{t}\n        description: Tools {t} of gateway {i}\n        targetConfiguration:\n          \
                     mcp:\n            lambda:\n              lambdaArn: arn:aws:lambda:us-east-1:123456789012:function:tools-{t}\n              \
                     toolSchema:\n                inlinePayload:\n                  - {{ name: lookup, description: Look something up, \
                     inputSchema: {{ type: object, properties: {{ id: {{ type: string }} }}, required: [id] }} }}\n        \
                     credentialProviderConfigurations: [{{ credentialProviderType: GATEWAY_IAM_ROLE }}]\n"
                ),
                _ => write!(
                    out,
                    "      - name: api-{t}\n        targetConfiguration: {{ mcp: {{ openApiSchema: {{ s3: {{ uri: \"s3://specs-{i}/api-{t}.yaml\" }} }} }} }}\n"
                ),
            };
        }
    }
    out
}

/// A YAML spec file declaring `n` complete gateways: 5 targets, 5 rules routing to them, 3 rate
/// limits and a resource policy each (issue 15's benchmark).
#[allow(dead_code)] // not every user of this module needs it
pub fn yaml_with_parts(n: usize) -> String {
    let targets = yaml_with_targets(n, 5);
    let mut out = String::with_capacity(targets.len() + n * 1500);
    let mut i = 0;
    for line in targets.lines() {
        // Each gateway's entry starts with its name; append the other parts before the next one.
        if line.starts_with("  - name: ") && i > 0 {
            parts(&mut out, i - 1);
        }
        if line.starts_with("  - name: ") {
            i += 1;
        }
        out.push_str(line);
        out.push('\n');
    }
    if i > 0 {
        parts(&mut out, i - 1);
    }
    out
}

fn parts(out: &mut String, i: usize) {
    out.push_str("    rules:\n");
    for r in 0..5 {
        let _ = write!(
            out,
            "      - priority: {}\n        conditions: [{{ matchPaths: {{ anyOf: [\"/tools-{r}/*\"] }} }}]\n        \
             actions: [{{ routeToTarget: {{ staticRoute: {{ targetName: mcp-0 }} }} }}]\n",
            (r + 1) * 10
        );
    }
    out.push_str("    rateLimits:\n");
    for (r, key) in ["$.context.iam.principal", "qualifiedModelId", "toolName"].iter().enumerate() {
        let _ = write!(
            out,
            "      - rateLimitId: limit-{r}\n        dimensionKeys: [{key}]\n        \
             entries: [{{ dimensions: {{ {key}: \"*\" }}, requests: [{{ rate: {}, period: second }}] }}]\n",
            10 * (r + 1)
        );
    }
    let _ = write!(
        out,
        "    resourcePolicy:\n      Version: \"2012-10-17\"\n      Statement:\n        - {{ Effect: Allow, \
         Principal: {{ AWS: \"arn:aws:iam::123456789012:role/caller-{i}\" }}, Action: \"bedrock-agentcore:InvokeGateway\", Resource: \"*\" }}\n"
    );
}
