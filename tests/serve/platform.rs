//! What the channel tests share: a `fluxo serve` of examples/provedor configured with a
//! platform channel pointed at a fake of the platform (a [`Sink`]), the hand-off and
//! notify targets pointed at another, and readers for what the fakes received.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::client::{scratch, Received, Server, Sink};

pub fn provedor() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor")
}

/// The fakes one server talks to, and the server.
pub struct Setup {
    /// The platform's API.
    pub api: Sink,
    /// `[handoff] url` and `notify_url`.
    pub people: Sink,
    pub server: Server,
}

/// Starts a server of examples/provedor whose config is `channel` (a `[channels.X]`
/// table, with `{api}` standing for the fake API's address) plus the hand-off table,
/// with `env` set.
pub fn start(name: &str, api: Sink, channel: &str, env: &[(&str, &str)]) -> Setup {
    start_program(&provedor(), name, api, channel, env)
}

/// [`start`] for the program at `program`.
pub fn start_program(
    program: &Path,
    name: &str,
    api: Sink,
    channel: &str,
    env: &[(&str, &str)],
) -> Setup {
    let data = scratch(name);
    let people = Sink::start(0);
    let text = format!(
        "{}\n[handoff]\nurl = \"http://{1}/handoff\"\nnotify_url = \"http://{1}/notify\"\n",
        channel.replace("{api}", &api.addr),
        people.addr
    );
    let config = data.join("fluxo.toml");
    std::fs::write(&config, text).unwrap();
    let server =
        Server::start_with_env(program, &data, &["--config", config.to_str().unwrap()], env);
    Setup {
        api,
        people,
        server,
    }
}

/// The requests `sink` received, once one satisfies `done` (10 s at most).
pub fn until(sink: &Sink, what: &str, done: impl Fn(&Received) -> bool) -> Vec<Received> {
    for _ in 0..200 {
        let got = sink.received.lock().unwrap().clone();
        if got.iter().any(&done) {
            return got;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("never got {what}; got {:#?}", sink.received.lock().unwrap());
}

/// The value of the metric line starting with `series` (0 when absent).
pub fn metric(server: &Server, series: &str) -> u64 {
    let (_, text) = server.get("/metrics");
    text.lines()
        .find_map(|line| line.strip_prefix(series))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or(0)
}

/// The conversation's state (`GET /v1/conversations/{key}`) once `done` holds.
pub fn state_when(server: &Server, key: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let (status, body) = server.get(&format!("/v1/conversations/{key}"));
        if status == 200 {
            let state: Value = serde_json::from_str(&body).unwrap();
            if done(&state) {
                return state;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!(
        "{key} never got there: {:?}\nlog: {}",
        server.get(&format!("/v1/conversations/{key}")),
        std::fs::read_to_string(&server.log).unwrap_or_default()
    );
}
