//! What the tests that run the binary share: a clean `mahasil` command and a free port.

use std::net::TcpListener;
use std::process::Command;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_mahasil");

/// A `mahasil` command with no `MAHASIL_*` setting inherited from the environment.
pub fn command() -> Command {
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("MAHASIL_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
