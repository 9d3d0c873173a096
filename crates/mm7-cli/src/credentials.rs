//! Credentials of the sending subcommands: passwords from a file or the environment, and
//! URLs with `user:password@` printed masked.

use std::path::Path;

use crate::error::CliError;

/// The environment variable a password can come from.
pub(crate) const PASSWORD_ENV: &str = "MM7_PASSWORD";

/// A small file (a certificate, a key) read whole.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    Ok(crate::io::read_input(path)?.to_vec())
}

/// The first line of a password file, without its line end.
pub(crate) fn read_password_file(path: &Path) -> Result<String, CliError> {
    let data = std::fs::read(path).map_err(|source| CliError::Read {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8(data)
        .map_err(|_| CliError::Input(format!("{}: the password is not UTF-8", path.display())))?;
    let line = text.lines().next().unwrap_or_default();
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

/// The `user:password@` of a URL's authority, if it has one.
fn userinfo_span(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let rest = url.get(start..)?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = rest.get(..authority_end)?.rfind('@')?;
    Some((start, start + at))
}

pub(crate) fn url_has_userinfo(url: &str) -> bool {
    userinfo_span(url).is_some()
}

/// A URL as it may be printed: the password of its `user:password@` replaced by `****`
/// (`http://user:****@host/`); a URL without one as it is.
pub(crate) fn mask_url(url: &str) -> String {
    let Some((start, at)) = userinfo_span(url) else {
        return url.to_owned();
    };
    let userinfo = url.get(start..at).unwrap_or_default();
    let masked = match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:****"),
        None => userinfo.to_owned(),
    };
    format!(
        "{}{masked}{}",
        url.get(..start).unwrap_or_default(),
        url.get(at..).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            mask_url("http://vasp:s3cret@127.0.0.1:7007/mm7?a=b@c"),
            "http://vasp:****@127.0.0.1:7007/mm7?a=b@c"
        );
        assert_eq!(mask_url("https://only@h/x"), "https://only@h/x");
        assert_eq!(mask_url("https://u:p:q@h"), "https://u:****@h");
        assert_eq!(mask_url("http://h/p@q"), "http://h/p@q");
        assert_eq!(mask_url("not a url"), "not a url");
        let e = crate::client::failure(
            &mm7_transport::client::ClientError::Connect {
                reason: "refused".into(),
                source: None,
            },
            "http://vasp:s3cret@127.0.0.1:9/mm7",
        );
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert!(url_has_userinfo("http://u:p@h/"));
        assert!(!url_has_userinfo("http://h/p@q"));
    }

    #[test]
    fn password_files_give_their_first_line() {
        let dir = std::env::temp_dir().join(format!("mm7-password-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pw");
        std::fs::write(&file, "s3cret\r\nsecond line\n").unwrap();
        assert_eq!(read_password_file(&file).unwrap(), "s3cret");
        std::fs::write(&file, "").unwrap();
        assert_eq!(read_password_file(&file).unwrap(), "");
        std::fs::write(&file, b"\xff\n").unwrap();
        assert!(read_password_file(&file).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
