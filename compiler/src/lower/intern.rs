//! Interning: each of the program's tables (strings, constants, messages, argument
//! records) holds a value once, at the index where it first came, and lowering asks for
//! one at almost every statement, so finding it must not be a linear search.
//!
//! An [`Index`] maps a 64-bit fingerprint of a value to the first item that has it; the
//! fingerprints here agree with the runtime types' `PartialEq` (equal values, equal
//! fingerprints), so an unknown fingerprint is a new value. Two different values sharing
//! a fingerprint fall back to a linear search, which is always right, only slower.
//!
//! It knows the runtime's table types; it knows nothing about statements or the AST.

use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};

use fluxo_runtime::bytecode::program::{ArgValue, ArgsRecord, Const, MessagePart};
use rustc_hash::{FxHashMap, FxHasher};

use super::LowerError;

pub(crate) fn idx(len: usize) -> Result<u32, LowerError> {
    u32::try_from(len).map_err(|_| LowerError::new("a table with more than 2^32 entries"))
}

/// Fingerprint to the index of the first item with it, for one table.
#[derive(Default)]
pub(crate) struct Index(FxHashMap<u64, u32>);

impl Index {
    /// Room for `n` values, so that the table is not rehashed as it grows.
    pub fn reserve(&mut self, n: usize) {
        self.0.reserve(n);
    }

    /// The index in `items` of the value `key` stands for (`is` says whether an item is
    /// it), appending `own(key)` when there is none. The key may borrow, so that looking
    /// up a value that is already there builds nothing.
    pub fn intern<T, K>(
        &mut self,
        items: &mut Vec<T>,
        fingerprint: u64,
        key: K,
        is: impl Fn(&T, &K) -> bool,
        own: impl FnOnce(K) -> T,
    ) -> Result<u32, LowerError> {
        match self.0.entry(fingerprint) {
            Entry::Occupied(known) => {
                let at = *known.get();
                if items.get(at as usize).is_some_and(|it| is(it, &key)) {
                    return Ok(at);
                }
                if let Some(pos) = items.iter().position(|it| is(it, &key)) {
                    return idx(pos);
                }
                let at = idx(items.len())?;
                items.push(own(key));
                Ok(at)
            }
            Entry::Vacant(slot) => {
                let at = idx(items.len())?;
                items.push(own(key));
                slot.insert(at);
                Ok(at)
            }
        }
    }
}

pub(crate) fn str_fingerprint(text: &str) -> u64 {
    let mut h = FxHasher::default();
    text.hash(&mut h);
    h.finish()
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
            let fingerprint = str_fingerprint(text);
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

    #[test]
    fn a_shared_fingerprint_still_finds_the_right_item() {
        // Every value gets the same fingerprint: only the fallback search can tell them
        // apart.
        let mut index = Index::default();
        let mut items: Vec<u32> = Vec::new();
        let mut intern =
            |value: u32| index.intern(&mut items, 7, value, |it, key| it == key, |it| it);
        assert_eq!(intern(10), Ok(0));
        assert_eq!(intern(20), Ok(1));
        assert_eq!(intern(30), Ok(2));
        assert_eq!(intern(20), Ok(1));
        assert_eq!(intern(30), Ok(2));
        assert_eq!(intern(10), Ok(0));
        assert_eq!(items, [10, 20, 30]);
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
