//! `reestr serve`: the GraphQL API and the web pages over the log, until
//! SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use app::App;
use eventlog::Backend;
use graphql::schema::Limits;
use graphql::server::{self, ServeOptions};
use projections::snapshot::SnapshotStore;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

use crate::cli::{ServeArgs, StoreArgs};
use crate::store::snapshot_store;

/// Serves the registry in `log`; prints the address it listens on.
pub async fn run(
    log: &Arc<dyn Backend>,
    args: &ServeArgs,
    store: &StoreArgs,
) -> anyhow::Result<()> {
    let listener = bind(args).await?;
    let snapshots = snapshot_store(store, args)?;
    serve(
        log,
        args,
        listener,
        Some(crate::document::templates_dir(&store.data_dir)),
        snapshots,
        |_| {},
    )
    .await
}

/// Binds `args.listen`. The demo binds before it generates a union, so a busy
/// port is reported at once, not after the generation's minutes.
pub async fn bind(args: &ServeArgs) -> anyhow::Result<TcpListener> {
    TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))
}

/// Prints the address of `listener`, calls `on_listening` with it (the demo
/// prints its token there), then serves until SIGTERM or SIGINT and stops
/// gracefully: everything acknowledged is in the log when this returns.
/// Replaced document templates are kept in `templates` (none: the built-in
/// ones only).
pub async fn serve(
    log: &Arc<dyn Backend>,
    args: &ServeArgs,
    listener: TcpListener,
    templates: Option<std::path::PathBuf>,
    snapshots: Option<SnapshotStore>,
    on_listening: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    // Listen for the signals before anyone can learn the address and send one.
    let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    let address = listener.local_addr()?;
    println!("Listening on http://{address}");
    println!(
        "Pages: http://{address}/ (joining: http://{address}/join, staff: http://{address}/signin, cards checked: http://{address}/verify)"
    );
    println!(
        "GraphQL and GraphiQL: http://{address}/graphql (subscriptions: ws://{address}/graphql/ws); /health, /metrics"
    );
    on_listening(address);
    let mut app = match snapshots {
        Some(store) => App::start_with_snapshots(log.clone(), store),
        None => App::start(log.clone()),
    };
    app.set_request_limits(args.request_limits());
    tokio::spawn(give_back_after_start(app.clone()));
    let sender = crate::mail::start(&mut app, &args.mail, address)?;
    if let Some(dir) = templates {
        app.set_templates_dir(dir);
    }
    let stopped = async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!("SIGTERM"),
            _ = interrupt.recv() => tracing::info!("SIGINT"),
        }
        // The sender stops first: it holds the log's cross-node turn (or
        // waits for it), and a PostgreSQL log's close waits for that
        // connection. A message sent and not yet recorded goes again from
        // the next sender, as after a crash.
        if let Some(sender) = sender {
            sender.abort();
            let _ = sender.await;
        }
    };
    let pages = web::router(
        app.clone(),
        web::WebOptions {
            trust_proxy: args.trust_proxy,
        },
    );
    // The stop writes the read models' snapshot before it closes the log
    // (`App::shutdown`): the next start folds only what comes after.
    server::serve_with(app, listener, options(args), pages, stopped).await?;
    eprintln!("Stopped; the log is closed.");
    Ok(())
}

/// Once the read models have caught up the first time, returns what the
/// start freed to the operating system (`allocator`).
async fn give_back_after_start(app: App) {
    while app.lag() > 0 || (app.checkpoint() == 0 && app.head() > 0) {
        if app.stopped().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::task::spawn_blocking(crate::allocator::give_back)
        .await
        .ok();
}

fn options(args: &ServeArgs) -> ServeOptions {
    ServeOptions {
        body_limit: args.body_limit,
        request_timeout: Duration::from_secs(args.request_timeout),
        shutdown_grace: Duration::from_secs(args.shutdown_grace),
        trust_proxy: args.trust_proxy,
        allowed_origins: args.allowed_origins.clone(),
        limits: Limits {
            depth: args.max_depth,
            complexity: args.max_complexity,
            ..Limits::default()
        },
    }
}
