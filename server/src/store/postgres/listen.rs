//! Hearing replies committed by any process: one connection per process LISTENs on
//! the schema's reply channel (`write` NOTIFYs the seqs a turn replied to) and hands
//! each seq to the callbacks registered. Started by the first registration; when the
//! connection breaks it reconnects after a second. A notification missed meanwhile
//! only costs a waiter its next poll.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_postgres::{AsyncMessage, Config, NoTls};

/// Called with each replied seq.
pub type Heard = Arc<dyn Fn(i64) + Send + Sync>;

pub struct Listener {
    config: Config,
    heard: Arc<Mutex<Vec<Heard>>>,
}

impl Listener {
    pub fn new(config: Config) -> Listener {
        Listener {
            config,
            heard: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Registers `heard`; the first registration starts listening (on the current
    /// runtime: the store's).
    pub fn register(&self, heard: Heard) {
        let mut all = self.heard.lock().unwrap_or_else(|it| it.into_inner());
        all.push(heard);
        if all.len() == 1 {
            tokio::spawn(listen(self.config.clone(), Arc::clone(&self.heard)));
        }
    }
}

async fn listen(config: Config, heard: Arc<Mutex<Vec<Heard>>>) {
    loop {
        if let Ok((client, mut connection)) = config.connect(NoTls).await {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
            let driver = tokio::spawn(async move {
                while let Some(Ok(message)) =
                    std::future::poll_fn(|cx| connection.poll_message(cx)).await
                {
                    if let AsyncMessage::Notification(note) = message {
                        let _ = tx.send(note.payload().to_string());
                    }
                }
            });
            // The channel is per schema: stores in other schemas of the database
            // (other deployments, parallel tests) are not heard.
            let listening = match client.query_one("SELECT current_schema()", &[]).await {
                Ok(row) => match row.try_get::<_, String>(0) {
                    Ok(schema) => client
                        .batch_execute(&format!(
                            "LISTEN \"fluxo_replies.{}\"",
                            schema.replace('"', "\"\"")
                        ))
                        .await
                        .is_ok(),
                    Err(_) => false,
                },
                Err(_) => false,
            };
            if listening {
                while let Some(payload) = rx.recv().await {
                    let callbacks = heard.lock().unwrap_or_else(|it| it.into_inner()).clone();
                    for seq in payload.split(',').filter_map(|it| it.parse::<i64>().ok()) {
                        for callback in &callbacks {
                            callback(seq);
                        }
                    }
                }
            }
            driver.abort();
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
