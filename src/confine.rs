//! Writing files under one folder without ever leaving it.
//!
//! `acgw export -o` names schema files after live gateway and target names, which anyone who
//! can create a gateway chooses. The names are made safe before they get here (see
//! [`crate::export::file_slug`]); this module is the second line: a path must be relative with
//! plain components only, no existing component may be a symbolic link (one would redirect the
//! write anywhere), and a file that exists already is replaced only with `--force` or when this
//! run wrote it.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// Why a file under the folder was refused or could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ConfineError {
    #[error("{path}: refused: the path is not a plain relative path inside {root}")]
    Outside { path: String, root: String },
    #[error("{path}: refused: {link} is a symbolic link, and export never follows or replaces one")]
    Symlink { path: String, link: String },
    #[error("{path}: refused: {what} exists and is not a {expected}")]
    WrongKind { path: String, what: String, expected: &'static str },
    #[error("{path}: refused: the file exists and this export did not create it; pass --force to replace it")]
    Exists { path: String },
    #[error("cannot write {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// A folder that files are written under, and what this run wrote there.
#[derive(Debug)]
pub struct Folder {
    root: PathBuf,
    force: bool,
    written: BTreeSet<PathBuf>,
}

impl Folder {
    /// Files go under `root`; `force` lets them replace regular files this run did not write.
    pub fn new(root: &Path, force: bool) -> Self {
        Folder { root: root.to_path_buf(), force, written: BTreeSet::new() }
    }

    /// The full path of `rel` (a `/`-separated path under the folder), or why writing it is refused.
    pub fn check(&self, rel: &str) -> Result<PathBuf, ConfineError> {
        let shown = self.root.join(rel).display().to_string();
        let relative = Path::new(rel);
        let plain = !rel.is_empty()
            && !rel.contains('\\')
            && relative.components().all(|c| matches!(c, Component::Normal(_)))
            && relative.components().count() == rel.split('/').count();
        if !plain {
            return Err(ConfineError::Outside { path: shown, root: self.root.display().to_string() });
        }
        let components: Vec<Component<'_>> = relative.components().collect();
        let mut at = self.root.clone();
        for (i, component) in components.iter().enumerate() {
            at.push(component);
            let last = i + 1 == components.len();
            let meta = match std::fs::symlink_metadata(&at) {
                Ok(meta) => meta,
                // Nothing exists from here on: nothing to follow or replace.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(source) => return Err(ConfineError::Io { path: shown, source }),
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                return Err(ConfineError::Symlink { path: shown, link: at.display().to_string() });
            }
            if !last && !kind.is_dir() {
                let what = at.display().to_string();
                return Err(ConfineError::WrongKind { path: shown, what, expected: "folder" });
            }
            if last {
                if !kind.is_file() {
                    let what = at.display().to_string();
                    return Err(ConfineError::WrongKind { path: shown, what, expected: "regular file" });
                }
                if !self.force && !self.written.contains(&at) {
                    return Err(ConfineError::Exists { path: shown });
                }
            }
        }
        Ok(self.root.join(relative))
    }

    /// Writes `bytes` to `rel` atomically after [`Folder::check`], and remembers it as this run's.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<PathBuf, ConfineError> {
        let path = self.check(rel)?;
        crate::atomic::write(&path, bytes)
            .map_err(|source| ConfineError::Io { path: path.display().to_string(), source })?;
        self.written.insert(path.clone());
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::new(dir.path(), true);
        for rel in ["", "../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/", "a\\..\\b", "a/./b"] {
            assert!(matches!(folder.check(rel), Err(ConfineError::Outside { .. })), "{rel:?}");
        }
        assert_eq!(folder.check("schemas/a/b.yaml").unwrap(), dir.path().join("schemas/a/b.yaml"));
    }

    #[test]
    fn never_follows_or_replaces_a_symlink_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("schemas")).unwrap();
        let mut folder = Folder::new(dir.path(), true);
        let error = folder.write("schemas/a/b.yaml", b"x").unwrap_err();
        assert!(matches!(error, ConfineError::Symlink { .. }), "{error}");
        assert!(error.to_string().contains("is a symbolic link"), "{error}");
        std::fs::remove_file(dir.path().join("schemas")).unwrap();
        std::fs::create_dir_all(dir.path().join("schemas/a")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("victim"), dir.path().join("schemas/a/b.yaml")).unwrap();
        assert!(matches!(folder.write("schemas/a/b.yaml", b"x"), Err(ConfineError::Symlink { .. })));
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0, "nothing written outside");
    }

    #[test]
    fn replaces_only_its_own_files_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("s")).unwrap();
        std::fs::write(dir.path().join("s/old.yaml"), "mine").unwrap();
        let mut folder = Folder::new(dir.path(), false);
        let error = folder.write("s/old.yaml", b"new").unwrap_err();
        assert!(error.to_string().ends_with("pass --force to replace it"), "{error}");
        assert_eq!(std::fs::read_to_string(dir.path().join("s/old.yaml")).unwrap(), "mine");
        folder.write("s/fresh.yaml", b"1").unwrap();
        folder.write("s/fresh.yaml", b"2").unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("s/fresh.yaml")).unwrap(), "2");
        let mut forced = Folder::new(dir.path(), true);
        forced.write("s/old.yaml", b"new").unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("s/old.yaml")).unwrap(), "new");
        std::fs::create_dir_all(dir.path().join("s/dir.yaml")).unwrap();
        assert!(matches!(forced.check("s/dir.yaml"), Err(ConfineError::WrongKind { .. })));
        assert!(matches!(forced.check("s/old.yaml/x"), Err(ConfineError::WrongKind { .. })));
    }
}
