//! Interning: each of the program's tables (strings, constants, messages, argument
//! records) holds a value once, at the index where it first came, and lowering asks for
//! one at almost every statement, so finding it must not be a linear search.
//!
//! An [`Index`] finds a value by its 64-bit fingerprint, which agrees with the runtime
//! types' `PartialEq` (equal values, equal fingerprints); values that only share a
//! fingerprint are told apart by comparing them (`crate::index_of`).
//!
//! It knows the runtime's table types; it knows nothing about statements or the AST.

use std::hash::{Hash, Hasher};

use fluxo_runtime::bytecode::program::{ArgValue, ArgsRecord, Const, Message, MessagePart};
use rustc_hash::FxHasher;

use super::LowerError;
use crate::index_of::{hash_str, IndexOf};

pub(crate) fn idx(len: usize) -> Result<u32, LowerError> {
    u32::try_from(len).map_err(|_| LowerError::new("a table with more than 2^32 entries"))
}

/// A table entry's fingerprint, for when its index grows and places every entry again.
pub(crate) trait Fingerprint {
    fn fingerprint(&self) -> u64;
}

impl Fingerprint for String {
    fn fingerprint(&self) -> u64 {
        hash_str(self)
    }
}

impl Fingerprint for Const {
    fn fingerprint(&self) -> u64 {
        const_fingerprint(self)
    }
}

impl Fingerprint for Message {
    fn fingerprint(&self) -> u64 {
        parts_fingerprint(&self.parts)
    }
}

impl Fingerprint for ArgsRecord {
    fn fingerprint(&self) -> u64 {
        args_fingerprint(self)
    }
}

/// The positions of one table's values, by fingerprint.
#[derive(Default)]
pub(crate) struct Index(IndexOf);

impl Index {
    /// Room for `n` values, so that the index is not rebuilt as the table grows.
    pub fn with_capacity(n: usize) -> Index {
        Index(IndexOf::with_capacity(n))
    }

    /// The index in `items` of the value `key` stands for (`is` says whether an item is
    /// it), appending `own(key)` when there is none. The key may borrow, so that looking
    /// up a value that is already there builds nothing.
    pub fn intern<T: Fingerprint, K>(
        &mut self,
        items: &mut Vec<T>,
        fingerprint: u64,
        key: K,
        is: impl Fn(&T, &K) -> bool,
        own: impl FnOnce(K) -> T,
    ) -> Result<u32, LowerError> {
        let next = idx(items.len())?;
        let found = self.0.find_or_insert(
            fingerprint,
            next,
            |at| items.get(at).is_some_and(|it| is(it, &key)),
            |at| items.get(at).map_or(0, Fingerprint::fingerprint),
        );
        match found {
            Some(at) => idx(at),
            None => {
                items.push(own(key));
                Ok(next)
            }
        }
    }
}

/// `0.0 == -0.0`, so both hash as `0.0`; a NaN equals nothing, so its hash is moot.
fn hash_f64(value: f64, h: &mut FxHasher) {
    let bits = if value == 0.0 { 0 } else { value.to_bits() };
    h.write_u64(bits);
}

pub(crate) fn const_fingerprint(value: &Const) -> u64 {
    let mut h = FxHasher::default();
    std::mem::discriminant(value).hash(&mut h);
    match *value {
        Const::Text(text) => h.write_u32(text),
        Const::Number(number) => hash_f64(number, &mut h),
        Const::Bool(flag) => h.write_u8(u8::from(flag)),
        Const::Duration(secs) => h.write_u64(secs),
        Const::Time(minutes) => h.write_u16(minutes),
        Const::Date { year, month, day } => (year, month, day).hash(&mut h),
        Const::Range(low, high) => (low, high).hash(&mut h),
        Const::Pattern { kind, index } => (kind, index).hash(&mut h),
    }
    h.finish()
}

/// The fingerprint of a message made of `parts`.
pub(crate) fn parts_fingerprint(parts: &[MessagePart]) -> u64 {
    let mut h = FxHasher::default();
    h.write_usize(parts.len());
    for part in parts {
        match part {
            MessagePart::Text(text) => (0u8, *text).hash(&mut h),
            MessagePart::Var { var, fields } => (1u8, *var, fields).hash(&mut h),
        }
    }
    h.finish()
}

fn hash_arg(value: &ArgValue, h: &mut FxHasher) {
    match value {
        ArgValue::Const(idx) => (0u8, *idx).hash(h),
        ArgValue::Message(idx) => (1u8, *idx).hash(h),
        ArgValue::Flow(idx) => (2u8, *idx).hash(h),
        ArgValue::Item { kind, index } => (3u8, *kind, *index).hash(h),
        ArgValue::List(items) => {
            (4u8, items.len()).hash(h);
            for item in items {
                hash_arg(item, h);
            }
        }
    }
}

pub(crate) fn args_fingerprint(record: &ArgsRecord) -> u64 {
    let mut h = FxHasher::default();
    h.write_usize(record.values.len());
    for entry in &record.values {
        h.write_u32(entry.param);
        hash_arg(&entry.value, &mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use fluxo_runtime::bytecode::program::ArgEntry;

    use super::*;

    #[test]
    fn finds_the_first_equal_item_and_appends_new_ones() {
        let mut index = Index::default();
        let mut items: Vec<String> = Vec::new();
        let mut intern = |text: &str| {
            let fingerprint = hash_str(text);
            index.intern(
                &mut items,
                fingerprint,
                text,
                |it, key| it == key,
                str::to_string,
            )
        };
        assert_eq!(intern("a"), Ok(0));
        assert_eq!(intern("b"), Ok(1));
        assert_eq!(intern("a"), Ok(0));
        assert_eq!(intern("b"), Ok(1));
    }

    #[derive(Debug, PartialEq)]
    struct Shared(u32);

    impl Fingerprint for Shared {
        fn fingerprint(&self) -> u64 {
            7
        }
    }

    #[test]
    fn a_shared_fingerprint_still_finds_the_right_item() {
        // Every value gets the same fingerprint: only comparing them tells them apart,
        // also after the index has grown (and placed its entries again) many times.
        let mut index = Index::default();
        let mut items: Vec<Shared> = Vec::new();
        let mut intern = |value: u32| {
            let shared = Shared(value);
            index.intern(
                &mut items,
                shared.fingerprint(),
                shared,
                |it, key| it == key,
                |it| it,
            )
        };
        for value in 0..100 {
            assert_eq!(intern(value * 10), Ok(value));
        }
        for value in (0..100).rev() {
            assert_eq!(intern(value * 10), Ok(value));
        }
        assert_eq!(items.len(), 100);
    }

    #[test]
    fn equal_values_have_equal_fingerprints() {
        assert_eq!(
            const_fingerprint(&Const::Number(0.0)),
            const_fingerprint(&Const::Number(-0.0))
        );
        assert_ne!(
            const_fingerprint(&Const::Number(1.0)),
            const_fingerprint(&Const::Duration(1))
        );
        let parts =
            |fields: Vec<u32>| vec![MessagePart::Text(3), MessagePart::Var { var: 1, fields }];
        assert_eq!(
            parts_fingerprint(&parts(vec![2])),
            parts_fingerprint(&parts(vec![2]))
        );
        assert_ne!(
            parts_fingerprint(&parts(vec![2])),
            parts_fingerprint(&parts(vec![]))
        );
        let record = |value| ArgsRecord {
            values: vec![ArgEntry { param: 0, value }],
        };
        assert_eq!(
            args_fingerprint(&record(ArgValue::List(vec![ArgValue::Const(1)]))),
            args_fingerprint(&record(ArgValue::List(vec![ArgValue::Const(1)])))
        );
        assert_ne!(
            args_fingerprint(&record(ArgValue::Const(1))),
            args_fingerprint(&record(ArgValue::Message(1)))
        );
    }
}
