//! Writing a file so that a crash at any instant leaves either its old content or its new
//! content: a temporary file in the same directory, fsync, rename over the target, fsync of the
//! directory (which makes the rename itself durable).

use std::io::Write;
use std::path::Path;

pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    // Through the plain file, so that an error (a full disk) does not name the temporary file,
    // which is gone by the time the caller reports it.
    file.as_file_mut().write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    if let Ok(handle) = std::fs::File::open(dir) {
        // Some filesystems refuse to fsync a directory; the rename is then as durable as it gets.
        let _ = handle.sync_all();
    }
    Ok(())
}
