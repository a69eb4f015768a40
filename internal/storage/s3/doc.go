// Package s3 is a storage.Store on an S3-compatible object store (AWS S3,
// MinIO, versitygw, Ceph RGW, ...). It also implements storage.Presigner so
// clients can upload straight to the bucket.
//
// Objects live under an optional key prefix, so one bucket can hold several
// installations. Put buffers at most one part in memory per upload slot: a
// body that fits in one part is sent with a single PutObject, anything larger
// (or of unknown size) goes through a multipart upload that is aborted on
// failure, so a failed Put never leaves an object or billed parts behind.
// Open only asks for the object's metadata; bytes are fetched with ranged GETs
// when they are read, so seeking (as http.ServeContent does) costs nothing.
package s3
