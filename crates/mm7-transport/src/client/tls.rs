//! The client's rustls configuration: system roots, extra trust anchors, or pinned
//! certificates; a client certificate for mutual TLS; or a configuration the user built.

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::error::ClientError;
use super::verify::ServerVerifier;

/// What the client trusts, and how it proves who it is.
#[derive(Debug)]
pub(crate) struct TlsSettings {
    /// Load the operating system's trust anchors.
    pub(crate) system_roots: bool,
    /// Extra trust anchors.
    pub(crate) roots: Vec<CertificateDer<'static>>,
    /// When not empty: the only end-entity certificates accepted.
    pub(crate) pins: Vec<CertificateDer<'static>>,
    /// The client's certificate chain and private key, for peers that require mutual TLS.
    pub(crate) identity: Option<ClientIdentity>,
    /// A configuration the user built, used as it is (the settings above are ignored).
    pub(crate) custom: Option<Arc<ClientConfig>>,
}

/// A client certificate chain (the client's own first) and its private key.
pub(crate) struct ClientIdentity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key never reaches a log.
        f.debug_struct("ClientIdentity")
            .field("certificates", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            system_roots: true,
            roots: Vec::new(),
            pins: Vec::new(),
            identity: None,
            custom: None,
        }
    }
}

/// Reads a private key given as PEM (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`)
/// or as DER (PKCS#8, PKCS#1 or SEC1).
pub(crate) fn parse_private_key(data: &[u8]) -> Result<PrivateKeyDer<'static>, ClientError> {
    let is_pem = data
        .windows(b"-----BEGIN".len())
        .any(|w| w == b"-----BEGIN");
    if is_pem {
        return PrivateKeyDer::from_pem_slice(data).map_err(|e| match e {
            rustls_pki_types::pem::Error::NoItemsFound => {
                tls_error("no PRIVATE KEY section in the PEM text")
            }
            other => tls_error(format!("PEM private key: {other}")),
        });
    }
    PrivateKeyDer::try_from(data.to_vec()).map_err(|e| tls_error(format!("DER private key: {e}")))
}

/// Reads certificates given as PEM (one or more `CERTIFICATE` sections) or as one DER
/// certificate.
pub(crate) fn parse_certificates(data: &[u8]) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    let is_pem = data
        .windows(b"-----BEGIN".len())
        .any(|w| w == b"-----BEGIN");
    if !is_pem {
        if data.is_empty() {
            return Err(tls_error("an empty certificate"));
        }
        return Ok(vec![CertificateDer::from(data.to_vec())]);
    }
    let certs = CertificateDer::pem_slice_iter(data)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error(format!("PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(tls_error("no CERTIFICATE section in the PEM text"));
    }
    Ok(certs)
}

fn tls_error(reason: impl Into<String>) -> ClientError {
    ClientError::Tls {
        reason: reason.into(),
        source: None,
    }
}

/// The rustls configuration for `settings`. `https` says whether the endpoint uses TLS at
/// all: an `http` endpoint never loads the system roots.
pub(crate) fn client_config(
    settings: &TlsSettings,
    https: bool,
) -> Result<ClientConfig, ClientError> {
    if let Some(custom) = &settings.custom {
        return Ok(ClientConfig::clone(custom));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(e.to_string()))?;
    if !settings.pins.is_empty() {
        let verifier = ServerVerifier::pinned(settings.pins.clone(), &provider);
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier));
        return match &settings.identity {
            Some(identity) => builder
                .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key())
                .map_err(|e| tls_error(format!("client certificate: {e}"))),
            None => Ok(builder.with_no_client_auth()),
        };
    }
    let mut roots = RootCertStore::empty();
    if https && settings.system_roots {
        // An unreadable system store is not fatal: extra roots may be all that is needed, and
        // a handshake against an untrusted peer fails with a clear error anyway.
        let native = rustls_native_certs::load_native_certs();
        for error in &native.errors {
            tracing::debug!(%error, "system trust store");
        }
        let (added, ignored) = roots.add_parsable_certificates(native.certs);
        tracing::debug!(added, ignored, "system trust anchors loaded");
    }
    for cert in &settings.roots {
        roots
            .add(cert.clone())
            .map_err(|e| tls_error(format!("extra root certificate: {e}")))?;
    }
    let builder = builder.with_root_certificates(roots);
    match &settings.identity {
        Some(identity) => builder
            .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key())
            .map_err(|e| tls_error(format!("client certificate: {e}"))),
        None => Ok(builder.with_no_client_auth()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_forms() {
        assert!(parse_certificates(b"").is_err());
        assert_eq!(
            parse_certificates(b"\x30\x03\x02\x01\x01")
                .map(|c| c.len())
                .ok(),
            Some(1)
        );
        let pem = b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
        assert_eq!(parse_certificates(pem).map(|c| c.len()).ok(), Some(1));
        let broken = b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n";
        assert!(matches!(
            parse_certificates(broken),
            Err(ClientError::Tls { .. })
        ));
        let no_cert = b"-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n";
        assert!(parse_certificates(no_cert).is_err());
    }

    #[test]
    fn empty_system_store_is_not_fatal() {
        let settings = TlsSettings {
            system_roots: false,
            ..TlsSettings::default()
        };
        assert!(client_config(&settings, true).is_ok());
        let bad_root = TlsSettings {
            roots: vec![CertificateDer::from(vec![1, 2, 3])],
            ..settings
        };
        assert!(client_config(&bad_root, true).is_err());
    }

    #[test]
    fn private_key_forms() {
        let key = rcgen::KeyPair::generate().unwrap();
        assert!(parse_private_key(key.serialize_pem().as_bytes()).is_ok());
        assert!(parse_private_key(&key.serialize_der()).is_ok());
        let cert = b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
        let error = parse_private_key(cert).unwrap_err();
        assert!(error.to_string().contains("no PRIVATE KEY"), "{error}");
        assert!(parse_private_key(b"\x01\x02").is_err());
    }

    #[test]
    fn a_client_certificate_must_match_its_key() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["vasp".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let settings = |key: &rcgen::KeyPair| TlsSettings {
            system_roots: false,
            identity: Some(ClientIdentity {
                chain: vec![cert.der().clone()],
                key: parse_private_key(&key.serialize_der()).unwrap(),
            }),
            ..TlsSettings::default()
        };
        assert!(client_config(&settings(&key), true).is_ok());
        let other = rcgen::KeyPair::generate().unwrap();
        let error = client_config(&settings(&other), true).unwrap_err();
        assert!(error.to_string().contains("client certificate"), "{error}");
    }
}
