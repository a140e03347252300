//! A `rapport` process started by a test: its output lines arrive on a channel so every wait
//! is bounded, and it is killed when the test ends, whatever happens.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// A process whose output lines arrive on a channel; killed on drop.
pub struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    pub fn start(c: Command) -> Self {
        Self::start_with_stderr(c, Stdio::null())
    }

    /// Like [`Running::start`], its standard error going to `stderr` (a log file).
    pub fn start_with_stderr(mut c: Command, stderr: impl Into<Stdio>) -> Self {
        let mut child = c.stdout(Stdio::piped()).stderr(stderr).spawn().unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// The first JSON line (within `limit`) for which `wanted` holds.
    pub fn wait_for(&self, limit: Duration, wanted: impl Fn(&Value) -> bool) -> Option<Value> {
        let end = Instant::now() + limit;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            let line = self.lines.recv_timeout(left).ok()?;
            if let Ok(v) = serde_json::from_str::<Value>(&line)
                && wanted(&v)
            {
                return Some(v);
            }
        }
        None
    }

    /// The next line it writes, if one comes within `limit`.
    pub fn next_line(&self, limit: Duration) -> Option<String> {
        self.lines.recv_timeout(limit).ok()
    }

    /// How it ended, if it has (without waiting).
    pub fn ended(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// SIGKILL (std's `Child::kill` on Unix), then every line the process wrote before dying:
    /// lines still in the pipe were printed before it died, so they count too. Panics if its
    /// output does not close within `limit`.
    pub fn kill_and_collect(&mut self, limit: Duration) -> Vec<String> {
        self.kill_with_status(limit).0
    }

    /// Like [`Running::kill_and_collect`], with how it ended: killed, or exited by itself
    /// before the signal came.
    pub fn kill_with_status(&mut self, limit: Duration) -> (Vec<String>, ExitStatus) {
        let _ = self.child.kill();
        let status = self.child.wait().unwrap();
        let mut rest = Vec::new();
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => rest.push(l),
                Err(mpsc::RecvTimeoutError::Disconnected) => return (rest, status),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("the killed process's output never closed")
                }
            }
        }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn exit_code(&mut self, limit: Duration) -> Option<i32> {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
