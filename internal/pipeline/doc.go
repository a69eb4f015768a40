// Package pipeline turns an upload into published HLS and DASH. It is a DAG of
// durable River jobs:
//
//	probe ─┬─ chunk 0..n ─┐
//	       ├─ audio ──────┼─ package ── publish
//	       └─ thumbnails ─┘
//
// probe plans the ladder and fans out; the parallel steps decrement a counter
// in the catalog in the same transaction that completes their job, and the
// one that brings it to zero enqueues package (fan-in without polling). Jobs
// exchange files only through the object store, so any worker can run any job.
package pipeline
