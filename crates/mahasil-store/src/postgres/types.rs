//! How jiff's instants and dates travel to and from PostgreSQL: `TIMESTAMPTZ` as
//! microseconds and `DATE` as days, both counted from 2000-01-01, PostgreSQL's own binary
//! form. Instants are kept to the microsecond, so a timestamp read back is the one written
//! (the audit hash depends on it).

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

/// Seconds from the Unix epoch to PostgreSQL's (2000-01-01T00:00:00Z).
const PG_EPOCH_UNIX_SECONDS: i64 = 946_684_800;
const PG_EPOCH_DATE: Date = Date::constant(2000, 1, 1);

const TIMESTAMPTZ_OID: u32 = 1184;
const TIMESTAMPTZ_ARRAY_OID: u32 = 1185;
const DATE_OID: u32 = 1082;
const DATE_ARRAY_OID: u32 = 1182;

/// An instant, truncated to the microsecond (what PostgreSQL keeps).
pub(super) fn to_micros(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}

/// A `TIMESTAMPTZ` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PgTime(pub Timestamp);

impl Type<Postgres> for PgTime {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(TIMESTAMPTZ_OID))
    }
}

impl PgHasArrayType for PgTime {
    fn array_type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(TIMESTAMPTZ_ARRAY_OID))
    }
}

impl Encode<'_, Postgres> for PgTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        // jiff's range (years -9999..=9999) keeps this far from overflow.
        let micros = self.0.as_microsecond() - PG_EPOCH_UNIX_SECONDS * 1_000_000;
        <i64 as Encode<'_, Postgres>>::encode(micros, buf)
    }

    fn size_hint(&self) -> usize {
        std::mem::size_of::<i64>()
    }
}

impl<'r> Decode<'r, Postgres> for PgTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.format() != PgValueFormat::Binary {
            return Err("timestamptz must be read in binary form".into());
        }
        let micros = <i64 as Decode<'r, Postgres>>::decode(value)?;
        let unix = i128::from(micros) + i128::from(PG_EPOCH_UNIX_SECONDS) * 1_000_000;
        let unix = i64::try_from(unix).map_err(|_| "timestamptz out of range")?;
        Ok(Self(Timestamp::from_microsecond(unix)?))
    }
}

/// A `DATE` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PgDate(pub Date);

impl Type<Postgres> for PgDate {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(DATE_OID))
    }
}

impl PgHasArrayType for PgDate {
    fn array_type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(DATE_ARRAY_OID))
    }
}

impl Encode<'_, Postgres> for PgDate {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let days = self.0.since((jiff::Unit::Day, PG_EPOCH_DATE))?.get_days();
        <i32 as Encode<'_, Postgres>>::encode(days, buf)
    }

    fn size_hint(&self) -> usize {
        std::mem::size_of::<i32>()
    }
}

impl<'r> Decode<'r, Postgres> for PgDate {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.format() != PgValueFormat::Binary {
            return Err("date must be read in binary form".into());
        }
        let days = <i32 as Decode<'r, Postgres>>::decode(value)?;
        Ok(Self(PG_EPOCH_DATE.checked_add(Span::new().try_days(days)?)?))
    }
}
