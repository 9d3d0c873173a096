//! Argument types shared by several subcommands: the schema version, namespace and prefix
//! style to write, durations, and `K: V` headers.

use std::time::Duration;

use mm7_model::{Mm7Version, Namespace, SchemaId};
use mm7_soap::PrefixStyle;

/// How the MM7 elements are written.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct VersionArgs {
    /// The MM7Version to write (e.g. 5.3.0, 6.8.0). Without --namespace, the namespace is
    /// that of the schema this version names.
    #[arg(long, value_name = "VERSION")]
    pub(crate) mm7_version: Option<String>,
    /// The MM7 namespace: a URI, or a schema id such as REL-6-MM7-1-4 or REL-5-MM7-1-3.
    #[arg(long, value_name = "URI|SCHEMA", value_parser = parse_namespace)]
    pub(crate) namespace: Option<Namespace>,
    /// How MM7 elements are qualified: `default` (xmlns on the operation element), `prefixed`
    /// (mm7:…) or `prefixed:NAME`.
    #[arg(long, value_name = "STYLE", value_parser = parse_prefix_style)]
    pub(crate) prefix_style: Option<PrefixStyle>,
}

impl VersionArgs {
    /// The namespace to use when none is otherwise known: --namespace, else the schema of
    /// --mm7-version, else `fallback`.
    pub(crate) fn namespace_or(&self, fallback: SchemaId) -> Namespace {
        if let Some(ns) = &self.namespace {
            return ns.clone();
        }
        let schema = self
            .mm7_version
            .as_deref()
            .and_then(|v| SchemaId::for_mm7_version(&Mm7Version::new(v)))
            .unwrap_or(fallback);
        Namespace::canonical(schema)
    }
}

/// A namespace URI or schema id.
pub(crate) fn parse_namespace(s: &str) -> Result<Namespace, String> {
    if let Some(schema) = SchemaId::from_id(s.trim()) {
        return Ok(Namespace::canonical(schema));
    }
    Namespace::parse(s.trim()).map_err(|e| e.to_string())
}

/// `default`, `prefixed` or `prefixed:NAME`.
pub(crate) fn parse_prefix_style(s: &str) -> Result<PrefixStyle, String> {
    match s.split_once(':') {
        None if s == "default" => Ok(PrefixStyle::DefaultNamespace),
        None if s == "prefixed" => Ok(PrefixStyle::Prefixed("mm7".to_owned())),
        Some(("prefixed", name)) if mm7_soap::is_xml_prefix(name) => {
            Ok(PrefixStyle::Prefixed(name.to_owned()))
        }
        Some(("prefixed", name)) => Err(format!("{name:?} is not an XML prefix")),
        _ => Err("expected `default`, `prefixed` or `prefixed:NAME`".to_owned()),
    }
}

/// A duration flag, read as the gateway's configuration reads one
/// ([`mm7_gateway::parse_duration`]: `500ms`, `2s`, `5m`, `1h`, `7d`, `1h 30m`, or a bare
/// number of seconds); clap names the flag in front of the error.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    mm7_gateway::parse_duration(s).map_err(|e| e.to_string())
}

/// A `Name: value` header.
pub(crate) fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not a header: expected `Name: value`"))?;
    let name = name.trim();
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid_name {
        return Err(format!("{name:?} is not a header name"));
    }
    let value = value.trim();
    if value.contains(['\r', '\n']) {
        return Err(format!("the value of {name} has a line break"));
    }
    Ok((name.to_owned(), value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_duration_flag_is_refused_naming_the_flag() {
        use clap::Parser;
        #[derive(Debug, Parser)]
        struct Flags {
            #[arg(long, value_parser = parse_duration)]
            wait: Duration,
        }
        let flags = Flags::try_parse_from(["mm7", "--wait", "1h 30m"]).unwrap();
        assert_eq!(flags.wait, Duration::from_secs(5_400));
        let error = Flags::try_parse_from(["mm7", "--wait", "soon"])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("--wait") && error.contains("\"soon\" is not a duration"),
            "{error}"
        );
    }

    #[test]
    fn prefix_styles() {
        assert_eq!(
            parse_prefix_style("default"),
            Ok(PrefixStyle::DefaultNamespace)
        );
        assert_eq!(
            parse_prefix_style("prefixed"),
            Ok(PrefixStyle::Prefixed("mm7".into()))
        );
        assert_eq!(
            parse_prefix_style("prefixed:ns1"),
            Ok(PrefixStyle::Prefixed("ns1".into()))
        );
        assert!(parse_prefix_style("prefixed:1x").is_err());
        assert!(parse_prefix_style("other").is_err());
    }

    #[test]
    fn namespaces_by_uri_or_schema() {
        let ns = parse_namespace("REL-6-MM7-1-4").unwrap();
        assert_eq!(ns.schema(), SchemaId::Rel6Mm7_1_4);
        let uri = "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3";
        assert_eq!(parse_namespace(uri).unwrap().uri(), uri);
        assert!(parse_namespace("urn:nothing").is_err());
        let args = VersionArgs {
            mm7_version: Some("5.3.0".into()),
            namespace: None,
            prefix_style: None,
        };
        assert_eq!(
            args.namespace_or(SchemaId::NEWEST).schema(),
            SchemaId::for_mm7_version(&Mm7Version::new("5.3.0")).unwrap()
        );
    }

    #[test]
    fn headers() {
        assert_eq!(
            parse_header("X-Vibes-CarrierCode: 102"),
            Ok(("X-Vibes-CarrierCode".into(), "102".into()))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        assert!(parse_header(": x").is_err());
    }
}
