//! The ERP systems a company can declare, the actions each one offers (the capability
//! matrix of CARDS.md) and the diagnosis an `erp.diagnose` card yields.
//!
//! This is data only: the checker reads it to reject an action the declared ERP lacks,
//! the runtime's adapters read it to offer exactly these actions.

use crate::types::Pattern;

/// An ISP ERP, as named by the `erp <system>` line of a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErpSystem {
    Ixc,
    Beesweb,
    Adapter,
    Mkauth,
    Mksolutions,
    Sgp,
    Synsuite,
    Controllr,
    Hubsoft,
    Routerbox,
    Sami,
}

/// An action of the `erp.*` card family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErpAction {
    SecondCopy,
    Invoice,
    TrustUnlock,
    ReleaseSpeed,
    Diagnose,
    SignContract,
    OpenTicket,
    Authenticate,
    WifiPassword,
}

/// The status of a customer's connection, as `erp.diagnose` reports it and `when` branches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Diagnosis {
    Active,
    Inactive,
    Blocked,
    Overdue,
    TrustUnlocked,
    Reduced,
    AwaitingSignature,
}

impl ErpSystem {
    pub const ALL: [ErpSystem; 11] = [
        ErpSystem::Ixc,
        ErpSystem::Beesweb,
        ErpSystem::Adapter,
        ErpSystem::Mkauth,
        ErpSystem::Mksolutions,
        ErpSystem::Sgp,
        ErpSystem::Synsuite,
        ErpSystem::Controllr,
        ErpSystem::Hubsoft,
        ErpSystem::Routerbox,
        ErpSystem::Sami,
    ];

    /// The name used after `erp` in a program.
    pub fn name(self) -> &'static str {
        match self {
            ErpSystem::Ixc => "ixc",
            ErpSystem::Beesweb => "beesweb",
            ErpSystem::Adapter => "adapter",
            ErpSystem::Mkauth => "mkauth",
            ErpSystem::Mksolutions => "mksolutions",
            ErpSystem::Sgp => "sgp",
            ErpSystem::Synsuite => "synsuite",
            ErpSystem::Controllr => "controllr",
            ErpSystem::Hubsoft => "hubsoft",
            ErpSystem::Routerbox => "routerbox",
            ErpSystem::Sami => "sami",
        }
    }

    /// The product's own name, for docs and messages to engineers.
    pub fn title(self) -> &'static str {
        match self {
            ErpSystem::Ixc => "IXC Provedor",
            ErpSystem::Beesweb => "Beesweb",
            ErpSystem::Adapter => "ERP Adapter",
            ErpSystem::Mkauth => "MK-Auth",
            ErpSystem::Mksolutions => "MK-Solutions",
            ErpSystem::Sgp => "SGP",
            ErpSystem::Synsuite => "Synsuite",
            ErpSystem::Controllr => "Controllr",
            ErpSystem::Hubsoft => "Hubsoft",
            ErpSystem::Routerbox => "RouterBox",
            ErpSystem::Sami => "Sami Sistemas",
        }
    }

    pub fn from_name(name: &str) -> Option<ErpSystem> {
        ErpSystem::ALL.into_iter().find(|it| it.name() == name)
    }

    /// The capability matrix of CARDS.md: the actions this ERP's integration offers.
    pub fn actions(self) -> &'static [ErpAction] {
        use ErpAction::*;
        match self {
            ErpSystem::Ixc => &ErpAction::ALL,
            ErpSystem::Beesweb | ErpSystem::Adapter | ErpSystem::Sgp | ErpSystem::Synsuite => {
                &[SecondCopy, TrustUnlock]
            }
            ErpSystem::Mkauth | ErpSystem::Routerbox | ErpSystem::Sami => &[SecondCopy],
            ErpSystem::Mksolutions => &[SecondCopy, TrustUnlock, Diagnose],
            ErpSystem::Controllr | ErpSystem::Hubsoft => &[SecondCopy, Diagnose],
        }
    }

    pub fn offers(self, action: ErpAction) -> bool {
        self.actions().contains(&action)
    }
}

impl ErpAction {
    pub const ALL: [ErpAction; 9] = [
        ErpAction::SecondCopy,
        ErpAction::Invoice,
        ErpAction::TrustUnlock,
        ErpAction::ReleaseSpeed,
        ErpAction::Diagnose,
        ErpAction::SignContract,
        ErpAction::OpenTicket,
        ErpAction::Authenticate,
        ErpAction::WifiPassword,
    ];

    /// The part after `erp.` in a program: `second_copy` for `erp.second_copy`.
    pub fn name(self) -> &'static str {
        match self {
            ErpAction::SecondCopy => "second_copy",
            ErpAction::Invoice => "invoice",
            ErpAction::TrustUnlock => "trust_unlock",
            ErpAction::ReleaseSpeed => "release_speed",
            ErpAction::Diagnose => "diagnose",
            ErpAction::SignContract => "sign_contract",
            ErpAction::OpenTicket => "open_ticket",
            ErpAction::Authenticate => "authenticate",
            ErpAction::WifiPassword => "wifi_password",
        }
    }

    pub fn from_name(name: &str) -> Option<ErpAction> {
        ErpAction::ALL.into_iter().find(|it| it.name() == name)
    }
}

impl Diagnosis {
    pub const ALL: [Diagnosis; 7] = [
        Diagnosis::Active,
        Diagnosis::Inactive,
        Diagnosis::Blocked,
        Diagnosis::Overdue,
        Diagnosis::TrustUnlocked,
        Diagnosis::Reduced,
        Diagnosis::AwaitingSignature,
    ];

    /// The `when` patterns with the Opa editor's labels, in the order of `ALL` so that
    /// `self as usize` indexes it.
    pub const PATTERNS: [Pattern; 7] = [
        Pattern {
            name: "active",
            opa_label: "Ativo",
        },
        Pattern {
            name: "inactive",
            opa_label: "Inativo",
        },
        Pattern {
            name: "blocked",
            opa_label: "Bloqueado",
        },
        Pattern {
            name: "overdue",
            opa_label: "Financeiro em atraso",
        },
        Pattern {
            name: "trust_unlocked",
            opa_label: "Desbloqueio de confiança",
        },
        Pattern {
            name: "reduced",
            opa_label: "Velocidade reduzida",
        },
        Pattern {
            name: "awaiting_signature",
            opa_label: "Aguardando assinatura",
        },
    ];

    /// The pattern name in `when diag { overdue => ... }`.
    pub fn name(self) -> &'static str {
        Diagnosis::PATTERNS[self as usize].name
    }

    pub fn opa_label(self) -> &'static str {
        Diagnosis::PATTERNS[self as usize].opa_label
    }

    pub fn from_name(name: &str) -> Option<Diagnosis> {
        Diagnosis::ALL.into_iter().find(|it| it.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for system in ErpSystem::ALL {
            assert_eq!(ErpSystem::from_name(system.name()), Some(system));
        }
        for action in ErpAction::ALL {
            assert_eq!(ErpAction::from_name(action.name()), Some(action));
        }
        for diagnosis in Diagnosis::ALL {
            assert_eq!(Diagnosis::from_name(diagnosis.name()), Some(diagnosis));
        }
        assert_eq!(ErpSystem::from_name("IXC"), None);
        assert_eq!(Diagnosis::Overdue.opa_label(), "Financeiro em atraso");
    }

    #[test]
    fn the_matrix_matches_cards_md() {
        assert!(ErpAction::ALL.iter().all(|it| ErpSystem::Ixc.offers(*it)));
        for action in ErpAction::ALL {
            let offered = ErpSystem::ALL.iter().filter(|it| it.offers(action)).count();
            let expected = match action {
                ErpAction::SecondCopy => 11,
                ErpAction::TrustUnlock => 6,
                ErpAction::Diagnose => 4,
                _ => 1,
            };
            assert_eq!(offered, expected, "{action:?}");
        }
        assert!(!ErpSystem::Hubsoft.offers(ErpAction::TrustUnlock));
        assert!(ErpSystem::Mksolutions.offers(ErpAction::Diagnose));
    }
}
