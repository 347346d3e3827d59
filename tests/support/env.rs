//! [`Env`]: what a test runs `acgw` against. By default an emulator in the test process (checked
//! against the service model on every call), with a scratch directory and a runtime that outlives
//! the child processes; or an external endpoint such as moto_server.

use std::any::Any;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use acgw::emulator::{Config, Emulator, EmulatorHandle, Faults};

use super::{repo, Acgw};

/// An endpoint to run the binary and the SDK against, with a scratch directory.
pub struct Env {
    /// The runtime the emulator and every SDK call of the test run on.
    pub rt: tokio::runtime::Runtime,
    handle: Option<EmulatorHandle>,
    /// The endpoint URL (`--endpoint-url`).
    pub url: String,
    dir: tempfile::TempDir,
    /// Environment variables every run of the binary gets (after the fake credentials).
    vars: Vec<(String, String)>,
    attempts: u32,
    client: OnceLock<aws_sdk_bedrockagentcorecontrol::Client>,
    next: AtomicU64,
    /// Keeps an external server (and whatever it needs) alive as long as the Env.
    _external: Option<Box<dyn Any + Send + Sync>>,
}

/// A function run against the emulator once it is up, before the test's first call.
type Hook = Box<dyn FnOnce(&EmulatorHandle)>;

/// How to start an [`Env`]: `Env::builder()....start()`.
pub struct EnvBuilder {
    config: Config,
    conformance: bool,
    attempts: u32,
    vars: Vec<(String, String)>,
    hooks: Vec<Hook>,
    state_file: Option<String>,
    external: Option<(String, Box<dyn Any + Send + Sync>)>,
}

impl EnvBuilder {
    /// Every emulator knob at once, for what the other methods do not name.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Injected faults (throttling, 500s, lost responses, latency, a request budget) from the start.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.config.faults = faults;
        self
    }

    /// Latency added to every call (a fault, kept with the others).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.config.faults.latency = latency;
        self
    }

    /// The seed of the emulator's fault dice, so a run replays.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = Some(seed);
        self
    }

    /// How long a created gateway stays CREATING.
    pub fn create_delay(mut self, delay: Duration) -> Self {
        self.config.create_delay = delay;
        self
    }

    /// How long an updated gateway stays UPDATING.
    pub fn update_delay(mut self, delay: Duration) -> Self {
        self.config.update_delay = delay;
        self
    }

    /// How long a deleted gateway stays DELETING.
    pub fn delete_delay(mut self, delay: Duration) -> Self {
        self.config.delete_delay = delay;
        self
    }

    /// Runs `hook` against the emulator once it is up (fail_next, deny_reads, page_forever, ...).
    pub fn hook(mut self, hook: impl FnOnce(&EmulatorHandle) + 'static) -> Self {
        self.hooks.push(Box::new(hook));
        self
    }

    /// Skips the service-model check of every call (it is on by default).
    pub fn without_conformance(mut self) -> Self {
        self.conformance = false;
        self
    }

    /// Keeps the emulator's state in `name` inside the Env's directory, as `--local` does in its
    /// working directory, so it outlives the emulator.
    pub fn state_file(mut self, name: &str) -> Self {
        self.state_file = Some(name.to_string());
        self
    }

    /// Sets an environment variable on every run of the binary (for example other credentials).
    pub fn var(mut self, key: &str, value: &str) -> Self {
        self.vars.push((key.to_string(), value.to_string()));
        self
    }

    /// Attempts per call of [`Env::client`] (3 unless told): more where the test's own reads must
    /// see through injected faults.
    pub fn client_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// Points at a server this process did not start here (moto_server); `keep` lives as long as
    /// the Env (the server's process, its logs). Emulator knobs and hooks do not apply to it.
    pub fn external(mut self, url: &str, keep: impl Any + Send + Sync) -> Self {
        self.external = Some((url.to_string(), Box::new(keep)));
        self
    }

    /// Starts the emulator (or takes the external endpoint) and runs the hooks.
    pub fn start(self) -> Env {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let (handle, url, external) = match self.external {
            Some((url, keep)) => {
                assert!(self.hooks.is_empty(), "hooks need the in-process emulator");
                (None, url, Some(keep))
            }
            None => {
                let mut config = self.config;
                if self.conformance {
                    // Every call is checked against the service model (see Drop).
                    config.conformance = Some(repo().join("tests/model/agentcore-control.json"));
                }
                if let Some(name) = &self.state_file {
                    config.state_file = Some(dir.path().join(name));
                }
                let handle = rt.block_on(Emulator::start(config)).expect("emulator starts");
                for hook in self.hooks {
                    hook(&handle);
                }
                let url = handle.url();
                (Some(handle), url, None)
            }
        };
        Env {
            rt,
            handle,
            url,
            dir,
            vars: self.vars,
            attempts: self.attempts,
            client: OnceLock::new(),
            next: AtomicU64::new(0),
            _external: external,
        }
    }
}

impl Env {
    /// How to start one: in-process emulator, conformance on, no faults, 3 client attempts.
    pub fn builder() -> EnvBuilder {
        EnvBuilder {
            config: Config::default(),
            conformance: true,
            attempts: 3,
            vars: Vec::new(),
            hooks: Vec::new(),
            state_file: None,
            external: None,
        }
    }

    /// An emulator with the defaults.
    pub fn new() -> Self {
        Env::builder().start()
    }

    /// The binary in the Env's directory, pointed at its endpoint.
    pub fn acgw(&self) -> Acgw {
        Acgw::new(self.dir()).on(self)
    }

    /// The Env's scratch directory (deleted with it).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `name` inside the Env's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `text` to `name` in the Env's directory.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        super::write(self.dir(), name, text)
    }

    /// A number no earlier call on this Env returned, for names that must not collide.
    pub fn unique(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// The in-process emulator, for its hooks and counters.
    pub fn handle(&self) -> &EmulatorHandle {
        self.handle.as_ref().expect("this Env points at an external endpoint: it has no emulator hooks")
    }

    /// Calls per API operation so far.
    pub fn stats(&self) -> BTreeMap<String, u64> {
        self.handle().stats()
    }

    /// Every call so far.
    pub fn calls(&self) -> u64 {
        self.stats().values().sum()
    }

    /// Replaces the injected faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        self.handle().set_faults(faults);
    }

    /// An SDK client for the endpoint (fake credentials), as another tool would use.
    pub fn client(&self) -> aws_sdk_bedrockagentcorecontrol::Client {
        self.client.get_or_init(|| acgw::connect::client_for_endpoint(&self.url, self.attempts)).clone()
    }

    /// acgw's own API layer over [`Env::client`].
    pub fn api(&self) -> acgw::api::sdk::SdkApi {
        acgw::api::sdk::SdkApi::new(self.client())
    }

    /// Creates a gateway directly through the SDK, as the console or another tool would.
    pub fn create(&self, json: serde_json::Value, tags: &[(&str, &str)]) -> String {
        let client = self.client();
        let mut problems = Vec::new();
        let node = acgw::model::decode::Node::from_json(&json);
        let mut gateway = <acgw::model::Gateway as acgw::model::decode::Decode>::decode(
            &node,
            &mut acgw::model::decode::Cx::new("test", &mut problems),
        )
        .unwrap_or_else(|| panic!("{problems:?}"));
        let tags: BTreeMap<String, String> = tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        gateway.tags = None;
        self.rt.block_on(async {
            let mut input = acgw::api::convert::create_input(
                &gateway,
                &format!("test-token-{}-0123456789abcdefghijklmnop", gateway.name),
            )
            .expect("converts");
            for (k, v) in &tags {
                input = input.tags(k, v);
            }
            let out = input.send_with(&client).await.expect("created");
            out.gateway_id().to_string()
        })
    }

    /// Live gateways by name (every page).
    pub fn names(&self) -> Vec<String> {
        let client = self.client();
        self.rt.block_on(async {
            let mut names = Vec::new();
            let mut pages = client.list_gateways().max_results(1000).into_paginator().send();
            while let Some(page) = pages.next().await {
                names.extend(page.expect("lists").items().iter().map(|g| g.name().to_string()));
            }
            names.sort();
            names
        })
    }
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            // A deviation from the service model fails the test that caused it.
            if let Err(e @ acgw::emulator::EmulatorError::Nonconformant { .. }) = self.rt.block_on(h.shutdown()) {
                if !std::thread::panicking() {
                    panic!("{e}");
                }
            }
        }
    }
}

impl Acgw {
    /// Points the binary at `env`'s endpoint with fake credentials, plus the Env's variables.
    pub fn on(mut self, env: &Env) -> Self {
        self = self.endpoint(&env.url);
        for (key, value) in &env.vars {
            self.cmd.env(key, value);
        }
        self
    }
}
