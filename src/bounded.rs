//! Reading files with a size cap that holds even when the system reports no size: `/proc` files
//! say 0 bytes and `/dev/zero` never ends, so a cap checked against the metadata alone is no cap.

use std::io::Read;
use std::path::Path;

/// Why a file could not be read within its cap.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// Devices, FIFOs, sockets and directories: what they hold has no size to check.
    #[error("is {0}, not a regular file")]
    NotAFile(&'static str),
    #[error("is over {max} bytes; {what} over {max} bytes are refused")]
    TooLarge { max: u64, what: &'static str },
}

/// The bytes of the regular file at `path`, refused when it holds more than `max` bytes
/// (`what` names such files in the error: "spec files", "inline schemas"). The type is checked
/// before opening (opening a FIFO would wait for a writer) and again on the opened file, so a
/// path swapped for a device in between is caught too.
pub fn read(path: &Path, max: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    regular(&std::fs::metadata(path)?.file_type())?;
    let file = std::fs::File::open(path)?;
    regular(&file.metadata()?.file_type())?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { max, what });
    }
    Ok(bytes)
}

fn regular(kind: &std::fs::FileType) -> Result<(), ReadError> {
    if kind.is_file() {
        Ok(())
    } else {
        Err(ReadError::NotAFile(describe(kind)))
    }
}

fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_its_cap_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read(&path, 5, "files").unwrap(), b"12345");
        let err = read(&path, 4, "files").unwrap_err();
        assert_eq!(err.to_string(), "is over 4 bytes; files over 4 bytes are refused");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn files_that_report_no_size_are_capped_or_refused() {
        // /proc files are regular files that report 0 bytes and hold more.
        let err = read(Path::new("/proc/self/maps"), 16, "files").unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { max: 16, .. }), "{err}");
        assert_eq!(
            read(Path::new("/dev/zero"), 16, "files").unwrap_err().to_string(),
            "is a device, not a regular file"
        );
        assert_eq!(read(Path::new("/"), 16, "files").unwrap_err().to_string(), "is a directory, not a regular file");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe");
        let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        assert_eq!(read(&path, 16, "files").unwrap_err().to_string(), "is a FIFO, not a regular file");
    }
}
