//! Standard input and output belong to the protocol. The process's descriptors 0 and 1 are
//! moved to private ones for the transport; then 1 is pointed at stderr and 0 at /dev/null, so
//! nothing a program does (display, Python's print, a C extension, a child process) can write
//! into the protocol stream or read from it.

use std::fs::File;
use std::io;
use std::os::fd::FromRawFd;

pub struct ProtocolStreams {
    pub input: tokio::fs::File,
    pub output: tokio::fs::File,
}

pub fn take_over() -> io::Result<ProtocolStreams> {
    let input = duplicate(libc::STDIN_FILENO)?;
    let output = duplicate(libc::STDOUT_FILENO)?;
    redirect(libc::STDERR_FILENO, libc::STDOUT_FILENO)?;
    let null = File::open("/dev/null")?;
    redirect(std::os::fd::AsRawFd::as_raw_fd(&null), libc::STDIN_FILENO)?;
    // SAFETY: `duplicate` returned fresh descriptors that nothing else owns.
    let (input, output) = unsafe { (File::from_raw_fd(input), File::from_raw_fd(output)) };
    Ok(ProtocolStreams { input: tokio::fs::File::from_std(input), output: tokio::fs::File::from_std(output) })
}

/// A new descriptor for `fd`, closed on exec so child processes do not inherit the protocol.
fn duplicate(fd: i32) -> io::Result<i32> {
    // SAFETY: F_DUPFD_CLOEXEC only creates a descriptor; failure is reported as -1.
    let copy = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
    if copy < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(copy)
}

fn redirect(from: i32, to: i32) -> io::Result<()> {
    // SAFETY: dup2 replaces descriptor `to` with a copy of `from`; both are open.
    if unsafe { libc::dup2(from, to) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
