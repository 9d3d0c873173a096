//! `mm7 gateway --database postgres://…?sslmode=…`: TLS to PostgreSQL, against the local
//! server (Debian's cluster serves its self-signed "snakeoil" certificate, named `localhost`,
//! when `ssl = on`, as `.ci/run` makes sure).

use std::time::Duration;

use serde_json::json;

use crate::gateway_support::{Database, GatewayRun, postgres};
use crate::support::{Server, TempDir, s, skipped};

const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

/// The test database's URL with `host` for its host (connecting to 127.0.0.1 whatever the
/// name: `hostaddr`) and `query` added.
fn with_host(url: &str, host: &str, query: &str) -> String {
    let (head, rest) = url.split_once('@').expect("user@host");
    let (_, path) = rest.split_once('/').expect("host/database");
    format!("{head}@{host}/{path}?hostaddr=127.0.0.1&{query}")
}

#[test]
fn a_gateway_reaches_postgres_over_verified_tls_and_refuses_a_wrong_ca_clearly() {
    let Some(admin) = postgres("gateway_pg_tls") else {
        return;
    };
    if std::fs::metadata(SNAKEOIL).is_err() {
        skipped("gateway_pg_tls", SNAKEOIL);
        return;
    }
    let database = Database::create(&admin);
    let dir = TempDir::new("gateway-pg-tls");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--dlr-after", "1h"]);

    // A CA that did not sign the server's certificate: the gateway does not start, and says
    // why, without the URL's password.
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let wrong = dir.write("wrong-ca.pem", params.self_signed(&key).expect("CA").pem());
    let url = with_host(
        &database.url,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", s(&wrong)),
    );
    let refused = GatewayRun::new(&dir)
        .with_mmsc_url(&mmsc.url)
        .with_database(&url)
        .run_for(Duration::from_secs(20));
    assert_ne!(refused.code, 0, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("TLS handshake")
            && refused
                .stderr
                .contains("invalid peer certificate: UnknownIssuer"),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains(":mm7@"), "{}", refused.stderr);

    // The server's own certificate as the CA, from the configuration file: verify-full holds,
    // and the gateway queues and sends over it.
    let config = dir.write(
        "gateway.toml",
        format!(
            "[gateway]\ndatabase_ca_certificate = \"{SNAKEOIL}\"\n\n\
             [[account]]\nname = \"default\"\nurl = \"{}\"\ntps = 50\n",
            mmsc.url
        ),
    );
    let url = with_host(&database.url, "localhost", "sslmode=verify-full");
    let gateway = GatewayRun::new(&dir)
        .with_config_file(&config)
        .with_database(&url)
        .start();
    let answer = crate::inbox::request(
        gateway.api,
        "POST",
        "/v1/messages",
        "Content-Type: application/json\r\n",
        json!({"to": "15551234567", "text": "over TLS"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(answer.status, 202);
    // The gateway's connections are encrypted, by the server's account.
    let out = std::process::Command::new("psql")
        .args([
            &admin,
            "-Atc",
            &format!(
                "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_ssl s \
                 JOIN pg_stat_activity a USING (pid) WHERE a.datname = '{}'",
                database.url.rsplit('/').next().unwrap_or_default()
            ),
        ])
        .output()
        .expect("psql");
    let counts = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let (encrypted, all) = counts.split_once('|').expect("two counts");
    assert!(all != "0" && encrypted == all, "{counts}");
    drop(gateway);
    drop(mmsc);
}
