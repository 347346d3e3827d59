//! Connecting: the SDK client from the global options, checked before the first API call.
//!
//! Credentials and region come from the aws-config default chain (environment, profiles, SSO,
//! web identity, container and instance metadata), overridden by `--region`, `--profile` and
//! `--endpoint-url`. Missing credentials, a missing region and an unreachable endpoint are each
//! reported once, within seconds, before any gateway call; a call that would otherwise retry a
//! dead endpoint for a minute never starts. `--local` starts the in-process emulator instead.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_bedrockagentcorecontrol::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_bedrockagentcorecontrol::config::retry::{RetryConfig, RetryPartition, TokenBucket};
use aws_sdk_bedrockagentcorecontrol::config::timeout::TimeoutConfig;
use aws_sdk_bedrockagentcorecontrol::config::{
    ConfigBag, Credentials, Intercept, ProvideCredentials, Region, RuntimeComponents, SharedHttpClient,
};
use aws_sdk_bedrockagentcorecontrol::error::BoxError;
use aws_sdk_bedrockagentcorecontrol::Client;

use crate::api::carried::CarryInterceptor;
use crate::api::sdk::SdkApi;
use crate::emulator::{Config as EmulatorConfig, Emulator, EmulatorError, EmulatorHandle};
use crate::rate::RateLimiter;

/// The SDK's retry modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    /// Back off per call.
    Standard,
    /// The SDK's own client-side limiter as well, which cuts hard on every throttle.
    Adaptive,
}

/// Where and how to connect: what the command line or a caller decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// AWS region; `None` leaves it to the SDK's chain (AWS_REGION, the profile).
    pub region: Option<String>,
    /// Named AWS profile.
    pub profile: Option<String>,
    /// A custom API endpoint.
    pub endpoint_url: Option<String>,
    /// The in-process emulator (state in [`LOCAL_STATE_FILE`]) instead of AWS.
    pub local: bool,
    /// Attempts per API call, the first included.
    pub max_attempts: u32,
    /// The SDK's retry mode.
    pub retry_mode: RetryMode,
    /// A pinned request rate; `None` finds the quota.
    pub max_rps: Option<u32>,
    /// `--local`: how long to wait for another acgw run's lock on the state file.
    pub lock_timeout: Duration,
}

/// Where `--local` keeps the emulator's state, relative to the working directory.
pub const LOCAL_STATE_FILE: &str = ".acgw/local-state.json";
/// How long `--local` waits for another run's lock on the state file, unless told otherwise.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a waiting `--local` run tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(100);
/// The region `--local` signs for.
pub const LOCAL_REGION: &str = "us-east-1";

/// How long resolving credentials may take (SSO and web identity make network calls).
const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(10);
/// How long opening a TCP connection may take, in the reachability check and in every call.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one attempt may wait for its answer once sent. This is a read timeout rather than an
/// attempt timeout so that the wait for a rate-limiter permit, which comes before sending, does
/// not count against it.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// One call, retries and backoff included.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(300);

/// Why no client could be made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// No region in the options, the environment or the profile.
    #[error(
        "no AWS region is configured: pass --region, set AWS_REGION, or set `region` in the profile \
         (~/.aws/config); or use --local for the built-in emulator"
    )]
    NoRegion,
    /// The credential chain found nothing usable.
    #[error(
        "no usable AWS credentials{}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile \
         (or set AWS_PROFILE) naming a configured profile (run `aws sso login` first for an SSO profile), \
         or set AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN; or use --local for the built-in emulator ({detail})",
        profile.as_ref().map(|p| format!(" for profile `{p}`")).unwrap_or_default()
    )]
    NoCredentials { profile: Option<String>, detail: String },
    /// The endpoint could not be determined (for example FIPS with a custom endpoint).
    #[error("cannot determine the API endpoint: {0}")]
    Endpoint(String),
    /// Nothing answers at the endpoint.
    #[error("cannot reach the API endpoint {endpoint}: {reason} (check --endpoint-url, --region and the network)")]
    Unreachable { endpoint: String, reason: String },
    /// `--local`: the state directory could not be created.
    #[error("cannot create {}: {source}", path.display())]
    StateDir { path: PathBuf, source: std::io::Error },
    /// `--local`: the lock beside the state file could not be opened or taken.
    #[error("cannot lock {}: {source}", path.display())]
    Lock { path: PathBuf, source: std::io::Error },
    /// `--local`: another acgw run held the state file's lock for the whole timeout.
    #[error(
        "another acgw run has held the lock on {} for {}s, so this run did nothing; wait for it to finish \
         and run again (--lock-timeout sets how long to wait)",
        state_file.display(),
        waited.as_secs_f64()
    )]
    LockTimeout { state_file: PathBuf, waited: Duration },
    /// `--local`: the emulator did not start.
    #[error("cannot start the local emulator: {0}")]
    Emulator(#[from] EmulatorError),
}

/// A ready client, and what it talks to. Keep it alive for the whole command: with `--local` it
/// owns the emulator.
pub struct Connection {
    api: SdkApi,
    limiter: RateLimiter,
    region: String,
    endpoint: String,
    emulator: Option<EmulatorHandle>,
    /// With `--local`, held until the emulator has written its state for the last time.
    lock: Option<StateLock>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("local", &self.emulator.is_some())
            .finish()
    }
}

impl Connection {
    /// The API to hand to observe and apply.
    pub fn api(&self) -> &SdkApi {
        &self.api
    }

    /// The rate limiter every call of this connection goes through.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The endpoint URL requests go to (for client tokens and messages).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The emulator, with `--local`.
    pub fn emulator(&self) -> Option<&EmulatorHandle> {
        self.emulator.as_ref()
    }

    /// Ends the connection; with `--local`, stops the emulator and writes its state file.
    pub async fn close(self) -> Result<(), ConnectError> {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await?;
        }
        // Released only now: the next run must load the state this one wrote last.
        drop(self.lock);
        Ok(())
    }
}

/// Connects as the global options say: `--local` starts the emulator, anything else uses the AWS
/// default chain. Credentials, region and endpoint are checked before returning.
pub async fn connect(global: &Settings) -> Result<Connection, ConnectError> {
    let limiter = RateLimiter::for_max_rps(global.max_rps);
    if global.local {
        return connect_local(Path::new(LOCAL_STATE_FILE), global.max_attempts, limiter, global.lock_timeout).await;
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config(global.retry_mode, global.max_attempts))
        .timeout_config(timeout_config());
    if let Some(region) = &global.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &global.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &global.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let shared = loader.load().await;

    // Credentials first: a missing profile leaves no region either, and the credential error names it.
    let profile = global.profile.clone().or_else(|| std::env::var("AWS_PROFILE").ok());
    let no_credentials = |detail: String| ConnectError::NoCredentials { profile: profile.clone(), detail };
    let provider = shared
        .credentials_provider()
        .ok_or_else(|| no_credentials("no credential provider is configured".to_string()))?;
    match tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(no_credentials(error_chain(&e))),
        Err(_) => {
            return Err(no_credentials(format!(
                "the credential chain gave no answer within {}s",
                CREDENTIALS_TIMEOUT.as_secs()
            )))
        }
    }
    let region = shared.region().map(|r| r.to_string()).filter(|r| !r.is_empty()).ok_or(ConnectError::NoRegion)?;

    let builder = limited(aws_sdk_bedrockagentcorecontrol::config::Builder::from(&shared), &limiter)
        .interceptor(CarryInterceptor);
    let client = Client::from_conf(builder.build());
    let endpoint = resolve_endpoint(&client).await?;
    check_reachable(&endpoint).await?;
    Ok(Connection { api: SdkApi::new(client), limiter, region, endpoint, emulator: None, lock: None })
}

/// Takes the lock on `state_file` (waiting up to `lock_timeout` for another run to release it),
/// starts the emulator with its state in `state_file` (creating the directory) and connects to it
/// with fixed fake credentials, so that `--local` needs no AWS setup at all. The lock is held until
/// [`Connection::close`] (or the connection is dropped), so overlapping runs take turns.
pub async fn connect_local(
    state_file: &Path,
    max_attempts: u32,
    limiter: RateLimiter,
    lock_timeout: Duration,
) -> Result<Connection, ConnectError> {
    if let Some(dir) = state_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ConnectError::StateDir { path: dir.to_path_buf(), source })?;
    }
    // Before the state is loaded: a run that loaded it while another was still changing it would
    // write back a state without the other's changes.
    let lock = StateLock::acquire(state_file, lock_timeout).await?;
    let emulator =
        Emulator::start(EmulatorConfig { state_file: Some(state_file.to_path_buf()), ..EmulatorConfig::default() })
            .await?;
    let client = limited_client_for_endpoint(&emulator.url(), max_attempts, &limiter);
    // The emulator's port changes every run; its state file is what identifies the target, for
    // client tokens and saved plans alike.
    let endpoint = format!("local:{}", state_file.display());
    Ok(Connection {
        api: SdkApi::new(client),
        limiter,
        region: LOCAL_REGION.to_string(),
        endpoint,
        emulator: Some(emulator),
        lock: Some(lock),
    })
}

/// An advisory lock (`flock`) on a file beside a `--local` state file, held while a run uses that
/// state; the operating system releases it when the process ends, however it ends.
#[derive(Debug)]
pub struct StateLock {
    _file: std::fs::File,
}

impl StateLock {
    /// The lock file of `state_file`: a separate file, because the state file itself is replaced
    /// by a rename on every write, and a lock on a replaced file guards nothing.
    pub fn path_for(state_file: &Path) -> PathBuf {
        let mut name = state_file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".lock");
        state_file.with_file_name(name)
    }

    /// Takes the lock, saying once on stderr that it waits when another run holds it, and giving
    /// up with [`ConnectError::LockTimeout`] after `timeout` (0 refuses at once).
    pub async fn acquire(state_file: &Path, timeout: Duration) -> Result<Self, ConnectError> {
        let path = Self::path_for(state_file);
        let lock_error = |source| ConnectError::Lock { path: path.clone(), source };
        // A planted symlink would make acgw create or lock some other file.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_file()) {
            return Err(lock_error(std::io::Error::other("it exists and is not a regular file")));
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(lock_error)?;
        let started = std::time::Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(StateLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(source)) => return Err(lock_error(source)),
            }
            let waited = started.elapsed();
            if waited >= timeout {
                return Err(ConnectError::LockTimeout { state_file: state_file.to_path_buf(), waited: timeout });
            }
            if !told {
                eprintln!(
                    "waiting for the lock on {} held by another acgw run… (up to {}s)",
                    state_file.display(),
                    timeout.as_secs_f64()
                );
                told = true;
            }
            tokio::time::sleep(LOCK_POLL.min(timeout - waited)).await;
        }
    }
}

/// A client for an emulator (or any endpoint) at `url`, with fixed fake credentials and region
/// us-east-1, ignoring the environment and profiles, and the SDK's adaptive retries with no acgw
/// rate limiter: what tests use to check the emulator's state from the side.
pub fn client_for_endpoint(url: &str, max_attempts: u32) -> Client {
    let config = local_config(url).retry_config(retry_config(RetryMode::Adaptive, max_attempts)).build();
    Client::from_conf(config)
}

/// Like [`client_for_endpoint`], but configured as acgw's own commands are: every call goes
/// through `limiter`, with standard retries. Used by `--local`, tests and the benchmark.
pub fn limited_client_for_endpoint(url: &str, max_attempts: u32, limiter: &RateLimiter) -> Client {
    let builder = local_config(url).retry_config(retry_config(RetryMode::Standard, max_attempts));
    Client::from_conf(limited(builder, limiter).build())
}

/// The configuration shared by the clients for a given endpoint: fake credentials, us-east-1.
fn local_config(url: &str) -> aws_sdk_bedrockagentcorecontrol::config::Builder {
    aws_sdk_bedrockagentcorecontrol::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(LOCAL_REGION))
        .credentials_provider(Credentials::new("ACGWLOCALKEY", "acgw-local-secret", None, None, "acgw-local"))
        .endpoint_url(url)
        .timeout_config(timeout_config())
        .interceptor(CarryInterceptor)
}

/// Puts `limiter` in front of the SDK's HTTP client, and lets throttled attempts be retried
/// without spending the SDK's retry quota: the limiter already paces every attempt, and a burst
/// of throttles while it finds the quota would otherwise empty that quota (500 tokens, 5 per
/// throttle) and fail calls that a second later would have gone through.
fn limited(
    builder: aws_sdk_bedrockagentcorecontrol::config::Builder,
    limiter: &RateLimiter,
) -> aws_sdk_bedrockagentcorecontrol::config::Builder {
    let retry_quota = TokenBucket::builder().throttling_retry_cost(0).build();
    builder
        .http_client(limiter.http_client(default_http_client()))
        .retry_partition(RetryPartition::custom("acgw").token_bucket(retry_quota).build())
}

/// The HTTP client the SDK would use by default (hyper 1, rustls with aws-lc, proxies from the
/// environment), built here so that the rate limiter can wrap it.
fn default_http_client() -> SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    use aws_smithy_http_client::{Builder, ConnectorBuilder};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector = ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The SDK's retry configuration for `mode`. Standard is the default: acgw's own limiter paces
/// calls, and the SDK's adaptive mode would add a second limiter that cuts on every throttle.
fn retry_config(mode: RetryMode, max_attempts: u32) -> RetryConfig {
    // 0 attempts makes the SDK panic; the CLI already refuses it, library callers might not.
    let config = match mode {
        RetryMode::Adaptive => RetryConfig::adaptive(),
        RetryMode::Standard => RetryConfig::standard(),
    };
    config.with_max_attempts(max_attempts.max(1))
}

fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// Records the URL of a request that is about to be sent, then stops it from being sent.
#[derive(Debug)]
struct CaptureEndpoint(Arc<Mutex<Option<String>>>);

impl Intercept for CaptureEndpoint {
    fn name(&self) -> &'static str {
        "AcgwCaptureEndpoint"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(context.request().uri().to_string());
        }
        Err("endpoint check only; not sent".into())
    }
}

/// The endpoint the client really uses, found by running the SDK's own endpoint resolution and
/// signing for a request that is then never sent (so it counts as no API call).
async fn resolve_endpoint(client: &Client) -> Result<String, ConnectError> {
    let slot = Arc::new(Mutex::new(None));
    let result = client
        .list_gateways()
        .max_results(1)
        .customize()
        .interceptor(CaptureEndpoint(Arc::clone(&slot)))
        .config_override(
            aws_sdk_bedrockagentcorecontrol::config::Builder::default().retry_config(RetryConfig::disabled()),
        )
        .send()
        .await;
    let captured = slot.lock().ok().and_then(|mut s| s.take());
    match (captured, result) {
        (Some(uri), _) => Ok(origin(&uri)),
        (None, Err(e)) => Err(ConnectError::Endpoint(error_chain(&e))),
        (None, Ok(_)) => Err(ConnectError::Endpoint("the endpoint check unexpectedly sent a request".to_string())),
    }
}

/// `scheme://authority` of a URL (the path and query of the probe request are not the endpoint).
fn origin(uri: &str) -> String {
    match uri.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
            format!("{scheme}://{authority}")
        }
        None => uri.to_string(),
    }
}

/// An error and its sources as one line of text, each message once (without the Debug dump that
/// `DisplayErrorContext` appends).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        let msg = e.to_string();
        if !text.contains(&msg) {
            text.push_str(": ");
            text.push_str(&msg);
        }
        next = e.source();
    }
    text
}

/// Host and port of an endpoint URL, with the scheme's default port.
fn host_port(endpoint: &str) -> Option<(String, u16)> {
    let (scheme, rest) = endpoint.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let default_port = if scheme.eq_ignore_ascii_case("https") { 443 } else { 80 };
    if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => default_port,
        };
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None => Some((authority.to_string(), default_port)),
    }
}

/// Opens (and closes) one TCP connection to the endpoint, so that a wrong URL or a dead network
/// fails now with one message instead of after every retry of the first call.
pub async fn check_reachable(endpoint: &str) -> Result<(), ConnectError> {
    let unreachable = |reason: String| ConnectError::Unreachable { endpoint: endpoint.to_string(), reason };
    let (host, port) = host_port(endpoint).ok_or_else(|| unreachable("not a URL with a host".to_string()))?;
    let addrs: Vec<_> =
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((host.as_str(), port))).await {
            Ok(Ok(addrs)) => addrs.collect(),
            Ok(Err(e)) => return Err(unreachable(format!("cannot resolve {host}: {e}"))),
            Err(_) => return Err(unreachable(format!("resolving {host} took over {}s", CONNECT_TIMEOUT.as_secs()))),
        };
    let mut last = format!("{host} resolved to no address");
    for addr in addrs {
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) => last = format!("connecting to {addr}: {e}"),
            Err(_) => last = format!("connecting to {addr} took over {}s", CONNECT_TIMEOUT.as_secs()),
        }
    }
    Err(unreachable(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_split_into_host_and_port() {
        assert_eq!(
            host_port("https://bedrock-agentcore-control.us-east-1.amazonaws.com"),
            Some(("bedrock-agentcore-control.us-east-1.amazonaws.com".into(), 443))
        );
        assert_eq!(host_port("http://127.0.0.1:4566/prefix"), Some(("127.0.0.1".into(), 4566)));
        assert_eq!(host_port("http://[::1]:8080"), Some(("::1".into(), 8080)));
        assert_eq!(host_port("http://[::1]"), Some(("::1".into(), 80)));
        assert_eq!(host_port("localhost:80"), None);
        assert_eq!(origin("http://127.0.0.1:9/gateways?maxResults=1"), "http://127.0.0.1:9");
    }

    #[tokio::test]
    async fn the_state_lock_is_exclusive_until_released_and_never_follows_a_symlink() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("local-state.json");
        let held = StateLock::acquire(&state, Duration::ZERO).await.expect("the lock is free");
        let err = StateLock::acquire(&state, Duration::ZERO).await.expect_err("the lock is held");
        assert!(matches!(err, ConnectError::LockTimeout { .. }), "{err}");
        drop(held);
        StateLock::acquire(&state, Duration::ZERO).await.expect("free again once released");

        let other = dir.path().join("other.json");
        let elsewhere = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&elsewhere, StateLock::path_for(&other)).expect("symlink");
        let err = StateLock::acquire(&other, Duration::ZERO).await.expect_err("a symlink is refused");
        assert!(err.to_string().contains("is not a regular file"), "{err}");
        assert!(!elsewhere.exists(), "nothing was created through the symlink");
    }

    #[tokio::test]
    async fn the_endpoint_is_resolved_without_sending() {
        let client = client_for_endpoint("http://127.0.0.1:9", 1);
        assert_eq!(resolve_endpoint(&client).await.expect("resolves"), "http://127.0.0.1:9");
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable_at_once() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let started = std::time::Instant::now();
        let err = check_reachable(&format!("http://{addr}")).await.expect_err("nothing listens");
        assert!(started.elapsed() < Duration::from_secs(4));
        assert!(err.to_string().starts_with(&format!("cannot reach the API endpoint http://{addr}")), "{err}");
    }
}
