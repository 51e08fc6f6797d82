//! Test-only writers: one statement out in each format, as a bank would send it, for the
//! round-trip property tests and the parse benchmark. They write what the parsers read
//! and no more; they are not part of the crate's API.

use std::fmt::Write as _;

use mahasil_statements::{Direction, Format, Line, StatementParts};

/// The statement in `format`. MT940 pages hold `mt940_page_lines` lines each.
pub fn write(format: Format, parts: &StatementParts, mt940_page_lines: usize) -> Vec<u8> {
    match format {
        Format::Csv => csv(parts),
        Format::Mt940 => mt940(parts, mt940_page_lines).into_bytes(),
        Format::Camt053 => camt053(parts).into_bytes(),
    }
}

/// mahasil bank CSV, quoted by the `csv` crate where a field needs it.
fn csv(parts: &StatementParts) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(120 * (parts.lines.len() + 3)));
    let mut row = |fields: [&str; 9]| writer.write_record(fields).is_ok();
    let account = parts.account_id.as_str();
    let id = parts.statement_id.as_str();
    let mut ok = row(["account", "statement_id", "booking_date", "value_date", "direction", "amount", "bank_reference", "customer_reference", "narrative"]);
    ok &= row([account, id, &parts.from_date.to_string(), "", "opening", &signed_rupees(parts.opening_balance_paisa, '.'), "", "", "PKR"]);
    for line in &parts.lines {
        let direction = match line.direction {
            Direction::Credit => "credit",
            Direction::Debit => "debit",
        };
        ok &= row([
            account,
            id,
            &line.booking_date.to_string(),
            &line.value_date.to_string(),
            direction,
            &rupees(line.amount_paisa, '.'),
            &line.bank_reference,
            line.customer_reference.as_deref().unwrap_or_default(),
            &line.narrative,
        ]);
    }
    ok &= row([account, id, &parts.to_date.to_string(), "", "closing", &signed_rupees(parts.closing_balance_paisa, '.'), "", "", "PKR"]);
    assert!(ok, "writing CSV into memory cannot fail");
    writer.into_inner().unwrap_or_default()
}

/// SWIFT MT940 with CRLF line ends, split into pages of `page_lines` lines.
fn mt940(parts: &StatementParts, page_lines: usize) -> String {
    let mut out = String::with_capacity(130 * (parts.lines.len() + 8));
    let pages: Vec<&[Line]> = if parts.lines.is_empty() { vec![&[]] } else { parts.lines.chunks(page_lines.max(1)).collect() };
    let mut balance_paisa = parts.opening_balance_paisa;
    for (index, page) in pages.iter().enumerate() {
        let first = index == 0;
        let last = index + 1 == pages.len();
        out.push_str("{1:F01SCBLPKKXAXXX0000000000}{2:O940SCBLPKKXAXXXN}{4:\r\n");
        let _ = write!(out, ":20:{}\r\n:25:{}\r\n:28C:1/{}\r\n", parts.statement_id, parts.account_id, index + 1);
        let opening_tag = if first { "60F" } else { "60M" };
        let _ = write!(out, ":{opening_tag}:{}\r\n", swift_balance(balance_paisa, parts.from_date));
        for line in *page {
            mt940_line(&mut out, line);
            balance_paisa += line.direction.signed(line.amount_paisa);
        }
        let (closing_tag, date) = if last { ("62F", parts.to_date) } else { ("62M", parts.from_date) };
        let _ = write!(out, ":{closing_tag}:{}\r\n-}}\r\n", swift_balance(balance_paisa, date));
    }
    out
}

fn mt940_line(out: &mut String, line: &Line) {
    let mark = match line.direction {
        Direction::Credit => 'C',
        Direction::Debit => 'D',
    };
    let _ = write!(out, ":61:{}", line.value_date.strftime("%y%m%d"));
    if line.booking_date != line.value_date {
        let _ = write!(out, "{}", line.booking_date.strftime("%m%d"));
    }
    let customer = line.customer_reference.as_deref().unwrap_or("NONREF");
    let _ = write!(out, "{mark}{}NTRF{customer}//{}\r\n", rupees(line.amount_paisa, ','), line.bank_reference);
    if !line.narrative.is_empty() {
        let chars: Vec<char> = line.narrative.chars().collect();
        for (index, chunk) in chars.chunks(65).enumerate() {
            if index == 0 {
                out.push_str(":86:");
            }
            out.extend(chunk);
            out.push_str("\r\n");
        }
    }
}

fn swift_balance(signed_paisa: i64, date: jiff::civil::Date) -> String {
    let mark = if signed_paisa < 0 { 'D' } else { 'C' };
    format!("{mark}{}PKR{}", date.strftime("%y%m%d"), rupees(signed_paisa.abs(), ','))
}

/// ISO 20022 camt.053.001.08, indented as banks send it. Odd lines carry their narrative
/// in `AddtlNtryInf`, even lines in `RmtInf/Ustrd` pieces of 140 characters.
fn camt053(parts: &StatementParts) -> String {
    let mut out = String::with_capacity(900 * (parts.lines.len() + 4));
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">\n <BkToCstmrStmt>\n");
    out.push_str("  <GrpHdr><MsgId>MSG1</MsgId><CreDtTm>2025-01-16T12:00:00+05:00</CreDtTm></GrpHdr>\n  <Stmt>\n");
    let _ = write!(out, "   <Id>{}</Id>\n   <Acct><Id><Othr><Id>{}</Id></Othr></Id><Ccy>PKR</Ccy></Acct>\n", xml(&parts.statement_id), xml(&parts.account_id));
    camt_balance(&mut out, "OPBD", parts.opening_balance_paisa, parts.from_date);
    camt_balance(&mut out, "CLBD", parts.closing_balance_paisa, parts.to_date);
    for line in &parts.lines {
        camt_entry(&mut out, line);
    }
    out.push_str("  </Stmt>\n </BkToCstmrStmt>\n</Document>\n");
    out
}

fn camt_balance(out: &mut String, code: &str, signed_paisa: i64, date: jiff::civil::Date) {
    let indicator = if signed_paisa < 0 { "DBIT" } else { "CRDT" };
    let _ = write!(
        out,
        "   <Bal>\n    <Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>\n    <Amt Ccy=\"PKR\">{}</Amt>\n    <CdtDbtInd>{indicator}</CdtDbtInd>\n    <Dt><Dt>{date}</Dt></Dt>\n   </Bal>\n",
        rupees(signed_paisa.abs(), '.')
    );
}

fn camt_entry(out: &mut String, line: &Line) {
    let indicator = match line.direction {
        Direction::Credit => "CRDT",
        Direction::Debit => "DBIT",
    };
    let _ = write!(
        out,
        "   <Ntry>\n    <Amt Ccy=\"PKR\">{}</Amt>\n    <CdtDbtInd>{indicator}</CdtDbtInd>\n    <Sts><Cd>BOOK</Cd></Sts>\n    <BookgDt><Dt>{}</Dt></BookgDt>\n    <ValDt><Dt>{}</Dt></ValDt>\n    <AcctSvcrRef>{}</AcctSvcrRef>\n    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\n",
        rupees(line.amount_paisa, '.'),
        line.booking_date,
        line.value_date,
        xml(&line.bank_reference),
    );
    let in_remittance = line.line_no.is_multiple_of(2) && !line.narrative.is_empty();
    out.push_str("    <NtryDtls><TxDtls>\n");
    let _ = writeln!(out, "     <Refs><EndToEndId>{}</EndToEndId></Refs>", xml(line.customer_reference.as_deref().unwrap_or("NOTPROVIDED")));
    if in_remittance {
        out.push_str("     <RmtInf>");
        let chars: Vec<char> = line.narrative.chars().collect();
        for chunk in chars.chunks(140) {
            let _ = write!(out, "<Ustrd>{}</Ustrd>", xml(&chunk.iter().collect::<String>()));
        }
        out.push_str("</RmtInf>\n");
    }
    out.push_str("    </TxDtls></NtryDtls>\n");
    if !in_remittance && !line.narrative.is_empty() {
        let _ = writeln!(out, "    <AddtlNtryInf>{}</AddtlNtryInf>", xml(&line.narrative));
    }
    out.push_str("   </Ntry>\n");
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn rupees(paisa: i64, separator: char) -> String {
    format!("{}{separator}{:02}", paisa / 100, paisa % 100)
}

fn signed_rupees(paisa: i64, separator: char) -> String {
    if paisa < 0 { format!("-{}", rupees(-paisa, separator)) } else { rupees(paisa, separator) }
}
