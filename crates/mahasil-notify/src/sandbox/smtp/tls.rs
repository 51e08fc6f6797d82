//! [`SmtpSandboxTls`]: the certificate and key the sandbox mail server shows after STARTTLS,
//! on rustls with the ring provider that lettre's client side already uses.

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::{NotifyError, Result};

/// A server certificate and its private key, ready to accept TLS; cheap to clone.
#[derive(Clone)]
pub struct SmtpSandboxTls {
    acceptor: TlsAcceptor,
}

impl std::fmt::Debug for SmtpSandboxTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSandboxTls").finish_non_exhaustive()
    }
}

impl SmtpSandboxTls {
    /// From PEM: the certificate chain (the server's own certificate first, then any
    /// intermediates) and its private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem(certificate_chain: &[u8], private_key: &[u8]) -> Result<Self> {
        let chain = CertificateDer::pem_slice_iter(certificate_chain)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| NotifyError::config("sandbox certificate", e.to_string()))?;
        let key = PrivateKeyDer::from_pem_slice(private_key).map_err(|e| NotifyError::config("sandbox private key", e.to_string()))?;
        Self::new(chain, key)
    }

    /// From DER: the server's certificate and its private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_der(certificate: Vec<u8>, private_key: Vec<u8>) -> Result<Self> {
        let key = PrivateKeyDer::try_from(private_key).map_err(|e| NotifyError::config("sandbox private key", e))?;
        Self::new(vec![CertificateDer::from(certificate)], key)
    }

    fn new(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<Self> {
        if chain.is_empty() {
            return Err(NotifyError::config("sandbox certificate", "no certificate given"));
        }
        let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| NotifyError::config("sandbox certificate", e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| NotifyError::config("sandbox certificate", e.to_string()))?;
        Ok(Self { acceptor: TlsAcceptor::from(Arc::new(config)) })
    }

    pub(super) fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn pem_and_der_both_serve() -> R {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])?;
        SmtpSandboxTls::from_pem(certified.cert.pem().as_bytes(), certified.signing_key.serialize_pem().as_bytes())?;
        SmtpSandboxTls::from_der(certified.cert.der().to_vec(), certified.signing_key.serialize_der())?;
        Ok(())
    }

    #[test]
    fn a_key_that_is_not_the_certificates_is_refused() -> R {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])?;
        let other_key = rcgen::KeyPair::generate()?;
        assert!(SmtpSandboxTls::from_pem(certified.cert.pem().as_bytes(), other_key.serialize_pem().as_bytes()).is_err());
        assert!(SmtpSandboxTls::from_pem(b"", certified.signing_key.serialize_pem().as_bytes()).is_err());
        assert!(SmtpSandboxTls::from_pem(certified.cert.pem().as_bytes(), b"no key").is_err());
        Ok(())
    }
}
