//! The ERP fixture of a run: examples/provedor's customers cloned once per
//! conversation (a "family"), each clone with its own ids, CPF/CNPJ and phones.
//!
//! Why: the server answers every conversation from one simulated ERP whose state
//! changes (one trust unlock a month, a released speed, a signed contract), while the
//! oracle starts each conversation on a fresh one. With a family per conversation no
//! two conversations touch the same contract, so each conversation's transcript
//! depends on its own inputs only, as the oracle assumes.

use fluxo_stdlib::validate;
use serde_json::Value;

use crate::Result;

/// The demo fixture's customers, and how a family renames them.
pub struct Families {
    demo: Value,
    /// Per demo customer: its documents (as written) and phones (digits only).
    customers: Vec<(String, Vec<String>)>,
}

impl Families {
    /// Reads the demo fixture (`erp-demo.json` of the program).
    pub fn new(demo_json: &str) -> Result<Families> {
        let demo: Value = serde_json::from_str(demo_json)
            .map_err(|err| format!("the ERP fixture is not JSON: {err}"))?;
        let list = demo
            .get("customers")
            .and_then(Value::as_array)
            .ok_or("the ERP fixture has no `customers` list")?;
        let customers = list
            .iter()
            .map(|customer| {
                let document = text(customer, "document").to_string();
                let phones = customer
                    .get("phones")
                    .and_then(Value::as_array)
                    .map(|phones| {
                        phones
                            .iter()
                            .filter_map(Value::as_str)
                            .map(digits)
                            .collect()
                    })
                    .unwrap_or_default();
                (document, phones)
            })
            .collect();
        Ok(Families { demo, customers })
    }

    /// The fixture holding the given families.
    pub fn fixture(&self, families: impl IntoIterator<Item = usize>) -> String {
        let mut out = self.demo.clone();
        let clones: Vec<Value> = families
            .into_iter()
            .flat_map(|family| {
                self.demo["customers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(move |(index, customer)| self.clone_customer(customer, index, family))
            })
            .collect();
        out["customers"] = Value::Array(clones);
        out.to_string()
    }

    fn clone_customer(&self, customer: &Value, index: usize, family: usize) -> Value {
        let mut it = customer.clone();
        renumber(&mut it, family);
        it["document"] = Value::String(family_document(text(customer, "document"), index, family));
        let phones = self.customers[index]
            .1
            .iter()
            .enumerate()
            .map(|(slot, _)| Value::String(formatted_phone(&family_phone(index, slot, family))))
            .collect();
        it["phones"] = Value::Array(phones);
        if let Some(contracts) = it.get_mut("contracts").and_then(Value::as_array_mut) {
            for contract in contracts {
                renumber(contract, family);
                if let Some(bills) = contract.get_mut("bills").and_then(Value::as_array_mut) {
                    bills.iter_mut().for_each(|bill| renumber(bill, family));
                }
            }
        }
        it
    }

    /// The contact phone (`+55...`) a family gives to a transcript's contact: the
    /// family's clone of the demo customer with that phone, else a number of the
    /// family that no customer has (the contact stays unknown to the ERP).
    pub fn phone(&self, demo_phone: &str, family: usize) -> String {
        let wanted = digits(demo_phone);
        for (index, (_, phones)) in self.customers.iter().enumerate() {
            if let Some(slot) = phones.iter().position(|it| *it == wanted) {
                return format!("+55{}", family_phone(index, slot, family));
            }
        }
        format!("+5511999{family:06}")
    }

    /// A customer input rewritten for a family: a demo customer's CPF or CNPJ, as
    /// written or as digits, becomes the family's.
    pub fn input(&self, input: &str, family: usize) -> String {
        for (index, (document, _)) in self.customers.iter().enumerate() {
            let ours = family_document(document, index, family);
            if input == document {
                return ours;
            }
            if !document.is_empty() && input == digits(document) {
                return digits(&ours);
            }
        }
        input.to_string()
    }

    /// A document of family `family` (a CPF for a CPF holder), as the ERP writes it.
    pub fn document(&self, demo_index: usize, family: usize) -> Option<String> {
        let (document, _) = self.customers.get(demo_index)?;
        Some(family_document(document, demo_index, family))
    }
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Ids become `<demo id><family, 6 digits>`: still digits, unique per family.
fn renumber(value: &mut Value, family: usize) {
    if let Some(id) = value.get("id").and_then(Value::as_str) {
        value["id"] = Value::String(format!("{id}{family:06}"));
    }
}

/// A mobile number (DDD 11, nine digits) for phone `slot` of demo customer `index`.
fn family_phone(index: usize, slot: usize, family: usize) -> String {
    format!("119{}{}{:06}", index % 10, slot % 10, family % 1_000_000)
}

fn formatted_phone(national: &str) -> String {
    let (ddd, number) = national.split_at(2);
    let (head, tail) = number.split_at(5);
    format!("+55 {ddd} {head}-{tail}")
}

/// A valid CPF (11 digits) or CNPJ (14) unique to the family, in the demo's layout
/// (its punctuation kept, its digits replaced).
fn family_document(demo: &str, index: usize, family: usize) -> String {
    let base = match digits(demo).len() {
        14 => format!("{}{:07}0001", index % 9 + 1, family % 10_000_000),
        11 => format!("{}{:08}", index % 9 + 1, family % 100_000_000),
        _ => return demo.to_string(),
    };
    let mut ours = with_check_digits(&base)
        .into_bytes()
        .into_iter()
        .map(char::from);
    demo.chars()
        .map(|it| {
            if it.is_ascii_digit() {
                ours.next().unwrap_or(it)
            } else {
                it
            }
        })
        .collect()
}

/// `base` completed with the two check digits the engine accepts, found by asking its
/// own validator: the run's documents are valid by the rule the flows apply.
fn with_check_digits(base: &str) -> String {
    (0..100)
        .map(|it| format!("{base}{it:02}"))
        .find(|it| validate::document(it).is_ok())
        .unwrap_or_else(|| format!("{base}00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_known_documents() {
        // Ana's CPF and the bakery's CNPJ in examples/provedor/erp-demo.json.
        assert_eq!(with_check_digits("529982247"), "52998224725");
        assert_eq!(with_check_digits("112223330001"), "11222333000181");
    }

    #[test]
    fn families_rename_customers_phones_and_documents_apart() {
        let demo = r#"{"customers": [{"id": "1001", "name": "Ana", "document": "529.982.247-25",
            "phones": ["+55 48 99999-0000"], "contracts": [{"id": "5001", "bills": [{"id": "9"}]}]}]}"#;
        let families = Families::new(demo).unwrap();
        let fixture: Value = serde_json::from_str(&families.fixture(0..2)).unwrap();
        let customers = fixture["customers"].as_array().unwrap();
        assert_eq!(customers.len(), 2);
        assert_eq!(customers[1]["id"], "1001000001");
        assert_eq!(customers[1]["contracts"][0]["id"], "5001000001");
        assert_eq!(customers[1]["contracts"][0]["bills"][0]["id"], "9000001");
        assert_eq!(customers[1]["phones"][0], "+55 11 90000-0001");
        assert_eq!(families.phone("+5548999990000", 1), "+5511900000001");
        assert_eq!(families.phone("+5548912345678", 1), "+5511999000001");
        let document = families.input("529.982.247-25", 1);
        assert_eq!(customers[1]["document"], document.as_str());
        assert_ne!(document, families.input("529.982.247-25", 0));
        assert_eq!(families.input("52998224725", 1), digits(&document));
        assert_eq!(families.input("1", 1), "1");
        assert_eq!(
            family_document("11.222.333/0001-81", 4, 7),
            "50.000.007/0001-81"
        );
    }
}
