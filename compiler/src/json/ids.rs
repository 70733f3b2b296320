//! Deterministic editor metadata for statements written without it: ObjectId-like card
//! ids, output ids, label names and a simple canvas layout.
//!
//! Export generates these for statements without `@id`/`@pos`; import leaves out the
//! attributes whose value is what export would generate, so text written by hand stays
//! free of editor noise after a round trip. Both sides must call the same functions.

/// A 24-hex-digit id (the shape of a Mongo ObjectId) derived from `seed` alone.
///
/// FNV-1a, twice with different offsets: stable across Rust versions and platforms,
/// which `std`'s hasher does not promise.
pub fn object_id(seed: &str) -> String {
    let a = fnv1a(seed.as_bytes(), 0xcbf2_9ce4_8422_2325);
    let b = fnv1a(seed.as_bytes(), 0x6c62_272e_07bb_0142);
    format!("{:016x}{:08x}", a, b >> 32)
}

fn fnv1a(bytes: &[u8], offset: u64) -> u64 {
    let mut hash = offset;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The id of a declared item (`department suporte` → `object_id("department:suporte")`).
pub fn item_id(kind: &str, name: &str) -> String {
    object_id(&format!("{kind}:{name}"))
}

/// The id of the statement at `path` (indices joined by dots) of flow `flow`.
pub fn card_id(flow: &str, path: &str) -> String {
    object_id(&format!("card:{flow}:{path}"))
}

/// The id of the `index`-th output of card `card`.
pub fn output_id(card: &str, index: usize) -> String {
    object_id(&format!("saida:{card}:{index}"))
}

/// The canvas position of the `order`-th card of a flow (in reading order) at nesting
/// `depth`: one column per nesting level, one row per card.
pub fn layout(order: usize, depth: usize) -> (i64, i64) {
    let x = i64::try_from(depth)
        .unwrap_or(i64::MAX / 400)
        .saturating_mul(320);
    let y = i64::try_from(order)
        .unwrap_or(i64::MAX / 200)
        .saturating_mul(160);
    (x, y)
}

/// The label import gives a card that a `goto` must reach: `l_` and the id's last six
/// characters, or the whole id when another card of the flow shares those six.
pub fn label_name(id: &str, all_ids: &[&str]) -> String {
    let short = tail(id, 6);
    let clash = all_ids
        .iter()
        .any(|other| *other != id && tail(other, 6) == short);
    let chosen = if clash { sanitize(id) } else { short };
    format!("l_{chosen}")
}

fn tail(id: &str, n: usize) -> String {
    let clean = sanitize(id);
    let skip = clean.chars().count().saturating_sub(n);
    clean.chars().skip(skip).collect()
}

fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_24_hex_and_stable() {
        let id = card_id("main", "0.1");
        assert_eq!(id.len(), 24);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(id, card_id("main", "0.1"));
        assert_ne!(id, card_id("main", "0.2"));
    }

    #[test]
    fn label_names_widen_on_clash() {
        let ids = ["aaaaaa123456", "bbbbbb123456", "cccccc654321"];
        assert_eq!(label_name("cccccc654321", &ids), "l_654321");
        assert_eq!(label_name("aaaaaa123456", &ids), "l_aaaaaa123456");
    }
}
