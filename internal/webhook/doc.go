// Package webhook tells accounts about their videos: per-account endpoints
// receive video.ready, video.failed and upload.completed events as JSON
// POSTs signed with HMAC-SHA256 over the timestamp and the body.
//
// Events are enqueued inside the transaction of the state change they
// describe (Service.Enqueue), so an event exists exactly when the change
// committed. A River worker delivers each one, retries with backoff and
// keeps a delivery log in the catalog. The sender refuses to connect to
// loopback, private and link-local addresses unless told otherwise; the
// check runs at dial time, after DNS resolution, so rebinding a name to an
// internal address does not get around it.
//
// Receivers verify the Kinema-Signature header with Verify (or Receiver)
// and should drop deliveries whose Kinema-Delivery id they have seen.
package webhook
