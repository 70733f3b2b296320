//! `erp.sign_contract` is valid only from the registration's own number, so it needs
//! `auto_link()` on every path before it. The facts live here; the flow analysis
//! (`check/dataflow.rs`) follows them along every path, across `goto`s.

use fluxo_stdlib::catalogue::CardSpec;
use fluxo_stdlib::erp::ErpAction;

/// Whether the card needs the conversation linked by `auto_link()` first.
pub(crate) fn needs_link(spec: &CardSpec) -> bool {
    spec.erp_action == Some(ErpAction::SignContract)
}

/// Whether the card links the conversation for the cards after it.
pub(crate) fn links(spec: &CardSpec) -> bool {
    spec.name == "auto_link"
}
