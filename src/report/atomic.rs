//! Atomic output: every file of a run is written into a staging folder inside the
//! output folder, and renamed into place only when the run has finished. An
//! interrupted run leaves the previous results untouched and its partial files in the
//! staging folder.
//!
//! A Ctrl-C handler consults [`on_interrupt`]: while [`Staging::commit`] moves the files
//! into place, an interrupt is recorded instead of ending the process, so that the
//! commit completes (the program then sees [`interrupted_during_commit`]). Only an
//! abrupt end (SIGKILL, a power cut) during the renames can leave a mix of old and new
//! files; `results.json` moves last, so when it is the new one, every other file is too.

use super::ReportError;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Name of the staging folder of `derivbench run` inside the output folder.
pub const STAGING: &str = ".partial";

/// Name of the staging folder of `derivbench plot`: a folder of its own, so that a
/// redraw leaves the partial results of an interrupted run in [`STAGING`].
pub const PLOT_STAGING: &str = ".partial-plot";

/// The folder inside the staging folder that [`Staging::commit`] does not move: `run`
/// keeps one JSON file per finished scenario there, so that an interrupted run leaves
/// its results. It is removed with the staging folder when the commit has completed.
pub const KEPT: &str = "done";

/// The file that moves into place last: `derivbench plot` and `derivbench check` read
/// it, and once it is the new one every other file of the commit is in place too.
pub const LAST: &str = "results.json";

/// The prefix of the name under which a commit moves an old folder (or anything else
/// that a plain rename cannot replace) aside; it is removed once every entry is in
/// place.
pub const ASIDE: &str = ".old-";

/// What an interrupt that ends the process meets (see [`on_interrupt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// No commit has completed: the output folder holds the previous files.
    BeforeCommit,
    /// A commit has completed: this run's files are all in place.
    AfterCommit,
}

/// Whether a commit is moving files and whether an interrupt came meanwhile.
#[derive(Debug)]
struct Gate {
    state: Mutex<GateState>,
}

#[derive(Debug, Default)]
struct GateState {
    /// commits in progress (one in the program; unit tests run several at once)
    committing: usize,
    /// a commit has completed
    committed: bool,
    /// an interrupt came while a commit was in progress
    deferred: bool,
}

impl Gate {
    const fn new() -> Gate {
        Gate {
            state: Mutex::new(GateState {
                committing: 0,
                committed: false,
                deferred: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a commit; blocks while an interrupt is ending the process.
    fn enter(&self) -> Committing<'_> {
        self.lock().committing += 1;
        Committing {
            gate: self,
            done: false,
        }
    }

    fn on_interrupt(&self, stop: impl FnOnce(Moment)) {
        let mut s = self.lock();
        if s.committing > 0 {
            s.deferred = true;
            return;
        }
        let moment = if s.committed {
            Moment::AfterCommit
        } else {
            Moment::BeforeCommit
        };
        // the gate stays locked while `stop` ends the process: no commit starts meanwhile
        stop(moment);
        drop(s);
    }

    fn deferred(&self) -> bool {
        self.lock().deferred
    }
}

/// A commit in progress; the interrupts it meets are deferred until it is dropped.
struct Committing<'a> {
    gate: &'a Gate,
    done: bool,
}

impl Committing<'_> {
    /// Marks the commit as completed (every file in place).
    fn complete(mut self) {
        self.done = true;
    }
}

impl Drop for Committing<'_> {
    fn drop(&mut self) {
        let mut s = self.gate.lock();
        s.committing -= 1;
        s.committed |= self.done;
    }
}

static GATE: Gate = Gate::new();

/// For a Ctrl-C handler. While a [`Staging::commit`] is moving files into place, records
/// the interrupt (see [`interrupted_during_commit`]) and returns at once: the handler
/// must then return too, and the commit completes. Otherwise calls `stop` with the
/// moment, which should say so and end the process; no commit starts until `stop`
/// returns.
pub fn on_interrupt(stop: impl FnOnce(Moment)) {
    GATE.on_interrupt(stop)
}

/// True when an interrupt came while a commit was moving files into place (the commit
/// went on and completed, or failed with its own error).
pub fn interrupted_during_commit() -> bool {
    GATE.deferred()
}

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

/// Removes a file, a link or a folder with its contents; nothing there is not an error.
fn remove_any(path: &Path) -> Result<(), ReportError> {
    let removed = match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    };
    removed.map_err(|e| io(path, e))
}

/// Flushes `path` to the disk: a file's contents, or a folder's entries and, depth
/// first, everything under it (links are not followed). A rename is atomic against
/// other processes, not against a power loss: without this, a renamed file can be
/// empty after a crash, with its previous version already gone.
pub fn sync_tree(path: &Path) -> Result<(), ReportError> {
    let meta = fs::symlink_metadata(path).map_err(|e| io(path, e))?;
    if meta.is_dir() {
        for e in fs::read_dir(path).map_err(|e| io(path, e))? {
            sync_tree(&e.map_err(|e| io(path, e))?.path())?;
        }
        return sync_dir(path);
    } else if !meta.is_file() {
        return Ok(());
    }
    flush_file(path).map_err(|e| io(path, e))
}

/// Flushes a folder's entries (the names renamed into it) to the disk (see
/// [`flush_folder`]).
pub fn sync_dir(dir: &Path) -> Result<(), ReportError> {
    flush_folder(dir).map_err(|e| io(dir, e))
}

/// Flushes a file's contents to the disk.
pub fn flush_file(path: &Path) -> std::io::Result<()> {
    fs::File::open(path).and_then(|f| f.sync_all())
}

/// Flushes a folder's entries to the disk. A file system that cannot flush a folder
/// (EINVAL on some network and virtual mounts) is not an error: its renames are as
/// durable as it makes them.
pub fn flush_folder(dir: &Path) -> std::io::Result<()> {
    match fs::File::open(dir).and_then(|f| f.sync_all()) {
        Err(e)
            if e.raw_os_error() == Some(EINVAL) || e.kind() == std::io::ErrorKind::Unsupported =>
        {
            Ok(())
        }
        r => r,
    }
}

/// EINVAL (Linux and macOS), the error of fsync on a descriptor that does not support it.
const EINVAL: i32 = 22;

/// Moves `src` to `dst`. A file replaces a file (or a link) in one rename; anything else
/// there (an old folder, a file where a folder goes, a folder where a file goes) is
/// first moved aside to `aside`, which is then returned for the caller to remove. A
/// leftover at `aside` from an earlier failure is removed first.
fn move_into_place(src: &Path, dst: &Path, aside: &Path) -> Result<Option<PathBuf>, ReportError> {
    remove_any(aside)?;
    let src_is_dir = fs::symlink_metadata(src).map_err(|e| io(src, e))?.is_dir();
    let in_the_way = match fs::symlink_metadata(dst) {
        Ok(m) => src_is_dir || m.is_dir(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(io(dst, e)),
    };
    if !in_the_way {
        fs::rename(src, dst).map_err(|e| io(dst, e))?;
        return Ok(None);
    }
    fs::rename(dst, aside).map_err(|e| io(dst, e))?;
    if let Err(e) = fs::rename(src, dst) {
        // put the old one back, so that the folder keeps it
        let _ = fs::rename(aside, dst);
        return Err(io(dst, e));
    }
    Ok(Some(aside.to_path_buf()))
}

/// The order in which a commit moves the staged entries: by name, [`LAST`] last.
fn commit_order(mut names: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    names.sort_by(|a, b| (a == LAST, a).cmp(&(b == LAST, b)));
    names
}

/// A test hook of debug builds, between two renames of a commit: the point
/// `moved-NAME` of [`crate::run::ctrl_c_point`], and an injected I/O error when
/// `DERIVBENCH_FAILPOINT` is `io-error:moved-NAME`.
fn after_move(name: &str, dst: &Path) -> Result<(), ReportError> {
    let point = format!("moved-{name}");
    crate::run::ctrl_c_point(&point);
    #[cfg(debug_assertions)]
    if std::env::var("DERIVBENCH_FAILPOINT").is_ok_and(|v| v == format!("io-error:{point}")) {
        let e = std::io::Error::other(format!("failpoint io-error:{point}"));
        return Err(io(dst, e));
    }
    #[cfg(not(debug_assertions))]
    let _ = dst;
    Ok(())
}

impl Staging {
    /// Creates `out` (if needed) and an empty staging folder inside it, and checks that
    /// both are writable: call before any work so that an unwritable `--out` fails fast.
    pub fn create(out: &Path) -> Result<Staging, ReportError> {
        Staging::create_named(out, STAGING)
    }

    /// [`Staging::create`] with the staging folder `out/name` (emptied first).
    pub fn create_named(out: &Path, name: &str) -> Result<Staging, ReportError> {
        // what is in the way, said as such (creating the folder would only say that
        // something exists there, or that some part of its path is not a folder)
        let not_a_folder = |p: &Path| fs::metadata(p).is_ok_and(|m| !m.is_dir());
        if let Some(a) = out
            .ancestors()
            .skip(1)
            .find(|a| !a.as_os_str().is_empty() && not_a_folder(a))
        {
            let e = std::io::Error::other(format!(
                "exists and is not a folder, so {} cannot be created in it",
                out.display()
            ));
            return Err(io(a, e));
        }
        match fs::metadata(out) {
            Ok(m) if !m.is_dir() => {
                let e = std::io::Error::other("exists and is not a folder");
                return Err(io(out, e));
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(out, e)),
            Err(_) if fs::symlink_metadata(out).is_ok() => {
                let e = std::io::Error::other("is a link to nothing (its target does not exist)");
                return Err(io(out, e));
            }
            _ => {}
        }
        fs::create_dir_all(out).map_err(|e| io(out, e))?;
        let dir = out.join(name);
        remove_any(&dir)?;
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

    /// The folder [`KEPT`] inside the staging folder, which the commit does not move and
    /// removes only once every file is in place (it is not created here).
    pub fn kept_dir(&self) -> PathBuf {
        self.dir.join(KEPT)
    }

    /// The final output folder.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Writes a file into the staging folder (creating its parent folders).
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
        self.write_with(name, |w| w.write_all(bytes))
    }

    /// Writes the staged file `name` through `fill`, buffered, without holding the
    /// whole text in memory (`results.json` of a large run is hundreds of MB).
    pub fn write_with(
        &self,
        name: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), ReportError> {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        let file = fs::File::create(&p).map_err(|e| io(&p, e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut w).map_err(|e| io(&p, e))?;
        w.into_inner().map_err(|e| io(&p, e.into_error()))?;
        Ok(())
    }

    /// Moves every staged entry but [`KEPT`] into the output folder, by name and
    /// [`LAST`] last, one rename each (a staged folder replaces the folder of the same
    /// name, which is moved aside under [`ASIDE`] and removed once every entry is in
    /// place; anything in the way of an entry is replaced; every staged file is flushed
    /// to the disk first, and the output folder after the renames), then removes the staging
    /// folder with [`KEPT`]. An interrupt meanwhile is deferred (see [`on_interrupt`]).
    /// On an error the entries not yet moved, and [`KEPT`], stay in the staging folder.
    pub fn commit(self) -> Result<(), ReportError> {
        let committing = GATE.enter();
        let mut names = Vec::new();
        for e in fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))? {
            let name = e.map_err(|e| io(&self.dir, e))?.file_name();
            if name != KEPT {
                names.push(name);
            }
        }
        // what is moved reaches the disk before its name replaces the old one
        for name in &names {
            sync_tree(&self.dir.join(name))?;
        }
        let mut aside = Vec::new();
        for name in commit_order(names) {
            let text = name.to_string_lossy();
            let dst = self.out.join(&name);
            let old = self.out.join(format!("{ASIDE}{text}"));
            aside.extend(move_into_place(&self.dir.join(&name), &dst, &old)?);
            after_move(&text, &dst)?;
        }
        // and the renames themselves, before the old versions are removed
        sync_dir(&self.out)?;
        for old in aside {
            remove_any(&old)?;
        }
        remove_any(&self.dir)?;
        committing.complete();
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An empty folder of this test's own.
    fn scratch(tag: &str) -> PathBuf {
        let tmp =
            std::env::temp_dir().join(format!("derivbench-atomic-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).unwrap();
        tmp
    }

    /// The names in a folder, sorted (also for `check`'s tests of the baseline write).
    pub(crate) fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn sync_tree_flushes_files_and_folders_and_names_what_it_cannot_open() {
        let tmp = scratch("sync");
        fs::create_dir_all(tmp.join("plots/deeper")).unwrap();
        fs::write(tmp.join("plots/deeper/x.svg"), "svg").unwrap();
        fs::write(tmp.join("a.csv"), "a").unwrap();
        // a dangling link is neither followed nor an error
        std::os::unix::fs::symlink(tmp.join("nowhere"), tmp.join("link")).unwrap();
        sync_tree(&tmp).unwrap();
        sync_dir(&tmp).unwrap();
        // a file that cannot be opened is an error naming it, not skipped
        let locked = tmp.join("plots/deeper/locked.png");
        fs::write(&locked, "png").unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let readable = fs::File::open(&locked).is_ok(); // root opens anything
        let r = sync_tree(&tmp);
        if readable {
            r.unwrap();
        } else {
            let e = r.unwrap_err().to_string();
            assert!(e.contains("locked.png"), "{e}");
        }
        let missing = sync_tree(&tmp.join("missing")).unwrap_err().to_string();
        assert!(missing.contains("missing"), "{missing}");
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn a_file_on_the_way_to_the_folder_is_named() {
        let tmp = scratch("file-on-the-way");
        fs::write(tmp.join("afile"), "x").unwrap();
        let out = tmp.join("afile/sub/deeper");
        let e = Staging::create(&out).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}: exists and is not a folder, so {} cannot be created in it",
                tmp.join("afile").display(),
                out.display()
            )
        );
        // the folder itself a file is said as before
        let e = Staging::create(&tmp.join("afile")).unwrap_err().to_string();
        assert!(e.ends_with("afile: exists and is not a folder"), "{e}");
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn files_appear_only_at_commit() {
        let tmp = scratch("appear");
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

    #[test]
    fn a_staged_folder_replaces_the_old_folder_entirely() {
        let tmp = scratch("replace");
        fs::create_dir_all(tmp.join("plots")).unwrap();
        fs::write(tmp.join("plots/old.svg"), "old").unwrap();
        let st = Staging::create(&tmp).unwrap();
        st.write("plots/new.svg", b"new").unwrap();
        st.commit().unwrap();
        assert_eq!(names(&tmp.join("plots")), ["new.svg"]);
        assert_eq!(names(&tmp), ["plots"]);
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn the_kept_folder_stays_until_the_commit_and_is_not_moved() {
        let tmp = scratch("kept");
        let st = Staging::create(&tmp).unwrap();
        fs::create_dir_all(st.kept_dir()).unwrap();
        fs::write(st.kept_dir().join("s.json"), "{}").unwrap();
        st.write("results.json", b"{}").unwrap();
        st.commit().unwrap();
        assert_eq!(names(&tmp), ["results.json"]);
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn a_file_where_a_staged_folder_goes_is_replaced() {
        let tmp = scratch("file-at-folder");
        fs::write(tmp.join("plots"), "x").unwrap();
        let st = Staging::create(&tmp).unwrap();
        st.write("plots/x.svg", b"svg").unwrap();
        st.commit().unwrap();
        assert_eq!(fs::read_to_string(tmp.join("plots/x.svg")).unwrap(), "svg");
        assert_eq!(names(&tmp), ["plots"]);
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn a_folder_where_a_staged_file_goes_is_replaced() {
        let tmp = scratch("folder-at-file");
        fs::create_dir_all(tmp.join("results.json/inner")).unwrap();
        let st = Staging::create(&tmp).unwrap();
        st.write("results.json", b"{}").unwrap();
        st.commit().unwrap();
        assert_eq!(fs::read_to_string(tmp.join("results.json")).unwrap(), "{}");
        assert_eq!(names(&tmp), ["results.json"]);
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn leftovers_of_an_earlier_failed_commit_do_not_block_the_next() {
        let tmp = scratch("leftover");
        // a folder moved aside, a file moved aside, and the previous folder itself
        fs::create_dir_all(tmp.join(".old-plots/sub")).unwrap();
        fs::write(tmp.join(".old-index.html"), "x").unwrap();
        fs::create_dir_all(tmp.join("plots")).unwrap();
        fs::create_dir_all(tmp.join("index.html")).unwrap();
        let st = Staging::create(&tmp).unwrap();
        st.write("plots/x.svg", b"svg").unwrap();
        st.write("index.html", b"html").unwrap();
        st.commit().unwrap();
        assert_eq!(names(&tmp), ["index.html", "plots"]);
        assert_eq!(names(&tmp.join("plots")), ["x.svg"]);
        // a stale `.old-*` where nothing is moved aside goes too
        fs::create_dir_all(tmp.join(".old-plots")).unwrap();
        fs::remove_dir_all(tmp.join("plots")).unwrap();
        let st = Staging::create(&tmp).unwrap();
        st.write("plots/y.svg", b"svg").unwrap();
        st.commit().unwrap();
        assert_eq!(names(&tmp), ["index.html", "plots"]);
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn results_json_moves_last() {
        let order = commit_order(
            [
                "summary.md",
                "results.json",
                "accuracy.csv",
                "plots",
                "index.html",
            ]
            .map(std::ffi::OsString::from)
            .to_vec(),
        );
        assert_eq!(
            order,
            [
                "accuracy.csv",
                "index.html",
                "plots",
                "summary.md",
                "results.json"
            ]
        );
    }

    #[test]
    fn an_interrupt_during_a_commit_waits_for_it() {
        let gate = Gate::new();
        let mut met = Vec::new();
        gate.on_interrupt(|m| met.push(m));
        assert_eq!(met, [Moment::BeforeCommit]);
        assert!(!gate.deferred());
        let c = gate.enter();
        gate.on_interrupt(|m| met.push(m));
        assert_eq!(
            met.len(),
            1,
            "an interrupt during the commit must not stop it"
        );
        assert!(gate.deferred());
        c.complete();
        gate.on_interrupt(|m| met.push(m));
        assert_eq!(met, [Moment::BeforeCommit, Moment::AfterCommit]);
    }

    #[test]
    fn a_failed_commit_is_not_a_completed_one() {
        let gate = Gate::new();
        drop(gate.enter());
        let mut met = Vec::new();
        gate.on_interrupt(|m| met.push(m));
        assert_eq!(met, [Moment::BeforeCommit]);
    }
}
