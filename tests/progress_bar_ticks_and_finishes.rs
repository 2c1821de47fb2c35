//! Through the binary: `run`'s progress bar on a terminal keeps being redrawn (the
//! spinner and the elapsed time move) while one scenario takes long, says which
//! scenario is being measured and which part of its measurement is under way (the
//! reference, the AD methods, the cost, ...), and ends full once the reports are in place; with
//! standard error not a terminal, nothing but the documented line is written there.
//!
//! The terminal is a pseudo-terminal; the long scenario is held by the debug builds'
//! test hook `DERIVBENCH_FAILPOINT=hold:POINT:SCENARIO` (`measure`, or a part) until the test has seen the bar
//! redrawn, then released (`derivbench::run::hold_point`): no timing assumption.

mod common;

use common::small_run;
use std::io::Read;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A pseudo-terminal of 100 columns: its controlling end, and the path of the other.
#[cfg(unix)]
fn pseudo_terminal() -> (std::fs::File, PathBuf) {
    use std::ffi::CStr;
    use std::os::fd::FromRawFd;
    // SAFETY: plain libc calls on the descriptor they return, checked
    unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(fd >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(fd), 0, "grantpt");
        assert_eq!(libc::unlockpt(fd), 0, "unlockpt");
        let size = libc::winsize {
            ws_row: 40,
            ws_col: 100,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        assert_eq!(libc::ioctl(fd, libc::TIOCSWINSZ, &size), 0, "TIOCSWINSZ");
        let name = libc::ptsname(fd);
        assert!(!name.is_null(), "ptsname");
        let path = PathBuf::from(CStr::from_ptr(name).to_str().unwrap());
        (std::fs::File::from_raw_fd(fd), path)
    }
}

#[cfg(unix)]
#[test]
fn the_bar_is_redrawn_while_a_scenario_takes_long_and_ends_full() {
    held_run("measure", "measuring lecture-example", "progress-terminal");
}

#[cfg(unix)]
#[test]
fn the_bar_names_the_part_of_the_measurement_under_way() {
    // the parts that run with `small_run`'s methods (forward and reverse mode)
    for part in ["reference", "other methods", "cost"] {
        held_run(
            part,
            &format!("measuring lecture-example ({part})"),
            &format!("progress-part-{}", part.replace(' ', "-")),
        );
    }
}

#[cfg(unix)]
#[test]
fn the_bar_says_when_every_scenario_is_measured() {
    // held where the lecture example's timing starts (nothing is timed with --no-wall)
    held_run("timing", "  measured", "progress-measured");
}

/// Runs the lecture example on a pseudo-terminal, held at `point` until the bar has
/// been redrawn five times with the text `held`, then checks that it ends full.
#[cfg(unix)]
fn held_run(point: &str, held: &str, dir: &str) {
    if !cfg!(debug_assertions) {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(dir);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out");
    let release = dir.join("release");
    let (mut terminal, path) = pseudo_terminal();
    let mut child = {
        let stderr = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        small_run("lecture-example", &out)
            .arg("--no-wall")
            .env("TERM", "xterm")
            .env(
                "DERIVBENCH_FAILPOINT",
                format!("hold:{point}:lecture-example"),
            )
            .env("DERIVBENCH_RELEASE", &release)
            .stdout(std::process::Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap()
        // the command, and with it this process's handle on the terminal, goes here, so
        // that reading ends once the child has exited
    };
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // an error (EIO) is how a pseudo-terminal says that its other end has closed
        while let Ok(n) = terminal.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let redraws = |seen: &[u8]| String::from_utf8_lossy(seen).matches(held).count();
    // a deadline only for the failure: with a steady tick the bar is redrawn five times
    // a second, without one it never is while the scenario is held
    let deadline = Instant::now() + Duration::from_secs(120);
    while redraws(&seen) < 5 {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(bytes) => seen.extend(bytes),
            Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the bar was not redrawn while {held} was held: {:?}",
                    String::from_utf8_lossy(&seen)
                );
            }
        }
    }
    std::fs::write(&release, "").unwrap();
    let status = child.wait().unwrap();
    while let Ok(bytes) = rx.recv_timeout(Duration::from_secs(60)) {
        seen.extend(bytes);
    }
    reader.join().unwrap();
    let text = String::from_utf8_lossy(&seen);
    assert!(status.success(), "{text}");
    // one scenario: measured, timed, then the reports and the figures
    assert!(
        text.contains("4/4 steps"),
        "the bar did not end full: {text:?}"
    );
    let done = text.rfind("4/4 steps").unwrap();
    let last = text
        .rfind("derivbench: 1 scenario(s) measured; reports in")
        .expect("the final line");
    assert!(done < last, "the bar ends before the final line: {text:?}");
    // on a line of its own, not after the bar's
    assert!(
        text[..last].ends_with('\n'),
        "the final line starts a line: {text:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_a_terminal_standard_error_has_only_the_final_line() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("progress-no-terminal");
    let _ = std::fs::remove_dir_all(&out);
    let o = small_run("lecture-example", &out)
        .arg("--no-wall")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert_eq!(
        err,
        format!(
            "derivbench: 1 scenario(s) measured; reports in {}\n",
            out.display()
        )
    );
    std::fs::remove_dir_all(&out).unwrap();
}
