//! The dashboard's words in English and Urdu. Every label a reader sees, on the page, in the
//! charts' legends and as CSV column names (English there), comes from here.

/// The language a page is shown in (`?lang=ur`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ur,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en" => Some(Self::En),
            "ur" => Some(Self::Ur),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ur => "ur",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Self::En => "ltr",
            Self::Ur => "rtl",
        }
    }
}

/// One label in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L {
    pub en: &'static str,
    pub ur: &'static str,
}

impl L {
    pub fn t(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ur => self.ur,
        }
    }
}

pub const DASHBOARD: L = L { en: "Dashboard", ur: "ڈیش بورڈ" };
pub const IMPOSED: L = L { en: "Imposed", ur: "عائد کردہ" };
pub const COLLECTED: L = L { en: "Collected", ur: "وصول شدہ" };
pub const WAIVED: L = L { en: "Waived", ur: "معاف شدہ" };
pub const CANCELLED: L = L { en: "Cancelled", ur: "منسوخ شدہ" };
pub const OUTSTANDING: L = L { en: "Outstanding", ur: "واجب الادا" };
pub const COLLECTION_RATE: L = L { en: "Collection rate", ur: "وصولی کی شرح" };
pub const DEPOSITED: L = L { en: "Deposited in treasury", ur: "خزانے میں جمع" };
pub const IN_TRANSIT: L = L { en: "Received but not yet deposited", ur: "وصول، ابھی جمع نہیں" };
pub const CHALLANS: L = L { en: "Challans", ur: "چالان" };
pub const PAID: L = L { en: "Paid", ur: "ادا شدہ" };
pub const DAY: L = L { en: "Day", ur: "دن" };
pub const DATE: L = L { en: "Date", ur: "تاریخ" };
pub const COHORT: L = L { en: "Issue month", ur: "اجرا کا مہینہ" };
pub const DISTRICT: L = L { en: "District", ur: "ضلع" };
pub const DEPARTMENT: L = L { en: "Department", ur: "محکمہ" };
pub const HEAD: L = L { en: "Revenue head", ur: "مد" };
pub const OFFICER: L = L { en: "Officer", ur: "افسر" };
pub const CANCELLATION_RATE: L = L { en: "Cancelled share", ur: "منسوخی کی شرح" };
pub const AGE: L = L { en: "Age since issue", ur: "اجرا سے عمر" };
pub const REVENUE_OVER_TIME: L = L { en: "Revenue over time", ur: "وقت کے ساتھ آمدنی" };
pub const BY_DEPARTMENT: L =
    L { en: "By department, by issue month in the period", ur: "محکمہ وار، مدت کے اجرا کے مہینوں کے لحاظ سے" };
pub const TOP_HEADS: L =
    L { en: "Top revenue heads, by issue month in the period", ur: "سرفہرست مدات، مدت کے اجرا کے مہینوں کے لحاظ سے" };
pub const COHORTS: L = L { en: "Collection rate by issue month", ur: "اجرا کے مہینے کے لحاظ سے وصولی" };
pub const AGEING: L = L { en: "Ageing of unpaid challans", ur: "غیر ادا شدہ چالانوں کی عمر" };
pub const OFFICERS: L =
    L { en: "Officer activity, by the months of the period", ur: "افسران کی کارکردگی، مدت کے مہینوں کے لحاظ سے" };
pub const MAP: L = L { en: "Collection by district, last 12 months of issue", ur: "ضلع وار وصولی، اجرا کے آخری 12 ماہ" };
pub const FORECAST: L = L { en: "Forecast", ur: "پیش گوئی" };
pub const FORECASTS: L = L { en: "Forecast of collections", ur: "وصولی کی پیش گوئی" };
pub const BASELINE: L = L { en: "Seasonal naive (same weekday last week)", ur: "موسمی سادہ اندازہ (پچھلے ہفتے کا یہی دن)" };
pub const INTERVAL80: L = L { en: "80% interval", ur: "80% حد" };
pub const FLAGS: L = L { en: "Anomaly flags", ur: "غیر معمولی اشارے" };
pub const EXPORT: L = L { en: "CSV", ur: "CSV" };
pub const ALL: L = L { en: "All", ur: "سب" };
pub const PERIOD: L = L { en: "Period", ur: "مدت" };
pub const LAST_DAYS: L = L { en: "Last days", ur: "آخری دن" };
pub const BREAK_DOWN_BY: L = L { en: "Break down by", ur: "تقسیم بلحاظ" };
pub const SHOW: L = L { en: "Show", ur: "دکھائیں" };
pub const OTHER: L = L { en: "Other", ur: "دیگر" };
pub const OPEN_CHALLANS: L = L { en: "Open challans", ur: "چالان دیکھیں" };
pub const NO_DATA: L = L { en: "No data", ur: "کوئی ڈیٹا نہیں" };
pub const THIS_MONTH: L = L { en: "This month", ur: "اس ماہ" };
pub const MONTHS_1_2: L = L { en: "1–2 months", ur: "1–2 ماہ" };
pub const MONTHS_3_5: L = L { en: "3–5 months", ur: "3–5 ماہ" };
pub const MONTHS_6_11: L = L { en: "6–11 months", ur: "6–11 ماہ" };
pub const MONTHS_12: L = L { en: "12 months or more", ur: "12 ماہ یا زیادہ" };
pub const SHARE: L = L { en: "Share", ur: "حصہ" };
pub const FORECAST_LO80: L = L { en: "Forecast, 80% interval low", ur: "پیش گوئی، 80% حد کم" };
pub const FORECAST_HI80: L = L { en: "Forecast, 80% interval high", ur: "پیش گوئی، 80% حد زیادہ" };
