//! Profiles at both ends: the client refuses before a byte leaves (a bare listener records
//! whether any arrived), returns warnings with the answer, takes the profile's defaults; a
//! mock MMSC under a profile answers as the provider documents.

mod peer;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use mm7_model::{
    Address, ContentRef, Part, SchemaId, SenderIdentification, Status, StatusCode, SubmitReq,
    SubmitRsp,
};
use mm7_transport::client::{Client, ClientError, SendOptions};
use mm7_transport::profile::{Profile, Severity};
use mm7_transport::server::{Handler, HandlerError, Inbound, Role, Server, ServerConfig};
use peer::{Peer, Reply, bounded};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// A listener that accepts connections, reads whatever comes and never answers, counting
/// connections and bytes.
struct BareListener {
    url: String,
    connections: Arc<AtomicUsize>,
    bytes: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl BareListener {
    async fn start(path: &str) -> BareListener {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}{path}", listener.local_addr().expect("address"));
        let connections = Arc::new(AtomicUsize::new(0));
        let bytes = Arc::new(AtomicUsize::new(0));
        let (c, b) = (connections.clone(), bytes.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let b = b.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    while let Ok(n @ 1..) = stream.read(&mut buf).await {
                        b.fetch_add(n, Ordering::SeqCst);
                    }
                });
            }
        });
        BareListener {
            url,
            connections,
            bytes,
            task,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn bytes(&self) -> usize {
        self.bytes.load(Ordering::SeqCst)
    }
}

impl Drop for BareListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn vibes_req() -> SubmitReq {
    let mut req = SubmitReq::default();
    req.sender_identification = Some(SenderIdentification {
        sender_address: Some(Address::short_code("63901")),
        ..SenderIdentification::default()
    });
    req.subject = Some("Hello Vibes".into());
    req.content = Some(ContentRef::cid("msg"));
    req.recipients.to.push(Address::number("+13127536330"));
    req
}

fn text() -> Vec<Part> {
    vec![Part::text("Hello Vibes").with_content_id("msg")]
}

#[tokio::test]
async fn the_client_refuses_before_sending_a_byte() {
    bounded(async {
        let listener = BareListener::start("/mms/mm7/submit").await;
        let client = Client::builder(&listener.url)
            .basic_auth("client@vibes.com", "password")
            .profile(Profile::Vibes)
            .timeout(Duration::from_millis(300))
            .build()
            .expect("client");

        let mut req = vibes_req();
        req.delivery_report = Some(true);
        req.recipients.cc.push(Address::number("3127536331"));
        let error = client
            .submit(req, text())
            .await
            .expect_err("refused by the profile");
        let ClientError::Profile {
            profile,
            violations,
        } = &error
        else {
            panic!("not a profile error: {error}");
        };
        assert_eq!(*profile, Profile::Vibes);
        let fields: Vec<_> = violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "Recipients",
                "Recipients/Cc[0]",
                "header X-Vibes-DlrCallbackUrl"
            ]
        );
        assert!(error.is_unsent() && !error.is_retryable());
        assert_eq!(error.violations().len(), 3);
        let message = error.to_string();
        assert!(
            message
                .starts_with("3 errors under the vibes profile, nothing sent: error: Recipients"),
            "{message}"
        );
        assert!(message.ends_with("(and 2 more)"), "{message}");

        // `send` goes through the same check.
        let mut envelope = mm7_model::Envelope::new("tx-1", SchemaId::Rel5Mm7_1_2, vibes_req());
        if let mm7_model::Message::SubmitReq(m) = &mut envelope.message {
            m.content = None;
        }
        let error = client.send(envelope).await.expect_err("no Content");
        assert_eq!(error.violations().len(), 1, "{error}");

        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(listener.connections(), 0);
        assert_eq!(listener.bytes(), 0);

        // The same client sends a request that keeps the rules: the listener hears it (and
        // never answers), so the zero above means something.
        let error = client
            .submit(vibes_req(), text())
            .await
            .expect_err("the listener never answers");
        assert!(matches!(error, ClientError::Timeout { .. }), "{error}");
        assert_eq!(listener.connections(), 1);
        assert!(listener.bytes() > 500, "{} bytes", listener.bytes());
    })
    .await;
}

#[tokio::test]
async fn per_request_headers_count() {
    bounded(async {
        let peer = Peer::start(|_, seen| {
            Reply::mm7(&seen.transaction_id(), SubmitRsp::success("5.3.0", "m-1"))
        })
        .await;
        let client = Client::builder(&peer.url())
            .basic_auth("u", "p")
            .profile(Profile::Vibes)
            .build()
            .expect("client");
        let mut req = vibes_req();
        req.delivery_report = Some(true);
        let options = SendOptions::new().with_header(
            http::HeaderName::from_static("x-vibes-dlrcallbackurl"),
            http::HeaderValue::from_static("https://vasp.example.com/dlr"),
        );
        let rsp = client
            .submit_with(req, text(), options)
            .await
            .expect("accepted");
        // The peer's path is /mm7, not Vibes's: worth a warning, not a refusal.
        let warnings: Vec<_> = rsp
            .profile_warnings
            .iter()
            .map(|v| (v.severity, v.field.as_str()))
            .collect();
        assert_eq!(warnings, [(Severity::Warning, "URL")]);
        let seen = peer.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].header("x-vibes-dlrcallbackurl").as_deref(),
            Some("https://vasp.example.com/dlr")
        );
        let sent = seen[0].envelope.as_ref().expect("decodes");
        assert_eq!(sent.namespace.schema(), SchemaId::Rel5Mm7_1_2);
        assert_eq!(sent.mm7_version().map(|v| v.as_str()), Some("5.3.0"));
    })
    .await;
}

#[tokio::test]
async fn warnings_come_back_with_the_answer() {
    bounded(async {
        let peer = Peer::start(|_, seen| {
            Reply::mm7(&seen.transaction_id(), SubmitRsp::success("5.3.0", "m-7"))
        })
        .await;
        let url = peer.url();
        let client = Client::builder(&url)
            .basic_auth("u", "p")
            .profile(Profile::Ezitxt)
            .build()
            .expect("client");
        let mut req = SubmitReq::default();
        req.content = Some(ContentRef::cid("msg"));
        req.sender_identification = Some(SenderIdentification::default());
        req.recipients.to.push(Address::number("64211234567"));
        let parts = vec![
            Part::multipart(
                "multipart/mixed",
                vec![
                    Part::text("A card").with_content_id("t"),
                    Part::new(
                        "text/vcard",
                        Bytes::from_static(b"BEGIN:VCARD\r\nEND:VCARD"),
                    )
                    .with_content_id("card.vcf"),
                ],
            )
            .with_content_id("msg"),
        ];
        let rsp = client.submit(req, parts).await.expect("accepted");
        assert_eq!(rsp.message.message_id.as_deref(), Some("m-7"));
        let fields: Vec<_> = rsp
            .profile_warnings
            .iter()
            .map(|v| v.field.as_str())
            .collect();
        assert_eq!(fields, ["content part <card.vcf>", "Content"]);
        assert!(
            rsp.profile_warnings
                .iter()
                .all(|v| v.severity == Severity::Warning)
        );
        assert_eq!(peer.requests(), 1);
    })
    .await;
}

#[test]
fn the_profile_sets_the_defaults_and_later_setters_win() {
    let client = Client::builder("https://api.ci.mblox.com/mm7/v1/")
        .profile(Profile::Sinch)
        .build()
        .expect("client");
    assert_eq!(client.namespace().schema(), SchemaId::Rel6Mm7_1_4);
    assert_eq!(client.mm7_version().as_str(), "6.8.0");
    let debug = format!("{client:?}");
    assert!(debug.contains("max_tries: 6"), "{debug}");
    assert!(debug.contains("Some(Sinch)"), "{debug}");

    let client = Client::builder("https://api.ci.mblox.com/mm7/v1/")
        .profile(Profile::Sinch)
        .schema(SchemaId::Rel5Mm7_1_3)
        .mm7_version("5.3.0")
        .build()
        .expect("client");
    assert_eq!(client.namespace().schema(), SchemaId::Rel5Mm7_1_3);
    assert_eq!(client.mm7_version().as_str(), "5.3.0");

    // A namespace set before the profile is the profile's to replace.
    let client = Client::builder("https://eziapi.com/mm7")
        .namespace("http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4")
        .mm7_version("6.8.0")
        .profile(Profile::Optus)
        .build()
        .expect("client");
    assert_eq!(client.namespace().schema(), SchemaId::Rel5Mm7_1_3);
    assert_eq!(client.mm7_version().as_str(), "5.3.0");

    let client = Client::builder("http://127.0.0.1:1/mm7")
        .profile(Profile::Generic)
        .build()
        .expect("client");
    assert_eq!(client.namespace().schema(), SchemaId::NEWEST);
    assert_eq!(client.profile(), Some(Profile::Generic));
}

/// A mock MMSC that answers as `profile`'s provider.
struct Mock {
    profile: Profile,
}

impl Handler for Mock {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> Result<SubmitRsp, HandlerError> {
        self.profile.screen_submit(&inbound)?;
        Ok(SubmitRsp::success(inbound.mm7_version, "mock-1"))
    }
}

async fn mock(profile: Profile) -> mm7_transport::server::RunningServer {
    let config = profile.server_config(ServerConfig::new(Role::Mmsc));
    Server::bind("127.0.0.1:0", config, Mock { profile })
        .await
        .expect("bind")
        .spawn()
}

/// A client with no profile, so what it sends reaches the mock.
fn plain_client(url: &str, schema: SchemaId, version: &str) -> Client {
    Client::builder(url)
        .schema(schema)
        .mm7_version(version)
        .build()
        .expect("client")
}

fn fault_status(error: &ClientError) -> Option<Status> {
    match error {
        ClientError::Fault { fault, .. } => fault.status().cloned(),
        _ => None,
    }
}

#[tokio::test]
async fn a_mock_mmsc_answers_as_the_provider() {
    bounded(async {
        // Vibes: DeliveryReport without the callback header refuses the whole request.
        let server = mock(Profile::Vibes).await;
        let url = format!("http://{}/mms/mm7/submit", server.local_addr());
        let client = plain_client(&url, SchemaId::Rel5Mm7_1_2, "5.3.0");
        let rsp = client.submit(vibes_req(), text()).await.expect("accepted");
        assert_eq!(rsp.message.message_id.as_deref(), Some("mock-1"));

        let mut req = vibes_req();
        req.delivery_report = Some(true);
        let error = client.submit(req, text()).await.expect_err("refused");
        let status = fault_status(&error).expect("a Fault with a status");
        assert_eq!(status.code, StatusCode::CLIENT_ERROR);
        assert_eq!(
            status.text.as_deref(),
            Some(
                "header X-Vibes-DlrCallbackUrl: required when DeliveryReport is true: \
                 without it the whole request is rejected"
            )
        );

        // Its 2002 for a SenderAddress that is not a short code, in its own words.
        let mut req = vibes_req();
        if let Some(s) = req.sender_identification.as_mut() {
            s.sender_address = Some(Address::number("YOUR_SHORTCODE"));
        }
        let status = fault_status(&client.submit(req, text()).await.expect_err("refused"))
            .expect("a status");
        assert_eq!(status.code, StatusCode::ADDRESS_ERROR);
        assert_eq!(
            status.text.as_deref(),
            Some(
                "SenderIdentification/SenderAddress/Number value 'YOUR_SHORTCODE' invalid, \
                 Reason: the short code must be wrapped in a <ShortCode> element"
            )
        );

        // More than 1 MB: HTTP 413.
        let big = vec![
            Part::new("image/jpeg", Bytes::from(vec![0xA5u8; 1_100_000])).with_content_id("msg"),
        ];
        let error = client
            .submit(vibes_req(), big)
            .await
            .expect_err("too large");
        assert!(
            matches!(error, ClientError::PayloadTooLarge { .. }),
            "{error}"
        );
        server.shutdown().await.expect("shutdown");

        // Sinch: a '+' number is an address error; ezitxt ignores undocumented parameters.
        let server = mock(Profile::Sinch).await;
        let url = format!("http://{}/mm7/v1/", server.local_addr());
        let client = plain_client(&url, SchemaId::Rel6Mm7_1_4, "6.8.0");
        let mut req = vibes_req();
        if let Some(s) = req.sender_identification.as_mut() {
            s.vasp_id = Some("api-key".into());
        }
        let ok = client.submit(req.clone(), text()).await;
        assert!(ok.is_err(), "+13127536330 has a '+'");
        let status = fault_status(&ok.expect_err("refused")).expect("a status");
        assert_eq!(status.code, StatusCode::ADDRESS_ERROR);
        req.recipients.to = vec![Address::number("13127536330")];
        client.submit(req, text()).await.expect("accepted");
        server.shutdown().await.expect("shutdown");

        let server = mock(Profile::Ezitxt).await;
        let url = format!("http://{}/mm7", server.local_addr());
        let client = plain_client(&url, SchemaId::Rel5Mm7_1_3, "5.3.0");
        let mut req = vibes_req();
        req.recipients.to = vec![Address::number("64211234567")];
        req.read_reply = Some(true);
        client
            .submit(req.clone(), text())
            .await
            .expect("ignored, not refused");
        req.recipients.to = vec![Address::number("0064211234567")];
        let status = fault_status(&client.submit(req, text()).await.expect_err("refused"))
            .expect("a status");
        assert_eq!(status.code, StatusCode::ADDRESS_ERROR);
        server.shutdown().await.expect("shutdown");
    })
    .await;
}

#[tokio::test]
async fn the_profile_chooses_the_transfer_encoding_and_the_caller_may_change_it() {
    bounded(async {
        let peer = Peer::start(|_, seen| {
            Reply::mm7(&seen.transaction_id(), SubmitRsp::success("5.3.0", "m-8"))
        })
        .await;
        let url = peer.url();
        let req = || {
            let mut req = SubmitReq::default();
            req.content = Some(ContentRef::cid("pic"));
            req.sender_identification = Some(SenderIdentification::default());
            req.recipients.to.push(Address::number("64211234567"));
            req
        };
        let picture = || {
            vec![
                Part::new("image/gif", Bytes::from_static(b"GIF89a\xff\x00\xfe"))
                    .with_content_id("pic"),
            ]
        };
        let encodings = |body: &Bytes| -> Vec<String> {
            String::from_utf8_lossy(body)
                .lines()
                .filter_map(|l| l.strip_prefix("Content-Transfer-Encoding: "))
                .map(str::to_owned)
                .collect()
        };
        let ezitxt = Client::builder(&url)
            .basic_auth("u", "p")
            .profile(Profile::Ezitxt)
            .build()
            .expect("client");
        ezitxt.submit(req(), picture()).await.expect("accepted");
        // The SOAP part as it is, the picture in base64 as Ezitxt's documents show.
        assert_eq!(encodings(&peer.seen()[0].body), ["binary", "base64"]);
        assert!(!peer.seen()[0].body.contains(&0xff));

        let chosen = Client::builder(&url)
            .basic_auth("u", "p")
            .profile(Profile::Ezitxt)
            .transfer_encoding(mm7_soap::TransferEncodingPolicy::Binary)
            .build()
            .expect("client");
        chosen.submit(req(), picture()).await.expect("accepted");
        assert_eq!(encodings(&peer.seen()[1].body), ["binary", "binary"]);
    })
    .await;
}
