//! `mahasil ledger check`: reads every transfer and checks the ledger's invariants
//! (DESIGN.md, "Ledger"), that every challan's postings agree with its frozen amounts, and
//! that what the ledger says is owed agrees with each challan's status (nothing on a
//! cancelled or paid challan, the whole amount on an open one). Exits 1 and names each
//! violation if any rule is broken.

use std::process::ExitCode;

use mahasil_domain::authz::Scope;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_store::ledger::MAX_TRANSFERS_PAGE;
use mahasil_store::{ChallanQuery, MAX_PAGE_SIZE, Store};

/// Most violations printed; the count is always printed in full.
const MAX_VIOLATIONS_SHOWN: usize = 50;

pub async fn check(store: &Store) -> anyhow::Result<ExitCode> {
    let mut transfers = Vec::new();
    let mut after = 0;
    loop {
        let page = store.transfers(after, MAX_TRANSFERS_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        transfers.extend(page.into_iter().map(|s| s.transfer));
    }
    let mut terms = Vec::new();
    let mut statuses = Vec::new();
    let mut query = ChallanQuery { limit: MAX_PAGE_SIZE, ..ChallanQuery::new(Scope::Everywhere) };
    loop {
        let page = store.search_challans(&query).await?;
        for c in &page.items {
            terms.push(mahasil_store::ledger::terms(c)?);
            statuses.push((c.challan_no, c.status, c.amount_paisa));
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let violations = mahasil_ledger::check_with_terms(&transfers, &terms);
    let balances = mahasil_ledger::Balances::from_transfers(&transfers).map_err(|e| anyhow::anyhow!("the ledger cannot be summed: {e}"))?;
    let disagreements: Vec<String> = statuses.iter().filter_map(|&(no, status, amount)| status_disagreement(&balances, no, status, amount)).collect();
    println!(
        "{} transfers over {} challans; trial balance {}",
        transfers.len(),
        terms.len(),
        if balances.trial_balance().is_balanced() { "balanced" } else { "NOT balanced" }
    );
    if violations.is_empty() && disagreements.is_empty() && balances.trial_balance().is_balanced() {
        println!("ledger intact: every invariant holds");
        return Ok(ExitCode::SUCCESS);
    }
    println!("ledger BROKEN: {} violation(s), {} challan(s) whose status the ledger contradicts", violations.len(), disagreements.len());
    for v in violations.iter().take(MAX_VIOLATIONS_SHOWN) {
        println!("  {}: {v}", v.rule());
    }
    for d in disagreements.iter().take(MAX_VIOLATIONS_SHOWN) {
        println!("  status: {d}");
    }
    Ok(ExitCode::from(1))
}

/// What the ledger should say a challan in `status` still owes, against what it says.
fn status_disagreement(balances: &mahasil_ledger::Balances, no: ChallanNo, status: ChallanStatus, amount_paisa: i64) -> Option<String> {
    let outstanding = balances.challan(no).map(|b| b.outstanding_paisa);
    let expected = match status {
        // Until it is paid, an open challan owes what it was issued for (a surcharge is
        // posted with the payment that owes it).
        ChallanStatus::Issued | ChallanStatus::Contested => amount_paisa,
        ChallanStatus::Paid | ChallanStatus::Cancelled | ChallanStatus::Waived => 0,
    };
    match outstanding {
        None => Some(format!("challan {no} ({}) has no transfers", status.as_str())),
        Some(o) if o != expected => Some(format!("challan {no} is {} but the ledger says {o} paisa is outstanding, not {expected}", status.as_str())),
        Some(_) => None,
    }
}
