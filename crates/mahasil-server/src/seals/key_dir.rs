//! The node's key directory: private signing keys as PKCS#8 files that only their owner
//! may read. A key file is written once, synced, and never rewritten; a key that is
//! retired or compromised is moved to `retired/`, so the directory holds only keys in use.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Permission bits of the directory and of every key file: owner only.
const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// Largest key file read; a PKCS#8 P-256 key is about 140 bytes.
const MAX_KEY_FILE_BYTES: u64 = 4_096;

/// Where retired and compromised keys' files go.
const RETIRED: &str = "retired";

#[derive(Debug, Clone)]
pub struct KeyDir {
    root: PathBuf,
}

impl KeyDir {
    /// Opens the directory, creating it owner-only if missing. An existing directory that
    /// others may read is refused: the keys in it may already have leaked.
    pub fn open(root: &Path) -> io::Result<Self> {
        if !root.exists() {
            fs::create_dir_all(root)?;
            fs::set_permissions(root, fs::Permissions::from_mode(DIR_MODE))?;
        }
        refuse_shared(root)?;
        Ok(Self { root: root.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Writes a new key file `name` (never replacing one), readable by the owner only,
    /// and syncs it and the directory so an acknowledged key survives a crash.
    pub fn create(&self, name: &str, pkcs8: &[u8]) -> io::Result<PathBuf> {
        let path = self.file(name)?;
        let mut file = OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(&path)?;
        file.write_all(pkcs8)?;
        file.sync_all()?;
        File::open(&self.root)?.sync_all()?;
        Ok(path)
    }

    /// The key file `name`, or `None` if it does not exist. A file others may read is
    /// refused rather than used.
    pub fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        let path = self.file(name)?;
        let meta = match fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        if meta.mode() & 0o077 != 0 {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{} can be read by others (mode {:o}); make it owner-only (chmod 600)", path.display(), meta.mode() & 0o777),
            ));
        }
        if meta.len() > MAX_KEY_FILE_BYTES {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("{} is too large to be a key", path.display())));
        }
        fs::read(&path).map(Some)
    }

    /// Names of the key files in use (not retired), sorted.
    pub fn names(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            if entry.file_type()?.is_file()
                && let Some(name) = entry.file_name().to_str()
            {
                names.push(name.to_string());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Moves a key file out of use, into `retired/` (owner-only, like the rest).
    pub fn retire(&self, name: &str) -> io::Result<()> {
        let retired = self.root.join(RETIRED);
        if !retired.exists() {
            fs::create_dir(&retired)?;
            fs::set_permissions(&retired, fs::Permissions::from_mode(DIR_MODE))?;
        }
        fs::rename(self.file(name)?, retired.join(name))?;
        File::open(&self.root)?.sync_all()
    }

    /// A file name inside the directory: plain names only, nothing that climbs out.
    fn file(&self, name: &str) -> io::Result<PathBuf> {
        let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) && !name.starts_with('.');
        if !plain {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{name:?} is not a key file name")));
        }
        Ok(self.root.join(name))
    }
}

fn refuse_shared(dir: &Path) -> io::Result<()> {
    let mode = fs::metadata(dir)?.mode();
    if mode & 0o077 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("key directory {} can be read by others (mode {:o}); make it owner-only (chmod 700)", dir.display(), mode & 0o777),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn key_files_are_owner_only_and_never_replaced() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let dir = KeyDir::open(&tmp.path().join("keys"))?;
        assert_eq!(fs::metadata(dir.path())?.mode() & 0o777, DIR_MODE);
        let path = dir.create("challan-0011223344556677.pk8", b"secret")?;
        assert_eq!(fs::metadata(&path)?.mode() & 0o777, FILE_MODE);
        assert_eq!(dir.read("challan-0011223344556677.pk8")?, Some(b"secret".to_vec()));
        Ok(())
    }

    #[test]
    fn an_existing_key_is_not_overwritten() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let dir = KeyDir::open(&tmp.path().join("keys"))?;
        dir.create("a.pk8", b"first")?;
        assert_eq!(dir.create("a.pk8", b"second").map_err(|e| e.kind()).err(), Some(io::ErrorKind::AlreadyExists));
        assert_eq!(dir.read("a.pk8")?, Some(b"first".to_vec()));
        Ok(())
    }

    #[test]
    fn readable_by_others_is_refused() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let dir = KeyDir::open(&tmp.path().join("keys"))?;
        let path = dir.create("a.pk8", b"k")?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644))?;
        assert_eq!(dir.read("a.pk8").map_err(|e| e.kind()).err(), Some(io::ErrorKind::PermissionDenied));
        fs::set_permissions(tmp.path().join("keys"), fs::Permissions::from_mode(0o755))?;
        assert_eq!(KeyDir::open(&tmp.path().join("keys")).map_err(|e| e.kind()).err(), Some(io::ErrorKind::PermissionDenied));
        Ok(())
    }

    #[test]
    fn names_stay_inside_and_retire_moves_out() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let dir = KeyDir::open(&tmp.path().join("keys"))?;
        for bad in ["../x", "", ".hidden", "a/b"] {
            assert_eq!(dir.read(bad).map_err(|e| e.kind()).err(), Some(io::ErrorKind::InvalidInput), "{bad}");
        }
        dir.create("a.pk8", b"k")?;
        dir.create("b.pk8", b"k")?;
        assert_eq!(dir.names()?, ["a.pk8", "b.pk8"]);
        dir.retire("a.pk8")?;
        assert_eq!(dir.names()?, ["b.pk8"]);
        assert_eq!(dir.read("a.pk8")?, None);
        assert!(tmp.path().join("keys/retired/a.pk8").exists());
        Ok(())
    }
}
