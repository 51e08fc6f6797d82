//! What STARTTLS checks the mail server's certificate against: the Mozilla roots built into
//! lettre, and the relay's own CA when [`SmtpConfig::ca_file`] names one.

use std::path::Path;

use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;

use super::{SmtpConfig, SmtpTls};
use crate::{NotifyError, Result};

/// Largest CA file read, in bytes: a bundle of a few hundred certificates fits.
pub const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

/// The TLS settings of `config`, its CA file read and checked.
pub(super) fn tls(config: &SmtpConfig) -> Result<Tls> {
    if config.tls == SmtpTls::None {
        return Ok(Tls::None);
    }
    let mut parameters = TlsParameters::builder(config.host.clone());
    if let Some(path) = &config.ca_file {
        parameters = parameters.add_root_certificate(ca_certificates(path)?);
    }
    let parameters = parameters.build().map_err(|e| match &config.ca_file {
        // The roots are parsed here, so a PEM block that is not a certificate inside fails here.
        Some(path) => NotifyError::config("ca_file", format!("{}: not a usable CA certificate: {e}", path.display())),
        None => NotifyError::config("tls", e.to_string()),
    })?;
    Ok(Tls::Required(parameters))
}

/// The certificates of the PEM file at `path`; at least one, or an error naming the file.
fn ca_certificates(path: &Path) -> Result<Certificate> {
    let unreadable = |reason: String| NotifyError::config("ca_file", format!("cannot read {}: {reason}", path.display()));
    let size = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?.len();
    if size > MAX_CA_FILE_BYTES {
        return Err(unreadable(format!("{size} bytes, more than the {MAX_CA_FILE_BYTES} a CA file may have")));
    }
    let pem = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    // lettre takes a file without any certificate as an empty list, which would trust nothing
    // new and fail only at the first send; counting them here fails at start-up instead.
    let mut certificates = 0;
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        certificate.map_err(|e| NotifyError::config("ca_file", format!("{} is not valid PEM: {e}", path.display())))?;
        certificates += 1;
    }
    if certificates == 0 {
        return Err(NotifyError::config("ca_file", format!("{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display())));
    }
    Certificate::from_pem(&pem).map_err(|e| NotifyError::config("ca_file", format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    type R = std::result::Result<(), Box<dyn std::error::Error>>;

    fn config(ca_file: PathBuf) -> SmtpConfig {
        SmtpConfig { tls: SmtpTls::Starttls, ca_file: Some(ca_file), ..SmtpConfig::plain("relay.kp.gov.pk", 587, "noreply@kp.gov.pk") }
    }

    fn error(ca_file: PathBuf) -> String {
        tls(&config(ca_file)).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_ca_certificate_is_added_to_the_roots() -> R {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("kp-ca.pem");
        let key = rcgen::KeyPair::generate()?;
        let mut params = rcgen::CertificateParams::new(Vec::new())?;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        std::fs::write(&path, params.self_signed(&key)?.pem())?;
        assert!(matches!(tls(&config(path))?, Tls::Required(_)));
        Ok(())
    }

    #[test]
    fn files_that_are_not_certificates_are_named_in_the_error() -> R {
        let dir = tempfile::tempdir()?;
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "the relay's CA is on the USB stick\n")?;
        assert!(error(text.clone()).contains(&format!("ca_file: {} holds no PEM certificate", text.display())));

        let key_only = dir.path().join("key.pem");
        std::fs::write(&key_only, rcgen::KeyPair::generate()?.serialize_pem())?;
        assert!(error(key_only.clone()).contains(&format!("{} holds no PEM certificate", key_only.display())));

        let garbled = dir.path().join("garbled.pem");
        std::fs::write(&garbled, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")?;
        assert!(error(garbled.clone()).contains(&format!("{}: not a usable CA certificate", garbled.display())), "{}", error(garbled));
        Ok(())
    }

    #[test]
    fn a_missing_or_oversized_file_is_named_in_the_error() -> R {
        let dir = tempfile::tempdir()?;
        let missing = dir.path().join("missing.pem");
        assert!(error(missing.clone()).starts_with(&format!("ca_file: cannot read {}", missing.display())));
        let huge = dir.path().join("huge.pem");
        std::fs::write(&huge, vec![b'x'; usize::try_from(MAX_CA_FILE_BYTES)? + 1])?;
        assert!(error(huge.clone()).contains("more than the"), "{}", error(huge));
        Ok(())
    }
}
