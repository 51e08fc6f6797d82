//! The device's state file: JSON written to a temporary file beside it, flushed to disk,
//! then renamed over the old one (and the directory flushed), so a process killed at any
//! moment leaves either the old state or the new one, never half of each.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{FieldError, Result};

/// Largest state file read, in bytes: far above any real device's.
pub const MAX_STATE_BYTES: u64 = 512 * 1024 * 1024;

fn state_error(path: &Path, reason: impl std::fmt::Display) -> FieldError {
    FieldError::State { path: path.display().to_string(), reason: reason.to_string() }
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Replaces the file at `path` with `value` as JSON, all or nothing.
pub fn save<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| state_error(path, e))?;
    let temporary = temporary_path(path);
    let mut file = File::create(&temporary).map_err(|e| state_error(&temporary, e))?;
    file.write_all(&bytes).map_err(|e| state_error(&temporary, e))?;
    file.sync_all().map_err(|e| state_error(&temporary, e))?;
    drop(file);
    fs::rename(&temporary, path).map_err(|e| state_error(path, e))?;
    // The rename itself is durable only once the directory is.
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| state_error(dir, e))?;
    Ok(())
}

/// Reads the JSON file at `path`.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let size = fs::metadata(path).map_err(|e| state_error(path, e))?.len();
    if size > MAX_STATE_BYTES {
        return Err(state_error(path, format!("is {size} bytes, more than {MAX_STATE_BYTES}")));
    }
    let bytes = fs::read(path).map_err(|e| state_error(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| state_error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn a_save_replaces_the_whole_file_and_leaves_no_temporary() -> R {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("device.json");
        save(&path, &vec![1, 2, 3])?;
        save(&path, &vec![4])?;
        assert_eq!(load::<Vec<i32>>(&path)?, vec![4]);
        assert!(!temporary_path(&path).exists());
        Ok(())
    }

    #[test]
    fn a_temporary_left_by_a_killed_save_does_not_change_the_state() -> R {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("device.json");
        save(&path, &vec![1])?;
        fs::write(temporary_path(&path), b"[2, 3")?;
        assert_eq!(load::<Vec<i32>>(&path)?, vec![1]);
        save(&path, &vec![5])?;
        assert_eq!(load::<Vec<i32>>(&path)?, vec![5]);
        Ok(())
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let missing = Path::new("/nonexistent/device.json");
        match load::<Vec<i32>>(missing) {
            Err(FieldError::State { path, .. }) => assert_eq!(path, "/nonexistent/device.json"),
            other => assert!(other.is_err(), "{other:?}"),
        }
    }
}
