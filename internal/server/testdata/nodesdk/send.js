// Sends batches to a mosaic Events API with mParticle's official Node SDK:
//   node send.js BASE_PATH KEY SECRET
// One batch through uploadEvents, two through bulkUploadEvents, and one the
// server must refuse; prints one JSON line per call's outcome.
const mParticle = require('mparticle');

const [basePath, key, secret] = process.argv.slice(2);
const api = new mParticle.EventsApi(new mParticle.Configuration(key, secret));
api.apiClient.basePath = basePath;

function batch(customerId, email, plan) {
  const b = new mParticle.Batch(mParticle.Batch.Environment.production);
  b.user_identities = new mParticle.UserIdentities();
  b.user_identities.customerid = customerId;
  b.user_identities.email = email;
  b.user_attributes = { plan: plan };
  const ev = new mParticle.AppEvent(mParticle.AppEvent.CustomEventType.other, 'Signed Up');
  ev.custom_attributes = { source: 'node-sdk' };
  b.addEvent(ev);
  return b;
}

function send(call, fn) {
  return new Promise((resolve) => {
    fn((error, data, response) => {
      console.log(JSON.stringify({
        call: call,
        status: response ? response.status : null,
        error: error ? String(error.status || error.message) : null,
        body: response ? response.text : null,
      }));
      resolve();
    });
  });
}

(async () => {
  await send('single', (cb) => api.uploadEvents(batch('node-1', 'node1@example.com', 'gold'), cb));
  await send('bulk', (cb) => api.bulkUploadEvents([batch('node-2', 'node2@example.com', 'silver'), batch('node-3', 'node3@example.com', 'bronze')], cb));
  const bad = batch('node-4', 'node4@example.com', 'gold');
  bad.environment = 'staging'; // neither production nor development: refused
  await send('invalid', (cb) => api.uploadEvents(bad, cb));
})();
