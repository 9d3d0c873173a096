//! The allow-list and Basic authentication as tower layers in front of an `Mm7Service`
//! configured with neither, and an application's own authentication in their place.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use mm7_model::{CancelReq, CancelRsp};
use mm7_transport::auth::Credentials;
use mm7_transport::server::layer::{AllowListLayer, AuthenticatedUser, BasicAuthLayer};
use mm7_transport::server::{Handler, HandlerResult, Inbound, Mm7Service, Role, ServerConfig};
use tower_layer::Layer;
use tower_service::Service;

/// The user each CancelReq reached the handler with.
#[derive(Clone, Default)]
struct Mmsc(Arc<Mutex<Vec<Option<String>>>>);

impl Handler for Mmsc {
    async fn cancel(&self, inbound: Inbound<CancelReq>) -> HandlerResult<CancelRsp> {
        self.0.lock().unwrap().push(inbound.user.clone());
        Ok(CancelRsp::success(inbound.mm7_version))
    }
}

const CANCEL: &str = r#"<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
<env:Header><mm7:TransactionID xmlns:mm7="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4" env:mustUnderstand="1">t-1</mm7:TransactionID></env:Header>
<env:Body><CancelReq xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">
<MM7Version>6.8.0</MM7Version><SenderIdentification/><MessageID>m-1</MessageID></CancelReq></env:Body></env:Envelope>"#;

fn request(peer: &str, credentials: Option<(&str, &str)>) -> Request<Full<Bytes>> {
    let mut builder = Request::post("/mm7").header("Content-Type", "text/xml");
    if let Some((user, password)) = credentials {
        builder = builder.header(
            "Authorization",
            Credentials::new(user, password).to_header_value(),
        );
    }
    let mut request = builder
        .body(Full::new(Bytes::from_static(CANCEL.as_bytes())))
        .unwrap();
    request
        .extensions_mut()
        .insert(peer.parse::<SocketAddr>().unwrap());
    request
}

#[tokio::test]
async fn layers_refuse_before_mm7_and_pass_the_user_on() {
    let mmsc = Mmsc::default();
    let mm7 = Mm7Service::new(ServerConfig::new(Role::Mmsc), mmsc.clone());
    let auth = BasicAuthLayer::new("vasp-a", "first")
        .account("vasp-b", "second")
        .realm("carrier")
        .layer(mm7);
    let mut service = AllowListLayer::new(["192.0.2.0/24".parse().unwrap()]).layer(auth);

    let outside = service
        .call(request("198.51.100.7:4000", Some(("vasp-a", "first"))))
        .await
        .unwrap();
    assert_eq!(outside.status(), 403);

    let anonymous = service.call(request("192.0.2.7:4000", None)).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let challenge = anonymous.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("Basic realm=\"carrier\""),
        "{challenge}"
    );
    let wrong = service
        .call(request("192.0.2.7:4000", Some(("vasp-a", "second"))))
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(mmsc.0.lock().unwrap().is_empty(), "nothing reached MM7");

    let good = service
        .call(request("192.0.2.7:4000", Some(("vasp-b", "second"))))
        .await
        .unwrap();
    assert_eq!(good.status(), 200);
    let body = good.into_body().collect().await.unwrap().to_bytes();
    assert!(
        std::str::from_utf8(&body)
            .unwrap()
            .contains("<StatusCode>1000</StatusCode>")
    );
    assert_eq!(*mmsc.0.lock().unwrap(), [Some("vasp-b".to_owned())]);
}

/// An application's own authentication: a layer of its own that sets `AuthenticatedUser`.
#[derive(Clone)]
struct TenantFromHeader<S>(S);

impl<S, B> Service<Request<B>> for TenantFromHeader<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> S::Future {
        let tenant = request
            .headers()
            .get("x-tenant")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(tenant) = tenant {
            request.extensions_mut().insert(AuthenticatedUser(tenant));
        }
        self.0.call(request)
    }
}

#[tokio::test]
async fn an_applications_own_authentication_reaches_the_handler() {
    let mmsc = Mmsc::default();
    let mut service =
        TenantFromHeader(Mm7Service::new(ServerConfig::new(Role::Mmsc), mmsc.clone()));
    let mut tagged = request("192.0.2.7:4000", None);
    tagged
        .headers_mut()
        .insert("x-tenant", "acme".parse().unwrap());
    assert_eq!(service.call(tagged).await.unwrap().status(), 200);
    assert_eq!(
        service
            .call(request("192.0.2.7:4000", None))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(*mmsc.0.lock().unwrap(), [Some("acme".to_owned()), None]);
}
