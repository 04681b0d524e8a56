//! The instructor's side: listen, admit monitors that know the code, send them the session.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};
use ecmo_unload::session::BedsideFrame;
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::http::StatusCode;
use tungstenite::{Message, Utf8Bytes, WebSocket};

use crate::LabError;
use crate::wire::{self, ToBedside};

/// Frames are batched and sent this often (wall time): ten updates a second is smooth for a
/// sweep and light on a lab network.
const SEND_EVERY: Duration = Duration::from_millis(100);
/// A new monitor is sent this much of the recent waveforms, so its sweep starts full.
const CATCH_UP_S: f64 = 10.0;
/// Messages queued for one monitor before a slow one loses frames (never slowing the others).
const QUEUE: usize = 32;
/// How long a connecting client has to complete its upgrade request.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// A monitor that takes longer than this to accept a message is dropped (it reconnects).
const WRITE_TIMEOUT: Duration = Duration::from_secs(3);
/// How often a connection's thread looks at its socket and its queue.
const POLL: Duration = Duration::from_millis(20);
/// How often the listener looks for new connections and for the session's end.
const ACCEPT_POLL: Duration = Duration::from_millis(50);
/// More monitors than a lab has beds are refused (503), so a misbehaving client cannot exhaust
/// the instructor's machine.
pub const MAX_TRAINEES: usize = 32;

/// A connected monitor, as the instructor's screen lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Trainee {
    /// The name the trainee gave (`monitor --name`), or the address when none.
    pub name: String,
    pub peer: SocketAddr,
    pub connected_at: SystemTime,
}

struct Connection {
    id: u64,
    trainee: Trainee,
    queue: Sender<Utf8Bytes>,
}

struct Shared {
    code: String,
    bed: String,
    connections: Mutex<Vec<Connection>>,
    /// The last [`CATCH_UP_S`] of the session, for monitors that connect now.
    recent: Mutex<BedsideFrame>,
    stop: AtomicBool,
    next_id: AtomicU64,
    notices: Sender<String>,
}

impl Shared {
    fn connections(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A connection thread that panicked holds no invariant of the list: go on with it.
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// A session served to bedside monitors. Dropping it closes every connection.
pub struct Instructor {
    addr: SocketAddr,
    shared: Arc<Shared>,
    pending: Option<BedsideFrame>,
    last_sent: Instant,
    notices: Receiver<String>,
    accept: Option<JoinHandle<()>>,
}

impl Instructor {
    /// Listen on `addr` (`host:port`; port 0 takes a free one) for monitors giving `code`; they
    /// are told they watch `bed`.
    ///
    /// # Errors
    /// [`LabError::BadInput`] for a code no header can carry, [`LabError::Listen`] when the
    /// address cannot be taken (in use, not this machine's, malformed).
    pub fn listen(addr: &str, code: &str, bed: &str) -> Result<Self, LabError> {
        wire::check_code(code)?;
        let listen_err = |reason: String| LabError::Listen {
            addr: addr.to_string(),
            reason,
        };
        let listener = TcpListener::bind(addr).map_err(|e| listen_err(e.to_string()))?;
        let local = listener
            .local_addr()
            .map_err(|e| listen_err(e.to_string()))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| listen_err(e.to_string()))?;
        let (notice_tx, notice_rx) = unbounded();
        let shared = Arc::new(Shared {
            code: code.to_string(),
            bed: bed.to_string(),
            connections: Mutex::new(Vec::new()),
            recent: Mutex::new(BedsideFrame::default()),
            stop: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
            notices: notice_tx,
        });
        let for_thread = shared.clone();
        let accept = std::thread::Builder::new()
            .name("lab-listener".into())
            .spawn(move || accept_loop(&listener, &for_thread))
            .map_err(|e| listen_err(e.to_string()))?;
        Ok(Self {
            addr: local,
            shared,
            pending: None,
            last_sent: Instant::now(),
            notices: notice_rx,
            accept: Some(accept),
        })
    }

    /// The address monitors connect to (the port chosen when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn code(&self) -> &str {
        &self.shared.code
    }

    /// The monitors connected now, in the order they came.
    pub fn trainees(&self) -> Vec<Trainee> {
        self.shared
            .connections()
            .iter()
            .map(|c| c.trainee.clone())
            .collect()
    }

    /// What happened since the last call: monitors admitted, refused, gone (one line each).
    pub fn notices(&self) -> Vec<String> {
        self.notices.try_iter().collect()
    }

    /// Hand over the next stretch of the session: frames are batched and sent every
    /// [`SEND_EVERY`] to every monitor.
    pub fn offer(&mut self, frame: BedsideFrame) {
        match &mut self.pending {
            Some(p) => p.append(frame),
            None => self.pending = Some(frame),
        }
        if self.last_sent.elapsed() < SEND_EVERY {
            return;
        }
        self.last_sent = Instant::now();
        let Some(frame) = self.pending.take() else {
            return;
        };
        {
            let mut recent = self
                .shared
                .recent
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            recent.append(frame.clone());
            let keep_from = recent.t_s - CATCH_UP_S;
            // A restarted session (time going back) starts its history afresh.
            recent
                .samples
                .retain(|s| s.t_s >= keep_from && s.t_s <= frame.t_s);
        }
        let connections = self.shared.connections();
        if connections.is_empty() {
            return;
        }
        let text = match serde_json::to_string(&ToBedside::Frame(Box::new(frame))) {
            Ok(t) => Utf8Bytes::from(t),
            Err(_) => return,
        };
        for c in connections.iter() {
            // A full queue is a slow monitor: it loses this frame, the others do not wait.
            let _ = c.queue.try_send(text.clone());
        }
    }
}

impl Drop for Instructor {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Dropping the queues ends each connection's thread.
        self.shared.connections().clear();
        if let Some(j) = self.accept.take() {
            let _ = j.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                let for_thread = shared.clone();
                let spawned = std::thread::Builder::new()
                    .name("lab-monitor".into())
                    .spawn(move || serve_one(stream, peer, &for_thread));
                if let Err(e) = spawned {
                    let _ = shared
                        .notices
                        .send(format!("refused a monitor from {peer}: {e}"));
                }
            }
            Err(_) => std::thread::sleep(ACCEPT_POLL),
        }
    }
}

/// What the upgrade request said, checked against the session.
enum Admission {
    Admitted(String),
    Refused(&'static str),
}

fn serve_one(stream: TcpStream, peer: SocketAddr, shared: &Arc<Shared>) {
    // The accepted socket inherits non-blocking from the listener on some systems.
    if stream.set_nonblocking(false).is_err()
        || stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT)).is_err()
        || stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    let _ = stream.set_nodelay(true);
    let mut admission = Admission::Refused("no upgrade request");
    let full = shared.connections().len() >= MAX_TRAINEES;
    // The callback's error type is tungstenite's (an HTTP response): not ours to shrink.
    #[allow(clippy::result_large_err)]
    let check = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        let refuse = |status: StatusCode, reason: &'static str| {
            let mut r = ErrorResponse::new(Some(reason.to_string()));
            *r.status_mut() = status;
            r
        };
        if request.uri().path() != wire::PATH {
            admission = Admission::Refused("not the bedside path");
            return Err(refuse(
                StatusCode::NOT_FOUND,
                "not an ecmo-unload bedside path",
            ));
        }
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        if header(wire::CODE_HEADER).as_deref() != Some(shared.code.as_str()) {
            admission = Admission::Refused(wire::WRONG_CODE);
            return Err(refuse(StatusCode::FORBIDDEN, wire::WRONG_CODE));
        }
        if full {
            admission = Admission::Refused("the session is full");
            return Err(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the session is full",
            ));
        }
        let name: String = header(wire::TRAINEE_HEADER)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(wire::MAX_NAME_BYTES)
            .collect();
        admission = Admission::Admitted(name);
        Ok(response)
    };
    // `.ok()` ends the callback's borrow of `admission` (a failed handshake holds it).
    let ws = tungstenite::accept_hdr(stream, check).ok();
    let (mut ws, name) = match (ws, admission) {
        (Some(ws), Admission::Admitted(name)) => (ws, name),
        (_, Admission::Refused(reason)) => {
            let _ = shared
                .notices
                .send(format!("refused a monitor from {peer}: {reason}"));
            return;
        }
        (None, Admission::Admitted(_)) => return,
    };
    let name = if name.trim().is_empty() {
        peer.to_string()
    } else {
        name
    };
    let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    let (queue, messages) = bounded(QUEUE);
    let trainee = Trainee {
        name: name.clone(),
        peer,
        connected_at: SystemTime::now(),
    };
    let count = {
        let mut list = shared.connections();
        list.push(Connection { id, trainee, queue });
        list.len()
    };
    let _ = shared.notices.send(format!(
        "trainee '{name}' connected from {peer} ({count} connected)"
    ));
    let reason = talk(&mut ws, shared, &messages);
    let count = {
        let mut list = shared.connections();
        list.retain(|c| c.id != id);
        list.len()
    };
    let _ = shared.notices.send(format!(
        "trainee '{name}' disconnected ({reason}; {count} connected)"
    ));
}

/// The admitted monitor's connection: the welcome, the catch-up, then each batch as it comes.
/// Returns why it ended.
fn talk(
    ws: &mut WebSocket<TcpStream>,
    shared: &Shared,
    messages: &Receiver<Utf8Bytes>,
) -> &'static str {
    let welcome = ToBedside::Welcome {
        bed: shared.bed.clone(),
    };
    let catch_up = ToBedside::Frame(Box::new(
        shared
            .recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone(),
    ));
    for m in [welcome, catch_up] {
        let Ok(text) = serde_json::to_string(&m) else {
            return "could not encode";
        };
        if ws.send(Message::text(text)).is_err() {
            return "connection lost";
        }
    }
    if ws.get_mut().set_read_timeout(Some(POLL)).is_err() {
        return "connection lost";
    }
    loop {
        match messages.recv_timeout(POLL) {
            Ok(text) => {
                if ws.send(Message::Text(text)).is_err() {
                    return "connection lost";
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                let _ = ws.close(None);
                let _ = ws.flush();
                return "the session ended";
            }
        }
        match ws.read() {
            Ok(Message::Close(_)) => {
                let _ = ws.flush();
                return "closed by the monitor";
            }
            // A monitor only listens: whatever else it sends is ignored (only the instructor
            // changes the patient).
            Ok(_) => {}
            Err(e) if crate::wire::timed_out(&e) => {}
            Err(_) => return "connection lost",
        }
    }
}
