//! What the generator adds up while it plans, for the tables written once at the end: the
//! dashboard's rollups (the same sums the `transfers_roll_up` trigger keeps, grouped the
//! same way), each day's deposits (one treasury statement per day), the offender search
//! keys, each issuer's last counter, and the figures of the closing summary.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// The twelve measures of a rollup row, in the tables' column order.
pub(super) type Measures = [i64; 12];

/// What one transfer adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Measure {
    Issued,
    Surcharge,
    Paid,
    Cancelled,
    Waived,
    Deposited,
}

impl Measure {
    /// The count column (if the measure has one) and the paisa column.
    fn columns(self) -> (Option<usize>, usize) {
        match self {
            Self::Issued => (Some(0), 1),
            Self::Surcharge => (None, 2),
            Self::Paid => (Some(3), 4),
            Self::Cancelled => (Some(6), 7),
            Self::Waived => (Some(8), 9),
            Self::Deposited => (Some(10), 11),
        }
    }
}

/// A hash for keys that are already well-mixed integers.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 ^= self.0 >> 32;
    }
}

pub(super) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

fn add_measures(total: &mut Measures, m: &Measures) {
    for (t, v) in total.iter_mut().zip(m) {
        *t += v;
    }
}

/// `map`'s rows added up under the keys `rekey` gives them.
fn regroup(map: &KeyMap<Measures>, mut rekey: impl FnMut(u64) -> u64) -> KeyMap<Measures> {
    let mut out = KeyMap::<Measures>::default();
    for (key, m) in map {
        add_measures(out.entry(rekey(*key)).or_default(), m);
    }
    out
}

/// Names sorted as the database sorts them, and each name's place among them: a rollup
/// key packed from places sorts like the table's primary key.
pub(super) struct Ranked {
    pub sorted: Vec<String>,
    /// rank[i] = the place of the i-th name (in the caller's order) in `sorted`.
    pub rank: Vec<u64>,
}

impl Ranked {
    pub(super) fn new(names: Vec<String>) -> Self {
        let mut sorted = names.clone();
        sorted.sort();
        let rank = names.iter().map(|n| sorted.binary_search(n).map_or(0, |r| r as u64)).collect();
        Self { sorted, rank }
    }

    pub(super) fn name(&self, rank: u64) -> &str {
        self.sorted.get(usize::try_from(rank).unwrap_or(usize::MAX)).map_or("", String::as_str)
    }
}

/// Which challan a transfer is of, by the indices the generator uses.
#[derive(Debug, Clone, Copy)]
pub(super) struct Facet {
    pub district: usize,
    pub department: usize,
    pub head: usize,
    pub officer: usize,
    /// The issue month, YYYYMM.
    pub cohort: i64,
}

/// Bits of each part of a packed key, lowest first: officer, head, department, district.
pub(super) const OFFICER_BITS: u32 = 13;
pub(super) const HEAD_BITS: u32 = 5;
pub(super) const DEPARTMENT_BITS: u32 = 3;
pub(super) const DISTRICT_BITS: u32 = 6;
const AREA_BITS: u32 = HEAD_BITS + DEPARTMENT_BITS + DISTRICT_BITS;

pub(super) struct Books {
    pub districts: Ranked,
    pub departments: Ranked,
    pub heads: Ranked,
    pub officers: Ranked,
    /// Days are counted from this one in packed keys.
    pub day_base: i64,
    /// What the transfers add up to by day, district, department, head and officer. The
    /// other rollups by day or month regroup it when they are written ([`Books::area_days`],
    /// [`Books::officer_months`] and what follows from those).
    pub officer_days: KeyMap<Measures>,
    /// By the issue month of the challan, which no other grouping gives.
    pub cohorts: KeyMap<Measures>,
    /// Per statement day: payments credited and their paisa.
    pub deposits: BTreeMap<i64, (u64, i64)>,
    /// `c:`, `m:` and `v:` keys of every challan with its seq, NUL-padded.
    pub offender_keys: Vec<([u8; KEY_BYTES], u32)>,
}

/// Longest offender key: `v:` and a 16-character plate.
pub(super) const KEY_BYTES: usize = 18;

impl Books {
    pub(super) fn new(districts: Vec<String>, departments: Vec<String>, heads: Vec<String>, officers: Vec<String>, day_base: i64) -> anyhow::Result<Self> {
        anyhow::ensure!(districts.len() <= 1 << DISTRICT_BITS && departments.len() <= 1 << DEPARTMENT_BITS, "too many districts or departments");
        anyhow::ensure!(heads.len() <= 1 << HEAD_BITS && officers.len() <= 1 << OFFICER_BITS, "too many heads or officers");
        Ok(Self {
            districts: Ranked::new(districts),
            departments: Ranked::new(departments),
            heads: Ranked::new(heads),
            officers: Ranked::new(officers),
            day_base,
            officer_days: KeyMap::default(),
            cohorts: KeyMap::default(),
            deposits: BTreeMap::new(),
            offender_keys: Vec::new(),
        })
    }

    fn area(&self, f: &Facet) -> u64 {
        (self.districts.rank[f.district] << (HEAD_BITS + DEPARTMENT_BITS)) | (self.departments.rank[f.department] << HEAD_BITS) | self.heads.rank[f.head]
    }

    /// Adds one transfer of `amount` paisa on Pakistan day `day` (`sign` -1 for a reversal).
    pub(super) fn roll(&mut self, f: &Facet, day: i64, measure: Measure, amount: i64, sign: i64) {
        let day = u64::try_from(day - self.day_base).unwrap_or(0);
        let area = self.area(f);
        let officer = self.officers.rank[f.officer];
        let (count, paisa) = measure.columns();
        let add = |m: &mut Measures| {
            if let Some(c) = count {
                m[c] += sign;
            }
            m[paisa] += sign * amount;
        };
        add(self.officer_days.entry((((day << AREA_BITS) | area) << OFFICER_BITS) | officer).or_default());
        add(self.cohorts.entry((u64::try_from(f.cohort).unwrap_or(0) << AREA_BITS) | area).or_default());
    }

    /// The officer days by month (`insight_officer_months`), keyed as the officer days
    /// with the month (YYYYMM) in place of the day.
    pub(super) fn officer_months(&self) -> KeyMap<Measures> {
        let shift = AREA_BITS + OFFICER_BITS;
        let mut months: Vec<u64> = Vec::new();
        regroup(&self.officer_days, |key| {
            let day = usize::try_from(key >> shift).unwrap_or(usize::MAX);
            if months.len() <= day {
                let base = self.day_base;
                months.extend((months.len()..=day).map(|d| u64::try_from(super::calendar::year_month(base + d as i64)).unwrap_or(0)));
            }
            (months[day] << shift) | (key & ((1 << shift) - 1))
        })
    }

    /// The officer days without the officer (`insight_area_days`), keyed by day and area.
    pub(super) fn area_days(&self) -> KeyMap<Measures> {
        regroup(&self.officer_days, |key| key >> OFFICER_BITS)
    }

    /// Officer months added up over every head (`insight_officer_totals`), keyed as they
    /// are with the head's bits cleared, so the keys still sort like the table's.
    pub(super) fn officer_totals(officer_months: &KeyMap<Measures>) -> KeyMap<Measures> {
        let head_mask = !(((1u64 << HEAD_BITS) - 1) << OFFICER_BITS);
        regroup(officer_months, |key| key & head_mask)
    }

    /// Area days added up by district, by department and by head (`insight_series_days`),
    /// in the order of the table's key: day, dimension, member.
    pub(super) fn series_days<'a>(&'a self, area_days: &KeyMap<Measures>) -> BTreeMap<(i64, &'static str, &'a str), Measures> {
        let mut series = BTreeMap::<(i64, &'static str, &str), Measures>::new();
        for (key, m) in area_days {
            let (day, district, department, head) = self.unpack_area(*key);
            let day = day + self.day_base;
            for member in [("district", district), ("department", department), ("head", head)] {
                add_measures(series.entry((day, member.0, member.1)).or_default(), m);
            }
        }
        series
    }

    /// The (day, district, department, head) of a packed area-day key; officer keys first
    /// drop their officer bits.
    pub(super) fn unpack_area(&self, key: u64) -> (i64, &str, &str, &str) {
        let mask = |bits: u32| (1u64 << bits) - 1;
        let head = key & mask(HEAD_BITS);
        let department = (key >> HEAD_BITS) & mask(DEPARTMENT_BITS);
        let district = (key >> (HEAD_BITS + DEPARTMENT_BITS)) & mask(DISTRICT_BITS);
        let first = i64::try_from(key >> AREA_BITS).unwrap_or(0);
        (first, self.districts.name(district), self.departments.name(department), self.heads.name(head))
    }

    pub(super) fn add_key(&mut self, prefix: &str, value: &str, seq: i64) {
        let mut key = [0u8; KEY_BYTES];
        for (slot, byte) in key.iter_mut().zip(prefix.bytes().chain(value.bytes())) {
            *slot = byte;
        }
        self.offender_keys.push((key, u32::try_from(seq).unwrap_or(u32::MAX)));
    }
}

/// An offender key's text: its bytes up to the padding.
pub(super) fn key_text(key: &[u8; KEY_BYTES]) -> &str {
    let end = key.iter().position(|&b| b == 0).unwrap_or(KEY_BYTES);
    std::str::from_utf8(&key[..end]).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_keys_sort_like_the_primary_keys() -> anyhow::Result<()> {
        let mut books = Books::new(
            vec!["swat".into(), "peshawar".into()],
            vec!["price-control".into(), "district-administration".into()],
            vec!["PC-OVR-01".into(), "DA-ENC-01".into()],
            vec!["b".into(), "a".into()],
            100,
        )?;
        let late = Facet { district: 0, department: 0, head: 0, officer: 0, cohort: 202_611 };
        let early = Facet { district: 1, department: 1, head: 1, officer: 1, cohort: 202_610 };
        books.roll(&late, 101, Measure::Issued, 500, 1);
        books.roll(&early, 101, Measure::Issued, 700, 1);
        books.roll(&early, 101, Measure::Paid, 700, 1);
        let area_days = books.area_days();
        let mut keys: Vec<u64> = area_days.keys().copied().collect();
        keys.sort_unstable();
        assert_eq!(books.unpack_area(keys[0]), (1, "peshawar", "district-administration", "DA-ENC-01"));
        assert_eq!(books.unpack_area(keys[1]), (1, "swat", "price-control", "PC-OVR-01"));
        assert_eq!(area_days[&keys[0]][..5], [1, 700, 0, 1, 700]);
        let mut cohorts: Vec<u64> = books.cohorts.keys().copied().collect();
        cohorts.sort_unstable();
        assert_eq!(books.unpack_area(cohorts[0]).0, 202_610);
        Ok(())
    }

    #[test]
    fn officer_totals_add_up_the_heads_of_one_officer_month() -> anyhow::Result<()> {
        let mut books = Books::new(
            vec!["peshawar".into()],
            vec!["district-administration".into()],
            vec!["DA-ENC-01".into(), "DA-HOA-01".into()],
            vec!["a".into(), "b".into()],
            100,
        )?;
        let on = |head, officer| Facet { district: 0, department: 0, head, officer, cohort: 197_004 };
        books.roll(&on(0, 0), 101, Measure::Issued, 500, 1);
        books.roll(&on(1, 0), 102, Measure::Issued, 700, 1);
        books.roll(&on(1, 1), 102, Measure::Paid, 300, 1);
        let mut totals = Books::officer_totals(&books.officer_months()).into_iter().collect::<Vec<_>>();
        totals.sort_unstable_by_key(|t| t.0);
        assert_eq!(totals.len(), 2, "one row per officer, whatever the heads");
        let (month, district, department, _) = books.unpack_area(totals[0].0 >> OFFICER_BITS);
        assert_eq!((month, district, department), (197_004, "peshawar", "district-administration"));
        assert_eq!(books.officers.name(totals[0].0 & ((1 << OFFICER_BITS) - 1)), "a");
        assert_eq!(totals[0].1[..2], [2, 1_200]);
        assert_eq!(totals[1].1[3..5], [1, 300]);
        Ok(())
    }

    #[test]
    fn series_days_add_each_area_day_once_to_every_dimension() -> anyhow::Result<()> {
        let mut books = Books::new(
            vec!["peshawar".into(), "swat".into()],
            vec!["district-administration".into()],
            vec!["DA-ENC-01".into(), "DA-HOA-01".into()],
            vec!["a".into()],
            100,
        )?;
        let on = |district, head| Facet { district, department: 0, head, officer: 0, cohort: 197_004 };
        books.roll(&on(0, 0), 101, Measure::Issued, 500, 1);
        books.roll(&on(1, 1), 101, Measure::Issued, 700, 1);
        books.roll(&on(1, 0), 102, Measure::Paid, 300, 1);
        let area_days = books.area_days();
        let series = books.series_days(&area_days);
        let keys: Vec<_> = series.keys().copied().collect();
        assert_eq!(keys[0], (101, "department", "district-administration"), "sorted by day, dimension, member: {keys:?}");
        assert_eq!(series[&(101, "department", "district-administration")][..2], [2, 1_200]);
        assert_eq!(series[&(101, "district", "swat")][..2], [1, 700]);
        assert_eq!(series[&(102, "head", "DA-ENC-01")][3..5], [1, 300]);
        for dimension in ["district", "department", "head"] {
            let issued: i64 = series.iter().filter(|(k, _)| k.1 == dimension).map(|(_, m)| m[1]).sum();
            assert_eq!(issued, 1_200, "{dimension} adds up to the whole");
        }
        Ok(())
    }

    #[test]
    fn offender_keys_are_padded_and_read_back() -> anyhow::Result<()> {
        let mut books = Books::new(vec![], vec![], vec![], vec![], 0)?;
        books.add_key("v:", "LES-19-1234", 7);
        books.add_key("c:", "17301-1234567-1", 8);
        assert_eq!(key_text(&books.offender_keys[0].0), "v:LES-19-1234");
        assert_eq!(key_text(&books.offender_keys[1].0), "c:17301-1234567-1");
        assert!(books.offender_keys[1] < books.offender_keys[0]);
        Ok(())
    }
}
