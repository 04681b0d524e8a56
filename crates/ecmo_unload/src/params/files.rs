//! Saving without destroying what a path names: every file the program saves whole (a fitted
//! preset, a cohort's tables, the dashboard's Save, Save PNG and debrief) is written to a
//! temporary file beside its target and renamed over it only when complete. A symlink is
//! followed on purpose (the file it points to is replaced, the link kept); a path that names
//! anything but a regular file (a device, a FIFO, a folder) is refused. A waveform CSV
//! (`run --csv`) streams to its path instead, so an interrupted run leaves the rows it
//! reached; it refuses special files too ([`refuse_special`]).
//!
//! Reading a settings file (a preset, a scenario, measurements) is bounded the same way: a
//! regular file of at most [`MAX_SETTINGS_FILE_BYTES`], so `/dev/zero`, a FIFO or a stray
//! recording is refused at once instead of freezing the program.

use crate::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `path` through `write`, atomically: readers see the old file or the whole new one,
/// never a part; a failed write (a full disk) leaves the old file as it was.
///
/// Errors: [`Error::Io`] naming the path, for a special file, a missing folder, or a failed
/// write, flush or rename.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let io = |message: String| Error::Io {
        path: path.display().to_string(),
        message,
    };
    let target = resolve(path).map_err(|e| io(e.to_string()))?;
    if let Ok(meta) = std::fs::metadata(&target)
        && !meta.is_file()
    {
        return Err(io(
            "not a regular file (a device, a FIFO or a folder): refusing to replace it".into(),
        ));
    }
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".ecmo-unload-")
        .suffix(".partial")
        .tempfile_in(&folder)
        .map_err(|e| io(e.to_string()))?;
    let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
    write(&mut buffered)
        .and_then(|()| buffered.flush())
        .map_err(|e| io(e.to_string()))?;
    drop(buffered);
    tmp.as_file().sync_all().map_err(|e| io(e.to_string()))?;
    keep_permissions(&target, tmp.as_file()).map_err(|e| io(e.to_string()))?;
    tmp.persist(&target).map_err(|e| io(e.error.to_string()))?;
    Ok(())
}

/// Refuse a path that names (through its symlinks) an existing device, FIFO or folder: opening
/// a FIFO to write blocks until a reader comes, and a device is not a file to save in.
pub fn refuse_special(path: &Path) -> Result<(), Error> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(Error::Io {
            path: path.display().to_string(),
            message: "not a regular file (a device, a FIFO or a folder): refusing to write to it"
                .into(),
        }),
        _ => Ok(()),
    }
}

/// Refuse, before any work, a target that could not be saved: a special file ([`refuse_special`])
/// or a path (or the file its symlinks name) whose folder does not exist.
pub fn check_target(path: &Path) -> Result<(), Error> {
    refuse_special(path)?;
    let target = resolve(path).unwrap_or_else(|_| path.to_path_buf());
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if folder.is_dir() {
        Ok(())
    } else {
        Err(Error::Io {
            path: path.display().to_string(),
            message: format!("no folder {} to save it in", folder.display()),
        })
    }
}

/// Write `bytes` to `path` atomically ([`write_atomically`]).
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomically(path, |w| w.write_all(bytes))
}

/// The largest preset, scenario or measurements file read: the built-in ones are under 10 kB,
/// a scenario of 20 000 timed events about 1.6 MB.
pub const MAX_SETTINGS_FILE_BYTES: u64 = 8 << 20;

/// Read a settings file: a regular file (symlinks followed) of at most
/// [`MAX_SETTINGS_FILE_BYTES`], as bytes.
///
/// Errors: [`Error::Io`] naming the path, for a missing file, a special file, a file too large,
/// or a failed read.
pub fn read_settings_file(path: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let io = |message: String| Error::Io {
        path: path.display().to_string(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
    if !meta.is_file() {
        return Err(io(
            "not a regular file (a device, a FIFO or a folder)".into()
        ));
    }
    let too_large = || {
        io(format!(
            "larger than {} kB: not a settings file",
            MAX_SETTINGS_FILE_BYTES / 1024
        ))
    };
    if meta.len() > MAX_SETTINGS_FILE_BYTES {
        return Err(too_large());
    }
    // Read one byte past the limit: a file that grew since `metadata` is still caught.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SETTINGS_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| io(e.to_string()))?;
    if bytes.len() as u64 > MAX_SETTINGS_FILE_BYTES {
        return Err(too_large());
    }
    // A UTF-8 byte-order mark (some editors write one) is not part of the text.
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    Ok(bytes)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The file a path names: a symlink's target (followed through every link), else the path.
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let mut target = path.to_path_buf();
    // A bound on links followed, as the kernel's (ELOOP): a cycle is an error, not a hang.
    for _ in 0..MAX_SYMLINKS {
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&target)?;
                target = match target.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(target),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Links followed before a path counts as a loop (Linux's limit).
const MAX_SYMLINKS: usize = 40;

/// A replaced file keeps its permissions; a new one gets the usual rw-r--r-- (the temporary
/// file is created private).
fn keep_permissions(target: &Path, file: &std::fs::File) -> std::io::Result<()> {
    match std::fs::metadata(target) {
        Ok(meta) => file.set_permissions(meta.permissions()),
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(std::fs::Permissions::from_mode(NEW_FILE_MODE))
            }
            #[cfg(not(unix))]
            {
                Ok(())
            }
        }
    }
}

/// rw-r--r--: what a new file gets under the usual umask of 022.
#[cfg(unix)]
const NEW_FILE_MODE: u32 = 0o644;

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ecmo-unload-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_is_replaced_whole_and_a_failed_write_leaves_the_old_one() {
        let dir = scratch("replace");
        let path = dir.join("a.txt");
        write_bytes(&path, b"old").unwrap();
        let failed = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        write_bytes(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_settings_file_is_a_small_regular_file() {
        let dir = scratch("read");
        let path = dir.join("p.ron");
        write_bytes(&path, b"()").unwrap();
        assert_eq!(read_settings_file(&path).unwrap(), b"()");
        for special in ["/dev/zero", "/dev/null"] {
            let err = read_settings_file(Path::new(special)).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
        let big = dir.join("big.ron");
        write_bytes(&big, &vec![b' '; MAX_SETTINGS_FILE_BYTES as usize + 1]).unwrap();
        let err = read_settings_file(&big).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_a_device_refused() {
        let dir = scratch("special");
        let real = dir.join("real.txt");
        let link = dir.join("link.txt");
        write_bytes(&real, b"old").unwrap();
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write_bytes(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let err = write_bytes(Path::new("/dev/null"), b"x").unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        let folder = write_bytes(&dir, b"x").unwrap_err();
        assert!(
            folder.to_string().contains("not a regular file"),
            "{folder}"
        );
    }
}
