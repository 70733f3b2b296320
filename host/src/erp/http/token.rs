//! A session token that expires (Hubsoft, MK-Auth, MK Solutions, Synsuite): fetched
//! on first use, reused until shortly before it expires, and dropped when the ERP says
//! it is no longer good, so that the next call logs in again.

use std::future::Future;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::erp::{ErpError, Secret};

/// Tokens are renewed this long before the ERP's stated expiry, so that a token is
/// never sent in its last seconds.
const SAFETY_MARGIN: Duration = Duration::from_secs(60);

#[derive(Default)]
pub(crate) struct TokenCache {
    slot: Mutex<Option<Cached>>,
}

struct Cached {
    token: Secret,
    expires_at: Option<Instant>,
}

impl TokenCache {
    /// The current token, logging in with `login` when there is none or it expired.
    /// `login` returns the token and, when the ERP says, how long it lives.
    pub async fn get<F, Fut>(&self, login: F) -> Result<Secret, ErpError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(Secret, Option<Duration>), ErpError>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(cached) = slot.as_ref() {
            let fresh = cached.expires_at.is_none_or(|at| Instant::now() < at);
            if fresh {
                return Ok(cached.token.clone());
            }
        }
        let (token, lifetime) = login().await?;
        let expires_at =
            lifetime.map(|it| Instant::now() + it.saturating_sub(SAFETY_MARGIN.min(it / 2)));
        *slot = Some(Cached {
            token: token.clone(),
            expires_at,
        });
        Ok(token)
    }

    /// Runs `op` with the current token; when the ERP refuses it (`ErpError::Auth`,
    /// which adapters also return for "token expired" bodies), logs in again and runs
    /// `op` once more.
    pub async fn with_token<T, L, LF, O, OF>(&self, login: L, op: O) -> Result<T, ErpError>
    where
        L: Fn() -> LF,
        LF: Future<Output = Result<(Secret, Option<Duration>), ErpError>>,
        O: Fn(Secret) -> OF,
        OF: Future<Output = Result<T, ErpError>>,
    {
        let token = self.get(&login).await?;
        match op(token.clone()).await {
            Err(ErpError::Auth { .. }) => {
                self.invalidate(&token).await;
                let token = self.get(&login).await?;
                op(token).await
            }
            other => other,
        }
    }

    /// Forgets `stale` (the ERP refused it); a token fetched meanwhile by another
    /// call is kept.
    pub async fn invalidate(&self, stale: &Secret) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|it| it.token == *stale) {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn renews_before_expiry_and_after_invalidation() {
        let cache = TokenCache::default();
        let logins = AtomicU32::new(0);
        let login = || async {
            let n = logins.fetch_add(1, Ordering::SeqCst);
            Ok((Secret::new(format!("t{n}")), Some(Duration::from_secs(600))))
        };
        assert_eq!(cache.get(login).await.unwrap().expose(), "t0");
        assert_eq!(cache.get(login).await.unwrap().expose(), "t0");
        tokio::time::advance(Duration::from_secs(541)).await;
        assert_eq!(cache.get(login).await.unwrap().expose(), "t1");
        cache.invalidate(&Secret::new("t0")).await;
        assert_eq!(cache.get(login).await.unwrap().expose(), "t1");
        cache.invalidate(&Secret::new("t1")).await;
        assert_eq!(cache.get(login).await.unwrap().expose(), "t2");
    }
}
