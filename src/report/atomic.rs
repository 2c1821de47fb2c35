//! Atomic output: every file of a run is written into a staging folder inside the
//! output folder, and renamed into place only when the run has finished. An
//! interrupted run leaves the previous results untouched and its partial files in the
//! staging folder.

use super::ReportError;
use std::fs;
use std::path::{Path, PathBuf};

/// Name of the staging folder of `derivbench run` inside the output folder.
pub const STAGING: &str = ".partial";

/// Name of the staging folder of `derivbench plot`: a folder of its own, so that a
/// redraw leaves the partial results of an interrupted run in [`STAGING`].
pub const PLOT_STAGING: &str = ".partial-plot";

/// A staging folder for one run's files.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
}

fn io(path: &Path, e: std::io::Error) -> ReportError {
    ReportError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

impl Staging {
    /// Creates `out` (if needed) and an empty staging folder inside it, and checks that
    /// both are writable: call before any work so that an unwritable `--out` fails fast.
    pub fn create(out: &Path) -> Result<Staging, ReportError> {
        Staging::create_named(out, STAGING)
    }

    /// [`Staging::create`] with the staging folder `out/name` (emptied first).
    pub fn create_named(out: &Path, name: &str) -> Result<Staging, ReportError> {
        fs::create_dir_all(out).map_err(|e| io(out, e))?;
        let dir = out.join(name);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| io(&dir, e))?;
        }
        fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let probe = dir.join(".probe");
        fs::write(&probe, b"").map_err(|e| io(&probe, e))?;
        fs::remove_file(&probe).map_err(|e| io(&probe, e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
        })
    }

    /// The staging path of a file.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The staging folder, where partial results of an interrupted run remain.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The final output folder.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Writes a file into the staging folder (creating its parent folders).
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        fs::write(&p, bytes).map_err(|e| io(&p, e))
    }

    /// Moves every staged file into the output folder (one rename each; a staged
    /// folder replaces the folder of the same name), then removes the staging folder.
    pub fn commit(self) -> Result<(), ReportError> {
        let mut entries: Vec<PathBuf> = fs::read_dir(&self.dir)
            .map_err(|e| io(&self.dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for src in entries {
            let name = src.file_name().expect("a staged entry has a name");
            let dst = self.out.join(name);
            if src.is_dir() {
                let old = self.out.join(format!(".old-{}", name.to_string_lossy()));
                if dst.exists() {
                    if old.exists() {
                        fs::remove_dir_all(&old).map_err(|e| io(&old, e))?;
                    }
                    fs::rename(&dst, &old).map_err(|e| io(&dst, e))?;
                }
                fs::rename(&src, &dst).map_err(|e| io(&src, e))?;
                if old.exists() {
                    fs::remove_dir_all(&old).map_err(|e| io(&old, e))?;
                }
            } else {
                fs::rename(&src, &dst).map_err(|e| io(&src, e))?;
            }
        }
        fs::remove_dir_all(&self.dir).map_err(|e| io(&self.dir, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_appear_only_at_commit() {
        let tmp = std::env::temp_dir().join(format!("derivbench-atomic-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).unwrap();
        fs::write(tmp.join("a.csv"), "old").unwrap();
        let st = Staging::create(&tmp).unwrap();
        st.write("a.csv", b"new").unwrap();
        st.write("plots/x.svg", b"svg").unwrap();
        assert_eq!(fs::read_to_string(tmp.join("a.csv")).unwrap(), "old");
        st.commit().unwrap();
        assert_eq!(fs::read_to_string(tmp.join("a.csv")).unwrap(), "new");
        assert_eq!(fs::read_to_string(tmp.join("plots/x.svg")).unwrap(), "svg");
        assert!(!tmp.join(STAGING).exists());
        fs::remove_dir_all(&tmp).unwrap();
    }
}
