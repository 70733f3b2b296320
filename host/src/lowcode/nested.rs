//! Nested arrays and maps, walked without trusting their depth.
//!
//! Rhai's own `print`, `debug`, `to_string`, `to_debug`, `==` and `!=` on arrays and
//! maps recurse through the engine once per level, a few KiB of stack each, so a
//! script that nests an array 2,000 times (`a = [a]` in a loop: the size limits count
//! elements, not depth) overflowed the thread's stack, which aborts the whole process.
//! These replacements walk at most [`MAX_DEPTH`] levels: printing shows deeper levels
//! as `[...]`/`#{...}`, comparing or converting them is a script error. What is left
//! deeper in Rhai (its size checks, clone, drop) takes little stack per level, and the
//! run's thread is sized for it (see `super::run`).

use rhai::{Array, Dynamic, EvalAltResult, FuncRegistration, Map, Module, NativeCallContext};

use super::error::script_error;

/// Levels of nesting a script's values may be printed, compared or converted to.
/// A portal's data nests a handful of levels.
pub(crate) const MAX_DEPTH: usize = 64;

/// At most this many bytes of a printed value are kept: a log line, not a dump.
pub(crate) const MAX_PRINTED: usize = 4096;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

pub(crate) fn register(module: &mut Module) {
    for name in ["print", "to_string", "debug", "to_debug"] {
        FuncRegistration::new(name).set_into_module(module, |array: &mut Array| {
            shown(|out| show_array(array, MAX_DEPTH, out))
        });
        FuncRegistration::new(name).set_into_module(module, |map: &mut Map| {
            shown(|out| show_map(map, MAX_DEPTH, out))
        });
    }
    FuncRegistration::new("==")
        .set_into_module(module, |ctx: NativeCallContext, a: &mut Array, b: Array| {
            equal_arrays(&ctx, a, &b, 1)
        });
    FuncRegistration::new("!=").set_into_module(
        module,
        |ctx: NativeCallContext, a: &mut Array, b: Array| {
            equal_arrays(&ctx, a, &b, 1).map(|same| !same)
        },
    );
    FuncRegistration::new("==")
        .set_into_module(module, |ctx: NativeCallContext, a: &mut Map, b: Map| {
            equal_maps(&ctx, a, &b, 1)
        });
    FuncRegistration::new("!=")
        .set_into_module(module, |ctx: NativeCallContext, a: &mut Map, b: Map| {
            equal_maps(&ctx, a, &b, 1).map(|same| !same)
        });
}

/// Whether `value` nests deeper than [`MAX_DEPTH`]; it looks no deeper than that.
pub(crate) fn too_deep(value: &Dynamic) -> bool {
    fn deeper_than(value: &Dynamic, levels: usize) -> bool {
        if let Ok(array) = value.as_array_ref() {
            levels == 0 || array.iter().any(|item| deeper_than(item, levels - 1))
        } else if let Ok(map) = value.as_map_ref() {
            levels == 0 || map.values().any(|item| deeper_than(item, levels - 1))
        } else {
            false
        }
    }
    deeper_than(value, MAX_DEPTH)
}

/// What `render` writes (a value as Rhai's `debug` shows it, levels past [`MAX_DEPTH`]
/// elided), cut at [`MAX_PRINTED`] bytes.
fn shown(render: impl FnOnce(&mut String)) -> String {
    let mut out = String::new();
    render(&mut out);
    if out.len() > MAX_PRINTED {
        let mut cut = MAX_PRINTED;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("...");
    }
    out
}

fn show(value: &Dynamic, levels: usize, out: &mut String) {
    if let Ok(array) = value.as_array_ref() {
        show_array(&array, levels, out);
    } else if let Ok(map) = value.as_map_ref() {
        show_map(&map, levels, out);
    } else {
        out.push_str(&format!("{value:?}"));
    }
}

fn show_array(array: &Array, levels: usize, out: &mut String) {
    if levels == 0 {
        out.push_str("[...]");
        return;
    }
    out.push('[');
    for (idx, item) in array.iter().enumerate() {
        if out.len() > MAX_PRINTED {
            return;
        }
        if idx > 0 {
            out.push_str(", ");
        }
        show(item, levels - 1, out);
    }
    out.push(']');
}

fn show_map(map: &Map, levels: usize, out: &mut String) {
    if levels == 0 {
        out.push_str("#{...}");
        return;
    }
    out.push_str("#{");
    for (idx, (key, item)) in map.iter().enumerate() {
        if out.len() > MAX_PRINTED {
            return;
        }
        if idx > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!("{key:?}: "));
        show(item, levels - 1, out);
    }
    out.push('}');
}

fn too_deep_to_compare() -> Box<EvalAltResult> {
    script_error(format!(
        "these values nest more than {MAX_DEPTH} levels deep to be compared"
    ))
}

fn equal_arrays(ctx: &NativeCallContext, a: &Array, b: &Array, depth: usize) -> Fallible<bool> {
    if depth > MAX_DEPTH {
        return Err(too_deep_to_compare());
    }
    if a.len() != b.len() {
        return Ok(false);
    }
    for (x, y) in a.iter().zip(b) {
        if !equal(ctx, x, y, depth)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn equal_maps(ctx: &NativeCallContext, a: &Map, b: &Map, depth: usize) -> Fallible<bool> {
    if depth > MAX_DEPTH {
        return Err(too_deep_to_compare());
    }
    if a.len() != b.len() {
        return Ok(false);
    }
    for (key, x) in a {
        match b.get(key) {
            Some(y) if equal(ctx, x, y, depth)? => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Containers are compared here, one level deeper; anything else by the engine's own
/// `==` (which compares an integer with a float, for instance); values of types that
/// have no `==` between them differ, as in Rhai.
fn equal(ctx: &NativeCallContext, x: &Dynamic, y: &Dynamic, depth: usize) -> Fallible<bool> {
    if let (Ok(a), Ok(b)) = (x.as_array_ref(), y.as_array_ref()) {
        return equal_arrays(ctx, &a, &b, depth + 1);
    }
    if let (Ok(a), Ok(b)) = (x.as_map_ref(), y.as_map_ref()) {
        return equal_maps(ctx, &a, &b, depth + 1);
    }
    if x.is_array() || x.is_map() || y.is_array() || y.is_map() {
        return Ok(false);
    }
    match ctx.call_native_fn::<bool>("==", (x.clone(), y.clone())) {
        Ok(same) => Ok(same),
        Err(err) if matches!(*err, EvalAltResult::ErrorFunctionNotFound(..)) => Ok(false),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> Dynamic {
        let mut value = Dynamic::from_array(Array::new());
        for _ in 0..levels {
            value = Dynamic::from_array(vec![value]);
        }
        value
    }

    #[test]
    fn printing_stops_at_the_depth_limit() {
        let shown_value = |value: &Dynamic| shown(|out| show(value, MAX_DEPTH, out));
        assert_eq!(shown_value(&nested(2)), "[[[]]]");
        let deep = shown_value(&nested(MAX_DEPTH + 5));
        assert!(deep.starts_with(&"[".repeat(MAX_DEPTH)), "{deep}");
        assert!(deep.contains("[...]"), "{deep}");
        // `nested(n)` is n + 1 arrays deep.
        assert!(!too_deep(&nested(MAX_DEPTH - 1)));
        assert!(too_deep(&nested(MAX_DEPTH)));
    }

    #[test]
    fn printing_is_cut_at_its_size_limit() {
        let long = vec![Dynamic::from("x".repeat(10_000))];
        let text = shown(|out| show_array(&long, MAX_DEPTH, out));
        assert_eq!(text.len(), MAX_PRINTED + 3);
        assert!(text.ends_with("..."));
    }
}
