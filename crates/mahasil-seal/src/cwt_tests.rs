//! Tests of the CWT payload: round trips, determinism and strict decoding.

use ciborium::Value;

use super::*;
use crate::fixtures;

/// `payload` with `change` applied to its outer and private maps, re-encoded.
fn mutated(payload: &[u8], change: impl FnOnce(&mut Vec<(Value, Value)>)) -> Result<Vec<u8>> {
    let Value::Map(mut outer) = cbor::decode(payload)? else { return Err(SealError::Malformed("test")) };
    change(&mut outer);
    cbor::encode(&Value::Map(outer))
}

fn private(outer: &mut [(Value, Value)]) -> Option<&mut Vec<(Value, Value)>> {
    outer.iter_mut().find_map(|(k, v)| match (k, v) {
        (Value::Integer(k), Value::Map(m)) if i128::from(*k) == i128::from(PRIVATE_CLAIM) => Some(m),
        _ => None,
    })
}

fn set_private(payload: &[u8], key: i64, value: Value) -> Result<Vec<u8>> {
    mutated(payload, |outer| {
        if let Some(m) = private(outer) {
            match m.iter_mut().find(|(k, _)| *k == Value::Integer(key.into())) {
                Some(entry) => entry.1 = value,
                None => m.push((Value::Integer(key.into()), value)),
            }
        }
    })
}

#[test]
fn challan_and_receipt_round_trip_deterministically() -> Result<()> {
    let challan = fixtures::challan(100_001, 42)?;
    let receipt = fixtures::receipt(100_001, 7, challan.number)?;
    for claims in [challan, receipt] {
        let payload = encode(&claims)?;
        assert_eq!(payload, encode(&claims.clone())?);
        assert_eq!(decode(&payload)?, claims);
    }
    Ok(())
}

#[test]
fn layout_is_as_documented() -> Result<()> {
    let claims = fixtures::challan(100_001, 42)?;
    let payload = encode(&claims)?;
    // {1: "100001", 6: iat, 7: h'<15 digits>', -65537: {...}}
    let mut start = vec![0xa4, 0x01, 0x66];
    start.extend_from_slice(b"100001");
    start.extend_from_slice(&[0x06, 0x1a]);
    start.extend_from_slice(&u32::try_from(claims.issued_at_s).map_err(|_| SealError::Malformed("test"))?.to_be_bytes());
    start.extend_from_slice(&[0x07, 0x4f]);
    start.extend_from_slice(claims.number.digits().as_bytes());
    start.extend_from_slice(&[0x3a, 0x00, 0x01, 0x00, 0x00, 0xa8, 0x01, 0x01]);
    assert_eq!(payload[..start.len()], start[..]);
    Ok(())
}

#[test]
fn refuses_what_builders_must_not_sign() -> Result<()> {
    let mut claims = fixtures::challan(100_001, 42)?;
    claims.heads.clear();
    assert!(matches!(encode(&claims), Err(SealError::Invalid { .. })));
    let mut claims = fixtures::challan(100_001, 42)?;
    claims.issued_at_s = -1;
    assert!(matches!(encode(&claims), Err(SealError::Invalid { .. })));
    Ok(())
}

#[test]
fn strict_decoding_refuses_every_deviation() -> Result<()> {
    let challan = encode(&fixtures::challan(100_001, 42)?)?;
    let receipt = encode(&fixtures::receipt(100_001, 7, fixtures::number(100_001, 42)?)?)?;
    let text = |s: &str| Value::Text(s.into());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("unknown private key", set_private(&challan, 12, Value::Integer(1.into()))?),
        ("unknown type", set_private(&challan, TYPE, Value::Integer(3.into()))?),
        ("amount as text", set_private(&challan, AMOUNT, text("2500000"))?),
        ("zero amount", set_private(&challan, AMOUNT, Value::Integer(0.into()))?),
        ("receipt field on a challan", set_private(&challan, CHANNEL, text("bank"))?),
        ("challan field on a receipt", set_private(&receipt, DUE_DATE, Value::Integer(1.into()))?),
        ("unknown channel", set_private(&receipt, CHANNEL, text("cash"))?),
        ("bad check digit", set_private(&receipt, CHALLAN_NO, text("100001000000420"))?),
        ("dashed challan_no", set_private(&receipt, CHALLAN_NO, text("100001-00000042-1"))?),
        ("lower-case head", set_private(&challan, HEADS, Value::Array(vec![text("da-enc-01")]))?),
        ("no heads", set_private(&challan, HEADS, Value::Array(vec![]))?),
        ("missing officer", mutated(&challan, |o| private(o).into_iter().for_each(|m| m.retain(|(k, _)| *k != Value::Integer(OFFICER.into()))))?),
        ("keys out of order", mutated(&challan, |o| private(o).into_iter().for_each(|m| m.reverse()))?),
        ("float iat", mutated(&challan, |o| o[1].1 = Value::Float(1.5))?),
        ("cti as text", mutated(&challan, |o| o[2].1 = text("100001000000421"))?),
        ("iss as a number", mutated(&challan, |o| o[0].1 = Value::Integer(100_001.into()))?),
        ("extra sub claim", mutated(&challan, |o| o.insert(1, (Value::Integer(2.into()), text("x"))))?),
        ("second private claim", mutated(&challan, |o| o.push((Value::Integer((-65538).into()), Value::Map(vec![]))))?),
        ("not a map", cbor::encode(&Value::Array(vec![]))?),
    ];
    for (name, payload) in cases {
        assert!(matches!(decode(&payload), Err(SealError::Malformed(_))), "{name} was accepted");
    }
    Ok(())
}

#[test]
fn non_shortest_integer_is_refused() -> Result<()> {
    let payload = encode(&fixtures::challan(100_001, 42)?)?;
    // Re-encode iat (0x1a + 4 bytes) as an 8-byte integer (0x1b + 8 bytes): same value.
    let at = payload.windows(2).position(|w| w == [0x06, 0x1a]).ok_or(SealError::Malformed("test"))?;
    let mut longer = payload[..at + 1].to_vec();
    longer.extend_from_slice(&[0x1b, 0, 0, 0, 0]);
    longer.extend_from_slice(&payload[at + 2..]);
    assert!(matches!(decode(&longer), Err(SealError::Malformed("claims are not deterministically encoded"))));
    Ok(())
}
