//! Micro-benchmarks of the pure stages on 1,000 generated gateways: load (parse and decode the
//! YAML text), normalize, diff, plan and render (text, JSON, Markdown). Run with
//! `cargo bench --bench stages`; criterion compares each run with the previous one on this
//! machine, which is what shows a regression.
//!
//! The live side is the same fleet with every other gateway edited (description, scopes, tags)
//! and every tenth one missing, so the plan has creates, updates and no-ops.

#[path = "support/specs.rs"]
mod specs;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use acgw::load::{self, Desired};
use acgw::model::live::{GatewayStatus, LiveGateway};
use acgw::model::Gateway;
use acgw::observe::{LiveState, Observed};
use acgw::render::Format as ReportFormat;
use acgw::{diff, normalize, plan, render};

const GATEWAYS: usize = 1_000;

fn no_env(_: &str) -> Option<String> {
    None
}

fn load_text(text: &str) -> Desired {
    load::load_text("bench.yaml", text, &no_env).expect("generated specs are valid")
}

/// The live fleet: `drifted` specs as the API would return them, minus every tenth gateway.
fn observed(drifted: &Desired) -> Observed {
    let managed = drifted
        .specs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 != 9)
        .map(|(i, spec)| {
            let name = spec.gateway.name.as_str().to_string();
            let tags = normalize::gateway_tags(&spec.gateway);
            let mut config = spec.gateway.clone();
            config.tags = None;
            let gateway_id = format!("{}-a1b2c3d4e5", name.to_lowercase());
            let state = LiveState::new(
                LiveGateway {
                    gateway_arn: format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/{gateway_id}"),
                    gateway_id,
                    status: GatewayStatus::Ready,
                    status_reasons: Vec::new(),
                    updated_at: format!("2025-01-01T00:{:02}:{:02}Z", i / 60 % 60, i % 60),
                    config: Ok(config),
                },
                tags,
            );
            (name, state)
        })
        .collect::<BTreeMap<_, _>>();
    Observed { managed, ..Observed::default() }
}

fn stages(c: &mut Criterion) {
    let text = specs::yaml(GATEWAYS);
    let desired = load_text(&text);
    let live = observed(&load_text(&specs::yaml_with(GATEWAYS, true)));
    let desired_configs: Vec<Gateway> = desired.specs.iter().map(|s| s.gateway.clone()).collect();
    let pairs: Vec<(Gateway, Gateway)> = desired
        .specs
        .iter()
        .filter_map(|s| {
            let have = live.managed.get(s.gateway.name.as_str())?;
            Some((normalize::gateway(have.live.config.clone().ok()?), normalize::gateway(s.gateway.clone())))
        })
        .collect();
    let the_plan = plan::build(&desired, &live);
    assert!(the_plan.summary.create > 0 && the_plan.summary.update > 0 && the_plan.summary.no_op > 0);

    let mut group = c.benchmark_group(format!("{GATEWAYS} gateways"));
    group.throughput(Throughput::Elements(GATEWAYS as u64));

    group.bench_function("load (parse + decode YAML text)", |b| b.iter(|| load_text(black_box(&text))));
    group.bench_function("normalize", |b| {
        b.iter_batched(
            || desired_configs.clone(),
            |gs| gs.into_iter().map(normalize::gateway).collect::<Vec<_>>(),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("diff (normalized pairs)", |b| {
        b.iter(|| pairs.iter().map(|(have, want)| diff::gateways(have, want).len()).sum::<usize>())
    });
    group.bench_function("plan (normalize + diff + assemble)", |b| {
        b.iter(|| plan::build(black_box(&desired), black_box(&live)))
    });
    for (name, format) in [
        ("render text", ReportFormat::Text),
        ("render json", ReportFormat::Json),
        ("render markdown", ReportFormat::Markdown),
    ] {
        group.bench_function(name, |b| b.iter(|| render::plan(black_box(&the_plan), format, false)));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short runs: seven benchmarks in well under a minute on two cores, still enough samples for
    // criterion's change detection.
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = stages
}
criterion_main!(benches);
