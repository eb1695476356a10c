// graphql-ws's own client subscribing to a running server:
// `node subscribe.mjs ws://HOST/graphql/ws http://HOST/graphql TOKEN ORG_ID`.
// Subscribes to the journal, commits grants until one arrives as an event,
// prints it as JSON and completes the subscription.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [wsUrl, httpUrl, token, orgId] = process.argv.slice(2);
const client = createClient({
  url: wsUrl,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});
const GRANT = `mutation($input: GrantRoleInput!) { grantRole(input: $input) { userId } }`;
const subscription = client.iterate({
  query: 'subscription { events { position type stream } }',
});
let stop = false;
const committing = (async () => {
  for (let n = 0; !stop && n < 100; n += 1) {
    const answer = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: GRANT,
        variables: { input: { role: 'ANALYST', orgId, holder: `ws-${n}` } },
      }),
    });
    const body = await answer.json();
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
})();
const timer = setTimeout(() => {
  console.error('no event within 20 s');
  process.exit(1);
}, 20000);
for await (const event of subscription) {
  stop = true;
  console.log(JSON.stringify(event));
  break;
}
clearTimeout(timer);
await committing;
await client.dispose();
