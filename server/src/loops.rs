//! The server's background loops: the sweep (wakes conversations with stored work, at
//! start after a crash and now and then), the timer loop (fires due timers), the
//! outbox (delivers outputs to the webhook or the conversation's platform, hand-off
//! records and notifications to their URLs, in order per conversation, retrying with
//! backoff under a stable idempotency key) and retention (deletes finished
//! conversations past their time).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::channels::{Delivery, Sent};
use crate::engine::{now_ms, Engine};
use crate::store::{OutboxItem, Write};

/// How often the sweep looks for stored work nobody is handling.
const SWEEP: Duration = Duration::from_secs(2);
/// How often due timers and deliveries are looked for.
const POLL: Duration = Duration::from_millis(100);
/// The longest wait between two delivery attempts.
const MAX_BACKOFF_MS: i64 = 5 * 60 * 1000;

pub fn start(engine: &Arc<Engine>) {
    tokio::spawn(sweep(Arc::clone(engine)));
    tokio::spawn(timers(Arc::clone(engine)));
    tokio::spawn(retention(Arc::clone(engine)));
    let settings = &engine.settings;
    if settings.webhook.is_some()
        || settings.handoff.is_some()
        || settings.notify.is_some()
        || engine.channels.any()
    {
        tokio::spawn(outbox(Arc::clone(engine)));
    }
}

/// Runs a blocking store call off the async threads.
async fn blocking<T: Send + 'static>(
    engine: &Arc<Engine>,
    f: impl FnOnce(&Engine) -> T + Send + 'static,
) -> Option<T> {
    let engine = Arc::clone(engine);
    tokio::task::spawn_blocking(move || f(&engine)).await.ok()
}

async fn sweep(engine: Arc<Engine>) {
    loop {
        match blocking(&engine, |e| e.store.with_work()).await {
            Some(Ok(keys)) => {
                for key in keys {
                    engine.wake(&key, None);
                }
            }
            Some(Err(error)) => engine.log.error(None, &format!("sweep: {error}")),
            None => {}
        }
        tokio::time::sleep(SWEEP).await;
    }
}

async fn timers(engine: Arc<Engine>) {
    // Timers woken and not yet gone from the store (their turn commits delete them):
    // not woken again on every poll, only after a sweep's interval. That second wake
    // matters with a shared store: the process that ran the timer's conversation may
    // have died before firing it (this one's claim failed meanwhile).
    let mut fired: HashMap<(String, i64, &'static str), Instant> = HashMap::new();
    loop {
        match blocking(&engine, |e| e.store.due_timers(now_ms(), 1024)).await {
            Some(Ok(due)) => {
                let mut still = HashMap::new();
                for timer in due {
                    let id = (timer.conversation.clone(), timer.version, timer.kind.name());
                    let woken = match fired.get(&id) {
                        Some(at) if at.elapsed() < SWEEP => *at,
                        _ => {
                            engine.wake(&timer.conversation.clone(), Some(timer));
                            Instant::now()
                        }
                    };
                    still.insert(id, woken);
                }
                fired = still;
            }
            Some(Err(error)) => engine.log.error(None, &format!("timers: {error}")),
            None => {}
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn retention(engine: Arc<Engine>) {
    let keep = i64::try_from(engine.settings.retention_secs)
        .unwrap_or(i64::MAX / 1000)
        .saturating_mul(1000);
    loop {
        let before = now_ms().saturating_sub(keep);
        match blocking(&engine, move |e| e.store.purge_finished(before)).await {
            Some(Ok(0)) | None => {}
            Some(Ok(n)) => engine.log.info(
                None,
                &format!("retention: deleted {n} finished conversations"),
            ),
            Some(Err(error)) => engine.log.error(None, &format!("retention: {error}")),
        }
        // A minute apart, or sooner when the retention itself is shorter (tests).
        tokio::time::sleep(Duration::from_millis(keep.clamp(100, 60_000) as u64)).await;
    }
}

async fn outbox(engine: Arc<Engine>) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(engine.settings.webhook_timeout_secs))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            engine
                .log
                .error(None, &format!("the webhook client cannot start: {error}"));
            return;
        }
    };
    loop {
        let due = match blocking(&engine, |e| e.store.outbox_due(now_ms(), 256)).await {
            Some(Ok(due)) => due,
            Some(Err(error)) => {
                engine.log.error(None, &format!("outbox: {error}"));
                Vec::new()
            }
            None => Vec::new(),
        };
        let busy = !due.is_empty();
        let mut sends = Vec::with_capacity(due.len());
        for item in due {
            let client = client.clone();
            let engine = Arc::clone(&engine);
            sends.push(tokio::spawn(async move {
                let write = deliver(&engine, &client, &item).await;
                if let Err(error) = engine.committer.commit(write).await {
                    engine
                        .log
                        .error(Some(&item.conversation), &format!("outbox: {error}"));
                }
            }));
        }
        for send in sends {
            let _ = send.await;
        }
        if !busy {
            tokio::time::sleep(POLL).await;
        }
    }
}

/// One delivery attempt, and what to record of it. A platform conversation's outputs
/// go to its platform, other outputs to the webhook, hand-off records and
/// notifications to their URLs.
async fn deliver(engine: &Arc<Engine>, client: &reqwest::Client, item: &OutboxItem) -> Write {
    let mut body: serde_json::Value =
        serde_json::from_str(&item.payload).unwrap_or(serde_json::Value::Null);
    let settings = &engine.settings;
    let kind = body["kind"].as_str().unwrap_or("output");
    if kind == "output" {
        if let Some((channel, chat)) = engine.channels.owner(&item.conversation) {
            let output = serde_json::from_value(body["output"].take());
            let Ok(output) = output else {
                return dropped(engine, item, "not an output the server wrote");
            };
            let delivery = Delivery {
                conversation: item.conversation.clone(),
                contact: body["contact"].as_str().unwrap_or_default().to_string(),
                chat: chat.to_string(),
                idempotency_key: item.idempotency_key.clone(),
                output,
            };
            return match channel.send(engine, &delivery).await {
                Sent::Delivered => {
                    engine.metrics.outbound("delivered");
                    Write::Delivered { id: item.id }
                }
                Sent::Retry { error, after_ms } => retry(engine, item, error, after_ms),
                Sent::Dropped { reason } => dropped(engine, item, &reason),
                Sent::End { reason } => {
                    engine.end_soon(&item.conversation, reason);
                    dropped(
                        engine,
                        item,
                        "the conversation ends: the platform refuses it",
                    )
                }
            };
        }
    }
    let url = match kind {
        "handoff" => settings.handoff.as_deref(),
        "notify" => settings.notify.as_deref(),
        _ => settings.webhook.as_deref(),
    };
    let Some(url) = url else {
        engine.log.warn(
            Some(&item.conversation),
            &format!(
                "delivery {}: no URL is configured for it any more; dropped",
                item.idempotency_key
            ),
        );
        return Write::Delivered { id: item.id };
    };
    body["idempotency_key"] = serde_json::Value::String(item.idempotency_key.clone());
    let sent = client
        .post(url)
        .header("Idempotency-Key", &item.idempotency_key)
        .json(&body)
        .send()
        .await;
    let error = match sent {
        Ok(response) if response.status().is_success() => {
            engine.metrics.outbound("delivered");
            return Write::Delivered { id: item.id };
        }
        Ok(response) => format!("the webhook answered {}", response.status()),
        Err(error) => format!("the webhook could not be reached: {error}"),
    };
    retry(engine, item, error, None)
}

/// A delivery the platform refused for good: logged, counted, not tried again.
fn dropped(engine: &Engine, item: &OutboxItem, reason: &str) -> Write {
    engine.metrics.outbound("dropped");
    engine.log.warn(
        Some(&item.conversation),
        &format!("delivery {} dropped: {reason}", item.idempotency_key),
    );
    Write::Delivered { id: item.id }
}

/// A failed attempt, tried again after `after_ms` when the platform said when, else
/// after a backoff doubling with each attempt.
fn retry(engine: &Engine, item: &OutboxItem, error: String, after_ms: Option<i64>) -> Write {
    engine.metrics.outbound("retried");
    let backoff = after_ms.unwrap_or_else(|| {
        1000_i64
            .saturating_mul(1 << item.attempts.clamp(0, 20))
            .min(MAX_BACKOFF_MS)
    });
    engine.log.warn(
        Some(&item.conversation),
        &format!(
            "delivery {} failed ({error}); retrying in {} s",
            item.idempotency_key,
            backoff / 1000
        ),
    );
    Write::Retry {
        id: item.id,
        next: now_ms().saturating_add(backoff),
        error,
    }
}
