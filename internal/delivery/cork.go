package delivery

import (
	"context"
	"net"
	"syscall"
)

// connKey is the context key under which ConnContext files a connection.
type connKey struct{}

// ConnContext is an http.Server.ConnContext that lets the handler reach the
// TCP connection a request came on, so it can cork the connection while it
// writes a file's response (see cork). Without it the handler works the
// same, with the headers in a packet of their own.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*net.TCPConn); ok {
		if rc, err := tc.SyscallConn(); err == nil {
			return context.WithValue(ctx, connKey{}, rc)
		}
	}
	return ctx
}

// cork sets TCP_CORK on the request's connection (when ConnContext filed a
// plain TCP one: TLS and HTTP/2 are left alone) and returns the function that
// clears it. While corked, the kernel sends only full-sized segments, so the
// headers net/http writes and the file sendfile(2) appends share packets
// instead of the headers going out alone, which costs the sender and the
// receiver a packet's worth of work and a wake-up each (nginx's tcp_nopush,
// for the same reason). Clearing the cork sends what is left at once; the
// kernel would anyway after 200 ms, so a cork left set can delay a response,
// never lose it. The caller must call the returned function (deferred) after
// the last byte is written.
func cork(ctx context.Context) (uncork func()) {
	rc, ok := ctx.Value(connKey{}).(syscall.RawConn)
	if !ok || setCork(rc, 1) != nil {
		return noUncork
	}
	return func() { _ = setCork(rc, 0) }
}

func noUncork() {}
