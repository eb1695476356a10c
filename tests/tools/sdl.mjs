// The schema a running server serves, as graphql-js sees it: the standard
// introspection query (every option on), then buildClientSchema and
// printSchema. `node sdl.mjs http://127.0.0.1:PORT/graphql` prints the SDL;
// `--introspection` prints the introspection result instead.
import { buildClientSchema, getIntrospectionQuery, printSchema } from 'graphql';

const [url, mode] = process.argv.slice(2);
const query = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});
const response = await fetch(url, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json;q=0.9',
  },
  body: JSON.stringify({ query, operationName: 'IntrospectionQuery' }),
});
const body = await response.json();
if (response.status !== 200 || body.errors) {
  console.error(`introspection failed (${response.status}): ${JSON.stringify(body)}`);
  process.exit(1);
}
if (mode === '--introspection') {
  console.log(JSON.stringify(body.data));
} else {
  console.log(printSchema(buildClientSchema(body.data)));
}
