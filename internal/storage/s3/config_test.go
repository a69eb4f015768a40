package s3

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/storage"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in, bucket, prefix string
		ok                 bool
	}{
		{"s3://media", "media", "", true},
		{"s3://media/", "media", "", true},
		{"s3://media/kinema", "media", "kinema", true},
		{"s3://media/a/b/", "media", "a/b", true},
		{"s3://my.bucket-1/x", "my.bucket-1", "x", true},
		{"s3://", "", "", false},
		{"s3:///prefix", "", "", false},
		{"http://media/x", "", "", false},
		{"media/x", "", "", false},
		{"s3://media/a/../b", "", "", false},
		{"s3://media/a//b", "", "", false},
		{"s3://media/x?versionId=1", "", "", false},
		{"s3://key:secret@media/x", "", "", false},
	} {
		bucket, prefix, err := ParseURL(tc.in)
		if !tc.ok {
			require.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.bucket, bucket, tc.in)
		require.Equal(t, tc.prefix, prefix, tc.in)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"minimal", Config{Bucket: "b"}, true},
		{"prefix slashes trimmed", Config{Bucket: "b", Prefix: "/p/q/"}, true},
		{"no bucket", Config{}, false},
		{"bad prefix", Config{Bucket: "b", Prefix: "a/../b"}, false},
		{"half credentials", Config{Bucket: "b", AccessKey: "k"}, false},
		{"endpoint without scheme", Config{Bucket: "b", Endpoint: "127.0.0.1:9000"}, false},
		{"small parts", Config{Bucket: "b", PartSize: 1 << 20}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.validate()
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, int64(defaultPartSize), tc.cfg.PartSize)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestETags(t *testing.T) {
	require.Equal(t, "abc", cleanETag(`"abc"`))
	require.Equal(t, "abc-3", cleanETag(`W/"abc-3"`))
	require.Equal(t, "abc", cleanETag("abc"))
	require.Equal(t, `"abc"`, quoteETag("abc"))
	require.Equal(t, `"abc"`, quoteETag(`"abc"`))
}

func TestListPrefix(t *testing.T) {
	s := &Store{prefix: "p/"}
	for in, want := range map[string]string{"": "p/", "m/": "p/m/", "m/1": "p/m/1", "a/b/": "p/a/b/"} {
		got, err := s.listPrefix(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got)
	}
	for _, bad := range []string{"/", "../", "a//", "a/../", "/abs"} {
		_, err := s.listPrefix(bad)
		require.True(t, errors.Is(err, storage.ErrInvalidKey), bad)
	}
}
