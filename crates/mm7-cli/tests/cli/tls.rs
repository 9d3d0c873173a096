//! `--cacert`, `--client-cert` and `--client-key` against an HTTPS MMSC on 127.0.0.1 (the
//! transport's TLS server, in this process) whose certificate a private CA issued and which
//! requires a client certificate from the same CA.

use std::sync::Arc;

use mm7_model::{SubmitReq, SubmitRsp};
use mm7_transport::server::{
    Handler, HandlerResult, Inbound, Role, RunningServer, Server, ServerConfig,
};
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::PrivateKeyDer;

use crate::support::{TempDir, s, send};

/// An MMSC that accepts every submission.
struct Accept;

impl Handler for Accept {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> HandlerResult<SubmitRsp> {
        Ok(SubmitRsp::success(inbound.mm7_version, "tls-msg-1"))
    }
}

type Issuer = rcgen::Issuer<'static, rcgen::KeyPair>;

fn ca() -> (rcgen::Certificate, Issuer) {
    let key = rcgen::KeyPair::generate().expect("CA key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "mm7 cli test CA");
    let cert = params.self_signed(&key).expect("CA certificate");
    (cert, rcgen::Issuer::new(params, key))
}

fn issue(name: &str, issuer: &Issuer) -> (rcgen::Certificate, rcgen::KeyPair) {
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec![name.to_owned()])
        .expect("params")
        .signed_by(&key, issuer)
        .expect("certificate");
    (cert, key)
}

/// The server on a runtime of its own, stopped with the runtime on drop.
struct Https {
    _runtime: tokio::runtime::Runtime,
    _server: RunningServer,
    url: String,
}

fn start(ca: &rcgen::Certificate, issuer: &Issuer) -> Https {
    let (server_cert, server_key) = issue("127.0.0.1", issuer);
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).expect("CA root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .expect("client verifier");
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![server_cert.der().clone()],
            PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
        )
        .expect("server certificate");
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(async {
        Server::bind(
            "127.0.0.1:0",
            ServerConfig::new(Role::Mmsc).with_tls(tls),
            Arc::new(Accept),
        )
        .await
        .expect("bind")
        .spawn()
    });
    let url = format!("https://{}/mm7", server.local_addr());
    Https {
        _runtime: runtime,
        _server: server,
        url,
    }
}

#[test]
fn send_trusts_a_private_ca_and_presents_a_client_certificate() {
    let dir = TempDir::new("tls");
    let (ca_cert, issuer) = ca();
    let server = start(&ca_cert, &issuer);
    let (client_cert, client_key) = issue("vasp.example", &issuer);
    let cacert = dir.write("ca.pem", ca_cert.pem());
    let cert = dir.write("vasp.crt", client_cert.pem());
    let key = dir.write("vasp.key", client_key.serialize_pem());
    let to = ["--to", "15551234567", "--text", "hi"];

    // Without --cacert the private CA is unknown: a TLS failure, exit status 1.
    let out = send(&server.url, &to);
    out.assert_failed(1, "TLS");
    assert!(out.stderr.contains("--cacert"), "{}", out.stderr);

    // Trusted, but no client certificate: refused.
    let out = send(&server.url, &[&to[..], &["--cacert", s(&cacert)]].concat());
    assert_eq!(out.code, 1, "{}", out.stderr);

    // Both: accepted.
    let out = send(
        &server.url,
        &[
            &to[..],
            &[
                "--cacert",
                s(&cacert),
                "--client-cert",
                s(&cert),
                "--client-key",
                s(&key),
                "--json",
            ],
        ]
        .concat(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["message_id"], "tls-msg-1");

    // A key that is not the certificate's, or a file that is no key, is bad input.
    let (_, other_key) = issue("other", &issuer);
    let wrong = dir.write("other.key", other_key.serialize_pem());
    let out = send(
        &server.url,
        &[
            &to[..],
            &[
                "--cacert",
                s(&cacert),
                "--client-cert",
                s(&cert),
                "--client-key",
                s(&wrong),
            ],
        ]
        .concat(),
    );
    out.assert_bad_input("error: TLS: client certificate");
    let out = send(
        &server.url,
        &[
            &to[..],
            &["--client-cert", s(&cert), "--client-key", s(&cacert)],
        ]
        .concat(),
    );
    out.assert_bad_input("error: TLS: no PRIVATE KEY");
    // --client-cert alone is refused by the argument parser.
    let out = send(
        &server.url,
        &[&to[..], &["--client-cert", s(&cert)]].concat(),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
}
