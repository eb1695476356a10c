//! The GraphiQL page on `GET /graphql`, with every asset it loads (React,
//! GraphiQL, its CSS with the fonts inlined, the favicon) served from the
//! binary under `/graphiql/`: the page works with no internet.
//!
//! The assets are the npm packages' own files, vendored in
//! `graphql/assets/graphiql/` by `graphql/assets/fetch-graphiql.sh` (the
//! versions are in `VERSIONS` there).

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// The page's assets: name, media type, content.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../assets/graphiql/favicon.svg"),
    ),
];

/// The page: queries go to `/graphql`, subscriptions to `/graphql/ws`
/// (graphql-transport-ws); a bearer token goes in GraphiQL's Headers tab.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="ru">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>reestr — GraphiQL</title>
    <link rel="icon" type="image/svg+xml" href="/graphiql/favicon.svg">
    <link rel="stylesheet" href="/graphiql/graphiql.min.css">
    <style>body { margin: 0; height: 100vh; overflow: hidden; } #graphiql { height: 100vh; }</style>
    <script src="/graphiql/react.production.min.js"></script>
    <script src="/graphiql/react-dom.production.min.js"></script>
    <script src="/graphiql/graphiql.min.js"></script>
  </head>
  <body>
    <div id="graphiql">Загрузка…</div>
    <script>
      const here = new URL('/graphql', window.location.href);
      const ws = new URL('/graphql/ws', window.location.href);
      ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
      const fetcher = GraphiQL.createFetcher({ url: here.toString(), subscriptionUrl: ws.toString() });
      const docs = new URLSearchParams(window.location.search).has('docs');
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, {
          fetcher,
          defaultEditorToolsVisibility: true,
          visiblePlugin: docs ? 'Documentation Explorer' : undefined,
        }),
      );
    </script>
  </body>
</html>
"#;

/// The page itself.
pub fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// `GET /graphiql/{file}`: one of the page's assets (404 for any other name).
pub async fn asset(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, media, content)) => (
            [
                (CONTENT_TYPE, HeaderValue::from_static(media)),
                // The files change only with the binary.
                (
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ),
            ],
            *content,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_what_is_served_here() {
        for reference in PAGE.split(['"', '\'']).filter(|part| part.starts_with('/')) {
            let Some(file) = reference.strip_prefix("/graphiql/") else {
                assert!(reference.starts_with("/graphql"), "{reference}");
                continue;
            };
            assert!(
                FILES.iter().any(|(name, _, _)| *name == file),
                "the page loads {reference}, which is not served"
            );
        }
        assert!(!PAGE.contains("//unpkg") && !PAGE.contains("https://"));
    }
}
