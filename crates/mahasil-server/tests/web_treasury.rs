//! The treasury pages through the router on a real SQLite store: counter payments entered
//! by one treasury user and approved by another, the daily deposit view, bank statements
//! imported and reconciled end to end (clean, again, with anomalies, with a gap, reusing a
//! statement id, broken), the report download, and who may see and do what.

mod web_support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use mahasil_domain::authz::{Grant, Role};
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::jurisdiction::Slug;
use mahasil_ledger::{Channel, Clearing, TransferCode};
use mahasil_reconcile::generate::{Anomalies, StatementParams, statement_csv};
use mahasil_server::testing::{AUDITOR, OFFICER, OFFICER_MARDAN, PASSWORD};
use mahasil_store::{Actor, ChallanRecord, CounterStatus, NewPayment, NewUser, PaymentOutcome, PaymentRecord};
use tower::ServiceExt;
use uuid::Uuid;
use web_support::{Page, R, Session, Web, issue_as};

const TREASURY: &str = "treasury.peshawar";
const TREASURY2: &str = "treasury2.peshawar";

/// A treasury user over every department of Peshawar.
async fn add_treasury_user(web: &Web, username: &str) -> R {
    let hash = tokio::task::spawn_blocking(|| mahasil_server::auth::password::hash(PASSWORD)).await?.map_err(|e| e.to_string())?;
    let grant = Grant { role: Role::Treasury, district: Some(Slug::parse("peshawar")?), department: None };
    let user = NewUser { id: Uuid::now_v7(), username: username.into(), display_name: username.into(), password_hash: hash, grants: vec![grant] };
    web.state.store.create_user(&user, &Actor::system(), Timestamp::now()).await?;
    Ok(())
}

async fn treasury_web() -> R<Web> {
    let web = Web::new().await?;
    add_treasury_user(&web, TREASURY).await?;
    add_treasury_user(&web, TREASURY2).await?;
    Ok(web)
}

fn today() -> Date {
    mahasil_domain::time::local_date(Timestamp::now())
}

/// A challan of DA-ENC-01 (PKR 5,000) issued now by `officer`, for a made-up CNIC.
async fn challan(web: &Web, officer: &str, n: u32) -> R<ChallanRecord> {
    issue_as(web, officer, "DA-ENC-01", None, &format!("17301-{:07}-1", 1_234_000 + n), Timestamp::now()).await
}

/// A bank payment of the whole challan, paid today, taken by the store as a bank would.
async fn pay_by_bank(web: &Web, c: &ChallanRecord) -> R<PaymentRecord> {
    let payment = NewPayment {
        id: Uuid::now_v7(),
        challan_no: c.challan_no,
        clearing: Clearing { channel: Channel::Bank, holder: Slug::parse("demo-bank")? },
        reference: format!("T{}", c.challan_no.digits()),
        amount_paisa: c.amount_paisa,
        paid_on: today(),
        paid_at: Timestamp::now(),
        fingerprint: [7; 32],
        approved_by: None,
        taken_by: None,
        exact_amount: true,
    };
    let state = &web.state;
    match state.store.record_payment(&payment, state.config.issuer, &Actor::system(), Timestamp::now(), &state.receipts).await? {
        PaymentOutcome::Accepted(p) => Ok(p),
        other => Err(format!("payment not taken: {other:?}").into()),
    }
}

/// The statement line mahasil expects for a payment.
fn expected(p: &PaymentRecord, c: &ChallanRecord) -> mahasil_reconcile::ExpectedCredit {
    mahasil_server::treasury::expected_credit(p, c.head_code.clone(), c.district.to_string())
}

/// Uploads `bytes` as the statement file through the page's multipart form.
async fn upload(web: &Web, s: &Session, bytes: &[u8]) -> R<Page> {
    let boundary = "mahasil-test-boundary-7d3f";
    let mut body = Vec::new();
    for (name, value) in [("csrf", s.csrf.as_str()), ("days_in_transit", "")] {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"statement\"; filename=\"statement.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .method(Method::POST)
        .uri("/treasury/statements")
        .header(header::COOKIE, &s.cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))?;
    let response = web.router().oneshot(request).await?;
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await?.to_bytes();
    Ok(Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() })
}

/// How many transfers of each code the ledger holds.
async fn transfer_count(web: &Web, code: TransferCode) -> R<usize> {
    Ok(web.state.store.transfers(0, 10_000).await?.iter().filter(|t| t.transfer.code == code).count())
}

#[tokio::test]
async fn a_counter_payment_is_approved_by_a_second_treasury_user_only() -> R {
    let web = treasury_web().await?;
    let c = challan(&web, OFFICER, 1).await?;
    let maker = web.sign_in(TREASURY).await?;
    let form = web.get("/treasury/counter", &maker).await?;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Enter for approval") && form.body.contains("کاؤنٹر"), "{}", form.body);

    let today = today().to_string();
    let digits = c.challan_no.digits();
    let fields =
        |amount| [("challan_no", digits.as_str()), ("amount", amount), ("payer_name", "Sher Ali"), ("reference", "RB-12/0345"), ("paid_on", today.as_str())];
    let refused = web.post("/treasury/counter", &maker, &fields("4000")).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("the challan demands PKR 5,000.00"), "{}", refused.body);
    assert!(web.state.store.pending_counter_payments(None, 10).await?.is_empty(), "a refused entry stores nothing");

    let entered = web.post("/treasury/counter", &maker, &fields("5,000")).await?;
    assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.body);
    assert!(entered.location().starts_with("/treasury/counter?entered="), "{}", entered.location());
    let pending = web.state.store.pending_counter_payments(None, 10).await?;
    let [waiting] = pending.as_slice() else { return Err(format!("{} pending", pending.len()).into()) };
    assert_eq!((waiting.amount_paisa, waiting.requested_by.as_str(), waiting.reference.as_str()), (500_000, TREASURY, "RB-12/0345"));
    let list = web.get(entered.location(), &maker).await?;
    assert!(list.body.contains("Entered by you") && list.body.contains(&c.challan_no.to_string()), "{}", list.body);

    let own = web.post(&format!("/treasury/counter/{}", waiting.id), &maker, &[("decision", "approve"), ("note", "")]).await?;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    assert!(own.body.contains("second treasury user"), "{}", own.body);
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("challan")?.status, ChallanStatus::Issued);

    let checker = web.sign_in(TREASURY2).await?;
    let approved = web.post(&format!("/treasury/counter/{}", waiting.id), &checker, &[("decision", "approve"), ("note", "cash counted")]).await?;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let decided = web.state.store.counter_payment(waiting.id).await?.ok_or("counter payment")?;
    assert_eq!((decided.status, decided.decided_by.as_deref()), (CounterStatus::Approved, Some(TREASURY2)));
    let receipt = decided.receipt_no.ok_or("no receipt")?;
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("challan")?.status, ChallanStatus::Paid);
    let payment = web.state.store.payment_by_receipt(receipt).await?.ok_or("payment")?;
    assert_eq!((payment.channel, payment.amount_paisa, payment.recorded_by.as_str()), (Channel::Counter, 500_000, TREASURY));
    let shown = web.get(approved.location(), &checker).await?;
    assert!(shown.body.contains("counter-receipt") && shown.body.contains(&receipt.to_string()), "{}", shown.body);
    assert!(web.state.store.pending_counter_payments(None, 10).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_rejected_counter_payment_takes_nothing() -> R {
    let web = treasury_web().await?;
    let c = challan(&web, OFFICER, 2).await?;
    let maker = web.sign_in(TREASURY).await?;
    let today = today().to_string();
    let digits = c.challan_no.digits();
    let fields = [("challan_no", digits.as_str()), ("amount", "5000"), ("payer_name", "Sher Ali"), ("reference", "CHQ 778812"), ("paid_on", today.as_str())];
    assert_eq!(web.post("/treasury/counter", &maker, &fields).await?.status, StatusCode::SEE_OTHER);
    let id = web.state.store.pending_counter_payments(None, 10).await?.first().map(|p| p.id).ok_or("pending")?;
    let checker = web.sign_in(TREASURY2).await?;
    let rejected = web.post(&format!("/treasury/counter/{id}"), &checker, &[("decision", "reject"), ("note", "cheque bounced")]).await?;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);
    let decided = web.state.store.counter_payment(id).await?.ok_or("counter payment")?;
    assert_eq!((decided.status, decided.receipt_no, decided.note.as_deref()), (CounterStatus::Rejected, None, Some("cheque bounced")));
    assert_eq!(web.state.store.challan(c.id).await?.ok_or("challan")?.status, ChallanStatus::Issued);
    assert!(web.get(rejected.location(), &checker).await?.body.contains("was not taken"));

    let unknown = [("challan_no", "123456-00000001-0"), ("amount", "5000"), ("payer_name", "X"), ("reference", "R"), ("paid_on", today.as_str())];
    let refused = web.post("/treasury/counter", &maker, &unknown).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    Ok(())
}

/// The text of the element with `id` (up to its closing `tag`), tags removed and spaces
/// collapsed.
fn text_of(body: &str, id: &str, tag: &str) -> R<String> {
    let at = body.find(&format!("id=\"{id}\"")).ok_or_else(|| format!("no {id}"))?;
    let start = body[at..].find('>').ok_or("unterminated tag")? + at + 1;
    let end = body[start..].find(&format!("</{tag}>")).ok_or("unterminated element")? + start;
    let mut text = String::new();
    let mut in_tag = false;
    for ch in body[start..end].chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn row_text(body: &str, id: &str) -> R<String> {
    text_of(body, id, "tr")
}

#[tokio::test]
async fn the_deposit_view_shows_paid_deposited_and_in_transit_within_the_users_districts() -> R {
    let web = treasury_web().await?;
    let first = challan(&web, OFFICER, 3).await?;
    let second = challan(&web, OFFICER, 4).await?;
    let mardan = challan(&web, OFFICER_MARDAN, 5).await?;
    let paid = pay_by_bank(&web, &first).await?;
    pay_by_bank(&web, &second).await?;
    pay_by_bank(&web, &mardan).await?;

    let treasury = web.sign_in(TREASURY).await?;
    let page = web.get("/treasury", &treasury).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("روزانہ"), "Urdu heading");
    assert_eq!(row_text(&page.body, "deposit-totals")?, "Total of the days shown 2 PKR 10,000.00 PKR 0.00 PKR 10,000.00");
    assert!(page.body.contains("C02750"), "the head of account is shown");
    assert!(!page.body.contains(">mardan<"), "another district's money is not shown");

    // A statement shows the first payment arriving: it moves from in transit to deposited.
    let credits = [expected(&paid, &first)];
    let csv = statement_csv(&StatementParams::new(&credits, today(), today()));
    assert_eq!(upload(&web, &treasury, csv.as_bytes()).await?.status, StatusCode::SEE_OTHER);
    let page = web.get("/treasury", &treasury).await?;
    assert_eq!(row_text(&page.body, "deposit-totals")?, "Total of the days shown 2 PKR 10,000.00 PKR 5,000.00 PKR 5,000.00");

    let auditor = web.sign_in(AUDITOR).await?;
    let all = web.get(&format!("/treasury?from={}&to={}", today(), today()), &auditor).await?;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(row_text(&all.body, "deposit-totals")?, "Total of the days shown 3 PKR 15,000.00 PKR 5,000.00 PKR 10,000.00");
    assert!(all.body.contains(">mardan<"));
    let backwards = web.get("/treasury?from=2026-03-05&to=2026-03-01", &auditor).await?;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}

#[tokio::test]
async fn statements_import_end_to_end_once_and_in_order() -> R {
    let web = treasury_web().await?;
    let (c1, c2, c3, c4) =
        (challan(&web, OFFICER, 6).await?, challan(&web, OFFICER, 7).await?, challan(&web, OFFICER, 8).await?, challan(&web, OFFICER, 9).await?);
    let (p1, p2) = (pay_by_bank(&web, &c1).await?, pay_by_bank(&web, &c2).await?);
    let treasury = web.sign_in(TREASURY).await?;

    // A clean statement: both payments deposited, nothing unexplained.
    let credits = [expected(&p1, &c1), expected(&p2, &c2)];
    let clean_params = StatementParams::new(&credits, today(), today());
    let clean = statement_csv(&clean_params);
    let imported = upload(&web, &treasury, clean.as_bytes()).await?;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let report_path = imported.location().split('?').next().unwrap_or_default().to_owned();
    assert!(report_path.starts_with("/treasury/statements/") && report_path.len() == "/treasury/statements/".len() + 64, "{report_path}");
    let report = web.get(imported.location(), &treasury).await?;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert!(report.body.contains("Imported: 2 payments deposited"), "{}", report.body);
    assert_eq!(text_of(&report.body, "unexplained", "p")?, "Unexplained difference: PKR 0.00 . The statement reconciles clean.");
    assert!(report.body.contains("alert ok"));
    for p in [&p1, &p2] {
        let stored = web.state.store.payment_by_receipt(p.receipt_no).await?.ok_or("payment")?;
        assert!(stored.deposited_at.is_some() && stored.statement_id.as_deref() == Some(clean_params.statement_id.as_str()));
    }
    assert_eq!(transfer_count(&web, TransferCode::Deposited).await?, 2);
    let record = web.state.store.statements(10).await?.into_iter().next().ok_or("no statement")?;
    assert_eq!((record.deposited, record.deposited_paisa, record.unidentified, record.unexplained_paisa, record.lines), (2, 1_000_000, 0, 0, 2));

    // The same file again: nothing changes.
    let transfers = web.state.store.transfers(0, 10_000).await?.len();
    let again = upload(&web, &treasury, clean.as_bytes()).await?;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert!(again.location().ends_with("?already=1"), "{}", again.location());
    assert!(web.get(again.location(), &treasury).await?.body.contains("already imported: nothing changed"));
    assert_eq!(web.state.store.transfers(0, 10_000).await?.len(), transfers);
    assert_eq!(web.state.store.statements(10).await?.len(), 1);

    // The report downloads as CSV.
    let csv = web.get(&format!("{report_path}/report.csv"), &treasury).await?;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert!(
        csv.headers.get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("attachment; filename=\"reconciliation-"))
    );
    assert!(csv.body.starts_with("category,reference,line_no"), "{}", csv.body);
    assert!(csv.body.contains(&format!("matched,{}", p1.receipt_no.digits())), "{}", csv.body);

    // The next statement: one payment credited, one missing, and a credit nobody can match.
    let (p3, p4) = (pay_by_bank(&web, &c3).await?, pay_by_bank(&web, &c4).await?);
    let credits = [expected(&p3, &c3), expected(&p4, &c4)];
    let next_to = today().checked_add(5.days())?;
    let next = StatementParams {
        statement_id: "STMT-NEXT".into(),
        opening_balance_paisa: record.closing_paisa,
        anomalies: Anomalies { unidentified_paisa: Some(123_400), missing: Some(1), ..Anomalies::default() },
        ..StatementParams::new(&credits, today(), next_to)
    };
    let anomalous = upload(&web, &treasury, statement_csv(&next).as_bytes()).await?;
    assert_eq!(anomalous.status, StatusCode::SEE_OTHER, "{}", anomalous.body);
    let report = web.get(anomalous.location(), &treasury).await?;
    assert_eq!(text_of(&report.body, "unexplained", "p")?, "Unexplained difference: PKR 6,234.00 . 2 lines need a person; they are listed below.");
    assert!(report.body.contains("alert error"));
    assert!(report.body.contains("<tr data-category=\"unidentified\"><td data-label=\"Category\">Unidentified"), "{}", report.body);
    assert!(report.body.contains("CASH DEPOSIT BY HAND") && report.body.contains(&p4.receipt_no.digits()), "{}", report.body);
    let record = web.state.store.statements(10).await?.into_iter().next().ok_or("no statement")?;
    assert_eq!((record.deposited, record.unidentified, record.unidentified_paisa, record.unexplained_paisa), (1, 1, 123_400, 123_400 + 500_000));
    assert_eq!(transfer_count(&web, TransferCode::Unidentified).await?, 1, "the unidentified credit is in suspense");
    assert_eq!(transfer_count(&web, TransferCode::Deposited).await?, 3);
    assert!(web.state.store.payment_by_receipt(p4.receipt_no).await?.ok_or("payment")?.deposited_at.is_none());

    // A statement that does not open at the last closing balance: refused, nothing changes.
    let transfers = web.state.store.transfers(0, 10_000).await?.len();
    let gap =
        StatementParams { statement_id: "STMT-GAP".into(), opening_balance_paisa: record.closing_paisa + 100, ..StatementParams::new(&[], next_to, next_to) };
    let refused = upload(&web, &treasury, statement_csv(&gap).as_bytes()).await?;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("a statement is missing or wrong"), "{}", refused.body);
    // Another file under a statement id already imported: refused.
    let reused =
        StatementParams { statement_id: "STMT-NEXT".into(), opening_balance_paisa: record.closing_paisa, ..StatementParams::new(&[], next_to, next_to) };
    let refused = upload(&web, &treasury, statement_csv(&reused).as_bytes()).await?;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("imported before from another file"), "{}", refused.body);
    assert_eq!(web.state.store.transfers(0, 10_000).await?.len(), transfers);
    assert_eq!(web.state.store.statements(10).await?.len(), 2);

    let list = web.get("/treasury/statements", &treasury).await?;
    assert!(list.body.contains("STMT-NEXT") && list.body.contains(&clean_params.statement_id), "{}", list.body);
    Ok(())
}

#[tokio::test]
async fn a_broken_statement_is_refused_naming_the_line_and_field() -> R {
    let web = treasury_web().await?;
    let treasury = web.sign_in(TREASURY).await?;
    let c = challan(&web, OFFICER, 10).await?;
    let p = pay_by_bank(&web, &c).await?;
    let credits = [expected(&p, &c)];
    let csv = statement_csv(&StatementParams::new(&credits, today(), today()));
    let broken = csv.replacen(",5000.00,", ",50O0.00,", 1);
    assert_ne!(broken, csv);
    let refused = upload(&web, &treasury, broken.as_bytes()).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("the statement file was refused: file line 3: amount"), "{}", refused.body);
    let empty = upload(&web, &treasury, b"").await?;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    assert!(web.state.store.statements(10).await?.is_empty());
    assert!(web.state.store.payment_by_receipt(p.receipt_no).await?.ok_or("payment")?.deposited_at.is_none());
    assert_eq!(web.get("/treasury/statements/00", &treasury).await?.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn a_statement_may_be_larger_than_a_form_but_not_than_its_own_limit() -> R {
    let web = treasury_web().await?;
    let treasury = web.sign_in(TREASURY).await?;
    let refunds = [2_500; 1_000];
    let params = StatementParams { debits_paisa: &refunds, ..StatementParams::new(&[], today(), today()) };
    let csv = statement_csv(&params);
    assert!(csv.len() > mahasil_server::MAX_BODY_BYTES, "{} bytes", csv.len());
    let imported = upload(&web, &treasury, csv.as_bytes()).await?;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let report = web.get(imported.location(), &treasury).await?;
    assert!(report.body.contains("1000 lines"), "{}", report.body);

    let too_large = vec![b'x'; mahasil_server::treasury::MAX_STATEMENT_UPLOAD_BYTES + 200 * 1024];
    let refused = upload(&web, &treasury, &too_large).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("larger than the 64 MiB"), "{}", refused.body);
    assert_eq!(web.state.store.statements(10).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn reconcile_file_works_without_a_request() -> R {
    let web = treasury_web().await?;
    let c = challan(&web, OFFICER, 11).await?;
    let p = pay_by_bank(&web, &c).await?;
    let credits = [expected(&p, &c)];
    let csv = statement_csv(&StatementParams::new(&credits, today(), today()));
    let mut calls = 0u32;
    let store = &web.state.store;
    let reconciled = mahasil_server::treasury::reconcile_file(store, csv.as_bytes(), mahasil_reconcile::Settlement::default(), &mut |_, _| calls += 1).await?;
    assert!(calls >= 2);
    assert!(reconciled.clean && reconciled.unexplained_difference_paisa == 0);
    assert_eq!(reconciled.matched, [(p.receipt_no, 500_000)]);
    assert!(reconciled.summary_text.contains("Clean"), "{}", reconciled.summary_text);
    let import = reconciled.into_import(&Actor::system(), Timestamp::now())?;
    assert_eq!((import.record.deposited, import.record.deposited_paisa, import.record.format.as_str()), (1, 500_000, "csv"));
    assert_eq!(import.record.sha256, sha2_digest(csv.as_bytes()));
    assert!(matches!(store.import_statement(&import, &Actor::system(), Timestamp::now()).await?, mahasil_store::ImportOutcome::Imported(_)));
    assert!(ChallanNo::parse(&p.receipt_no.digits()).is_ok());
    Ok(())
}

fn sha2_digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

#[tokio::test]
async fn only_treasury_users_work_here_and_auditors_only_look() -> R {
    let web = treasury_web().await?;
    let officer = web.sign_in(OFFICER).await?;
    for path in ["/treasury", "/treasury/counter", "/treasury/statements"] {
        assert_eq!(web.get(path, &officer).await?.status, StatusCode::FORBIDDEN, "{path}");
    }
    let home = web.get("/", &officer).await?;
    assert!(!home.body.contains("href=\"/treasury\""), "no treasury link for an officer");

    let treasury = web.sign_in(TREASURY).await?;
    assert!(web.get("/", &treasury).await?.body.contains("href=\"/treasury\""));

    let auditor = web.sign_in(AUDITOR).await?;
    assert!(web.get("/", &auditor).await?.body.contains("href=\"/treasury\""));
    let counter = web.get("/treasury/counter", &auditor).await?;
    assert_eq!(counter.status, StatusCode::OK);
    assert!(!counter.body.contains("Enter for approval"), "an auditor enters nothing");
    let statements = web.get("/treasury/statements", &auditor).await?;
    assert_eq!(statements.status, StatusCode::OK);
    assert!(!statements.body.contains("Import and reconcile"), "an auditor imports nothing");
    assert_eq!(upload(&web, &auditor, b"anything").await?.status, StatusCode::FORBIDDEN);
    let today = today().to_string();
    let c = challan(&web, OFFICER, 12).await?;
    let digits = c.challan_no.digits();
    let fields = [("challan_no", digits.as_str()), ("amount", "5000"), ("payer_name", "X"), ("reference", "R"), ("paid_on", today.as_str())];
    assert_eq!(web.post("/treasury/counter", &auditor, &fields).await?.status, StatusCode::FORBIDDEN);

    // A treasury user of Peshawar cannot take money for a Mardan challan.
    let mardan = challan(&web, OFFICER_MARDAN, 13).await?;
    let digits = mardan.challan_no.digits();
    let fields = [("challan_no", digits.as_str()), ("amount", "5000"), ("payer_name", "X"), ("reference", "R"), ("paid_on", today.as_str())];
    assert_eq!(web.post("/treasury/counter", &treasury, &fields).await?.status, StatusCode::FORBIDDEN);
    // A form without the session's token is refused.
    let forged = web.send(Method::POST, "/treasury/counter", Some(&treasury.cookie), Some(&fields)).await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    Ok(())
}
