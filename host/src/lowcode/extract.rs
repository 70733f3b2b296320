//! Script functions that pull data out of what a portal returns: CSS
//! selectors over HTML, regular expressions and JSON. They are pure and hold
//! no per-run state; a bad selector or pattern is a script error that names
//! the function.
//!
//! They run between two of Rhai's operation checks, so the run's clock cannot stop
//! them: each bounds its own work instead. Results are built within the run's size
//! limits (an element's text includes its descendants', so 100,000 nested `<div>`s
//! around one long text would otherwise repeat it 100,000 times), and HTML nested
//! deeper than any page ([`MAX_HTML_DEPTH`]) is refused before it is parsed: the
//! parser's work grows with the depth at each tag (2^17 nested `<div>`s took 62 s).

use regex::{Regex, RegexBuilder};
use rhai::{
    Array, Dynamic, EvalAltResult, FuncRegistration, ImmutableString, Module, NativeCallContext,
};
use scraper::{ElementRef, Html, Selector};

use super::error::{abort, script_error, LimitKind, LowcodeError};
use super::nested;
use super::text::too_large;

/// Compiled-program and lazy-DFA budgets for one pattern: far above any
/// pattern a scraper needs, far below what would stall the thread.
const REGEX_SIZE_LIMIT: usize = 256 * 1024;
const REGEX_DFA_SIZE_LIMIT: usize = 1 << 20;
const REGEX_NEST_LIMIT: u32 = 64;

/// Elements open at once that a page may have; real pages nest a few dozen deep.
const MAX_HTML_DEPTH: usize = 512;

/// A selector this long or nesting `:not(...)` and friends this deep is no scraper's.
const MAX_SELECTOR_LEN: usize = 1024;
const MAX_SELECTOR_NESTING: usize = 16;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

pub(crate) fn register(module: &mut Module) {
    FuncRegistration::new("html_select").set_into_module(module, html_select);
    FuncRegistration::new("html_select_attr").set_into_module(module, html_select_attr);
    FuncRegistration::new("regex_match").set_into_module(module, regex_match);
    FuncRegistration::new("regex_replace").set_into_module(module, regex_replace);
    FuncRegistration::new("json_parse").set_into_module(module, json_parse);
    FuncRegistration::new("json_stringify").set_into_module(module, json_stringify);
}

/// The text of every element matching `selector`, whitespace collapsed.
fn html_select(
    ctx: NativeCallContext,
    html: ImmutableString,
    selector: ImmutableString,
) -> Fallible<Array> {
    let selector = parse_selector("html_select", &selector)?;
    let document = parse_html("html_select", &html)?;
    let mut results = Results::new(&ctx);
    for element in document.select(&selector) {
        results.push(text_of(element, results.bytes_left()))?;
    }
    Ok(results.items)
}

/// The value of `attr` on every element matching `selector` that has it.
fn html_select_attr(
    ctx: NativeCallContext,
    html: ImmutableString,
    selector: ImmutableString,
    attr: ImmutableString,
) -> Fallible<Array> {
    let selector = parse_selector("html_select_attr", &selector)?;
    let document = parse_html("html_select_attr", &html)?;
    let mut results = Results::new(&ctx);
    for element in document.select(&selector) {
        if let Some(value) = element.value().attr(&attr) {
            results.push(Some(value.to_string()))?;
        }
    }
    Ok(results.items)
}

/// A list of texts growing within the run's limits: no more items than an array may
/// have, no more bytes in all than a string may have.
struct Results {
    items: Array,
    n_bytes: usize,
    max_items: usize,
    max_bytes: usize,
}

impl Results {
    fn new(ctx: &NativeCallContext) -> Results {
        Results {
            items: Array::new(),
            n_bytes: 0,
            max_items: ctx.engine().max_array_size().max(1),
            max_bytes: ctx.engine().max_string_size().max(1),
        }
    }

    fn bytes_left(&self) -> usize {
        self.max_bytes - self.n_bytes
    }

    /// Adds `text`; `None` is a text that did not fit.
    fn push(&mut self, text: Option<String>) -> Fallible<()> {
        let text = text.ok_or_else(too_large)?;
        if self.items.len() >= self.max_items {
            return Err(abort(LowcodeError::Limit(LimitKind::ArraySize)));
        }
        self.n_bytes += text.len();
        if self.n_bytes > self.max_bytes {
            return Err(too_large());
        }
        self.items.push(text.into());
        Ok(())
    }
}

/// Parses `html` unless it nests deeper than [`MAX_HTML_DEPTH`], as far as its tags
/// say: start tags open an element and end tags close one, except for the elements
/// that never hold others (`<br>`, `<img>`...) or that the next one of their kind
/// closes (`<p>`, `<li>`, `<td>`...), which the parser closes itself.
fn parse_html(function: &str, html: &str) -> Fallible<Html> {
    const NOT_NESTING: [&str; 25] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "td", "th", "tr", "option", "optgroup", "rt", "rp",
        "tbody",
    ];
    let mut depth: usize = 0;
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let closing = rest.starts_with('/');
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|ch| ch.to_ascii_lowercase())
            .collect();
        if name.is_empty() || NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > MAX_HTML_DEPTH {
                return Err(script_error(format!(
                    "{function}: the HTML nests more than {MAX_HTML_DEPTH} elements deep"
                )));
            }
        }
    }
    Ok(Html::parse_document(html))
}

fn parse_selector(function: &str, selector: &str) -> Fallible<Selector> {
    let nesting = selector.matches('(').count();
    if selector.len() > MAX_SELECTOR_LEN || nesting > MAX_SELECTOR_NESTING {
        return Err(script_error(format!(
            "{function}: the selector is longer than {MAX_SELECTOR_LEN} bytes or has more \
             than {MAX_SELECTOR_NESTING} parentheses"
        )));
    }
    Selector::parse(selector).map_err(|err| {
        script_error(format!(
            "{function}: `{selector}` is not a valid CSS selector: {err}"
        ))
    })
}

/// The element's text with whitespace collapsed, or `None` when it is longer than
/// `max_bytes`.
fn text_of(element: ElementRef<'_>, max_bytes: usize) -> Option<String> {
    let mut out = String::new();
    for piece in element.text() {
        for word in piece.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
            if out.len() > max_bytes {
                return None;
            }
        }
    }
    Some(out)
}

/// The first match of `pattern` in `text` as `[whole, group 1, ...]`, with ""
/// for a group that took no part; `[]` when nothing matches.
fn regex_match(text: ImmutableString, pattern: ImmutableString) -> Fallible<Array> {
    let regex = compile_regex("regex_match", &pattern)?;
    Ok(match regex.captures(&text) {
        Some(captures) => captures
            .iter()
            .map(|group| group.map_or("", |found| found.as_str()).to_string().into())
            .collect(),
        None => Array::new(),
    })
}

/// Every match of `pattern` replaced; `$1` or `${name}` in `replacement`
/// stand for groups. The result is refused as soon as it outgrows a string (an empty
/// pattern matches between every two characters).
fn regex_replace(
    ctx: NativeCallContext,
    text: ImmutableString,
    pattern: ImmutableString,
    replacement: ImmutableString,
) -> Fallible<String> {
    let regex = compile_regex("regex_replace", &pattern)?;
    let max_bytes = ctx.engine().max_string_size().max(1);
    let mut out = String::new();
    let mut copied = 0;
    for captures in regex.captures_iter(&text) {
        let Some(whole) = captures.get(0) else {
            continue;
        };
        out.push_str(&text[copied..whole.start()]);
        captures.expand(&replacement, &mut out);
        copied = whole.end();
        if out.len() > max_bytes {
            return Err(too_large());
        }
    }
    out.push_str(&text[copied..]);
    if out.len() > max_bytes {
        return Err(too_large());
    }
    Ok(out)
}

fn compile_regex(function: &str, pattern: &str) -> Fallible<Regex> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .map_err(|err| script_error(format!("{function}: invalid pattern `{pattern}`: {err}")))
}

/// Any JSON value as the matching script value (objects become maps).
fn json_parse(text: ImmutableString) -> Fallible<Dynamic> {
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|err| script_error(format!("json_parse: not valid JSON: {err}")))?;
    rhai::serde::to_dynamic(value)
        .map_err(|err| script_error(format!("json_parse: cannot represent the value: {err}")))
}

fn json_stringify(value: Dynamic) -> Fallible<String> {
    if nested::too_deep(&value) {
        return Err(script_error(format!(
            "json_stringify: the value nests more than {} levels deep",
            nested::MAX_DEPTH
        )));
    }
    let json: serde_json::Value = rhai::serde::from_dynamic(&value).map_err(|err| {
        script_error(format!(
            "json_stringify: a {} has no JSON form: {err}",
            value.type_name()
        ))
    })?;
    Ok(json.to_string())
}

#[cfg(test)]
mod tests {
    use rhai::{Engine, Scope};

    use super::*;

    const PAGE: &str = r#"<html><body><table id="onu">
        <tr><th>OLT</th><td class="olt"> OLT-01 </td></tr>
        <tr><th>Sinal</th><td class="rx">-24,50
            dBm</td></tr></table><a href="/sair">Sair</a><a>x</a></body></html>"#;

    /// Evaluates `expr` with these functions, `PAGE` bound to `page`, `html` to
    /// `html` and strings limited to `max_string` bytes.
    fn eval_html(expr: &str, html: &str, max_string: usize) -> Fallible<Dynamic> {
        let mut engine = Engine::new_raw();
        let mut module = Module::new();
        register(&mut module);
        engine.register_global_module(module.into());
        engine.set_max_string_size(max_string);
        engine.set_max_array_size(100);
        let mut scope = Scope::new();
        scope.push("page", PAGE);
        scope.push("html", html.to_string());
        engine.eval_with_scope(&mut scope, expr)
    }

    fn eval_with(expr: &str, max_string: usize) -> Fallible<Dynamic> {
        eval_html(expr, "", max_string)
    }

    fn eval(expr: &str) -> Fallible<Dynamic> {
        eval_with(expr, 1 << 20)
    }

    fn texts(expr: &str) -> Vec<String> {
        let array = eval(expr).unwrap().into_array().unwrap();
        array.into_iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn selects_text_and_attributes() {
        assert_eq!(
            texts(r#"html_select(page, "td")"#),
            ["OLT-01", "-24,50 dBm"]
        );
        assert_eq!(texts(r##"html_select(page, "#onu .rx")"##), ["-24,50 dBm"]);
        assert_eq!(texts(r#"html_select_attr(page, "a", "href")"#), ["/sair"]);
        assert!(texts(r#"html_select(page, "td.missing")"#).is_empty());
    }

    #[test]
    fn bad_selector_and_pattern_are_script_errors() {
        let err = eval(r#"html_select(page, "td[")"#).unwrap_err();
        assert!(
            err.to_string().contains("not a valid CSS selector"),
            "{err}"
        );
        let err = regex_match("x".into(), "(".into()).unwrap_err();
        assert!(
            err.to_string().contains("regex_match: invalid pattern"),
            "{err}"
        );
        let err = regex_match("x".into(), "\\w{1000}{1000}".into()).unwrap_err();
        assert!(err.to_string().contains("invalid pattern"), "{err}");
        let err = parse_selector("html_select", &":not(".repeat(20)).unwrap_err();
        assert!(err.to_string().contains("parentheses"), "{err}");
    }

    #[test]
    fn regex_captures_and_replacement() {
        let found = regex_match("RX: -24,50 dBm".into(), r"(-?\d+,\d+) (dBm)(x)?".into()).unwrap();
        let found: Vec<String> = found.into_iter().map(|it| it.to_string()).collect();
        assert_eq!(found, ["-24,50 dBm", "-24,50", "dBm", ""]);
        assert!(regex_match("nada".into(), r"\d".into()).unwrap().is_empty());
        assert_eq!(
            eval(r#"regex_replace("a1b22", "(\\d+)", "[$1]")"#)
                .unwrap()
                .to_string(),
            "a[1]b[22]"
        );
    }

    #[test]
    fn results_stay_within_the_size_limits() {
        let err = eval_with(r#"regex_replace("abcdefgh", "", "0123456789")"#, 64).unwrap_err();
        assert!(matches!(*err, EvalAltResult::ErrorTerminated(..)), "{err}");
        assert!(eval_with(r#"regex_replace("abc", "", "-")"#, 64).is_ok());
        let nested = format!("{}{}", "<div>".repeat(200), "x".repeat(100));
        let err = eval_html(r#"html_select(html, "div")"#, &nested, 1000).unwrap_err();
        assert!(matches!(*err, EvalAltResult::ErrorTerminated(..)), "{err}");
        let deep = "<div>".repeat(MAX_HTML_DEPTH + 1);
        let err = eval_html(r#"html_select(html, "div")"#, &deep, 1 << 20).unwrap_err();
        assert!(err.to_string().contains("nests more than 512"), "{err}");
        let flat = "<p>x".repeat(10_000);
        assert!(eval_html(r#"html_select(html, "b")"#, &flat, 1 << 20).is_ok());
    }

    #[test]
    fn json_round_trip() {
        let value = json_parse(r#"{"a": [1, 2.5, "x", null, true]}"#.into()).unwrap();
        assert!(value.is_map());
        assert_eq!(
            json_stringify(value).unwrap(),
            r#"{"a":[1,2.5,"x",null,true]}"#
        );
        assert!(json_parse("{".into()).is_err());
    }
}
