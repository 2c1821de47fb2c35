//! The signals that ask a command to stop: SIGINT (Ctrl-C), SIGTERM (`kill`, `timeout`,
//! `docker stop`, a cancelled CI job) and SIGHUP (the terminal went away). All three get
//! the same handling: the handler installed by [`set_handler`] runs on a thread of its
//! own with the signal's number, so that it can defer the interrupt while files are
//! moved into place ([`crate::report::atomic::on_interrupt`]) and exit with
//! [`exit_code`] otherwise.

/// SIGINT, as Ctrl-C sends it.
pub const SIGINT: i32 = 2;
/// SIGHUP, sent when the terminal is closed.
pub const SIGHUP: i32 = 1;
/// SIGTERM, the polite request to stop (`kill`, `timeout`, `docker stop`).
pub const SIGTERM: i32 = 15;

/// The exit code of a command ended by `signal`: 128 + its number, as a shell reports a
/// process the signal killed (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
pub fn exit_code(signal: i32) -> i32 {
    128 + signal
}

/// The signal's name (`SIGTERM`), or its number for another one.
pub fn name(signal: i32) -> String {
    match signal {
        SIGINT => "SIGINT".into(),
        SIGTERM => "SIGTERM".into(),
        SIGHUP => "SIGHUP".into(),
        n => format!("signal {n}"),
    }
}

/// Calls `handler` with the signal's number, on a thread of its own, for each SIGINT,
/// SIGTERM or SIGHUP the process receives from now on (on other systems than Unix, for
/// Ctrl-C and the console closing, both given as [`SIGINT`]). Call it once.
pub fn set_handler(handler: impl FnMut(i32) + Send + 'static) -> std::io::Result<()> {
    imp::set_handler(handler)
}

#[cfg(unix)]
mod imp {
    use std::io::Error;
    use std::sync::atomic::{AtomicI32, Ordering};

    /// The writing end of the pipe that the signal handler writes the signal's number to.
    static WRITE_END: AtomicI32 = AtomicI32::new(-1);

    /// The signal handler proper: only async-signal-safe work, one byte into the pipe
    /// (non-blocking, so a full pipe drops a repeated signal rather than hanging).
    extern "C" fn on_signal(signal: libc::c_int) {
        let byte = signal as u8;
        let fd = WRITE_END.load(Ordering::Relaxed);
        // the interrupted code may be between a failed call and its reading of errno,
        // which a failed write (a full pipe) would overwrite
        let errno = errno_location();
        // SAFETY: write is async-signal-safe; the byte outlives the call; errno is the
        // calling thread's, read and restored on the same thread
        unsafe {
            let saved = errno.map(|e| *e);
            libc::write(fd, (&byte as *const u8).cast(), 1);
            if let (Some(e), Some(v)) = (errno, saved) {
                *e = v;
            }
        }
    }

    /// The calling thread's errno, where the platform names it.
    fn errno_location() -> Option<*mut libc::c_int> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        // SAFETY: returns the calling thread's errno; async-signal-safe
        return Some(unsafe { libc::__errno_location() });
        #[cfg(any(target_os = "macos", target_os = "ios"))]
        // SAFETY: as above
        return Some(unsafe { libc::__error() });
        #[allow(unreachable_code)]
        None
    }

    fn check(r: libc::c_int) -> std::io::Result<()> {
        if r < 0 {
            Err(Error::last_os_error())
        } else {
            Ok(())
        }
    }

    pub(super) fn set_handler(
        mut handler: impl FnMut(i32) + Send + 'static,
    ) -> std::io::Result<()> {
        let mut fds = [0; 2];
        // SAFETY: pipe fills the two descriptors, which are this module's from here on
        check(unsafe { libc::pipe(fds.as_mut_ptr()) })?;
        let [read_end, write_end] = fds;
        // SAFETY: fcntl on descriptors just created
        unsafe {
            check(libc::fcntl(read_end, libc::F_SETFD, libc::FD_CLOEXEC))?;
            check(libc::fcntl(write_end, libc::F_SETFD, libc::FD_CLOEXEC))?;
            check(libc::fcntl(write_end, libc::F_SETFL, libc::O_NONBLOCK))?;
        }
        WRITE_END.store(write_end, Ordering::Relaxed);
        std::thread::Builder::new()
            .name("derivbench-signals".into())
            .spawn(move || loop {
                let mut byte = 0u8;
                // SAFETY: reads one byte into a local
                let n = unsafe { libc::read(read_end, (&mut byte as *mut u8).cast(), 1) };
                if n == 1 {
                    handler(i32::from(byte));
                } else if n < 0 && Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
                {
                    continue;
                } else {
                    return;
                }
            })?;
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: a zeroed sigaction is valid; the handler is async-signal-safe
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_RESTART;
                check(libc::sigemptyset(&mut action.sa_mask))?;
                check(libc::sigaction(signal, &action, std::ptr::null_mut()))?;
            }
        }
        Ok(())
    }
}

#[cfg(not(unix))]
mod imp {
    pub(super) fn set_handler(
        mut handler: impl FnMut(i32) + Send + 'static,
    ) -> std::io::Result<()> {
        ctrlc::set_handler(move || handler(super::SIGINT)).map_err(std::io::Error::other)
    }
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn the_numbers_are_the_systems() {
        assert_eq!(super::SIGINT, libc::SIGINT);
        assert_eq!(super::SIGTERM, libc::SIGTERM);
        assert_eq!(super::SIGHUP, libc::SIGHUP);
        assert_eq!(super::exit_code(libc::SIGTERM), 143);
    }
}
