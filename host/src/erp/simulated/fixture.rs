//! The simulated ERP's fixture: its JSON shape (documented in docs/erp.md) and its
//! checks, which turn the text into a `Book` the simulation can trust (valid
//! documents and phones, unique ids, boletos and Pix codes with correct check
//! digits), or into a `FixtureError` with a line and column.

use std::collections::HashSet;
use std::fmt;

use fluxo_stdlib::erp::Diagnosis;
use fluxo_stdlib::validate;
use serde::Deserialize;
use time::Date;

use super::locate::{locate, render, Step};
use crate::erp::{boleto, pix, wire};
use crate::erp::{Attachment, Bill, Invoice, Named};

/// A fixture that cannot be used, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixtureError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for FixtureError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixture {
    #[serde(default)]
    company: RawCompany,
    #[serde(default, with = "wire::option_date")]
    today: Option<Date>,
    #[serde(default)]
    ticket_departments: Vec<Named>,
    #[serde(default)]
    ticket_subjects: Vec<Named>,
    /// Request ops (`second_copy`, ...) or `all` that answer `unavailable`: an ERP
    /// outage, for transcripts of the fail paths.
    #[serde(default)]
    unavailable: Vec<String>,
    customers: Vec<RawCustomer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompany {
    #[serde(default = "default_company_name")]
    name: String,
    #[serde(default = "default_city")]
    city: String,
    #[serde(default = "default_bank")]
    bank: String,
    #[serde(default)]
    pix_key: Option<String>,
    #[serde(default = "default_unlock_days")]
    trust_unlock_days: u8,
    #[serde(default)]
    ticket_prefix: String,
}

impl Default for RawCompany {
    fn default() -> RawCompany {
        RawCompany {
            name: default_company_name(),
            city: default_city(),
            bank: default_bank(),
            pix_key: None,
            trust_unlock_days: default_unlock_days(),
            ticket_prefix: String::new(),
        }
    }
}

fn default_company_name() -> String {
    "PROVEDOR EXEMPLO".into()
}

fn default_city() -> String {
    "FLORIANOPOLIS".into()
}

fn default_bank() -> String {
    "341".into()
}

fn default_unlock_days() -> u8 {
    3
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomer {
    id: String,
    name: String,
    document: String,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    central: Option<Central>,
    #[serde(default)]
    contracts: Vec<RawContract>,
}

/// Subscriber-central credentials.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Central {
    pub login: String,
    pub password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    id: String,
    plan: String,
    #[serde(default)]
    address: String,
    #[serde(with = "wire::diagnosis")]
    status: Diagnosis,
    #[serde(default)]
    contract_pdf: Option<String>,
    #[serde(default)]
    trust_unlocks: Vec<RawUnlock>,
    #[serde(default)]
    bills: Vec<RawBill>,
    #[serde(default)]
    invoices: Vec<RawInvoice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnlock {
    #[serde(with = "wire::date")]
    on: Date,
    #[serde(with = "wire::date")]
    until: Date,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBill {
    id: String,
    #[serde(with = "wire::date")]
    due_date: Date,
    amount_cents: u64,
    #[serde(default)]
    paid: bool,
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    linha_digitavel: Option<String>,
    /// `false` for a boleto whose bank offers no Pix, even with a company key.
    #[serde(default = "yes")]
    pix: bool,
    #[serde(default)]
    pix_copia_e_cola: Option<String>,
    #[serde(default)]
    pdf_url: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvoice {
    number: String,
    #[serde(with = "wire::date")]
    issued_on: Date,
    #[serde(default)]
    amount_cents: Option<u64>,
    pdf_url: String,
}

/// The checked fixture.
pub(crate) struct Book {
    pub today: Option<Date>,
    pub unlock_days: u8,
    pub ticket_prefix: String,
    pub departments: Vec<Named>,
    pub subjects: Vec<Named>,
    /// The request ops the simulated ERP answers with `unavailable`.
    pub unavailable: Vec<String>,
    pub customers: Vec<BookCustomer>,
}

pub(crate) struct BookCustomer {
    pub id: String,
    pub name: String,
    /// Bare characters, as `validate::document` returns them.
    pub document: String,
    /// E.164.
    pub phones: Vec<String>,
    pub central: Option<Central>,
    pub contracts: Vec<BookContract>,
}

pub(crate) struct BookContract {
    pub id: String,
    pub plan: String,
    pub address: String,
    pub status: Diagnosis,
    pub contract_pdf: Option<String>,
    /// `(used on, unlocked through)`.
    pub unlocks: Vec<(Date, Date)>,
    /// Open bills, oldest first.
    pub open_bills: Vec<Bill>,
    /// Newest first.
    pub invoices: Vec<Invoice>,
}

/// Parses and checks fixture text.
pub(crate) fn load(text: &str) -> Result<Book, FixtureError> {
    let raw: RawFixture = serde_json::from_str(text).map_err(|error| {
        let message = error.to_string();
        let message = match message.rsplit_once(" at line ") {
            Some((head, _)) => head.to_string(),
            None => message,
        };
        FixtureError {
            line: error.line(),
            column: error.column(),
            message: format!("invalid fixture: {message}"),
        }
    })?;
    let fail = |path: Vec<Step>, what: String| -> FixtureError {
        let (line, column) = locate(text, &path).unwrap_or((1, 1));
        FixtureError {
            line,
            column,
            message: format!("{}: {what}", render(&path)),
        }
    };
    build(raw).map_err(|(path, what)| fail(path, what))
}

type Failure = (Vec<Step>, String);

/// Every request op, for the fixture's `unavailable` list (`Request::op` names them).
const OPS: &[&str] = &[
    "find_customer_by_document",
    "find_customer_by_phone",
    "list_contracts",
    "second_copy",
    "invoice",
    "trust_unlock",
    "release_speed",
    "diagnose",
    "contract_document",
    "sign_contract",
    "list_ticket_options",
    "open_ticket",
    "authenticate",
    "wifi_password",
];

fn build(raw: RawFixture) -> Result<Book, Failure> {
    for (idx, op) in raw.unavailable.iter().enumerate() {
        if op != "all" && !OPS.contains(&op.as_str()) {
            return Err((
                vec![Step::Key("unavailable"), Step::Index(idx)],
                format!(
                    "unknown request {op:?} (expected `all` or one of {})",
                    OPS.join(", ")
                ),
            ));
        }
    }
    let company = raw.company;
    if company.trust_unlock_days == 0 {
        return Err((
            vec![Step::Key("company"), Step::Key("trust_unlock_days")],
            "a trust unlock lasts at least one day".into(),
        ));
    }
    unique(
        raw.ticket_departments.iter().map(|it| it.id.as_str()),
        "ticket_departments",
        "department id",
    )?;
    unique(
        raw.ticket_subjects.iter().map(|it| it.id.as_str()),
        "ticket_subjects",
        "subject id",
    )?;
    let mut seen_customers = HashSet::new();
    let mut seen_contracts = HashSet::new();
    let mut seen_bills = HashSet::new();
    let mut customers = Vec::with_capacity(raw.customers.len());
    for (customer_idx, customer) in raw.customers.into_iter().enumerate() {
        let at = |rest: &[Step]| -> Vec<Step> {
            let mut path = vec![Step::Key("customers"), Step::Index(customer_idx)];
            path.extend_from_slice(rest);
            path
        };
        if !seen_customers.insert(customer.id.clone()) {
            return Err((
                at(&[Step::Key("id")]),
                format!("duplicate customer id {:?}", customer.id),
            ));
        }
        let document = validate::document(&customer.document).map_err(|why| {
            (
                at(&[Step::Key("document")]),
                format!("{:?} is not a valid CPF or CNPJ: {why}", customer.document),
            )
        })?;
        let mut phones = Vec::with_capacity(customer.phones.len());
        for (phone_idx, phone) in customer.phones.iter().enumerate() {
            phones.push(validate::phone(phone).map_err(|why| {
                (
                    at(&[Step::Key("phones"), Step::Index(phone_idx)]),
                    format!("{phone:?} is not a valid Brazilian phone number: {why}"),
                )
            })?);
        }
        let mut contracts = Vec::with_capacity(customer.contracts.len());
        for (contract_idx, contract) in customer.contracts.into_iter().enumerate() {
            let at = |rest: &[Step]| -> Vec<Step> {
                at(&[&[Step::Key("contracts"), Step::Index(contract_idx)], rest].concat())
            };
            if !seen_contracts.insert(contract.id.clone()) {
                return Err((
                    at(&[Step::Key("id")]),
                    format!("duplicate contract id {:?}", contract.id),
                ));
            }
            if contract.status == Diagnosis::TrustUnlocked {
                return Err((
                    at(&[Step::Key("status")]),
                    "trust_unlocked is not stored: give the blocked or overdue status and a trust_unlocks entry".into(),
                ));
            }
            if contract.status == Diagnosis::AwaitingSignature && contract.contract_pdf.is_none() {
                return Err((
                    at(&[Step::Key("status")]),
                    "a contract awaiting signature needs contract_pdf, the document the customer accepts".into(),
                ));
            }
            let mut unlocks = Vec::with_capacity(contract.trust_unlocks.len());
            for (unlock_idx, unlock) in contract.trust_unlocks.iter().enumerate() {
                if unlock.until < unlock.on {
                    return Err((
                        at(&[
                            Step::Key("trust_unlocks"),
                            Step::Index(unlock_idx),
                            Step::Key("until"),
                        ]),
                        "an unlock cannot end before it starts".into(),
                    ));
                }
                unlocks.push((unlock.on, unlock.until));
            }
            let mut open_bills = Vec::new();
            for (bill_idx, bill) in contract.bills.iter().enumerate() {
                let at = |rest: &[Step]| -> Vec<Step> {
                    at(&[&[Step::Key("bills"), Step::Index(bill_idx)], rest].concat())
                };
                if !seen_bills.insert(bill.id.clone()) {
                    return Err((
                        at(&[Step::Key("id")]),
                        format!("duplicate bill id {:?}", bill.id),
                    ));
                }
                let prepared =
                    prepare_bill(bill, &company).map_err(|(step, what)| (at(&[step]), what))?;
                if !bill.paid {
                    open_bills.push(prepared);
                }
            }
            open_bills.sort_by_key(|it| it.due_date);
            let mut invoices: Vec<Invoice> = contract
                .invoices
                .into_iter()
                .map(|it| Invoice {
                    number: it.number,
                    issued_on: Some(it.issued_on),
                    amount_cents: it.amount_cents,
                    pdf: Attachment::Url { url: it.pdf_url },
                })
                .collect();
            invoices.sort_by_key(|it| std::cmp::Reverse(it.issued_on));
            contracts.push(BookContract {
                id: contract.id,
                plan: contract.plan,
                address: contract.address,
                status: contract.status,
                contract_pdf: contract.contract_pdf,
                unlocks,
                open_bills,
                invoices,
            });
        }
        customers.push(BookCustomer {
            id: customer.id,
            name: customer.name,
            document,
            phones,
            central: customer.central,
            contracts,
        });
    }
    Ok(Book {
        today: raw.today,
        unlock_days: company.trust_unlock_days,
        ticket_prefix: company.ticket_prefix,
        departments: raw.ticket_departments,
        subjects: raw.ticket_subjects,
        unavailable: raw.unavailable,
        customers,
    })
}

fn unique<'a>(
    ids: impl Iterator<Item = &'a str>,
    list: &'static str,
    what: &str,
) -> Result<(), Failure> {
    let mut seen = HashSet::new();
    for (idx, id) in ids.enumerate() {
        if !seen.insert(id) {
            return Err((
                vec![Step::Key(list), Step::Index(idx), Step::Key("id")],
                format!("duplicate {what} {id:?}"),
            ));
        }
    }
    Ok(())
}

/// Builds or checks a bill's linha digitável and Pix code.
fn prepare_bill(bill: &RawBill, company: &RawCompany) -> Result<Bill, (Step, String)> {
    let linha = match &bill.linha_digitavel {
        Some(given) => {
            let linha = boleto::check_linha(given).map_err(|why| {
                (
                    Step::Key("linha_digitavel"),
                    format!("invalid linha digitável: {why}"),
                )
            })?;
            if linha.amount_cents != bill.amount_cents {
                return Err((
                    Step::Key("linha_digitavel"),
                    format!(
                        "the linha digitável is for {} cents, the bill for {}",
                        linha.amount_cents, bill.amount_cents
                    ),
                ));
            }
            if boleto::due_factor(bill.due_date) != Some(linha.due_factor) {
                return Err((
                    Step::Key("linha_digitavel"),
                    "the linha digitável's due-date factor does not match due_date".into(),
                ));
            }
            linha.digits
        }
        None => {
            let bank = bill.bank.as_deref().unwrap_or(&company.bank);
            let id_digits: String = bill.id.chars().filter(char::is_ascii_digit).collect();
            let free_field = format!("{id_digits:0>25}");
            let free_field = &free_field[free_field.len() - 25..];
            boleto::linha_digitavel(bank, bill.due_date, bill.amount_cents, free_field).map_err(
                |why| {
                    (
                        Step::Key("due_date"),
                        format!("cannot build a boleto: {why}"),
                    )
                },
            )?
        }
    };
    let pix_code = match (&bill.pix_copia_e_cola, &company.pix_key) {
        (Some(given), _) => {
            let code = pix::check(given).map_err(|why| {
                (
                    Step::Key("pix_copia_e_cola"),
                    format!("invalid Pix copia-e-cola: {why}"),
                )
            })?;
            if code.amount_cents.is_some_and(|it| it != bill.amount_cents) {
                return Err((
                    Step::Key("pix_copia_e_cola"),
                    "the Pix code's amount differs from the bill's".into(),
                ));
            }
            Some(given.clone())
        }
        (None, Some(key)) if bill.pix => {
            let txid: String = bill
                .id
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(25)
                .collect();
            let code = pix::static_code(&pix::StaticPix {
                key,
                amount_cents: Some(bill.amount_cents),
                merchant_name: &company.name,
                merchant_city: &company.city,
                txid: &txid,
            })
            .map_err(|why| {
                (
                    Step::Key("id"),
                    format!("cannot build a Pix code for this bill: {why}"),
                )
            })?;
            Some(code)
        }
        (None, _) => None,
    };
    Ok(Bill {
        id: bill.id.clone(),
        due_date: bill.due_date,
        amount_cents: bill.amount_cents,
        linha_digitavel: Some(linha),
        pix_copia_e_cola: pix_code,
        pdf: bill.pdf_url.clone().map(|url| Attachment::Url { url }),
    })
}
