//! Fluxo against Yarn Spinner on the same generated work: one model of an ISP support
//! program ([`model`], made by [`generate`]), printed in both languages ([`print_flow`],
//! [`print_yarn`]), walked by a seeded scripted customer ([`customer`]), and run by
//! both engines ([`yarn`], [`ours`]) in one process by the `fluxo-bench` command.
//!
//! This is the only crate that depends on Yarn Spinner.

pub mod customer;
pub mod generate;
pub mod measure;
pub mod model;
pub mod ours;
pub mod print_flow;
pub mod print_yarn;
pub mod report;
pub mod rng;
pub mod suite;
pub mod yarn;
