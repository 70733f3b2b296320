//! Serde forms, for the ERP vocabulary, of types that do not carry their own: calendar
//! dates as `YYYY-MM-DD` and the stdlib's ERP enums by their program names
//! (`ixc`, `second_copy`, `overdue`). Used through `#[serde(with = ...)]`, here and by
//! the host's ERP fixtures, so that a date reads the same in a snapshot and a fixture.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use time::macros::format_description;
use time::Date;

const ISO_DATE: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// Parses `YYYY-MM-DD`.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    Date::parse(text, ISO_DATE).ok()
}

/// Formats as `YYYY-MM-DD`.
pub fn iso_date(date: Date) -> String {
    date.format(ISO_DATE).unwrap_or_else(|_| format!("{date}"))
}

pub mod date {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&iso_date(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_iso_date(&text)
            .ok_or_else(|| D::Error::custom(format!("expected a date YYYY-MM-DD, found {text:?}")))
    }
}

pub mod option_date {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => serializer.serialize_some(&iso_date(*date)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => parse_iso_date(&text).map(Some).ok_or_else(|| {
                D::Error::custom(format!("expected a date YYYY-MM-DD, found {text:?}"))
            }),
        }
    }
}

/// Generates a `with` module for a stdlib enum that has `name()` and `from_name()`.
macro_rules! by_name {
    ($module:ident, $ty:ty, $what:literal) => {
        pub mod $module {
            use super::*;

            pub fn serialize<S: Serializer>(value: &$ty, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(value.name())
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(
                deserializer: D,
            ) -> Result<$ty, D::Error> {
                let text = String::deserialize(deserializer)?;
                <$ty>::from_name(&text).ok_or_else(|| {
                    D::Error::custom(format!(concat!("unknown ", $what, " {:?}"), text))
                })
            }
        }
    };
}

by_name!(system, fluxo_stdlib::erp::ErpSystem, "ERP");
by_name!(diagnosis, fluxo_stdlib::erp::Diagnosis, "diagnosis");
