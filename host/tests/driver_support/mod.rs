//! Helpers of the driver tests: compiling a folder of flows, a conversation context,
//! collecting a driver's deliveries per conversation, and a fake ERP whose answers
//! carry the customer's own CPF (so a mixed-up answer shows) after a seeded delay.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use fluxo_compiler::{CompileOptions, Sources};
use fluxo_host::driver::{ConversationId, Outbound};
use fluxo_host::erp::{
    Bill, Contract, Customer, ErpAdapter, ErpError, ErpFuture, Missing, Request, Response,
};
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock;
use fluxo_runtime::session::Context;
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use tokio::sync::mpsc;

/// Compiles every `.flow` file of `dir`.
pub fn compile_dir(dir: &Path) -> Program {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("the test folder exists")
        .map(|it| it.expect("a readable entry").path())
        .filter(|it| it.extension().is_some_and(|ext| ext == "flow"))
        .collect();
    entries.sort();
    let mut sources = Sources::new();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("a readable flow");
        sources.add(path.display().to_string(), text);
    }
    let compiled = fluxo_compiler::compile(&sources, &CompileOptions::default());
    match compiled.program {
        Some(program) => program,
        None => panic!(
            "{} does not compile: {:#?}",
            dir.display(),
            compiled.diagnostics
        ),
    }
}

/// The conversation of the transcripts' defaults (docs/runtime.md), with `protocol`.
pub fn context(protocol: &str) -> Context {
    let now = clock::parse_rfc3339("2026-11-23T10:00:00-03:00").expect("a valid instant");
    let mut ctx = Context::new(now);
    ctx.user_name = "Ana".into();
    ctx.contact_phone = "+5548999990000".into();
    ctx.company_name = "Provedor Exemplo".into();
    ctx.protocol = protocol.into();
    ctx
}

/// What one conversation received, in order, and how it finished.
#[derive(Debug, Default)]
pub struct Received {
    pub items: Vec<Outbound>,
}

impl Received {
    pub fn finished(&self) -> bool {
        matches!(
            self.items.last(),
            Some(Outbound::Ended(_) | Outbound::Failed(_))
        )
    }
}

/// Reads deliveries until `count` conversations have finished (ended or failed), or
/// until nothing arrives for `quiet` of the driver's clock.
pub async fn collect(
    outbox: &mut mpsc::Receiver<(ConversationId, Outbound)>,
    count: usize,
    quiet: Duration,
) -> HashMap<ConversationId, Received> {
    let mut received: HashMap<ConversationId, Received> = HashMap::new();
    let mut finished = 0;
    while finished < count {
        let Ok(Some((id, item))) = tokio::time::timeout(quiet, outbox.recv()).await else {
            break;
        };
        let entry = received.entry(id).or_default();
        assert!(
            !entry.finished(),
            "a delivery after the conversation finished: {item:?}"
        );
        entry.items.push(item);
        if entry.finished() {
            finished += 1;
        }
    }
    received
}

/// A valid CPF (check digits computed), different for each `n` below 10 million.
pub fn cpf(n: u32) -> String {
    let base = format!("{:09}", 100_000_000 + n * 7);
    let mut digits: Vec<u32> = base
        .chars()
        .map(|it| it.to_digit(10).expect("a digit"))
        .collect();
    for len in [9, 10] {
        let sum: u32 = digits
            .iter()
            .enumerate()
            .map(|(idx, d)| d * (len as u32 + 1 - idx as u32))
            .sum();
        let rest = sum % 11;
        digits.push(if rest < 2 { 0 } else { 11 - rest });
    }
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).expect("a digit"))
        .collect()
}

/// An ERP whose every answer names the customer's CPF: the customer id is the CPF,
/// the name `Cliente <cpf>`, the one contract `k<cpf>`, the bill's line
/// `linha <contract>`. Each answer comes after a delay in `delays` (milliseconds),
/// chosen by a seeded hash of the request.
pub struct FakeErp {
    pub delays: (u64, u64),
    pub seed: u64,
}

impl FakeErp {
    /// The answer, without the delay.
    pub fn answer(request: &Request) -> Result<Response, ErpError> {
        match request {
            Request::FindCustomerByDocument { document } => {
                let digits: String = document.chars().filter(char::is_ascii_digit).collect();
                Ok(Response::Customer(Customer {
                    id: digits.clone(),
                    name: format!("Cliente {digits}"),
                    document: digits,
                    phones: Vec::new(),
                }))
            }
            Request::ListContracts { customer_id } => Ok(Response::Contracts {
                contracts: vec![Contract {
                    id: format!("k{customer_id}"),
                    plan: "Fibra 300 Mega".into(),
                    address: "Rua das Gaivotas, 120".into(),
                    status: Diagnosis::Active,
                }],
            }),
            Request::SecondCopy { contract_id } => Ok(Response::Bills {
                bills: vec![Bill {
                    id: format!("b{contract_id}"),
                    due_date: time::macros::date!(2026 - 12 - 10),
                    amount_cents: 12_990,
                    linha_digitavel: Some(format!("linha {contract_id}")),
                    pix_copia_e_cola: None,
                    pdf: None,
                }],
            }),
            _ => Err(ErpError::NotFound {
                what: Missing::Customer,
            }),
        }
    }

    fn delay(&self, request: &Request) -> Duration {
        let key = format!("{request:?}");
        let mut hash = self.seed ^ 0xcbf2_9ce4_8422_2325;
        for byte in key.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let (low, high) = self.delays;
        Duration::from_millis(low + hash % (high - low + 1))
    }
}

impl ErpAdapter for FakeErp {
    fn system(&self) -> ErpSystem {
        ErpSystem::Ixc
    }

    fn call(&self, request: Request) -> ErpFuture<'_> {
        let delay = self.delay(&request);
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            FakeErp::answer(&request)
        })
    }
}
