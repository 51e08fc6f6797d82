//! The demo catalogue: departments and the revenue heads they collect, each with its
//! version-1 fee schedule in force from 2025-01-01.
//!
//! Titles, amounts and legal bases follow the fines, taxes and fees district offices in
//! KP actually collect. Treasury head-of-account codes are shaped like the New
//! Accounting Model's (`B` tax receipts, `C` non-tax receipts) but are demonstration
//! values, to be replaced by the Finance Department's codes in a real province.

use jiff::civil::Date;
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode, HeadKind, RevenueHead};
use mahasil_domain::jurisdiction::{Department, Slug};
use mahasil_domain::money::Paisa;

/// The day every demo schedule comes into force.
pub(super) const SCHEDULES_EFFECTIVE_FROM: Date = Date::constant(2025, 1, 1);

pub(super) const DISTRICT_ADMINISTRATION: &str = "district-administration";
pub(super) const PRICE_CONTROL: &str = "price-control";
pub(super) const FOOD_AUTHORITY: &str = "food-authority";
pub(super) const LOCAL_GOVERNMENT: &str = "local-government";
pub(super) const EXCISE_TAXATION: &str = "excise-taxation";

/// Slug, English name, Urdu name.
pub(super) const DEPARTMENTS: [(&str, &str, &str); 6] = [
    (DISTRICT_ADMINISTRATION, "District Administration", "ضلعی انتظامیہ"),
    (PRICE_CONTROL, "Price Control", "پرائس کنٹرول"),
    (FOOD_AUTHORITY, "KP Food Safety and Halal Food Authority", "خیبر پختونخوا فوڈ سیفٹی اینڈ حلال فوڈ اتھارٹی"),
    (LOCAL_GOVERNMENT, "Local Government", "بلدیات"),
    (EXCISE_TAXATION, "Excise, Taxation and Narcotics Control", "ایکسائز، ٹیکسیشن اینڈ نارکوٹکس کنٹرول"),
    ("environmental-protection", "Environmental Protection Agency", "تحفظ ماحولیات ایجنسی"),
];

/// What a challan under a head is addressed to; the offender generator fills in a
/// vehicle, a business or a property address accordingly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Subject {
    Person,
    Vehicle,
    Business,
    Property,
}

/// Amounts in whole rupees, as the schedules are notified.
#[derive(Debug, Clone, Copy)]
pub(super) enum Amount {
    /// Fixed; after the due date either a fixed higher amount or the same.
    Fixed { rupees: i64, after_due_rupees: Option<i64> },
    /// A range the officer chooses from (`typical` are the amounts officers usually
    /// write); after the due date a surcharge in basis points, or the same.
    Range { min_rupees: i64, max_rupees: i64, surcharge_bp: Option<u32>, typical: &'static [i64] },
}

/// One head of the catalogue with its schedule and how often officers use it.
#[derive(Debug, Clone, Copy)]
pub(super) struct HeadSpec {
    pub code: &'static str,
    pub kind: HeadKind,
    pub department: &'static str,
    pub title_en: &'static str,
    pub title_ur: &'static str,
    pub legal_basis: &'static str,
    pub account_code: &'static str,
    pub amount: Amount,
    pub due_days: u16,
    pub subject: Subject,
    /// Relative frequency among the heads an officer may issue.
    pub weight: u32,
}

const fn fixed(rupees: i64, after_due_rupees: Option<i64>) -> Amount {
    Amount::Fixed { rupees, after_due_rupees }
}

const fn range(min_rupees: i64, max_rupees: i64, surcharge_bp: Option<u32>, typical: &'static [i64]) -> Amount {
    Amount::Range { min_rupees, max_rupees, surcharge_bp, typical }
}

const ENCROACHMENT_ACT: &str = "KP Public Property (Removal of Encroachment) Act 1977 s. 7";
const PRICE_CONTROL_ACT: &str = "KP Price Control and Prevention of Profiteering and Hoarding Act 1977";
const FOOD_ACT: &str = "KP Food Safety and Halal Food Authority Act 2014";

use HeadKind::{Fee, Fine, Tax};
use Subject::{Business, Person, Property, Vehicle};

#[rustfmt::skip]
pub(super) const HEADS: [HeadSpec; 23] = [
    // District administration (Assistant and Additional Assistant Commissioners).
    HeadSpec { code: "DA-ENC-01", kind: Fine, department: DISTRICT_ADMINISTRATION, title_en: "Encroachment on a public road", title_ur: "سرکاری سڑک پر تجاوزات", legal_basis: ENCROACHMENT_ACT, account_code: "C02750", amount: fixed(5_000, Some(6_000)), due_days: 14, subject: Business, weight: 30 },
    HeadSpec { code: "DA-CRT-01", kind: Fine, department: DISTRICT_ADMINISTRATION, title_en: "Hand cart parked on a public road", title_ur: "سڑک پر ہتھ ریڑھی کی غیر قانونی پارکنگ", legal_basis: ENCROACHMENT_ACT, account_code: "C02750", amount: fixed(1_000, Some(1_500)), due_days: 14, subject: Person, weight: 18 },
    HeadSpec { code: "DA-BRN-01", kind: Fine, department: DISTRICT_ADMINISTRATION, title_en: "Burning of waste in the open", title_ur: "کھلے عام کچرا جلانا", legal_basis: "KP Environmental Protection Act 2014 s. 11", account_code: "C02750", amount: range(1_000, 10_000, Some(1_000), &[1_000, 2_000, 5_000, 10_000]), due_days: 14, subject: Person, weight: 6 },
    HeadSpec { code: "DA-S144-01", kind: Fine, department: DISTRICT_ADMINISTRATION, title_en: "Violation of an order under section 144 CrPC (pillion riding, gatherings)", title_ur: "دفعہ 144 کے تحت حکم کی خلاف ورزی", legal_basis: "Code of Criminal Procedure 1898 s. 144; Pakistan Penal Code s. 188", account_code: "C02750", amount: range(2_000, 25_000, Some(1_000), &[2_000, 5_000, 10_000]), due_days: 14, subject: Vehicle, weight: 10 },
    HeadSpec { code: "DA-LSP-01", kind: Fine, department: DISTRICT_ADMINISTRATION, title_en: "Misuse of loudspeaker or sound system", title_ur: "لاؤڈ اسپیکر کا غلط استعمال", legal_basis: "KP Sound Systems (Regulation) Act 2015", account_code: "C02750", amount: fixed(2_000, Some(2_500)), due_days: 14, subject: Vehicle, weight: 5 },
    HeadSpec { code: "DA-WCH-01", kind: Fine, department: DISTRICT_ADMINISTRATION, title_en: "Wall chalking on public property", title_ur: "سرکاری املاک پر وال چاکنگ", legal_basis: "Order of the Deputy Commissioner under s. 144 CrPC (wall chalking)", account_code: "C02750", amount: fixed(3_000, Some(4_000)), due_days: 14, subject: Person, weight: 4 },
    HeadSpec { code: "DA-SMK-01", kind: Fine, department: DISTRICT_ADMINISTRATION, title_en: "Smoking in a public place", title_ur: "عوامی مقام پر سگریٹ نوشی", legal_basis: "Prohibition of Smoking and Protection of Non-smokers Health Ordinance 2002 s. 11", account_code: "C02750", amount: fixed(1_000, None), due_days: 7, subject: Person, weight: 4 },
    // Price control (magistrates and price control committees).
    HeadSpec { code: "PC-OVR-01", kind: Fine, department: PRICE_CONTROL, title_en: "Overcharging above the notified price", title_ur: "گراں فروشی (مقررہ نرخ سے زائد وصولی)", legal_basis: PRICE_CONTROL_ACT, account_code: "C02752", amount: range(1_000, 50_000, Some(1_000), &[1_000, 2_000, 3_000, 5_000, 10_000, 20_000]), due_days: 30, subject: Business, weight: 30 },
    HeadSpec { code: "PC-PRL-01", kind: Fine, department: PRICE_CONTROL, title_en: "Notified price list not displayed", title_ur: "نرخ نامہ آویزاں نہ کرنا", legal_basis: PRICE_CONTROL_ACT, account_code: "C02752", amount: fixed(2_000, Some(2_500)), due_days: 14, subject: Business, weight: 20 },
    HeadSpec { code: "PC-HRD-01", kind: Fine, department: PRICE_CONTROL, title_en: "Hoarding of essential commodities", title_ur: "اشیائے ضروریہ کی ذخیرہ اندوزی", legal_basis: PRICE_CONTROL_ACT, account_code: "C02752", amount: range(10_000, 100_000, Some(2_000), &[10_000, 25_000, 50_000, 100_000]), due_days: 30, subject: Business, weight: 4 },
    HeadSpec { code: "PC-WGT-01", kind: Fine, department: PRICE_CONTROL, title_en: "Short weighing or unverified weights", title_ur: "کم تولنا یا غیر تصدیق شدہ باٹ", legal_basis: "KP Weights and Measures (International System) Enforcement Act 1976", account_code: "C02752", amount: range(1_000, 20_000, Some(1_000), &[1_000, 2_000, 5_000]), due_days: 14, subject: Business, weight: 8 },
    // Food authority.
    HeadSpec { code: "FA-HYG-01", kind: Fine, department: FOOD_AUTHORITY, title_en: "Unhygienic conditions at food premises", title_ur: "خوراک کے کاروبار میں غیر صحت بخش حالات", legal_basis: FOOD_ACT, account_code: "C02760", amount: range(5_000, 100_000, Some(1_000), &[5_000, 10_000, 20_000, 50_000]), due_days: 14, subject: Business, weight: 20 },
    HeadSpec { code: "FA-ADL-01", kind: Fine, department: FOOD_AUTHORITY, title_en: "Sale of adulterated food", title_ur: "ملاوٹ شدہ خوراک کی فروخت", legal_basis: FOOD_ACT, account_code: "C02760", amount: range(10_000, 500_000, Some(1_000), &[10_000, 25_000, 50_000, 100_000]), due_days: 30, subject: Business, weight: 8 },
    HeadSpec { code: "FA-LIC-01", kind: Fine, department: FOOD_AUTHORITY, title_en: "Food business run without a licence", title_ur: "لائسنس کے بغیر خوراک کا کاروبار", legal_basis: FOOD_ACT, account_code: "C02760", amount: fixed(10_000, Some(12_000)), due_days: 30, subject: Business, weight: 6 },
    HeadSpec { code: "FA-MED-01", kind: Fine, department: FOOD_AUTHORITY, title_en: "Food handlers without medical certificates", title_ur: "عملے کے طبی سرٹیفکیٹ نہ ہونا", legal_basis: FOOD_ACT, account_code: "C02760", amount: fixed(3_000, Some(3_500)), due_days: 14, subject: Business, weight: 6 },
    HeadSpec { code: "FA-LCF-01", kind: Fee, department: FOOD_AUTHORITY, title_en: "Food business licence fee", title_ur: "خوراک کے کاروبار کی لائسنس فیس", legal_basis: "KP Food Safety and Halal Food Authority Act 2014 (licensing regulations)", account_code: "C02761", amount: fixed(5_000, None), due_days: 30, subject: Business, weight: 4 },
    // Local government (tehsil municipal administrations).
    HeadSpec { code: "LG-BLD-01", kind: Fine, department: LOCAL_GOVERNMENT, title_en: "Construction without an approved building plan", title_ur: "منظور شدہ نقشے کے بغیر تعمیر", legal_basis: "KP Local Government Act 2013 (building control bye-laws)", account_code: "C03870", amount: range(10_000, 500_000, Some(1_000), &[10_000, 25_000, 50_000, 100_000, 200_000]), due_days: 30, subject: Property, weight: 10 },
    HeadSpec { code: "LG-SGN-01", kind: Fine, department: LOCAL_GOVERNMENT, title_en: "Signboard or hoarding without permission", title_ur: "بغیر اجازت سائن بورڈ یا اشتہاری بورڈ", legal_basis: "KP Local Government Act 2013 (advertisement bye-laws)", account_code: "C03870", amount: range(2_000, 20_000, Some(1_000), &[2_000, 5_000, 10_000]), due_days: 14, subject: Business, weight: 8 },
    HeadSpec { code: "LG-LIT-01", kind: Fine, department: LOCAL_GOVERNMENT, title_en: "Littering or dumping waste in a public place", title_ur: "عوامی جگہ پر کچرا پھینکنا", legal_basis: "KP Local Government Act 2013, Fourth Schedule", account_code: "C03870", amount: fixed(500, Some(750)), due_days: 7, subject: Person, weight: 8 },
    HeadSpec { code: "LG-TRL-01", kind: Fee, department: LOCAL_GOVERNMENT, title_en: "Trade licence fee", title_ur: "تجارتی لائسنس فیس", legal_basis: "KP Local Government Act 2013, Fifth Schedule (licence fees)", account_code: "C03871", amount: range(1_000, 50_000, Some(1_000), &[1_000, 2_500, 5_000, 10_000]), due_days: 30, subject: Business, weight: 8 },
    HeadSpec { code: "LG-PRK-01", kind: Fee, department: LOCAL_GOVERNMENT, title_en: "Parking stand fee (monthly)", title_ur: "پارکنگ اسٹینڈ فیس (ماہانہ)", legal_basis: "KP Local Government Act 2013, Fifth Schedule (parking fees)", account_code: "C03872", amount: fixed(1_500, None), due_days: 7, subject: Business, weight: 4 },
    // Excise and taxation.
    HeadSpec { code: "ET-PRF-01", kind: Tax, department: EXCISE_TAXATION, title_en: "Professional tax", title_ur: "پیشہ ورانہ ٹیکس", legal_basis: "KP Finance Act 2013, professions tax (Constitution Art. 163)", account_code: "B01190", amount: range(1_000, 100_000, Some(1_000), &[1_000, 2_000, 5_000, 10_000, 20_000]), due_days: 60, subject: Business, weight: 10 },
    HeadSpec { code: "ET-UIP-01", kind: Tax, department: EXCISE_TAXATION, title_en: "Urban immovable property tax demand", title_ur: "شہری غیر منقولہ جائیداد ٹیکس", legal_basis: "KP Urban Immovable Property Tax Act 1958", account_code: "B02101", amount: range(500, 1_000_000, None, &[1_500, 3_000, 6_000, 12_000, 25_000]), due_days: 30, subject: Property, weight: 10 },
];

pub(super) fn departments() -> anyhow::Result<Vec<Department>> {
    DEPARTMENTS.iter().map(|&(slug, name_en, name_ur)| Ok(Department { slug: Slug::parse(slug)?, name_en: name_en.into(), name_ur: name_ur.into() })).collect()
}

fn paisa(rupees: i64) -> anyhow::Result<Paisa> {
    Ok(Paisa::from_rupees(rupees)?)
}

impl HeadSpec {
    pub(super) fn head(&self) -> anyhow::Result<RevenueHead> {
        Ok(RevenueHead {
            code: HeadCode::parse(self.code)?,
            kind: self.kind,
            department: Slug::parse(self.department)?,
            title_en: self.title_en.into(),
            title_ur: self.title_ur.into(),
            legal_basis: self.legal_basis.into(),
            account_code: self.account_code.into(),
            active: true,
        })
    }

    /// Version 1 of the head's fee schedule, checked for coherence.
    pub(super) fn schedule(&self) -> anyhow::Result<FeeSchedule> {
        let (amount, after_due) = match self.amount {
            Amount::Fixed { rupees, after_due_rupees } => (
                AmountRule::Fixed { amount_paisa: paisa(rupees)? },
                match after_due_rupees {
                    Some(after) => AfterDueRule::Fixed { amount_paisa: paisa(after)? },
                    None => AfterDueRule::Same,
                },
            ),
            Amount::Range { min_rupees, max_rupees, surcharge_bp, .. } => (
                AmountRule::Range { min_paisa: paisa(min_rupees)?, max_paisa: paisa(max_rupees)? },
                surcharge_bp.map_or(AfterDueRule::Same, |basis_points| AfterDueRule::SurchargeBasisPoints { basis_points }),
            ),
        };
        let schedule =
            FeeSchedule { head: HeadCode::parse(self.code)?, version: 1, amount, due_days: self.due_days, after_due, effective_from: SCHEDULES_EFFECTIVE_FROM };
        schedule.check()?;
        Ok(schedule)
    }
}
