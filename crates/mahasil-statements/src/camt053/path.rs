//! The camt.053 elements this crate reads, and the paths from the document root that
//! lead to each value. Paths are matched against a stack of [`Tag`]s, so an element of the
//! same name elsewhere (an `Amt` inside `TxDtls/AmtDtls`) never lands in the wrong field.

/// An element name that matters here; every other name is [`Tag::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Document,
    BkToCstmrStmt,
    Stmt,
    Id,
    Acct,
    Iban,
    Othr,
    Ccy,
    Bal,
    Tp,
    CdOrPrtry,
    Cd,
    Amt,
    CdtDbtInd,
    Dt,
    DtTm,
    Ntry,
    Sts,
    BookgDt,
    ValDt,
    AcctSvcrRef,
    NtryDtls,
    TxDtls,
    Refs,
    EndToEndId,
    RmtInf,
    Ustrd,
    AddtlNtryInf,
    Other,
}

impl Tag {
    pub fn of(local_name: &str) -> Self {
        match local_name {
            "Document" => Self::Document,
            "BkToCstmrStmt" => Self::BkToCstmrStmt,
            "Stmt" => Self::Stmt,
            "Id" => Self::Id,
            "Acct" => Self::Acct,
            "IBAN" => Self::Iban,
            "Othr" => Self::Othr,
            "Ccy" => Self::Ccy,
            "Bal" => Self::Bal,
            "Tp" => Self::Tp,
            "CdOrPrtry" => Self::CdOrPrtry,
            "Cd" => Self::Cd,
            "Amt" => Self::Amt,
            "CdtDbtInd" => Self::CdtDbtInd,
            "Dt" => Self::Dt,
            "DtTm" => Self::DtTm,
            "Ntry" => Self::Ntry,
            "Sts" => Self::Sts,
            "BookgDt" => Self::BookgDt,
            "ValDt" => Self::ValDt,
            "AcctSvcrRef" => Self::AcctSvcrRef,
            "NtryDtls" => Self::NtryDtls,
            "TxDtls" => Self::TxDtls,
            "Refs" => Self::Refs,
            "EndToEndId" => Self::EndToEndId,
            "RmtInf" => Self::RmtInf,
            "Ustrd" => Self::Ustrd,
            "AddtlNtryInf" => Self::AddtlNtryInf,
            _ => Self::Other,
        }
    }
}

/// A value this crate keeps, named by where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    StatementId,
    AccountId,
    AccountCurrency,
    BalanceType,
    BalanceAmount,
    BalanceIndicator,
    BalanceDate,
    BalanceDateTime,
    EntryAmount,
    EntryIndicator,
    EntryStatus,
    BookingDate,
    BookingDateTime,
    ValueDate,
    ValueDateTime,
    BankReference,
    EndToEndId,
    Unstructured,
    AdditionalInformation,
}

impl Slot {
    /// The value at `path` (root first), if it is one this crate keeps.
    pub fn at(path: &[Tag]) -> Option<Self> {
        use Tag::*;
        let [Document, BkToCstmrStmt, Stmt, rest @ ..] = path else {
            return None;
        };
        Some(match rest {
            [Id] => Self::StatementId,
            [Acct, Id, Iban] | [Acct, Id, Othr, Id] => Self::AccountId,
            [Acct, Ccy] => Self::AccountCurrency,
            [Bal, Tp, CdOrPrtry, Cd] => Self::BalanceType,
            [Bal, Amt] => Self::BalanceAmount,
            [Bal, CdtDbtInd] => Self::BalanceIndicator,
            [Bal, Dt, Dt] => Self::BalanceDate,
            [Bal, Dt, DtTm] => Self::BalanceDateTime,
            [Ntry, Amt] => Self::EntryAmount,
            [Ntry, CdtDbtInd] => Self::EntryIndicator,
            // Up to version 03 the status is the code itself; from 04 on it wraps a `Cd`.
            [Ntry, Sts] | [Ntry, Sts, Cd] => Self::EntryStatus,
            [Ntry, BookgDt, Dt] => Self::BookingDate,
            [Ntry, BookgDt, DtTm] => Self::BookingDateTime,
            [Ntry, ValDt, Dt] => Self::ValueDate,
            [Ntry, ValDt, DtTm] => Self::ValueDateTime,
            [Ntry, AcctSvcrRef] => Self::BankReference,
            [Ntry, NtryDtls, TxDtls, Refs, EndToEndId] => Self::EndToEndId,
            [Ntry, NtryDtls, TxDtls, RmtInf, Ustrd] => Self::Unstructured,
            [Ntry, AddtlNtryInf] => Self::AdditionalInformation,
            _ => return None,
        })
    }

    /// The value's path as errors name it.
    pub fn name(self) -> &'static str {
        match self {
            Self::StatementId => "Stmt/Id",
            Self::AccountId => "Stmt/Acct/Id",
            Self::AccountCurrency => "Stmt/Acct/Ccy",
            Self::BalanceType => "Bal/Tp/CdOrPrtry/Cd",
            Self::BalanceAmount => "Bal/Amt",
            Self::BalanceIndicator => "Bal/CdtDbtInd",
            Self::BalanceDate => "Bal/Dt/Dt",
            Self::BalanceDateTime => "Bal/Dt/DtTm",
            Self::EntryAmount => "Ntry/Amt",
            Self::EntryIndicator => "Ntry/CdtDbtInd",
            Self::EntryStatus => "Ntry/Sts",
            Self::BookingDate => "Ntry/BookgDt/Dt",
            Self::BookingDateTime => "Ntry/BookgDt/DtTm",
            Self::ValueDate => "Ntry/ValDt/Dt",
            Self::ValueDateTime => "Ntry/ValDt/DtTm",
            Self::BankReference => "Ntry/AcctSvcrRef",
            Self::EndToEndId => "Ntry/NtryDtls/TxDtls/Refs/EndToEndId",
            Self::Unstructured => "Ntry/NtryDtls/TxDtls/RmtInf/Ustrd",
            Self::AdditionalInformation => "Ntry/AddtlNtryInf",
        }
    }

    /// Whether the element carries the currency as a `Ccy` attribute.
    pub fn has_currency_attribute(self) -> bool {
        matches!(self, Self::BalanceAmount | Self::EntryAmount)
    }
}

/// An element whose start and end matter: they begin and finish a value group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    Statement,
    Balance,
    Entry,
    Transaction,
}

impl Group {
    /// The group that begins at `path` (root first), if any.
    pub fn at(path: &[Tag]) -> Option<Self> {
        use Tag::*;
        match path {
            [Document, BkToCstmrStmt, Stmt] => Some(Self::Statement),
            [Document, BkToCstmrStmt, Stmt, Bal] => Some(Self::Balance),
            [Document, BkToCstmrStmt, Stmt, Ntry] => Some(Self::Entry),
            [Document, BkToCstmrStmt, Stmt, Ntry, NtryDtls, TxDtls] => Some(Self::Transaction),
            _ => None,
        }
    }
}
