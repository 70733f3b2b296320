//! LEB128 varints, the encoding of every operand and every length in a `.fxb` file.
//!
//! Reading never trusts the input: a varint longer than its type allows, or cut short by
//! the end of the input, is an error, never a panic and never a wrapped value.

/// Why a varint could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarintError {
    /// The input ended inside the varint.
    Truncated,
    /// More than 5 bytes, or a fifth byte with bits above the 32nd.
    TooLong,
}

/// Appends `value` as an unsigned LEB128 varint (1 byte below 128, at most 5).
pub fn write_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads an unsigned varint at `*pos`, advancing `*pos` past it.
#[inline]
pub fn read_u32(bytes: &[u8], pos: &mut usize) -> Result<u32, VarintError> {
    // Most operands (and every operand the VM reads on a short program) take one byte.
    match bytes.get(*pos) {
        Some(&byte) if byte < 0x80 => {
            *pos += 1;
            Ok(u32::from(byte))
        }
        _ => read_long_u32(bytes, pos),
    }
}

fn read_long_u32(bytes: &[u8], pos: &mut usize) -> Result<u32, VarintError> {
    let mut value: u32 = 0;
    for shift in (0..35).step_by(7) {
        let Some(&byte) = bytes.get(*pos) else {
            return Err(VarintError::Truncated);
        };
        let low = u32::from(byte & 0x7f);
        if shift == 28 && (low >> 4) != 0 {
            return Err(VarintError::TooLong);
        }
        value |= low << shift;
        *pos += 1;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(VarintError::TooLong)
}

/// Appends `value` as an unsigned LEB128 varint (at most 10 bytes).
pub fn write_u64(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads an unsigned 64-bit varint at `*pos`, advancing `*pos` past it.
pub fn read_u64(bytes: &[u8], pos: &mut usize) -> Result<u64, VarintError> {
    let mut value: u64 = 0;
    for shift in (0..70).step_by(7) {
        let Some(&byte) = bytes.get(*pos) else {
            return Err(VarintError::Truncated);
        };
        let low = u64::from(byte & 0x7f);
        if shift == 63 && (low >> 1) != 0 {
            return Err(VarintError::TooLong);
        }
        value |= low << shift;
        *pos += 1;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(VarintError::TooLong)
}

/// How many bytes `write_u32` uses for `value`.
pub fn len_u32(value: u32) -> usize {
    match value {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        0x4000..=0x1f_ffff => 3,
        0x20_0000..=0x0fff_ffff => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_boundaries() {
        for value in [0, 1, 127, 128, 16383, 16384, 0x1f_ffff, 0x20_0000, u32::MAX] {
            let mut out = Vec::new();
            write_u32(&mut out, value);
            assert_eq!(out.len(), len_u32(value));
            let mut pos = 0;
            assert_eq!(read_u32(&out, &mut pos), Ok(value));
            assert_eq!(pos, out.len());
        }
    }

    #[test]
    fn round_trips_u64() {
        for value in [0, 1, 127, 128, u64::from(u32::MAX) + 1, u64::MAX] {
            let mut out = Vec::new();
            write_u64(&mut out, value);
            let mut pos = 0;
            assert_eq!(read_u64(&out, &mut pos), Ok(value));
            assert_eq!(pos, out.len());
        }
        let mut pos = 0;
        let overlong = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(read_u64(&overlong, &mut pos), Err(VarintError::TooLong));
    }

    #[test]
    fn rejects_truncated_and_overlong() {
        let mut pos = 0;
        assert_eq!(read_u32(&[0x80], &mut pos), Err(VarintError::Truncated));
        let mut pos = 0;
        assert_eq!(
            read_u32(&[0xff, 0xff, 0xff, 0xff, 0x1f], &mut pos),
            Err(VarintError::TooLong)
        );
        let mut pos = 0;
        assert_eq!(
            read_u32(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00], &mut pos),
            Err(VarintError::TooLong)
        );
    }
}
