//! What each format accepts beyond the fixtures: the variations banks really send, read
//! into the values they mean.

use jiff::civil::date;
use mahasil_statements::{Direction, Format, StatementError, parse};

type TestResult = Result<(), StatementError>;

#[test]
fn csv_with_bom_crlf_blank_lines_quotes_and_an_overdrawn_account() -> TestResult {
    let text = "\u{feff}account,statement_id,booking_date,value_date,direction,amount,bank_reference,customer_reference,narrative\r\n\
                \r\n\
                PK00TEST0000000000000001,S1,2025-03-01,,opening,-300.00,,,PKR\r\n\
                PK00TEST0000000000000001,S1,2025-03-01,2025-02-28,credit,\"1,00,000\",R1,,\"جرمانہ, پشاور\nدوسری سطر\"\r\n\
                \r\n\
                PK00TEST0000000000000001,S1,2025-03-02,,closing,\"99,700.00\",,,PKR\r\n\
                \r\n";
    let statement = parse(text.as_bytes())?;
    assert_eq!(statement.format(), Format::Csv);
    assert_eq!(statement.opening_balance_paisa(), -30_000);
    assert_eq!(statement.closing_balance_paisa(), 9_970_000);
    let line = &statement.lines()[0];
    assert_eq!(line.amount_paisa, 10_000_000);
    assert_eq!(line.narrative, "جرمانہ, پشاور\nدوسری سطر");
    assert_eq!(line.customer_reference, None);
    assert_eq!(line.value_date, date(2025, 2, 28));
    Ok(())
}

#[test]
fn csv_with_no_movements() -> TestResult {
    let text = "account,statement_id,booking_date,value_date,direction,amount,bank_reference,customer_reference,narrative\n\
                A1,S1,2025-03-01,,opening,0,,,PKR\n\
                A1,S1,2025-03-01,,closing,0.00,,,PKR\n";
    let statement = parse(text.as_bytes())?;
    assert!(statement.lines().is_empty());
    assert!(statement.duplicates().is_empty());
    Ok(())
}

#[test]
fn mt940_without_blocks_with_reversals_a_year_end_and_trailer_fields() -> TestResult {
    let text = ":20:STMT991231\n\
                :21:NONREF\n\
                :25:SCBLPKKX/01123456702\n\
                :28C:365\n\
                :60F:D241231PKR100,\n\
                :61:2412310101C1000,NTRFNONREF//B1\n\
                DEPOSIT AT COUNTER\n\
                :61:250101RC250,5NTRFC-7//B2\n\
                :86:REVERSED: CHEQUE RETURNED\n\
                :61:250101RD50,NMSC123//B3\n\
                :62F:C250101PKR699,50\n\
                :64:C250101PKR699,50\n\
                :65:C250102PKR699,50\n\
                :65:C250103PKR699,50\n\
                :86:STATEMENT-LEVEL INFORMATION IS NOT KEPT\n";
    let statement = parse(text.as_bytes())?;
    assert_eq!(statement.format(), Format::Mt940);
    assert_eq!(statement.account_id(), "SCBLPKKX/01123456702");
    assert_eq!(statement.opening_balance_paisa(), -10_000);
    assert_eq!((statement.from_date(), statement.to_date()), (date(2024, 12, 31), date(2025, 1, 1)));
    let lines = statement.lines();
    assert_eq!((lines[0].value_date, lines[0].booking_date), (date(2024, 12, 31), date(2025, 1, 1)));
    assert_eq!(lines[0].narrative, "DEPOSIT AT COUNTER");
    assert_eq!(lines[0].customer_reference, None);
    assert_eq!((lines[1].direction, lines[1].amount_paisa), (Direction::Debit, 25_050));
    assert_eq!(lines[1].customer_reference.as_deref(), Some("C-7"));
    assert_eq!(lines[1].narrative, "REVERSED: CHEQUE RETURNED");
    assert_eq!(lines[2].direction, Direction::Credit);
    Ok(())
}

#[test]
fn camt053_with_a_prefix_other_account_batch_entry_and_character_references() -> TestResult {
    let text = r#"<?xml version="1.0"?>
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<c:BkToCstmrStmt><c:GrpHdr><c:MsgId>M</c:MsgId></c:GrpHdr>
<c:Stmt><c:Id>S-1</c:Id>
<c:Acct><c:Id><c:Othr><c:Id>01123456702</c:Id></c:Othr></c:Id></c:Acct>
<c:Bal><c:Tp><c:CdOrPrtry><c:Cd>OPBD</c:Cd></c:CdOrPrtry></c:Tp><c:Amt Ccy="PKR">0</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2025-03-01</c:Dt></c:Dt></c:Bal>
<c:Bal><c:Tp><c:CdOrPrtry><c:Cd>CLBD</c:Cd></c:CdOrPrtry></c:Tp><c:Amt Ccy="PKR">10000.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2025-03-01</c:Dt></c:Dt></c:Bal>
<c:Ntry><c:Amt Ccy="PKR">10000.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Sts>BOOK</c:Sts>
<c:BookgDt><c:Dt>2025-03-01</c:Dt></c:BookgDt><c:ValDt><c:Dt>2025-03-01</c:Dt></c:ValDt><c:AcctSvcrRef>BATCH-1</c:AcctSvcrRef>
<c:NtryDtls>
<c:TxDtls><c:Refs><c:EndToEndId>1111111111111</c:EndToEndId></c:Refs><c:RmtInf><c:Ustrd>&#x62C;&#x631;&#x645;&#x627;&#x646;&#x6C1; &lt;1&gt;</c:Ustrd></c:RmtInf></c:TxDtls>
<c:TxDtls><c:Refs><c:EndToEndId>2222222222222</c:EndToEndId></c:Refs><c:RmtInf><c:Ustrd>SECOND</c:Ustrd></c:RmtInf></c:TxDtls>
</c:NtryDtls><c:AddtlNtryInf/></c:Ntry>
</c:Stmt></c:BkToCstmrStmt></c:Document>"#;
    let statement = parse(text.as_bytes())?;
    assert_eq!(statement.format(), Format::Camt053);
    assert_eq!(statement.account_id(), "01123456702");
    let line = &statement.lines()[0];
    assert_eq!(line.customer_reference, None, "a batch of two payments has no single payer reference");
    assert_eq!(line.narrative, "", "an empty AddtlNtryInf is the narrative the bank chose");
    let without_additional = text.replace("<c:AddtlNtryInf/>", "");
    assert_eq!(parse(without_additional.as_bytes())?.lines()[0].narrative, "جرمانہ <1>");
    Ok(())
}
