//! The loopback listening socket of the test servers.

use std::net::TcpListener;
use std::os::fd::AsRawFd;

/// A listener on a free loopback port that lets hundreds of clients connect at once: std listens
/// with a backlog of 128, and a connection beyond it waits for a SYN retransmission (a second or
/// more), which a client with a short request timeout takes for a failed request the server
/// never saw. Listening again changes only the backlog (the kernel caps it at
/// `net.core.somaxconn`).
pub fn loopback_listener() -> TcpListener {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    // SAFETY: the descriptor is the listener's own and stays open while it is borrowed.
    let status = unsafe { libc::listen(listener.as_raw_fd(), 4096) };
    assert_eq!(status, 0, "listen: {}", std::io::Error::last_os_error());
    listener
}
