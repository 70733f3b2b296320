//! The two checksums of a `.fxb` file: FNV-1a 64 of the sources (to tell a stale
//! program from a fresh one) and CRC-32 (IEEE) of the payload (to catch corruption).
//! Neither is cryptographic; the verifier, not the checksum, is what makes loading safe.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 over several byte strings, each followed by a 0xff separator so that
/// `["ab", "c"]` and `["a", "bc"]` differ.
pub fn fnv1a64<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    // A plain loop per part, then the separator: chaining the separator onto each part's
    // iterator made every byte pay for the chain's bookkeeping.
    let step = |hash: u64, byte: u8| (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
    let mut hash = FNV_OFFSET;
    for part in parts {
        hash = part.iter().fold(hash, |hash, &byte| step(hash, byte));
        hash = step(hash, 0xff);
    }
    hash
}

/// The CRC-32 (IEEE, reflected) of every byte value, computed at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut crc = n as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[n] = crc;
        n += 1;
    }
    table
};

/// CRC-32 with the IEEE polynomial (the one of zip and PNG), a byte at a time.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc = (crc >> 8) ^ CRC_TABLE[((crc ^ u32::from(byte)) & 0xff) as usize];
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn fnv_matches_the_reference_values() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; ours adds the 0xff separator byte.
        let a_then_separator = (0xaf63_dc4c_8601_ec8c_u64 ^ 0xff).wrapping_mul(FNV_PRIME);
        assert_eq!(fnv1a64([&b"a"[..]]), a_then_separator);
        assert_eq!(fnv1a64(std::iter::empty()), FNV_OFFSET);
        assert_eq!(
            fnv1a64([&b""[..]]),
            (FNV_OFFSET ^ 0xff).wrapping_mul(FNV_PRIME)
        );
    }

    #[test]
    fn fnv_separates_parts() {
        assert_ne!(fnv1a64([&b"ab"[..], b"c"]), fnv1a64([&b"a"[..], b"bc"]));
        assert_eq!(fnv1a64([&b"x"[..]]), fnv1a64([&b"x"[..]]));
    }
}
