//! Script functions that pull data out of what a portal returns: CSS
//! selectors over HTML, regular expressions and JSON. They are pure and hold
//! no per-run state; a bad selector or pattern is a script error that names
//! the function.

use regex::{Regex, RegexBuilder};
use rhai::{Array, Dynamic, EvalAltResult, FuncRegistration, ImmutableString, Module};
use scraper::{ElementRef, Html, Selector};

use super::error::script_error;

/// Compiled-program and lazy-DFA budgets for one pattern: far above any
/// pattern a scraper needs, far below what would stall the thread.
const REGEX_SIZE_LIMIT: usize = 256 * 1024;
const REGEX_DFA_SIZE_LIMIT: usize = 1 << 20;
const REGEX_NEST_LIMIT: u32 = 64;

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
fn html_select(html: ImmutableString, selector: ImmutableString) -> Fallible<Array> {
    let selector = parse_selector("html_select", &selector)?;
    let document = Html::parse_document(&html);
    Ok(document
        .select(&selector)
        .map(|element| text_of(element).into())
        .collect())
}

/// The value of `attr` on every element matching `selector` that has it.
fn html_select_attr(
    html: ImmutableString,
    selector: ImmutableString,
    attr: ImmutableString,
) -> Fallible<Array> {
    let selector = parse_selector("html_select_attr", &selector)?;
    let document = Html::parse_document(&html);
    Ok(document
        .select(&selector)
        .filter_map(|element| element.value().attr(&attr))
        .map(|value| Dynamic::from(value.to_string()))
        .collect())
}

fn parse_selector(function: &str, selector: &str) -> Fallible<Selector> {
    Selector::parse(selector).map_err(|err| {
        script_error(format!(
            "{function}: `{selector}` is not a valid CSS selector: {err}"
        ))
    })
}

fn text_of(element: ElementRef<'_>) -> String {
    let text: String = element.text().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
/// stand for groups.
fn regex_replace(
    text: ImmutableString,
    pattern: ImmutableString,
    replacement: ImmutableString,
) -> Fallible<String> {
    let regex = compile_regex("regex_replace", &pattern)?;
    Ok(regex.replace_all(&text, replacement.as_str()).into_owned())
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
    use super::*;

    const PAGE: &str = r#"<html><body><table id="onu">
        <tr><th>OLT</th><td class="olt"> OLT-01 </td></tr>
        <tr><th>Sinal</th><td class="rx">-24,50
            dBm</td></tr></table><a href="/sair">Sair</a><a>x</a></body></html>"#;

    fn texts(array: Array) -> Vec<String> {
        array.into_iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn selects_text_and_attributes() {
        assert_eq!(
            texts(html_select(PAGE.into(), "td".into()).unwrap()),
            ["OLT-01", "-24,50 dBm"]
        );
        assert_eq!(
            texts(html_select(PAGE.into(), "#onu .rx".into()).unwrap()),
            ["-24,50 dBm"]
        );
        assert_eq!(
            texts(html_select_attr(PAGE.into(), "a".into(), "href".into()).unwrap()),
            ["/sair"]
        );
        assert!(html_select(PAGE.into(), "td.missing".into())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn bad_selector_and_pattern_are_script_errors() {
        let err = html_select(PAGE.into(), "td[".into()).unwrap_err();
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
    }

    #[test]
    fn regex_captures_and_replacement() {
        let found = regex_match("RX: -24,50 dBm".into(), r"(-?\d+,\d+) (dBm)(x)?".into()).unwrap();
        assert_eq!(texts(found), ["-24,50 dBm", "-24,50", "dBm", ""]);
        assert!(regex_match("nada".into(), r"\d".into()).unwrap().is_empty());
        assert_eq!(
            regex_replace("a1b22".into(), r"(\d+)".into(), "[$1]".into()).unwrap(),
            "a[1]b[22]"
        );
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
