//! "Did you mean" hints of the checker: the closest name of the right kind, by the
//! measure the parser's keyword hints use (`fluxo_grammar::suggest`), and the card an
//! unknown call means, found by its English name or by its Portuguese names in the Opa
//! editor (the catalogue's `opa_type` and `opa_title`): `erp.segunda_via` is
//! `erp.second_copy`, whose Opa type is `erp_segunda_via`.

use fluxo_stdlib::answers::fold;
use fluxo_stdlib::catalogue::{CardId, CardKind};

/// The candidate closest to `name`, if one is close enough to be a likely slip.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    fluxo_grammar::suggest::closest(name, candidates).map(str::to_string)
}

/// The call card an unknown call most likely means.
pub(crate) fn card(name: &str) -> Option<String> {
    let callable = || {
        CardId::ALL
            .into_iter()
            .filter(|it| matches!(it.kind(), CardKind::Call(_)))
            .map(CardId::spec)
    };
    if let Some(hit) = closest(name, callable().map(|it| it.name)) {
        return Some(hit);
    }
    // Portuguese: every card's Opa type and title as snake-case words, with and without
    // the `erp_` that ERP actions carry.
    let key = |text: &str| {
        fold(text)
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|it| !it.is_empty())
            .collect::<Vec<_>>()
            .join("_")
    };
    let wanted = key(name);
    let wanted = wanted.strip_prefix("erp_").unwrap_or(&wanted);
    let mut keys: Vec<(String, &'static str)> = Vec::new();
    for spec in callable() {
        let opa = spec.opa_type.strip_prefix("erp_").unwrap_or(spec.opa_type);
        keys.push((opa.to_string(), spec.name));
        keys.push((key(spec.opa_title), spec.name));
    }
    let found = keys
        .iter()
        .find(|(key, _)| key == wanted || key.starts_with(&format!("{wanted}_")))
        .map(|(_, card)| *card)
        .or_else(|| {
            let hit =
                fluxo_grammar::suggest::closest(wanted, keys.iter().map(|(k, _)| k.as_str()))?;
            keys.iter()
                .find(|(key, _)| key == hit)
                .map(|(_, card)| *card)
        });
    found.map(str::to_string)
}
