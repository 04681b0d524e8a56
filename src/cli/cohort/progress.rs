//! A cohort's progress on stderr.

use super::*;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Progress on stderr: a bar in a terminal; in a log (not a terminal), a plain line at most
/// every [`PROGRESS_LINE_S`] and at the end (no carriage returns).
pub(super) struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: u64,
    failed: usize,
    started: std::time::Instant,
    resumed: u64,
    last_line: Option<std::time::Instant>,
}

/// Seconds between two progress lines in a log.
pub(super) const PROGRESS_LINE_S: u64 = 30;
/// The cohort's progress bar: patients done of the shard's, and the time left.
pub(super) const PROGRESS_TEMPLATE: &str = "cohort [{bar:30}] {pos}/{len} patients, {eta} left";

impl Progress {
    pub(super) fn new(total: u64, done: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new(total).with_style(
                ProgressStyle::with_template(PROGRESS_TEMPLATE)
                    .expect("the progress template is valid")
                    .progress_chars("#>-"),
            );
            b.set_position(done);
            b
        });
        if done > 0 {
            say(&format!(
                "cohort: resuming after {done} of {total} patients on disk\n"
            ));
        }
        Progress {
            bar,
            total,
            done,
            failed: 0,
            started: std::time::Instant::now(),
            resumed: done,
            last_line: None,
        }
    }

    pub(super) fn advance(&mut self, patients: u64, failed: usize) {
        self.done += patients;
        self.failed += failed;
        if let Some(b) = &self.bar {
            b.set_position(self.done);
            return;
        }
        let due = self
            .last_line
            .is_none_or(|t| t.elapsed().as_secs() >= PROGRESS_LINE_S);
        if due && self.done < self.total {
            self.line();
        }
    }

    fn line(&mut self) {
        self.last_line = Some(std::time::Instant::now());
        let run = self.done - self.resumed;
        let elapsed = self.started.elapsed().as_secs_f64();
        let left_s = if run > 0 {
            elapsed / run as f64 * (self.total - self.done) as f64
        } else {
            f64::NAN
        };
        say(&format!(
            "cohort: {}/{} patients ({:.0} %), {} failed, {}\n",
            self.done,
            self.total,
            100.0 * self.done as f64 / self.total.max(1) as f64,
            self.failed,
            if self.done >= self.total {
                "done".to_string()
            } else if left_s.is_finite() {
                format!("{left_s:.0} s left")
            } else {
                "time left not known yet".into()
            }
        ));
    }

    pub(super) fn finish(&mut self) {
        match &self.bar {
            Some(b) => {
                b.finish();
                // The finished bar stays; what follows starts on a line of its own.
                say("\n");
                if self.failed > 0 {
                    say(&format!(
                        "cohort: {} patients failed (rows with their error)\n",
                        self.failed
                    ));
                }
            }
            None => self.line(),
        }
    }
}
