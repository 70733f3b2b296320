//! The simulated Low Code world: what scripts would read from the systems they
//! scrape (an OLT portal, a router page), given by a fixture instead of the network,
//! as the simulated ERP answers ERP calls. It lets a demo or a transcript take a
//! script's path with no portal to reach; with a real `[lowcode]` configuration the
//! scripts run for real instead.
//!
//! A fixture (`lowcode-demo.json` next to a program) maps each script's name to a
//! list of answers, tried in order; the first whose `when` fields all equal the
//! script's input wins, and gives either the `record` the script returns or the
//! `error` it fails with:
//!
//! ```
//! use fluxo_host::lowcode::{FieldType, SimulatedLowcode};
//!
//! let world = SimulatedLowcode::from_json(r#"{ "scripts": { "sinal": [
//!     { "when": { "login": "bruno" }, "error": "ONU não encontrada" },
//!     { "record": { "dbm": -19.5, "olt": "OLT-01" } }
//! ] } }"#).unwrap();
//! let fields = [("dbm".to_string(), FieldType::Number), ("olt".to_string(), FieldType::Text)];
//! let mut input = serde_json::Map::new();
//! input.insert("login".into(), "ana".into());
//! let record = world.answer("sinal", &input, &fields).unwrap().unwrap();
//! assert_eq!(record["olt"], "OLT-01");
//! input.insert("login".into(), "bruno".into());
//! assert_eq!(world.answer("sinal", &input, &fields).unwrap().unwrap_err(), "ONU não encontrada");
//! assert!(world.answer("outro", &input, &fields).is_none());
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::record::{validate_record, FieldType};

/// The fixture, read once; answering does not change it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimulatedLowcode {
    scripts: BTreeMap<String, Vec<Answer>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    scripts: BTreeMap<String, Vec<Answer>>,
}

/// One answer of a script: when it applies, and what the script then does.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    /// Input fields that must be equal for this answer to apply; absent: always.
    #[serde(default)]
    when: Map<String, Value>,
    /// The record the script returns.
    record: Option<Map<String, Value>>,
    /// Why the script fails.
    error: Option<String>,
}

impl SimulatedLowcode {
    /// Reads a fixture; an answer must have exactly one of `record` and `error`.
    pub fn from_json(text: &str) -> Result<SimulatedLowcode, String> {
        let fixture: Fixture =
            serde_json::from_str(text).map_err(|err| format!("not a Low Code fixture: {err}"))?;
        for (script, answers) in &fixture.scripts {
            for (index, answer) in answers.iter().enumerate() {
                if answer.record.is_some() == answer.error.is_some() {
                    return Err(format!(
                        "script `{script}`, answer {}: give either `record` or `error`",
                        index + 1
                    ));
                }
            }
        }
        Ok(SimulatedLowcode {
            scripts: fixture.scripts,
        })
    }

    /// What `script` does with `input`: `None` when the fixture does not know the
    /// script; else its record (checked against the declared `fields`, as a real
    /// run's is) or the reason it fails.
    pub fn answer(
        &self,
        script: &str,
        input: &Map<String, Value>,
        fields: &[(String, FieldType)],
    ) -> Option<Result<Map<String, Value>, String>> {
        let answers = self.scripts.get(script)?;
        let found = answers.iter().find(|answer| {
            answer
                .when
                .iter()
                .all(|(key, value)| input.get(key) == Some(value))
        });
        Some(match found {
            None => Err(format!(
                "the simulated world has no answer of `{script}` for this input"
            )),
            Some(Answer {
                record: Some(record),
                ..
            }) => validate_record(record, fields)
                .map(|()| record.clone())
                .map_err(|err| err.to_string()),
            Some(answer) => Err(answer.error.clone().unwrap_or_default()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_an_answer_with_both_or_neither() {
        let both = r#"{"scripts": {"s": [{"record": {}, "error": "x"}]}}"#;
        let neither = r#"{"scripts": {"s": [{"when": {}}]}}"#;
        for text in [both, neither] {
            let err = SimulatedLowcode::from_json(text).unwrap_err();
            assert_eq!(err, "script `s`, answer 1: give either `record` or `error`");
        }
        assert!(SimulatedLowcode::from_json(r#"{"scrips": {}}"#)
            .unwrap_err()
            .starts_with("not a Low Code fixture: unknown field `scrips`"));
    }

    #[test]
    fn checks_the_record_against_the_declared_fields() {
        let world =
            SimulatedLowcode::from_json(r#"{"scripts": {"s": [{"record": {"dbm": "x"}}]}}"#)
                .unwrap();
        let fields = [("dbm".to_string(), FieldType::Number)];
        let err = world
            .answer("s", &Map::new(), &fields)
            .unwrap()
            .unwrap_err();
        assert!(err.contains("dbm"), "{err}");
        let world = SimulatedLowcode::from_json(
            r#"{"scripts": {"s": [{"when": {"a": 1}, "record": {}}]}}"#,
        )
        .unwrap();
        assert_eq!(
            world.answer("s", &Map::new(), &[]),
            Some(Err(
                "the simulated world has no answer of `s` for this input".into()
            ))
        );
    }
}
