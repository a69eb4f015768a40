// Package catalog keeps kinema's metadata: API keys, videos and the state of
// their processing pipelines. One implementation serves SQLite and PostgreSQL
// through database/sql; queries are written once and rebound per dialect.
//
// Every method can run inside a caller's transaction (see WithTx), so the
// queue can change catalog rows and enqueue jobs atomically.
package catalog
