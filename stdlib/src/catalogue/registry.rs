//! The card registry: the one ordered table of cards. The `cards!` table below pairs
//! each card's id with its `CardSpec` and generates, from that one list, the `CardId`
//! enum, `CardId::ALL` and the catalogue array `cards()` reads, so an id and its data
//! cannot drift apart.
//!
//! The table's order is the catalogue's order: the docs list cards in it, and `.fxb`
//! bytecode stores a card as its index in it (`CardId::index`). A new card goes at the
//! end of its group; the catalogue fingerprint of `.fxb` files changes with it.
//!
//! The table has two groups, statement cards and call cards, and each group also
//! generates an enum of its own (`StatementCard`, `CallCard`; `CardId::kind` splits an
//! id into one of them). Tools that read every card generically (the docs, the JSON
//! encoder) walk `cards()`; tools that give cards behaviour `match` without a catch-all
//! arm on the enum of the cards they handle (the checker and the VM on `CallCard`, the
//! JSON decoder on `StatementCard`), so a card added here without a rule or a
//! behaviour does not compile.

use super::{calls, erp_cards, statements, CardSpec};
use crate::erp::ErpAction;

macro_rules! cards {
    (
        statements { $($statement:ident => $statement_spec:path,)* }
        calls { $($call:ident => $call_spec:path,)* }
    ) => {
        /// A card of the catalogue, by its place in it. `match`ing on it is how a tool
        /// says what it does for each card; the variant is the card's name in
        /// UpperCamelCase, with the `erp.` namespace as the prefix `Erp`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CardId {
            $($statement,)*
            $($call,)*
        }

        /// A card written with its own keyword (`say`, `ask ... choice`, `transfer to`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum StatementCard {
            $($statement,)*
        }

        /// A card written as a call (`survey(...)`, `erp.second_copy(...)`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum CallCard {
            $($call,)*
        }

        impl CardId {
            /// Every card, in catalogue order: `ALL[i]` is `cards()[i]`.
            pub const ALL: [CardId; [$(CardId::$statement,)* $(CardId::$call,)*].len()] =
                [$(CardId::$statement,)* $(CardId::$call,)*];

            /// Which of the two forms the card takes, as its own enum: a tool that
            /// handles only one form matches that enum, and still fails to compile
            /// when a card of that form is added.
            pub fn kind(self) -> CardKind {
                match self {
                    $(CardId::$statement => CardKind::Statement(StatementCard::$statement),)*
                    $(CardId::$call => CardKind::Call(CallCard::$call),)*
                }
            }
        }

        impl StatementCard {
            pub fn id(self) -> CardId {
                match self {
                    $(StatementCard::$statement => CardId::$statement,)*
                }
            }
        }

        impl CallCard {
            pub fn id(self) -> CardId {
                match self {
                    $(CallCard::$call => CardId::$call,)*
                }
            }
        }

        static CARDS: [CardSpec; CardId::ALL.len()] = [$($statement_spec,)* $($call_spec,)*];
    };
}

/// A card, split by the form it is written in (`Syntax` in its spec).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardKind {
    Statement(StatementCard),
    Call(CallCard),
}

cards! {
    statements {
        Say => statements::SAY,
        SayAudio => statements::SAY_AUDIO,
        AskChoice => statements::ASK_CHOICE,
        AskConfirm => statements::ASK_CONFIRM,
        AskInput => statements::ASK_INPUT,
        When => statements::WHEN,
        If => statements::IF,
        Goto => statements::GOTO,
        Transfer => statements::TRANSFER,
        Tag => statements::TAG,
        Wait => statements::WAIT,
        Set => statements::SET,
        End => statements::END,
    }
    calls {
        Optin => calls::OPTIN,
        SendFile => calls::SEND_FILE,
        Survey => calls::SURVEY,
        Describe => calls::DESCRIBE,
        Notify => calls::NOTIFY,
        MigrateWhatsapp => calls::MIGRATE_WHATSAPP,
        ForwardCall => calls::FORWARD_CALL,
        ValidateDocument => calls::VALIDATE_DOCUMENT,
        AutoLink => calls::AUTO_LINK,
        AccountAdd => calls::ACCOUNT_ADD,
        AccountSwitch => calls::ACCOUNT_SWITCH,
        Intent => calls::INTENT,
        Lowcode => calls::LOWCODE,
        InteractiveTemplate => calls::INTERACTIVE_TEMPLATE,
        ErpSecondCopy => erp_cards::SECOND_COPY,
        ErpInvoice => erp_cards::INVOICE,
        ErpTrustUnlock => erp_cards::TRUST_UNLOCK,
        ErpReleaseSpeed => erp_cards::RELEASE_SPEED,
        ErpDiagnose => erp_cards::DIAGNOSE,
        ErpSignContract => erp_cards::SIGN_CONTRACT,
        ErpOpenTicket => erp_cards::OPEN_TICKET,
        ErpAuthenticate => erp_cards::AUTHENTICATE,
        ErpWifiPassword => erp_cards::WIFI_PASSWORD,
    }
}

impl CardId {
    /// The card's data. The table generates one entry per variant, in variant order, so
    /// the index is always in bounds.
    pub fn spec(self) -> &'static CardSpec {
        &CARDS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The card's index in `cards()`: the `card` operand of the bytecode's `card`
    /// instruction.
    pub fn index(self) -> u32 {
        self as u32
    }

    /// The card at `index` in `cards()`; `None` past the end, which bytecode from an
    /// untrusted file can ask for.
    pub fn from_index(index: u32) -> Option<CardId> {
        let index = usize::try_from(index).ok()?;
        CardId::ALL.get(index).copied()
    }

    /// The card named `name` in a program: `say_audio`, `survey`, `erp.diagnose`.
    pub fn from_name(name: &str) -> Option<CardId> {
        CardId::ALL.into_iter().find(|it| it.name() == name)
    }

    /// The card whose Opa JSON type id is `opa_type`.
    pub fn from_opa_type(opa_type: &str) -> Option<CardId> {
        CardId::ALL
            .into_iter()
            .find(|it| it.spec().opa_type == opa_type)
    }
}

/// Every card, statement cards first, in the order of the docs.
pub fn cards() -> &'static [CardSpec] {
    &CARDS
}

/// The card named `name` in a program: `say_audio`, `survey`, `erp.diagnose`.
pub fn card(name: &str) -> Option<&'static CardSpec> {
    CardId::from_name(name).map(CardId::spec)
}

/// The card whose Opa JSON type id is `opa_type`.
pub fn card_by_opa_type(opa_type: &str) -> Option<&'static CardSpec> {
    CardId::from_opa_type(opa_type).map(CardId::spec)
}

/// The `erp.*` card of an ERP action.
pub fn erp_card(action: ErpAction) -> Option<&'static CardSpec> {
    CARDS.iter().find(|it| it.erp_action == Some(action))
}
