//! Atomic file writes: a temporary file in the destination's directory, written,
//! fsynced and renamed over (or, without `overwrite`, linked to) the destination,
//! then the directory fsynced. A failed write leaves the destination as it was.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{CliError, Result};

/// File modes for what is written.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// 0600: private key files.
    Private,
    /// 0644: public documents (keysets, public keys).
    Public,
}

/// Fails when `path` exists and `force` is not set (checked before any work is done).
pub fn refuse_existing(path: &Path, force: bool) -> Result<()> {
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(CliError::file(
            path,
            "already exists (pass --force to replace it)",
        ));
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically. Without `overwrite` an existing file is
/// never replaced, even one created after [`refuse_existing`] was checked.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Mode, overwrite: bool) -> Result<()> {
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".enseal-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| CliError::file(&dir, format_args!("cannot create a temporary file: {e}")))?;
    set_mode(tmp.as_file(), mode).map_err(|e| CliError::io(path, &e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| CliError::io(path, &e))?;
    if overwrite {
        tmp.persist(path)
            .map_err(|e| CliError::io(path, &e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                CliError::file(path, "already exists (pass --force to replace it)")
            } else {
                CliError::io(path, &e.error)
            }
        })?;
    }
    sync_dir(&dir);
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn set_mode(file: &fs::File, mode: Mode) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let bits = match mode {
        Mode::Private => 0o600,
        Mode::Public => 0o644,
    };
    file.set_permissions(fs::Permissions::from_mode(bits))
}

#[cfg(not(unix))]
fn set_mode(_file: &fs::File, _mode: Mode) -> std::io::Result<()> {
    Ok(())
}

/// Makes the rename durable. Best effort: not every platform can open a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Reads a whole file.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| CliError::io(path, &e))
}

/// Reads a whole file as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String> {
    String::from_utf8(read(path)?).map_err(|_| CliError::file(path, "is not UTF-8 text"))
}

/// Whether `path` is an existing device, FIFO or socket (e.g. `/dev/null`):
/// such an output is written in place, never replaced by a rename.
pub fn is_special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// A file written as a stream and put in place only by [`AtomicWriter::commit`]:
/// the bytes go to a temporary file in the destination's directory, which
/// is deleted when the writer is dropped uncommitted (on any error), so a
/// failed run leaves the destination as it was and no temporary file behind.
/// A device or FIFO (`/dev/null`, a named pipe) is written directly instead.
pub struct AtomicWriter {
    path: PathBuf,
    dir: PathBuf,
    overwrite: bool,
    out: Target,
}

enum Target {
    Temp(std::io::BufWriter<tempfile::NamedTempFile>),
    Special(std::io::BufWriter<fs::File>),
}

impl AtomicWriter {
    /// Starts writing `path`. Without `overwrite` an existing file is refused
    /// now and never replaced, even one created while the writer runs.
    pub fn create(path: &Path, mode: Mode, overwrite: bool) -> Result<AtomicWriter> {
        let dir = parent_dir(path);
        if is_special(path) {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| CliError::io(path, &e))?;
            return Ok(AtomicWriter {
                path: path.to_path_buf(),
                dir,
                overwrite,
                out: Target::Special(std::io::BufWriter::with_capacity(256 * 1024, file)),
            });
        }
        refuse_existing(path, overwrite)?;
        let tmp = tempfile::Builder::new()
            .prefix(".enseal-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| {
                CliError::file(&dir, format_args!("cannot create a temporary file: {e}"))
            })?;
        set_mode(tmp.as_file(), mode).map_err(|e| CliError::io(path, &e))?;
        Ok(AtomicWriter {
            path: path.to_path_buf(),
            dir,
            overwrite,
            out: Target::Temp(std::io::BufWriter::with_capacity(256 * 1024, tmp)),
        })
    }

    /// Whether bytes written reach the destination before [`AtomicWriter::commit`]
    /// (a device or FIFO, written in place).
    pub fn is_direct(&self) -> bool {
        matches!(self.out, Target::Special(_))
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        let tmp = match self.out {
            Target::Special(mut w) => return w.flush().map_err(|e| CliError::io(&path, &e)),
            Target::Temp(w) => w.into_inner().map_err(|e| CliError::io(&path, e.error()))?,
        };
        tmp.as_file()
            .sync_all()
            .map_err(|e| CliError::io(&path, &e))?;
        if self.overwrite {
            tmp.persist(&path)
                .map_err(|e| CliError::io(&path, &e.error))?;
        } else {
            tmp.persist_noclobber(&path).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    CliError::file(&path, "already exists (pass --force to replace it)")
                } else {
                    CliError::io(&path, &e.error)
                }
            })?;
        }
        sync_dir(&self.dir);
        Ok(())
    }
}

impl Write for AtomicWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.out {
            Target::Temp(w) => w.write(buf),
            Target::Special(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match &mut self.out {
            Target::Temp(w) => w.write_all(buf),
            Target::Special(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.out {
            Target::Temp(w) => w.flush(),
            Target::Special(w) => w.flush(),
        }
    }
}
