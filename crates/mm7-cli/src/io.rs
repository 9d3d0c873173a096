//! Reading inputs (a file or `-` for standard input) and writing outputs.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::CliError;

/// The most the command reads from one input file: MM7 messages are at most a few MiB (MMSCs
/// refuse more than 1 to 5 MiB), so anything much larger is a mistake.
pub(crate) const MAX_INPUT: u64 = 64 * 1024 * 1024;

/// Reads a whole file, or standard input for `-`, up to [`MAX_INPUT`] bytes.
pub(crate) fn read_input(path: &Path) -> Result<Bytes, CliError> {
    let read_error = |source| CliError::Read {
        path: path.to_owned(),
        source,
    };
    let mut data = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin()
            .lock()
            .take(MAX_INPUT + 1)
            .read_to_end(&mut data)
            .map_err(read_error)?;
    } else {
        let file = File::open(path).map_err(read_error)?;
        if file.metadata().map_err(read_error)?.is_dir() {
            return Err(read_error(io::Error::other("it is a directory")));
        }
        file.take(MAX_INPUT + 1)
            .read_to_end(&mut data)
            .map_err(read_error)?;
    }
    if data.len() as u64 > MAX_INPUT {
        return Err(CliError::TooLarge {
            path: path.to_owned(),
            limit: MAX_INPUT,
        });
    }
    Ok(Bytes::from(data))
}

/// Writes to standard output. A closed pipe (`mm7 decode x | head`) is not an error.
pub(crate) fn stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(CliError::io("write", "standard output", e))
        }
        _ => Ok(()),
    }
}

/// Writes a line to standard output.
pub(crate) fn stdout_line(line: &str) -> Result<(), CliError> {
    let mut text = String::with_capacity(line.len() + 1);
    text.push_str(line);
    text.push('\n');
    stdout(text.as_bytes())
}

/// Writes a line to standard error (diagnostics, progress); failures to do so are ignored,
/// as there is nowhere left to report them.
pub(crate) fn stderr_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Creates a directory and its parents.
pub(crate) fn create_dir(path: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(path).map_err(|e| CliError::io("create directory", path, e))
}

/// Writes a file.
pub(crate) fn write_file(path: &Path, data: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, data).map_err(|e| CliError::io("write", path, e))
}

/// The user's data directory for the command: `$XDG_DATA_HOME/mm7`, else
/// `$HOME/.local/share/mm7` (the XDG Base Directory default), else `./mm7-data`.
pub(crate) fn data_dir() -> PathBuf {
    data_dir_from(
        std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
        std::env::var_os("HOME").map(PathBuf::from),
    )
}

fn data_dir_from(xdg_data_home: Option<PathBuf>, home: Option<PathBuf>) -> PathBuf {
    // The XDG specification says a relative $XDG_DATA_HOME is invalid and must be ignored.
    match (xdg_data_home, home) {
        (Some(xdg), _) if xdg.is_absolute() => xdg.join("mm7"),
        (_, Some(home)) if !home.as_os_str().is_empty() => home.join(".local/share/mm7"),
        _ => PathBuf::from("mm7-data"),
    }
}

/// A name safe to use as a file name ([`mm7_model::media::safe_file_name`]); `part` when
/// nothing is left.
pub(crate) fn safe_file_name(name: &str) -> String {
    mm7_model::media::safe_file_name(name).unwrap_or_else(|| "part".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_follows_xdg() {
        assert_eq!(
            data_dir_from(Some("/x/data".into()), Some("/home/u".into())),
            PathBuf::from("/x/data/mm7")
        );
        assert_eq!(
            data_dir_from(Some("relative".into()), Some("/home/u".into())),
            PathBuf::from("/home/u/.local/share/mm7")
        );
        assert_eq!(
            data_dir_from(None, Some("/home/u".into())),
            PathBuf::from("/home/u/.local/share/mm7")
        );
        assert_eq!(data_dir_from(None, None), PathBuf::from("mm7-data"));
    }

    #[test]
    fn safe_names() {
        assert_eq!(safe_file_name("saturn.gif"), "saturn.gif");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("<a b>@c"), "_a_b__c");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name("///"), "part");
        assert_eq!(safe_file_name(""), "part");
        assert_eq!(safe_file_name(&"x".repeat(200)).len(), 80);
    }

    #[test]
    fn missing_file_is_a_read_error() {
        let err = read_input(Path::new("/nonexistent/mm7-input")).unwrap_err();
        assert!(matches!(err, CliError::Read { .. }), "{err}");
        let err = read_input(Path::new("/")).unwrap_err();
        assert!(err.to_string().contains("directory"), "{err}");
    }
}
