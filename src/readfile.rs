//! Reading a file that a user or the org files name: regular files only, bounded, never
//! blocking.
//!
//! Every such read (org files, secret `file:` references, the Postfix map, state snapshots,
//! saved plans, report templates, peribolos configs) goes through [`open_regular`]. The file
//! is opened with `O_NONBLOCK`, so opening a FIFO without a writer or a device returns at
//! once instead of waiting, then the *opened handle* is checked (`fstat`, no race between a
//! check and the open): anything but a regular file is refused. The flag changes nothing for
//! regular files. Reads are bounded ([`read_regular`]): a file larger than the limit is
//! refused, without reading more than one byte past it.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The size limit of documents orgctl reads whole (state snapshots, saved plans, templates).
pub const MAX_DOCUMENT: u64 = 256 * 1024 * 1024;

/// Opens `path` for reading if it is a regular file (after following links); a FIFO, socket,
/// device or directory is refused with [`io::ErrorKind::InvalidInput`] and a message saying
/// what it is. Never blocks.
pub fn open_regular(path: &Path) -> io::Result<(File, Metadata)> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() {
        return Ok((file, meta));
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({})", kind(&meta)),
    ))
}

/// What a non-regular file is, for messages.
fn kind(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

/// The contents of regular file `path`, at most `max` bytes; a larger file is refused with
/// [`io::ErrorKind::InvalidData`] and a message.
pub fn read_regular(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let (file, meta) = open_regular(path)?;
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than the limit of {max} bytes"),
        )
    };
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text ([`io::ErrorKind::InvalidData`] when it is not).
pub fn read_regular_to_string(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read_regular(path, max)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::time::Duration;

    /// Runs `f` on a thread; a regression that blocks fails the test instead of hanging it.
    pub(crate) fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the read blocked for 10 s")
    }

    /// A FIFO without a writer at `path`.
    pub(crate) fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo");
        assert!(status.success());
    }

    #[test]
    fn refuses_fifos_devices_and_directories_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        mkfifo(&fifo);
        let dir = d.path().to_path_buf();
        let e = within(move || read_regular(&fifo, 10).unwrap_err());
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "not a regular file (a FIFO)");
        let e = within(|| read_regular(Path::new("/dev/zero"), 10).unwrap_err());
        assert_eq!(e.to_string(), "not a regular file (a device)");
        let e = within(move || read_regular(&dir, 10).unwrap_err());
        assert_eq!(e.to_string(), "not a regular file (a directory)");
    }

    #[test]
    fn bounded_reads() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, "12345").unwrap();
        assert_eq!(read_regular(&p, 5).unwrap(), b"12345");
        assert_eq!(read_regular_to_string(&p, 5).unwrap(), "12345");
        let e = read_regular(&p, 4).unwrap_err();
        assert_eq!(e.to_string(), "larger than the limit of 4 bytes");
        std::fs::write(&p, [0xff]).unwrap();
        assert_eq!(
            read_regular_to_string(&p, 5).unwrap_err().to_string(),
            "not UTF-8 text"
        );
    }
}
