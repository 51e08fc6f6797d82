//! Strict reading and deterministic writing of the CBOR values inside signed documents.
//!
//! Every payload decoder in this crate reads with these functions and then re-encodes what
//! it read and compares the bytes, so only the one deterministic encoding (RFC 8949 §4.2:
//! shortest integers and lengths, definite lengths, keys in ascending order) is accepted.

use std::collections::BTreeMap;

use ciborium::Value;

use crate::{Result, SealError};

/// The deterministic encoding of `value`. ciborium writes shortest-form integers and
/// lengths; callers build maps with their keys already in ascending order.
pub(crate) fn encode(value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    ciborium::into_writer(value, &mut out).map_err(|_| SealError::Malformed("value cannot be encoded as CBOR"))?;
    Ok(out)
}

/// One CBOR item that fills `bytes` exactly.
pub(crate) fn decode(bytes: &[u8]) -> Result<Value> {
    let mut rest = bytes;
    let value: Value = ciborium::from_reader(&mut rest).map_err(|_| SealError::Malformed("not CBOR"))?;
    if !rest.is_empty() {
        return Err(SealError::Malformed("bytes after the CBOR item"));
    }
    Ok(value)
}

/// Fails unless `bytes` are exactly the deterministic encoding of `value`.
pub(crate) fn require_canonical(bytes: &[u8], value: &Value, what: &'static str) -> Result<()> {
    if encode(value)? == bytes { Ok(()) } else { Err(SealError::Malformed(what)) }
}

/// The fields of an integer-keyed map, taken out one by one; whatever is left over at
/// [`Fields::finish`] is an unknown field, which makes the document malformed: a verifier
/// must be able to show every signed value.
pub(crate) struct Fields {
    fields: BTreeMap<i64, Value>,
    what: &'static str,
}

impl Fields {
    pub(crate) fn of(value: Value, what: &'static str) -> Result<Self> {
        let Value::Map(entries) = value else { return Err(SealError::Malformed(what)) };
        let mut fields = BTreeMap::new();
        for (key, value) in entries {
            let key = int(&key, what)?;
            if fields.insert(key, value).is_some() {
                return Err(SealError::Malformed("duplicate map key"));
            }
        }
        Ok(Self { fields, what })
    }

    pub(crate) fn optional(&mut self, key: i64) -> Option<Value> {
        self.fields.remove(&key)
    }

    pub(crate) fn required(&mut self, key: i64, missing: &'static str) -> Result<Value> {
        self.fields.remove(&key).ok_or(SealError::Malformed(missing))
    }

    pub(crate) fn finish(self) -> Result<()> {
        if self.fields.is_empty() { Ok(()) } else { Err(SealError::Malformed(self.what)) }
    }
}

pub(crate) fn int(value: &Value, what: &'static str) -> Result<i64> {
    match value {
        Value::Integer(i) => i64::try_from(*i).map_err(|_| SealError::Malformed(what)),
        _ => Err(SealError::Malformed(what)),
    }
}

/// A non-negative integer that fits in `i64` (times, versions, amounts).
pub(crate) fn uint(value: &Value, what: &'static str) -> Result<i64> {
    let n = int(value, what)?;
    if n < 0 { Err(SealError::Malformed(what)) } else { Ok(n) }
}

pub(crate) fn text(value: Value, what: &'static str) -> Result<String> {
    match value {
        Value::Text(s) => Ok(s),
        _ => Err(SealError::Malformed(what)),
    }
}

pub(crate) fn bytes(value: Value, what: &'static str) -> Result<Vec<u8>> {
    match value {
        Value::Bytes(b) => Ok(b),
        _ => Err(SealError::Malformed(what)),
    }
}

pub(crate) fn array(value: Value, what: &'static str) -> Result<Vec<Value>> {
    match value {
        Value::Array(items) => Ok(items),
        _ => Err(SealError::Malformed(what)),
    }
}

/// An integer-keyed map from pairs already in ascending key order.
pub(crate) fn int_map(pairs: Vec<(i64, Value)>) -> Value {
    Value::Map(pairs.into_iter().map(|(k, v)| (Value::Integer(k.into()), v)).collect())
}

pub(crate) fn uint_value(n: i64) -> Value {
    Value::Integer(n.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_shortest_integer_is_not_canonical() -> Result<()> {
        // 24 as a one-byte-argument integer (0x18 0x18) is canonical; 0x19 0x00 0x18 is not.
        let value = decode(&[0x19, 0x00, 0x18])?;
        assert_eq!(int(&value, "n")?, 24);
        assert!(require_canonical(&[0x19, 0x00, 0x18], &value, "n").is_err());
        assert!(require_canonical(&[0x18, 0x18], &value, "n").is_ok());
        Ok(())
    }

    #[test]
    fn strict_reading() -> Result<()> {
        assert!(decode(&[0x01, 0x02]).is_err(), "trailing bytes");
        assert!(decode(&[0x82, 0x01]).is_err(), "truncated array");
        let mut fields = Fields::of(int_map(vec![(1, uint_value(5)), (2, Value::Text("x".into()))]), "map")?;
        assert_eq!(uint(&fields.required(1, "1")?, "1")?, 5);
        assert!(fields.required(3, "3").is_err());
        assert!(fields.finish().is_err(), "key 2 was not taken");
        let dup = Value::Map(vec![(uint_value(1), uint_value(1)), (uint_value(1), uint_value(2))]);
        assert!(Fields::of(dup, "map").is_err());
        assert!(uint(&Value::Integer((-1).into()), "n").is_err());
        assert!(text(uint_value(1), "t").is_err());
        Ok(())
    }
}
