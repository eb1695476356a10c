//! Subscriptions over the graphql-transport-ws protocol, as graphql-ws's
//! PROTOCOL.md has it, close codes included: 4400 for a message that is not
//! of the protocol, 4401 for a subscribe before the connection is
//! acknowledged, 4403 for a refused `connection_init`, 4408 for no
//! `connection_init` in time, 4409 for a second subscriber of one id, 4429
//! for a second `connection_init`. A close frame's reason is at most 123
//! bytes (RFC 6455); clients drop a connection whose frame is longer.
//!
//! (The older subscriptions-transport-ws protocol, `graphql-ws`, is still
//! served by async-graphql's own implementation.)

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::{Data, Request, Response};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::AbortHandle;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use app::{ClientAddr, Viewer};

use crate::error::ApiError;
use crate::server::ServerState;
use crate::server::auth;
use crate::server::graphql::operation_kind;
use crate::server::http::Params;

/// The subprotocol's name.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// How long a client may take to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest close reason a frame may carry (RFC 6455: 125 bytes of
/// payload, two of them the code).
const REASON_MAX: usize = 123;

/// What ends a connection from the server's side.
struct Close(u16, String);

impl Close {
    fn frame(self) -> Message {
        let mut reason = self.1;
        if reason.len() > REASON_MAX {
            let mut end = REASON_MAX;
            while !reason.is_char_boundary(end) {
                end -= 1;
            }
            reason.truncate(end);
        }
        Message::Close(Some(CloseFrame {
            code: self.0,
            reason: Utf8Bytes::from(reason),
        }))
    }
}

/// What a subscription's task hands the connection to send.
enum Outgoing {
    /// A message of subscription `id`.
    Message(String, Value),
    /// Subscription `id` ended (after its last message).
    Done(String),
}

/// Serves one connection until the client leaves, the protocol is broken, or
/// the server stops (then with 1001, "going away").
pub async fn serve(
    state: ServerState,
    socket: WebSocket,
    client: ClientAddr,
    connected: watch::Receiver<bool>,
) {
    let (mut sink, mut stream) = socket.split();
    let (outgoing, mut to_send) = mpsc::channel::<Outgoing>(64);
    let mut viewer: Option<Viewer> = None;
    let mut init_received = false;
    let mut running: HashMap<String, AbortHandle> = HashMap::new();
    let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(init_deadline);
    // `connected` is held until the close frame is sent: the shutdown waits
    // for every one.
    let mut stopping = connected.clone();
    let stopped = async move {
        // An error means the server is gone: stop as well.
        let _ = stopping.wait_for(|stopped| *stopped).await;
    };
    tokio::pin!(stopped);

    let close = loop {
        tokio::select! {
            received = stream.next() => {
                let text = match received {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break None,
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Binary(_))) => {
                        break Some(Close(4400, "binary messages are not of the protocol".into()));
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                };
                let message = match ClientMessage::parse(&text) {
                    Ok(message) => message,
                    Err(reason) => break Some(Close(4400, reason)),
                };
                match message {
                    ClientMessage::Init(payload) => {
                        if init_received {
                            break Some(Close(4429, "Too many initialisation requests".into()));
                        }
                        init_received = true;
                        match auth::viewer_from_init(&state.app, &payload).await {
                            Ok(known) => viewer = Some(known),
                            Err(error) => break Some(Close(4403, format!("Forbidden: {}", error.0))),
                        }
                        if send(&mut sink, json!({ "type": "connection_ack" })).await.is_err() {
                            break None;
                        }
                    }
                    ClientMessage::Ping(payload) => {
                        let mut pong = json!({ "type": "pong" });
                        if let Some(payload) = payload {
                            pong["payload"] = payload;
                        }
                        if send(&mut sink, pong).await.is_err() {
                            break None;
                        }
                    }
                    ClientMessage::Pong => {}
                    ClientMessage::Subscribe { id, params } => {
                        let Some(viewer) = viewer.clone() else {
                            break Some(Close(4401, "Unauthorized".into()));
                        };
                        if running.contains_key(&id) {
                            break Some(Close(4409, format!("Subscriber for {id} already exists")));
                        }
                        let handle = start(&state, id.clone(), *params, viewer, client, outgoing.clone());
                        running.insert(id, handle);
                    }
                    ClientMessage::Complete(id) => {
                        if let Some(handle) = running.remove(&id) {
                            handle.abort();
                        }
                    }
                }
            }
            Some(next) = to_send.recv() => {
                match next {
                    Outgoing::Message(id, mut message) => {
                        message["id"] = Value::String(id);
                        if send(&mut sink, message).await.is_err() {
                            break None;
                        }
                    }
                    Outgoing::Done(id) => {
                        running.remove(&id);
                    }
                }
            }
            () = &mut init_deadline, if !init_received => {
                break Some(Close(4408, "Connection initialisation timeout".into()));
            }
            () = &mut stopped => {
                break Some(Close(1001, "the server is shutting down".into()));
            }
        }
    };
    for (_, handle) in running.drain() {
        handle.abort();
    }
    if let Some(close) = close {
        let _ = sink.send(close.frame()).await;
    }
    let _ = sink.close().await;
    drop(connected);
}

async fn send<S>(sink: &mut S, message: Value) -> Result<(), S::Error>
where
    S: futures::Sink<Message> + Unpin,
{
    sink.send(Message::text(message.to_string())).await
}

/// Starts subscription `id` of `params` as `viewer`; its messages go to
/// `outgoing`, then `Done`. Aborted by the returned handle on `complete` or
/// when the connection ends.
fn start(
    state: &ServerState,
    id: String,
    params: Params,
    viewer: Viewer,
    client: ClientAddr,
    outgoing: mpsc::Sender<Outgoing>,
) -> AbortHandle {
    let schema = state.schema.clone();
    let metrics = state.metrics.clone();
    let persisted = state.persisted.clone();
    let parsed = state.parsed.clone();
    let app = state.app.clone();
    let (handle, registration) = AbortHandle::new_pair();
    let task = async move {
        let _counted = metrics.subscription_started();
        let document = persisted.document(params.query.clone(), &params.extensions);
        let mut request: Request = match document {
            Ok(query) => params.into_request(query),
            Err(refused) => {
                let (message, _) = refused.message_and_code();
                let error = json!({ "type": "error", "payload": [{ "message": message }] });
                let _ = outgoing.send(Outgoing::Message(id.clone(), error)).await;
                let _ = outgoing.send(Outgoing::Done(id)).await;
                return;
            }
        };
        // A mutation decides on everything committed before it, as over HTTP.
        if operation_kind(&parsed, &mut request) == "mutation"
            && let Err(error) = app.reach_committed().await
        {
            let error = json!({ "type": "error", "payload": [ApiError(error).server_error()] });
            let _ = outgoing.send(Outgoing::Message(id.clone(), error)).await;
            let _ = outgoing.send(Outgoing::Done(id)).await;
            return;
        }
        let mut data = Data::default();
        data.insert(viewer);
        data.insert(client);
        let mut responses =
            schema.execute_stream_with_session_data(request, std::sync::Arc::new(data));
        let mut first = true;
        while let Some(response) = responses.next().await {
            // Refused before it started (syntax, validation, variables): an
            // `error` message and nothing after it, as the protocol says.
            if first && is_request_error(&response) {
                let error = json!({ "type": "error", "payload": response.errors });
                let _ = outgoing.send(Outgoing::Message(id.clone(), error)).await;
                let _ = outgoing.send(Outgoing::Done(id)).await;
                return;
            }
            first = false;
            let next = json!({ "type": "next", "payload": response });
            if outgoing
                .send(Outgoing::Message(id.clone(), next))
                .await
                .is_err()
            {
                return;
            }
        }
        let complete = json!({ "type": "complete" });
        let _ = outgoing.send(Outgoing::Message(id.clone(), complete)).await;
        let _ = outgoing.send(Outgoing::Done(id)).await;
    };
    tokio::spawn(futures::future::Abortable::new(task, registration));
    handle
}

fn is_request_error(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// A message of the client's, as the protocol has them.
#[derive(Debug)]
enum ClientMessage {
    Init(Value),
    Ping(Option<Value>),
    Pong,
    Subscribe { id: String, params: Box<Params> },
    Complete(String),
}

impl ClientMessage {
    /// The message of `text`; the reason (short, for a 4400 close) when it is
    /// none of the protocol.
    fn parse(text: &str) -> Result<ClientMessage, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|_| "Invalid message: not JSON".to_string())?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| "Invalid message: no type".to_string())?;
        let id = || {
            value
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| format!("Invalid message: {kind} without an id"))
        };
        let payload = value.get("payload").filter(|payload| !payload.is_null());
        match kind {
            "connection_init" => match payload {
                None => Ok(ClientMessage::Init(Value::Object(Default::default()))),
                Some(payload @ Value::Object(_)) => Ok(ClientMessage::Init(payload.clone())),
                Some(_) => Err("Invalid message: the init payload is not an object".into()),
            },
            "ping" => Ok(ClientMessage::Ping(payload.cloned())),
            "pong" => Ok(ClientMessage::Pong),
            "subscribe" => {
                let id = id()?;
                let payload = payload
                    .ok_or_else(|| "Invalid message: subscribe without a payload".to_string())?;
                let params = Params::from_json(payload.to_string().as_bytes()).map_err(|_| {
                    "Invalid message: the subscribe payload is no request".to_string()
                })?;
                Ok(ClientMessage::Subscribe {
                    id,
                    params: Box::new(params),
                })
            }
            "complete" => Ok(ClientMessage::Complete(id()?)),
            _ => Err("Invalid message: unknown type".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_parse_and_others_are_refused_briefly() {
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"connection_init"}"#),
            Ok(ClientMessage::Init(_))
        ));
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"subscribe","id":"1","payload":{"query":"{ a }"}}"#),
            Ok(ClientMessage::Subscribe { .. })
        ));
        for bad in [
            "not json",
            r#"{"type":"subscribe","payload":{"query":"{ a }"}}"#,
            r#"{"type":"subscribe","id":"1"}"#,
            r#"{"type":"subscribe","id":"1","payload":{"query":7}}"#,
            r#"{"type":"start","id":"1"}"#,
            r#"{"id":"1"}"#,
        ] {
            let reason = ClientMessage::parse(bad).unwrap_err();
            assert!(reason.len() <= REASON_MAX, "{reason}");
        }
    }

    #[test]
    fn a_long_reason_is_cut_to_what_a_frame_holds() {
        let Message::Close(Some(frame)) = Close(4403, "я".repeat(200)).frame() else {
            unreachable!()
        };
        assert!(frame.reason.len() <= REASON_MAX);
        assert!(frame.reason.as_str().chars().all(|c| c == 'я'));
    }
}
