//! Fluxo against Yarn Spinner on the same generated work: one model of an ISP support
//! program ([`model`], made by [`generate`]), printed in both languages ([`print_flow`],
//! [`print_yarn`]), walked by a seeded scripted customer ([`customer`]), and run by
//! both engines ([`yarn`], [`ours`]) in one process by the `fluxo-bench` command.
//!
//! This is the only crate that depends on Yarn Spinner, and only with the `yarn`
//! feature: the test suite builds the rest (our engine against the model) without it.

pub mod customer;
pub mod generate;
pub mod measure;
pub mod model;
pub mod ours;
pub mod print_flow;
pub mod print_yarn;
#[cfg(feature = "yarn")]
pub mod report;
pub mod rng;
#[cfg(feature = "yarn")]
pub mod suite;
#[cfg(feature = "yarn")]
pub mod yarn;
