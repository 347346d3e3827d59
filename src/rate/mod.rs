//! One client-side request-rate limiter for every API call of a run, retries included.
//!
//! On AWS a control-plane API is bounded by a per-account request-rate quota, so how fast a plan
//! or an apply runs is how close it stays to that quota without going over. [`RateLimiter`] sits
//! in front of the SDK as a wrapper around its HTTP client ([`RateLimiter::http_client`]): every
//! attempt of every call (a retry is an attempt too) waits for a permit first, and every answer
//! tells the limiter whether it was throttled. `--parallelism` still bounds how many calls are in
//! flight; this bounds how many start per second. Waiters are served first come, first served.
//!
//! Two modes:
//!
//! - **Pinned** (`--max-rps N`): the quota is known. Permits are paced at `N` less
//!   [`PIN_MARGIN`], so that network jitter never lands `N + 1` requests in one second of the
//!   service's accounting. If the service throttles anyway (another client shares the account's
//!   quota) the rate is cut as below and climbs back to the pin.
//! - **Adaptive** (the default): the quota is found. The rate starts at [`START_RPS`] and doubles
//!   every [`DOUBLING`] while it is what holds calls back. The first throttle cuts it to
//!   [`BETA`] × the quota, measured: how many answers the service accepted in the second before a
//!   throttle. A service that counts requests per second throttles only once it has accepted its
//!   quota within the current second, so that count is the quota whatever our rate or however
//!   bursty our calls. Then the rate climbs back quickly to just under that estimate and probes
//!   above it slowly. This is additive increase, multiplicative decrease around a measured quota.
//!
//! A service that counts requests per second keeps throttling for the rest of the second in which
//! the quota ran out, so a cut is judged by the second after the next, at the rate it was cut to.
//! Throttled there, the rate is cut again on what was measured since (see the verdict in
//! `Controller::advance`); a single throttle there counts as held (`EDGE_JITTER`). Throttled
//! as much after that second cut, the throttling does not follow our rate (the service sheds
//! load, or faults are injected), and an AIMD limiter that kept cutting would go down to nothing:
//! the cuts are undone (to no more than was sent before them), and that share of throttled answers
//! is treated as noise (decaying over time) that does not trigger cuts.
//!
//! The bucket itself is a [`governor`] GCRA limiter with a burst of one; as governor's quota is
//! fixed at construction, a rate change swaps in a new one.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use aws_sdk_bedrockagentcorecontrol::config::ConfigBag;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::{RuntimeComponents, RuntimeComponentsBuilder};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};

/// Where the adaptive mode starts, in requests per second: below every published AWS
/// control-plane quota we know of, and reached within a second from any of them by doubling.
pub const START_RPS: f64 = 10.0;
/// The slowest the adaptive mode doubles its rate before the first throttle: from 10/s, a
/// thousand per second is at most 0.7 s away. Answers clock it faster (see [`MIN_RTT`]).
pub const DOUBLING: Duration = Duration::from_millis(100);
/// Before the first throttle, each accepted answer also adds `ln 2 / round trip` to the rate while
/// a caller is waiting for a permit, so that it doubles every round trip, as TCP's slow start
/// doubles its window: fast against a fast service. Like TCP's (RFC 7661), it grows only while the
/// rate is what holds calls back at that moment: otherwise answers from a few calls in flight
/// would run the rate up to [`MAX_RPS`], far above anything sent.
/// A climb from `r0` to `R` costs about `d × (log2(R / r0) − 1 / ln 2)` of wall time against a
/// run that started at `R`, for doubling time `d`: on the clock alone (100 ms), 0.4 s to
/// 500/s, a tenth of issue 15's plan benchmark. Round trips shorter than this count as this long,
/// so that a loopback at no latency does not make the rate jump.
pub const MIN_RTT: Duration = Duration::from_millis(5);
/// The share of `--max-rps` left unused: a request that leaves on time but arrives 50 ms late
/// would otherwise make N + 1 arrivals in one second at a service that counts whole seconds.
pub const PIN_MARGIN: f64 = 0.05;
/// A throttle cuts the rate to this share of the rate the service accepted.
pub const BETA: f64 = 0.9;
/// The lowest rate either mode goes down to.
pub const MIN_RPS: f64 = 1.0;
/// The highest rate the adaptive mode goes up to.
pub const MAX_RPS: f64 = 10_000.0;
/// After a cut, how long the rate stays put while the throttles of the old rate drain (AWS and
/// the emulator count requests per second, so one second).
const HOLD: Duration = Duration::from_secs(1);
/// The window over which accepted and sent rates are measured.
const WINDOW: Duration = Duration::from_secs(1);
/// After a cut, the rate climbs back at this share of the estimated quota per second...
const FAST_CLIMB: f64 = 0.1;
/// ... up to this share of the estimate ...
const CRUISE: f64 = 0.97;
/// ... and from there probes above it at this share per second.
const PROBE_CLIMB: f64 = 0.01;
/// A measured cut after which the share of throttled answers falls below this share of what it
/// was before is measured again (the rate matters); one after which it does not fall that far
/// shows throttling that does not follow our rate.
const NOISE_RATIO: f64 = 0.7;
/// At most this many decisions are kept for `-vv`.
const MAX_DECISIONS: usize = 1000;
/// A throttle cuts only when the last second holds at least this many answers: a share of
/// throttled answers out of fewer says little, and a quota measured over them is mostly noise.
const MIN_EVIDENCE: u64 = 5;
/// A cut is judged on at least this many answers after it: at a low rate the check waits longer
/// (up to [`VERDICT_PATIENCE`] more), so that throttling that does not follow our rate is not
/// mistaken, by a lucky second without throttles, for a quota.
const MIN_VERDICT: u64 = 10;
/// A check after a measured cut with at most this many throttles counts as held: one is what
/// network jitter makes at a quota's edge (a request that left in one of the service's seconds
/// and arrived in the next), and judging it noise sent the rate back to where it was cut from.
const EDGE_JITTER: u64 = 1;
/// How much longer than a second a check may wait for [`MIN_VERDICT`] answers.
const VERDICT_PATIENCE: Duration = Duration::from_secs(2);
/// Probing speeds up twice for every this long without a throttle.
const PROBE_DOUBLING: Duration = Duration::from_secs(2);
/// Once throttling is known not to follow our rate, a share of throttled answers up to the noise
/// plus this much (or twice the noise) passes without a cut: a second's worth of answers is a
/// small sample.
const NOISE_MARGIN: f64 = 0.1;
/// The noise estimate halves every this long, so that a quota that appears later is still found.
const NOISE_HALF_LIFE: Duration = Duration::from_secs(30);
/// How recently a caller must have waited for a permit for the rate to grow: a rate nobody is
/// held back by says nothing about the quota, and growing it would only allow a burst later.
const BINDING: Duration = Duration::from_millis(250);
/// A waiter re-reads the rate at least this often, so that a raised rate is used at once (well
/// within a [`DOUBLING`]).
const MAX_NAP: Duration = Duration::from_millis(20);
/// The bucket is swapped when the rate moved by more than this share (each swap lets one request
/// through at once, so swapping on every small step would speed things up by itself).
const SWAP_STEP: f64 = 0.02;

/// How a run limits its request rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateMode {
    /// Find the quota: start at [`START_RPS`], grow until throttled, settle just under.
    Adaptive,
    /// The quota is known (`--max-rps`): stay below it.
    Pinned(NonZeroU32),
}

/// What a run's limiter did, for `-v` and the benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct RateSummary {
    /// The mode the run used.
    pub mode: RateMode,
    /// The rate limit in force at the end, in requests per second.
    pub settled_rps: f64,
    /// The rate the service accepted when throttling began (the last cut that held), if it did.
    pub quota_estimate: Option<f64>,
    /// Throttled answers received (each was retried within the same budget, or failed its call).
    pub throttles: u64,
    /// Requests sent (attempts, retries included).
    pub requests: u64,
    /// The most requests sent in any one second.
    pub peak_rps: u64,
    /// True when throttling was seen that did not follow our rate (treated as noise).
    pub noise_seen: bool,
}

impl RateSummary {
    /// One line for `-v`: the rate, the throttles, and the `--max-rps` to use next time.
    pub fn describe(&self) -> String {
        let throttles = match self.throttles {
            0 => "no throttles".to_string(),
            1 => "1 throttle absorbed".to_string(),
            n => format!("{n} throttles absorbed"),
        };
        let noise =
            if self.noise_seen { "; some throttling did not follow our rate and was retried as is" } else { "" };
        match (self.mode, self.quota_estimate) {
            (RateMode::Pinned(n), _) => format!(
                "rate: pinned by --max-rps {n} (paced at {:.1}/s, {:.0}% below it for network jitter); {} requests, at most {} in one second; {throttles}{noise}",
                pinned_rate(n),
                PIN_MARGIN * 100.0,
                self.requests,
                self.peak_rps
            ),
            (RateMode::Adaptive, Some(quota)) => format!(
                "rate: settled at {:.1} requests/s; throttling began at about {:.0}/s; {} requests, at most {} in one second; {throttles}{noise}. Next time `--max-rps {}` starts there.",
                self.settled_rps,
                quota,
                self.requests,
                self.peak_rps,
                quota.floor().max(1.0)
            ),
            (RateMode::Adaptive, None) => format!(
                "rate: {} requests, at most {} in one second, limit {:.1}/s at the end; {throttles}{noise}: the quota was not reached",
                self.requests, self.peak_rps, self.settled_rps
            ),
        }
    }
}

/// The pace for `--max-rps n`.
fn pinned_rate(n: NonZeroU32) -> f64 {
    f64::from(n.get()) * (1.0 - PIN_MARGIN)
}

/// What the controller has been told about one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Sent,
    Accepted,
    Throttled,
}

/// Counts of one stretch of time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    sent: u64,
    accepted: u64,
    throttled: u64,
}

impl Counts {
    fn add(&mut self, event: Event) {
        match event {
            Event::Sent => self.sent += 1,
            Event::Accepted => self.accepted += 1,
            Event::Throttled => self.throttled += 1,
        }
    }

    fn remove(&mut self, event: Event) {
        match event {
            Event::Sent => self.sent = self.sent.saturating_sub(1),
            Event::Accepted => self.accepted = self.accepted.saturating_sub(1),
            Event::Throttled => self.throttled = self.throttled.saturating_sub(1),
        }
    }

    /// The share of answers that were throttled.
    fn throttled_share(&self) -> f64 {
        let answers = self.accepted + self.throttled;
        if answers == 0 {
            0.0
        } else {
            self.throttled as f64 / answers as f64
        }
    }
}

/// Where the rate is in its life.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Before the first throttle that held: doubling.
    Start,
    /// After it: climbing back towards the estimate, then probing above it.
    Steady,
}

/// What a cut changed, to be undone if the throttling turns out not to follow our rate.
#[derive(Debug, Clone, Copy)]
struct Restore {
    /// The rate before the cut, at most what was sent in the second before it: a limit far above
    /// anything sent (callers held back by `--parallelism`, not by us) is no rate to go back to.
    rate: f64,
    phase: Phase,
    estimate: Option<f64>,
}

/// A cut and what follows it. A service that counts requests per second keeps throttling for the
/// rest of the second in which the quota ran out, whatever we send now, so a cut is judged only
/// by the second after that.
#[derive(Debug, Clone, Copy)]
enum Episode {
    /// The second right after a cut: the rate stays put while the old second drains.
    Hold { until: Instant, measured: bool, prev_share: f64, restore: Restore },
    /// The second after that: throttles here mean the new rate is still too high (or that the
    /// throttling does not follow our rate at all).
    Check { until: Instant, counts: Counts, measured: bool, prev_share: f64, restore: Restore },
}

/// The rate decisions, as a pure function of events and their times (so tests need no clock).
#[derive(Debug)]
struct Controller {
    mode: RateMode,
    ceiling: f64,
    rate: f64,
    phase: Phase,
    estimate: Option<f64>,
    episode: Option<Episode>,
    /// When the rate last reached [`CRUISE`] × the estimate without a throttle since.
    cruising_since: Option<Instant>,
    noise: f64,
    noise_seen: bool,
    recent: VecDeque<(Instant, Event)>,
    /// The counts of `recent`, kept up to date as it changes.
    recent_counts: Counts,
    /// What was decided and why, for `-vv`.
    decisions: Vec<String>,
    /// The lowest count of answers accepted in the second before a throttle, over the throttles
    /// since the last cut of an episode: the quota, measured (see the module's documentation).
    quota_seen: Option<u64>,
    started: Instant,
    last_update: Instant,
    last_wait: Option<Instant>,
    throttles: u64,
    requests: u64,
    peak: u64,
}

impl Controller {
    fn new(mode: RateMode, now: Instant) -> Self {
        let (ceiling, rate, phase, estimate) = match mode {
            RateMode::Adaptive => (MAX_RPS, START_RPS, Phase::Start, None),
            RateMode::Pinned(n) => (pinned_rate(n), pinned_rate(n), Phase::Steady, Some(f64::from(n.get()))),
        };
        Controller {
            mode,
            ceiling,
            rate,
            phase,
            estimate,
            episode: None,
            cruising_since: None,
            noise: 0.0,
            noise_seen: false,
            recent: VecDeque::new(),
            recent_counts: Counts::default(),
            decisions: Vec::new(),
            quota_seen: None,
            started: now,
            last_update: now,
            last_wait: None,
            throttles: 0,
            requests: 0,
            peak: 0,
        }
    }

    /// Counts of the last [`WINDOW`].
    fn window(&mut self, now: Instant) -> Counts {
        while let Some((t, e)) = self.recent.front().copied() {
            if now.saturating_duration_since(t) <= WINDOW {
                break;
            }
            self.recent.pop_front();
            self.recent_counts.remove(e);
        }
        self.recent_counts
    }

    /// Notes a decision for `-vv`, with the time since the start.
    fn note(&mut self, now: Instant, text: String) {
        if self.decisions.len() < MAX_DECISIONS {
            self.decisions.push(format!("{:7.3}s {text}", now.saturating_duration_since(self.started).as_secs_f64()));
        }
    }

    fn record(&mut self, now: Instant, event: Event) {
        self.advance(now);
        self.recent.push_back((now, event));
        self.recent_counts.add(event);
        if let Some(Episode::Check { counts, .. }) = &mut self.episode {
            counts.add(event);
        }
        match event {
            Event::Sent => {
                self.requests += 1;
                let sent = self.window(now).sent;
                self.peak = self.peak.max(sent);
            }
            Event::Accepted => {}
            Event::Throttled => {
                self.throttles += 1;
                if self.episode.is_some() {
                    let accepted = self.window(now).accepted;
                    self.quota_seen = Some(self.quota_seen.map_or(accepted, |q| q.min(accepted)));
                }
                self.on_throttle(now);
            }
        }
    }

    /// Slow start: an answer accepted `rtt` after its request left grows the rate if a caller is
    /// `waiting` for a permit right now (see [`MIN_RTT`]).
    fn clocked(&mut self, rtt: Duration, waiting: bool) {
        if self.phase == Phase::Start && self.episode.is_none() && waiting {
            self.set_rate(self.rate + std::f64::consts::LN_2 / rtt.max(MIN_RTT).as_secs_f64());
        }
    }

    /// A caller had to wait for a permit: the rate is what holds calls back.
    fn waited(&mut self, now: Instant) {
        self.last_wait = Some(now);
    }

    fn on_throttle(&mut self, now: Instant) {
        if self.episode.is_some() {
            // A cut's own two seconds are its evidence, not new news.
            return;
        }
        let window = self.window(now);
        if window.accepted + window.throttled < MIN_EVIDENCE || window.throttled_share() <= self.noise_threshold() {
            return;
        }
        // What the service accepted in the second before this throttle: the quota, measured.
        let accepted = window.accepted as f64;
        let sent = (window.sent as f64).max(START_RPS);
        let restore = Restore { rate: self.rate.min(sent), phase: self.phase, estimate: self.estimate };
        self.note(
            now,
            format!(
                "throttled ({} of {} answers in the last second): cut from {:.1}/s ({} sent in that second), the service accepted {accepted:.0} in the second before the throttle",
                window.throttled,
                window.accepted + window.throttled,
                self.rate,
                window.sent
            ),
        );
        self.cut(now, accepted, false, 0.0, restore);
    }

    /// Throttled shares at or below this are noise, not ours to react to.
    fn noise_threshold(&self) -> f64 {
        if self.noise == 0.0 {
            0.0
        } else {
            self.noise + NOISE_MARGIN.max(self.noise)
        }
    }

    fn cut(&mut self, now: Instant, accepted: f64, measured: bool, prev_share: f64, restore: Restore) {
        self.estimate = Some(accepted.max(MIN_RPS));
        self.phase = Phase::Steady;
        self.cruising_since = None;
        self.set_rate(BETA * accepted.min(self.rate));
        self.quota_seen = None;
        self.note(now, format!("rate {:.1}/s, quota estimate {accepted:.1}/s", self.rate));
        self.episode = Some(Episode::Hold { until: now + HOLD, measured, prev_share, restore });
    }

    fn set_rate(&mut self, rate: f64) {
        self.rate = rate.clamp(MIN_RPS.min(self.ceiling), self.ceiling);
    }

    /// Moves time forward: ends holds and checks, grows the rate, decays the noise.
    fn advance(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.last_update);
        self.last_update = now;
        if self.noise > 0.0 {
            self.noise *= 0.5f64.powf(dt.as_secs_f64() / NOISE_HALF_LIFE.as_secs_f64());
            if self.noise < 0.01 {
                self.noise = 0.0;
            }
        }
        match self.episode {
            Some(Episode::Hold { until, .. }) if now < until => return,
            Some(Episode::Hold { until, measured, prev_share, restore }) => {
                let counts = Counts::default();
                self.episode = Some(Episode::Check { until: until + HOLD, counts, measured, prev_share, restore });
            }
            Some(Episode::Check { until, counts, measured, prev_share, restore })
                if now >= until
                    && (counts.accepted + counts.throttled >= MIN_VERDICT || now >= until + VERDICT_PATIENCE) =>
            {
                self.episode = None;
                if counts.throttled == 0 {
                    // The cut held: the rate is under the quota.
                    self.note(now, format!("no throttles in {} answers since: the cut held", counts.accepted));
                } else if measured && counts.throttled <= EDGE_JITTER {
                    self.note(
                        now,
                        format!(
                            "{} throttled of {} answers since: at the quota's edge, the cut held",
                            counts.throttled,
                            counts.accepted + counts.throttled
                        ),
                    );
                } else if !measured || counts.throttled_share() < NOISE_RATIO * prev_share {
                    self.note(
                        now,
                        format!(
                            "still throttled ({} of {} answers): measuring again",
                            counts.throttled,
                            counts.accepted + counts.throttled
                        ),
                    );
                    // Still throttled a clean second after the cut: cut again, on what this second
                    // measured. Both measures here are at most the quota, give or take lag: what
                    // this check accepted (less if calls waited in retry backoff, not on us), and
                    // the fewest accepted in the second before any throttle since the cut (less
                    // for a throttle that was not the quota's), so the larger is taken.
                    // Measured again also when the share fell clearly since the last check: the
                    // rate matters.
                    let accepted =
                        (counts.accepted as f64 / HOLD.as_secs_f64()).max(self.quota_seen.unwrap_or(0) as f64);
                    self.cut(now, accepted, true, counts.throttled_share(), restore);
                    return;
                } else {
                    // Two cuts, the second on a clean measure, and still throttled as much: the
                    // throttling does not follow our rate. Undo the cuts and let such a share pass
                    // from now on. The share of this check, at the cut rate (the episode's first
                    // second holds the throttles of the rate before the first cut).
                    self.noise = self.noise.max(counts.throttled_share());
                    self.noise_seen = true;
                    self.phase = restore.phase;
                    self.estimate = restore.estimate;
                    self.set_rate(restore.rate.max(self.rate));
                    self.note(
                        now,
                        format!(
                            "still throttled after two cuts ({} of {} answers): not our rate; back to {:.1}/s, letting {:.0}% throttled pass",
                            counts.throttled,
                            counts.accepted + counts.throttled,
                            self.rate,
                            100.0 * self.noise_threshold()
                        ),
                    );
                }
            }
            _ => {}
        }
        if self.episode.is_some() {
            // A check judges the rate it was cut to: growing during it would blur the verdict.
            return;
        }
        let binding = self.last_wait.is_some_and(|w| now.saturating_duration_since(w) <= BINDING);
        if !binding || dt.is_zero() {
            return;
        }
        let secs = dt.as_secs_f64();
        let rate = match (self.phase, self.estimate) {
            (Phase::Start, _) | (Phase::Steady, None) => self.rate * 2f64.powf(secs / DOUBLING.as_secs_f64()),
            (Phase::Steady, Some(estimate)) if self.rate < CRUISE * estimate => {
                self.rate + FAST_CLIMB * estimate * secs
            }
            (Phase::Steady, Some(estimate)) => {
                // Probing: slowly at first, twice as fast for every PROBE_DOUBLING without a
                // throttle, so that a quota that was underestimated (or has grown) is found soon.
                let since = *self.cruising_since.get_or_insert(now);
                let speed = PROBE_CLIMB
                    * 2f64.powf(now.saturating_duration_since(since).as_secs_f64() / PROBE_DOUBLING.as_secs_f64());
                self.rate + (speed * estimate).max(0.1) * secs
            }
        };
        self.set_rate(rate);
    }

    fn summary(&mut self, now: Instant) -> RateSummary {
        self.advance(now);
        RateSummary {
            mode: self.mode,
            settled_rps: self.rate,
            quota_estimate: match self.mode {
                RateMode::Adaptive if self.phase == Phase::Steady => self.estimate,
                _ => None,
            },
            throttles: self.throttles,
            requests: self.requests,
            peak_rps: self.peak,
            noise_seen: self.noise_seen,
        }
    }
}

/// The GCRA bucket for one rate.
///
/// tokio's timers round up to the next millisecond, so a caller woken for its permit is up to a
/// millisecond late. With a plain burst of one, GCRA gives no credit for that lateness and the
/// rate actually achieved falls short (by 5% at 50/s). So each request counts as `cells` cells of
/// about a millisecond each, and the bucket holds [`LATENESS_CELLS`] more than one request: a late
/// request's successor may come that much sooner, and never two requests at once.
#[derive(Debug)]
struct Bucket {
    rate: f64,
    cells: NonZeroU32,
    limiter: DefaultDirectRateLimiter,
}

/// Cells (of about a millisecond) of lateness a request may make up for.
const LATENESS_CELLS: u32 = 2;

impl Bucket {
    fn new(rate: f64) -> Self {
        // A rate is at least MIN_RPS (or a pin of 1 less its margin) and at most MAX_RPS, so the
        // period is between 100 µs and about a second.
        let period = Duration::from_secs_f64(1.0 / rate.clamp(0.5, MAX_RPS));
        let cells = u32::try_from(period.as_micros().div_ceil(1000)).unwrap_or(1).max(1);
        let cells = NonZeroU32::new(cells).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(cells.get().saturating_add(LATENESS_CELLS)).unwrap_or(cells);
        let quota = Quota::with_period(period / cells.get())
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Bucket { rate, cells, limiter: DefaultDirectRateLimiter::direct(quota) }
    }

    /// Takes one request's cells now, or says when they will be there.
    fn take(&self) -> Result<(), Duration> {
        match self.limiter.check_n(self.cells) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now())),
            // Cannot happen (the burst is larger than one request), but waiting a little is safe.
            Err(_) => Err(MAX_NAP),
        }
    }
}

#[derive(Debug)]
struct State {
    controller: Controller,
    bucket: Arc<Bucket>,
}

impl State {
    /// The bucket for the current rate, swapped when the rate has moved enough.
    fn bucket(&mut self) -> Arc<Bucket> {
        let rate = self.controller.rate;
        if (rate - self.bucket.rate).abs() > SWAP_STEP * self.bucket.rate {
            self.bucket = Arc::new(Bucket::new(rate));
        }
        Arc::clone(&self.bucket)
    }
}

#[derive(Debug)]
struct Inner {
    state: Mutex<State>,
    /// Held by the one caller that is waiting for the next permit; the others queue here in order.
    turn: tokio::sync::Mutex<()>,
    /// Callers inside [`RateLimiter::acquire`] now: while there are any, the rate holds calls back.
    waiting: AtomicUsize,
}

/// Counts a caller as waiting until dropped (also when its future is dropped mid-wait).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The run's request-rate limiter; clones share it.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

impl RateLimiter {
    /// A limiter in `mode`, starting now.
    pub fn new(mode: RateMode) -> Self {
        let controller = Controller::new(mode, Instant::now());
        let bucket = Arc::new(Bucket::new(controller.rate));
        RateLimiter {
            inner: Arc::new(Inner {
                state: Mutex::new(State { controller, bucket }),
                turn: tokio::sync::Mutex::new(()),
                waiting: AtomicUsize::new(0),
            }),
        }
    }

    /// The limiter for `--max-rps`: pinned to it when given, adaptive otherwise.
    pub fn for_max_rps(max_rps: Option<u32>) -> Self {
        RateLimiter::new(max_rps.and_then(NonZeroU32::new).map_or(RateMode::Adaptive, RateMode::Pinned))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every critical section finishes its change before anything can panic.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a permit to send one request, in arrival order.
    pub async fn acquire(&self) {
        let _waiting = Waiting::enter(&self.inner.waiting);
        let _turn = self.inner.turn.lock().await;
        loop {
            let bucket = {
                let mut state = self.state();
                state.controller.advance(Instant::now());
                state.bucket()
            };
            match bucket.take() {
                Ok(()) => {
                    self.state().controller.record(Instant::now(), Event::Sent);
                    return;
                }
                Err(wait) => {
                    self.state().controller.waited(Instant::now());
                    tokio::time::sleep(wait.min(MAX_NAP)).await;
                }
            }
        }
    }

    /// Records the answer to a request sent `rtt` ago: throttled or not.
    pub fn answered(&self, throttled: bool, rtt: Duration) {
        let event = if throttled { Event::Throttled } else { Event::Accepted };
        let now = Instant::now();
        let waiting = self.inner.waiting.load(Ordering::Relaxed) > 0;
        let mut state = self.state();
        state.controller.record(now, event);
        if !throttled {
            state.controller.clocked(rtt, waiting);
        }
    }

    /// The rate limit in force now, in requests per second.
    pub fn limit_rps(&self) -> f64 {
        let mut state = self.state();
        state.controller.advance(Instant::now());
        state.controller.rate
    }

    /// Requests sent in the last second: the rate a progress display shows.
    pub fn current_rps(&self) -> u64 {
        self.state().controller.window(Instant::now()).sent
    }

    /// Each rate decision so far (cuts and their verdicts), with its time since the start.
    pub fn decisions(&self) -> Vec<String> {
        self.state().controller.decisions.clone()
    }

    /// What the limiter did so far.
    pub fn summary(&self) -> RateSummary {
        self.state().controller.summary(Instant::now())
    }

    /// Wraps an SDK HTTP client so that every request it sends, retries included, waits for a
    /// permit and reports whether it was throttled.
    pub fn http_client(&self, inner: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(LimitedClient { inner, limiter: self.clone() })
    }
}

/// An HTTP client whose connectors go through the limiter.
#[derive(Debug)]
struct LimitedClient {
    inner: SharedHttpClient,
    limiter: RateLimiter,
}

impl HttpClient for LimitedClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(LimitedConnector {
            inner: self.inner.http_connector(settings, components),
            limiter: self.limiter.clone(),
        })
    }

    fn validate_base_client_config(
        &self,
        runtime_components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_base_client_config(runtime_components, cfg)
    }

    fn validate_final_config(&self, runtime_components: &RuntimeComponents, cfg: &ConfigBag) -> Result<(), BoxError> {
        self.inner.validate_final_config(runtime_components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
    limiter: RateLimiter,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let limiter = self.limiter.clone();
        HttpConnectorFuture::new(async move {
            limiter.acquire().await;
            let sent = Instant::now();
            let response = inner.call(request).await;
            // A request that got no answer (refused, reset, timed out) tells nothing about the rate.
            if let Ok(response) = &response {
                limiter.answered(is_throttle(response), sent.elapsed());
            }
            response
        })
    }
}

/// The error codes AWS uses for throttling (the SDK's own list), matched at the start of
/// `x-amzn-errortype` (which may carry a `:namespace` suffix).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// True for a throttling answer: HTTP 429, or a throttling error code in `x-amzn-errortype`.
fn is_throttle(response: &HttpResponse) -> bool {
    if response.status().as_u16() == 429 {
        return true;
    }
    response.headers().get("x-amzn-errortype").is_some_and(|value| {
        let code = value.split(':').next().unwrap_or(value);
        THROTTLING_CODES.contains(&code)
    })
}

#[cfg(test)]
mod tests;
