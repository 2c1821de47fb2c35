//! The signal handler leaves errno as it found it, also where its write into the pipe
//! fails: the interrupted code may be between a failed call and its reading of errno.
//! The handler's thread is held in its first call, so the pipe fills; every later signal
//! then meets a full pipe (EAGAIN), and errno must still read what it read before the
//! signal. The count of signals handled once the thread is let go shows that the pipe
//! was full and signals were dropped, so the test reached the failing write.
#![cfg(target_os = "linux")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// More signals than a pipe holds bytes (64 KiB by default on Linux).
const SIGNALS: usize = 70_000;

/// A value no call in the handler sets errno to.
const MARK: libc::c_int = 4242;

fn errno() -> libc::c_int {
    // SAFETY: the calling thread's errno
    unsafe { *libc::__errno_location() }
}

fn set_errno(v: libc::c_int) {
    // SAFETY: as above
    unsafe { *libc::__errno_location() = v }
}

#[test]
fn the_signal_handler_keeps_errno() {
    let handled = Arc::new(AtomicUsize::new(0));
    let (release, held) = mpsc::channel::<()>();
    let held = Mutex::new(held);
    let count = Arc::clone(&handled);
    derivbench::interrupt::set_handler(move |signal| {
        assert_eq!(signal, derivbench::interrupt::SIGTERM);
        if count.fetch_add(1, Ordering::SeqCst) == 0 {
            // the first signal holds the thread until the test lets it go
            let _ = held.lock().unwrap().recv();
        }
    })
    .unwrap();
    let mut changed = 0;
    for _ in 0..SIGNALS {
        set_errno(MARK);
        // SAFETY: raise runs the handler on this thread before it returns
        let r = unsafe { libc::raise(libc::SIGTERM) };
        assert_eq!(r, 0);
        if errno() != MARK {
            changed += 1;
        }
    }
    assert_eq!(
        changed, 0,
        "errno changed across {changed} of {SIGNALS} signals"
    );
    drop(release);
    // the thread drains the pipe: wait until the count stops moving
    let mut last = usize::MAX;
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(50));
        let now = handled.load(Ordering::SeqCst);
        if now == last {
            break;
        }
        last = now;
    }
    let n = handled.load(Ordering::SeqCst);
    assert!(n > 0, "no signal was handled");
    assert!(
        n < SIGNALS,
        "all {SIGNALS} signals were handled: the pipe never filled, so no write failed"
    );
}
