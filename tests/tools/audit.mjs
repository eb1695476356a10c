// The graphql-http audit suite (GraphQL over HTTP) against a running server:
// `node audit.mjs http://127.0.0.1:PORT/graphql`. Prints one line per audit
// and exits 1 when a MUST or SHOULD audit fails (MAY audits are reported).
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
let failed = 0;
let passed = 0;
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const binding = audit.name.split(' ')[0];
  if (result.status === 'ok') {
    passed += 1;
    console.log(`ok      ${result.id} ${audit.name}`);
  } else if (binding === 'MAY') {
    console.log(`may     ${result.id} ${audit.name}: ${result.reason}`);
  } else {
    failed += 1;
    console.log(`FAILED  ${result.id} ${audit.name}: ${result.reason}`);
  }
}
// Not the `N passed, N failed` of a test runner: this is one test's detail.
console.log(`the audit: ${failed} failures, ${passed} audits ok`);
process.exit(failed === 0 ? 0 : 1);
