//! The declared items of a project by kind, name and `_id`: how card fields that name a
//! department, a tag or a flow become editor ids on export and names again on import.

use std::collections::HashMap;

use fluxo_stdlib::types::ItemKind;

/// Both directions of the item tables of one document.
#[derive(Debug, Default)]
pub struct Names {
    ids: HashMap<(ItemKind, String), String>,
    names: HashMap<(ItemKind, String), String>,
}

impl Names {
    /// Records an item; false when the kind already has this name or this id.
    pub fn insert(&mut self, kind: ItemKind, name: &str, id: &str) -> bool {
        let by_name = (kind, name.to_string());
        let by_id = (kind, id.to_string());
        if self.ids.contains_key(&by_name) || self.names.contains_key(&by_id) {
            return false;
        }
        self.ids.insert(by_name, id.to_string());
        self.names.insert(by_id, name.to_string());
        true
    }

    pub fn id(&self, kind: ItemKind, name: &str) -> Option<&str> {
        self.ids.get(&(kind, name.to_string())).map(String::as_str)
    }

    pub fn name(&self, kind: ItemKind, id: &str) -> Option<&str> {
        self.names.get(&(kind, id.to_string())).map(String::as_str)
    }
}

/// What the JSON lists of entities call each kind, for messages.
pub fn list_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Flow => "fluxos",
        ItemKind::Department => "departamentos",
        ItemKind::Attendant => "atendentes",
        ItemKind::Tag => "etiquetas",
        ItemKind::Group => "grupos",
        ItemKind::Branch => "filiais",
        ItemKind::Period => "periodos",
        ItemKind::Template => "modelos",
        ItemKind::Agent => "agentes",
        ItemKind::Script => "scripts",
    }
}
