//! The client's TLS options against the project's TLS server on 127.0.0.1: a private CA
//! given to the client, a client certificate for a server that requires mutual TLS, and a
//! rustls configuration built by the caller.

use std::sync::Arc;
use std::time::Duration;

use mm7_model::{Address, SenderIdentification, Status, SubmitReq, SubmitRsp};
use mm7_transport::client::{Client, ClientError};
use mm7_transport::server::{
    Handler, HandlerResult, Inbound, Role, RunningServer, Server, ServerConfig,
};
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// A private CA, a server certificate for 127.0.0.1 and a client certificate, all issued by
/// it; and a client certificate issued by another CA.
struct Pki {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    server_der: CertificateDer<'static>,
    server_key_der: Vec<u8>,
    client_pem: String,
    client_key_pem: String,
    stranger_pem: String,
    stranger_key_pem: String,
}

fn ca(name: &str) -> (rcgen::Certificate, rcgen::Issuer<'static, rcgen::KeyPair>) {
    let key = rcgen::KeyPair::generate().expect("CA key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    let cert = params.self_signed(&key).expect("CA certificate");
    (cert, rcgen::Issuer::new(params, key))
}

fn issue(
    names: &[&str],
    issuer: &rcgen::Issuer<'static, rcgen::KeyPair>,
) -> (rcgen::Certificate, rcgen::KeyPair) {
    let key = rcgen::KeyPair::generate().expect("key");
    let names = names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    let cert = rcgen::CertificateParams::new(names)
        .expect("params")
        .signed_by(&key, issuer)
        .expect("certificate");
    (cert, key)
}

impl Pki {
    fn new() -> Pki {
        let (ca_cert, issuer) = ca("mm7 test CA");
        let (server, server_key) = issue(&["127.0.0.1", "localhost"], &issuer);
        let (client, client_key) = issue(&["vasp.example"], &issuer);
        let (_, other_issuer) = ca("another CA");
        let (stranger, stranger_key) = issue(&["stranger.example"], &other_issuer);
        Pki {
            ca_pem: ca_cert.pem(),
            ca_der: ca_cert.der().clone(),
            server_der: server.der().clone(),
            server_key_der: server_key.serialize_der(),
            client_pem: client.pem(),
            client_key_pem: client_key.serialize_pem(),
            stranger_pem: stranger.pem(),
            stranger_key_pem: stranger_key.serialize_pem(),
        }
    }

    fn roots(&self) -> Arc<rustls::RootCertStore> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone()).expect("CA as a root");
        Arc::new(roots)
    }

    /// The server's TLS configuration; with `require_client`, clients must present a
    /// certificate the CA issued.
    fn server_config(&self, require_client: bool) -> rustls::ServerConfig {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("protocol versions");
        let builder = if require_client {
            let verifier = WebPkiClientVerifier::builder_with_provider(self.roots(), provider)
                .build()
                .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let mut config = builder
            .with_single_cert(
                vec![self.server_der.clone()],
                PrivateKeyDer::Pkcs8(self.server_key_der.clone().into()),
            )
            .expect("server certificate and key");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config
    }
}

/// An MMSC that accepts every submission.
struct Accept;

impl Handler for Accept {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> HandlerResult<SubmitRsp> {
        Ok(SubmitRsp::success(inbound.mm7_version, "msg-1"))
    }
}

async fn start(pki: &Pki, require_client: bool) -> RunningServer {
    let config = ServerConfig::new(Role::Mmsc).with_tls(pki.server_config(require_client));
    Server::bind("127.0.0.1:0", config, Arc::new(Accept))
        .await
        .expect("bind")
        .spawn()
}

fn submit_req() -> SubmitReq {
    let mut req = SubmitReq::default();
    req.sender_identification = Some(SenderIdentification {
        vasp_id: None,
        vas_id: None,
        sender_address: Some(Address::short_code("63901")),
    });
    req.recipients.to.push(Address::number("15551234567"));
    req
}

async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("the test did not finish within 20 s")
}

fn url(server: &RunningServer) -> String {
    format!("https://{}/mm7", server.local_addr())
}

#[tokio::test]
async fn a_private_ca_given_to_the_client_is_trusted() {
    bounded(async {
        let pki = Pki::new();
        let server = start(&pki, false).await;
        let untrusting = Client::builder(&url(&server))
            .system_roots(false)
            .build()
            .expect("client");
        let error = untrusting
            .submit(submit_req(), Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(error, ClientError::Tls { .. }), "{error:?}");

        let client = Client::builder(&url(&server))
            .system_roots(false)
            .add_root_certificate(&pki.ca_pem)
            .build()
            .expect("client");
        let rsp = client
            .submit(submit_req(), Vec::new())
            .await
            .expect("accepted");
        assert_eq!(rsp.status, Status::success());
        assert_eq!(rsp.message.message_id.as_deref(), Some("msg-1"));
        server.shutdown().await.expect("shutdown");
    })
    .await;
}

#[tokio::test]
async fn mutual_tls_needs_a_client_certificate_the_server_trusts() {
    bounded(async {
        let pki = Pki::new();
        let server = start(&pki, true).await;
        let builder = || {
            Client::builder(&url(&server))
                .system_roots(false)
                .add_root_certificate(&pki.ca_pem)
        };

        let client = builder()
            .client_certificate(&pki.client_pem, &pki.client_key_pem)
            .build()
            .expect("client");
        let rsp = client
            .submit(submit_req(), Vec::new())
            .await
            .expect("accepted");
        assert_eq!(rsp.status, Status::success());

        // No certificate, or one from another CA: the handshake (or the first read after
        // it, under TLS 1.3) fails, and nothing is answered.
        for candidate in [
            builder().build().expect("client"),
            builder()
                .client_certificate(&pki.stranger_pem, &pki.stranger_key_pem)
                .build()
                .expect("client"),
        ] {
            let error = candidate
                .submit(submit_req(), Vec::new())
                .await
                .unwrap_err();
            assert!(
                matches!(
                    error,
                    ClientError::Tls { .. } | ClientError::Transport { .. }
                ),
                "{error:?}"
            );
        }

        // A certificate whose key is not its own is refused before anything is sent.
        let error = builder()
            .client_certificate(&pki.client_pem, &pki.stranger_key_pem)
            .build()
            .unwrap_err();
        assert!(
            matches!(&error, ClientError::Tls { reason, .. } if reason.contains("client certificate")),
            "{error:?}"
        );
        let error = builder()
            .client_certificate("not a certificate", &pki.client_key_pem)
            .build()
            .unwrap_err();
        assert!(matches!(error, ClientError::Tls { .. }), "{error:?}");
        server.shutdown().await.expect("shutdown");
    })
    .await;
}

#[tokio::test]
async fn a_rustls_configuration_from_the_caller_is_used_as_it_is() {
    bounded(async {
        let pki = Pki::new();
        let server = start(&pki, true).await;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let chain =
            vec![CertificateDer::from_pem_slice(pki.client_pem.as_bytes()).expect("client PEM")];
        let key = PrivateKeyDer::from_pem_slice(pki.client_key_pem.as_bytes()).expect("key PEM");
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(pki.roots())
            .with_client_auth_cert(chain, key)
            .expect("client certificate");
        // The caller's configuration wins over the builder's trust settings.
        let client = Client::builder(&url(&server))
            .system_roots(false)
            .tls_config(config)
            .build()
            .expect("client");
        let rsp = client
            .submit(submit_req(), Vec::new())
            .await
            .expect("accepted");
        assert_eq!(rsp.status, Status::success());
        server.shutdown().await.expect("shutdown");
    })
    .await;
}

#[tokio::test]
async fn a_self_signed_peer_given_as_a_root_is_trusted() {
    bounded(async {
        let generated =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("certificate");
        let tls = mm7_transport::server::tls::server_config(
            generated.cert.pem().as_bytes(),
            generated.signing_key.serialize_pem().as_bytes(),
        )
        .expect("server TLS");
        let server = Server::bind(
            "127.0.0.1:0",
            ServerConfig::new(Role::Mmsc).with_tls(tls),
            Arc::new(Accept),
        )
        .await
        .expect("bind")
        .spawn();
        let client = Client::builder(&url(&server))
            .system_roots(false)
            .add_root_certificate(generated.cert.pem())
            .build()
            .expect("client");
        let result = client.submit(submit_req(), Vec::new()).await;
        assert!(result.is_ok(), "{result:?}");
        server.shutdown().await.expect("shutdown");
    })
    .await;
}
