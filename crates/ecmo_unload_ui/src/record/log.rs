//! The session's record: an event log of every user change and alarm with wall-clock and
//! simulated time, and a recording that writes waveforms, beats and the log to CSV as they come
//! (flushed every frame, so a crash loses less than a second).

use crate::sim::WaveSample;
use chrono::{DateTime, Local};
use ecmo_unload::monitor::Beat;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Source of a scenario event hidden from the trainee.
pub const HIDDEN_SOURCE: &str = "scenario (hidden)";
/// Entries kept on screen and in memory (a ring: memory flat over a long session).
pub const LOG_CAPACITY: usize = 10_000;

#[derive(Clone, Debug)]
pub struct Entry {
    pub wall: DateTime<Local>,
    pub sim_s: f64,
    /// Who or what: `user`, `alarm`, `system`.
    pub source: &'static str,
    pub text: String,
}

#[derive(Default)]
pub struct EventLog {
    entries: std::collections::VecDeque<Entry>,
}

impl EventLog {
    pub fn push(&mut self, sim_s: f64, source: &'static str, text: String) -> &Entry {
        if self.entries.len() == LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry {
            wall: Local::now(),
            sim_s,
            source,
            text,
        });
        self.entries.back().expect("just pushed")
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Newest first, as a table. `trainee`: hidden scenario events show without their name.
    /// Only the visible rows are laid out: a full log costs what a short one does.
    pub fn log_ui(&self, ui: &mut egui::Ui, trainee: bool) {
        use crate::table;
        table::header(
            ui,
            &LOG_COLUMN_WIDTHS,
            &["wall clock", "sim time", "source", "event"],
        );
        let h = table::row_height(ui);
        let n = self.entries.len();
        table::rows(ui, "event_log", f32::INFINITY, n, |ui, k| {
            let e = &self.entries[n - 1 - k];
            let text = if trainee && e.source == HIDDEN_SOURCE {
                "(a scenario event)"
            } else {
                e.text.as_str()
            };
            table::row(
                ui,
                &LOG_COLUMN_WIDTHS,
                h,
                [
                    e.wall.format("%H:%M:%S").to_string().into(),
                    sim_clock(e.sim_s).into(),
                    e.source.into(),
                    text.into(),
                ],
            );
        });
    }
}

/// Simulated time as the log shows it: seconds to a tenth under a minute, then a clock
/// ("12:05.3", "1:02:03"), so times read right after an hour's jump ahead.
pub fn sim_clock(t_s: f64) -> String {
    let t = t_s.max(0.0);
    if t < 60.0 {
        format!("{t:.1} s")
    } else if t < 3600.0 {
        format!("{}:{:04.1}", (t / 60.0) as u64, t % 60.0)
    } else {
        crate::bedside::clock(t)
    }
}

/// Widths of the log's first columns (points); the event text takes the rest.
const LOG_COLUMN_WIDTHS: [f32; 3] = [70.0, 70.0, 130.0];

/// A recording in progress: three CSV files in one folder.
pub struct Recorder {
    pub dir: PathBuf,
    waves: csv::Writer<BufWriter<StopOnError<File>>>,
    beats: csv::Writer<BufWriter<StopOnError<File>>>,
    events: csv::Writer<BufWriter<StopOnError<File>>>,
    beat_header_written: bool,
}

/// A file that takes no more writes after its first failed one (a full disk): what reached
/// it stays as it was, at most one row torn at its end (Replay reads up to the last whole
/// row), never followed by rows written once space returns (rows out of order, or the
/// buffer's backlog as one line of thousands of fields).
pub struct StopOnError<W> {
    inner: W,
    failed: bool,
}

impl<W: Write> Write for StopOnError<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.checked(|w| w.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.checked(Write::flush)
    }
}

impl<W: Write> StopOnError<W> {
    fn checked<T>(&mut self, op: impl FnOnce(&mut W) -> std::io::Result<T>) -> std::io::Result<T> {
        if self.failed {
            return Err(std::io::Error::other(
                "the recording stopped at an earlier write error",
            ));
        }
        op(&mut self.inner).inspect_err(|_| self.failed = true)
    }
}

type IoResult<T> = Result<T, Box<dyn std::error::Error>>;

impl Recorder {
    /// Start a recording in a new folder `dir` (created).
    pub fn start(dir: &Path) -> IoResult<Self> {
        std::fs::create_dir_all(dir)?;
        let open = |name: &str| -> IoResult<csv::Writer<BufWriter<StopOnError<File>>>> {
            let file = File::create(dir.join(name))?;
            Ok(csv::Writer::from_writer(BufWriter::new(StopOnError {
                inner: file,
                failed: false,
            })))
        };
        // The header is WaveSample's serialised names: the session's recording schema.
        let waves = open("waves.csv")?;
        let mut events = open("events.csv")?;
        events.write_record(["wall_clock", "sim_s", "source", "event"])?;
        Ok(Self {
            dir: dir.to_path_buf(),
            waves,
            beats: open("beats.csv")?,
            events,
            beat_header_written: false,
        })
    }

    pub fn waves(&mut self, samples: &[WaveSample]) -> IoResult<()> {
        for s in samples {
            self.waves.serialize(s)?;
        }
        Ok(())
    }

    /// Every beat's indicators, named as in the run summary.
    pub fn beat(&mut self, b: &Beat) -> IoResult<()> {
        let value = serde_json::to_value(b)?;
        let Some(map) = value.as_object() else {
            return Ok(());
        };
        if !self.beat_header_written {
            let mut header = vec!["t_start_s".to_string()];
            header.extend(map.keys().cloned());
            self.beats.write_record(&header)?;
            self.beat_header_written = true;
        }
        let mut row = vec![b.t_start_s.to_string()];
        row.extend(map.values().map(|v| v.to_string()));
        self.beats.write_record(&row)?;
        Ok(())
    }

    pub fn event(&mut self, e: &Entry) -> IoResult<()> {
        self.events.write_record([
            e.wall.to_rfc3339(),
            e.sim_s.to_string(),
            e.source.to_string(),
            e.text.clone(),
        ])?;
        Ok(())
    }

    /// Push what was written to the disk (called every frame).
    pub fn flush(&mut self) -> IoResult<()> {
        self.waves.flush()?;
        self.beats.flush()?;
        self.events.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A disk that is full for one write, then has space again.
    struct FullOnce {
        written: Vec<u8>,
        calls: usize,
    }

    impl Write for FullOnce {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls == 2 {
                return Err(std::io::Error::other("No space left on device"));
            }
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn after_a_failed_write_nothing_more_reaches_the_file() {
        let mut w = StopOnError {
            inner: FullOnce {
                written: Vec::new(),
                calls: 0,
            },
            failed: false,
        };
        w.write_all(b"t_s,p\n1,2\n").unwrap();
        assert!(w.write_all(b"3,4\n").is_err(), "the disk is full");
        // Space is back, but the recording has stopped: no row out of order, no backlog.
        assert!(w.write_all(b"5,6\n").is_err());
        assert!(w.flush().is_err());
        assert_eq!(w.inner.written, b"t_s,p\n1,2\n");
    }
}
