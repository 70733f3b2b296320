//! `say audio "<file>"`: the Opa editor sends MP3 audio only.

use fluxo_grammar::ast::Str;
use fluxo_stdlib::types::FileKind;

use crate::check::Cx;

pub(crate) fn check(cx: &mut Cx, file: &Str) {
    super::args::file(cx, "say audio", FileKind::Audio, file);
}
