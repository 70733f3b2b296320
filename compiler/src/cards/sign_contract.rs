//! `erp.sign_contract` is valid only from the registration's own number, so it needs
//! `auto_link()` on every path before it. The facts live here; the flow analysis
//! (`check/dataflow.rs`) follows them along every path, across `goto`s.

use fluxo_stdlib::catalogue::CardId;

/// Whether the card needs the conversation linked by `auto_link()` first.
pub(crate) fn needs_link(card: CardId) -> bool {
    card == CardId::ErpSignContract
}

/// Whether the card links the conversation for the cards after it.
pub(crate) fn links(card: CardId) -> bool {
    card == CardId::AutoLink
}
