//! Pix "copia e cola" (BR Code, EMV QRCPS TLV) strings: building a static one and
//! checking any one, CRC-16/CCITT-FALSE included (ERP-APIS.md section 3).
//!
//! The simulated ERP builds codes for bills whose fixture asks for Pix and checks
//! those a fixture spells out.

use std::fmt;

/// The Pix arrangement's GUI inside the merchant account template (field 26).
const PIX_GUI: &str = "br.gov.bcb.pix";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PixError {
    /// A field's id or length is not two digits, or the length runs past the end.
    Truncated { at: usize },
    /// The string does not end with the CRC field `6304XXXX`.
    NoCrc,
    /// The CRC does not match; `expected` is the right one.
    Crc { expected: String, found: String },
    /// A mandatory field is missing or has the wrong value; the text says which.
    Field(&'static str),
    /// A value too long for its field or with characters a BR Code cannot carry.
    Value(&'static str),
}

impl fmt::Display for PixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PixError::Truncated { at } => write!(f, "the TLV field at offset {at} is cut short"),
            PixError::NoCrc => f.write_str("the code does not end with the CRC field 6304XXXX"),
            PixError::Crc { expected, found } => {
                write!(f, "the CRC is {found}, but the content's CRC is {expected}")
            }
            PixError::Field(what) | PixError::Value(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for PixError {}

/// What a valid BR Code says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrCode {
    pub amount_cents: Option<u64>,
    pub merchant_name: String,
    /// Field 62-05; `***` when the payer gives none.
    pub txid: String,
}

/// What a static BR Code carries.
pub struct StaticPix<'a> {
    /// A Pix key: CPF/CNPJ digits, e-mail, `+55...` phone or EVP UUID.
    pub key: &'a str,
    pub amount_cents: Option<u64>,
    /// Up to 25 ASCII characters.
    pub merchant_name: &'a str,
    /// Up to 15 ASCII characters.
    pub merchant_city: &'a str,
    /// Up to 25 letters and digits.
    pub txid: &'a str,
}

/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no xorout.
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for byte in data {
        crc ^= u16::from(*byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Builds a static BR Code (point of initiation `11`).
pub fn static_code(pix: &StaticPix<'_>) -> Result<String, PixError> {
    if pix.merchant_name.is_empty() || pix.merchant_name.len() > 25 {
        return Err(PixError::Value(
            "the merchant name must have 1 to 25 characters",
        ));
    }
    if pix.merchant_city.is_empty() || pix.merchant_city.len() > 15 {
        return Err(PixError::Value(
            "the merchant city must have 1 to 15 characters",
        ));
    }
    if pix.txid.is_empty()
        || pix.txid.len() > 25
        || !pix.txid.bytes().all(|it| it.is_ascii_alphanumeric())
    {
        return Err(PixError::Value(
            "the txid must have 1 to 25 letters or digits",
        ));
    }
    let account = format!("{}{}", tlv("00", PIX_GUI)?, tlv("01", pix.key)?);
    let mut code = String::new();
    code.push_str(&tlv("00", "01")?);
    code.push_str(&tlv("01", "11")?);
    code.push_str(&tlv("26", &account)?);
    code.push_str(&tlv("52", "0000")?);
    code.push_str(&tlv("53", "986")?);
    if let Some(cents) = pix.amount_cents {
        code.push_str(&tlv("54", &format!("{}.{:02}", cents / 100, cents % 100))?);
    }
    code.push_str(&tlv("58", "BR")?);
    code.push_str(&tlv("59", pix.merchant_name)?);
    code.push_str(&tlv("60", pix.merchant_city)?);
    code.push_str(&tlv("62", &tlv("05", pix.txid)?)?);
    code.push_str("6304");
    let crc = crc16(code.as_bytes());
    code.push_str(&format!("{crc:04X}"));
    Ok(code)
}

/// Checks a BR Code: its TLV structure, the mandatory fields, a Pix merchant account
/// (GUI compared case-insensitively, as real codes use `BR.GOV.BCB.PIX`) and the CRC.
pub fn check(code: &str) -> Result<BrCode, PixError> {
    let crc_at = code.len().checked_sub(8).ok_or(PixError::NoCrc)?;
    if code.get(crc_at..crc_at + 4) != Some("6304") {
        return Err(PixError::NoCrc);
    }
    let expected = format!("{:04X}", crc16(&code.as_bytes()[..crc_at + 4]));
    let found = code
        .get(crc_at + 4..)
        .ok_or(PixError::NoCrc)?
        .to_ascii_uppercase();
    if expected != found {
        return Err(PixError::Crc { expected, found });
    }
    let fields = fields(&code[..crc_at])?;
    let get = |id: &str| {
        fields
            .iter()
            .find(|(it, _)| *it == id)
            .map(|(_, value)| *value)
    };
    if get("00") != Some("01") {
        return Err(PixError::Field("field 00 (payload format) must be 01"));
    }
    if get("53") != Some("986") {
        return Err(PixError::Field("field 53 (currency) must be 986, the real"));
    }
    if get("58") != Some("BR") {
        return Err(PixError::Field("field 58 (country) must be BR"));
    }
    let pix_account = fields
        .iter()
        .filter(|(id, _)| ("26".."52").contains(id))
        .filter_map(|(_, value)| self::fields(value).ok())
        .any(|sub| {
            sub.iter()
                .any(|(id, value)| *id == "00" && value.eq_ignore_ascii_case(PIX_GUI))
        });
    if !pix_account {
        return Err(PixError::Field(
            "no merchant account with the br.gov.bcb.pix GUI",
        ));
    }
    let merchant_name = get("59")
        .ok_or(PixError::Field("field 59 (merchant name) is missing"))?
        .to_string();
    let amount_cents = match get("54") {
        None => None,
        Some(amount) => Some(
            cents(amount).ok_or(PixError::Field("field 54 (amount) is not a decimal amount"))?,
        ),
    };
    let txid = get("62")
        .and_then(|value| self::fields(value).ok())
        .and_then(|sub| {
            sub.iter()
                .find(|(id, _)| *id == "05")
                .map(|(_, value)| value.to_string())
        })
        .ok_or(PixError::Field("field 62-05 (txid) is missing"))?;
    Ok(BrCode {
        amount_cents,
        merchant_name,
        txid,
    })
}

fn tlv(id: &str, value: &str) -> Result<String, PixError> {
    if value.len() > 99 || !value.bytes().all(|it| (0x20..0x7F).contains(&it)) {
        return Err(PixError::Value(
            "a BR Code field holds at most 99 printable ASCII characters",
        ));
    }
    Ok(format!("{id}{:02}{value}", value.len()))
}

/// Splits a TLV string into `(id, value)` pairs.
fn fields(text: &str) -> Result<Vec<(&str, &str)>, PixError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let head = text
            .get(at..at + 4)
            .filter(|it| it.is_ascii())
            .ok_or(PixError::Truncated { at })?;
        let len: usize = head[2..].parse().map_err(|_| PixError::Truncated { at })?;
        if !head[..2].bytes().all(|it| it.is_ascii_digit()) {
            return Err(PixError::Truncated { at });
        }
        let value = text
            .get(at + 4..at + 4 + len)
            .ok_or(PixError::Truncated { at })?;
        out.push((&head[..2], value));
        at += 4 + len;
    }
    Ok(out)
}

/// `10.00` → 1000; at most two decimals.
fn cents(amount: &str) -> Option<u64> {
    let (units, decimals) = amount.split_once('.').unwrap_or((amount, ""));
    if units.is_empty()
        || decimals.len() > 2
        || !units
            .bytes()
            .chain(decimals.bytes())
            .all(|it| it.is_ascii_digit())
    {
        return None;
    }
    let units: u64 = units.parse().ok()?;
    let decimals: u64 = format!("{decimals:0<2}").parse().ok()?;
    units.checked_mul(100)?.checked_add(decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "00020126360014br.gov.bcb.pix0114+5561999999999520400005303986540510.005802BR5913FULANO DE TAL6008BRASILIA62070503***63045B30";

    #[test]
    fn crc_check_value() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
    }

    #[test]
    fn checks_the_reference_sample() {
        let code = check(SAMPLE).unwrap();
        assert_eq!(code.amount_cents, Some(1000));
        assert_eq!(code.merchant_name, "FULANO DE TAL");
        assert_eq!(code.txid, "***");
        let upper_gui = SAMPLE.replace("br.gov.bcb.pix", "BR.GOV.BCB.PIX");
        let body = &upper_gui[..upper_gui.len() - 4];
        let fixed = format!("{body}{:04X}", crc16(body.as_bytes()));
        assert!(check(&fixed).is_ok());
    }

    #[test]
    fn builds_what_it_checks() {
        let code = static_code(&StaticPix {
            key: "11222333000181",
            amount_cents: Some(12_990),
            merchant_name: "PROVEDOR EXEMPLO",
            merchant_city: "FLORIANOPOLIS",
            txid: "FAT1001",
        })
        .unwrap();
        let read = check(&code).unwrap();
        assert_eq!(read.amount_cents, Some(12_990));
        assert_eq!(read.txid, "FAT1001");
    }

    #[test]
    fn refuses_a_wrong_crc_or_structure() {
        let wrong = SAMPLE.replace("63045B30", "63045B31");
        assert!(matches!(check(&wrong), Err(PixError::Crc { .. })));
        assert_eq!(check("6304"), Err(PixError::NoCrc));
        let cut = "0002016304";
        let cut = format!("{cut}{:04X}", crc16(cut.as_bytes()));
        assert!(check(&cut).is_err());
        let no_pix =
            "000201520400005303986540510.005802BR5913FULANO DE TAL6008BRASILIA62070503***6304";
        let no_pix = format!("{no_pix}{:04X}", crc16(no_pix.as_bytes()));
        assert!(matches!(check(&no_pix), Err(PixError::Field(_))));
        assert!(check("ããããããããããããã").is_err());
        // A field head that splits a multi-byte character, under a valid CRC.
        let odd = "0é01026304";
        let odd = format!("{odd}{:04X}", crc16(odd.as_bytes()));
        assert_eq!(check(&odd), Err(PixError::Truncated { at: 0 }));
    }
}
