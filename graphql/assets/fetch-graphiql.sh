#!/usr/bin/env bash
# Re-fetches the GraphiQL page's assets (served from the binary, so the page
# works with no internet) from the npm registry's package tarballs, at the
# versions below, into graphql/assets/graphiql/. Run it to upgrade, then
# commit the files; the build never fetches anything.
set -euo pipefail
cd "$(dirname "$0")/graphiql"
GRAPHIQL=4.0.3
REACT=18.3.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)
tar -xzf "$work/graphiql-$GRAPHIQL.tgz" -C "$work" package/graphiql.min.js package/graphiql.min.css package/LICENSE
cp "$work/package/graphiql.min.js" "$work/package/graphiql.min.css" .
cp "$work/package/LICENSE" LICENSE.graphiql
rm -rf "$work/package"
tar -xzf "$work/react-$REACT.tgz" -C "$work" package/umd/react.production.min.js package/LICENSE
cp "$work/package/umd/react.production.min.js" .
cp "$work/package/LICENSE" LICENSE.react
rm -rf "$work/package"
tar -xzf "$work/react-dom-$REACT.tgz" -C "$work" package/umd/react-dom.production.min.js
cp "$work/package/umd/react-dom.production.min.js" .
echo "graphiql@$GRAPHIQL react@$REACT react-dom@$REACT" > VERSIONS
sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js
