//! acgw keeps Amazon Bedrock AgentCore gateways in the state declared in YAML.
//!
//! The pipeline, one module per stage: [`load`] specs into desired gateways, [`observe`] the live
//! ones, [`normalize`] both the same way, [`diff`] them, build a [`plan`], then [`render`] it or
//! [`apply`] it. Only `observe` and `apply` do I/O, through the traits in [`api`]. The lists of
//! items a gateway holds (rules, rate limits) are described once each in [`kind`], and the
//! stages are generic over them.

pub mod api;
pub mod apply;
pub mod atomic;
pub mod bounded;
pub mod confine;
pub mod connect;
pub mod diff;
pub mod emulator;
pub mod escape;
pub mod export;
pub mod kind;
#[cfg(test)]
mod layering_tests;
pub mod load;
pub mod model;
pub mod normalize;
pub mod observe;
pub mod observed;
pub mod output;
pub mod plan;
pub mod problem;
pub mod rate;
pub mod render;
pub mod ui;
pub mod yaml_out;
