//! The client's typed extended operations (REL-6-MM7-1-4) against the server, on loopback.

use std::sync::{Arc, Mutex};

use mm7_model::{
    ContentRef, ExtendedCancelReq, ExtendedCancelRsp, ExtendedReplaceReq, ExtendedReplaceRsp, Part,
    SchemaId, SenderIdentification, Status,
};
use mm7_transport::client::{Client, ClientError};
use mm7_transport::server::{Handler, HandlerResult, Inbound, Role, Server, ServerConfig};

#[derive(Clone, Default)]
struct Mmsc(Arc<Mutex<Vec<String>>>);

impl Handler for Mmsc {
    async fn extended_cancel(
        &self,
        inbound: Inbound<ExtendedCancelReq>,
    ) -> HandlerResult<ExtendedCancelRsp> {
        let seen = format!("cancel {}", inbound.request.cancel_id);
        self.0.lock().unwrap().push(seen);
        Ok(ExtendedCancelRsp::success(inbound.mm7_version))
    }

    async fn extended_replace(
        &self,
        inbound: Inbound<ExtendedReplaceReq>,
    ) -> HandlerResult<ExtendedReplaceRsp> {
        let parts: usize = inbound.attachments.iter().map(|p| p.leaves().count()).sum();
        let seen = format!(
            "replace {} with {parts} part(s)",
            inbound.request.replace_id
        );
        self.0.lock().unwrap().push(seen);
        Ok(ExtendedReplaceRsp::new(
            inbound.mm7_version,
            "replacing-1",
            Status::success(),
        ))
    }
}

#[tokio::test]
async fn extended_cancel_and_replace_are_typed_on_the_client() {
    let mmsc = Mmsc::default();
    let server = Server::bind("127.0.0.1:0", ServerConfig::new(Role::Mmsc), mmsc.clone())
        .await
        .expect("bind")
        .spawn();
    let url = format!("http://{}/mm7", server.local_addr());
    let client = Client::builder(&url)
        .schema(SchemaId::Rel6Mm7_1_4)
        .build()
        .expect("client");

    let mut cancel = ExtendedCancelReq::default();
    cancel.sender_identification = Some(SenderIdentification {
        vasp_id: Some("TNN".into()),
        ..SenderIdentification::default()
    });
    cancel.cancel_id = "vasp-ref-7".into();
    let answer = client
        .extended_cancel(cancel.clone())
        .await
        .expect("cancelled");
    assert!(answer.status.is_success());

    let mut replace = ExtendedReplaceReq::default();
    replace.replace_id = "vasp-ref-8".into();
    replace.content = Some(ContentRef::cid("new"));
    let answer = client
        .extended_replace(replace, vec![Part::text("new text").with_content_id("new")])
        .await
        .expect("replaced");
    assert_eq!(answer.message.message_id, "replacing-1");
    assert_eq!(
        *mmsc.0.lock().unwrap(),
        ["cancel vasp-ref-7", "replace vasp-ref-8 with 1 part(s)"]
    );

    // A schema without the operation: refused before anything is sent.
    let old = Client::builder(&url)
        .schema(SchemaId::Rel5Mm7_1_3)
        .build()
        .expect("client");
    let error = old.extended_cancel(cancel).await.expect_err("not in REL-5");
    assert!(matches!(error, ClientError::Encode(_)), "{error:?}");
    assert_eq!(mmsc.0.lock().unwrap().len(), 2);
    server.shutdown().await.expect("shutdown");
}
