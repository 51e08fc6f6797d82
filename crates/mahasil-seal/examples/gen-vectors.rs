//! Writes the shared seal test vectors to `testdata/seal-vectors/` (see the README there).
//!
//! `cargo run -p mahasil-seal --example gen-vectors [-- --new-keys]`
//!
//! ECDSA signatures are randomised, so every run writes new signature bytes: run this only
//! when the format changes, and commit the result. The keys in `keys.json` are kept unless
//! `--new-keys` is given.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow_free::{Error, Res};
use coset::CborSerializable;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_seal::{
    Claims, Document, KeyStatus, PaymentChannel, RevocationEntry, RevocationList, ShortText, SigningKey, StatusStatement, TrustList, TrustedKey, Usage, cwt,
    qr_url, token, verify_qr,
};
use serde_json::{Value, json};

/// A tiny error type so this example needs no extra dependency.
mod anyhow_free {
    pub type Error = Box<dyn std::error::Error>;
    pub type Res<T> = Result<T, Error>;
}

const BASE_URL: &str = "https://mahasil.kp.gov.pk";
/// 2026-01-01T00:00:00Z, and days since 1970 of that date.
const T0: i64 = 1_767_225_600;
const T0_DAYS: u32 = 20_454;
const DAY: i64 = 86_400;
const RETIRED_AT: i64 = T0 + 30 * DAY;
const COMPROMISED_AT: i64 = T0 + 60 * DAY;

struct KeySpec {
    name: &'static str,
    issuer: u32,
    usage: Usage,
    status: KeyStatus,
    valid_until: Option<i64>,
    listed: bool,
}

const KEYS: [KeySpec; 6] = [
    KeySpec { name: "challan-100001", issuer: 100_001, usage: Usage::Challan, status: KeyStatus::Active, valid_until: None, listed: true },
    KeySpec { name: "receipt-100001", issuer: 100_001, usage: Usage::Receipt, status: KeyStatus::Active, valid_until: None, listed: true },
    KeySpec { name: "status-100001", issuer: 100_001, usage: Usage::Status, status: KeyStatus::Active, valid_until: None, listed: true },
    KeySpec { name: "retired-challan-100002", issuer: 100_002, usage: Usage::Challan, status: KeyStatus::Retired, valid_until: Some(RETIRED_AT), listed: true },
    KeySpec {
        name: "compromised-challan-100003",
        issuer: 100_003,
        usage: Usage::Challan,
        status: KeyStatus::Compromised { at_s: COMPROMISED_AT },
        valid_until: None,
        listed: true,
    },
    KeySpec { name: "unlisted-challan-100004", issuer: 100_004, usage: Usage::Challan, status: KeyStatus::Active, valid_until: None, listed: false },
];

fn main() -> Res<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/seal-vectors");
    fs::create_dir_all(&dir)?;
    let new_keys = std::env::args().any(|a| a == "--new-keys");
    let pkcs8 = load_or_make_keys(&dir, new_keys)?;
    let key = |name: &str| -> Res<SigningKey> {
        let (_, doc) = pkcs8.iter().find(|(n, _)| n == name).ok_or_else(|| Error::from(format!("no key {name}")))?;
        Ok(SigningKey::from_pkcs8(doc)?)
    };
    let root = key("root")?;

    let trusted = KEYS
        .iter()
        .filter(|k| k.listed)
        .map(|k| {
            Ok(TrustedKey {
                public_key: key(k.name)?.public_key().clone(),
                issuer: IssuerNo::new(k.issuer)?,
                usage: k.usage,
                valid_from_s: T0,
                valid_until_s: k.valid_until,
                status: k.status,
            })
        })
        .collect::<Res<Vec<_>>>()?;
    let trust = TrustList::new(1, T0, trusted)?;
    let trust_cose = trust.sign(&root)?;
    write(&dir, "keys.json", &keys_json(&pkcs8)?)?;
    write(&dir, "trust-list.json", &json!({"version": trust.version(), "issued_at": trust.issued_at_s(), "document": document_json(&trust_cose)?}))?;

    let status_key = key("status-100001")?;
    let full = RevocationList::full(1, T0 + 20 * DAY, vec![entry(100_001, 900)?, entry(100_002, 900)?])?;
    let delta = RevocationList::delta(1, 2, T0 + 21 * DAY, vec![entry(100_001, 4)?])?;
    let lists = [(full, vec![no(100_001, 900)?, no(100_002, 900)?]), (delta, vec![no(100_001, 4)?])]
        .iter()
        .map(|(list, revoked)| revocation_json(list, revoked, &status_key))
        .collect::<Res<Vec<_>>>()?;
    write(&dir, "revocation-lists.json", &json!({"apply_in_order": lists}))?;

    let statements = [
        StatusStatement { challan_no: no(100_001, 1)?, status: ChallanStatus::Paid, receipt_no: Some(no(100_001, 2)?), as_of_s: T0 + 12 * DAY },
        StatusStatement { challan_no: no(100_001, 4)?, status: ChallanStatus::Cancelled, receipt_no: None, as_of_s: T0 + 21 * DAY },
    ]
    .iter()
    .map(|s| statement_json(s, &status_key))
    .collect::<Res<Vec<_>>>()?;
    write(&dir, "status-statements.json", &json!({"statements": statements}))?;

    let cases = cases(&key)?;
    let mut set = mahasil_seal::RevocationSet::new();
    for list in &lists {
        let bytes = hex::decode(list["document"]["cose_hex"].as_str().unwrap_or_default())?;
        set.apply(RevocationList::verify(&bytes, &trust)?)?;
    }
    for case in &cases {
        let got = verify_qr(case["input"].as_str().unwrap_or_default(), &trust, Some(&set)).outcome;
        if got.as_str() != case["expected_outcome"] {
            return Err(format!("case {}: got {got}", case["name"]).into());
        }
    }
    write(&dir, "cases.json", &json!({"base_url": BASE_URL, "cases": cases}))?;
    println!("wrote {} cases to {}", cases.len(), dir.display());
    Ok(())
}

fn load_or_make_keys(dir: &Path, new_keys: bool) -> Res<Vec<(String, Vec<u8>)>> {
    let names = std::iter::once("root").chain(KEYS.iter().map(|k| k.name));
    let existing: Option<Value> = if new_keys { None } else { fs::read_to_string(dir.join("keys.json")).ok().and_then(|s| serde_json::from_str(&s).ok()) };
    names
        .map(|name| {
            let stored = existing.as_ref().and_then(|v| {
                let entry = if name == "root" { v.get("root") } else { v["signing_keys"].as_array()?.iter().find(|k| k["name"] == name) };
                hex::decode(entry?["pkcs8_hex"].as_str()?).ok()
            });
            Ok((
                name.to_string(),
                match stored {
                    Some(doc) => doc,
                    None => SigningKey::generate_pkcs8()?,
                },
            ))
        })
        .collect()
}

fn keys_json(pkcs8: &[(String, Vec<u8>)]) -> Res<Value> {
    let key_json = |doc: &[u8]| -> Res<Value> {
        let key = SigningKey::from_pkcs8(doc)?;
        Ok(json!({"pkcs8_hex": hex::encode(doc), "public_sec1_hex": hex::encode(key.public_key().sec1()), "kid_hex": key.kid().to_string()}))
    };
    let root_doc = pkcs8.iter().find(|(n, _)| n == "root").map(|(_, d)| d.as_slice()).unwrap_or_default();
    let signing = KEYS
        .iter()
        .map(|spec| {
            let doc = pkcs8.iter().find(|(n, _)| n == spec.name).map(|(_, d)| d.as_slice()).unwrap_or_default();
            let mut v = key_json(doc)?;
            let compromised_at = match spec.status {
                KeyStatus::Compromised { at_s } => Some(at_s),
                _ => None,
            };
            let extra = json!({"name": spec.name, "issuer": IssuerNo::new(spec.issuer)?.to_string(), "usage": spec.usage.as_str(),
                "valid_from": T0, "valid_until": spec.valid_until, "status": spec.status.as_str(), "compromised_at": compromised_at,
                "in_trust_list": spec.listed});
            if let (Some(v), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
                v.extend(extra.clone());
            }
            Ok(v)
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(json!({"root": key_json(root_doc)?, "signing_keys": signing}))
}

/// The deterministic parts of a signed document, and the signed bytes themselves.
fn document_json(cose: &[u8]) -> Res<Value> {
    let parsed = coset::CoseSign1::from_slice(cose).map_err(|e| format!("{e:?}"))?;
    Ok(json!({
        "payload_hex": hex::encode(parsed.payload.clone().unwrap_or_default()),
        "protected_hex": hex::encode(parsed.protected.original_data.clone().unwrap_or_default()),
        "sig_structure_hex": hex::encode(parsed.tbs_data(&[])),
        "signature_hex": hex::encode(&parsed.signature),
        "cose_hex": hex::encode(cose),
    }))
}

fn revocation_json(list: &RevocationList, revoked: &[ChallanNo], key: &SigningKey) -> Res<Value> {
    Ok(json!({
        "version": list.version(),
        "since_version": list.since_version(),
        "issued_at": list.issued_at_s(),
        "revoked_challans": revoked.iter().map(|n| n.digits()).collect::<Vec<_>>(),
        "entries_hex": list.entries().iter().map(|e| hex::encode(e.as_bytes())).collect::<Vec<_>>(),
        "signer": "status-100001",
        "document": document_json(&list.sign(key)?)?,
    }))
}

fn statement_json(statement: &StatusStatement, key: &SigningKey) -> Res<Value> {
    Ok(json!({
        "challan_no": statement.challan_no.digits(),
        "status": statement.status.as_str(),
        "receipt_no": statement.receipt_no.map(|n| n.digits()),
        "as_of": statement.as_of_s,
        "signer": "status-100001",
        "expected": "valid",
        "document": document_json(&statement.sign(key)?)?,
    }))
}

fn no(issuer: u32, counter: u32) -> Res<ChallanNo> {
    Ok(ChallanNo::new(IssuerNo::new(issuer)?, counter)?)
}

fn entry(issuer: u32, counter: u32) -> Res<RevocationEntry> {
    Ok(RevocationEntry::of(no(issuer, counter)?))
}

fn text(s: &str) -> Res<ShortText> {
    Ok(ShortText::parse("text", s)?)
}

fn challan(issuer: u32, counter: u32, issued_at_s: i64) -> Res<Claims> {
    Ok(Claims {
        issuer: IssuerNo::new(issuer)?,
        issued_at_s,
        number: no(issuer, counter)?,
        heads: vec![HeadCode::parse("DA-ENC-01")?],
        amount_paisa: Paisa::new(500_000)?,
        district: Slug::parse("dera-ismail-khan")?,
        subject_id: Some(text("ABC-1234")?),
        document: Document::Challan { amount_after_due_paisa: Paisa::new(600_000)?, due_date_days: T0_DAYS + 24, officer: text("officer.peshawar")? },
    })
}

fn receipt() -> Res<Claims> {
    Ok(Claims {
        issuer: IssuerNo::new(100_001)?,
        issued_at_s: T0 + 11 * DAY,
        number: no(100_001, 2)?,
        heads: vec![HeadCode::parse("DA-ENC-01")?],
        amount_paisa: Paisa::new(500_000)?,
        district: Slug::parse("dera-ismail-khan")?,
        subject_id: None,
        document: Document::Receipt { challan_no: no(100_001, 1)?, channel: PaymentChannel::Bank, payment_reference: text("HBL-482913")?, received_by: None },
    })
}

/// A case whose input is the QR URL of a seal `signer` made over `claims`.
fn sealed(name: &str, description: &str, signer: &str, cose: &[u8], input: String, outcome: &str) -> Res<Value> {
    let payload = coset::CoseSign1::from_slice(cose).map_err(|e| format!("{e:?}"))?.payload.unwrap_or_default();
    let claims = cwt::decode(&payload)?;
    Ok(json!({
        "name": name, "description": description, "signer": signer, "claims": serde_json::to_value(&claims)?,
        "document": document_json(cose)?, "token": token::token(cose), "qr_url": qr_url(BASE_URL, cose),
        "input": input, "expected_outcome": outcome,
    }))
}

fn unsealed(name: &str, description: &str, input: String) -> Value {
    json!({"name": name, "description": description, "signer": null, "claims": null, "document": null, "token": null,
        "qr_url": null, "input": input, "expected_outcome": "malformed"})
}

fn cases(key: &dyn Fn(&str) -> Res<SigningKey>) -> Res<Vec<Value>> {
    let url = |cose: &[u8]| qr_url(BASE_URL, cose);
    let mut cases = Vec::new();
    let mut case = |name: &str, description: &str, signer: &str, claims: &Claims, outcome: &str| -> Res<Vec<u8>> {
        let cose = key(signer)?.sign(claims)?;
        cases.push(sealed(name, description, signer, &cose, url(&cose), outcome)?);
        Ok(cose)
    };
    let valid = case("valid-challan", "an active challan key seals a challan", "challan-100001", &challan(100_001, 1, T0 + 10 * DAY)?, "valid")?;
    case("valid-receipt", "an active receipt key seals the receipt that pays valid-challan", "receipt-100001", &receipt()?, "valid")?;
    case("unknown-kid", "a key the trust list does not name", "unlisted-challan-100004", &challan(100_004, 1, T0 + DAY)?, "unknown-key")?;
    let wrong_use = challan(100_001, 3, T0 + 10 * DAY)?;
    case("receipt-key-signs-challan", "a receipt key seals a challan", "receipt-100001", &wrong_use, "key-not-valid-for-this-use")?;
    let mut foreign = challan(100_002, 7, T0 + DAY)?;
    foreign.issuer = IssuerNo::new(100_001)?;
    case(
        "number-of-another-issuer",
        "iss is the key's, but the challan_no starts with another issuer",
        "challan-100001",
        &foreign,
        "key-not-valid-for-this-use",
    )?;
    let retired = "retired-challan-100002";
    case(
        "retired-key-after-retirement",
        "signed a day after the key's valid_until",
        retired,
        &challan(100_002, 2, RETIRED_AT + DAY)?,
        "key-not-valid-for-this-use",
    )?;
    case("retired-key-old-seal", "signed a day before the key's valid_until", retired, &challan(100_002, 1, RETIRED_AT - DAY)?, "valid")?;
    let compromised = "compromised-challan-100003";
    case("compromised-key-after-compromise", "signed an hour after compromised_at", compromised, &challan(100_003, 2, COMPROMISED_AT + 3_600)?, "revoked")?;
    case("compromised-key-before-compromise", "signed a day before compromised_at", compromised, &challan(100_003, 1, COMPROMISED_AT - DAY)?, "valid")?;
    case("revoked-challan", "a challan cancelled in the revocation delta (version 2)", "challan-100001", &challan(100_001, 4, T0 + 10 * DAY)?, "revoked")?;

    let mut changed = valid.clone();
    let amount = [0x03, 0x1a, 0x00, 0x07, 0xa1, 0x20];
    let at = changed.windows(amount.len()).position(|w| w == amount).ok_or("amount not found")?;
    changed[at + 5] = 0x21;
    cases.push(sealed(
        "changed-amount-byte",
        "valid-challan with amount_paisa 500000 changed to 500001",
        "challan-100001",
        &changed,
        url(&changed),
        "invalid-signature",
    )?);
    cases.push(sealed("lower-case-url", "valid-challan's URL in lower case", "challan-100001", &valid, url(&valid).to_lowercase(), "valid")?);
    cases.push(sealed("bare-token", "valid-challan's token without the URL", "challan-100001", &valid, token::token(&valid), "valid")?);

    let prefix = format!("{}/V/", BASE_URL.to_uppercase());
    let valid_token = token::token(&valid);
    cases.push(unsealed("truncated-token", "valid-challan's token cut to 96 characters (60 bytes)", format!("{prefix}{}", &valid_token[..96])));
    cases.push(unsealed("bad-base32", "valid-challan's URL with the first token character replaced by 1", format!("{prefix}1{}", &valid_token[1..])));
    let mut oversized = valid_token.clone();
    while oversized.len() <= token::MAX_TOKEN_CHARS {
        oversized.push_str("AAAAAAAA");
    }
    cases.push(unsealed("oversized-token", "valid-challan's token padded with A to more than 1024 characters", format!("{prefix}{oversized}")));
    Ok(cases)
}

fn write(dir: &Path, name: &str, value: &Value) -> Res<()> {
    fs::write(dir.join(name), serde_json::to_string_pretty(value)? + "\n")?;
    Ok(())
}
