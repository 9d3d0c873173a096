//! An envelope sent as built (`Client::submit_envelope`): its TransactionID, namespace and
//! attachments reach the server as built, with the typed answer; on loopback.

use std::sync::{Arc, Mutex};

use mm7_model::{Address, CancelReq, Envelope, SchemaId, SubmitReq, SubmitRsp};
use mm7_transport::client::{Client, ClientError, SendOptions};
use mm7_transport::server::{Handler, HandlerResult, Inbound, Role, Server, ServerConfig};

/// What the MMSC saw of one SubmitReq: TransactionID, namespace URI, MM7Version, leaves.
type Seen = (String, String, String, usize);

#[derive(Clone, Default)]
struct Mmsc(Arc<Mutex<Vec<Seen>>>);

impl Handler for Mmsc {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> HandlerResult<SubmitRsp> {
        let leaves = inbound.attachments.iter().map(|p| p.leaves().count()).sum();
        self.0.lock().unwrap().push((
            inbound.transaction_id.clone(),
            inbound.namespace.uri().to_owned(),
            inbound.mm7_version.as_str().to_owned(),
            leaves,
        ));
        Ok(SubmitRsp::success(inbound.mm7_version, "msg-77"))
    }
}

fn built(schema: SchemaId, transaction_id: &str) -> Envelope {
    SubmitReq::builder(schema)
        .mm7_version("5.3.0")
        .vasp_id("TNN")
        .sender(Address::short_code("63901"))
        .to(Address::number("15551234567"))
        .text("Hello")
        .build(transaction_id)
        .expect("valid")
}

#[tokio::test]
async fn an_envelope_goes_out_as_built_with_a_typed_answer() {
    let mmsc = Mmsc::default();
    let server = Server::bind("127.0.0.1:0", ServerConfig::new(Role::Mmsc), mmsc.clone())
        .await
        .expect("bind")
        .spawn();
    let url = format!("http://{}/mm7", server.local_addr());
    // The client's own schema is REL-6-MM7-1-4; the envelope's (REL-5-MM7-1-3) wins.
    let client = Client::builder(&url)
        .schema(SchemaId::Rel6Mm7_1_4)
        .build()
        .expect("client");

    let answer = client
        .submit_envelope(built(SchemaId::Rel5Mm7_1_3, "vas00001-sub"))
        .await
        .expect("submitted");
    assert!(answer.status.is_success());
    assert_eq!(answer.message.message_id.as_deref(), Some("msg-77"));
    assert_eq!(answer.transaction_id, "vas00001-sub");

    // A blank TransactionID is generated; one given in the options wins over the envelope's.
    client
        .submit_envelope(built(SchemaId::Rel5Mm7_1_3, " "))
        .await
        .expect("submitted");
    client
        .submit_envelope_with(
            built(SchemaId::Rel5Mm7_1_3, "ignored"),
            SendOptions::new().with_transaction_id("from-options"),
        )
        .await
        .expect("submitted");

    let seen = mmsc.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    let rel5 = SchemaId::Rel5Mm7_1_3.namespace();
    assert_eq!(
        seen[0],
        (
            "vas00001-sub".to_owned(),
            rel5.to_owned(),
            "5.3.0".to_owned(),
            1
        )
    );
    assert!(
        !seen[1].0.trim().is_empty(),
        "a TransactionID was generated"
    );
    assert_eq!(seen[2].0, "from-options");
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn another_operation_is_refused_before_anything_is_sent() {
    // Nothing listens here: a refusal that tried to connect would be a connection error.
    let client = Client::new("http://127.0.0.1:9/mm7").expect("client");
    let mut cancel = CancelReq::default();
    cancel.message_id = "msg-1".into();
    let envelope = Envelope::new("t-1", SchemaId::Rel6Mm7_1_4, cancel);
    match client.submit_envelope(envelope).await {
        Err(ClientError::WrongOperation { expected, found }) => {
            assert_eq!((expected, found), ("SubmitReq", "CancelReq"));
        }
        other => panic!("expected WrongOperation, got {other:?}"),
    }
}
