//! Hearing what any process committed: one connection per process LISTENs on the
//! schema's channels (`write` NOTIFYs them at commit) and hands each payload to the
//! callbacks registered for its [`Topic`]. Started by the first registration; when
//! the connection breaks it reconnects after a second. A notification missed
//! meanwhile only costs the next poll: nothing relies on one arriving.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_postgres::{AsyncMessage, Config, NoTls};

/// What a notification announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// Replies were committed; the payload is their seqs, comma-separated.
    Replies,
    /// A program was published; the payload is its hash.
    Programs,
}

impl Topic {
    const ALL: [Topic; 2] = [Topic::Replies, Topic::Programs];

    /// The channel's name before the schema's (`<name>.<schema>`), as `write` spells it.
    fn name(self) -> &'static str {
        match self {
            Topic::Replies => "fluxo_replies",
            Topic::Programs => "fluxo_programs",
        }
    }
}

/// Called with each payload of its topic.
pub type Heard = Arc<dyn Fn(&str) + Send + Sync>;

type Registered = Arc<Mutex<Vec<(Topic, Heard)>>>;

pub struct Listener {
    config: Config,
    heard: Registered,
}

impl Listener {
    pub fn new(config: Config) -> Listener {
        Listener {
            config,
            heard: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Registers `heard` for `topic`; the first registration starts listening (on the
    /// current runtime: the store's).
    pub fn register(&self, topic: Topic, heard: Heard) {
        let mut all = self.heard.lock().unwrap_or_else(|it| it.into_inner());
        all.push((topic, heard));
        if all.len() == 1 {
            tokio::spawn(listen(self.config.clone(), Arc::clone(&self.heard)));
        }
    }
}

async fn listen(config: Config, heard: Registered) {
    loop {
        if let Ok((client, mut connection)) = config.connect(NoTls).await {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
            let driver = tokio::spawn(async move {
                while let Some(Ok(message)) =
                    std::future::poll_fn(|cx| connection.poll_message(cx)).await
                {
                    if let AsyncMessage::Notification(note) = message {
                        let _ = tx.send((note.channel().to_string(), note.payload().to_string()));
                    }
                }
            });
            // The channels are per schema: stores in other schemas of the database
            // (other deployments, parallel tests) are not heard.
            let listening = match client.query_one("SELECT current_schema()", &[]).await {
                Ok(row) => match row.try_get::<_, String>(0) {
                    Ok(schema) => {
                        let schema = schema.replace('"', "\"\"");
                        let sql: String = Topic::ALL
                            .iter()
                            .map(|topic| format!("LISTEN \"{}.{schema}\";", topic.name()))
                            .collect();
                        client.batch_execute(&sql).await.is_ok()
                    }
                    Err(_) => false,
                },
                Err(_) => false,
            };
            if listening {
                while let Some((channel, payload)) = rx.recv().await {
                    let topic = Topic::ALL
                        .into_iter()
                        .find(|it| channel.split('.').next() == Some(it.name()));
                    let callbacks = heard.lock().unwrap_or_else(|it| it.into_inner()).clone();
                    for (wanted, callback) in &callbacks {
                        if Some(*wanted) == topic {
                            callback(&payload);
                        }
                    }
                }
            }
            driver.abort();
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
