//! Following other processes' commits: LISTEN/NOTIFY, with polling as the net.
//!
//! After each commit the writer hands the new head to [`notify`], which NOTIFYs
//! it on `sql::HEAD_CHANNEL` from a reading connection, outside the append
//! transaction, coalescing heads committed meanwhile. (A NOTIFY inside the
//! append transaction made each COMMIT take about 3 ms instead of 0.3 ms on the
//! benchmark machine, with listeners attached: see BENCHMARKS.md.) Other
//! processes [`listen`]. A notification can be lost (the listening connection
//! drops, or a process dies between its COMMIT and its NOTIFY), so the head is
//! also polled every [`POLL_INTERVAL`]: a lost notification only delays a
//! subscriber, never stalls it. Both only ever move the head forward, and both
//! report committed positions only, below which every position is committed
//! (the append lock), so a subscriber woken by either never skips an event.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::watch;

use crate::postgres::sql;
use crate::postgres::writer::advance;

/// How often the head is read when no notification came: the longest a lost
/// notification delays a subscriber of another process.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Pause after a failed poll or a broken listener before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// NOTIFYs each head this process commits, the latest one when several
/// committed meanwhile; ends (after the last) when the writer has stopped.
pub(crate) async fn notify(readers: PgPool, mut committed: watch::Receiver<u64>) {
    let mut notified = *committed.borrow_and_update();
    loop {
        let stopped = committed.changed().await.is_err();
        let head = *committed.borrow_and_update();
        if head > notified {
            let sent = sqlx::query(sql::NOTIFY)
                .bind(sql::HEAD_CHANNEL)
                .bind(head.to_string())
                .execute(&readers)
                .await;
            match sent {
                Ok(_) => notified = head,
                Err(error) => tracing::warn!(%error, "notifying the log's head failed"),
            }
        }
        if stopped {
            break;
        }
    }
}

/// Moves `head` forward as notifications arrive, until the task is aborted (at
/// shutdown). Runs apart from [`poll`], so neither wait is ever cancelled
/// half-way through reading a message.
pub(crate) async fn listen(
    mut listener: PgListener,
    readers: PgPool,
    head: Arc<watch::Sender<u64>>,
) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                if let Ok(position) = notification.payload().parse::<u64>() {
                    advance(&head, position);
                }
            }
            // The connection was lost and is back: notifications in between are
            // gone, so read the head now.
            Ok(None) => poll_head(&readers, &head).await,
            Err(error) => {
                tracing::warn!(%error, "listening for the log's head failed; polling meanwhile");
                tokio::time::sleep(RETRY_AFTER).await;
            }
        }
    }
}

/// Reads the head every [`POLL_INTERVAL`] until the task is aborted.
pub(crate) async fn poll(readers: PgPool, head: Arc<watch::Sender<u64>>) {
    let mut interval = tokio::time::interval(POLL_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        poll_head(&readers, &head).await;
    }
}

async fn poll_head(readers: &PgPool, head: &watch::Sender<u64>) {
    match sqlx::query_scalar::<_, i64>(sql::HEAD)
        .fetch_one(readers)
        .await
    {
        Ok(position) => advance(head, position as u64),
        Err(error) => tracing::warn!(%error, "reading the log's head failed"),
    }
}
