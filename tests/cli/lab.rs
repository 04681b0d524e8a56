//! `serve` and `monitor` as a lab runs them: two processes over loopback.

use super::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// A `serve` process, its standard input, and its output lines as they come.
struct Served {
    child: Child,
    lines: Receiver<String>,
    addr: String,
}

impl Served {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecmo-unload"))
            .args(["serve", "--listen", "127.0.0.1:0", "--code", "4321"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx2.send(format!("stderr: {l}"));
            }
        });
        let mut s = Served {
            child,
            lines,
            addr: String::new(),
        };
        let first = s.wait_line("--connect ");
        s.addr = first
            .split("--connect ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap()
            .to_string();
        s
    }

    /// The first output line containing `needle` (panics after 30 s).
    fn wait_line(&mut self, needle: &str) -> String {
        let end = Instant::now() + Duration::from_secs(30);
        loop {
            let left = end.saturating_duration_since(Instant::now());
            let l = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("serve never said '{needle}'"));
            if l.contains(needle) {
                return l;
            }
        }
    }

    fn say(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// `monitor --print-json` against this session.
    fn monitor(&self, code: &str, after_s: &str) -> Output {
        cli(&[
            "monitor",
            "--connect",
            &self.addr,
            "--code",
            code,
            "--name",
            "trainee",
            "--print-json",
            "--after-s",
            after_s,
        ])
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json(o: &Output) -> serde_json::Map<String, serde_json::Value> {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    match serde_json::from_str(&stdout(o)).unwrap() {
        serde_json::Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn a_monitor_prints_the_keys_of_run_json_and_a_wrong_code_exits_2() {
    let mut s = Served::start(&["--speed", "20"]);
    let numbers = json(&s.monitor("4321", "3"));
    let run = cli(&[
        "run",
        "--preset",
        "cardiogenic-shock",
        "--seconds",
        "20",
        "--json",
    ]);
    let expected: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&stdout(&run)).unwrap();
    let keys =
        |m: &serde_json::Map<String, serde_json::Value>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&numbers), keys(&expected));
    assert!(numbers["t_s"].as_f64().unwrap() > 10.0);
    s.wait_line("'trainee' connected");

    let o = s.monitor("1234", "3");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("wrong session code") && err.contains("'1234'"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(stdout(&o).is_empty());
    s.wait_line("refused a monitor");
}

#[test]
fn the_instructor_changes_the_patient_and_the_monitor_shows_it() {
    let mut s = Served::start(&["--speed", "20"]);
    s.say("set ecmo.enabled=true");
    s.wait_line("ecmo.enabled=true");
    // A bad line is one error on stderr; the session goes on.
    s.say("set no.such.key=1");
    let err = s.wait_line("stderr:");
    assert!(
        err.contains("standard input line 2") && err.contains("no.such.key"),
        "{err}"
    );
    s.say("frobnicate");
    s.wait_line("unknown command 'frobnicate'");
    s.say("quit now");
    s.wait_line("quit takes nothing after it");
    s.say("fire");
    s.wait_line("no scenario is playing");
    s.say("fluid 500:10");
    s.wait_line("fluid 500:10");
    s.say("speed 0");
    s.wait_line("speed 0: expected 0.1 to 60");
    let numbers = json(&s.monitor("4321", "4"));
    let flow = numbers["ecmo_flow_l_min"].as_f64().unwrap();
    assert!(flow > 1.0, "ECMO flow {flow}");
    s.say("who");
    s.wait_line("connected");
    s.say("quit");
    let end = Instant::now() + Duration::from_secs(10);
    while s.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < end, "quit did not end the session");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_hidden_event_fires_for_the_instructor_only() {
    let mut s = Served::start(&["--scenario", "iabp-late-deflation", "--speed", "40"]);
    let fired = s.wait_line("fired");
    assert!(fired.contains("hidden from the trainee"), "{fired}");
    let numbers = json(&s.monitor("4321", "2"));
    assert!(!numbers.contains_key("events_fired"));
    let text = serde_json::to_string(&numbers).unwrap();
    assert!(!text.contains("deflation moved"), "{text}");
}

#[test]
fn serve_and_monitor_refuse_bad_input_with_one_line() {
    fails_cleanly(&["serve", "--speed", "0"], &["--speed 0"]);
    fails_cleanly(&["serve", "--speed", "NaN"], &["--speed"]);
    fails_cleanly(
        &["serve", "--listen", "nowhere", "--code", "1"],
        &["cannot listen on nowhere"],
    );
    fails_cleanly(
        &["serve", "--code", "two words"],
        &["--code", "without spaces"],
    );
    fails_cleanly(&["serve", "--seconds", "-5"], &["--seconds -5"]);
    fails_cleanly(&["serve", "--bed", ""], &["--bed", "needs a name"]);
    fails_cleanly(
        &[
            "monitor",
            "--connect",
            "127.0.0.1",
            "--code",
            "x",
            "--print-json",
        ],
        &["--connect '127.0.0.1'", "HOST:PORT"],
    );
    fails_cleanly(
        &[
            "monitor",
            "--connect",
            "127.0.0.1:9",
            "--code",
            "",
            "--print-json",
        ],
        &["--code", "empty"],
    );
    fails_cleanly(
        &[
            "monitor",
            "--connect",
            "127.0.0.1:9",
            "--code",
            "x",
            "--print-json",
            "--after-s",
            "0",
        ],
        &["--after-s 0"],
    );
    fails_cleanly(
        &[
            "monitor",
            "--connect",
            "127.0.0.1:9",
            "--code",
            "x",
            "--print-json",
            "--after-s",
            "0.5",
        ],
        &["no numbers from 127.0.0.1:9"],
    );
}
