// Package pipeline turns an upload into published HLS and DASH. It is a DAG of
// durable River jobs:
//
//	probe ─┬─ chunk 0..n ─┐
//	       ├─ audio ──────┼─ package ── publish
//	       └─ thumbnails ─┘
//
// probe plans the ladder, cuts the source's video at keyframes by stream
// copy into the pieces the chunks decode, so that a chunk job downloads about
// its share of the source rather than all of it (split.go), and fans out.
// Audio still reads the whole source. The parallel steps decrement a counter
// in the catalog in the same transaction that completes their job, and the
// one that brings it to zero enqueues package (fan-in without polling). Jobs
// exchange files only through the object store, so any worker can run any
// job; pieces live with the run's other work files and go with them.
package pipeline
