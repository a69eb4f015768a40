// Package media holds kinema's domain types: videos, their processing state,
// probed source facts and the encoding plan derived from them. It is the leaf
// package of the project and imports only the standard library.
package media
