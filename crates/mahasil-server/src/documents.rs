//! Printable notices of challans: what goes on the A4 PDF and the thermal slips, from a
//! stored challan, its head's titles and its seal. The staff copy names the offender; the
//! public copy (downloaded by anyone holding the QR code) leaves every personal detail
//! out, as the seal itself does.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mahasil_domain::money::Paisa;
use mahasil_print::{Document, Kind, Notice, Paper, Row};
use mahasil_store::ChallanRecord;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A printable format of a notice, as named in download links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    A4Pdf,
    Thermal(Paper),
}

impl Format {
    /// `notice.pdf`, `notice-58.png` or `notice-80.png`.
    pub fn parse(file: &str) -> Option<Self> {
        match file {
            "notice.pdf" => Some(Self::A4Pdf),
            "notice-58.png" => Some(Self::Thermal(Paper::Mm58)),
            "notice-80.png" => Some(Self::Thermal(Paper::Mm80)),
            _ => None,
        }
    }

    pub const FILES: [(&'static str, &'static str); 3] =
        [("notice.pdf", "A4 PDF"), ("notice-58.png", "58 mm thermal slip"), ("notice-80.png", "80 mm thermal slip")];
}

/// Whose copy: the staff copy names the offender, the public one does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copy {
    Staff,
    Public,
}

/// The notice of `c` in `format`, as an HTTP download.
pub async fn notice(state: &AppState, c: &ChallanRecord, copy: Copy, format: Format) -> ApiResult<Response> {
    let seal = c.seal.as_deref().ok_or_else(|| ApiError::not_found(format!("challan {} has no seal to print", c.challan_no)))?;
    let head = state.head(&mahasil_domain::head::HeadCode::parse(&c.head_code)?).await?;
    let (title_en, title_ur) = head.map_or_else(|| (c.head_code.clone(), c.head_code.clone()), |h| (h.head.title_en, h.head.title_ur));
    let document = Document {
        demo: state.config.demo,
        title_en: format!("Challan: {title_en}"),
        title_ur: format!("چالان: {title_ur}"),
        challan_no: c.challan_no,
        rows: rows(c, copy),
        qr_url: mahasil_seal::qr_url(&state.config.public_base_url, seal),
        kind: Kind::Notice(Notice { amount: Paisa::new(c.amount_paisa)?, amount_after_due: Paisa::new(c.amount_after_due_paisa)?, due_date: c.due_date }),
    };
    let name = format!("challan-{}", c.challan_no.digits());
    let render = move || match format {
        Format::A4Pdf => mahasil_print::pdf_a4(&document).map(|b| (b, "application/pdf", format!("{name}.pdf"))),
        Format::Thermal(paper) => {
            mahasil_print::thermal_png(&document, paper).map(|b| (b, "image/png", format!("{name}-{}mm.png", if paper == Paper::Mm58 { 58 } else { 80 })))
        }
    };
    let (bytes, content_type, file) = tokio::task::spawn_blocking(render).await.map_err(|_| ApiError::internal())?.map_err(|e| {
        tracing::error!(error = %e, "cannot render a notice");
        ApiError::internal()
    })?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(disposition) = HeaderValue::from_str(&format!("inline; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

fn rows(c: &ChallanRecord, copy: Copy) -> Vec<Row> {
    let o = &c.offender;
    let mut rows = Vec::new();
    if copy == Copy::Staff {
        rows.push(Row::new("Name", "نام", o.name.as_str()));
        rows.push(Row::new("CNIC", "شناختی کارڈ", o.cnic.as_str()));
    }
    if let Some(v) = &o.vehicle_no {
        rows.push(Row::new("Vehicle", "گاڑی", v.as_str()));
    }
    if let Some(b) = &o.business_name {
        rows.push(Row::new("Business", "کاروبار", b.as_str()));
    }
    if copy == Copy::Staff {
        rows.push(Row::new("Location", "مقام", c.location.text.as_str()));
    }
    rows.push(Row::new("District", "ضلع", c.district.as_str()));
    rows.push(Row::new("Head", "مد", c.head_code.as_str()));
    rows.push(Row::new("Officer", "افسر", c.officer_username.as_str()));
    rows.push(Row::new("Issued", "جاری", crate::web::karachi_time(c.received_at)));
    rows
}
