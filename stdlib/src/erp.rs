//! The ERP systems a company can declare, the actions each one offers (the capability
//! matrix of CARDS.md) and the diagnosis an `erp.diagnose` card yields.
//!
//! This is data only: the checker reads it to reject an action the declared ERP lacks,
//! the runtime's adapters read it to offer exactly these actions.

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

    /// The pattern name in `when diag { overdue => ... }`.
    pub fn name(self) -> &'static str {
        match self {
            Diagnosis::Active => "active",
            Diagnosis::Inactive => "inactive",
            Diagnosis::Blocked => "blocked",
            Diagnosis::Overdue => "overdue",
            Diagnosis::TrustUnlocked => "trust_unlocked",
            Diagnosis::Reduced => "reduced",
            Diagnosis::AwaitingSignature => "awaiting_signature",
        }
    }

    pub fn from_name(name: &str) -> Option<Diagnosis> {
        Diagnosis::ALL.into_iter().find(|it| it.name() == name)
    }
}
