//! Fluxo's built-ins as data: the card catalogue, the ERP capability matrix, built-in
//! variables, input validators and the default legal texts.
//!
//! Everything here is plain data and pure functions. The checker, the Opa JSON frontend,
//! the docs and the runtime all read these one definitions instead of keeping their own.
//!
//! ```
//! use fluxo_stdlib::catalogue::{card, Binds, ParamDefault};
//! use fluxo_stdlib::types::{InputType, Literal, Ty};
//! use fluxo_stdlib::validate::validate;
//!
//! let survey = card("survey").expect("survey is a card");
//! let scale = survey.param("scale").expect("survey takes a scale");
//! assert_eq!(scale.default, ParamDefault::Value(Literal::Range(1, 5)));
//! assert_eq!(survey.binds, Binds::Optional(Ty::Number));
//! assert_eq!(validate(InputType::Cpf, "529.982.247-25").as_deref(), Ok("52998224725"));
//! ```

// A panic in a core crate is a crash on a customer's message: errors are handled,
// never unwrapped (tests/tidy.rs checks the same without clippy).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod answers;
pub mod builtins;
pub mod catalogue;
pub mod docs;
pub mod erp;
pub mod mask;
pub mod types;
pub mod validate;
