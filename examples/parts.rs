//! Reads a captured MM7 HTTP message (a request or status line, headers, a blank line, the
//! body), prints its MIME part tree, then the MM7 message decoded from it as JSON.
//!
//! ```sh
//! cargo run --example parts -- tests/vectors/vibes_5_5_0_submit_req.http
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use bytes::Bytes;
use mm7::mime::{HttpMessage, Multipart, Part};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parts FILE.http   (e.g. tests/vectors/vibes_5_5_0_submit_req.http)");
        return ExitCode::from(2);
    };
    let raw = match std::fs::read(&path) {
        Ok(raw) => raw,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let http = match HttpMessage::parse(Bytes::from(raw)) {
        Ok(http) => http,
        Err(e) => {
            eprintln!("error: {path} is not an HTTP message: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{}", http.start_line());
    let content_type = http
        .content_type()
        .map(|v| v.into_owned())
        .unwrap_or_default();
    println!("Content-Type: {content_type}");
    println!("body: {} bytes", http.body().len());

    if let Some(multipart) = http.multipart() {
        match multipart {
            Ok(multipart) => print_tree(&multipart, 1),
            Err(e) => println!("  MIME error: {e}"),
        }
    }

    println!();
    match mm7::soap::decode(&content_type, http.body().clone(), &Default::default()) {
        Ok(decoded) => {
            let report = mm7::json::report(&decoded);
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn print_tree(multipart: &Multipart, depth: usize) {
    let indent = "  ".repeat(depth);
    println!(
        "{indent}{} (boundary {:?}), {} parts",
        multipart.content_type().mime_type(),
        multipart.boundary(),
        multipart.parts().len()
    );
    for warning in multipart.warnings() {
        println!("{indent}  warning: {warning}");
    }
    for (index, part) in multipart.parts().iter().enumerate() {
        // Only multipart/related has a root (RFC 2387); the parts of a mixed are peers.
        let is_root = multipart.content_type().is("multipart/related")
            && multipart.root_index() == Some(index);
        let root = if is_root { " [root]" } else { "" };
        print_part(part, depth + 1, root);
        if let Some(Ok(nested)) = part.multipart() {
            print_tree(&nested, depth + 2);
        }
    }
}

fn print_part(part: &Part, depth: usize, root: &str) {
    let indent = "  ".repeat(depth);
    let size = part.decoded().map_or(0, |b| b.len());
    println!(
        "{indent}- {}{root} id={} {} bytes{}",
        part.content_type().mime_type(),
        part.content_id().unwrap_or("-"),
        size,
        part.filename()
            .map(|f| format!(" filename={f}"))
            .unwrap_or_default(),
    );
}
