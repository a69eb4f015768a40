package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's recommendation of 19 MiB, 2 passes, 1 lane
// (about 30 ms here), stored in every hash so they can be raised later
// without invalidating existing passwords.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// argonSlots bounds concurrent hashes: each takes 19 MiB and a core for
// ~30 ms, so a flood of logins queues here instead of exhausting memory.
var argonSlots = make(chan struct{}, 2*runtime.NumCPU())

// Password length bounds. The upper bound stops hashing megabyte passwords.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// ErrWeakPassword means the password is too short or too long.
var ErrWeakPassword = fmt.Errorf("a password must have %d to %d characters", MinPasswordLen, MaxPasswordLen)

// HashPassword returns an argon2id hash in the PHC string format
// ($argon2id$v=19$m=..,t=..,p=..$salt$hash).
func HashPassword(password string) (string, error) {
	if n := len([]rune(password)); n < MinPasswordLen || len(password) > MaxPasswordLen {
		return "", ErrWeakPassword
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	argonSlots <- struct{}{}
	defer func() { <-argonSlots }()
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash, comparing in
// constant time. A malformed hash never matches.
func CheckPassword(hash, password string) bool {
	if len(password) > MaxPasswordLen {
		return false
	}
	p, err := parsePHC(hash)
	if err != nil {
		return false
	}
	argonSlots <- struct{}{}
	defer func() { <-argonSlots }()
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

// dummyHash is checked when an account does not exist, so a wrong email
// takes as long as a wrong password and response times do not reveal
// which emails have accounts.
var dummyHash, _ = HashPassword("kinema-dummy-password")

// BurnPasswordCheck spends the time of one CheckPassword.
func BurnPasswordCheck(password string) { CheckPassword(dummyHash, password) }

type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parsePHC(s string) (phc, error) {
	var p phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, errors.New("not an argon2id hash")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, err
	}
	// Bounds stop a tampered row from making a login allocate gigabytes.
	if p.memory == 0 || p.memory > 1<<20 || p.time == 0 || p.time > 10 || p.threads == 0 {
		return p, errors.New("argon2id parameters out of range")
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, err
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.key) < 16 {
		return p, errors.New("bad argon2id key")
	}
	return p, nil
}

// NewSecret returns n random bytes in base64url: session ids, CSRF tokens,
// invite codes, webhook secrets.
func NewSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
