//! Turns across processes: a session-level advisory lock per topic.
//!
//! A turn holds one connection of its own pool for as long as it lasts (a
//! command: milliseconds). The lock is a session lock, not a transaction one,
//! so no transaction stays open meanwhile. Whatever goes wrong, the lock must
//! not outlive the turn: a turn dropped while its lock request was still in
//! flight closes its connection (ending the session releases every lock it
//! holds) instead of returning it to the pool.

use sha2::{Digest, Sha256};
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};

use crate::error::Error;
use crate::postgres::sql;
use crate::turn::Turn;

/// Connections for turns: commands that wait on one topic each hold one.
pub(crate) const MAX_TURNS: u32 = 32;

/// Waits for the turn on `topic`, then reads the committed head: after the
/// lock, so everything the previous holder committed is at or below it.
pub(crate) async fn take(pool: &PgPool, topic: &[u8]) -> Result<Turn, Error> {
    let mut held = Held {
        connection: Some(pool.acquire().await?),
        key: key_of(topic),
        locked: false,
    };
    let connection = held.connection.as_mut().ok_or(Error::Closed)?;
    sqlx::query(sql::TAKE_TURN)
        .bind(sql::TURN_CLASS)
        .bind(held.key)
        .execute(&mut **connection)
        .await?;
    held.locked = true;
    let head: i64 = sqlx::query_scalar(sql::HEAD)
        .fetch_one(&mut **connection)
        .await?;
    Ok(Turn::held(head as u64, held))
}

/// The lock's key: 32 bits of a hash of the topic. Two topics sharing a key
/// only take turns needlessly; the topic itself never reaches the server.
fn key_of(topic: &[u8]) -> i32 {
    let hash = Sha256::new_with_prefix(b"reestr turn\0")
        .chain_update(topic)
        .finalize();
    i32::from_be_bytes([hash[0], hash[1], hash[2], hash[3]])
}

/// The connection holding (or about to hold) the lock.
struct Held {
    connection: Option<PoolConnection<Postgres>>,
    key: i32,
    /// The lock was granted and the session is otherwise idle.
    locked: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(mut connection) = self.connection.take() else {
            return;
        };
        let runtime = tokio::runtime::Handle::try_current();
        match runtime {
            Ok(runtime) if self.locked => {
                let key = self.key;
                runtime.spawn(async move {
                    let unlocked = sqlx::query(sql::END_TURN)
                        .bind(sql::TURN_CLASS)
                        .bind(key)
                        .execute(&mut *connection)
                        .await;
                    if unlocked.is_err() {
                        // Closing the session releases the lock as well.
                        drop(connection.detach());
                    }
                });
            }
            // The lock may be granted after this: end the session.
            _ => drop(connection.detach()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::key_of;

    #[test]
    fn a_topic_has_one_key_and_different_topics_mostly_differ() {
        assert_eq!(
            key_of(b"snils 112-233-445 95"),
            key_of(b"snils 112-233-445 95")
        );
        let keys: std::collections::HashSet<i32> =
            (0..10_000u32).map(|n| key_of(&n.to_be_bytes())).collect();
        assert!(keys.len() > 9_990, "{} distinct keys", keys.len());
    }
}
