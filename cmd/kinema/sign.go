package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/media"
)

// defaultBase is where `kinema serve` listens with the default config.
const defaultBase = "http://localhost:8080"

// signCmd: `kinema sign [--data DIR] [--ttl DURATION] [--base URL] [--ip ADDR] VIDEO_ID`
// prints a signed HLS playback URL as the last line of stdout, signed with
// the server's local keys (DIR/keys). It never creates a key: a URL signed
// with a key the server does not have would only be refused.
func signCmd(args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	if v := os.Getenv("KINEMA_DATA"); v != "" {
		cfg.DataDir = v
	}
	base := defaultBase
	if v := os.Getenv("KINEMA_PUBLIC_URL"); v != "" {
		base = v
	}
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kinema sign [--data DIR] [--ttl DURATION] [--base URL] [--ip ADDR] VIDEO_ID")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory holding keys/ (KINEMA_DATA)")
	ttl := fs.Duration("ttl", cfg.PlaybackTTL, "how long the URL plays; must cover the whole viewing session")
	fs.StringVar(&base, "base", base, "public origin of the server (KINEMA_PUBLIC_URL)")
	ip := fs.String("ip", "", "bind the URL to this client address")
	id, err := parseWithOneArg(fs, args)
	if err != nil {
		return err
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--base %q: want http(s)://host[:port]", base)
	}
	keys, err := auth.LoadKeys(cfg.KeysDir())
	if err != nil {
		return err
	}
	var client netip.Addr
	if *ip != "" {
		if client, err = netip.ParseAddr(*ip); err != nil {
			return fmt.Errorf("--ip: %w", err)
		}
	}
	// Kind only decides whether poster URLs are made; the HLS URL is the
	// same for audio and video.
	pb, err := delivery.PlaybackURLsBound(base, keys, id, client, media.KindVideo, *ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "# key %s, expires %s\n", keys.KeyID(), pb.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintln(stdout, pb.HLS)
	return nil
}

// keysCmd: `kinema keys rotate|remove KID|list [--data DIR]` manages the
// local signing keys. A running `kinema serve` on the same data directory
// applies a change within KINEMA_KEYS_POLL (5s by default), or at once on
// SIGHUP.
func keysCmd(args []string, stdout, stderr io.Writer) error {
	const usage = "usage: kinema keys rotate | remove KID | list [--data DIR]"
	if len(args) == 0 {
		return errors.New(usage)
	}
	cfg := config.Default()
	if v := os.Getenv("KINEMA_DATA"); v != "" {
		cfg.DataDir = v
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory holding keys/ (KINEMA_DATA)")
	switch args[0] {
	case "rotate":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		kid, err := auth.RotateKey(cfg.KeysDir())
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "new signing key; a running kinema serve uses it within %s (default %s) or on SIGHUP. Older keys keep verifying until removed.\n",
			keysPollEnv, auth.DefaultKeyPoll)
		fmt.Fprintln(stdout, kid)
		return nil
	case "remove":
		// Key ids are base64url and may start with '-', which the flag
		// package would take for a flag, so the id comes first, verbatim.
		if len(args) < 2 {
			return errors.New(usage)
		}
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		if fs.NArg() != 0 {
			return errors.New(usage)
		}
		if err := auth.RemoveKey(cfg.KeysDir(), args[1]); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "key removed; a running kinema serve refuses its tokens within %s (default %s) or on SIGHUP.\n",
			keysPollEnv, auth.DefaultKeyPoll)
		return nil
	case "list":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		keys, err := auth.LoadKeys(cfg.KeysDir())
		if err != nil {
			return err
		}
		for _, k := range keys.PublicJWKS().Keys {
			mark := ""
			if k.KeyID == keys.KeyID() {
				mark = " (signing)"
			}
			fmt.Fprintln(stdout, k.KeyID+mark)
		}
		return nil
	}
	return errors.New(usage)
}

// parseWithOneArg parses flags that may come before or after the single
// positional argument, which it returns.
func parseWithOneArg(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return "", exitCode(2)
	}
	arg := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return "", exitCode(2)
	}
	return arg, nil
}
