//! How long an SMS is: which alphabet it needs and how many parts it is sent in.
//!
//! A text of nothing but GSM 03.38 characters goes as GSM-7: the basic set costs one
//! septet a character, the extension set (`^ { } \ [ ~ ] | €` and form feed) two, an escape
//! and the character. Any other character (every Urdu letter, for one) makes the whole text
//! UCS-2, counted in UTF-16 code units. One SMS carries 160 septets or 70 units; a longer
//! text is split into parts of 153 septets or 67 units, the rest of each part holding the
//! header that joins them again. A two-septet character or a surrogate pair is never split
//! across two parts, so the count below packs whole characters the way phones do.

use serde::Serialize;

/// Septets in one GSM-7 SMS.
pub const GSM7_SINGLE_SEPTETS: usize = 160;
/// Septets in each part of a GSM-7 SMS sent in parts.
pub const GSM7_PART_SEPTETS: usize = 153;
/// UTF-16 code units in one UCS-2 SMS.
pub const UCS2_SINGLE_UNITS: usize = 70;
/// UTF-16 code units in each part of a UCS-2 SMS sent in parts.
pub const UCS2_PART_UNITS: usize = 67;

/// The GSM 03.38 basic set other than ASCII letters and digits, one septet each.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà";
/// The GSM 03.38 extension set, two septets each.
const GSM7_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// The alphabet an SMS is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

/// The measure of one text as an SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    /// SMS parts the text is sent in; an empty text still costs one.
    pub parts: usize,
}

/// Septets `c` costs in GSM-7, or `None` when GSM-7 cannot carry it.
pub fn gsm7_septets(c: char) -> Option<usize> {
    if c.is_ascii_alphanumeric() || GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Whether every character of `text` is in the GSM-7 alphabet.
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| gsm7_septets(c).is_some())
}

/// The encoding, size and number of parts of `text` as an SMS.
pub fn measure(text: &str) -> SmsLength {
    if is_gsm7(text) {
        let costs = text.chars().filter_map(gsm7_septets);
        packed(SmsEncoding::Gsm7, costs, GSM7_SINGLE_SEPTETS, GSM7_PART_SEPTETS)
    } else {
        let costs = text.chars().map(char::len_utf16);
        packed(SmsEncoding::Ucs2, costs, UCS2_SINGLE_UNITS, UCS2_PART_UNITS)
    }
}

/// Fills parts of `part` units with whole characters of the given costs, unless the whole
/// fits in one SMS of `single` units.
fn packed(encoding: SmsEncoding, costs: impl Iterator<Item = usize> + Clone, single: usize, part: usize) -> SmsLength {
    let units: usize = costs.clone().sum();
    if units <= single {
        return SmsLength { encoding, units, parts: 1 };
    }
    let (mut parts, mut used) = (1, 0);
    for cost in costs {
        if used + cost > part {
            parts += 1;
            used = 0;
        }
        used += cost;
    }
    SmsLength { encoding, units, parts }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_alphabets_are_told_apart() {
        assert_eq!(measure("Challan 000001-00000001-5: PKR 5,000 due 2026-12-11").encoding, SmsEncoding::Gsm7);
        assert_eq!(measure("£10 @ Øresund; ¿qué?").encoding, SmsEncoding::Gsm7);
        assert_eq!(measure("چالان جاری کیا گیا").encoding, SmsEncoding::Ucs2);
        assert_eq!(measure("tab\there").encoding, SmsEncoding::Ucs2);
        assert_eq!(measure("back`tick").encoding, SmsEncoding::Ucs2);
        assert_eq!(measure("PKR 5,000 ۔").encoding, SmsEncoding::Ucs2);
    }

    #[test]
    fn extension_characters_cost_two_septets() {
        assert_eq!(measure("[x]").units, 5);
        assert_eq!(measure("€").units, 2);
        assert_eq!(measure("{}|~^\\").units, 12);
    }

    #[test]
    fn part_boundaries() {
        assert_eq!(measure("").parts, 1);
        assert_eq!(measure(&"a".repeat(160)).parts, 1);
        assert_eq!(measure(&"a".repeat(161)).parts, 2);
        assert_eq!(measure(&"a".repeat(306)).parts, 2);
        assert_eq!(measure(&"a".repeat(307)).parts, 3);
        assert_eq!(measure(&"ب".repeat(70)).parts, 1);
        assert_eq!(measure(&"ب".repeat(71)).parts, 2);
        assert_eq!(measure(&"ب".repeat(134)).parts, 2);
        assert_eq!(measure(&"ب".repeat(135)).parts, 3);
    }

    #[test]
    fn a_two_septet_character_is_not_split_across_parts() {
        // 152 septets, then a 2-septet € that would straddle the first part's end.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        assert_eq!(measure(&text).units, 164);
        assert_eq!(measure(&text).parts, 2);
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(measure(&text).units, 306);
        assert_eq!(measure(&text).parts, 3);
    }

    #[test]
    fn characters_beyond_the_basic_plane_take_two_units() {
        assert_eq!(measure("🙂").units, 2);
        assert_eq!(measure("🙂").encoding, SmsEncoding::Ucs2);
    }

    proptest! {
        #[test]
        fn a_gsm_only_string_never_reports_ucs2(text in "[A-Za-z0-9 @£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,./:;<=>?¡ÄÖÑÜ§¿äöñüà\n\r^{}\\\\\\[\\]~|€-]{0,400}") {
            prop_assert_eq!(measure(&text).encoding, SmsEncoding::Gsm7);
        }

        #[test]
        fn parts_never_fall_as_text_grows(start in "\\PC{0,300}", more in "\\PC{0,300}") {
            let longer = format!("{start}{more}");
            prop_assert!(measure(&start).parts <= measure(&longer).parts);
        }

        #[test]
        fn parts_never_fall_as_gsm_text_grows(start in "[a-z€\\[ ]{0,400}", more in "[a-z€\\] ]{0,400}") {
            let longer = format!("{start}{more}");
            prop_assert!(measure(&start).parts <= measure(&longer).parts);
        }

        #[test]
        fn every_part_fits(text in "\\PC{0,500}") {
            let length = measure(&text);
            let capacity = match length.encoding {
                SmsEncoding::Gsm7 if length.parts == 1 => GSM7_SINGLE_SEPTETS,
                SmsEncoding::Gsm7 => GSM7_PART_SEPTETS * length.parts,
                SmsEncoding::Ucs2 if length.parts == 1 => UCS2_SINGLE_UNITS,
                SmsEncoding::Ucs2 => UCS2_PART_UNITS * length.parts,
            };
            prop_assert!(length.units <= capacity);
        }
    }
}
