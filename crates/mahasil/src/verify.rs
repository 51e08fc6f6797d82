//! `mahasil verify`: checks a seal with no network, from a `/V/` URL, a bare token, or a
//! photo or scan of the printed QR code. Prints the outcome and every signed value, and
//! exits 0 only for `valid` (1 for any other outcome, 2 when it could not check at all).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use mahasil_seal::{RevocationList, RevocationSet, TrustList, Verification};
use mahasil_server::seals::TrustBundle;
use mahasil_server::seals::revocations::SignedRevocations;

use crate::DataArgs;

/// Largest trust or revocation list file read.
const MAX_LIST_FILE_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Args)]
pub struct VerifyArgs {
    /// Trust list from `mahasil keys export-trust-list` or /api/v1/trust-list
    /// [default: this installation's, from its database].
    #[arg(long, value_name = "FILE")]
    trust_list: Option<PathBuf>,
    /// Only trust a list signed by this authority kid (16 hex digits).
    #[arg(long, value_name = "KID")]
    authority_kid: Option<String>,
    /// Revocation list from `mahasil keys export-revocations` or /api/v1/revocations.
    #[arg(long, value_name = "FILE")]
    revocations: Option<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
    /// The seal: a /V/ URL, a token, or a PNG or JPEG picture of the QR code.
    input: String,
}

pub async fn run(file: Option<&Path>, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let trust = match &args.trust_list {
        Some(path) => {
            let bundle: TrustBundle = read_json(path)?;
            bundle.open(args.authority_kid.as_deref()).map_err(|e| anyhow::anyhow!("trust list {}: {e}", path.display()))?.0
        }
        None => local_trust(file, &args.data).await?,
    };
    let revoked = match &args.revocations {
        Some(path) => Some(revocation_set(path, &trust)?),
        None => None,
    };
    let verification = match scanned_text(&args.input)? {
        Ok(text) => mahasil_seal::verify_qr(&text, &trust, revoked.as_ref()),
        Err(e) => Verification { outcome: mahasil_seal::Outcome::Malformed, claims: None, kid: None, error: Some(e) },
    };
    print(&verification, revoked.as_ref(), trust.version());
    Ok(if verification.is_valid() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The QR text: the input itself, or the code read from the picture file it names.
fn scanned_text(input: &str) -> anyhow::Result<Result<String, mahasil_seal::SealError>> {
    let path = Path::new(input);
    if !path.is_file() {
        return Ok(Ok(input.to_string()));
    }
    let len = std::fs::metadata(path)?.len();
    if len > mahasil_seal::scan::MAX_IMAGE_BYTES as u64 {
        return Ok(Err(mahasil_seal::SealError::Malformed("the picture is too large")));
    }
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(mahasil_seal::scan::qr_text(&bytes))
}

async fn local_trust(file: Option<&Path>, data: &DataArgs) -> anyhow::Result<TrustList> {
    let config = crate::load_config(file, data)?;
    let store = crate::open_store(&config).await?;
    let dir = mahasil_server::seals::KeyDir::open(&config.effective_keys_dir())?;
    let authority = mahasil_server::seals::trust::Authority::load(&dir, false)?;
    let stored = mahasil_server::seals::trust::load(&store, &authority.public).await?;
    Ok(stored.ok_or_else(|| anyhow::anyhow!("this installation has no trust list yet; pass --trust-list FILE"))?.list)
}

fn revocation_set(path: &Path, trust: &TrustList) -> anyhow::Result<RevocationSet> {
    let signed: SignedRevocations = read_json(path)?;
    let document = signed.document.ok_or_else(|| anyhow::anyhow!("{} holds no revocation list document", path.display()))?;
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, document)
        .map_err(|_| anyhow::anyhow!("{}: the document is not Base64", path.display()))?;
    let list = RevocationList::verify(&bytes, trust).map_err(|e| anyhow::anyhow!("revocation list {}: {e}", path.display()))?;
    anyhow::ensure!(list.is_full(), "{} is a delta; offline verification needs a full list", path.display());
    let mut set = RevocationSet::new();
    set.apply(list)?;
    Ok(set)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let len = std::fs::metadata(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?.len();
    anyhow::ensure!(len <= MAX_LIST_FILE_BYTES, "{} is larger than {MAX_LIST_FILE_BYTES} bytes", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not the expected JSON: {e}", path.display()))
}

fn print(v: &Verification, revoked: Option<&RevocationSet>, trust_version: u64) {
    println!("outcome: {}", v.outcome.as_str());
    if let Some(e) = &v.error {
        println!("reason: {e}");
    }
    if let Some(kid) = &v.kid {
        println!("signed by key: {kid}");
    }
    println!(
        "checked against: trust list version {trust_version}, {}",
        revoked.map_or("no revocation list".to_string(), |r| format!("revocation list version {}", r.version()))
    );
    if let Some(claims) = &v.claims {
        let note = if v.is_valid() { "" } else { " (NOT trustworthy: the seal did not verify)" };
        println!("signed values{note}:");
        for v in mahasil_server::seals::claims::signed_values(claims) {
            println!("  {:<22} {}", v.en.to_lowercase(), v.value);
        }
    }
}
