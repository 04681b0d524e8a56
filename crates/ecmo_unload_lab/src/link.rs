//! The trainee's side: connect with the session code, receive frames, reconnect when dropped.

use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};
use ecmo_unload::session::BedsideFrame;
use tungstenite::client::IntoClientRequest;
use tungstenite::http::{HeaderValue, StatusCode};
use tungstenite::{HandshakeError, Message, WebSocket};

use crate::LabError;
use crate::wire::{self, ToBedside};

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Pause between attempts after a refused or dropped connection.
const RETRY: Duration = Duration::from_millis(500);
/// How often the receiving thread looks up from its socket (to stop when asked).
const POLL: Duration = Duration::from_millis(200);

/// What the link tells the monitor.
#[derive(Debug)]
pub enum LinkEvent {
    /// Admitted; the monitor shows `bed`.
    Connected {
        bed: String,
    },
    Frame(Box<BedsideFrame>),
    /// The connection dropped or could not be made; the link tries again.
    Disconnected(String),
    /// The session refused the code: the link has stopped.
    Refused(LabError),
}

/// Strip a `ws://` prefix and a trailing path from what the user typed.
fn host_port(addr: &str) -> &str {
    let a = addr.trim();
    let a = a.strip_prefix("ws://").unwrap_or(a);
    a.split('/').next().unwrap_or(a)
}

/// Check that `addr` is `host:port` with a port a session can listen on, and resolves.
///
/// # Errors
/// [`LabError::BadInput`] naming what is wrong.
pub fn check_addr(addr: &str) -> Result<(), LabError> {
    let target = host_port(addr);
    let bad = |reason| LabError::BadInput {
        what: "--connect",
        value: addr.to_string(),
        reason,
    };
    let Some((host, port)) = target.rsplit_once(':') else {
        return Err(bad("expected HOST:PORT, e.g. 127.0.0.1:7411"));
    };
    if host.is_empty() {
        return Err(bad("expected HOST:PORT, e.g. 127.0.0.1:7411"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => {}
        _ => return Err(bad("the port is a number from 1 to 65535")),
    }
    match target.to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(_)) => Ok(()),
        _ => Err(bad("the host does not resolve")),
    }
}

/// One connection to the session at `addr` (`host:port`), admitted with `code`.
///
/// # Errors
/// [`LabError::WrongCode`] when the session refuses the code, [`LabError::Unreachable`] when
/// nothing (or nothing that speaks the protocol) answers, [`LabError::BadInput`] for a code or
/// name a header cannot carry.
pub fn connect_once(addr: &str, code: &str, name: &str) -> Result<WebSocket<TcpStream>, LabError> {
    wire::check_code(code)?;
    let target = host_port(addr);
    let unreachable = |reason: String| LabError::Unreachable {
        addr: target.to_string(),
        reason,
    };
    let mut request = format!("ws://{target}{}", wire::PATH)
        .into_client_request()
        .map_err(|e| unreachable(format!("not a host:port address ({e})")))?;
    let headers = request.headers_mut();
    headers.insert(
        wire::CODE_HEADER,
        HeaderValue::from_str(code).map_err(|_| LabError::BadInput {
            what: "--code",
            value: code.to_string(),
            reason: "a session code is letters, digits and punctuation",
        })?,
    );
    let name: String = name
        .chars()
        .filter(|c| !c.is_control())
        .take(wire::MAX_NAME_BYTES)
        .collect();
    if let Ok(v) = HeaderValue::from_bytes(name.as_bytes()) {
        headers.insert(wire::TRAINEE_HEADER, v);
    }
    let addrs: Vec<_> = target
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .collect();
    let mut last = "the address resolves to nothing".to_string();
    let mut stream = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, CONNECT_TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = e.to_string(),
        }
    }
    let stream = stream.ok_or_else(|| unreachable(last))?;
    stream
        .set_read_timeout(Some(CONNECT_TIMEOUT))
        .map_err(|e| unreachable(e.to_string()))?;
    let _ = stream.set_nodelay(true);
    match tungstenite::client::client(request, stream) {
        Ok((ws, _)) => Ok(ws),
        Err(HandshakeError::Failure(tungstenite::Error::Http(response)))
            if response.status() == StatusCode::FORBIDDEN =>
        {
            Err(LabError::WrongCode {
                addr: target.to_string(),
                code: code.to_string(),
            })
        }
        Err(HandshakeError::Failure(tungstenite::Error::Http(response)))
            if response.status() == StatusCode::SERVICE_UNAVAILABLE =>
        {
            Err(LabError::Full {
                addr: target.to_string(),
                max: crate::instructor::MAX_TRAINEES,
            })
        }
        Err(HandshakeError::Failure(tungstenite::Error::Http(response))) => {
            let body = response
                .body()
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            Err(unreachable(format!("{} {body}", response.status())))
        }
        Err(e) => Err(unreachable(e.to_string())),
    }
}

/// A monitor's link to a session on its own thread, reconnecting until dropped.
pub struct BedsideLink {
    events: Receiver<LinkEvent>,
    stop: Arc<AtomicBool>,
    join: Option<JoinHandle<()>>,
}

impl BedsideLink {
    /// Start connecting to `addr` with `code` as `name`; `wake` is called whenever an event
    /// waits (a window repaints).
    ///
    /// # Errors
    /// [`LabError::BadInput`] for a code no header can carry or an address that is not
    /// `host:port` (checked before connecting: a typo fails at once, not after the wait).
    pub fn spawn(
        addr: &str,
        code: &str,
        name: &str,
        wake: impl Fn() + Send + 'static,
    ) -> Result<Self, LabError> {
        wire::check_code(code)?;
        check_addr(addr)?;
        let (tx, rx) = unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let (addr, code, name) = (addr.to_string(), code.to_string(), name.to_string());
        let stop_thread = stop.clone();
        let join = std::thread::Builder::new()
            .name("bedside-link".into())
            .spawn(move || run(&addr, &code, &name, &tx, &stop_thread, &wake))
            .map_err(|e| LabError::Unreachable {
                addr: String::new(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            events: rx,
            stop,
            join: Some(join),
        })
    }

    /// The events received so far (drain with `try_iter`).
    pub fn events(&self) -> &Receiver<LinkEvent> {
        &self.events
    }
}

impl Drop for BedsideLink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(j) = self.join.take() {
            let _ = j.join();
        }
    }
}

fn run(
    addr: &str,
    code: &str,
    name: &str,
    tx: &Sender<LinkEvent>,
    stop: &AtomicBool,
    wake: &dyn Fn(),
) {
    let send = |e: LinkEvent| {
        let _ = tx.send(e);
        wake();
    };
    // Tell the monitor once per outage, not at every attempt.
    let mut told_down = false;
    while !stop.load(Ordering::SeqCst) {
        match connect_once(addr, code, name) {
            Ok(mut ws) => {
                let why = receive(&mut ws, stop, &send);
                if stop.load(Ordering::SeqCst) {
                    let _ = ws.close(None);
                    let _ = ws.flush();
                    return;
                }
                send(LinkEvent::Disconnected(why));
                told_down = true;
            }
            // A refusal is final: retrying would only knock again (and fill the instructor's
            // log).
            Err(
                e
                @ (LabError::WrongCode { .. } | LabError::BadInput { .. } | LabError::Full { .. }),
            ) => {
                send(LinkEvent::Refused(e));
                return;
            }
            Err(e) => {
                if !told_down {
                    send(LinkEvent::Disconnected(e.to_string()));
                    told_down = true;
                }
            }
        }
        sleep_unless_stopped(RETRY, stop);
    }
}

fn sleep_unless_stopped(d: Duration, stop: &AtomicBool) {
    let step = Duration::from_millis(50);
    let mut left = d;
    while !left.is_zero() && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(step.min(left));
        left = left.saturating_sub(step);
    }
}

/// Read messages until the connection ends or the link is stopped; returns why it ended.
fn receive(ws: &mut WebSocket<TcpStream>, stop: &AtomicBool, send: &dyn Fn(LinkEvent)) -> String {
    if ws.get_mut().set_read_timeout(Some(POLL)).is_err() {
        return "connection lost".into();
    }
    while !stop.load(Ordering::SeqCst) {
        match ws.read() {
            Ok(Message::Text(text)) => match serde_json::from_str::<ToBedside>(&text) {
                Ok(ToBedside::Welcome { bed }) => send(LinkEvent::Connected { bed }),
                Ok(ToBedside::Frame(f)) => send(LinkEvent::Frame(f)),
                // A newer instructor's message this monitor does not know: skip it.
                Err(_) => {}
            },
            Ok(Message::Close(_)) => return "the session closed the connection".into(),
            Ok(_) => {}
            Err(e) if crate::wire::timed_out(&e) => {}
            Err(tungstenite::Error::ConnectionClosed) => {
                return "the session closed the connection".into();
            }
            Err(e) => return format!("connection lost ({e})"),
        }
    }
    "stopped".into()
}
