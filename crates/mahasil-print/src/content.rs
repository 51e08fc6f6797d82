//! What goes on the paper, in which order: the same for A4 and thermal, only sizes differ.

use std::sync::Arc;

use crate::Result;
use crate::document::{Document, Kind, Notice, Receipt};
use crate::flow::{Align, Flow};
use crate::qr::QrMatrix;
use crate::shape::{Dir, TextStyle};
use crate::wording::{self, Words};

/// Lays out `doc` top to bottom; `qr_module` is the module size chosen for this medium.
pub(crate) fn compose(flow: &mut Flow, doc: &Document, qr: Arc<QrMatrix>, qr_module: f32) -> Result<()> {
    let s = flow.style;
    let regular = |size| TextStyle { size, bold: false };
    let bold = |size| TextStyle { size, bold: true };
    if doc.demo {
        demo_banner(flow)?;
    }
    flow.space(s.gap / 2.0);
    flow.bilingual(wording::GOVERNMENT.en, wording::GOVERNMENT.ur, regular(s.small), Align::Center)?;
    flow.space(s.gap / 2.0);
    flow.paragraph(&doc.title_en, Dir::Ltr, bold(s.title), Align::Center)?;
    flow.paragraph(&doc.title_ur, Dir::Rtl, regular(s.title), Align::Center)?;
    flow.rule();
    match &doc.kind {
        Kind::Notice(notice) => notice_head(flow, doc, notice)?,
        Kind::Receipt(receipt) => receipt_head(flow, doc, receipt)?,
    }
    flow.rule();
    for row in &doc.rows {
        flow.field(&row.label_en, &row.label_ur, &row.value, regular(s.body))?;
    }
    if let Kind::Notice(notice) = &doc.kind {
        flow.rule();
        let (en, ur) = wording::payment_instructions(doc.challan_no, notice);
        flow.paragraph(&en, Dir::Ltr, regular(s.body), Align::Start)?;
        flow.space(s.gap / 2.0);
        flow.paragraph(&ur, Dir::Rtl, regular(s.body), Align::Start)?;
    }
    flow.rule();
    flow.space(s.gap / 2.0);
    flow.qr(qr, qr_module);
    flow.bilingual(wording::SCAN_TO_VERIFY.en, wording::SCAN_TO_VERIFY.ur, regular(s.small), Align::Center)?;
    if doc.demo {
        // Repeated at the foot: a torn-off thermal slip must still say it is not real.
        flow.space(s.gap);
        demo_banner(flow)?;
    }
    Ok(())
}

fn demo_banner(flow: &mut Flow) -> Result<()> {
    let style = TextStyle { size: flow.style.body, bold: true };
    flow.inverted(|f| f.bilingual(wording::DEMO.en, wording::DEMO.ur, style, Align::Center))
}

fn notice_head(flow: &mut Flow, doc: &Document, notice: &Notice) -> Result<()> {
    let s = flow.style;
    let big = TextStyle { size: s.large, bold: true };
    field(flow, wording::CHALLAN_NO, &doc.challan_no.to_string(), big)?;
    field(flow, wording::PAYABLE_BY, &wording::money(notice.amount), big)?;
    field(flow, wording::DUE_DATE, &wording::date_en(notice.due_date), TextStyle { size: s.body, bold: true })?;
    field(flow, wording::PAYABLE_AFTER, &wording::money(notice.amount_after_due), TextStyle { size: s.body, bold: true })
}

fn receipt_head(flow: &mut Flow, doc: &Document, receipt: &Receipt) -> Result<()> {
    let s = flow.style;
    let big = TextStyle { size: s.large, bold: true };
    let body = TextStyle { size: s.body, bold: false };
    flow.framed(|f| f.bilingual(wording::PAID.en, wording::PAID.ur, big, Align::Center))?;
    flow.space(s.gap / 2.0);
    field(flow, wording::RECEIPT_NO, &receipt.receipt_no.to_string(), big)?;
    field(flow, wording::AMOUNT_PAID, &wording::money(receipt.amount_paid), big)?;
    field(flow, wording::CHALLAN_NO, &doc.challan_no.to_string(), TextStyle { size: s.body, bold: true })?;
    field(flow, wording::PAID_AT, &wording::time(receipt.paid_at), body)?;
    let channel = wording::channel(receipt.channel);
    field(flow, wording::CHANNEL, &format!("{} / {}", channel.en, channel.ur), body)?;
    field(flow, wording::REFERENCE, &receipt.reference, body)
}

fn field(flow: &mut Flow, label: Words, value: &str, style: TextStyle) -> Result<()> {
    flow.field(label.en, label.ur, value, style)
}
